"""Cost of reaching a quality level over time, by Epoch AI's method, plus frontier price at fixed quality levels.

Pure core on a plain table (``model, release_date, price, score``) and a thin DB-backed entry; no Streamlit here.

Method (Epoch AI, "LLM inference prices have fallen rapidly but unequally across tasks", 2025; code in
epoch-research/llm-benchmark-efficiency): keep the models whose score is at least the threshold, walk them in
release-date order and keep each one that sets a new lowest price (strictly lower than every earlier kept or
skipped one); fit least squares of log10(price) on time in years; the price falls by ``10**-slope`` per year. The
90 % confidence interval uses Student's t with n - 2 degrees of freedom on the slope. Fewer than 4 points is "too
few points": no fit is reported.

Choices fixed here (checked against Epoch's published table, see tests/test_trends.py):
- Time is measured in days / 365 from the first point, as Epoch does (365.25 shifts every factor by ~0.2-0.5 %) (the origin does not change the slope).
- The threshold interval is closed: a score equal to the threshold qualifies (Epoch writes "[43.9, 100]").
- Two rows released the same day are walked cheapest first, so only the cheaper one can set the new low.
- A named threshold model takes the score of its earliest row (its launch row when a model appears at several
  price dates).
- Epoch leaves reasoning models (o1, o1-mini, o1-preview, o3-mini, DeepSeek-R1) out; pass them as ``exclude`` to
  match. Without that, o1-mini sets a new low in two GPQA rows and those two factors differ (574 vs 851, 366 vs
  251). With it, all 21 published rows are reproduced to < 0.01 %.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib import clock, costs, queries
from lib.errors import UsageError

__all__ = [
    "MIN_POINTS", "DAYS_PER_YEAR", "TrendFit", "lowest_price_walk", "fit_log_price_trend", "threshold_for_model",
    "price_trend", "trend_table_from_db", "price_trend_from_db", "frontier_price_at_levels", "price_dates",
    "newest_date", "parse_date",
]

MIN_POINTS = 4
DAYS_PER_YEAR = 365.0


@dataclass
class TrendFit:
    """Result of a fit. ``ok`` is False (and the numbers NaN) when there were too few points."""

    n: int
    points: pd.DataFrame
    threshold: float = float("nan")
    factor_per_year: float = float("nan")
    ci90: tuple[float, float] = (float("nan"), float("nan"))
    r_squared: float = float("nan")
    slope_log10_per_year: float = float("nan")
    slope_stderr: float = float("nan")
    intercept_log10: float = float("nan")
    origin: pd.Timestamp | None = None
    message: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.n >= MIN_POINTS and np.isfinite(self.factor_per_year)

    def to_dict(self) -> dict:
        """The CLI's JSON form: factor_per_year, ci90, r_squared, n, points (None where not fitted)."""
        def num(x):
            return float(x) if np.isfinite(x) else None

        pts = self.points
        return {
            "factor_per_year": num(self.factor_per_year),
            "ci90": [num(self.ci90[0]), num(self.ci90[1])],
            "r_squared": num(self.r_squared),
            "n": int(self.n),
            "threshold": num(self.threshold),
            "message": self.message,
            "points": [
                {"model": str(m), "release_date": pd.Timestamp(d).strftime("%Y-%m-%d"), "price": float(p),
                 "score": float(s)}
                for m, d, p, s in zip(pts["model"], pts["release_date"], pts["price"], pts["score"])
            ],
        }


def _prepare(df: pd.DataFrame) -> pd.DataFrame:
    missing = {"model", "release_date", "price", "score"} - set(df.columns)
    if missing:
        raise UsageError(f"trend table lacks column(s) {', '.join(sorted(missing))}; "
                         "expected model,release_date,price,score")
    out = df[["model", "release_date", "price", "score"]].copy()
    out["release_date"] = pd.to_datetime(out["release_date"], errors="coerce")
    out["price"] = pd.to_numeric(out["price"], errors="coerce")
    out["score"] = pd.to_numeric(out["score"], errors="coerce")
    return out


def lowest_price_walk(df: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Rows with ``score >= threshold`` that set a new lowest price in release order (columns as input).

    Rows with a missing date, price or score, or a non-positive price (log undefined), are left out.
    """
    t = _prepare(df)
    keep = (t["score"] >= threshold) & t["release_date"].notna() & np.isfinite(t["price"]) & (t["price"] > 0)
    t = t.loc[keep].sort_values(["release_date", "price"], kind="stable")
    prices = t["price"].to_numpy(dtype=float)
    if prices.size == 0:
        return t.reset_index(drop=True)
    best_before = np.r_[np.inf, np.minimum.accumulate(prices)[:-1]]
    return t.loc[prices < best_before].reset_index(drop=True)


@dataclass(frozen=True)
class LeastSquares:
    slope: float
    intercept: float
    rvalue: float
    stderr: float  # of the slope


def least_squares(x: np.ndarray, y: np.ndarray) -> LeastSquares:
    """`scipy.stats.linregress(x, y)` for three or more points, by its own formulas (the same floats: a test
    compares them), without importing `scipy.stats` (~1.4 CPU-s in a new process: a server's first Trends or
    Outlook page, every CLI run that fits a trend)."""
    n = len(x)
    if n < 3 or np.amax(x) == np.amin(x):
        raise ValueError("least_squares needs three or more points with more than one x")
    xmean, ymean = np.mean(x, None), np.mean(y, None)
    ssxm, ssxym, _, ssym = np.cov(x, y, bias=1).flat
    if ssxm == 0.0 or ssym == 0.0:
        r = np.asarray(np.nan if ssxym == 0 else 0.0)[()]
    else:
        r = min(1.0, max(-1.0, ssxym / np.sqrt(ssxm * ssym)))
    slope = ssxym / ssxm
    return LeastSquares(slope=slope, intercept=ymean - slope * xmean, rvalue=r,
                        stderr=np.sqrt((1 - r ** 2) * ssym / ssxm / (n - 2)))


def t_quantile(q: float, df: float) -> float:
    """`scipy.stats.t.ppf(q, df)` (Student's t quantile), from `scipy.special`, which imports in a third of the
    time of `scipy.stats`."""
    from scipy.special import stdtrit

    return float(stdtrit(df, q))


def fit_log_price_trend(points: pd.DataFrame, threshold: float = float("nan")) -> TrendFit:
    """Least squares of log10(price) on years since the first point; factor per year = 10**-slope."""
    points = points.reset_index(drop=True)
    n = len(points)
    if n < MIN_POINTS:
        return TrendFit(n=n, points=points, threshold=threshold,
                        message=f"too few points: {n} model(s) set a new lowest price, need at least {MIN_POINTS}")
    dates = pd.to_datetime(points["release_date"])
    origin = dates.min()
    x = ((dates - origin) / pd.Timedelta(days=1)).to_numpy(dtype=float) / DAYS_PER_YEAR
    y = np.log10(points["price"].to_numpy(dtype=float))
    if np.ptp(x) == 0:
        return TrendFit(n=n, points=points, threshold=threshold, message="all points share one release date")
    res = least_squares(x, y)
    t = t_quantile(0.95, n - 2)
    lo_slope, hi_slope = res.slope - t * res.stderr, res.slope + t * res.stderr
    return TrendFit(
        n=n, points=points, threshold=threshold,
        factor_per_year=float(10 ** -res.slope),
        ci90=(float(10 ** -hi_slope), float(10 ** -lo_slope)),
        r_squared=float(res.rvalue ** 2),
        slope_log10_per_year=float(res.slope), slope_stderr=float(res.stderr),
        intercept_log10=float(res.intercept), origin=origin,
    )


def threshold_for_model(df: pd.DataFrame, model: str) -> float:
    """Score of ``model`` in the table (its earliest row). UsageError if unknown or unscored."""
    t = _prepare(df)
    rows = t.loc[t["model"] == model].sort_values("release_date", kind="stable")
    if rows.empty:
        raise UsageError(f"unknown threshold model {model!r}")
    scored = rows["score"].dropna()
    if scored.empty:
        raise UsageError(f"threshold model {model!r} has no score for this metric")
    return float(scored.iloc[0])


def price_trend(df: pd.DataFrame, threshold: float | None = None, threshold_model: str | None = None,
                exclude=()) -> TrendFit:
    """Epoch-style trend on a ``model, release_date, price, score`` table.

    Give exactly one of ``threshold`` (a score) or ``threshold_model`` (use that model's score). ``exclude``
    drops models by name before the walk (Epoch leaves reasoning models out).
    """
    if (threshold is None) == (threshold_model is None):
        raise UsageError("give exactly one of a threshold score or a threshold model")
    if exclude:
        df = df.loc[~df["model"].isin(list(exclude))]
    if threshold_model is not None:
        threshold = threshold_for_model(df, threshold_model)
    threshold = float(threshold)
    if not np.isfinite(threshold):
        raise UsageError(f"threshold must be a number, got {threshold!r}")
    return fit_log_price_trend(lowest_price_walk(df, threshold), threshold=threshold)


# --- DB-backed entry -------------------------------------------------------------------------------------------

def trend_table_from_db(con, metric_id: str, price_date: str = "release", basis: str = "blended",
                        ratio="3:1", *, benchmark_id: str | None = None, workload=None) -> pd.DataFrame:
    """``model, release_date, price, score`` for every scored model, priced at the chosen date.

    ``price_date``: ``release`` (default; the price in force at the model's release date, or its first known
    price when the store's price history starts after the release), ``today`` (the newest date in the store) or
    an explicit YYYY-MM-DD. The price basis defaults to the 3:1 blend; ``per-task`` (measured on ``benchmark_id``,
    the newest measurement on or before the price date) and ``workload`` (one task of ``workload``) price per
    task (lib.costs.prices_on_basis). Models without a price on the basis are dropped.
    """

    metrics = queries.metrics(con)
    if metric_id not in set(metrics["metric_id"]):
        raise UsageError(f"unknown metric {metric_id!r}")
    scores = queries.scores_for_metric(con, metric_id)
    models = queries.models(con)[["model_id", "release_date", "first_price_date"]]
    t = scores[["model_id", "value"]].merge(models, on="model_id", how="inner")
    t["release_date"] = pd.to_datetime(t["release_date"], errors="coerce")
    t = t.loc[t["release_date"].notna()].reset_index(drop=True)
    at = price_dates(con, t["release_date"], price_date, launch_name="release")
    if price_date == "release":
        # The store's history may start after the launch: fall back to the model's first known price.
        first = pd.to_datetime(t["first_price_date"], errors="coerce")
        at = at.where(first.isna() | (first <= at), first)
    prices = queries.prices_at(con, pd.DataFrame({"model_id": t["model_id"], "at_date": at}))
    price = costs.prices_on_basis(con, prices, basis, ratio, benchmark_id=benchmark_id, workload=workload).to_numpy()
    out = pd.DataFrame({"model": t["model_id"].to_numpy(), "release_date": t["release_date"].to_numpy(),
                        "price": price, "score": t["value"].astype(float).to_numpy(),
                        "price_date": at.to_numpy()})
    return out.loc[np.isfinite(out["price"])].reset_index(drop=True)


def newest_date(con):
    """The newest date in the store (prices, releases, scores), never after the real today: "today" prices at a
    scheduled future price change or deprecation would price at a date that has not come yet."""

    _, hi = queries.date_span(con)
    today = pd.Timestamp(clock.today())
    return min(pd.Timestamp(hi), today) if hi is not None else today


def price_dates(con, launch_dates: pd.Series, policy: str, *, launch_name: str) -> pd.Series:
    """Dates to price at: the launch dates themselves (``policy == launch_name``), ``today`` or YYYY-MM-DD."""
    launch_dates = pd.to_datetime(launch_dates).reset_index(drop=True)
    if policy == launch_name:
        return launch_dates
    if policy == "today":
        return pd.Series(newest_date(con), index=launch_dates.index)
    return pd.Series(parse_date(policy, f"{launch_name}, today or YYYY-MM-DD"), index=launch_dates.index)


def parse_date(text: str, expected: str = "YYYY-MM-DD") -> pd.Timestamp:
    """Strict YYYY-MM-DD parse; UsageError otherwise."""
    import re

    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise UsageError(f"malformed date {text!r}; expected {expected}")
    try:
        return pd.Timestamp(text.strip())
    except ValueError:
        raise UsageError(f"malformed date {text!r}; expected {expected}") from None


def price_trend_from_db(con, metric_id: str, threshold: float | None = None, threshold_model: str | None = None,
                        price_date: str = "release", basis: str = "blended", ratio="3:1") -> TrendFit:
    """Epoch-style trend on the store: one row per model, priced at ``price_date`` (release by default)."""
    table = trend_table_from_db(con, metric_id, price_date=price_date, basis=basis, ratio=ratio)
    if threshold_model is not None and threshold_model not in set(table["model"]):

        if threshold_model not in set(queries.models(con)["model_id"]):
            raise UsageError(f"unknown model {threshold_model!r}")
        raise UsageError(f"model {threshold_model!r} has no {metric_id} score with a price")
    return price_trend(table, threshold=threshold, threshold_model=threshold_model)


# --- Dashboard helper ------------------------------------------------------------------------------------------

def frontier_price_at_levels(df: pd.DataFrame, dates, levels, *, price_col: str = "price",
                             quality_col: str = "quality", from_col: str = "release_date",
                             to_col: str | None = None, model_col: str = "model_id") -> pd.DataFrame:
    """Cheapest price of any row with quality >= level available at each date, for every (date, level).

    A row is available at D when ``from_col <= D`` and, if ``to_col`` is given and set, ``D < to_col`` (so a
    price history can be passed as one row per validity interval). Returns ``date, level, price, model`` with
    NaN price / missing model where nothing qualifies. Vectorised over dates × rows per level.
    """
    dates_ts = pd.to_datetime(pd.Index(dates)).to_numpy(dtype="datetime64[ns]")
    levels = np.asarray(list(levels), dtype=float)
    price = df[price_col].to_numpy(dtype=float, na_value=np.nan)
    quality = df[quality_col].to_numpy(dtype=float, na_value=np.nan)
    start = pd.to_datetime(df[from_col]).to_numpy(dtype="datetime64[ns]")
    models = df[model_col].to_numpy(dtype=object)
    avail = (start[None, :] <= dates_ts[:, None])  # NaT compares False: undated rows never count
    if to_col is not None:
        end = pd.to_datetime(df[to_col]).to_numpy(dtype="datetime64[ns]")
        avail &= np.isnat(end)[None, :] | (dates_ts[:, None] < end[None, :])
    avail &= np.isfinite(price)[None, :]
    frames = []
    for level in levels:  # a handful of levels; the dates × rows work is vectorised
        ok = avail & (quality >= level)[None, :]
        masked = np.where(ok, price[None, :], np.inf)
        if masked.shape[1] == 0:
            best = np.full(len(dates_ts), np.inf)
            arg = np.zeros(len(dates_ts), dtype=int)
        else:
            arg = masked.argmin(axis=1)
            best = masked[np.arange(len(dates_ts)), arg]
        found = np.isfinite(best)
        frames.append(pd.DataFrame({
            "date": dates_ts, "level": level, "price": np.where(found, best, np.nan),
            "model": np.where(found, models[arg] if models.size else None, None),
        }))
    if not frames:
        return pd.DataFrame(columns=["date", "level", "price", "model"])
    return pd.concat(frames, ignore_index=True)
