"""The DuckDB schema of the snapshot store: every DDL statement as a named constant.

Tables are append-only; price intervals are closed by the next row, resolved once per write into the derived
`price_intervals` table.
"""
from __future__ import annotations

SOURCES = """
CREATE TABLE sources (
    source_id   VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    home_url    VARCHAR,
    licence     VARCHAR,
    attribution VARCHAR,
    priority    INTEGER NOT NULL DEFAULT 50  -- lower wins when sources disagree
)"""

SNAPSHOTS = """
CREATE TABLE snapshots (
    snapshot_id     VARCHAR PRIMARY KEY,
    source_id       VARCHAR NOT NULL REFERENCES sources (source_id),
    retrieved_at    TIMESTAMP,           -- UTC
    sha256          VARCHAR,
    raw_path        VARCHAR,             -- where the raw payload is kept, exactly as it arrived
    upstream_commit VARCHAR,
    rows_total      INTEGER,
    rows_models     INTEGER,
    rows_prices     INTEGER,
    rows_scores     INTEGER,
    status          VARCHAR NOT NULL,    -- curated | imported
    imported_at     TIMESTAMP,
    note            VARCHAR
)"""

MODELS = """
CREATE TABLE models (
    model_id         VARCHAR PRIMARY KEY,  -- OpenRouter style vendor/slug
    vendor           VARCHAR NOT NULL,
    family           VARCHAR,
    name             VARCHAR NOT NULL,
    release_date     DATE,
    open_weights     BOOLEAN,
    context_window   BIGINT,
    parameters_b     DOUBLE,
    deprecation_date DATE,
    status           VARCHAR NOT NULL DEFAULT 'reviewed',  -- reviewed | unreviewed
    source_id        VARCHAR,
    source_ref       VARCHAR,
    release_date_kind VARCHAR  -- announced | api-available | first-seen (a listing date is never 'announced')
)"""

ALIASES = """
CREATE TABLE aliases (
    source_id   VARCHAR NOT NULL,
    external_id VARCHAR NOT NULL,
    model_id    VARCHAR NOT NULL REFERENCES models (model_id),
    variant     VARCHAR,          -- a configuration of the model (reasoning effort, thinking budget)
    rule        VARCHAR,          -- how the id was resolved: by hand | alias list | normaliser | dated alias | ingest
    PRIMARY KEY (source_id, external_id)
)"""

PRICES = """
CREATE TABLE prices (
    model_id                VARCHAR NOT NULL REFERENCES models (model_id),
    provider                VARCHAR NOT NULL,
    first_party             BOOLEAN NOT NULL,
    tier                    VARCHAR NOT NULL DEFAULT 'standard',
    min_prompt_tokens       INTEGER,         -- long-context tier: its prices bill the whole request when the
                                             -- prompt is longer than this many tokens
    effective_from          DATE NOT NULL,
    effective_to            DATE,            -- exclusive; NULL = closed by the next row, or open
    input_usd_per_mtok      DOUBLE,
    output_usd_per_mtok     DOUBLE,
    cache_read_usd_per_mtok DOUBLE,
    date_kind               VARCHAR NOT NULL CHECK (date_kind IN ('effective', 'observed')),
    source_id               VARCHAR NOT NULL REFERENCES sources (source_id),
    snapshot_id             VARCHAR,
    source_ref              VARCHAR NOT NULL,
    note                    VARCHAR,
    CHECK (input_usd_per_mtok IS NULL OR input_usd_per_mtok >= 0),
    CHECK (output_usd_per_mtok IS NULL OR output_usd_per_mtok >= 0),
    CHECK (cache_read_usd_per_mtok IS NULL OR cache_read_usd_per_mtok >= 0),
    CHECK (effective_to IS NULL OR effective_to > effective_from),
    CHECK ((tier = 'long-context') = (min_prompt_tokens IS NOT NULL)),
    PRIMARY KEY (model_id, source_id, provider, tier, effective_from)
)"""

METRICS = """
CREATE TABLE metrics (
    metric_id        VARCHAR PRIMARY KEY,
    name             VARCHAR NOT NULL,
    unit             VARCHAR,
    higher_is_better BOOLEAN NOT NULL DEFAULT TRUE,
    min_value        DOUBLE,
    max_value        DOUBLE,
    scale            VARCHAR NOT NULL CHECK (scale IN ('percent', 'points')),
    drifts           BOOLEAN NOT NULL DEFAULT FALSE,  -- leaderboard ratings change per snapshot date
    version          VARCHAR,
    description      VARCHAR,
    source_id        VARCHAR
)"""

SCORES = """
CREATE TABLE scores (
    model_id       VARCHAR NOT NULL REFERENCES models (model_id),
    metric_id      VARCHAR NOT NULL REFERENCES metrics (metric_id),
    value          DOUBLE NOT NULL,
    observed_date  DATE NOT NULL,
    metric_version VARCHAR,
    source_id      VARCHAR NOT NULL REFERENCES sources (source_id),
    snapshot_id    VARCHAR,
    source_ref     VARCHAR NOT NULL,
    variant        VARCHAR NOT NULL DEFAULT '',  -- '' = the model's default configuration; else e.g. 'high'
    PRIMARY KEY (model_id, variant, metric_id, source_id, observed_date)
)"""

LINEAGE = """
CREATE TABLE lineage (
    parent_id    VARCHAR NOT NULL REFERENCES models (model_id),
    child_id     VARCHAR NOT NULL REFERENCES models (model_id),
    relation     VARCHAR NOT NULL CHECK (relation IN ('distilled', 'successor')),
    era          VARCHAR,
    evidence     VARCHAR NOT NULL,
    evidence_url VARCHAR,
    PRIMARY KEY (parent_id, child_id, relation)
)"""

TASK_BENCHMARKS = """
CREATE TABLE task_benchmarks (
    benchmark_id VARCHAR PRIMARY KEY,
    name         VARCHAR NOT NULL,
    metric_id    VARCHAR REFERENCES metrics (metric_id),  -- the score the same runs produced
    source_id    VARCHAR NOT NULL REFERENCES sources (source_id),
    description  VARCHAR
)"""

# Measured cost of running a benchmark, per task: a dated fact with provenance, never estimated.
TASK_COSTS = """
CREATE TABLE task_costs (
    model_id      VARCHAR NOT NULL REFERENCES models (model_id),
    variant       VARCHAR NOT NULL DEFAULT 'default',  -- reasoning effort / thinking setting
    benchmark_id  VARCHAR NOT NULL REFERENCES task_benchmarks (benchmark_id),
    observed_date DATE NOT NULL,
    usd_per_task  DOUBLE NOT NULL CHECK (usd_per_task >= 0),
    tasks         INTEGER,
    usd_total     DOUBLE,
    input_tokens  BIGINT,
    output_tokens BIGINT,
    score         DOUBLE,                        -- the score of the same run (benchmark's metric)
    provider      VARCHAR,
    source_id     VARCHAR NOT NULL REFERENCES sources (source_id),
    snapshot_id   VARCHAR,
    source_ref    VARCHAR NOT NULL,
    PRIMARY KEY (model_id, variant, benchmark_id, observed_date, source_id)
)"""

SPEED = """
CREATE TABLE speed (
    model_id            VARCHAR NOT NULL REFERENCES models (model_id),
    variant             VARCHAR NOT NULL DEFAULT 'default',
    provider            VARCHAR NOT NULL,
    observed_date       DATE NOT NULL,
    output_tokens_per_s DOUBLE,
    ttft_s              DOUBLE,
    source_id           VARCHAR NOT NULL REFERENCES sources (source_id),
    snapshot_id         VARCHAR,
    source_ref          VARCHAR NOT NULL,
    PRIMARY KEY (model_id, variant, provider, observed_date)
)"""

BATCH_DISCOUNTS = """
CREATE TABLE batch_discounts (
    vendor         VARCHAR NOT NULL,
    discount_share DOUBLE NOT NULL CHECK (discount_share >= 0 AND discount_share < 1),
    effective_from DATE NOT NULL,
    source_id      VARCHAR NOT NULL REFERENCES sources (source_id),
    source_ref     VARCHAR NOT NULL,
    PRIMARY KEY (vendor, effective_from)
)"""

# Each API provider's observed list price of a model (per-host prices; the headline price stays in `prices`).
HOST_PRICES = """
CREATE TABLE host_prices (
    model_id                VARCHAR NOT NULL REFERENCES models (model_id),
    provider                VARCHAR NOT NULL,
    observed_date           DATE NOT NULL,
    input_usd_per_mtok      DOUBLE NOT NULL CHECK (input_usd_per_mtok >= 0),
    output_usd_per_mtok     DOUBLE NOT NULL CHECK (output_usd_per_mtok >= 0),
    cache_read_usd_per_mtok DOUBLE,
    source_id               VARCHAR NOT NULL REFERENCES sources (source_id),
    snapshot_id             VARCHAR,
    source_ref              VARCHAR NOT NULL,
    PRIMARY KEY (model_id, provider, observed_date)
)"""

# Releases, retirements (the vendor's own, or a host's such as Azure's) and observed delistings, each with its
# reference; models.deprecation_date is the vendor's retirement (the model leaves the market that day).
LIFECYCLE = """
CREATE TABLE lifecycle (
    model_id   VARCHAR NOT NULL REFERENCES models (model_id),
    event      VARCHAR NOT NULL CHECK (event IN ('released', 'retired', 'delisted')),
    date       DATE NOT NULL,
    date_kind  VARCHAR NOT NULL,  -- announced | api-available | first-seen | shutdown | scheduled | observed
    provider   VARCHAR,           -- the vendor, or the host whose offering it is
    scope      VARCHAR NOT NULL CHECK (scope IN ('vendor', 'host')),
    source_id  VARCHAR NOT NULL REFERENCES sources (source_id),
    source_ref VARCHAR NOT NULL,
    note       VARCHAR
)"""

# Dated targets of moving aliases (data/curated/alias_moves.csv): which snapshot `gpt-4o` or "Claude 3.5 Sonnet"
# meant from `valid_from` (inclusive) to `valid_to` (exclusive, NULL = still), each with the announcement.
ALIAS_MOVES = """
CREATE TABLE alias_moves (
    alias      VARCHAR NOT NULL,  -- the alias as curation matches it (lowercase, '-' for spaces): gpt-4o
    model_id   VARCHAR NOT NULL REFERENCES models (model_id),
    valid_from DATE NOT NULL,
    valid_to   DATE,
    source_ref VARCHAR NOT NULL,  -- the vendor's announcement (and the raw file that dates it, where one does)
    note       VARCHAR,
    PRIMARY KEY (alias, valid_from)
)"""

# Fees that are not token prices (per request, per search, per image), kept as their own kind, never in `prices`.
FEES = """
CREATE TABLE fees (
    model_id       VARCHAR NOT NULL REFERENCES models (model_id),
    provider       VARCHAR NOT NULL,
    fee_kind       VARCHAR NOT NULL,  -- per_request | per_search | per_image
    usd            DOUBLE NOT NULL CHECK (usd >= 0),
    effective_from DATE NOT NULL,
    effective_to   DATE,
    source_id      VARCHAR NOT NULL REFERENCES sources (source_id),
    snapshot_id    VARCHAR,
    source_ref     VARCHAR NOT NULL,
    note           VARCHAR
)"""

# Ids from live ingest that resolve to no model of the registry: held for review, never a model on the charts.
REVIEW_QUEUE = """
CREATE TABLE review_queue (
    source_id         VARCHAR NOT NULL,
    external_id       VARCHAR NOT NULL,
    proposed_model_id VARCHAR,
    name              VARCHAR,
    reason            VARCHAR,
    first_seen        DATE NOT NULL,
    snapshot_id       VARCHAR,
    PRIMARY KEY (source_id, external_id)
)"""

META = """
CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
)"""

# Bumped whenever the DDL or a derived table changes shape: it is part of the data version, so a database built
# by older code is rebuilt on first use instead of being read with the wrong columns.
SCHEMA_VERSION = "6"  # 3: price_quarantine; 4: model_keys, price_intervals.model_key; 5: alias_moves;
# 6: headline_spans, quality_spans

# Which price wins when several intervals of one model cover a date: a vendor-effective date beats an observed
# one, the vendor's own API beats resellers, then source priority, then the newest interval, then the cheapest.
PRICE_PRECEDENCE = """
    (p.date_kind = 'effective') DESC, p.first_party DESC, s.priority, p.effective_from DESC, p.input_usd_per_mtok"""

# Price changes beyond a factor of the previous price of the same offering, held by live ingest until a second
# observation or a review confirms them (lib.ingest.quarantine); rebuilt by replaying the kept payloads.
PRICE_QUARANTINE = """
CREATE TABLE price_quarantine (
    source_id           VARCHAR NOT NULL,
    model_id            VARCHAR NOT NULL,
    provider            VARCHAR,
    tier                VARCHAR NOT NULL,
    input_usd_per_mtok  DOUBLE,
    output_usd_per_mtok DOUBLE,
    prev_input          DOUBLE,
    prev_output         DOUBLE,
    factor              DOUBLE NOT NULL,
    sha256              VARCHAR NOT NULL,
    retrieved_at        TIMESTAMP NOT NULL,
    status              VARCHAR NOT NULL  -- held | confirmed | accepted
)"""

# An interval is closed by its explicit effective_to, else by the next row of the same model, source,
# provider and tier: appending a changed price closes the old interval without rewriting it.
# `price_intervals` is a derived table, rewritten at the end of every write transaction (build, import; see
# lib/store.py), so no reader recomputes the window. Per interval it holds the resolved end (NULL = open), the
# source's priority and `precedence`, the interval's rank under PRICE_PRECEDENCE over the whole table (1 wins),
# so "the winner among the intervals covering D" is min(precedence), a narrow aggregate, and `valid_to` (the end,
# 9999-12-31 when open). Rows are sorted by `valid_to`, then `effective_from`: for a date D, DuckDB's zone maps
# (min/max per row group) skip the row groups that all ended by D and, since intervals are short next to ten
# years, most of those that start after D; a query for today reads only the last row groups.
PRICE_INTERVALS_TABLE = f"""
CREATE OR REPLACE TABLE price_intervals AS
SELECT i.*, k.model_key, COALESCE(i.effective_to_resolved, DATE '9999-12-31') AS valid_to
FROM (
    SELECT p.*,
           s.priority AS source_priority,
           COALESCE(p.effective_to,
                    LEAD(p.effective_from) OVER (
                        PARTITION BY p.model_id, p.source_id, p.provider, p.tier
                        ORDER BY p.effective_from)) AS effective_to_resolved,
           row_number() OVER (ORDER BY {PRICE_PRECEDENCE}) AS precedence
    FROM prices p
    JOIN sources s USING (source_id)
) i
JOIN model_keys k USING (model_id)
ORDER BY valid_to, effective_from"""

# One row per model: `model_key`, its rank in display order (vendor, release date, id), so that multi-date queries
# join, group and sort on integers; and its first price date (a model without a release date exists from then).
MODEL_KEYS_TABLE = """
CREATE OR REPLACE TABLE model_keys AS
SELECT m.model_id,
       CAST(row_number() OVER (ORDER BY m.vendor, m.release_date, m.model_id) AS INTEGER) AS model_key,
       f.first_price_date
FROM models m
LEFT JOIN (SELECT model_id, min(effective_from) AS first_price_date FROM prices GROUP BY model_id) f USING (model_id)
ORDER BY model_key"""

# The headline price of each model as a timeline: one row per span of dates over which the same standard interval
# wins (the smallest `precedence` among those covering the date), with that interval's columns. Every start and
# end of a model's intervals is a boundary; each interval is mapped to the run of boundary segments it covers
# (equality joins: its ends are boundaries), the winner per segment is min(precedence) over at most a few
# overlapping series, and adjacent segments with the same winner are merged. Sorted by `valid_to`, then
# `valid_from`, like `price_intervals`: the market on one date reads only the spans covering it (one per priced
# model), and a replay maps each span to its run of dates with no aggregate (a model's spans never overlap).
HEADLINE_SPANS_TABLE = """
CREATE OR REPLACE TABLE headline_spans AS
WITH iv AS (
    SELECT model_key, precedence, effective_from, valid_to FROM price_intervals WHERE tier = 'standard'
),
segs AS (
    SELECT model_key, d AS seg_from, lead(d) OVER (PARTITION BY model_key ORDER BY d) AS seg_to,
           row_number() OVER (PARTITION BY model_key ORDER BY d) AS s
    FROM (SELECT DISTINCT model_key, d FROM (SELECT model_key, effective_from AS d FROM iv
                                             UNION ALL SELECT model_key, valid_to FROM iv))
),
covers AS (
    SELECT iv.model_key, iv.precedence, a.s AS lo, b.s AS hi
    FROM iv JOIN segs a ON a.model_key = iv.model_key AND a.seg_from = iv.effective_from
            JOIN segs b ON b.model_key = iv.model_key AND b.seg_from = iv.valid_to
),
winners AS (
    SELECT model_key, s, min(precedence) AS precedence
    FROM (SELECT model_key, precedence, unnest(range(lo, hi)) AS s FROM covers WHERE hi > lo)
    GROUP BY model_key, s
),
islands AS (
    SELECT w.model_key, w.precedence, g.seg_from, g.seg_to,
           w.s - row_number() OVER (PARTITION BY w.model_key, w.precedence ORDER BY w.s) AS island
    FROM winners w JOIN segs g USING (model_key, s)
),
spans AS (
    SELECT model_key, precedence, min(seg_from) AS valid_from, max(seg_to) AS valid_to
    FROM islands GROUP BY model_key, precedence, island
)
SELECT sp.model_key, sp.valid_from, sp.valid_to, pi.model_id, pi.precedence,
       pi.input_usd_per_mtok, pi.output_usd_per_mtok, pi.cache_read_usd_per_mtok, pi.date_kind, pi.effective_from,
       pi.effective_to_resolved, pi.provider, pi.first_party, pi.source_id, pi.source_ref
FROM spans sp JOIN price_intervals pi USING (precedence)
ORDER BY sp.valid_to, sp.valid_from"""

# Which score stands for a model when it has several: its default configuration (variant '') first, else the
# newest (then source, then the best-scoring configuration a source published); the hover names the variant.
VARIANT_PRECEDENCE = "(sc.variant = '') DESC, sc.observed_date DESC, sc.source_id, sc.value DESC"

# Each metric's score of each model as a timeline: the score that stands for the model per observed date for a
# drifting metric, valid until the model's next observation; one row valid from the start of time for any other
# metric (whatever the date: its date is provenance).
QUALITY_SPANS_TABLE = f"""
CREATE OR REPLACE TABLE quality_spans AS
WITH r AS (
    SELECT sc.metric_id, mk.model_key, sc.model_id, sc.value AS quality, sc.observed_date AS quality_observed_date,
           sc.source_id AS quality_source_id, sc.source_ref AS quality_source_ref, sc.variant AS quality_variant,
           CASE WHEN mt.drifts THEN sc.observed_date ELSE DATE '0001-01-01' END AS valid_from
    FROM scores sc JOIN metrics mt USING (metric_id) JOIN model_keys mk USING (model_id)
    QUALIFY row_number() OVER (
        PARTITION BY sc.metric_id, sc.model_id, CASE WHEN mt.drifts THEN sc.observed_date END
        ORDER BY {VARIANT_PRECEDENCE}) = 1
)
SELECT r.*, COALESCE(lead(valid_from) OVER (PARTITION BY metric_id, model_key ORDER BY valid_from),
                     DATE '9999-12-31') AS valid_to
FROM r
ORDER BY metric_id, valid_to, model_key"""

# In dependency order.
DERIVED = {"model_keys": MODEL_KEYS_TABLE, "price_intervals": PRICE_INTERVALS_TABLE,
           "headline_spans": HEADLINE_SPANS_TABLE, "quality_spans": QUALITY_SPANS_TABLE}

TABLES = {
    "sources": SOURCES,
    "snapshots": SNAPSHOTS,
    "models": MODELS,
    "aliases": ALIASES,
    "prices": PRICES,
    "metrics": METRICS,
    "scores": SCORES,
    "lineage": LINEAGE,
    "task_benchmarks": TASK_BENCHMARKS,
    "task_costs": TASK_COSTS,
    "speed": SPEED,
    "batch_discounts": BATCH_DISCOUNTS,
    "host_prices": HOST_PRICES,
    "lifecycle": LIFECYCLE,
    "fees": FEES,
    "alias_moves": ALIAS_MOVES,
    "review_queue": REVIEW_QUEUE,
    "meta": META,
    "price_quarantine": PRICE_QUARANTINE,
}

# Seed CSV file → table, in load order (referenced tables first).
SEED_FILES = ["sources", "models", "aliases", "metrics", "prices", "scores", "lineage", "task_benchmarks",
              "task_costs", "speed", "batch_discounts", "host_prices", "lifecycle", "fees", "alias_moves"]
# seed files an older or a hand-made seed may lack (the table then stays empty)
OPTIONAL_SEED_FILES = {"lifecycle", "fees", "alias_moves"}


def create_schema(con) -> None:
    for ddl in TABLES.values():
        con.execute(ddl)
    refresh_derived(con)


def refresh_derived(con) -> None:
    """Rewrite the derived tables from the clean ones (the writer calls this before every commit)."""
    for ddl in DERIVED.values():
        con.execute(ddl)
