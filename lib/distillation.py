"""The distillation index: per period and vendor, how much of its flagship's quality the best model at least K×
cheaper keeps, on one metric; plus the market-wide median. Pure core on a market table + a DB-backed entry.

Definitions (fixed here so the CLI, the page and the tests agree):
- The market at a period end D is the store's as-of answer (price in force at D on the chosen basis, the model's
  score on the metric); only models with a positive price and a score count.
- A vendor's **flagship** at D is its highest-scoring model then (the cheaper one on a tie); with
  ``flagship="priciest"`` it is its most expensive scored model instead (the better one on a tie): the article's
  reading, where Claude 3 Opus, not the better and cheaper Claude 3.5 Sonnet, is Anthropic's teacher.
- The **student** is the highest-scoring model priced at most ``flagship price / K`` (the cheaper one on a tie)
  of the same vendor (scope ``vendor``: one row per vendor).
- Scope ``market`` (the second series) takes the whole market as one vendor: the flagship is the market's (by the
  same rule; ``vendor`` names its maker) and the student may come from any vendor. (Pairing each vendor's flagship
  with any rival's model instead gives shares above 1 for weak flagships, which read as nonsense on a chart.)
- ``quality_kept`` = student score / flagship score; it needs a metric on a percent scale (a share of an Elo or a
  fitted index with an arbitrary origin means nothing).
- The **market-wide median** per period is over the vendors (vendor scope) that have both a flagship and a
  student then.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from lib import clock, pricing, queries, snapshot
from lib.constants import DEFAULT_METRIC
from lib.errors import UsageError

__all__ = [
    "DEFAULT_METRIC", "DEFAULT_RATIO", "SCOPES", "PERIODS", "FLAGSHIP_RULES", "SERIES_COLUMNS", "ERAS", "distillation_index",
    "median_by_period", "period_ends", "distillation_from_db", "to_json_dict", "era_summary", "series_sources", "display_rows",
]

DEFAULT_RATIO = 10.0
SCOPES = ("vendor", "market")
PERIODS = ("month", "quarter")
FLAGSHIP_RULES = ("best", "priciest")
SERIES_COLUMNS = ["period_end", "scope", "vendor", "flagship", "student", "flagship_price", "student_price",
                  "price_ratio", "flagship_quality", "student_quality", "quality_kept"]
# The article's two eras (README; data/seed/lineage.csv `era`): GPT-4 Turbo → GPT-3.5 Turbo was the
# pre-distillation era; GPT-4o → GPT-4o mini (2024-07-18) opened the distillation era.
ERAS = (("pre-distillation", "2023-03-14", "2024-07-17"), ("distillation", "2024-07-18", None))


def distillation_index(market: pd.DataFrame, ratio: float = DEFAULT_RATIO, scopes=SCOPES,
                       flagship: str = "best") -> pd.DataFrame:
    """The index on a market table ``as_of, model_id, vendor, price, quality`` (one row per model and date).

    Returns one row per (period_end, scope, vendor) that has a flagship and a student, columns
    ``SERIES_COLUMNS``, sorted by period_end, scope, vendor.
    """
    ratio = float(ratio)
    if not np.isfinite(ratio) or ratio < 1:
        raise UsageError(f"price ratio must be a number >= 1 (10 means at least 10x cheaper), got {ratio:g}")
    for s in scopes:
        if s not in SCOPES:
            raise UsageError(f"unknown scope {s!r}; expected vendor or market")
    if flagship not in FLAGSHIP_RULES:
        raise UsageError(f"unknown flagship rule {flagship!r}; expected best or priciest")
    m = market[["as_of", "model_id", "vendor", "price", "quality"]].copy()
    m["price"] = pd.to_numeric(m["price"], errors="coerce")
    m["quality"] = pd.to_numeric(m["quality"], errors="coerce")
    m = m.loc[np.isfinite(m["price"]) & (m["price"] > 0) & np.isfinite(m["quality"]) & m["vendor"].notna()]
    m = m.sort_values(["as_of", "quality", "price", "model_id"], ascending=[True, False, True, True],
                      kind="stable")
    if m.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    ranked = m if flagship == "best" else m.sort_values(
        ["as_of", "price", "quality", "model_id"], ascending=[True, False, False, True], kind="stable")
    cand = m.rename(columns={"model_id": "student", "price": "student_price", "quality": "student_quality",
                             "vendor": "student_vendor"})
    frames = []
    for scope in scopes:
        keys = ["as_of", "vendor"] if scope == "vendor" else ["as_of"]
        flags = ranked.drop_duplicates(keys, keep="first").rename(columns={
            "model_id": "flagship", "price": "flagship_price", "quality": "flagship_quality"})
        flags["max_student_price"] = flags["flagship_price"] / ratio
        if scope == "vendor":
            j = flags.merge(cand, left_on=keys, right_on=["as_of", "student_vendor"], how="inner")
        else:
            j = flags.merge(cand, on="as_of", how="inner")
        # small float slack so "exactly K× cheaper" (e.g. $15 → $1.50) counts
        j = j.loc[j["student_price"] <= j["max_student_price"] * (1 + 1e-9)]
        j = j.sort_values(["as_of", "vendor", "student_quality", "student_price", "student"],
                          ascending=[True, True, False, True, True], kind="stable")
        j = j.drop_duplicates(["as_of", "vendor"], keep="first")
        frames.append(j.assign(scope=scope))
    out = pd.concat(frames, ignore_index=True)
    out["period_end"] = pd.to_datetime(out["as_of"])
    out["price_ratio"] = out["flagship_price"] / out["student_price"]
    out["quality_kept"] = out["student_quality"] / out["flagship_quality"]
    return out[SERIES_COLUMNS].sort_values(["period_end", "scope", "vendor"], kind="stable").reset_index(drop=True)


def median_by_period(series: pd.DataFrame) -> pd.DataFrame:
    """Market-wide median over the vendors of ``quality_kept`` per period: ``period_end, quality_kept, vendors``."""
    v = series.loc[series["scope"] == "vendor"] if len(series) else series
    if v.empty:
        return pd.DataFrame(columns=["period_end", "quality_kept", "vendors"])
    g = v.groupby("period_end", sort=True)["quality_kept"]
    return pd.DataFrame({"quality_kept": g.median(), "vendors": g.size()}).reset_index()


def period_ends(lo: dt.date, hi: dt.date, period: str = "month") -> list[dt.date]:
    """Month or quarter ends from lo's period to hi's, the last clipped to hi (the data's newest day)."""
    if period not in PERIODS:
        raise UsageError(f"unknown period {period!r}; expected month or quarter")
    if lo is None or hi is None or lo > hi:
        return [hi] if hi else []
    ends = [d.date() for d in pd.date_range(pd.Timestamp(lo), pd.Timestamp(hi),
                                            freq="ME" if period == "month" else "QE")]
    if not ends or ends[-1] < hi:
        ends.append(hi)
    return ends


# --- DB-backed entry -------------------------------------------------------------------------------------------

def market_series(con, dates, metric_id: str, basis: str = "blended", ratio="3:1") -> pd.DataFrame:
    """The store's market at each date (one SQL statement): ``as_of, model_id, vendor, name, price, quality`` plus
    the provenance columns of the price and the score."""

    s = queries.snapshots_as_of(con, dates, metric_id)
    s["price"] = pricing.price_basis(s, basis, pricing.parse_ratio(ratio))
    s["as_of"] = pd.to_datetime(s["as_of"])
    return s


def data_end(con, today: dt.date | None = None) -> tuple[dt.date | None, dt.date | None]:
    """First and newest real date of the store: its date span clipped to today (a scheduled price or
    deprecation in the future is not data yet)."""

    lo, hi = queries.date_span(con)
    today = today or clock.today()
    if hi is not None and hi > today:
        hi = today
    return lo, hi


def distillation_from_db(con, metric_id: str = DEFAULT_METRIC, ratio: float = DEFAULT_RATIO, scopes=SCOPES,
                         period: str = "month", basis: str = "blended", price_ratio="3:1", flagship: str = "best",
                         vendors=None, since=None, until=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(series, median)`` from the store at every month (or quarter) end of the data's span.

    ``vendors`` limits the flagships (and, in the vendor scope, the students) to those vendors; market-scope
    students still come from every vendor."""

    metric = snapshot.metric_row(con, metric_id)
    if str(metric.get("scale")) != "percent":
        raise UsageError(f"metric {metric_id!r} is on a points scale (Elo or a fitted index): a share of its "
                         "quality means nothing; choose a percent-scale metric such as aa_quality_2024")
    if not bool(metric.get("higher_is_better", True)):
        raise UsageError(f"metric {metric_id!r} is lower-is-better; the index needs a higher-is-better score")
    lo, hi = data_end(con)
    if since is not None:
        lo = max(lo, pd.Timestamp(since).date()) if lo else pd.Timestamp(since).date()
    if until is not None:
        hi = min(hi, pd.Timestamp(until).date()) if hi else pd.Timestamp(until).date()
    ends = period_ends(lo, hi, period)
    if not ends:
        return pd.DataFrame(columns=SERIES_COLUMNS), median_by_period(pd.DataFrame(columns=SERIES_COLUMNS))
    series = distillation_index(market_series(con, ends, metric_id, basis, price_ratio), ratio, scopes, flagship)
    if vendors:
        series = series.loc[series["vendor"].isin(list(vendors))].reset_index(drop=True)
    return series, median_by_period(series)


def display_rows(series: pd.DataFrame) -> pd.DataFrame:
    """The rows as a reader sees them: names as text, the cut as "N× cheaper", the loss in %."""
    return pd.DataFrame({
        "scope": series["scope"].to_numpy(), "vendor": series["vendor"].to_numpy(),
        "flagship": series["flagship"].to_numpy(), "best model ≥ K× cheaper": series["student"].to_numpy(),
        "cheaper": [f"{x:.1f}×" for x in series["price_ratio"].astype(float)],
        "quality kept": [f"{x:.1%}" for x in series["quality_kept"].astype(float)],
        "quality lost": [f"{100 * (1 - x):.1f} %" for x in series["quality_kept"].astype(float)],
    })


def series_sources(con, series: pd.DataFrame, metric_id: str) -> list[str]:
    """Source ids of the prices (each flagship and student at its period end) and scores the series uses."""

    if series.empty:
        return []
    req = pd.concat([pd.DataFrame({"model_id": series[c], "at_date": pd.to_datetime(series["period_end"]).dt.date})
                     for c in ("flagship", "student")]).drop_duplicates()
    prices = queries.prices_at(con, req.reset_index(drop=True))
    ids = set(prices["price_source_id"].dropna().astype(str))
    scores = queries.scores_for_metric(con, metric_id)
    ids |= set(scores.loc[scores["model_id"].isin(set(req["model_id"])), "source_id"].dropna().astype(str))
    return sorted(ids)


def era_summary(median: pd.DataFrame, eras) -> pd.DataFrame:
    """Per era (``(name, start, end)`` spans): the market-wide median loss (1 − kept, in %) at its first and last
    period end inside the era, and how many period ends it covers."""
    rows = []
    for name, start, end in eras:
        inside = median.loc[(median["period_end"] >= pd.Timestamp(start)) & (median["period_end"] < pd.Timestamp(end))]
        inside = inside.sort_values("period_end")
        if inside.empty:
            continue
        first, last = inside.iloc[0], inside.iloc[-1]
        rows.append({"era": name, "first_period": first["period_end"], "first_loss_pct": 100 * (1 - first["quality_kept"]),
                     "last_period": last["period_end"], "last_loss_pct": 100 * (1 - last["quality_kept"]),
                     "periods": len(inside)})
    return pd.DataFrame(rows, columns=["era", "first_period", "first_loss_pct", "last_period", "last_loss_pct",
                                       "periods"])


def to_json_dict(series: pd.DataFrame, median: pd.DataFrame | None = None) -> dict:
    """The CLI's JSON: ``{"series": [{period_end, scope, vendor, flagship, student, price_ratio, quality_kept}]}``,
    plus ``median`` (the market-wide median over vendors, per period) when given."""
    def num(x):
        return float(x) if x is not None and np.isfinite(x) else None

    out = {"series": [
        {"period_end": pd.Timestamp(r["period_end"]).strftime("%Y-%m-%d"), "scope": r["scope"],
         "vendor": r["vendor"], "flagship": r["flagship"], "student": r["student"],
         "price_ratio": num(r["price_ratio"]), "quality_kept": num(r["quality_kept"])}
        for r in series.to_dict("records")]}
    if median is not None:
        out["median"] = [
            {"period_end": pd.Timestamp(r["period_end"]).strftime("%Y-%m-%d"),
             "quality_kept": num(r["quality_kept"]), "vendors": int(r["vendors"])}
            for r in median.to_dict("records")]
    return out
