"""Forecasts from the cost-to-reach trend, each with its 90 % interval, and a backtest that scores them.

Pure core on the trend table (``model, release_date, price, score``; lib.trends) plus DB-backed entries.

Method: Epoch AI's lowest-price walk and log-linear fit (lib.trends), extended with the ordinary least-squares
**90 % prediction interval** of a new point, ``ŷ(x) ± t(0.95, n−2) · s · sqrt(1 + 1/n + (x − x̄)² / Sxx)``:
- the price at a date is ``10**ŷ`` with the band's ends as its interval;
- the date at which a qualifying model costs at most $Y is where the fitted line reaches log10 Y; its interval is
  the set of dates at which log10 Y lies inside the band (from where the band's lower edge reaches Y to where
  its upper edge does). When the fitted slope is not below zero at 90 % the upper end is open (``None``).
- If a qualifying model at or below $Y already exists, the answer is that model's release date (method
  ``observed``), not a forecast.

Backtest: fit on the data released up to a cut-off (prices at release, as known then), then, for each later
model that set a new lowest price above the threshold, ask the forecast "when will a model scoring ≥ X cost ≤
its price" and compare with its release date: the share of actual dates inside the 90 % interval, and the
median absolute error of the central date in days. Thresholds default to the scores of the pre-cut-off models
at several quantiles (those with enough points for a fit); a threshold whose pre-cut-off fit does not fall
significantly (an open date interval, which would cover anything) is left out and listed; every (threshold,
held-out point) pair counts once.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib import queries, trends
from lib.distillation import data_end
from lib.errors import UsageError

__all__ = [
    "METHOD", "LineFit", "fit_line", "forecast_price", "forecast_date", "mark_overdue", "date_for_price", "backtest", "default_thresholds",
    "forecast_from_db", "backtest_from_db", "backtestable_metric", "display_rows",
]

METHOD = ("Epoch AI lowest-price walk, least squares of log10(price) on years, "
          "90 % prediction interval (Student t, n-2)")
LEVEL = 0.90
_HORIZON_YEARS = 60.0  # search bound for the date of a price; beyond it an interval end is reported open


@dataclass
class LineFit:
    """log10(price) = a + b · years since ``origin``, with what the prediction interval needs."""

    n: int
    a: float
    b: float
    s: float       # residual standard error
    xbar: float
    sxx: float
    t: float       # t(0.95, n-2)
    b_se: float
    origin: pd.Timestamp
    points: pd.DataFrame
    threshold: float

    def years(self, date) -> float:
        return (pd.Timestamp(date) - self.origin) / pd.Timedelta(days=trends.DAYS_PER_YEAR)

    def date(self, years: float) -> pd.Timestamp:
        return (self.origin + pd.Timedelta(days=years * trends.DAYS_PER_YEAR)).normalize()

    def centre(self, x):
        return self.a + self.b * np.asarray(x, dtype=float)

    def half_width(self, x):
        x = np.asarray(x, dtype=float)
        return self.t * self.s * np.sqrt(1.0 + 1.0 / self.n + (x - self.xbar) ** 2 / self.sxx)

    @property
    def falls_significantly(self) -> bool:
        return self.b + self.t * self.b_se < 0


def fit_line(points: pd.DataFrame, threshold: float = float("nan")) -> LineFit:
    """Fit on lowest-price-walk points (``release_date, price``). UsageError with too few points."""
    pts = points.reset_index(drop=True)
    n = len(pts)
    if n < trends.MIN_POINTS:
        raise UsageError(f"too few points: {n} model(s) set a new lowest price at score >= {threshold:g}, "
                         f"need at least {trends.MIN_POINTS}; lower the threshold")
    dates = pd.to_datetime(pts["release_date"])
    origin = dates.min()
    x = ((dates - origin) / pd.Timedelta(days=1)).to_numpy(dtype=float) / trends.DAYS_PER_YEAR
    y = np.log10(pts["price"].to_numpy(dtype=float))
    if np.ptp(x) == 0:
        raise UsageError("all points share one release date; no trend to fit")
    res = trends.least_squares(x, y)
    resid = y - (res.intercept + res.slope * x)
    s = math.sqrt(float(np.sum(resid ** 2)) / (n - 2))
    return LineFit(n=n, a=float(res.intercept), b=float(res.slope), s=s, xbar=float(x.mean()),
                   sxx=float(np.sum((x - x.mean()) ** 2)), t=trends.t_quantile(0.5 + LEVEL / 2, n - 2),
                   b_se=float(res.stderr), origin=origin, points=pts, threshold=threshold)


def _walk_fit(table: pd.DataFrame, threshold: float) -> LineFit:
    return fit_line(trends.lowest_price_walk(table, threshold), threshold)


def forecast_price(table: pd.DataFrame, threshold: float, date) -> dict:
    """Cheapest price of a model scoring >= threshold at ``date``: ``{"price", "low", "high", "method", "n"}``."""
    fit = _walk_fit(table, threshold)
    x = fit.years(date)
    c, h = float(fit.centre(x)), float(fit.half_width(x))
    return {"date": pd.Timestamp(date).strftime("%Y-%m-%d"), "price": 10 ** c, "low": 10 ** (c - h),
            "high": 10 ** (c + h), "method": METHOD, "n": fit.n}


def _crossing(f, lo: float, hi: float) -> float | None:
    """Root of a function that goes from >0 to <=0 on [lo, hi] (None if it never does)."""
    from scipy.optimize import brentq

    grid = np.linspace(lo, hi, 400)
    vals = np.array([f(g) for g in grid])
    below = np.flatnonzero(vals <= 0)
    if below.size == 0:
        return None
    i = below[0]
    if i == 0:  # already below at the search's start: the interval is open on that side
        return None
    return float(brentq(f, grid[i - 1], grid[i]))


def date_for_price(fit: LineFit, price: float) -> dict:
    """When the fitted trend reaches ``price``, with the 90 % interval (see the module docstring)."""
    if not (price > 0 and np.isfinite(price)):
        raise UsageError(f"price must be a positive number of USD per million tokens, got {price!r}")
    ly = math.log10(price)
    x0 = -_HORIZON_YEARS  # years are counted from the first point
    x1 = float(fit.years(fit.points["release_date"].max())) + _HORIZON_YEARS
    centre = (ly - fit.a) / fit.b if fit.b < 0 else None
    low = _crossing(lambda x: fit.centre(x) - fit.half_width(x) - ly, x0, x1)
    high = _crossing(lambda x: fit.centre(x) + fit.half_width(x) - ly, x0, x1) if fit.falls_significantly \
        else None

    def d(x):
        if x is None or not np.isfinite(x) or x < x0 or x > x1:
            return None
        return fit.date(x).strftime("%Y-%m-%d")

    return {"date": d(centre), "low": d(low), "high": d(high), "method": METHOD, "n": fit.n,
            "factor_per_year": 10 ** -fit.b}


def forecast_date(table: pd.DataFrame, threshold: float, price: float) -> dict:
    """``{"date", "low", "high", "method", ...}``: when a model scoring >= threshold will cost <= price.

    Already happened → the first such model's release date, method ``observed``."""
    if not (price > 0 and np.isfinite(price)):
        raise UsageError(f"price must be a positive number of USD per million tokens, got {price!r}")
    walk = trends.lowest_price_walk(table, threshold)
    done = walk.loc[walk["price"] <= price]
    if len(done):
        first = done.iloc[0]
        day = pd.Timestamp(first["release_date"]).strftime("%Y-%m-%d")
        return {"date": day, "low": day, "high": day, "method": "observed", "n": len(walk),
                "model": str(first["model"])}
    return date_for_price(fit_line(walk, threshold), price)


def mark_overdue(forecast: dict, today) -> dict:
    """Add ``overdue``: the trend's central date has passed and no qualifying model at that price exists yet
    (the trend has slowed, or the walk's last points were outliers)."""
    due = forecast.get("date")
    overdue = bool(forecast.get("method") != "observed" and due and pd.Timestamp(due) < pd.Timestamp(today))
    return {**forecast, "overdue": overdue}


def default_thresholds(table: pd.DataFrame, cutoff, quantiles=(0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)) -> list[float]:
    """Score levels for a backtest: quantiles of the scores of models released up to the cut-off, kept where the
    pre-cut-off walk has enough points for a fit and at least one later model set a new low."""
    t = table.assign(release_date=pd.to_datetime(table["release_date"]))
    pre = t.loc[t["release_date"] <= pd.Timestamp(cutoff)]
    if pre.empty:
        return []
    out = []
    for q in sorted(set(np.round(pre["score"].astype(float).quantile(list(quantiles)).to_numpy(), 2))):
        walk = trends.lowest_price_walk(t, q)
        before = (pd.to_datetime(walk["release_date"]) <= pd.Timestamp(cutoff)).sum()
        if before >= trends.MIN_POINTS and before < len(walk):
            out.append(float(q))
    return out


def backtest(table: pd.DataFrame, cutoff, thresholds=None) -> dict:
    """``{"n", "coverage_90", "median_abs_error_days", "cutoff", "thresholds", "points"}`` (see module doc).

    ``table`` may carry ``price_date`` (when the price was set): pre-cut-off rows priced after the cut-off are
    left out of the fit (not known then)."""
    cutoff = pd.Timestamp(cutoff)
    t = table.assign(release_date=pd.to_datetime(table["release_date"]))
    known = t["release_date"] <= cutoff
    if "price_date" in t:
        known &= pd.to_datetime(t["price_date"]) <= cutoff
    pre = t.loc[known]
    thresholds = default_thresholds(t, cutoff) if thresholds is None else [float(x) for x in thresholds]
    rows, used, skipped = [], [], []
    for thr in thresholds:
        try:
            fit = _walk_fit(pre, thr)
        except UsageError:
            continue
        if not fit.falls_significantly:  # no date forecast then (its interval is open): nothing to score
            skipped.append(thr)
            continue
        walk = trends.lowest_price_walk(t, thr)
        later = walk.loc[pd.to_datetime(walk["release_date"]) > cutoff]
        if later.empty:
            continue
        used.append(thr)
        for r in later.itertuples():
            f = date_for_price(fit, float(r.price))
            actual = pd.Timestamp(r.release_date)
            lo = pd.Timestamp(f["low"]) if f["low"] else pd.Timestamp.min
            hi = pd.Timestamp(f["high"]) if f["high"] else pd.Timestamp.max
            err = abs((pd.Timestamp(f["date"]) - actual).days) if f["date"] else None
            rows.append({"threshold": thr, "model": r.model, "release_date": actual.strftime("%Y-%m-%d"),
                         "price": float(r.price), "predicted": f["date"], "low": f["low"], "high": f["high"],
                         "inside_90": bool(lo <= actual <= hi), "abs_error_days": err})
    pts = pd.DataFrame(rows, columns=["threshold", "model", "release_date", "price", "predicted", "low", "high",
                                      "inside_90", "abs_error_days"])
    errs = pd.to_numeric(pts["abs_error_days"], errors="coerce").dropna()
    return {"n": int(len(pts)),
            "coverage_90": float(pts["inside_90"].mean()) if len(pts) else None,
            "median_abs_error_days": float(errs.median()) if len(errs) else None,
            "cutoff": cutoff.strftime("%Y-%m-%d"), "thresholds": used, "thresholds_without_a_fall": skipped,
            "method": METHOD,
            "points": pts}


# --- DB-backed entries ------------------------------------------------------------------------------------------

def forecast_from_db(con, metric_id: str, threshold: float, price: float | None = None, date=None,
                     basis: str = "blended", ratio="3:1") -> dict:
    """The forecast on the store's trend table (prices at release): a date for ``price``, or a price at ``date``."""
    if (price is None) == (date is None):
        raise UsageError("give exactly one of --price (when will it cost this?) or --date (what will it cost?)")
    table = trends.trend_table_from_db(con, metric_id, price_date="release", basis=basis, ratio=ratio)
    if price is not None:

        out = mark_overdue(forecast_date(table, threshold, price), data_end(con)[1])
    else:
        out = forecast_price(table, threshold, date)
    return {**out, "metric": metric_id, "threshold": float(threshold)}


def backtest_from_db(con, metric_id: str, cutoff, thresholds=None, basis: str = "blended", ratio="3:1") -> dict:
    table = trends.trend_table_from_db(con, metric_id, price_date="release", basis=basis, ratio=ratio)
    return {**backtest(table, cutoff, thresholds), "metric": metric_id}


def backtestable_metric(con, cutoff, preferred: str, tries: int = 4) -> str:
    """The metric a forecast view opens on: ``preferred`` when the method can be backtested on it at ``cutoff``
    (a forecast is shown only with its backtest score), else the first metric on which it can, trying metrics in
    order of the scored models released on the scarcer side of the cut-off (at most ``tries`` backtests in all).
    ``preferred`` when none can."""
    scored = queries.scored_models_by_metric(con)
    if scored.empty:
        return preferred
    released = queries.models(con)[["model_id", "release_date"]]
    t = scored.merge(released, on="model_id", how="inner")
    day = pd.to_datetime(t["release_date"], errors="coerce")
    cut = pd.Timestamp(cutoff)
    sides = pd.DataFrame({"metric_id": t["metric_id"], "before": day <= cut, "after": day > cut})
    sides = sides.groupby("metric_id")[["before", "after"]].sum()
    sides["scarcer"] = sides[["before", "after"]].min(axis=1)
    ranked = sides.sort_values(["scarcer", "before"], ascending=False).index.tolist()
    order = [preferred, *[m for m in ranked if m != preferred and sides.loc[m, "scarcer"] > 0]]
    for metric_id in order[:tries]:
        if backtest_from_db(con, metric_id, cutoff)["n"]:
            return metric_id
    return preferred


def display_rows(points: pd.DataFrame) -> pd.DataFrame:
    """Backtest points as a reader sees them."""
    return pd.DataFrame({
        "level": [f"≥ {x:g}" for x in points["threshold"]], "model": points["model"].to_numpy(),
        "released": points["release_date"].to_numpy(), "price": [f"${x:.3g}" for x in points["price"]],
        "forecast": points["predicted"].to_numpy(),
        "90 % interval": [f"{a or 'open'} – {b or 'open'}" for a, b in zip(points["low"], points["high"])],
        "inside": ["yes" if x else "no" for x in points["inside_90"]],
        "error (days)": points["abs_error_days"].to_numpy(),
    })
