"""Every SQL query that reads the store, parameterised with `?`, returning pandas DataFrames.

As-of semantics live here (over the derived `price_intervals` table, see lib/schema.py), so pages, CLI and
analytics agree.
"""
from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections import OrderedDict
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.schema import VARIANT_PRECEDENCE  # which score stands for a model with several

PRICE_COLUMNS = """
    pi.input_usd_per_mtok, pi.output_usd_per_mtok, pi.cache_read_usd_per_mtok,
    pi.date_kind AS price_date_kind, pi.effective_from AS price_effective_from,
    pi.effective_to_resolved AS price_effective_to, pi.provider AS price_provider,
    pi.first_party AS price_first_party, pi.source_id AS price_source_id, pi.source_ref AS price_source_ref"""

MARKET_COLUMNS = """
    a.model_id, a.vendor, a.family, a.name, a.release_date, a.open_weights, a.context_window, a.parameters_b,
    a.status,
    p.input_usd_per_mtok, p.output_usd_per_mtok, p.cache_read_usd_per_mtok, p.price_date_kind,
    p.price_effective_from, p.price_effective_to, p.price_provider, p.price_first_party, p.price_source_id,
    p.price_source_ref,
    q.quality, q.quality_observed_date, q.quality_source_id, q.quality_source_ref, q.quality_variant"""


# The headline price and the metric's score on a date are read from the derived timelines `headline_spans` and
# `quality_spans` (lib/schema.py): the span covering the date, at most one per model, no aggregate at read time.
SPAN_PRICE_COLUMNS = """
    h.input_usd_per_mtok, h.output_usd_per_mtok, h.cache_read_usd_per_mtok,
    h.date_kind AS price_date_kind, h.effective_from AS price_effective_from,
    h.effective_to_resolved AS price_effective_to, h.provider AS price_provider,
    h.first_party AS price_first_party, h.source_id AS price_source_id, h.source_ref AS price_source_ref"""

QUALITY_COLUMNS = "quality, quality_observed_date, quality_source_id, quality_source_ref, quality_variant"

# The market on one date, read as three small parts matched on `model_key` in Arrow: the models (5,000 rows at
# scale, whose columns cost more to plan, join, sort and fetch than the rest: kept per read-only store file, see
# `_market_models`), the headline span covering the date and the metric's score span covering it. The date is a
# constant, so `valid_from <= D < valid_to` is pushed into the scans of the sorted span tables (zone maps skip the
# row groups that ended before D or start after it); at most one span per model survives.
MARKET_MODELS = """
SELECT mk.model_key, m.model_id, m.vendor, m.family, m.name, m.release_date, m.open_weights, m.context_window,
       m.parameters_b, m.status, COALESCE(m.release_date, mk.first_price_date) AS _born, m.deprecation_date AS _gone
FROM models m JOIN model_keys mk USING (model_id)
ORDER BY mk.model_key  -- vendor, release date, id
"""

PRICE_NOW = f"""
SELECT h.model_key, {SPAN_PRICE_COLUMNS}
FROM headline_spans h WHERE h.valid_from <= $as_of AND h.valid_to > $as_of
"""

QUALITY_NOW = f"""
SELECT model_key, {QUALITY_COLUMNS} FROM quality_spans
WHERE metric_id = $metric AND valid_from <= $as_of AND valid_to > $as_of
"""

# Which file a connection reads, and whether it can change under it: a read-only connection to a store file never
# sees its rows change (every writer writes a new file with a new id and swaps it in).
READ_ONLY_FILE_ID = """
SELECT (SELECT value FROM meta WHERE key = 'file_id'), current_setting('access_mode') = 'read_only'
"""

# The market on each of a list of dates, in one statement: the frames of a replay. No dates × spans range join
# (DuckDB runs it as a nested loop): each headline span and each score span is mapped to the run of dates it
# covers, k in [lo_k, hi_k), by two ASOF joins against the short sorted date list (the first date on or after its
# start, the first on or after its end), and unnested; a model's spans never overlap, so there is no aggregate.
# Rows are keyed by integers (k, model_key) until the end, where the models' own columns are joined once.
SNAPSHOTS_AS_OF = f"""
WITH dates AS (
    SELECT as_of, row_number() OVER (ORDER BY as_of) AS k
    FROM (SELECT DISTINCT unnest($dates::DATE[]) AS as_of)
),
n_dates AS (SELECT count(*) AS n FROM dates),
price_runs AS (
    SELECT s.model_key, s.valid_from, s.lo_k, COALESCE(d.k, (SELECT n FROM n_dates) + 1) AS hi_k
    FROM (SELECT h.model_key, h.valid_from, h.valid_to, d.k AS lo_k
          FROM headline_spans h ASOF JOIN dates d ON h.valid_from <= d.as_of) s
    ASOF LEFT JOIN dates d ON s.valid_to <= d.as_of
),
price_now AS (
    SELECT r.k, r.model_key, {SPAN_PRICE_COLUMNS}
    FROM (SELECT model_key, valid_from, unnest(range(lo_k, hi_k)) AS k FROM price_runs WHERE hi_k > lo_k) r
    JOIN headline_spans h USING (model_key, valid_from)
),
quality_runs AS (
    SELECT s.*, COALESCE(d.k, (SELECT n FROM n_dates) + 1) AS hi_k
    FROM (SELECT q.model_key, q.valid_from, q.valid_to, d.k AS lo_k
          FROM quality_spans q ASOF JOIN dates d ON q.valid_from <= d.as_of WHERE q.metric_id = $metric) s
    ASOF LEFT JOIN dates d ON s.valid_to <= d.as_of
),
quality_now AS (
    SELECT r.k, r.model_key, {QUALITY_COLUMNS}
    FROM (SELECT model_key, valid_from, unnest(range(lo_k, hi_k)) AS k FROM quality_runs WHERE hi_k > lo_k) r
    JOIN quality_spans q USING (model_key, valid_from)
    WHERE q.metric_id = $metric
),
lifespans AS (
    SELECT mk.model_key, COALESCE(m.release_date, mk.first_price_date) AS born, m.deprecation_date AS gone
    FROM models m JOIN model_keys mk USING (model_id)
    WHERE ($no_vendor_filter OR list_contains($vendors, m.vendor)) AND m.status <> 'queued'
),
alive AS (
    SELECT d.k, l.model_key
    FROM dates d JOIN lifespans l ON l.born <= d.as_of AND (l.gone IS NULL OR l.gone > d.as_of)
)
SELECT x.k AS _k, x.model_key AS _model_key, d.as_of, {MARKET_COLUMNS}
FROM alive x
JOIN dates d USING (k)
JOIN model_keys mk USING (model_key)
JOIN models a USING (model_id)
LEFT JOIN price_now p USING (k, model_key)
LEFT JOIN quality_now q USING (k, model_key)
-- no ORDER BY: sorting the wide rows took a quarter of the statement; the caller sorts on (_k, _model_key)
"""

# The replay's frames: per date, only the models with both a headline price and a score then (a chart draws no
# other), and only the columns a replay frame uses. SQL reads the three small inputs, each already a timeline: the
# models (MARKET_MODELS, with their dates on the market), the headline spans and the metric's score spans
# overlapping the dates;
# `replay_rows` maps each span to the run of dates it covers (a binary search in the sorted dates) and matches
# them by (date, model) in NumPy. At 1M intervals the old way (the two ASOF joins and the join of the 338k
# (date, model) rows to their columns in SQL, see SNAPSHOTS_AS_OF) was 3-4x the CPU.
REPLAY_PRICE_SPANS = """
SELECT model_key, valid_from, valid_to, input_usd_per_mtok, output_usd_per_mtok, cache_read_usd_per_mtok,
       provider AS price_provider, first_party AS price_first_party
FROM headline_spans WHERE valid_to > $first AND valid_from <= $last
"""

REPLAY_QUALITY_SPANS = """
SELECT model_key, valid_from, valid_to, quality, quality_source_id
FROM quality_spans WHERE metric_id = $metric AND valid_to > $first AND valid_from <= $last
"""

# How many models have both a headline price and a score on each metric at a date: picks sensible defaults. Read
# from the timelines (the headline span and the score spans covering the date, at most one per model and metric:
# zone maps skip the spans that ended before it); was a scan of every standard price interval and every score
# (METRIC_COVERAGE_AS_OF_INTERVALS, kept as the reference in the tests): the same rows.
METRIC_COVERAGE_AS_OF = """
WITH priced AS (
    SELECT h.model_key
    FROM headline_spans h JOIN models m ON m.model_id = h.model_id
    WHERE h.valid_from <= $as_of AND h.valid_to > $as_of
      AND (m.release_date IS NULL OR m.release_date <= $as_of)
      AND (m.deprecation_date IS NULL OR m.deprecation_date > $as_of) AND m.status <> 'queued'
),
scored AS (
    SELECT q.metric_id, q.model_key FROM quality_spans q
    WHERE q.valid_from <= $as_of AND q.valid_to > $as_of AND q.model_key IN (SELECT model_key FROM priced)
)
SELECT mt.metric_id, mt.name, mt.drifts, count(DISTINCT s.model_key) AS models
FROM metrics mt LEFT JOIN scored s USING (metric_id)
GROUP BY ALL
ORDER BY models DESC, mt.drifts, mt.metric_id
"""

METRIC_COVERAGE_AS_OF_INTERVALS = """
WITH priced AS (
    SELECT DISTINCT pi.model_id
    FROM price_intervals pi JOIN models m USING (model_id)
    WHERE pi.tier = 'standard' AND pi.effective_from <= $as_of AND pi.valid_to > $as_of
      AND COALESCE(m.release_date, pi.effective_from) <= $as_of
      AND (m.deprecation_date IS NULL OR m.deprecation_date > $as_of) AND m.status <> 'queued'
)
SELECT mt.metric_id, mt.name, mt.drifts, count(DISTINCT sc.model_id) AS models
FROM metrics mt
LEFT JOIN scores sc ON sc.metric_id = mt.metric_id AND (NOT mt.drifts OR sc.observed_date <= $as_of)
                   AND sc.model_id IN (SELECT model_id FROM priced)
GROUP BY ALL
ORDER BY models DESC, mt.drifts, mt.metric_id
"""

# What `metric_coverage_as_of` counts over (kept per store file): the metrics, and every score span's keys.
COVERAGE_METRICS = "SELECT metric_id, name, drifts FROM metrics ORDER BY metric_id"
QUALITY_SPAN_KEYS = "SELECT metric_id, model_key, valid_from, valid_to FROM quality_spans"

# Which models each metric scores (any date): the default metric is the one that scores the headline pairs.
SCORED_MODELS_BY_METRIC = """
SELECT DISTINCT sc.metric_id, sc.model_id
FROM scores sc JOIN models m USING (model_id)
WHERE m.status <> 'queued'
ORDER BY sc.metric_id, sc.model_id
"""

# The headline price of each (model, date) request: the headline span covering the date (at most one per model),
# found through the model's integer key. Was a range join of the requests to every standard interval with a
# window over the candidates (PRICES_AT_INTERVALS, kept as the reference in the tests): the same rows.
PRICES_AT = f"""
SELECT r.req_id, r.model_id, r.at_date, {SPAN_PRICE_COLUMNS}
FROM price_requests r
LEFT JOIN model_keys mk ON mk.model_id = r.model_id
LEFT JOIN headline_spans h
  ON h.model_key = mk.model_key AND h.valid_from <= r.at_date AND h.valid_to > r.at_date
ORDER BY r.req_id
"""

PRICES_AT_INTERVALS = f"""
SELECT r.req_id, r.model_id, r.at_date, {PRICE_COLUMNS}
FROM price_requests r
LEFT JOIN price_intervals pi
  ON pi.model_id = r.model_id AND pi.tier = 'standard'
 AND pi.effective_from <= r.at_date AND pi.valid_to > r.at_date
QUALIFY row_number() OVER (PARTITION BY r.req_id ORDER BY pi.precedence) = 1
ORDER BY r.req_id
"""

PRICE_HISTORY = """
SELECT pi.model_id, pi.provider, pi.first_party, pi.tier, pi.effective_from,
       pi.effective_to_resolved AS effective_to, pi.input_usd_per_mtok, pi.output_usd_per_mtok,
       pi.cache_read_usd_per_mtok, pi.date_kind, pi.source_id, pi.source_priority, pi.snapshot_id,
       pi.source_ref, pi.note
FROM price_intervals pi
WHERE pi.model_id = ?
ORDER BY pi.tier, pi.effective_from, pi.source_priority, pi.provider
"""

# How many rows PRICE_HISTORY gives a model (the Models page reads the rows only when their table is opened: one
# column scanned instead of fifteen, ~160 -> ~45 ms of CPU per model at 10M intervals).
PRICE_ROW_COUNT = "SELECT count(*) FROM price_intervals pi WHERE pi.model_id = ?"
PRICE_ROW_COUNTS = "SELECT model_id, count(*) FROM price_intervals GROUP BY model_id"

# One model's headline price as its timeline (the spans of `headline_spans`: the store's as-of answer on every date,
# one row per run of dates with the same winning interval), read by its integer key.
HEADLINE_HISTORY = """
SELECT h.valid_from, h.valid_to, h.input_usd_per_mtok, h.output_usd_per_mtok, h.date_kind, h.source_id, h.source_ref
FROM headline_spans h
WHERE h.model_key = (SELECT model_key FROM model_keys WHERE model_id = ?)
ORDER BY h.valid_from
"""

SCORES_FOR_MODEL = """
SELECT sc.metric_id, mt.name AS metric_name, mt.unit, mt.scale, sc.variant, sc.value, sc.observed_date,
       sc.metric_version, sc.source_id, sc.source_ref
FROM scores sc JOIN metrics mt USING (metric_id)
WHERE sc.model_id = ?
ORDER BY sc.metric_id, sc.variant, sc.observed_date
"""

# Every score of a metric in the order of VARIANT_PRECEDENCE per model: the first row of a model observed by a date
# is SCORES_FOR_METRIC's answer at that date (`scores_as_of`, many dates in one read).
SCORES_IN_PRECEDENCE = f"""
SELECT sc.model_id, sc.value, sc.observed_date
FROM scores sc
WHERE sc.metric_id = ?
ORDER BY sc.model_id, {VARIANT_PRECEDENCE}
"""

SCORES_FOR_METRIC = f"""
SELECT sc.model_id, sc.value, sc.observed_date, sc.metric_version, sc.source_id, sc.source_ref, sc.variant
FROM scores sc JOIN metrics mt USING (metric_id)
WHERE sc.metric_id = $metric AND ($as_of IS NULL OR NOT mt.drifts OR sc.observed_date <= $as_of)
QUALIFY row_number() OVER (PARTITION BY sc.model_id ORDER BY {VARIANT_PRECEDENCE}) = 1
ORDER BY sc.model_id
"""

METRICS = """
SELECT mt.*, (SELECT count(DISTINCT model_id) FROM scores sc WHERE sc.metric_id = mt.metric_id) AS models
FROM metrics mt ORDER BY mt.metric_id
"""

METRIC = """
SELECT mt.*, (SELECT count(DISTINCT model_id) FROM scores sc WHERE sc.metric_id = mt.metric_id) AS models
FROM metrics mt WHERE mt.metric_id = ?
"""

MODELS = """
SELECT m.*, f.first_price_date
FROM models m LEFT JOIN model_keys f USING (model_id) ORDER BY m.vendor, m.release_date, m.model_id
"""

MODEL_IDS = "SELECT model_id FROM models"
MODEL_NAMES = "SELECT model_id, name FROM models WHERE list_contains(?, model_id)"
MODEL_RELEASE = "SELECT release_date FROM models WHERE model_id = ?"
METRIC_IDS = "SELECT metric_id FROM metrics"
VENDORS = "SELECT DISTINCT vendor FROM models ORDER BY vendor"

ALIASES_FOR_MODEL = "SELECT source_id, external_id FROM aliases WHERE model_id = ? ORDER BY source_id, external_id"
ALIASES = "SELECT source_id, external_id, model_id FROM aliases ORDER BY source_id, external_id"

LINEAGE = """
SELECT l.*, pm.name AS parent_name, cm.name AS child_name, pm.vendor AS parent_vendor,
       cm.vendor AS child_vendor, pm.release_date AS parent_release_date, cm.release_date AS child_release_date
FROM lineage l
JOIN models pm ON pm.model_id = l.parent_id
JOIN models cm ON cm.model_id = l.child_id
ORDER BY l.relation, l.era, cm.release_date, l.parent_id
"""

SOURCES_SUMMARY = """
SELECT s.source_id, s.name, s.home_url, s.licence, s.attribution, s.priority,
       (SELECT count(*) FROM snapshots x WHERE x.source_id = s.source_id) AS snapshots,
       (SELECT max(CAST(x.retrieved_at AS DATE)) FROM snapshots x WHERE x.source_id = s.source_id)
           AS newest_snapshot,
       (SELECT count(*) FROM prices p WHERE p.source_id = s.source_id) AS price_rows,
       (SELECT count(*) FROM scores c WHERE c.source_id = s.source_id) AS score_rows,
       (SELECT count(*) FROM aliases a WHERE a.source_id = s.source_id) AS alias_rows
FROM sources s ORDER BY s.priority, s.source_id
"""

PRICE_CHANGE_DATES = """
SELECT DISTINCT effective_from AS d FROM prices WHERE tier = 'standard'
UNION SELECT DISTINCT release_date FROM models WHERE release_date IS NOT NULL
ORDER BY d
"""

DATE_SPAN = """
SELECT min(d), max(d) FROM (
    SELECT effective_from AS d FROM prices UNION ALL SELECT release_date FROM models
    UNION ALL SELECT observed_date FROM scores)
"""

META = "SELECT key, value FROM meta"


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def snapshots_as_of(con, dates: Iterable, metric_id: str | None = None,
                    vendors: Sequence[str] | None = None) -> pd.DataFrame:
    """For each date: one row per model that exists then, with the price in force and the metric's value."""
    params = {
        "dates": sorted({_date(d) for d in dates}),
        "metric": metric_id or "",
        "vendors": list(vendors or []),
        "no_vendor_filter": not vendors,
    }
    # date, then vendor, release date, id: sorted in Arrow on the two integer keys, which are then dropped
    return _frame(con, SNAPSHOTS_AS_OF, params, sort_by=("_k", "_model_key"))


REPLAY_COLUMNS = ["as_of", "model_id", "vendor", "name", "release_date", "open_weights", "context_window", "status",
                  "input_usd_per_mtok", "output_usd_per_mtok", "cache_read_usd_per_mtok", "price_provider",
                  "price_first_party", "quality", "quality_source_id"]


def replay_rows(con, dates: Iterable, metric_id: str | None = None,
                vendors: Sequence[str] | None = None) -> pd.DataFrame:
    """The rows of `snapshots_as_of` that have both a headline price and a score (the only ones a chart can draw),
    with only `REPLAY_COLUMNS`: the frames of a replay. Same values, same order (date, then vendor, release date,
    id)."""
    days = np.asarray(sorted({_date(d) for d in dates}), dtype="datetime64[D]")
    kept = _market_models(con)
    models = kept.table.filter(pa.array(_eligible(kept, vendors)))
    if not len(days) or not models.num_rows:  # no spans either: an empty frame with the columns
        days, models = np.asarray([], dtype="datetime64[D]"), models.slice(0, 0)
    window = {"first": days[0].item(), "last": days[-1].item()} if len(days) else {"first": dt.date.max,
                                                                                    "last": dt.date.min}
    prices = con.sql(REPLAY_PRICE_SPANS, params=window).to_arrow_table()
    scores = con.sql(REPLAY_QUALITY_SPANS, params={**window, "metric": metric_id or ""}).to_arrow_table()
    keys = models.column("model_key").to_numpy()
    n_keys = max(_max(models, "model_key"), _max(prices, "model_key"), _max(scores, "model_key")) + 1
    # (date index, model) pairs as one integer, date first: sorting on it gives the replay's row order
    p_key, p_row = _date_runs(days, prices, n_keys)
    q_key, q_row = _date_runs(days, scores, n_keys)
    q_order = np.argsort(q_key, kind="stable")
    q_key, q_row = q_key[q_order], q_row[q_order]
    hit = np.minimum(np.searchsorted(q_key, p_key), max(len(q_key) - 1, 0))
    scored = (q_key[hit] == p_key) if len(q_key) else np.zeros(len(p_key), dtype=bool)
    # on the market then: released (or first priced) by the date, not yet retired; a model left out by the
    # filters has no position
    position = np.full(n_keys, -1)
    position[keys] = np.arange(len(keys))
    # a missing date is NaT, which sorts after every date: never born, never retired
    first_k = np.searchsorted(days, models.column("_born").to_numpy(zero_copy_only=False), side="left")
    end_k = np.searchsorted(days, models.column("_gone").to_numpy(zero_copy_only=False), side="left")
    k, at = p_key // n_keys, position[p_key % n_keys]
    keep = scored & (at >= 0)
    keep[keep] &= (first_k[at[keep]] <= k[keep]) & (k[keep] < end_k[at[keep]])
    order = np.flatnonzero(keep)[np.argsort(p_key[keep], kind="stable")]
    # one Arrow table, converted once: the model's, the price's and the score's columns taken by row
    columns = {"as_of": pa.array(days[k[order]])}
    for part, rows in ((models, at[order]), (prices, p_row[order]), (scores, q_row[hit[order]])):
        part = part.take(rows)
        columns.update({c: part.column(c) for c in part.column_names if c in REPLAY_COLUMNS})
    return _frame_of(pa.table({c: columns[c] for c in REPLAY_COLUMNS}))


def _max(tbl: pa.Table, column: str) -> int:
    return int(pc.max(tbl.column(column)).as_py() or 0) if tbl.num_rows else 0


def _date_runs(days: np.ndarray, spans: pa.Table, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """Each span [valid_from, valid_to) mapped to the dates it covers: (date index · n_keys + model_key, span row)
    per covered date."""
    lo = np.searchsorted(days, spans.column("valid_from").to_numpy(), side="left")
    hi = np.searchsorted(days, spans.column("valid_to").to_numpy(), side="left")
    n = np.maximum(hi - lo, 0)
    row = np.repeat(np.arange(len(n)), n)
    k = lo[row] + np.arange(len(row)) - np.repeat(np.cumsum(n) - n, n)
    return k * n_keys + spans.column("model_key").to_numpy()[row], row


def snapshot_as_of(con, as_of, metric_id: str | None = None, vendors: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per model that exists at `as_of`, with the price in force then and the metric's value."""
    day = _date(as_of)
    kept = _market_models(con)
    day64 = np.datetime64(day, "D")
    # released (or first priced) by the date and not retired then; a missing date (NaT) compares False
    alive = _eligible(kept, vendors) & (kept.born <= day64) & (np.isnat(kept.gone) | (kept.gone > day64))
    models = kept.table.filter(pa.array(alive))
    prices = _price_now(con, day)
    scores = con.sql(QUALITY_NOW, params={"as_of": day, "metric": metric_id or ""}).to_arrow_table()
    keys = models.column("model_key").to_numpy()
    columns = {c: models.column(c) for c in models.column_names if not c.startswith("_") and c != "model_key"}
    for part in (prices, scores):
        columns.update(_by_key(part, keys))
    return _frame_of(pa.table(columns))


def _by_key(part: pa.Table, keys: np.ndarray) -> dict:
    """`part`'s columns (but model_key) for each of `keys`, null where it has no row for the key (at most one)."""
    n = max(int(keys.max()) if len(keys) else 0, _max(part, "model_key")) + 1
    row = np.full(n, -1)
    row[part.column("model_key").to_numpy()] = np.arange(part.num_rows)
    at = row[keys]
    taken = part.take(pa.array(at, mask=at < 0))
    return {c: taken.column(c) for c in taken.column_names if c != "model_key"}


def _eligible(models: _MarketModels, vendors: Sequence[str] | None) -> np.ndarray:
    """Models a market may list: not queued for review, of the chosen vendors (all when none are chosen)."""
    keep = models.listed.copy()
    if vendors:
        keep &= pc.is_in(models.table.column("vendor"), value_set=pa.array(list(vendors), pa.string())) \
            .to_numpy(zero_copy_only=False)
    return keep


class _MarketModels:
    """MARKET_MODELS as Arrow, with the NumPy arrays every market reads from it: when each model came on the market
    and left it (NaT where unknown), and whether it may be listed at all (not queued for review)."""

    def __init__(self, table: pa.Table):
        self.table = table
        self.born = table.column("_born").to_numpy(zero_copy_only=False)
        self.gone = table.column("_gone").to_numpy(zero_copy_only=False)
        self.listed = pc.not_equal(table.column("status"), "queued").to_numpy(zero_copy_only=False)


_BY_FILE: dict[str, dict] = {}  # per store file id (a few files): what `_kept` keeps, by name


_FILE_OF: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # connection or cursor -> (file id, read-only)
_FILE_OF_LOCK = threading.Lock()


def _file_of(con) -> tuple:
    """(file id, read-only) of the store a connection reads, asked once per connection or cursor (a connection
    never changes files: a reader follows a swap with a new connection)."""
    with _FILE_OF_LOCK:
        hit = _FILE_OF.get(con)
    if hit is None:
        hit = tuple(con.execute(READ_ONLY_FILE_ID).fetchall()[0])
        with _FILE_OF_LOCK:
            _FILE_OF[con] = hit
    return hit


def note_cursor(con, cur) -> None:
    """`cur`, a cursor of `con`, reads `con`'s file: noted as such, so a cursor does not ask for its file id."""
    hit = _file_of(con)
    with _FILE_OF_LOCK:
        _FILE_OF[cur] = hit


def _kept(con, name, compute):
    """`compute()`, kept per store file for a read-only connection (a writer never changes a file under a reader:
    every write is a new file with a new `file_id`); computed again for any other connection."""
    file_id, read_only = _file_of(con)
    if not (file_id and read_only):
        return compute()
    kept = _BY_FILE.get(file_id)
    if kept is None:
        while len(_BY_FILE) >= 4:
            _BY_FILE.pop(next(iter(_BY_FILE)), None)
        kept = _BY_FILE[file_id] = {}
    if name not in kept:
        kept[name] = compute()
    return kept[name]


class Recent:
    """The values of the last `limit` keys asked (least recently used dropped), shared by this process's readers:
    the kept dates and request lists here, and other modules' derived values through `kept_recent`."""

    def __init__(self, limit: int):
        self.limit = limit
        self.values: OrderedDict = OrderedDict()

    def get(self, key):
        with _FILE_OF_LOCK:
            hit = self.values.get(key)
            if hit is not None:
                self.values.move_to_end(key)
            return hit

    def put(self, key, value) -> None:
        with _FILE_OF_LOCK:
            self.values[key] = value
            while len(self.values) > self.limit:
                self.values.popitem(last=False)

    def clear(self) -> None:
        with _FILE_OF_LOCK:
            self.values.clear()


def kept_recent(con, recent: Recent, key, compute):
    """`compute()`, kept in `recent` under (store file id, `key`) for a read-only connection: a write makes a new file
    with a new id (a live ingest swaps the file in), so a kept value is never read for another file; computed
    again for any other connection. `key` holds every other input of `compute` (hashable); the value is shared,
    as it is: its readers copy what they change."""
    file_id, read_only = _file_of(con)
    if not (file_id and read_only):
        return compute()
    full_key = (file_id, key)
    hit = recent.get(full_key)
    if hit is None:
        hit = compute()
        recent.put(full_key, hit)
    return hit


def _market_models(con) -> _MarketModels:
    """MARKET_MODELS of the store `con` reads; kept for a read-only connection to a store file (its models cannot
    change), read again otherwise."""
    return _kept(con, "market_models", lambda: _MarketModels(con.sql(MARKET_MODELS).to_arrow_table()))


def _frame(con, sql: str, params: dict, sort_by: Sequence[str] = ()) -> pd.DataFrame:
    """The rows as `.df()` gives them (same columns and dtypes), read through Arrow: text stays in Arrow strings
    instead of one Python object per cell (a replay of 120 dates at 1M intervals returns 338k rows). `sort_by`:
    integer key columns to sort on in Arrow, then drop."""
    tbl = con.sql(sql, params=params).to_arrow_table()
    if sort_by:
        tbl = tbl.sort_by([(k, "ascending") for k in sort_by]).drop_columns(list(sort_by))
    return _frame_of(tbl)


def _frame_of(tbl: pa.Table) -> pd.DataFrame:
    """An Arrow table as `.df()` gives the same rows."""
    dates = [i for i, t in enumerate(tbl.schema.types) if pa.types.is_date32(t)]
    for i in dates:  # `.df()`: microsecond timestamps (cast in Arrow: no pandas conversion per column)
        tbl = tbl.set_column(i, tbl.field(i).name, tbl.column(i).cast(pa.timestamp("us")))
    df = tbl.to_pandas()
    for name, col in zip(tbl.column_names, tbl.columns):
        if pa.types.is_string(col.type) and col.null_count == len(col):  # `.df()`: objects, all None
            df[name] = pd.Series([None] * len(df), index=df.index, dtype=object)
        elif pa.types.is_boolean(col.type) and col.null_count:
            df[name] = df[name].astype("boolean")
        elif pa.types.is_integer(col.type) and col.null_count:  # `.df()`: a nullable integer, not floats
            df[name] = df[name].astype(f"{'Int' if pa.types.is_signed_integer(col.type) else 'UInt'}"
                                       f"{col.type.bit_width}")
    return df


_PRICE_NOW_KEPT = Recent(4)  # (file id, date) -> PRICE_NOW's rows, the last few dates


def _price_now(con, day: dt.date) -> pa.Table:
    """PRICE_NOW's rows (the headline span covering `day`, per model) as Arrow; the last few dates' rows are kept
    per read-only store file (a Frontier date change reads them for the chart and again for the best-covered
    metric: a scan of the headline spans, ~15 ms at 1M intervals). Arrow tables do not change: shared as they are."""
    file_id, read_only = _file_of(con)
    key = (file_id, day) if file_id and read_only else None
    hit = _PRICE_NOW_KEPT.get(key) if key is not None else None
    if hit is not None:
        return hit
    out = con.sql(PRICE_NOW, params={"as_of": day}).to_arrow_table()
    if key is not None:
        _PRICE_NOW_KEPT.put(key, out)
    return out


class _QualitySpans:
    """Every metric's score spans (`quality_spans`: a few tens of thousands of rows at any scale) as NumPy arrays,
    with the metrics' rows: what `metric_coverage_as_of` counts over."""

    def __init__(self, con):
        metrics = con.execute(COVERAGE_METRICS).df()
        spans = con.sql(QUALITY_SPAN_KEYS).to_arrow_table()
        self.metrics = metrics
        self.drifts = metrics["drifts"].to_numpy(dtype=bool)
        code = {m: i for i, m in enumerate(metrics["metric_id"])}
        self.metric = np.asarray([code.get(m, -1) for m in spans.column("metric_id").to_pylist()], dtype=np.int64)
        self.model_key = spans.column("model_key").to_numpy(zero_copy_only=False)
        # a missing end of a span compares False in SQL: never covers a date
        self.valid_from = spans.column("valid_from").to_numpy(zero_copy_only=False).astype("datetime64[D]")
        self.valid_to = spans.column("valid_to").to_numpy(zero_copy_only=False).astype("datetime64[D]")


def metric_coverage_as_of(con, as_of, sql: str = METRIC_COVERAGE_AS_OF) -> pd.DataFrame:
    """Per metric: how many models existing at `as_of` have both a headline price and a score (METRIC_COVERAGE_AS_OF's
    rows). Counted in NumPy over the models and score spans kept per store file and the headline spans covering the
    date (`_price_now`, which the date's market has just read): the same rows (tests/test_scale.py), ~20 -> ~2 ms at
    1M intervals. Another `sql` (the tests' references) runs as it is."""
    day = _date(as_of)
    if sql is not METRIC_COVERAGE_AS_OF:
        return con.execute(sql, {"as_of": day}).df()
    kept = _market_models(con)
    q = _kept(con, "quality_spans", lambda: _QualitySpans(con))
    day64 = np.datetime64(day, "D")
    # on the market then (METRIC_COVERAGE_AS_OF's `priced`): listed, released by the date (a model without a release
    # date is born at its first price, on or before any span covering the date), not retired, a headline span
    alive = kept.listed & (kept.born <= day64) & (np.isnat(kept.gone) | (kept.gone > day64))
    keys = kept.table.column("model_key").to_numpy()
    priced_keys = _price_now(con, day).column("model_key").to_numpy(zero_copy_only=False)
    n = int(max(keys.max(initial=0), priced_keys.max(initial=0), q.model_key.max(initial=0))) + 1
    priced = np.zeros(n, dtype=bool)
    priced[priced_keys] = True
    on_market = np.zeros(n, dtype=bool)
    on_market[keys[alive]] = True
    priced &= on_market
    covers = (q.valid_from <= day64) & (q.valid_to > day64) & (q.metric >= 0)
    covers[covers] &= priced[q.model_key[covers]]
    # distinct models per metric: a (metric, model) grid marked, counted per metric
    seen = np.zeros(len(q.metrics) * n, dtype=bool)
    seen[q.metric[covers] * n + q.model_key[covers]] = True
    counts = seen.reshape(len(q.metrics), n).sum(axis=1, dtype=np.int64)
    # ORDER BY models DESC, drifts, metric_id (the metrics' rows are in metric_id order)
    order = np.lexsort((np.arange(len(counts)), q.drifts, -counts))
    out = q.metrics.take(order).reset_index(drop=True)
    out["models"] = counts[order]
    return out


def scored_models_by_metric(con) -> pd.DataFrame:
    """(metric_id, model_id) for every model with at least one score on the metric."""
    return con.execute(SCORED_MODELS_BY_METRIC).df()


_PRICES_AT_KEPT = Recent(32)  # (file id, model ids, dates) -> prices_at's rows, a few request lists


def prices_at(con, requests: pd.DataFrame, sql: str = PRICES_AT) -> pd.DataFrame:
    """The headline price of each (model_id, at_date) request; rows keep the requests' order. The rows of the last
    few request lists are kept per read-only store file (each read scans the headline spans, ~25 ms at 1M
    intervals; the Generations page asks the same pairs' prices again for every metric)."""
    req = pd.DataFrame({
        "req_id": range(len(requests)),
        "model_id": requests["model_id"].astype(str).to_numpy(),
        "at_date": pd.to_datetime(requests["at_date"]).dt.date.to_numpy(),
    })
    file_id, read_only = _file_of(con) if sql is PRICES_AT else (None, False)
    key = (file_id, tuple(req["model_id"]), tuple(req["at_date"])) if file_id and read_only else None
    hit = _PRICES_AT_KEPT.get(key) if key is not None else None
    if hit is not None:
        return hit.copy(deep=False)  # copy-on-write: a caller's change copies what it changes
    out = _prices_at(con, req, sql)
    if key is not None:
        _PRICES_AT_KEPT.put(key, out.copy())
        with _FILE_OF_LOCK:
            sources = _PRICE_SOURCE_OF.setdefault(file_id, {})
            if len(sources) > 200_000 or len(_PRICE_SOURCE_OF) > 4:  # bounded: started afresh
                _PRICE_SOURCE_OF.clear()
                sources = _PRICE_SOURCE_OF[file_id] = {}
            sources.update(zip(zip(req["model_id"], req["at_date"]), out["price_source_id"]))
    return out


_PRICE_SOURCE_OF: dict = {}  # file id -> {(model_id, date): price_source_id} of the rows prices_at has read


def price_source_ids(con, requests: pd.DataFrame) -> set[str]:
    """The source ids of the headline prices of (model_id, at_date) requests: `prices_at(con, requests)`'s
    `price_source_id`s, without reading them again when `prices_at` has read every one of them from this store file
    already (a chart's credit line asks for the prices its pairs were priced with: ~20 ms a read at 1M)."""
    pairs = list(zip(requests["model_id"].astype(str).to_numpy(), pd.to_datetime(requests["at_date"]).dt.date))
    file_id, read_only = _file_of(con)
    if file_id and read_only and pairs:
        with _FILE_OF_LOCK:
            known = _PRICE_SOURCE_OF.get(file_id) or {}
            found = [known[p] for p in pairs if p in known]
        if len(found) == len(pairs):
            return {str(s) for s in found if not pd.isna(s)}
    return set(prices_at(con, requests)["price_source_id"].dropna().astype(str))


def _prices_at(con, req: pd.DataFrame, sql: str) -> pd.DataFrame:
    cur = con.cursor()
    try:
        cur.register("price_requests", req)
        out = cur.execute(sql).df()
    finally:
        cur.close()
    return out.drop(columns="req_id")


def price_history(con, model_id: str) -> pd.DataFrame:
    return con.execute(PRICE_HISTORY, [model_id]).df()


def price_row_count(con, model_id: str) -> int:
    """`len(price_history(con, model_id))` without reading the rows. For a read-only store file every model's count
    is read once (`PRICE_ROW_COUNTS`, one scan: ~45 ms CPU at 1M intervals, ~0.2 s at 10M) and kept: one model's
    count is a scan of every interval too (no sort order of `price_intervals` prunes by model: ~12 / ~85 ms)."""
    file_id, read_only = _file_of(con)
    if file_id and read_only:
        counts = _kept(con, "price_row_counts", lambda: dict(con.execute(PRICE_ROW_COUNTS).fetchall()))
        return int(counts.get(model_id, 0))
    return int(con.execute(PRICE_ROW_COUNT, [model_id]).fetchall()[0][0])


def headline_history(con, model_id: str) -> pd.DataFrame:
    return con.execute(HEADLINE_HISTORY, [model_id]).df()


def scores_for_model(con, model_id: str) -> pd.DataFrame:
    return con.execute(SCORES_FOR_MODEL, [model_id]).df()


def scores_for_metric(con, metric_id: str, as_of=None) -> pd.DataFrame:
    return _scores_for_metric_kept(con, metric_id, _date(as_of) if as_of else None).copy(deep=False)


def _scores_for_metric_kept(con, metric_id: str, day: dt.date | None) -> pd.DataFrame:
    """SCORES_FOR_METRIC's rows, kept per store file (not a copy: for readers that do not change them)."""
    return _kept(con, ("scores_for_metric", metric_id, day),
                 lambda: con.execute(SCORES_FOR_METRIC, {"metric": metric_id, "as_of": day}).df())


def score_by_model(con, metric_id: str) -> pd.Series:
    """`scores_for_metric(con, metric_id)`'s value per model_id (float; the last row of a model stands), kept per
    store file: what each pair's quality is read from, for every pair list and price date."""
    def compute():
        q = _scores_for_metric_kept(con, metric_id, None).set_index("model_id")["value"].astype(float)
        return q[~q.index.duplicated(keep="last")]

    return _kept(con, ("score_by_model", metric_id), compute).copy(deep=False)


def score_source_ids(con, metric_id: str, as_of, model_ids: Iterable[str]) -> set[str]:
    """The source ids of `scores_for_metric(con, metric_id, as_of)` for these models, read from the kept rows
    without copying them."""
    day = _date(as_of) if as_of else None
    kept_metrics = _kept(con, "metrics", lambda: con.execute(METRICS).df())
    drifts = kept_metrics.loc[kept_metrics["metric_id"] == metric_id, "drifts"]
    if len(drifts) and not bool(drifts.iloc[0]):  # a fixed metric's scores do not depend on the date
        day = None
    scores = _scores_for_metric_kept(con, metric_id, day)
    return set(scores.loc[scores["model_id"].isin(set(model_ids)), "source_id"].dropna().astype(str))


def scores_as_of(con, metric_id: str, model_ids: Sequence[str], dates: Sequence) -> np.ndarray:
    """The score of each (model, date) as `scores_for_metric(con, metric_id, date)` gives it for a drifting metric
    (the model's score that stands by `VARIANT_PRECEDENCE` among those observed by the date; NaN if none), for many
    dates in one read instead of one query per date."""
    by_model = _kept(con, ("scores_in_precedence_by_model", metric_id),
                     lambda: _scores_by_model(con.execute(SCORES_IN_PRECEDENCE, [metric_id]).df()))
    at = pd.to_datetime(pd.Series(list(dates))).dt.normalize().to_numpy()
    out = np.full(len(at), np.nan)
    for i, (model_id, day) in enumerate(zip(model_ids, at)):
        hit = by_model.get(model_id)
        if hit is None:
            continue
        observed, values = hit
        ok = observed <= day  # a missing date on either side compares False
        first = int(ok.argmax())
        if ok[first]:  # the first standing score observed by the date, in precedence order
            out[i] = values[first]
    return out


def _scores_by_model(rows: pd.DataFrame) -> dict:
    """model_id -> (observation dates, values) of its scores, in the rows' (precedence) order: what `scores_as_of`
    searches per request (a merge of every request with every score of its model took ~20 ms for 250 pairs)."""
    observed = pd.to_datetime(rows["observed_date"]).to_numpy()
    values = rows["value"].to_numpy(float)
    groups = pd.Series(np.arange(len(rows))).groupby(rows["model_id"].astype(object).to_numpy(), sort=False).indices
    return {model_id: (observed[pos], values[pos]) for model_id, pos in groups.items()}


# What every chart reads again and no date changes (the models, the metrics, the lineage, a metric's scores): kept
# per read-only store file (`_kept`), handed out as copies. At 1M intervals each read is 10-30 ms of a chart. A
# shallow copy is a copy under pandas' copy-on-write (always on from pandas 3): a caller changing its frame copies
# the data it changes, never the kept frame's (a deep copy of the models took a few ms per call, several per chart).

def metrics(con) -> pd.DataFrame:
    return _kept(con, "metrics", lambda: con.execute(METRICS).df()).copy(deep=False)


def metric(con, metric_id: str) -> pd.DataFrame:
    """One metric's row of `metrics` (empty when unknown); kept per store file (its model count scans the metric's
    scores: ~20 ms at 1M intervals, on every chart)."""
    return _kept(con, ("metric", metric_id), lambda: con.execute(METRIC, [metric_id]).df()).copy(deep=False)


def models(con) -> pd.DataFrame:
    return _kept(con, "models", lambda: con.execute(MODELS).df()).copy(deep=False)


def models_by_id(con) -> pd.DataFrame:
    """`models(con)` indexed by model_id, kept per store file with its index's lookup table (a chart naming its
    pairs looked 5,000 ids up anew each time)."""
    return _kept(con, "models_by_id", lambda: models(con).set_index("model_id")).copy(deep=False)


def _model_rows(con) -> dict | None:
    """model_id -> (name, release date) of the market's models, kept per read-only store file (None for another
    connection): a chart's names and a model's release date without a query each (~3 ms apiece)."""
    file_id, read_only = _file_of(con)
    if not (file_id and read_only):
        return None

    def rows() -> dict:
        t = _market_models(con).table
        return dict(zip(t.column("model_id").to_pylist(),
                        zip(t.column("name").to_pylist(), t.column("release_date").to_pylist())))

    return _kept(con, "model_rows", rows)


def model_names(con, model_ids: Sequence[str]) -> dict[str, str]:
    """The names of these models, by id (unknown ids left out)."""
    kept = _model_rows(con)
    if kept is not None and all(i in kept for i in model_ids):
        return {i: kept[i][0] for i in dict.fromkeys(model_ids) if kept[i][0] is not None}
    return {i: n for i, n in con.execute(MODEL_NAMES, [list(model_ids)]).fetchall()}


def release_date(con, model_id: str) -> dt.date | None:
    kept = _model_rows(con)
    if kept is not None and model_id in kept:
        return kept[model_id][1]
    rows = con.execute(MODEL_RELEASE, [model_id]).fetchall()
    return rows[0][0] if rows else None


LIFECYCLE_FOR_MODEL = """
SELECT date, event, date_kind, scope, provider, source_id, source_ref, note
FROM lifecycle WHERE model_id = ? ORDER BY date, event
"""


ALIAS_MOVES_FOR_MODEL = """
SELECT alias, valid_from, valid_to, source_ref, note
FROM alias_moves WHERE model_id = ? ORDER BY valid_from, alias
"""


HAS_TABLE = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?"


def alias_moves(con, model_id: str) -> pd.DataFrame:
    """The moving aliases that pointed at one model, with the dates (`valid_to` exclusive, empty = still); empty
    on a store built before the table existed (a live-ingested store is never rebuilt from the seed)."""
    if not con.execute(HAS_TABLE, ["alias_moves"]).fetchall()[0][0]:
        return pd.DataFrame(columns=["alias", "valid_from", "valid_to", "source_ref", "note"])
    return con.execute(ALIAS_MOVES_FOR_MODEL, [model_id]).df()


def lifecycle(con, model_id: str) -> pd.DataFrame:
    """Releases, retirements (vendor or host) and delistings of one model, each with its reference."""
    return con.execute(LIFECYCLE_FOR_MODEL, [model_id]).df()


def review_queue(con) -> pd.DataFrame:
    return con.execute(REVIEW_QUEUE).df()


def registry_counts(con) -> dict:
    df = con.execute(REGISTRY_COUNTS).df()
    return {k: int(v) for k, v in df.iloc[0].items()}


def model_ids(con) -> set[str]:
    return set(_kept(con, "model_ids", lambda: frozenset(r[0] for r in con.execute(MODEL_IDS).fetchall())))


def metric_ids(con) -> set[str]:
    return {r[0] for r in con.execute(METRIC_IDS).fetchall()}


def vendors(con) -> list[str]:
    return [r[0] for r in con.execute(VENDORS).fetchall()]


def aliases(con, model_id: str | None = None) -> pd.DataFrame:
    if model_id is None:
        return con.execute(ALIASES).df()
    return con.execute(ALIASES_FOR_MODEL, [model_id]).df()


def lineage(con) -> pd.DataFrame:
    return _kept(con, "lineage", lambda: con.execute(LINEAGE).df()).copy(deep=False)


def sources_summary(con) -> pd.DataFrame:
    return _kept(con, "sources_summary", lambda: con.execute(SOURCES_SUMMARY).df()).copy(deep=False)


# The newest date the data really has (lib.views.newest_data_date on sources_summary and change_dates, in one
# statement): each source's newest snapshot retrieval, every standard price start and release date, at most today.
NEWEST_OBSERVATION = """
SELECT max(d) FROM (
    SELECT (SELECT max(CAST(x.retrieved_at AS DATE)) FROM snapshots x WHERE x.source_id = s.source_id) AS d
    FROM sources s
    UNION ALL SELECT effective_from FROM prices WHERE tier = 'standard'
    UNION ALL SELECT release_date FROM models
) WHERE d <= ?
"""


def newest_observation(con, today: dt.date) -> dt.date | None:
    """Kept per store file and day (it scans every standard price: ~15 ms at 1M intervals, on every chart)."""
    return _kept(con, ("newest_observation", today),
                 lambda: con.execute(NEWEST_OBSERVATION, [today]).fetchall()[0][0])


def change_dates(con) -> list[dt.date]:
    """Every date on which a price or the set of models changed: the frames of a time replay."""
    return [r[0] for r in con.execute(PRICE_CHANGE_DATES).fetchall()]


def date_span(con) -> tuple[dt.date | None, dt.date | None]:
    lo, hi = _kept(con, "date_span", lambda: tuple(con.execute(DATE_SPAN).fetchall()[0]))
    return lo, hi


def meta(con) -> dict[str, str]:
    return dict(con.execute(META).fetchall())


SET_META = "INSERT OR REPLACE INTO meta VALUES (?, ?)"
MAIN_TABLES = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"


def read_every_table(con) -> dict[str, int]:
    """Read every column of every table (DuckDB verifies each block's checksum as it reads); rows per table."""
    out = {}
    for (table,) in con.execute(MAIN_TABLES).fetchall():
        ident = '"' + table.replace('"', '""') + '"'  # a name from the catalogue, quoted, never from input
        out[table] = con.execute(f"SELECT count(*), bit_xor(hash(COLUMNS(*))) FROM {ident}").fetchall()[0][0]
    return out


# ---------------------------------------------------------------------------------------------------------------
# Writes used by lib.ingest.load.import_parsed (inside one transaction on a copy of the database).

SNAPSHOT_BY_SHA = "SELECT snapshot_id FROM snapshots WHERE source_id = ? AND sha256 = ?"

INSERT_SNAPSHOT = """
INSERT INTO snapshots (snapshot_id, source_id, retrieved_at, sha256, raw_path, rows_total, rows_models, rows_prices,
                       rows_scores, status, imported_at, note)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'imported', ?, ?)
"""

# New models only: an import never rewrites a model row that exists.
INSERT_NEW_MODELS = """
INSERT INTO models BY NAME
SELECT i.* FROM incoming_models i
WHERE NOT EXISTS (SELECT 1 FROM models m WHERE m.model_id = i.model_id)
"""

INSERT_REVIEW_QUEUE = """
INSERT INTO review_queue (source_id, external_id, proposed_model_id, name, reason, first_seen, snapshot_id)
SELECT DISTINCT ON (i.source_id, i.external_id) i.source_id, i.external_id, i.proposed_model_id, i.name, i.reason,
       $day, $snapshot
FROM incoming_queue i
WHERE NOT EXISTS (SELECT 1 FROM review_queue q WHERE q.source_id = i.source_id AND q.external_id = i.external_id)
"""

REVIEW_QUEUE = """
SELECT source_id, external_id, proposed_model_id, name, reason, first_seen, snapshot_id
FROM review_queue ORDER BY first_seen DESC, source_id, external_id
"""

# Counts of the model registry for the Data page.
REGISTRY_COUNTS = """
SELECT (SELECT count(*) FROM models) AS models,
       (SELECT count(*) FROM aliases) AS aliases,
       (SELECT count(DISTINCT model_id || '|' || variant) FROM scores WHERE variant <> '') AS variants,
       (SELECT count(*) FROM models WHERE deprecation_date IS NOT NULL) AS retired,
       (SELECT count(*) FROM models WHERE release_date IS NOT NULL) AS with_release_date,
       (SELECT count(DISTINCT model_id || '|' || provider) FROM prices) AS offerings,
       (SELECT count(*) FROM review_queue) AS review_queue
"""

INSERT_NEW_ALIASES = """
INSERT INTO aliases BY NAME
SELECT DISTINCT i.source_id, i.external_id, i.model_id, i.rule FROM incoming_aliases i
WHERE NOT EXISTS (SELECT 1 FROM aliases a WHERE a.source_id = i.source_id AND a.external_id = i.external_id)
"""

# Compare each incoming price with the newest row of the same model/source/provider/tier.
PRICE_CHANGES = """
WITH cur AS (
    SELECT * FROM prices WHERE source_id = $source
    QUALIFY row_number() OVER (PARTITION BY model_id, provider, tier ORDER BY effective_from DESC) = 1
),
inc AS (
    SELECT i.*, COALESCE(i.effective_from, $day) AS new_from FROM incoming_prices i
)
SELECT i.model_id, i.provider, i.tier, i.new_from,
       c.input_usd_per_mtok AS old_input, c.output_usd_per_mtok AS old_output,
       c.cache_read_usd_per_mtok AS old_cache_read, c.effective_from AS old_from, c.effective_to AS old_to,
       i.input_usd_per_mtok AS new_input, i.output_usd_per_mtok AS new_output,
       i.cache_read_usd_per_mtok AS new_cache_read,
       CASE
         WHEN c.model_id IS NULL THEN 'new'
         WHEN c.effective_to IS NOT NULL AND c.effective_to <= i.new_from THEN 'new'
         WHEN c.input_usd_per_mtok IS NOT DISTINCT FROM i.input_usd_per_mtok
          AND c.output_usd_per_mtok IS NOT DISTINCT FROM i.output_usd_per_mtok
          AND c.cache_read_usd_per_mtok IS NOT DISTINCT FROM i.cache_read_usd_per_mtok THEN 'unchanged'
         WHEN c.effective_from >= i.new_from THEN 'conflict'
         ELSE 'changed'
       END AS change
FROM inc i
LEFT JOIN cur c ON c.model_id = i.model_id AND c.provider = i.provider AND c.tier = i.tier
ORDER BY i.model_id, i.provider, i.tier
"""

# The newest stored price of each offering (model, provider, tier) of one source: what the price-jump
# quarantine (lib.ingest.quarantine) compares an incoming price with.
LATEST_SOURCE_PRICES = """
SELECT model_id, provider, tier, input_usd_per_mtok AS prev_input, output_usd_per_mtok AS prev_output
FROM prices WHERE source_id = ?
QUALIFY row_number() OVER (PARTITION BY model_id, provider, tier ORDER BY effective_from DESC) = 1
"""

HELD_PRICES = """
SELECT source_id, model_id, provider, tier, input_usd_per_mtok, output_usd_per_mtok, prev_input, prev_output,
       factor, sha256, retrieved_at, status
FROM price_quarantine WHERE (? IS NULL OR source_id = ?) ORDER BY retrieved_at, model_id
"""

INSERT_HELD_PRICE = """
INSERT INTO price_quarantine (source_id, model_id, provider, tier, input_usd_per_mtok, output_usd_per_mtok,
                              prev_input, prev_output, factor, sha256, retrieved_at, status)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

CONFIRM_HELD_PRICE = """
UPDATE price_quarantine SET status = ?
WHERE source_id = ? AND model_id = ? AND provider IS NOT DISTINCT FROM ? AND tier = ? AND status = 'held'
"""


def held_prices(con, source_id: str | None = None) -> pd.DataFrame:
    """Price changes held by the quarantine (status held, confirmed by a second observation, or accepted)."""
    return con.execute(HELD_PRICES, [source_id, source_id]).df()


INSERT_PRICES = """
INSERT INTO prices (model_id, provider, first_party, tier, min_prompt_tokens, effective_from, effective_to,
                    input_usd_per_mtok, output_usd_per_mtok, cache_read_usd_per_mtok, date_kind, source_id, snapshot_id,
                    source_ref, note)
SELECT i.model_id, i.provider, i.first_party, i.tier, i.min_prompt_tokens,
       COALESCE(i.effective_from, $day), NULL, i.input_usd_per_mtok,
       i.output_usd_per_mtok, i.cache_read_usd_per_mtok,
       CASE WHEN i.effective_from IS NOT NULL THEN COALESCE(i.date_kind, 'effective') ELSE 'observed' END,
       $source, $snapshot, i.source_ref, i.note
FROM incoming_prices i
JOIN price_changes_to_apply a USING (model_id, provider, tier)
"""

INSERT_SCORES = """
INSERT INTO scores (model_id, metric_id, value, observed_date, metric_version, source_id, snapshot_id, source_ref)
SELECT i.model_id, i.metric_id, i.value, $day, i.metric_version, $source, $snapshot, i.source_ref
FROM incoming_scores i
WHERE NOT EXISTS (SELECT 1 FROM scores s WHERE s.model_id = i.model_id AND s.metric_id = i.metric_id
                  AND s.source_id = $source AND s.observed_date = $day)
"""

# A per-request fee a live price row turned out to be (lib.curate.hygiene's rule): kept once per model, provider,
# kind, source and value; a fee the store already holds open at that value is not repeated.
INSERT_FEE_IF_NEW = """
INSERT INTO fees (model_id, provider, fee_kind, usd, effective_from, effective_to, source_id, snapshot_id,
                  source_ref, note)
SELECT $model_id, $provider, $fee_kind, $usd, $day, NULL, $source, $snapshot, $source_ref, $note
WHERE NOT EXISTS (SELECT 1 FROM fees f WHERE f.model_id = $model_id AND f.provider IS NOT DISTINCT FROM $provider
                  AND f.fee_kind = $fee_kind AND f.source_id = $source AND f.usd = $usd AND f.effective_to IS NULL)
"""

# Live ingest may bring a source or metric the seed does not define; existing rows are never rewritten.
INSERT_SOURCE_IF_MISSING = """
INSERT INTO sources (source_id, name, home_url, licence, attribution, priority)
SELECT $source_id, $name, $home_url, $licence, $attribution, $priority
WHERE NOT EXISTS (SELECT 1 FROM sources WHERE source_id = $source_id)
"""

INSERT_METRIC_IF_MISSING = """
INSERT INTO metrics (metric_id, name, unit, higher_is_better, min_value, max_value, scale, drifts, version,
                     description, source_id)
SELECT $metric_id, $name, $unit, $higher_is_better, $min_value, $max_value, $scale, $drifts, $version,
       $description, $source_id
WHERE NOT EXISTS (SELECT 1 FROM metrics WHERE metric_id = $metric_id)
"""


# --- measured cost per task and speed --------------------------------------------------------------------------

# Per model, the newest measurement on or before the date; among its reasoning settings the best-scoring one
# (the setting the model's headline score comes from), then the cheaper.
TASK_COSTS_AS_OF = """
SELECT tc.model_id, tc.variant, tc.benchmark_id, tc.observed_date AS task_observed_date, tc.usd_per_task,
       tc.score AS task_score, tc.provider AS task_provider, tc.source_id AS task_source_id,
       tc.source_ref AS task_source_ref
FROM task_costs tc
WHERE tc.benchmark_id = ? AND tc.observed_date <= ?
QUALIFY row_number() OVER (PARTITION BY tc.model_id
                           ORDER BY tc.observed_date DESC, tc.score DESC NULLS LAST, tc.usd_per_task) = 1
ORDER BY tc.model_id"""

# Every reasoning setting of each model at its newest measurement on or before the date (effort curves).
TASK_COST_VARIANTS_AS_OF = """
SELECT tc.model_id, tc.variant, tc.benchmark_id, tc.observed_date AS task_observed_date, tc.usd_per_task,
       tc.score AS task_score, tc.source_id AS task_source_id, tc.source_ref AS task_source_ref
FROM task_costs tc
WHERE tc.benchmark_id = ? AND tc.observed_date <= ?
QUALIFY tc.observed_date = max(tc.observed_date) OVER (PARTITION BY tc.model_id)
ORDER BY tc.model_id, tc.usd_per_task"""

# One model's measurements of one day: the medians over its API providers (SPEED_AS_OF and SPEED_BY_DAY).
_SPEED_OF_A_DAY = """
SELECT model_id, observed_date AS speed_observed_date,
       median(output_tokens_per_s) AS output_tokens_per_s, median(ttft_s) AS ttft_s,
       count(DISTINCT provider) AS speed_providers, any_value(source_id) AS speed_source_id,
       min(source_ref) AS speed_source_ref"""

# Median over API providers of the newest measurement on or before the date, per model (default setting first).
SPEED_AS_OF = """
WITH newest AS (
    SELECT * FROM speed WHERE observed_date <= ?
    QUALIFY observed_date = max(observed_date) OVER (PARTITION BY model_id)
)""" + _SPEED_OF_A_DAY + """
FROM newest
GROUP BY model_id, observed_date
ORDER BY model_id"""


# SPEED_AS_OF at each of many dates in one statement (the replay's frames): per model, its newest observation day on
# or before each date, medians over that day's providers. Registered list parameter: the dates.
SPEEDS_AT = """
WITH per_day AS (
    SELECT model_id, observed_date, median(output_tokens_per_s) AS output_tokens_per_s, median(ttft_s) AS ttft_s
    FROM speed
    GROUP BY model_id, observed_date
), wanted AS (
    SELECT d.as_of, m.model_id
    FROM (SELECT DISTINCT unnest(?::DATE[]) AS as_of) d CROSS JOIN (SELECT DISTINCT model_id FROM per_day) m
)
SELECT w.as_of, w.model_id, p.observed_date AS speed_observed_date, p.output_tokens_per_s, p.ttft_s
FROM wanted w ASOF JOIN per_day p ON w.model_id = p.model_id AND w.as_of >= p.observed_date
ORDER BY w.as_of, w.model_id"""


def speeds_at(con, dates) -> pd.DataFrame:
    """`as_of, model_id, speed_observed_date, output_tokens_per_s, ttft_s` at each of `dates` (models measured by
    then only): the speed `speed_as_of` gives at each date."""
    days = sorted({_date(d) for d in dates})
    out = con.execute(SPEEDS_AT, [days]).df()
    out["as_of"] = pd.to_datetime(out["as_of"])
    return out


def task_benchmarks(con) -> pd.DataFrame:
    return con.execute("SELECT * FROM task_benchmarks ORDER BY benchmark_id").df()


def task_costs_as_of(con, as_of, benchmark_id: str) -> pd.DataFrame:
    return con.execute(TASK_COSTS_AS_OF, [benchmark_id, _date(as_of)]).df()


def task_cost_variants_as_of(con, as_of, benchmark_id: str) -> pd.DataFrame:
    return con.execute(TASK_COST_VARIANTS_AS_OF, [benchmark_id, _date(as_of)]).df()


def task_costs_for_model(con, model_id: str) -> pd.DataFrame:
    return con.execute("SELECT * FROM task_costs WHERE model_id = ? ORDER BY benchmark_id, observed_date, variant",
                       [model_id]).df()


# SPEED_AS_OF's rows for every observation day of every model (the day's medians over its providers), sorted by model
# and day: what `speed_as_of` reads a date's rows from.
SPEED_BY_DAY = _SPEED_OF_A_DAY + """
FROM speed
GROUP BY model_id, observed_date
ORDER BY model_id, observed_date"""


def speed_as_of(con, as_of, sql: str = SPEED_AS_OF) -> pd.DataFrame:
    """Each model's newest measured speed on or before `as_of` (SPEED_AS_OF's rows). For a read-only store file,
    read from its per-day rows, kept per file (the speed table is small; a Frontier date change read it anew: a
    query per rerun). Another `sql` (the tests' reference) runs as it is."""
    day = _date(as_of)
    file_id, read_only = _file_of(con) if sql is SPEED_AS_OF else (None, False)
    if not (file_id and read_only):
        return con.execute(sql, [day]).df()
    by_day = _kept(con, "speed_by_day", lambda: con.execute(SPEED_BY_DAY).df())
    on_or_before = by_day["speed_observed_date"].to_numpy() <= np.datetime64(day)
    # rows sorted by model and day: the last kept row of each model is its newest day
    if not on_or_before.any():  # no rows: the columns as an empty query result has them (texts as objects)
        return _kept(con, "speed_none", lambda: con.execute(SPEED_BY_DAY + " LIMIT 0").df()).copy(deep=False)
    newest = by_day.loc[on_or_before].drop_duplicates("model_id", keep="last")
    return newest.reset_index(drop=True)


# Long-context tiers in force on a date: per model and provider, the winning interval (PRICE_PRECEDENCE) with the
# prompt length above which its prices bill the whole request.
LONG_CONTEXT_AS_OF = """
SELECT pi.model_id, pi.provider, pi.min_prompt_tokens, pi.input_usd_per_mtok, pi.output_usd_per_mtok,
       pi.cache_read_usd_per_mtok, pi.source_id, pi.source_ref, pi.effective_from
FROM price_intervals pi
WHERE pi.tier = 'long-context' AND pi.effective_from <= ? AND pi.valid_to > ?
QUALIFY row_number() OVER (PARTITION BY pi.model_id, pi.provider ORDER BY pi.precedence) = 1
ORDER BY pi.model_id, pi.provider"""


def long_context_prices_as_of(con, as_of) -> pd.DataFrame:
    d = _date(as_of)
    return con.execute(LONG_CONTEXT_AS_OF, [d, d]).df()


# What a workload's price depends on besides the token prices, for many (model, date) requests at once: whether the
# model is known to reason (a reasoning setting among its newest measurements per benchmark on or before the date;
# the same rule as lib.costs.reasoning_models), its vendor's batch discount then, and its provider's long-context
# tier then (LONG_CONTEXT_AS_OF). `cost_requests` (req_id, model_id, vendor, provider, at_date) is registered.
WORKLOAD_FACTS_AT = """
WITH newest_tc AS (
    SELECT r.req_id, tc.variant
    FROM cost_requests r JOIN task_costs tc ON tc.model_id = r.model_id AND tc.observed_date <= r.at_date
    QUALIFY tc.observed_date = max(tc.observed_date) OVER (PARTITION BY r.req_id, tc.benchmark_id)
),
reasoning AS (
    SELECT req_id, bool_or(variant NOT IN (SELECT unnest($non_reasoning))) AS reasoning FROM newest_tc GROUP BY req_id
),
disc AS (
    SELECT r.req_id, b.discount_share
    FROM cost_requests r JOIN batch_discounts b ON b.vendor = r.vendor AND b.effective_from <= r.at_date
    QUALIFY row_number() OVER (PARTITION BY r.req_id ORDER BY b.effective_from DESC) = 1
),
lc AS (
    SELECT r.req_id, pi.min_prompt_tokens AS long_context_min_prompt_tokens,
           pi.input_usd_per_mtok AS long_context_input_usd_per_mtok,
           pi.output_usd_per_mtok AS long_context_output_usd_per_mtok,
           pi.cache_read_usd_per_mtok AS long_context_cache_read_usd_per_mtok,
           pi.source_ref AS long_context_source_ref
    FROM cost_requests r JOIN price_intervals pi
      ON pi.model_id = r.model_id AND pi.provider = r.provider AND pi.tier = 'long-context'
     AND pi.effective_from <= r.at_date AND pi.valid_to > r.at_date
    QUALIFY row_number() OVER (PARTITION BY r.req_id ORDER BY pi.precedence) = 1
)
SELECT r.req_id, COALESCE(reasoning.reasoning, FALSE) AS reasoning, disc.discount_share,
       lc.* EXCLUDE (req_id)
FROM cost_requests r
LEFT JOIN reasoning USING (req_id)
LEFT JOIN disc USING (req_id)
LEFT JOIN lc USING (req_id)
ORDER BY r.req_id"""


def workload_facts_at(con, requests: pd.DataFrame, non_reasoning: Sequence[str]) -> pd.DataFrame:
    """WORKLOAD_FACTS_AT for `requests` (model_id, vendor, provider, at_date); rows keep the requests' order."""
    req = pd.DataFrame({
        "req_id": range(len(requests)),
        "model_id": requests["model_id"].astype(str).to_numpy(),
        "vendor": requests["vendor"].astype(object).to_numpy(),
        "provider": requests["provider"].astype(object).to_numpy(),
        "at_date": pd.to_datetime(requests["at_date"]).dt.date.to_numpy(),
    })
    cur = con.cursor()
    try:
        cur.register("cost_requests", req)
        out = cur.execute(WORKLOAD_FACTS_AT, {"non_reasoning": list(non_reasoning)}).df()
    finally:
        cur.close()
    return out.drop(columns="req_id")


def batch_discounts_as_of(con, as_of) -> pd.DataFrame:
    """Per vendor, the batch discount in force at the date (vendors without one are absent)."""
    return con.execute("SELECT * FROM batch_discounts WHERE effective_from <= ? "
                       "QUALIFY row_number() OVER (PARTITION BY vendor ORDER BY effective_from DESC) = 1 "
                       "ORDER BY vendor", [_date(as_of)]).df()


# Per model and observation date: cheapest, median and dearest host at the 3:1 blend, with the host count.
HOST_PRICE_SPREAD = """
SELECT model_id, observed_date, count(*) AS hosts,
       min((3 * input_usd_per_mtok + output_usd_per_mtok) / 4) AS min_blended_usd_per_mtok,
       median((3 * input_usd_per_mtok + output_usd_per_mtok) / 4) AS median_blended_usd_per_mtok,
       max((3 * input_usd_per_mtok + output_usd_per_mtok) / 4) AS max_blended_usd_per_mtok,
       arg_min(provider, (3 * input_usd_per_mtok + output_usd_per_mtok) / 4) AS cheapest_host,
       arg_min(input_usd_per_mtok, (3 * input_usd_per_mtok + output_usd_per_mtok) / 4) AS cheapest_input_usd_per_mtok,
       arg_min(output_usd_per_mtok, (3 * input_usd_per_mtok + output_usd_per_mtok) / 4)
           AS cheapest_output_usd_per_mtok,
       median(input_usd_per_mtok) AS median_input_usd_per_mtok,
       median(output_usd_per_mtok) AS median_output_usd_per_mtok,
       any_value(source_id) AS host_source_id,
       arg_min(source_ref, (3 * input_usd_per_mtok + output_usd_per_mtok) / 4) AS cheapest_source_ref,
       min(split_part(source_ref, '#', 1)) AS host_raw_path
FROM host_prices
WHERE (? IS NULL OR model_id = ?) AND (? IS NULL OR observed_date <= ?)
GROUP BY model_id, observed_date
ORDER BY model_id, observed_date"""


def host_price_spread(con, model_id: str | None = None, as_of=None) -> pd.DataFrame:
    d = _date(as_of) if as_of is not None else None
    return con.execute(HOST_PRICE_SPREAD, [model_id, model_id, d, d]).df()


def host_prices_as_of(con, as_of) -> pd.DataFrame:
    """Per model, the host-price spread at its newest observation on or before the date."""
    df = host_price_spread(con, None, as_of)
    return df.sort_values("observed_date").groupby("model_id", as_index=False).tail(1).reset_index(drop=True)


def host_prices_for_model(con, model_id: str) -> pd.DataFrame:
    return con.execute("SELECT * FROM host_prices WHERE model_id = ? ORDER BY observed_date, provider",
                       [model_id]).df()
