"""LiteLLM `model_prices_and_context_window.json`: client and pure parser (USD per token -> USD per 1M tokens).

Keys carry provider prefixes and many cloud resellers; a price is first-party only when `litellm_provider` is
the vendor's own API. Only chat and completion modes are imported.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from lib.errors import DataError
from lib.ingest import common, http
from lib.ingest.common import ParseResult, RowError, Skipped
from lib.sources import source_row

SOURCE_ID = "litellm"
URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
MAX_BYTES = 64 * 1024 * 1024
MAX_ROWS = 20_000  # the real file has a few thousand entries
SOURCE_ROW = source_row(SOURCE_ID)  # lib/sources.py: the registry curation writes to sources.csv
METRIC_ROWS: list[dict] = []

# Text modes: `responses` is a chat model served through OpenAI's Responses API only (o1-pro, codex), still text.
MODES = {"chat", "completion", "responses"}
RESERVED_KEYS = {"sample_spec", "last_updated", "fallback_generalizations"}

# The vendor's own API, as LiteLLM names providers: only these prices are first-party.
FIRST_PARTY_PROVIDERS = {
    "openai": {"openai", "text-completion-openai"}, "anthropic": {"anthropic"}, "google": {"gemini"},
    "mistralai": {"mistral", "codestral"}, "deepseek": {"deepseek"}, "x-ai": {"xai"},
    "cohere": {"cohere", "cohere_chat"}, "qwen": {"dashscope"}, "moonshotai": {"moonshot"},
    "perplexity": {"perplexity"}, "ai21": {"ai21", "ai21_chat"}, "z-ai": {"zai"}, "minimax": {"minimax"},
    "amazon": {"bedrock", "bedrock_converse"},
}
# Provider -> the vendor whose own API it is (a hint for keys that do not name a vendor).
PROVIDER_VENDOR = {p: v for v, ps in FIRST_PARTY_PROVIDERS.items() for p in ps}


# Keys that are moving aliases: their price goes stale after the alias moves to a newer model (the raw SOURCE.md
# shows `gpt-4o` at $5/$15 six weeks after it pointed at the $2.50 snapshot); the dated keys carry the prices.
MOVING_ALIASES = {"gpt-4o", "gpt-3.5-turbo", "chatgpt-4o-latest", "gemini/gemini-1.5-pro",
                  "gemini/gemini-1.5-flash", "gemini/gemini-1.5-pro-latest", "gemini/gemini-1.5-flash-latest",
                  "gpt-4-turbo-preview", "gpt-4", "gpt-3.5-turbo-16k", "o1-preview"}


def moving_alias(key: str) -> bool:
    """True for a LiteLLM key that names whatever model an alias points at today, not one model."""
    return key in MOVING_ALIASES or key.endswith("-latest")


@dataclasses.dataclass(frozen=True)
class Entry:
    """One entry of LiteLLM's price file as every path reads it (live ingest, the dated copies curation replays):
    prices in USD per 1M tokens (exact from the per-token numbers)."""

    key: str
    provider: str | None
    mode: str | None
    has_price: bool  # the entry states an input or an output cost at all
    input_usd_per_mtok: float | None
    output_usd_per_mtok: float | None
    cache_read_usd_per_mtok: float | None
    context_window: int | None
    deprecation_date: str | None


def read_entry(key: str, row) -> Entry | None:
    """One keyed entry -> an Entry; None for an entry of a non-text mode (embeddings, images, audio: not a chat
    model, not a bad row); RowError (field, reason) for an entry no path can use. The one reader of the format:
    live ingest (`parse`) and curation (the 2023 wheels, the dated copies' retirement dates) call it."""
    if not isinstance(row, dict):
        raise RowError(key, f"expected an object, got {type(row).__name__}")
    common.require_object(row, "entry")
    mode = row.get("mode")
    if mode is not None and mode not in MODES:
        return None
    # the Aug 2023 tables predate `litellm_provider`; live ingest requires it (`parse`)
    provider = common.text(row.get("litellm_provider"), "litellm_provider", required=False)
    inp = common.price(row.get("input_cost_per_token"), "input_cost_per_token", per_token=True)
    out = common.price(row.get("output_cost_per_token"), "output_cost_per_token", per_token=True)
    cache = common.price(row.get("cache_read_input_token_cost"), "cache_read_input_token_cost", per_token=True)
    ctx = row.get("max_input_tokens") or row.get("max_tokens")
    ctx = common.number(ctx, "max_input_tokens", lo=0, hi=1e9) if isinstance(ctx, (int, float)) else None
    deprecation = common.iso_date(row.get("deprecation_date"), "deprecation_date")
    return Entry(key=key, provider=provider, mode=mode,
                 has_price="input_cost_per_token" in row or "output_cost_per_token" in row,
                 input_usd_per_mtok=inp, output_usd_per_mtok=out, cache_read_usd_per_mtok=cache,
                 context_window=int(ctx) if ctx else None, deprecation_date=deprecation)


def is_first_party(vendor: str | None, provider: str) -> bool:
    return provider in FIRST_PARTY_PROVIDERS.get(vendor or "", ())


def fetch(session=None) -> list[common.Payload]:
    return [http.get("litellm", URL, session=session, max_bytes=MAX_BYTES)]


def parse(payload: bytes, retrieved_at: dt.datetime | None = None) -> ParseResult:
    doc = common.load_json(payload, "litellm", keyed_rows=True)
    if not isinstance(doc, dict):
        raise DataError(f"litellm: expected a JSON object keyed by model id, got a {type(doc).__name__}")
    common.check_row_count("litellm", doc, MAX_ROWS)
    models, prices, skipped, hints = [], [], [], {}
    rows_seen = 0
    repeated = set(getattr(doc, "duplicates", ()))
    for key, row in doc.items():
        if key in RESERVED_KEYS:
            continue
        rows_seen += 1
        try:
            if key in repeated:
                raise RowError("key", "model id appears twice in the payload; which entry is meant is unknowable")
            e = read_entry(key, row)
            if e is None:
                continue  # embeddings, images, audio...: not a chat model, not a skipped chat row
            if e.provider is None:
                raise RowError("litellm_provider", "missing")
            if not e.has_price:
                raise RowError("input_cost_per_token", "missing")
            if moving_alias(key):
                raise RowError("key", "moving alias of whichever model it points at today; the dated keys are read")
        except RowError as exc:
            skipped.append(Skipped(key, exc.field, exc.reason))
            continue
        ref = f"{URL}#{key}"
        if e.provider in PROVIDER_VENDOR:
            hints[key] = PROVIDER_VENDOR[e.provider]
        models.append(dict(external_id=key, vendor=None, name=key, context_window=e.context_window,
                           deprecation_date=e.deprecation_date, status="unreviewed", source_id=SOURCE_ID,
                           source_ref=ref))
        prices.append(dict(external_id=key, provider=e.provider, first_party=None, tier="standard",
                           input_usd_per_mtok=e.input_usd_per_mtok, output_usd_per_mtok=e.output_usd_per_mtok,
                           cache_read_usd_per_mtok=e.cache_read_usd_per_mtok, source_ref=ref,
                           note=f"mode {e.mode}" if e.mode else None))
    common.check_drift("litellm", rows_seen, skipped, len(prices))
    return common.result(SOURCE_ID, models, prices, [], skipped, rows_seen, hints)


def finish_first_party(prices) -> None:
    """After alias resolution: first_party is known once the vendor of each model_id is."""
    vendors = prices["model_id"].str.split("/").str[0]
    prices["first_party"] = [is_first_party(v, p) for v, p in zip(vendors, prices["provider"])]
