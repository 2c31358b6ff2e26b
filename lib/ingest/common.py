"""Shapes and helpers shared by the source parsers: payloads, parse results, skipped rows, price validation.

Parsers are pure: bytes in, DataFrames out; a bad row becomes a `Skipped` entry, a bad payload a DataError.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from decimal import Decimal, InvalidOperation

import pandas as pd

from lib.errors import DataError

# Above this a price is a data error, not a price (the dearest real model is a few hundred $/Mtok).
MAX_USD_PER_MTOK = 10_000.0
# Row limit per payload unless a source module sets MAX_ROWS (the largest real listing has a few thousand rows).
DEFAULT_MAX_ROWS = 20_000
# A name or id longer than this is not a name; any text cell longer than MAX_CELL_CHARS skips its row.
MAX_TEXT_CHARS = 500
MAX_CELL_CHARS = 20_000

# Columns parsers emit before alias resolution: `external_id` is the source's own id; the pipeline
# turns it into a canonical `model_id`.
PARSED_COLUMNS = {
    "models": ["external_id", "vendor", "family", "name", "release_date", "open_weights", "context_window",
               "parameters_b", "deprecation_date", "status", "source_id", "source_ref"],
    "prices": ["external_id", "provider", "first_party", "tier", "min_prompt_tokens", "input_usd_per_mtok",
               "output_usd_per_mtok", "cache_read_usd_per_mtok", "source_ref", "note", "effective_from", "date_kind"],
    "scores": ["external_id", "metric_id", "value", "metric_version", "source_ref"],
}


@dataclasses.dataclass
class Payload:
    """One response body exactly as it arrived, with where and when it came from."""
    source: str                      # CLI name (folder under data/snapshots)
    body: bytes
    url: str
    retrieved_at: dt.datetime        # UTC, aware
    content_type: str = "application/json"
    ext: str = "json"


@dataclasses.dataclass
class Skipped:
    external_id: str
    field: str
    reason: str


@dataclasses.dataclass
class ParseResult:
    source_id: str
    models: pd.DataFrame
    prices: pd.DataFrame
    scores: pd.DataFrame
    skipped: list[Skipped]
    rows_seen: int = 0
    aliases: pd.DataFrame | None = None  # filled by alias resolution: source_id, external_id, model_id
    # an external id -> a hint used by resolution when the id alone does not name a vendor
    vendor_hints: dict[str, str] = dataclasses.field(default_factory=dict)
    # ids nothing resolves: source_id, external_id, proposed_model_id, name, reason (filled by resolution)
    queue: pd.DataFrame | None = None


class RowError(Exception):
    """One row cannot be used: the parser records it as skipped and keeps the rest. `external_id`: the row's id
    where it was read before the error."""

    def __init__(self, field: str, reason: str, external_id: str | None = None):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.external_id = external_id


class NotAnApiModel(RowError):
    """The row names a local or quantised run (`lib.curate.aliases.non_api_reason`), not an API model: skipped by
    live ingest, recorded as an exclusion by curation."""


def frame(kind: str, rows: list[dict]) -> pd.DataFrame:
    cols = PARSED_COLUMNS[kind]
    return pd.DataFrame.from_records(rows, columns=cols) if rows else pd.DataFrame(columns=cols)


def result(source_id: str, models: list[dict], prices: list[dict], scores: list[dict], skipped: list[Skipped],
           rows_seen: int, vendor_hints: dict[str, str] | None = None) -> ParseResult:
    return ParseResult(source_id, frame("models", models), frame("prices", prices), frame("scores", scores),
                       skipped, rows_seen, None, vendor_hints or {})


def looks_like_html(body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml"))


class JsonObject(dict):
    """A decoded JSON object that remembers keys it saw twice (`duplicates`) and whether an object inside it did
    (`nested_duplicates`): which of two values a payload meant is unknowable, so such a row is skipped."""
    duplicates: tuple = ()
    nested_duplicates: bool = False


def _tainted(value, depth: int = 0) -> bool:
    if isinstance(value, JsonObject):
        return bool(value.duplicates) or value.nested_duplicates
    if isinstance(value, list) and depth < 4:
        return any(_tainted(v, depth + 1) for v in value)
    return False


def _json_object(pairs: list) -> JsonObject:
    obj = JsonObject(pairs)
    if len(obj) != len(pairs):
        seen, dups = set(), []
        for k, _ in pairs:
            if k in seen and k not in dups:
                dups.append(k)
            seen.add(k)
        obj.duplicates = tuple(dups)
    obj.nested_duplicates = any(_tainted(v) for v in obj.values())
    return obj


def load_json(body: bytes, source: str, *, keyed_rows: bool = False):
    """Decode a JSON payload, naming the source and the position of the error. A key repeated in the top-level
    object fails the payload (unless `keyed_rows`: the top level is keyed by row id, and the parser skips the
    repeated ids); one repeated inside a row skips that row (`require_object`)."""
    if looks_like_html(body):
        raise DataError(f"{source}: expected JSON but the payload is an HTML page "
                        f"(starts with {body[:40].decode('utf-8', 'replace')!r}); an error page served with 200?")
    try:
        doc = json.loads(body, object_pairs_hook=_json_object)
    except RecursionError:
        raise DataError(f"{source}: payload is not usable JSON: nested too deeply") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{source}: payload is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        tail = body.rstrip()[-1:]
        hint = "; the body ends mid-document (truncated?)" if tail not in (b"}", b"]") else ""
        raise DataError(f"{source}: payload is not valid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})"
                        f"{hint}") from None
    if isinstance(doc, JsonObject) and doc.duplicates and not keyed_rows:
        raise DataError(f"{source}: key {doc.duplicates[0]!r} appears twice in the top-level JSON object; which one "
                        "is meant is unknowable")
    return doc


def check_row_count(source: str, rows, limit: int | None = None) -> None:
    """A payload with more rows than its source could hold is an error, not data (and would take minutes)."""
    limit = limit or DEFAULT_MAX_ROWS
    if hasattr(rows, "__len__") and len(rows) > limit:
        raise DataError(f"{source}: payload holds {len(rows):,} rows, over this source's limit of {limit:,}")


def listed_date(value) -> str | None:
    """A Unix timestamp (seconds) as an ISO date; None when it is not a plausible one (NaN, huge, negative)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not (0 <= value < 4_102_444_800):  # 1970 .. 2100
        return None
    return dt.datetime.fromtimestamp(value, dt.timezone.utc).date().isoformat()



def price(value, field: str, *, per_token: bool) -> float | None:
    """A price in USD per 1M tokens from a source value; raises RowError for non-numeric, negative or absurd."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RowError(field, f"non-numeric price {value!r}")
    text = value.strip() if isinstance(value, str) else repr(value)
    if text == "":
        return None
    if len(text) > 64:
        raise RowError(field, f"non-numeric price of {len(text)} characters")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise RowError(field, f"non-numeric price {value!r}") from None
    try:
        if not d.is_finite():
            raise RowError(field, f"non-numeric price {value!r}")
        if per_token:
            d = d * 1_000_000  # Decimal keeps "0.0000025" -> 2.5 exact, no float noise
        out = float(d)
    except ArithmeticError:  # Overflow ("1e999999999" per token)
        raise RowError(field, f"absurd price {text[:32]!r}") from None
    if out < 0:
        raise RowError(field, f"negative price {value!r}")
    if out > MAX_USD_PER_MTOK or math.isinf(out):
        raise RowError(field, f"absurd price {out:g} USD/Mtok (> {MAX_USD_PER_MTOK:g})")
    return out


def number(value, field: str, *, lo: float | None = None, hi: float | None = None) -> float | None:
    if value is None or (isinstance(value, str) and value.strip() in ("", "-", "NA", "N/A")):
        return None
    if isinstance(value, bool):
        raise RowError(field, f"non-numeric value {value!r}")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise RowError(field, f"non-numeric value {value!r}") from None
    if math.isnan(out) or math.isinf(out):
        raise RowError(field, f"non-numeric value {value!r}")
    if (lo is not None and out < lo) or (hi is not None and out > hi):
        raise RowError(field, f"value {out:g} outside [{lo}, {hi}]")
    return out


def text(value, field: str, *, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RowError(field, "missing")
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise RowError(field, f"expected text, got {type(value).__name__}")
    out = str(value)  # verbatim: HTML or script in a name is stored as text, never interpreted
    if len(out) > MAX_TEXT_CHARS:
        raise RowError(field, f"text of {len(out):,} characters (limit {MAX_TEXT_CHARS})")
    return out


def require_object(row, container: str, what: str = "an object") -> dict:
    """A payload row must be a JSON object (or a CSV record); anything else skips the row with a reason."""
    if not isinstance(row, dict):
        raise RowError(container, f"expected {what}, got {type(row).__name__}")
    if isinstance(row, JsonObject) and (row.duplicates or row.nested_duplicates):
        which = f"key {row.duplicates[0]!r}" if row.duplicates else "a key inside it"
        raise RowError(container, f"{which} appears twice in the row; which value is meant is unknowable")
    for key, value in row.items():
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            raise RowError(str(key)[:40], f"text of {len(value):,} characters (limit {MAX_CELL_CHARS:,})")
    return row


def first_occurrence(value, field: str, seen: set) -> str:
    """The row's id as text; a second row with the same id is skipped (the first one is kept)."""
    ext_id = text(value, field)
    if ext_id in seen:
        raise RowError(field, f"duplicate {field} in payload (first occurrence kept)")
    seen.add(ext_id)
    return ext_id


def iso_date(value, field: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        raise RowError(field, f"not a date {value!r}") from None


def check_drift(source: str, rows_seen: int, skipped: list[Skipped], parsed_rows: int) -> None:
    """Fail the payload when a field is missing from most rows: a renamed field, not a few bad rows."""
    if rows_seen == 0:
        raise DataError(f"{source}: payload holds no rows")
    missing: dict[str, int] = {}
    for s in skipped:
        if s.reason == "missing":
            missing[s.field] = missing.get(s.field, 0) + 1
    for field, n in sorted(missing.items(), key=lambda kv: -kv[1]):
        if n > rows_seen / 2:
            raise DataError(f"{source}: field '{field}' is missing in {n} of {rows_seen} rows "
                            "(schema drift: renamed or removed upstream?)")
    if parsed_rows == 0:
        reasons = "; ".join(sorted({f"{s.field}: {s.reason}" for s in skipped})[:3])
        raise DataError(f"{source}: none of {rows_seen} rows could be used ({reasons})")
