"""Three ways to measure how fast reaching a quality level gets cheaper, on the same data, side by side.

Pure core on a trend table (lib.trends) and a month-end market series (lib.distillation.market_series), plus a
DB-backed entry. Published rates differ (5× to 900× per year) mostly because they measure different things:
- ``epoch``: Epoch AI's — models at or above the threshold, walked in release order; each new lowest price (at
  release) is a point; least squares of log10(price) on years; 90 % confidence interval of the slope.
- ``llmflation``: a16z's "LLMflation" style — the cheapest price of any model at or above the threshold in each
  calendar year (any model on sale at a month end of that year, at the price in force then); the factor per year
  is the first-to-last ratio over the years between (no interval: two points).
- ``frontier``: the cheapest price at or above the threshold at every month end (price cuts included), least
  squares of log10(price) on years over the months since it was first reached. Its interval treats months as
  independent, which they are not (the same model for months): read it as too narrow.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib import distillation, trends, views

__all__ = ["METHODS", "COLUMNS", "llmflation_years", "frontier_months", "compare", "compare_from_db", "display_rows"]

METHODS = {
    "epoch": "Epoch AI: each new lowest price at release, log-linear fit",
    "llmflation": "LLMflation: cheapest model per calendar year, first-to-last ratio",
    "frontier": "Frontier price at fixed quality: cheapest at every month end (price cuts included), log-linear fit",
}
COLUMNS = ["threshold", "method", "definition", "factor_per_year", "ci90_low", "ci90_high", "points", "first",
           "last", "first_price", "last_price"]


def _cheapest_per_date(series: pd.DataFrame, threshold: float) -> pd.DataFrame:
    s = series.loc[(pd.to_numeric(series["quality"], errors="coerce") >= threshold)
                   & np.isfinite(pd.to_numeric(series["price"], errors="coerce")) & (series["price"] > 0)]
    s = s.sort_values(["as_of", "price", "model_id"], kind="stable").drop_duplicates("as_of")
    return s[["as_of", "model_id", "price"]].reset_index(drop=True)


def llmflation_years(series: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Per calendar year: the cheapest qualifying price at any month end of the year: ``year, price, model_id``."""
    c = _cheapest_per_date(series, threshold)
    if c.empty:
        return pd.DataFrame(columns=["year", "price", "model_id"])
    c["year"] = pd.to_datetime(c["as_of"]).dt.year
    c = c.sort_values(["year", "price"], kind="stable").drop_duplicates("year")
    return c[["year", "price", "model_id"]].reset_index(drop=True)


def frontier_months(series: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Cheapest qualifying price at each month end, from the first month it is reached: ``as_of, model_id, price``."""
    return _cheapest_per_date(series, threshold)


def _row(threshold, method, fit=None, **kw) -> dict:
    r = {"threshold": float(threshold), "method": method, "definition": METHODS[method], "factor_per_year": np.nan,
         "ci90_low": np.nan, "ci90_high": np.nan, "points": 0, "first": None, "last": None, "first_price": np.nan,
         "last_price": np.nan}
    if fit is not None:
        r.update(factor_per_year=fit.factor_per_year if fit.ok else np.nan,
                 ci90_low=fit.ci90[0] if fit.ok else np.nan, ci90_high=fit.ci90[1] if fit.ok else np.nan,
                 points=fit.n)
        if fit.n:
            p = fit.points.sort_values("release_date")
            r.update(first=pd.Timestamp(p["release_date"].iloc[0]), last=pd.Timestamp(p["release_date"].iloc[-1]),
                     first_price=float(p["price"].iloc[0]), last_price=float(p["price"].iloc[-1]))
    r.update(kw)
    return r


def compare(table: pd.DataFrame, series: pd.DataFrame, thresholds) -> pd.DataFrame:
    """One row per (threshold, method): factor per year, its 90 % interval where the method has one, points and
    span. ``table``: the trend table (prices at release); ``series``: month-end market snapshots."""
    rows = []
    for thr in thresholds:
        thr = float(thr)
        rows.append(_row(thr, "epoch", trends.price_trend(table, threshold=thr)))
        years = llmflation_years(series, thr)
        r = _row(thr, "llmflation", points=len(years))
        if len(years) >= 2 and years["year"].iloc[-1] > years["year"].iloc[0]:
            span = years["year"].iloc[-1] - years["year"].iloc[0]
            p0, p1 = float(years["price"].iloc[0]), float(years["price"].iloc[-1])
            r.update(factor_per_year=(p0 / p1) ** (1.0 / span), first=pd.Timestamp(f"{years['year'].iloc[0]}-01-01"),
                     last=pd.Timestamp(f"{years['year'].iloc[-1]}-01-01"), first_price=p0, last_price=p1)
        rows.append(r)
        months = frontier_months(series, thr)
        pts = pd.DataFrame({"model": months["model_id"], "release_date": months["as_of"], "price": months["price"],
                            "score": thr})
        rows.append(_row(thr, "frontier", trends.fit_log_price_trend(pts, thr)))
    return pd.DataFrame(rows, columns=COLUMNS)


def compare_from_db(con, metric_id: str, thresholds, basis: str = "blended", ratio="3:1") -> pd.DataFrame:

    table = trends.trend_table_from_db(con, metric_id, price_date="release", basis=basis, ratio=ratio)
    lo, hi = distillation.data_end(con)
    series = distillation.market_series(con, views.month_ends(lo, hi), metric_id, basis, ratio)
    return compare(table, series, thresholds)


def display_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison as a reader sees it: "N× per year", its interval, points and span."""
    def fx(x):
        return "–" if not np.isfinite(x) else (f"{x:.1f}×" if x < 10 else f"{x:,.0f}×")

    def day(d):
        return "" if d is None or d != d else pd.Timestamp(d).strftime("%Y-%m")

    return pd.DataFrame({
        "level": [f"≥ {x:g}" for x in table["threshold"]], "method": table["method"].to_numpy(),
        "cheaper per year": [fx(x) for x in table["factor_per_year"].astype(float)],
        "90 % interval": [f"{fx(a)} – {fx(b)}" if np.isfinite(a) else "–"
                          for a, b in zip(table["ci90_low"].astype(float), table["ci90_high"].astype(float))],
        "points": table["points"].astype(int).to_numpy(),
        "from": [day(d) for d in table["first"]], "to": [day(d) for d in table["last"]],
    })
