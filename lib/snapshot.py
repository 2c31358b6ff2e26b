"""The market as of a date: every model that exists then, its price on a chosen basis, quality and frontier flag.

Shared by `python -m lib snapshot`, the frontier page and the exports.
"""
from __future__ import annotations

import pandas as pd

from lib import frontier, pricing, queries
from lib.errors import UsageError

DEFAULT_METRIC = "aa_quality_2024"
SNAPSHOT_COLUMNS = ["model_id", "vendor", "name", "release_date", "input_usd_per_mtok", "output_usd_per_mtok",
                    "blended_usd_per_mtok", "quality", "on_frontier"]


def metric_row(con, metric_id: str) -> dict:
    m = queries.metrics(con)
    hit = m[m["metric_id"] == metric_id]
    if hit.empty:
        raise UsageError(f"unknown metric '{metric_id}'")
    return hit.iloc[0].to_dict()


def market_as_of(con, as_of, metric_id: str = DEFAULT_METRIC, basis: str = "blended", ratio="3:1",
                 cache_hit_rate: float = 0.0, vendors=None) -> pd.DataFrame:
    """Every model existing at `as_of` with `price` (the chosen basis), `quality` and `on_frontier`."""
    metric = metric_row(con, metric_id)
    df = queries.snapshot_as_of(con, as_of, metric_id, vendors)
    ratio_t = pricing.parse_ratio(ratio)
    df["blended_usd_per_mtok"] = pricing.price_basis(df, "blended", ratio_t, cache_hit_rate)
    df["price"] = pricing.price_basis(df, basis, ratio_t, cache_hit_rate)
    df["on_frontier"] = frontier.pareto_mask(df["price"].to_numpy(float), df["quality"].to_numpy(float),
                                             higher_is_better=bool(metric["higher_is_better"]))
    return df


def best_covered_metric(con, as_of) -> str:
    """The metric on which most models existing at `as_of` have both a price and a score (the default view)."""
    cov = queries.metric_coverage_as_of(con, as_of)
    return str(cov.iloc[0]["metric_id"]) if not cov.empty and cov.iloc[0]["models"] > 0 else DEFAULT_METRIC
