"""OpenRouter `GET /api/v1/models`: client and pure parser (USD-per-token strings -> USD per 1M tokens).

`created` is the date OpenRouter listed a model, not its release date; open models are priced by the cheapest
host, so every OpenRouter price is a reseller price (first_party false).
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from lib.errors import DataError
from lib.ingest import common, http
from lib.ingest.common import ParseResult, RowError, Skipped
from lib.sources import source_row

SOURCE_ID = "openrouter"
URL = "https://openrouter.ai/api/v1/models"
MAX_BYTES = 32 * 1024 * 1024
MAX_ROWS = 20_000  # the real listing has a few hundred models
SOURCE_ROW = source_row(SOURCE_ID)  # lib/sources.py: the registry curation writes to sources.csv
METRIC_ROWS: list[dict] = []

# OpenRouter variant suffixes become price tiers; `standard` is the headline price.
VARIANT_TIERS = {"free": "free", "batch": "batch", "extended": "extended", "beta": "beta", "nitro": "nitro",
                 "floor": "floor", "online": "online", "thinking": "thinking", "exacto": "exacto"}


def fetch(session=None) -> list[common.Payload]:
    return [http.get("openrouter", URL, session=session, max_bytes=MAX_BYTES)]


@dataclasses.dataclass(frozen=True)
class Listing:
    """One row of a `/api/v1/models` response as both paths read it: prices in USD per 1M tokens (exact from the
    per-token strings), the variant suffix as a price tier, and what OpenRouter says the model outputs."""

    external_id: str
    name: str
    tier: str
    vendor: str | None
    input_usd_per_mtok: float | None
    output_usd_per_mtok: float | None
    cache_read_usd_per_mtok: float | None
    cache_read_raw: object  # the payload's own value ("0" means no cache price to curation)
    context_window: int | None
    listed_on: str | None  # OpenRouter's `created`: the listing date, never a release date
    output_modalities: tuple[str, ...]


def rows_of(payload: bytes | str | list | dict) -> list:
    """The model rows of a response (`{"data": [...]}`, or the bare array some recorders saved)."""
    doc = common.load_json(payload, "openrouter") if isinstance(payload, (bytes, str)) else payload
    if isinstance(doc, dict):
        if "data" not in doc:
            raise DataError(f"openrouter: field 'data' missing at the top level (keys: {sorted(doc)[:6]}); "
                            "schema drift?")
        rows = doc["data"]
    else:
        rows = doc
    if not isinstance(rows, list):
        raise DataError(f"openrouter: field 'data' is a {type(rows).__name__}, expected a list")
    return rows


def read_row(row, seen: set) -> Listing:
    """One model row -> a Listing; RowError (field, reason) for a row no path can use. The one place that reads
    the format: live ingest (`parse`) and curation (lib.curate.prices replaying dated copies) both call it."""
    ext_id = common.first_occurrence(common.require_object(row, "data[]").get("id"), "id", seen)
    if ext_id.startswith("~"):
        raise RowError("id", "moving alias ('~…-latest') of a concrete model; not priced separately")
    name = common.text(row.get("name"), "name")
    pricing = row.get("pricing")
    if pricing is None:
        raise RowError("pricing", "missing")
    if not isinstance(pricing, dict):
        raise RowError("pricing", f"expected an object, got {type(pricing).__name__}")
    if "prompt" not in pricing and "completion" not in pricing:
        raise RowError("pricing.prompt", "missing")
    if str(pricing.get("prompt")) == "-1" or str(pricing.get("completion")) == "-1":
        raise RowError("pricing.prompt", "variable price ('-1': a router picks the model per request)")
    inp = common.price(pricing.get("prompt"), "pricing.prompt", per_token=True)
    out = common.price(pricing.get("completion"), "pricing.completion", per_token=True)
    cache = common.price(pricing.get("input_cache_read"), "pricing.input_cache_read", per_token=True)
    ctx = row.get("context_length")
    ctx = int(common.number(ctx, "context_length", lo=0, hi=1e9)) if ctx is not None else None
    base, _, variant = ext_id.partition(":")
    tier = VARIANT_TIERS.get(variant, variant or "standard") if variant else "standard"
    listed = common.listed_date(row.get("created"))  # NaN or absurd timestamps: no note, the row is kept
    arch = row.get("architecture")
    outs = arch.get("output_modalities") if isinstance(arch, dict) else None
    return Listing(external_id=ext_id, name=name, tier=tier, vendor=base.split("/")[0] if "/" in base else None,
                   input_usd_per_mtok=inp, output_usd_per_mtok=out, cache_read_usd_per_mtok=cache,
                   cache_read_raw=pricing.get("input_cache_read"), context_window=ctx, listed_on=listed,
                   output_modalities=tuple(str(o) for o in outs) if isinstance(outs, list) else ())


def parse(payload: bytes, retrieved_at: dt.datetime | None = None) -> ParseResult:
    rows = rows_of(payload)
    common.check_row_count("openrouter", rows, MAX_ROWS)
    models, prices, skipped, seen = [], [], [], set()
    for i, row in enumerate(rows):
        ext_id = str(row.get("id")) if isinstance(row, dict) and row.get("id") else f"#{i}"
        try:
            r = read_row(row, seen)
        except RowError as exc:
            skipped.append(Skipped(ext_id, exc.field, exc.reason))
            continue
        ref = f"{URL}#{r.external_id}"
        note = f"listed on OpenRouter {r.listed_on}" if r.listed_on else None
        models.append(dict(external_id=r.external_id, vendor=r.vendor, name=r.name, context_window=r.context_window,
                           status="unreviewed", source_id=SOURCE_ID, source_ref=ref,
                           # `created` is OpenRouter's listing date, never a release date
                           release_date=None))
        prices.append(dict(external_id=r.external_id, provider="openrouter", first_party=(r.vendor == "openrouter"),
                           tier=r.tier, input_usd_per_mtok=r.input_usd_per_mtok,
                           output_usd_per_mtok=r.output_usd_per_mtok, cache_read_usd_per_mtok=r.cache_read_usd_per_mtok,
                           source_ref=ref, note=note))
    common.check_drift("openrouter", len(rows), skipped, len(prices))
    return common.result(SOURCE_ID, models, prices, [], skipped, len(rows))
