"""Synthetic stores for the scale benchmark and the replay test: the project's own schema and write path
(`lib.store.write_new`), filled with generated rows. Never real data: every id starts with `synth`.

Shape at scale N price intervals: 5,000 models of 500 vendors (a few large vendors, a long tail), released over
ten years (2016-01-01 → 2025-12-31), priced by 6 sources (2 vendor-effective first-party lists, 1 first-party
observed listing, 3 resellers) with N intervals in all, about 1 in 20 closed by an explicit end (a gap), about 1 in
17 a long-context tier; 3 metrics (one drifting leaderboard scored every quarter) and 250 teacher → student pairs.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from lib import schema, store

START = dt.date(2016, 1, 1)
END = dt.date(2025, 12, 31)
MODELS = 5_000
VENDORS = 500
SOURCES = 6
RELEASE_SPREAD_DAYS = 3_000  # the newest model still has ~650 days of price changes before END

_SOURCES_SQL = """
INSERT INTO sources (source_id, name, home_url, licence, attribution, priority) VALUES
 ('synth-a', 'Synthetic vendor price list A', NULL, 'synthetic', 'synthetic benchmark data', 10),
 ('synth-b', 'Synthetic vendor price list B', NULL, 'synthetic', 'synthetic benchmark data', 20),
 ('synth-c', 'Synthetic first-party listing', NULL, 'synthetic', 'synthetic benchmark data', 30),
 ('synth-d', 'Synthetic reseller D', NULL, 'synthetic', 'synthetic benchmark data', 40),
 ('synth-e', 'Synthetic reseller E', NULL, 'synthetic', 'synthetic benchmark data', 50),
 ('synth-f', 'Synthetic reseller F', NULL, 'synthetic', 'synthetic benchmark data', 60)
"""

# Vendor of model m: floor(500·(m/5000)²), so vendor 0 has ~220 models and the last ones ~5.
_MODELS_SQL = f"""
INSERT INTO models (model_id, vendor, family, name, release_date, open_weights, context_window, parameters_b,
                    deprecation_date, status, source_id, source_ref)
SELECT printf('synth-v%03d/m%04d', v, m), printf('synth-v%03d', v), printf('fam%03d', m // 10),
       printf('Synth model %04d', m), rel, m % 3 = 0, (1 + m % 8) * 16000, NULL,
       CASE WHEN m % 10 = 0 AND rel + INTERVAL 900 DAY < DATE '{END}' THEN CAST(rel + INTERVAL 900 DAY AS DATE) END,
       CASE WHEN m % 2 = 0 THEN 'reviewed' ELSE 'unreviewed' END, 'synth-a', 'synthetic'
FROM (SELECT m, CAST(floor($V * pow(m / $M, 2)) AS INTEGER) AS v,
             CAST(DATE '{START}' + INTERVAL (hash(m, 'rel') % {RELEASE_SPREAD_DAYS}) DAY AS DATE) AS rel
      FROM range($M) t(m))
"""

# Interval i belongs to series s = i mod S (S = min(N, 30,000) series: model × source), as its j-th interval
# (j = i div S); a series has n = ceil((N - s) / S) intervals spread evenly from the model's release to END.
_PRICES_SQL = f"""
INSERT INTO prices (model_id, provider, first_party, tier, min_prompt_tokens, effective_from, effective_to,
                    input_usd_per_mtok, output_usd_per_mtok, cache_read_usd_per_mtok, date_kind, source_id,
                    snapshot_id, source_ref, note)
WITH p AS (
    SELECT i, i % $S AS s, i // $S AS j, ($N - 1 - i % $S) // $S + 1 AS n FROM range($N) t(i)
), q AS (
    SELECT p.*, s % $M AS m, s // $M AS src, mo.model_id, mo.vendor, mo.release_date AS rel
    FROM p JOIN (SELECT model_id, vendor, release_date,
                        CAST(split_part(model_id, '/m', 2) AS INTEGER) AS m FROM models) mo
      ON mo.m = p.s % $M
), r AS (
    SELECT q.*, date_diff('day', rel, DATE '{END}') AS span,
           CAST(rel + INTERVAL (j * date_diff('day', rel, DATE '{END}') // n + src) DAY AS DATE) AS f
    FROM q
)
SELECT model_id,
       CASE WHEN src < 3 THEN vendor ELSE printf('reseller-%d', src) END,
       src < 3,
       CASE WHEN i % 17 = 16 THEN 'long-context' ELSE 'standard' END,
       CASE WHEN i % 17 = 16 THEN 200000 END,  -- a long-context tier bills prompts over 200k tokens
       f,
       CASE WHEN i % 20 = 19 THEN CAST(f + INTERVAL (greatest(1, span // n // 2)) DAY AS DATE) END,
       round(pow(10, (hash(m, 'price') % 3000) / 1000.0 - 1.5) * pow(0.7, j * 10.0 / greatest(n, 1))
             * (1 + 0.05 * src), 4),
       round(4 * pow(10, (hash(m, 'price') % 3000) / 1000.0 - 1.5) * pow(0.7, j * 10.0 / greatest(n, 1))
             * (1 + 0.05 * src), 4),
       CASE WHEN src = 0 THEN round(0.1 * pow(10, (hash(m, 'price') % 3000) / 1000.0 - 1.5), 4) END,
       CASE WHEN src < 2 THEN 'effective' ELSE 'observed' END,
       'synth-' || chr(97 + CAST(src AS INTEGER)), NULL, 'synthetic', NULL
FROM r
"""

_METRICS_SQL = """
INSERT INTO metrics (metric_id, name, unit, higher_is_better, min_value, max_value, scale, drifts, version,
                     description, source_id) VALUES
 ('synth_index', 'Synthetic index', '%', true, 0, 100, 'percent', false, NULL, 'synthetic benchmark metric', 'synth-a'),
 ('synth_bench', 'Synthetic benchmark', '%', true, 0, 100, 'percent', false, NULL, 'synthetic benchmark metric', 'synth-a'),
 ('synth_arena', 'Synthetic arena rating', 'Elo-like', true, 0, 3000, 'points', true, NULL, 'synthetic drifting rating', 'synth-a')
"""

# Quality rises with release date; a model's arena rating is re-observed every quarter after release.
_SCORES_SQL = f"""
INSERT INTO scores (model_id, metric_id, value, observed_date, metric_version, source_id, snapshot_id, source_ref)
SELECT model_id, metric_id, value, observed_date, NULL, 'synth-a', NULL, 'synthetic' FROM (
    SELECT model_id, 'synth_index' AS metric_id,
           round(20 + 60 * date_diff('day', DATE '{START}', release_date) / {RELEASE_SPREAD_DAYS}
                 + (hash(model_id, 'q') % 200) / 10.0 - 10, 2) AS value, release_date AS observed_date
    FROM models
    UNION ALL
    SELECT model_id, 'synth_bench', round(10 + (hash(model_id, 'b') % 800) / 10.0, 2), release_date
    FROM models WHERE hash(model_id, 'b') % 3 <> 0
    UNION ALL
    SELECT model_id, 'synth_arena',
           round(900 + 400 * date_diff('day', DATE '{START}', release_date) / {RELEASE_SPREAD_DAYS}
                 + (hash(model_id, 'a') % 100) - k * 3, 1),
           CAST(release_date + INTERVAL (k * 91) DAY AS DATE)
    FROM models, range(0, 40) t(k)
    WHERE release_date + INTERVAL (k * 91) DAY <= DATE '{END}' AND hash(model_id, 'arena') % 4 = 0
)
"""

_LINEAGE_SQL = """
INSERT INTO lineage (parent_id, child_id, relation, era, evidence, evidence_url)
SELECT printf('synth-v%03d/m%04d', CAST(floor($V * pow(p / $M, 2)) AS INTEGER), p),
       printf('synth-v%03d/m%04d', CAST(floor($V * pow((p + 1) / $M, 2)) AS INTEGER), p + 1),
       'distilled', 'synthetic', 'synthetic pair', NULL
FROM range(0, $M - 1, 20) t(p)
"""


def fill(con, intervals: int, models: int = MODELS, vendors: int = VENDORS) -> None:
    """Insert a synthetic market with `intervals` price rows into an empty schema."""
    con.execute("SET enable_progress_bar = false")
    size = {"M": int(models), "V": int(vendors)}
    con.execute(_SOURCES_SQL)
    con.execute(_MODELS_SQL, size)
    con.execute(_PRICES_SQL, {"M": size["M"], "N": int(intervals), "S": min(int(intervals), size["M"] * SOURCES)})
    con.execute(_METRICS_SQL)
    con.execute(_SCORES_SQL)
    con.execute(_LINEAGE_SQL, size)  # the models SQL and this one take both sizes


def version(intervals: int, models: int = MODELS, vendors: int = VENDORS) -> str:
    """The data version a synthetic store carries: its shape and the schema it was built with (a store built by
    older code is rebuilt by the benchmark, not reused)."""
    return f"synthetic-{intervals}-{models}-{vendors}-schema{schema.SCHEMA_VERSION}"


def build_store(path: Path, intervals: int, models: int = MODELS, vendors: int = VENDORS) -> dict:
    """Write a synthetic store of `intervals` price rows to `path` through the project's write path."""
    return store.write_new(Path(path), lambda con: fill(con, intervals, models, vendors),
                           version=version(intervals, models, vendors))


# --- pandas references -------------------------------------------------------------------------------------------

SERIES = ["model_id", "source_id", "provider"]


def pandas_prices_as_of(prices, priorities: dict, day) -> "pd.DataFrame":  # noqa: F821 - pandas imported inside
    """The headline price per model at `day` from the clean `prices` rows, in plain pandas and independent of the
    store's derived tables: an interval ends at its explicit end, else at the next start of its model, source,
    provider and tier; among those covering `day` the winner is the store's precedence (vendor-effective first,
    first party, source priority, newest start, cheapest input)."""
    import pandas as pd

    day = pd.Timestamp(day)
    p = prices.loc[prices["tier"] == "standard"].sort_values([*SERIES, "effective_from"])
    p = p.assign(effective_from=pd.to_datetime(p["effective_from"]), effective_to=pd.to_datetime(p["effective_to"]))
    ends = p["effective_to"].fillna(p.groupby(SERIES)["effective_from"].shift(-1))
    cover = p.loc[(p["effective_from"] <= day) & (ends.isna() | (ends > day))]
    return _by_precedence(cover, priorities)


def _by_precedence(cover, priorities: dict):
    ranked = cover.assign(_eff=cover["date_kind"] == "effective", _prio=cover["source_id"].map(priorities))
    ranked = ranked.sort_values(["model_id", "_eff", "first_party", "_prio", "effective_from", "input_usd_per_mtok"],
                                ascending=[True, False, False, True, False, True], na_position="last", kind="stable")
    return ranked.drop_duplicates("model_id")[["model_id", "input_usd_per_mtok", "output_usd_per_mtok", "source_id",
                                               "effective_from"]].reset_index(drop=True)


def pandas_merge_asof(intervals, day):
    """The same answer with `pandas.merge_asof` over the stored intervals (the benchmark's baseline): the newest
    interval of each model/source/provider starting by `day`, kept if it has not ended, then the precedence."""
    import pandas as pd

    keys = intervals[SERIES].drop_duplicates()
    keys["as_of"] = pd.Series(pd.Timestamp(day), index=keys.index).astype(intervals["effective_from"].dtype)
    hit = pd.merge_asof(keys.sort_values("as_of"), intervals, left_on="as_of", right_on="effective_from", by=SERIES,
                        direction="backward")
    hit = hit.loc[hit["effective_from"].notna() & (hit["effective_to_resolved"].isna()
                                                   | (hit["effective_to_resolved"] > hit["as_of"]))]
    return _by_precedence(hit, dict(zip(hit["source_id"], hit["source_priority"])))
