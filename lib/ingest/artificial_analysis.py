"""Artificial Analysis API: client (key from AA_API_KEY or st.secrets, never printed) and pure parser.

Reads the paginated `/api/v2/language/models/free` and the legacy `/api/v2/data/llms/models`; every score carries
the intelligence-index version (metric aa_intelligence_v<major>). Attribution: Artificial Analysis is credited.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from pathlib import Path
from typing import Callable

from lib.errors import DataError
from lib.ingest import common, http
from lib.ingest.common import ParseResult, RowError, Skipped
from lib.paths import PROJECT_DIR
from lib.sources import source_row

SOURCE_ID = "artificial_analysis"
BASE = "https://artificialanalysis.ai"
FREE_URL = BASE + "/api/v2/language/models/free"
LEGACY_URL = BASE + "/api/v2/data/llms/models"
MAX_BYTES = 32 * 1024 * 1024
MAX_ROWS = 20_000  # the API lists a few hundred models
MAX_PAGES = 50
SOURCE_ROW = source_row(SOURCE_ID)  # lib/sources.py: the registry curation writes to sources.csv
METRIC_ROWS = [
    dict(metric_id=f"aa_intelligence_v{v}", name=f"AA Intelligence Index v{v}", unit="index points",
         higher_is_better=True, min_value=0, max_value=100, scale="points", drifts=False, version=str(v),
         description=f"Artificial Analysis Intelligence Index, version {v}.x (values of different versions are "
                     "not comparable)", source_id=SOURCE_ID)
    for v in (2, 3, 4)
]
KNOWN_MAJOR = {2, 3, 4}
# Evaluation keys that first appeared with an index version (legacy payloads do not state the version).
V4_KEYS = ("gdpval", "gdpval_aa", "omniscience", "aa_omniscience")
V3_KEYS = ("terminalbench_hard", "tau2", "ifbench", "lcr", "aime_25")


# Trailing qualifiers of AA display names that are a reasoning effort or a host, not another model:
# "GPT-5 nano (minimal)", "o3-mini (high)", "Claude 4 Sonnet (Reasoning)", "Llama 3.1 405B (Vertex)".
QUALIFIER = re.compile(r"\s*\((max|xhigh|high|medium|low|minimal|reasoning|non-reasoning|thinking|"
                       r"non-reasoning, \w+|reasoning, \w+|vertex|ai studio|bedrock)\)$", re.I)
# Ids are resolved from the display name (qualifiers stripped), not the slug: AA's slugs drop the dots of
# versions and fold the effort in ("glm-4-5v", "o3-mini-high"); the name keeps them apart ("GLM-4.5V").
RESOLVE_BY_NAME = True


def display_key(name: str) -> str:
    """An AA display name without its effort or host qualifiers: the text model ids are resolved from (curation's
    scrape tables and live ingest alike)."""
    c = str(name).strip()
    while QUALIFIER.search(c):
        c = QUALIFIER.sub("", c)
    return c


class MissingKey(DataError):
    """No AA_API_KEY: the source cannot run (in `ingest all` it is reported and skipped)."""


def secrets_file_key(name: str = "AA_API_KEY") -> str:
    """`name` from Streamlit's secrets files (the project's `.streamlit/secrets.toml`, then the user's), read as
    TOML without importing Streamlit; "" when neither has it or a file is unreadable."""
    import tomllib


    for path in (PROJECT_DIR / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"):
        try:
            with open(path, "rb") as fh:
                value = tomllib.load(fh).get(name)
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if value:
            return str(value).strip()
    return ""


def api_key(secret: Callable[[str], str] | None = None) -> str:
    """The key from AA_API_KEY, else from `secret(name)` (the UI layer may pass one reading st.secrets), else
    from the secrets file."""
    key = os.environ.get("AA_API_KEY", "").strip()
    if not key:
        key = (secret or secrets_file_key)("AA_API_KEY").strip()
    if not key:
        raise MissingKey("artificial_analysis: no API key; set AA_API_KEY in the environment or in "
                         ".streamlit/secrets.toml")
    return key


def fetch(session=None, endpoint: str = "free") -> list[common.Payload]:
    key = api_key()
    session = session or http.make_session()
    headers = {"x-api-key": key, "Accept": "application/json"}
    if endpoint == "legacy":
        return [http.get("artificial_analysis", LEGACY_URL, session=session, headers=headers,
                         max_bytes=MAX_BYTES, secrets=[key])]
    pages = []
    for page in range(1, MAX_PAGES + 1):
        p = http.get("artificial_analysis", FREE_URL, session=session, headers=headers, params={"page": page},
                     max_bytes=MAX_BYTES, secrets=[key])
        pages.append(p)
        doc = common.load_json(p.body, "artificial_analysis")
        pagination = doc.get("pagination") if isinstance(doc, dict) else None
        if not isinstance(pagination, dict) or not pagination.get("has_more"):
            break
    else:
        raise DataError(f"artificial_analysis: field 'pagination.has_more' still true after {MAX_PAGES} pages")
    return pages


def _version(doc: dict) -> tuple[int, str]:
    """(major, version text) of the intelligence index this payload's scores were computed under."""
    raw = doc.get("intelligence_index_version")
    if raw is not None:
        try:
            major = int(float(raw))
        except (TypeError, ValueError):
            raise DataError(f"artificial_analysis: field 'intelligence_index_version' is not a number: {raw!r}") from None
        if major not in KNOWN_MAJOR:
            raise DataError(f"artificial_analysis: field 'intelligence_index_version' {raw!r} is a version this "
                            f"importer does not know (known: {sorted(KNOWN_MAJOR)}); add a metric for it first")
        return major, str(raw)
    keys = set()
    for row in doc.get("data") or []:
        if isinstance(row, dict) and isinstance(row.get("evaluations"), dict):
            keys |= set(row["evaluations"])
    if keys & set(V4_KEYS):
        return 4, "4 (inferred from evaluation keys)"
    if keys & set(V3_KEYS):
        return 3, "3 (inferred from evaluation keys)"
    return 2, "2 (inferred from evaluation keys)"


@dataclasses.dataclass(frozen=True)
class Listing:
    """One model row of an API page as every path reads it: prices in USD per 1M tokens, the intelligence index,
    and the measured cost of running the index (USD per task and in total), where AA states them."""

    slug: str
    name: str
    creator: str | None
    index: float | None
    input_usd_per_mtok: float | None
    output_usd_per_mtok: float | None
    cache_read_usd_per_mtok: float | None
    release_date: str | None
    cost_per_task: float | None
    cost_total: float | None


def _cost(value, field: str) -> float | None:
    try:
        return common.price(value, field, per_token=False) or None  # 0 is "not measured", never a cost
    except RowError:
        return None  # a cost is an extra: an unreadable one drops the cost, not the row


def read_row(row, seen: set) -> Listing:
    """One `data[]` row -> a Listing; RowError (field, reason) for a row no path can use. The one reader of the
    format: live ingest (`parse`) and curation (lib.curate.task_costs, the recorded API page) both call it."""
    slug = common.first_occurrence(common.require_object(row, "data[]").get("slug"), "slug", seen)
    try:
        name = common.text(row.get("name"), "name")
        creator = row.get("model_creator") if isinstance(row.get("model_creator"), dict) else {}
        evaluations = row.get("evaluations")
        if evaluations is None:
            raise RowError("evaluations", "missing")
        if not isinstance(evaluations, dict):
            raise RowError("evaluations", f"expected an object, got {type(evaluations).__name__}")
        index = common.number(evaluations.get("artificial_analysis_intelligence_index"),
                              "evaluations.artificial_analysis_intelligence_index", lo=0, hi=100)
        pricing = row.get("pricing") if isinstance(row.get("pricing"), dict) else {}
        inp = common.price(pricing.get("price_1m_input_tokens"), "pricing.price_1m_input_tokens", per_token=False)
        out = common.price(pricing.get("price_1m_output_tokens"), "pricing.price_1m_output_tokens", per_token=False)
        cache = common.price(pricing.get("price_1m_cache_hit_tokens"), "pricing.price_1m_cache_hit_tokens",
                             per_token=False)
        release = common.iso_date(row.get("release_date"), "release_date")
    except RowError as exc:
        exc.external_id = slug
        raise
    cost = row.get("artificial_analysis_intelligence_index_cost")
    cost = cost if isinstance(cost, dict) else {}
    per_task = cost.get("cost_per_task") if isinstance(cost.get("cost_per_task"), dict) else {}
    vendor = creator.get("slug") or creator.get("name")
    return Listing(slug=slug, name=str(name), creator=str(vendor) if vendor else None, index=index,
                   input_usd_per_mtok=inp, output_usd_per_mtok=out, cache_read_usd_per_mtok=cache,
                   release_date=release, cost_per_task=_cost(per_task.get("total_cost"), "cost_per_task.total_cost"),
                   cost_total=_cost(cost.get("total_cost"), "artificial_analysis_intelligence_index_cost.total_cost"))


def parse(payload: bytes, retrieved_at: dt.datetime | None = None) -> ParseResult:
    doc = common.load_json(payload, "artificial_analysis")
    if not isinstance(doc, dict):
        raise DataError(f"artificial_analysis: expected a JSON object, got a {type(doc).__name__}")
    if "data" not in doc:
        raise DataError(f"artificial_analysis: field 'data' missing at the top level (keys: {sorted(doc)[:6]}); "
                        "schema drift?")
    rows = doc["data"]
    if not isinstance(rows, list):
        raise DataError(f"artificial_analysis: field 'data' is a {type(rows).__name__}, expected a list")
    common.check_row_count("artificial_analysis", rows, MAX_ROWS)
    major, version = _version(doc)
    metric = f"aa_intelligence_v{major}"
    models, prices, scores, skipped, seen, hints = [], [], [], [], set(), {}
    for i, row in enumerate(rows):
        try:
            r = read_row(row, seen)
        except RowError as exc:
            skipped.append(Skipped(exc.external_id or f"#{i}", exc.field, exc.reason))
            continue
        ext_id = r.slug
        ref = f"{BASE}/models/{ext_id}"
        if r.creator:
            hints[ext_id] = r.creator
        models.append(dict(external_id=ext_id, vendor=None, name=r.name, release_date=r.release_date,
                           status="unreviewed", source_id=SOURCE_ID, source_ref=ref))
        if r.index is not None:
            scores.append(dict(external_id=ext_id, metric_id=metric, value=r.index, metric_version=version,
                               source_ref=ref))
        if r.input_usd_per_mtok is not None or r.output_usd_per_mtok is not None:
            prices.append(dict(external_id=ext_id, provider="artificial_analysis", first_party=False,
                               tier="standard", input_usd_per_mtok=r.input_usd_per_mtok,
                               output_usd_per_mtok=r.output_usd_per_mtok, cache_read_usd_per_mtok=r.cache_read_usd_per_mtok,
                               source_ref=ref, note="AA's reference price (median across providers)"))
    common.check_drift("artificial_analysis", len(rows), skipped, len(models))
    return common.result(SOURCE_ID, models, prices, scores, skipped, len(rows), hints)
