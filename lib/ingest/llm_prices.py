"""simonw/llm-prices per-vendor JSON (`data/<vendor>.json`): client and pure parser.

Prices are USD per 1M tokens with `price_history` intervals; the row in force on the retrieval day is imported
as a first-party price, dated by its `from_date` (vendor-effective) where it has one, else observed on the
retrieval day. Each vendor file is kept as its own raw payload.
"""
from __future__ import annotations

import datetime as dt
import re

from lib.curate.aliases import NOT_CHAT
from lib.errors import DataError
from lib.ingest import common, http
from lib.ingest.common import ParseResult, RowError, Skipped
from lib.sources import source_row

SOURCE_ID = "simonw_llm_prices"
LISTING_URL = "https://api.github.com/repos/simonw/llm-prices/contents/data"
RAW_URL = "https://raw.githubusercontent.com/simonw/llm-prices/main/data/{name}"
MAX_BYTES = 8 * 1024 * 1024
MAX_ROWS = 5_000  # one vendor's file lists a few dozen models
MAX_FILES = 100
SOURCE_ROW = source_row(SOURCE_ID)  # lib/sources.py: the registry curation writes to sources.csv
METRIC_ROWS: list[dict] = []


def fetch(session=None) -> list[common.Payload]:
    session = session or http.make_session()
    listing = http.get("llm_prices", LISTING_URL, session=session, max_bytes=MAX_BYTES,
                       headers={"Accept": "application/vnd.github+json"})
    entries = common.load_json(listing.body, "llm_prices")
    if not isinstance(entries, list):
        raise DataError(f"llm_prices: the listing of data/ is a {type(entries).__name__}, expected a list")
    names = sorted(e["name"] for e in entries
                   if isinstance(e, dict) and str(e.get("name", "")).endswith(".json") and e.get("type") == "file")
    if not names:
        raise DataError("llm_prices: field 'name' — no data/*.json files in the repository listing")
    return [http.get("llm_prices", RAW_URL.format(name=n), session=session, max_bytes=MAX_BYTES)
            for n in names[:MAX_FILES]]


# An id ending in a context size (`gemini-2.5-pro-200k`, `gpt-5.4-272k`) is the long-context price of the id
# without it, applying to the whole request when the prompt is longer than that size.
LONG_SUFFIX = re.compile(r"-(128k|200k|256k|272k)$")


def split_tier(external_id: str) -> tuple[str, str, int | None]:
    """(the model's id, price tier, prompt tokens above which the tier applies) of an llm-prices id: one rule for
    live ingest and for curation (the git history of the same files)."""
    long_at = LONG_SUFFIX.search(external_id)
    base = LONG_SUFFIX.sub("", external_id)
    base = re.sub(r"^gemini-3-1-", "gemini-3.1-", base)  # llm-prices spells Gemini 3.1 with a dash
    if not long_at:
        return base, "standard", None
    return base, "long-context", int(long_at.group(1)[:-1]) * 1000


def _in_force(history: list, day: dt.date) -> dict | None:
    for h in history:
        if not isinstance(h, dict):
            raise RowError("price_history[]", f"expected an object, got {type(h).__name__}")
        lo = common.iso_date(h.get("from_date"), "price_history.from_date")
        hi = common.iso_date(h.get("to_date"), "price_history.to_date")
        if (lo is None or lo <= day.isoformat()) and (hi is None or day.isoformat() < hi):
            return h
    return None


def parse(payload: bytes, retrieved_at: dt.datetime | None = None) -> ParseResult:
    doc = common.load_json(payload, "llm_prices")
    if not isinstance(doc, dict):
        raise DataError(f"llm_prices: expected an object with 'vendor' and 'models', got {type(doc).__name__}")
    for field in ("vendor", "models"):
        if field not in doc:
            raise DataError(f"llm_prices: field '{field}' missing at the top level (keys: {sorted(doc)[:6]}); "
                            "schema drift?")
    if not isinstance(doc["models"], list):
        raise DataError(f"llm_prices: field 'models' is a {type(doc['models']).__name__}, expected a list")
    common.check_row_count("llm_prices", doc["models"], MAX_ROWS)
    vendor = str(doc["vendor"])
    day = (retrieved_at or dt.datetime.now(dt.timezone.utc)).date()
    models, long_models, prices, skipped, seen, hints = [], [], [], [], set(), {}
    for i, row in enumerate(doc["models"]):
        ext_id = str(row.get("id")) if isinstance(row, dict) and row.get("id") else f"#{i}"
        try:
            ext_id = common.first_occurrence(common.require_object(row, "models[]").get("id"), "id", seen)
            if NOT_CHAT.search(ext_id):
                raise RowError("id", "not a text chat model (images, audio, embeddings...)")
            name = common.text(row.get("name"), "name")
            history = row.get("price_history")
            if history is None:
                raise RowError("price_history", "missing")
            if not isinstance(history, list):
                raise RowError("price_history", f"expected a list, got {type(history).__name__}")
            h = _in_force(history, day)
            if h is None:
                raise RowError("price_history", f"no price in force on {day}")
            inp = common.price(h.get("input"), "price_history.input", per_token=False)
            out = common.price(h.get("output"), "price_history.output", per_token=False)
            cache = common.price(h.get("input_cached"), "price_history.input_cached", per_token=False)
            if inp is None and out is None:
                raise RowError("price_history.input", "missing")
        except RowError as exc:
            skipped.append(Skipped(ext_id, exc.field, exc.reason))
            continue
        ref = f"https://github.com/simonw/llm-prices/blob/main/data/{vendor}.json#{ext_id}"
        base, tier, min_prompt = split_tier(ext_id)  # `-200k`: the long-context price of the base model
        hints[base] = vendor
        (models if tier == "standard" else long_models).append(
            dict(external_id=base, vendor=None, name=name if tier == "standard" else base, status="unreviewed",
                 source_id=SOURCE_ID, source_ref=ref))
        # An explicit from_date is the vendor-effective date of this price (issue 3's precedence); without one
        # the price is only known to hold on the retrieval day.
        from_date = h.get("from_date")
        prices.append(dict(external_id=base, provider=None, first_party=True, tier=tier,
                           min_prompt_tokens=min_prompt, input_usd_per_mtok=inp, output_usd_per_mtok=out,
                           cache_read_usd_per_mtok=cache, source_ref=ref,
                           note=f"price_history from {from_date or 'start'}",
                           effective_from=from_date, date_kind="effective" if from_date else None))
    models += long_models  # a base model listed only with its long-context price still gets a model row
    common.check_drift("llm_prices", len(doc["models"]), skipped, len(prices))
    return common.result(SOURCE_ID, models, prices, [], skipped, len(doc["models"]), hints)


def finish_first_party(prices) -> None:
    """The vendor's own list: the provider is the model's vendor."""
    prices["provider"] = prices["model_id"].str.split("/").str[0]
    prices["first_party"] = True
