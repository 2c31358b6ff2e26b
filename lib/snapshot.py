"""The market as of a date: every model that exists then, its price on a chosen basis, quality and frontier flag.

Shared by `python -m lib snapshot`, the frontier page and the exports.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib import frontier, pricing, queries
from lib.constants import DEFAULT_METRIC
from lib.curate.article import ARTICLE_PAIRS, COMPOSITE_METRIC
from lib.errors import UsageError

SNAPSHOT_COLUMNS = ["model_id", "vendor", "name", "release_date", "input_usd_per_mtok", "output_usd_per_mtok",
                    "blended_usd_per_mtok", "quality", "on_frontier"]


def metric_row(con, metric_id: str) -> dict:
    hit = queries.metric(con, metric_id)  # that metric's row alone (every metric's model count scans all scores)
    if hit.empty:
        raise UsageError(f"unknown metric '{metric_id}'")
    return hit.iloc[0].to_dict()


def market_as_of(con, as_of, metric_id: str = DEFAULT_METRIC, basis: str = "blended", ratio="3:1",
                 cache_hit_rate: float = 0.0, vendors=None) -> pd.DataFrame:
    """Every model existing at `as_of` with `price` (the chosen basis), `quality` and `on_frontier`."""
    metric = metric_row(con, metric_id)
    df = queries.snapshot_as_of(con, as_of, metric_id, vendors)
    return _priced(df, metric, basis, ratio, cache_hit_rate)


def markets_as_of(con, dates, metric_id: str = DEFAULT_METRIC, basis: str = "blended", ratio="3:1",
                  cache_hit_rate: float = 0.0, vendors=None) -> pd.DataFrame:
    """`market_as_of` on each of many dates, read in one SQL statement (the frames of a replay); `as_of` first,
    the Pareto flag computed within each date."""
    metric = metric_row(con, metric_id)
    df = queries.snapshots_as_of(con, dates, metric_id, vendors)
    return _priced(df, metric, basis, ratio, cache_hit_rate, by="as_of")


def replay_markets_as_of(con, dates, metric_id: str = DEFAULT_METRIC, basis: str = "blended", ratio="3:1",
                         cache_hit_rate: float = 0.0, vendors=None) -> pd.DataFrame:
    """The rows of `markets_as_of` a chart can draw (a price and a score), with only the columns a replay frame
    uses (`queries.REPLAY_COLUMNS`): the same frames at a fraction of the cost (the Pareto flag is the same, since
    a model without a price or a score is never on the frontier)."""
    metric = metric_row(con, metric_id)
    df = queries.replay_rows(con, dates, metric_id, vendors)
    return _priced(df, metric, basis, ratio, cache_hit_rate, by="as_of")


def _priced(df: pd.DataFrame, metric: dict, basis: str, ratio, cache_hit_rate: float,
            by: str | None = None) -> pd.DataFrame:
    ratio_t = pricing.parse_ratio(ratio)
    df["blended_usd_per_mtok"] = pricing.price_basis(df, "blended", ratio_t, cache_hit_rate)
    df["price"] = pricing.price_basis(df, basis, ratio_t, cache_hit_rate)
    price, quality = df["price"].to_numpy(float), df["quality"].to_numpy(float)
    hib = bool(metric["higher_is_better"])
    if by is None:
        df["on_frontier"] = frontier.pareto_mask(price, quality, higher_is_better=hib)
        return df
    on = np.zeros(len(df), dtype=bool)
    for rows in df.groupby(by, sort=False).indices.values():
        on[rows] = frontier.pareto_mask(price[rows], quality[rows], higher_is_better=hib)
    df["on_frontier"] = on
    return df


def best_covered_metric(con, as_of) -> str:
    """The metric on which most models existing at `as_of` have both a price and a score (the default view)."""
    cov = queries.metric_coverage_as_of(con, as_of)
    return str(cov.iloc[0]["metric_id"]) if not cov.empty and cov.iloc[0]["models"] > 0 else DEFAULT_METRIC


def default_metric(con, pairs=None) -> str:
    """The default metric of every page and command: the one that scores both ends of the most headline pairs
    (the article's teacher -> student pairs), then the most of their models. A tie goes to the article's
    composite metric (the headline figures are quoted on it), then to the metric scoring the most models. Chosen
    from the data, so a metric that loses a headline model loses the default; an empty store gives the constant."""

    pairs = [(p[0], p[1]) for p in (ARTICLE_PAIRS if pairs is None else pairs)]
    scored = queries.scored_models_by_metric(con)
    if scored.empty:
        return DEFAULT_METRIC
    headline = {m for p in pairs for m in p}
    ranks = []
    for metric_id, rows in scored.groupby("metric_id", sort=True):
        ids = set(rows["model_id"])
        ranks.append((sum(t in ids and s in ids for t, s in pairs), len(ids & headline),
                      metric_id == COMPOSITE_METRIC, len(ids), metric_id))
    best = min(ranks, key=lambda r: (-r[0], -r[1], not r[2], -r[3], r[4]))
    return str(best[4])


def headline_pair_coverage(con, metric_id: str, pairs=None) -> tuple[int, int]:
    """(headline pairs with both ends scored on `metric_id`, headline pairs)."""

    pairs = [(p[0], p[1]) for p in (ARTICLE_PAIRS if pairs is None else pairs)]
    scored = queries.scored_models_by_metric(con)
    ids = set(scored.loc[scored["metric_id"] == metric_id, "model_id"])
    return sum(t in ids and s in ids for t, s in pairs), len(pairs)


HISTORY_COLUMNS = ["model_id", "effective_from", "effective_to", "input_usd_per_mtok", "output_usd_per_mtok",
                   "date_kind", "source_id", "source_ref"]


def headline_price_history(con, model_id: str) -> pd.DataFrame:
    """The price the rest of the dashboard uses for one model, over time: the store's as-of answer (the model's
    spans in `headline_spans`, the same precedence) from its release on; consecutive equal prices merged, gaps
    with no price left out. Equal to the as-of answer asked at every bound of the model's intervals
    (tests/test_scale.py::_headline_histories_at_bounds)."""
    spans = queries.headline_history(con, model_id)
    if spans.empty:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    release = queries.release_date(con, model_id)
    start = pd.Timestamp(release) if release is not None else spans["valid_from"].min()
    spans = spans[spans["valid_to"] > start].reset_index(drop=True)
    if spans.empty:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    open_end = spans["valid_to"] == pd.Timestamp("9999-12-31")
    out = pd.DataFrame({
        "model_id": model_id,
        "effective_from": spans["valid_from"].where(spans["valid_from"] > start, start).astype("datetime64[s]"),
        "effective_to": spans["valid_to"].where(~open_end).astype("datetime64[s]"),
        "input_usd_per_mtok": spans["input_usd_per_mtok"].to_numpy(float),
        "output_usd_per_mtok": spans["output_usd_per_mtok"].to_numpy(float),
        "date_kind": spans["date_kind"].to_numpy(),
        "source_id": spans["source_id"].to_numpy(),
        "source_ref": spans["source_ref"].to_numpy(),
    })
    return _merge_equal_runs(out[out["input_usd_per_mtok"].notna() | out["output_usd_per_mtok"].notna()])


def _merge_equal_runs(out: pd.DataFrame) -> pd.DataFrame:
    """A row merged into the previous one when it continues it at the same price (no change event there)."""
    same = (out["input_usd_per_mtok"].eq(out["input_usd_per_mtok"].shift())
            & out["output_usd_per_mtok"].eq(out["output_usd_per_mtok"].shift())
            & out["effective_from"].eq(out["effective_to"].shift()))
    if not same.any():  # nothing to merge (most models): the rows as they are, as the grouping gives them
        return out[HISTORY_COLUMNS].reset_index(drop=True)
    group = (~same).cumsum()
    merged = out.groupby(group, sort=False).agg(
        model_id=("model_id", "first"), effective_from=("effective_from", "first"),
        effective_to=("effective_to", lambda s: s.iloc[-1]), input_usd_per_mtok=("input_usd_per_mtok", "first"),
        output_usd_per_mtok=("output_usd_per_mtok", "first"), date_kind=("date_kind", "first"),
        source_id=("source_id", "first"), source_ref=("source_ref", "first"))
    return merged[HISTORY_COLUMNS].reset_index(drop=True)
