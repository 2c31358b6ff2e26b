"""LMArena text leaderboard as published (CSV, or JSON records): client and pure parser.

One dated snapshot per import: every rating is observed on the retrieval day (metric `lmarena_text`, which
drifts because the whole table is refitted each time).
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re

from lib.curate.aliases import non_api_reason
from lib.errors import DataError
from lib.ingest import common, http
from lib.ingest.common import ParseResult, RowError, Skipped
from lib.sources import source_row

SOURCE_ID = "lmarena"
URL = "https://raw.githubusercontent.com/fboulnois/llm-leaderboard-csv/main/csv/lmarena_text.csv"
MAX_BYTES = 16 * 1024 * 1024
MAX_ROWS = 5_000  # the leaderboard lists a few hundred models
SOURCE_ROW = source_row(SOURCE_ID)  # lib/sources.py: the registry curation writes to sources.csv
METRIC_ROWS = [dict(metric_id="lmarena_text", name="LMArena text score", unit="Elo-like rating",
                    higher_is_better=True, min_value=0, max_value=3000, scale="points", drifts=True, version=None,
                    description="LMArena text leaderboard rating (Bradley-Terry), as of the snapshot date",
                    source_id=SOURCE_ID)]
SCORE_COLUMNS = ("arena_score", "arena_elo", "score", "rating")  # the column was renamed over time
MODEL_COLUMNS = ("model", "model_name", "name")


def fetch(session=None) -> list[common.Payload]:
    return [http.get("lmarena", URL, session=session, max_bytes=MAX_BYTES, ext="csv")]


@dataclasses.dataclass(frozen=True)
class Rating:
    """One leaderboard row as both paths read it: the display name verbatim, its rating, what LMArena says of it."""

    external_id: str  # LMArena's display name ("Claude 3.5 Haiku (20241022)")
    value: float | None
    organization: str | None
    open_weights: bool | None


def records(payload: bytes) -> list[dict]:
    """The leaderboard rows of a payload (CSV with any of the header variants, or JSON records)."""
    if common.looks_like_html(payload):
        common.load_json(payload, "lmarena")  # raises the HTML-page error
    stripped = payload.lstrip()
    if stripped[:1] in (b"[", b"{"):
        doc = common.load_json(payload, "lmarena")
        rows = doc.get("data") if isinstance(doc, dict) else doc
        if not isinstance(rows, list):
            raise DataError("lmarena: field 'data' missing: expected a list of leaderboard rows")
        return rows
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"lmarena: payload is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    # A long cell is a bad row (skipped by require_object), not a reason to drop the payload: lift csv's
    # 131,072-character field limit to the payload cap.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    if not any(c in header for c in MODEL_COLUMNS):
        raise DataError(f"lmarena: field 'model' missing from the CSV header {header[:8]}; schema drift?")
    if not any(c in header for c in SCORE_COLUMNS):
        raise DataError(f"lmarena: field 'arena_score' missing from the CSV header {header[:8]}; schema drift?")
    rows = list(reader)
    if rows and None in rows[-1]:
        raise DataError("lmarena: the last CSV row has more fields than the header (truncated or malformed body?)")
    if rows and text and not text.endswith("\n") and any(v in (None, "") for v in rows[-1].values()):
        raise DataError("lmarena: the last CSV row is incomplete (truncated body?)")
    return rows


def display_key(name: str) -> str:
    """LMArena display names to an id the normaliser knows: 'Claude 3.5 Haiku (20241022)' -> '…-20241022'."""
    return re.sub(r"\s*\((\d{8})\)$", r"-\1", name.strip())


def read_row(row, seen: set) -> Rating:
    """One leaderboard row -> a Rating; RowError (field, reason) for a row neither path uses. The one place that
    reads the format: live ingest (`parse`) and curation (lib.curate.scores replaying the dated snapshots) both
    call it. A local or quantised run (`…-fp8`) is not an API model: skipped with the reason."""
    common.require_object(row, "row", "a record")
    name = next((row[c] for c in MODEL_COLUMNS if row.get(c) not in (None, "")), None)
    ext_id = common.first_occurrence(name, "model", seen)
    why = non_api_reason(ext_id)
    if why:
        raise common.NotAnApiModel("model", why, ext_id)
    raw = next((row[c] for c in SCORE_COLUMNS if c in row), None)
    try:
        if raw in (None, ""):
            raise RowError("arena_score", "missing")
        value = common.number(raw, "arena_score", lo=0, hi=3000)
    except RowError as exc:
        exc.external_id = ext_id
        raise
    org = row.get("organization")
    return Rating(ext_id, value, str(org) if org else None, _open(row.get("license")))


def parse(payload: bytes, retrieved_at: dt.datetime | None = None) -> ParseResult:
    rows = records(payload)
    common.check_row_count("lmarena", rows, MAX_ROWS)
    models, scores, skipped, seen, hints = [], [], [], set(), {}
    for i, row in enumerate(rows):
        try:
            r = read_row(row, seen)
        except RowError as exc:
            skipped.append(Skipped(exc.external_id or f"#{i}", exc.field, exc.reason))
            continue
        ext_id = r.external_id
        if r.organization:
            hints[ext_id] = r.organization
        ref = f"{URL}#{ext_id}"
        models.append(dict(external_id=ext_id, vendor=None, name=ext_id, status="unreviewed", source_id=SOURCE_ID,
                           source_ref=ref, open_weights=r.open_weights))
        scores.append(dict(external_id=ext_id, metric_id="lmarena_text", value=r.value, metric_version=None,
                           source_ref=ref))
    common.check_drift("lmarena", len(rows), skipped, len(scores))
    return common.result(SOURCE_ID, models, [], scores, skipped, len(rows), hints)


def _open(licence) -> bool | None:
    if not licence:
        return None
    return str(licence).strip().lower() not in ("proprietary", "unknown", "")
