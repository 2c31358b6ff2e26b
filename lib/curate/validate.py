"""Pandera schemas for the seed CSVs and the cross-table checks (ids resolve, scores in range, no overlaps).

`validate_seed(dir)` raises `lib.errors.DataError` listing every failure; it returns the loaded tables.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.pandas import Check, Column, DataFrameSchema

from lib.errors import DataError

DATE = r"^\d{4}-\d{2}-\d{2}$"
BOOL = ["true", "false"]
_ref = Column(str, Check.str_length(min_value=3), nullable=False)


def _date(nullable=False):
    return Column(str, Check.str_matches(DATE), nullable=nullable)


SCHEMAS = {
    "sources": DataFrameSchema({"source_id": Column(str, unique=True), "name": Column(str), "home_url": Column(str),
                                "licence": Column(str), "attribution": Column(str), "priority": Column(int)},
                               strict=True),
    "raw_files": DataFrameSchema({"snapshot_id": Column(str, unique=True), "source_id": Column(str),
                                  "raw_path": Column(str), "sha256": Column(str, Check.str_matches(r"^[0-9a-f]{64}$")),
                                  "retrieved_at": Column(str, nullable=True), "upstream_commit": Column(str, nullable=True),
                                  "rows": Column(int, Check.ge(0))}, strict=True),
    "models": DataFrameSchema({
        "model_id": Column(str, [Check.str_matches(r"^[a-z0-9][a-z0-9._-]*/[^/\s]+$")], unique=True),
        "vendor": Column(str), "family": Column(str, nullable=True), "name": Column(str),
        "release_date": _date(True), "open_weights": Column(str, Check.isin(BOOL), nullable=True),
        "context_window": Column(float, Check.gt(0), nullable=True, coerce=True),
        "parameters_b": Column(float, nullable=True, coerce=True), "deprecation_date": _date(True),
        "status": Column(str, Check.isin(["reviewed", "unreviewed"])), "source_id": Column(str), "source_ref": _ref,
        "release_date_kind": Column(str, Check.isin(["announced", "api-available", "first-seen"]), nullable=True,
                                    required=False),
    }, strict=True),
    "aliases": DataFrameSchema({"source_id": Column(str), "external_id": Column(str), "model_id": Column(str),
                                "variant": Column(str, nullable=True, required=False),
                                "rule": Column(str, Check.isin(["by hand", "alias list", "normaliser", "dated alias"]),
                                               nullable=True, required=False)},
                               unique=["source_id", "external_id"], strict=True),
    "prices": DataFrameSchema({
        "model_id": Column(str), "provider": Column(str), "first_party": Column(str, Check.isin(BOOL)),
        "tier": Column(str, Check.isin(["standard", "long-context"])),
        "min_prompt_tokens": Column(float, Check.gt(0), nullable=True, required=False, coerce=True),
        "effective_from": _date(),
        "effective_to": _date(True),
        "input_usd_per_mtok": Column(float, [Check.ge(0), Check(lambda s: pd.Series(s).map(pd.notna) & (s < 1e4))]),
        "output_usd_per_mtok": Column(float, [Check.ge(0), Check(lambda s: s < 1e4)]),
        "cache_read_usd_per_mtok": Column(float, Check.ge(0), nullable=True),
        "date_kind": Column(str, Check.isin(["effective", "observed"])), "source_id": Column(str),
        "snapshot_id": Column(str), "source_ref": _ref, "note": Column(str, nullable=True),
    }, checks=[Check(lambda d: d["effective_to"].isna() | (d["effective_to"] > d["effective_from"]),
                     error="effective_to must be after effective_from")], strict=True),
    "metrics": DataFrameSchema({
        "metric_id": Column(str, unique=True), "name": Column(str), "unit": Column(str),
        "higher_is_better": Column(str, Check.isin(BOOL)), "min_value": Column(float, coerce=True), "max_value": Column(float, coerce=True),
        "scale": Column(str, Check.isin(["percent", "points"])), "drifts": Column(str, Check.isin(BOOL)),
        "version": Column(str), "description": Column(str), "source_id": Column(str)}, strict=True),
    "scores": DataFrameSchema({
        "model_id": Column(str), "variant": Column(str, nullable=True, required=False), "metric_id": Column(str),
        "value": Column(float), "observed_date": _date(), "metric_version": Column(str, nullable=True),
        "source_id": Column(str), "snapshot_id": Column(str), "source_ref": _ref},
        unique=["model_id", "variant", "metric_id", "observed_date", "source_id"], strict=True),
    "lineage": DataFrameSchema({
        "parent_id": Column(str), "child_id": Column(str), "relation": Column(str, Check.isin(["distilled", "successor"])),
        "era": Column(str, nullable=True), "evidence": Column(str, Check.str_length(min_value=10)),
        "evidence_url": Column(str, Check.str_matches(r"^https?://"))}, strict=True),
    "lifecycle": DataFrameSchema({
        "model_id": Column(str), "event": Column(str, Check.isin(["released", "retired", "delisted"])),
        "date": _date(), "date_kind": Column(str, Check.isin(["announced", "api-available", "first-seen", "shutdown",
                                                              "scheduled", "observed"])),
        "provider": Column(str, nullable=True), "scope": Column(str, Check.isin(["vendor", "host"])),
        "source_id": Column(str), "source_ref": _ref, "note": Column(str, nullable=True)}, strict=True),
    "alias_moves": DataFrameSchema({
        "alias": Column(str), "model_id": Column(str), "valid_from": _date(), "valid_to": _date(nullable=True),
        "source_ref": Column(str, Check.str_matches(r"^https?://")), "note": Column(str, nullable=True)},
        strict=True),
    "fees": DataFrameSchema({
        "model_id": Column(str), "provider": Column(str),
        "fee_kind": Column(str, Check.isin(["per_request", "per_search", "per_image"])),
        "usd": Column(float, Check.ge(0), coerce=True), "effective_from": _date(), "effective_to": _date(True),
        "source_id": Column(str), "snapshot_id": Column(str), "source_ref": _ref,
        "note": Column(str, nullable=True)}, strict=True),
}
OPTIONAL = {"lifecycle", "fees", "alias_moves"}
ADDED_COLUMNS = {"scores": ("variant",), "aliases": ("variant", "rule"), "models": ("release_date_kind",)}


def load_seed(seed_dir: Path) -> dict[str, pd.DataFrame]:
    tables = {}
    for name in SCHEMAS:
        path = Path(seed_dir) / f"{name}.csv"
        if name in OPTIONAL and not path.exists():
            import io
            header = ",".join(SCHEMAS[name].columns) + "\n"
            tables[name] = pd.read_csv(io.StringIO(header), dtype=str).astype(object)
            continue
        tables[name] = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""]).astype(object)
        for col in ADDED_COLUMNS.get(name, ()):  # a seed written before these columns existed
            if col not in tables[name].columns:
                tables[name][col] = None
    for name, cols in (("prices", ["input_usd_per_mtok", "output_usd_per_mtok", "cache_read_usd_per_mtok"]),
                       ("scores", ["value"]), ("metrics", ["min_value", "max_value"])):
        for c in cols:
            tables[name][c] = pd.to_numeric(tables[name][c])
    for name, col in (("sources", "priority"), ("raw_files", "rows")):
        tables[name][col] = tables[name][col].astype(int)
    for t in tables.values():
        for c in t.columns:
            if t[c].dtype == object:
                t[c] = t[c].where(t[c].notna(), None)
    return tables


def _overlaps(prices: pd.DataFrame) -> list[str]:
    bad = []
    for key, g in prices.groupby(["model_id", "source_id", "provider", "tier"], sort=True):
        g = g.sort_values("effective_from")
        starts = g["effective_from"].tolist()
        ends = g["effective_to"].tolist()
        for i in range(len(starts) - 1):
            if starts[i + 1] == starts[i] or (ends[i] is not None and ends[i] > starts[i + 1]):
                bad.append(f"{key}: {starts[i]}..{ends[i]} overlaps {starts[i + 1]}")
    return bad


def newest_retrieval(tables: dict) -> str:
    """The newest retrieval date of any raw file used: no observation can be dated after it."""
    return max(d for d in tables["raw_files"]["retrieved_at"] if d)


def _future_dates(tables: dict) -> list[str]:
    """After the newest retrieval only a vendor-announced, scheduled effective price may start (noted as such)."""
    newest = newest_retrieval(tables)
    p = tables["prices"]
    late = p[p["effective_from"] > newest]
    bad = late[(late["date_kind"] != "effective") | ~late["note"].fillna("").str.contains("scheduled")]
    errs = [f"prices: {r.model_id} ({r.source_id}) starts {r.effective_from}, after the newest raw retrieval "
            f"{newest}, and is not a scheduled effective price" for r in bad.head(20).itertuples()]
    s = tables["scores"]
    errs += [f"scores: {r.model_id} {r.metric_id} dated {r.observed_date}, after the newest raw retrieval {newest}"
             for r in s[s["observed_date"] > newest].head(20).itertuples()]
    m = tables["models"]
    errs += [f"models: {r.model_id} released {r.release_date}, after the newest raw retrieval {newest}"
             for r in m[m["release_date"].fillna("") > newest].head(20).itertuples()]
    return errs


def validate_seed(seed_dir: Path) -> dict[str, pd.DataFrame]:
    """Validate every table and the links between them; raise DataError with all problems found."""
    tables = load_seed(seed_dir)
    errors: list[str] = []
    for name, schema in SCHEMAS.items():
        try:
            schema.validate(tables[name], lazy=True)
        except pa.errors.SchemaErrors as exc:
            fc = exc.failure_cases
            errors += [f"{name}: {r.check} failed on {r.column}={r.failure_case!r}" for r in fc.head(20).itertuples()]
    models = set(tables["models"]["model_id"])
    sources = set(tables["sources"]["source_id"])
    snaps = set(tables["raw_files"]["snapshot_id"])
    metrics = tables["metrics"].set_index("metric_id")

    def missing(name, col, allowed):
        vals = sorted(set(tables[name][col].dropna()) - allowed)
        if vals:
            errors.append(f"{name}.{col} not resolved: {vals[:10]}{' ...' if len(vals) > 10 else ''}")
    for name in ("prices", "scores", "aliases", "lifecycle", "alias_moves"):
        missing(name, "model_id", models)
    missing("lineage", "parent_id", models)
    missing("lineage", "child_id", models)
    for name in ("prices", "scores", "models", "metrics", "raw_files", "aliases", "lifecycle"):
        missing(name, "source_id", sources)
    for name in ("prices", "scores"):
        missing(name, "snapshot_id", snaps)
    missing("scores", "metric_id", set(metrics.index))
    sc = tables["scores"].join(metrics[["min_value", "max_value"]], on="metric_id")
    out = sc[(sc["value"] < sc["min_value"]) | (sc["value"] > sc["max_value"])]
    errors += [f"scores: {r.model_id} {r.metric_id}={r.value} outside [{r.min_value}, {r.max_value}]"
               for r in out.head(20).itertuples()]
    errors += [f"prices: overlapping intervals {b}" for b in _overlaps(tables["prices"])[:20]]
    errors += _future_dates(tables)
    if errors:
        raise DataError(f"seed in {seed_dir} failed validation ({len(errors)} problems):\n  " + "\n  ".join(errors))
    return tables
