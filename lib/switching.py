"""The switching calculator: for a workload and a model used since a date, what moving to the cheapest model of
at least the same quality would have saved, month by month, replaying the stored prices.

Pure core on a month-end market series (lib.distillation.market_series) plus a DB-backed entry.

Rules: at each month end the current model's cost is the workload at its price in force then (input and output
prices, so the workload's own mix counts, not a 3:1 blend); the alternative is the model with the lowest cost
for the same workload among those scoring at least the current model's score on the metric (the frontier model
of that quality for this workload); the current model qualifies itself, so a saving is never negative. A month
where the current model has no price or no score has no row.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib import distillation, pricing, queries, snapshot, views
from lib.errors import UsageError

__all__ = ["COLUMNS", "switching_savings", "switching_from_db"]

COLUMNS = ["month", "current_cost", "alternative", "alternative_cost", "saving", "cumulative_saving",
           "current_quality", "alternative_quality"]


def switching_savings(series: pd.DataFrame, model_id: str, input_tokens: float, output_tokens: float,
                      higher_is_better: bool = True, reviewed_only: bool = False) -> pd.DataFrame:
    """Month-by-month costs and savings (``COLUMNS``) on ``series`` (``as_of, model_id, input_usd_per_mtok,
    output_usd_per_mtok, quality`` [, ``status``]); token counts are per month (absolute, not millions).
    ``reviewed_only`` limits the alternatives to hand-reviewed models (``status == "reviewed"``)."""
    if input_tokens < 0 or output_tokens < 0 or input_tokens + output_tokens == 0:
        raise UsageError("the workload needs a positive number of input or output tokens per month")
    s = series.copy()
    s["cost"] = pricing.monthly_cost(s["input_usd_per_mtok"].astype(float), s["output_usd_per_mtok"].astype(float),
                                     input_tokens, output_tokens)
    s["quality"] = pd.to_numeric(s["quality"], errors="coerce")
    s = s.loc[np.isfinite(s["cost"]) & s["quality"].notna()]
    rows = []
    for as_of, g in s.groupby("as_of", sort=True):
        me = g.loc[g["model_id"] == model_id]
        if me.empty:
            continue
        cur = me.iloc[0]
        ok = g.loc[g["quality"] >= cur["quality"]] if higher_is_better else g.loc[g["quality"] <= cur["quality"]]
        if reviewed_only and "status" in ok:
            ok = ok.loc[(ok["status"] == "reviewed") | (ok["model_id"] == model_id)]
        best = ok.sort_values(["cost", "quality", "model_id"], ascending=[True, not higher_is_better, True]).iloc[0]
        if best["cost"] >= cur["cost"]:  # no cheaper model of that quality: staying is the best
            best = cur
        rows.append({"month": pd.Timestamp(as_of), "current_cost": float(cur["cost"]),
                     "alternative": best["model_id"], "alternative_cost": float(best["cost"]),
                     "saving": float(cur["cost"] - best["cost"]), "current_quality": float(cur["quality"]),
                     "alternative_quality": float(best["quality"])})
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "cumulative_saving"])
    out["cumulative_saving"] = out["saving"].cumsum()
    return out[COLUMNS]


def switching_from_db(con, model_id: str, since, metric_id: str, input_tokens: float,
                      output_tokens: float, reviewed_only: bool = False) -> pd.DataFrame:
    """The calculator on the store: every month end from ``since`` to the data's newest day."""

    if model_id not in queries.model_ids(con):
        raise UsageError(f"unknown model '{model_id}'")
    metric = snapshot.metric_row(con, metric_id)
    _, hi = distillation.data_end(con)
    since = pd.Timestamp(since).date()
    if hi is None or since > hi:
        raise UsageError(f"the start date {since} is after the data's newest day {hi}")
    series = distillation.market_series(con, views.month_ends(since, hi), metric_id)
    return switching_savings(series, model_id, input_tokens, output_tokens,
                             bool(metric.get("higher_is_better", True)), reviewed_only)
