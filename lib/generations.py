"""Teacher → student deltas (price drop, quality drop), a summary per era, and successor chains.

Pure core on DataFrames plus a thin DB-backed entry (`generations_from_db`) that reads through lib.queries.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib import clock, costs, queries
from lib.constants import DEFAULT_METRIC
from lib.errors import UsageError
from lib.trends import price_dates

__all__ = [
    "DEFAULT_METRIC", "PRICE_DATE_POLICIES", "pair_deltas", "era_summary", "successor_chains", "read_pairs",
    "generations_from_db", "to_json_dict",
]

PRICE_DATE_POLICIES = ("student-launch", "today")  # or an explicit YYYY-MM-DD
PAIR_COLUMNS = ["teacher_id", "student_id", "relation", "era"]


def pair_deltas(pairs: pd.DataFrame, quality, scale: str) -> pd.DataFrame:
    """Add quality and the deltas to ``pairs`` (``teacher_id, student_id, teacher_price, student_price``, ...).

    ``quality`` maps model_id → score (a Series indexed by model_id, or a dict). ``scale`` is the metric's:
    ``percent`` gives ``quality_drop_pct``; ``points`` (Elo-like, fitted indexes) leaves it NaN because a
    percentage of an arbitrary-origin scale means nothing. Added columns:

    - ``price_drop_pct`` = 100 · (1 − student_price / teacher_price) (negative when the student costs more)
    - ``quality_drop_pct`` = 100 · (1 − student_quality / teacher_quality) (percent scale only)
    - ``quality_delta_points`` = student_quality − teacher_quality (always)
    - ``price_cut_factor`` = teacher_price / student_price ("×N cheaper")
    - ``quality_kept_pct`` = 100 · student_quality / teacher_quality (percent scale only)
    - ``quality_kept_per_price_cut`` = (student_quality / teacher_quality) / (student_price / teacher_price):
      quality per dollar of the student relative to the teacher (percent scale only); 20 means the student keeps
      its share of quality at a twentieth of the price share.
    """
    q = pd.Series(quality, dtype=float) if not isinstance(quality, pd.Series) else quality.astype(float)
    if not q.index.is_unique:  # (known on a kept index: its lookup table is built once)
        q = q[~q.index.duplicated(keep="last")]
    return _deltas(pairs, pairs["teacher_id"].map(q).astype(float).to_numpy(),
                   pairs["student_id"].map(q).astype(float).to_numpy(), scale)


def _deltas(pairs: pd.DataFrame, tq: np.ndarray, sq: np.ndarray, scale: str) -> pd.DataFrame:
    """`pair_deltas` with each pair's teacher and student quality given."""
    if scale not in ("percent", "points"):
        raise UsageError(f"unknown metric scale {scale!r}; expected percent or points")
    out = pairs.copy()
    tp = out["teacher_price"].astype(float).to_numpy()
    sp = out["student_price"].astype(float).to_numpy()
    out["teacher_quality"] = tq
    out["student_quality"] = sq
    with np.errstate(divide="ignore", invalid="ignore"):
        price_ratio = np.where(tp > 0, sp / tp, np.nan)
        quality_ratio = np.where(tq > 0, sq / tq, np.nan) if scale == "percent" else np.full(len(out), np.nan)
        out["price_drop_pct"] = 100.0 * (1.0 - price_ratio)
        out["quality_drop_pct"] = 100.0 * (1.0 - quality_ratio)
        out["quality_delta_points"] = sq - tq
        out["price_cut_factor"] = np.where(sp > 0, tp / np.where(sp > 0, sp, 1.0), np.nan)
        out["quality_kept_pct"] = 100.0 * quality_ratio
        out["quality_kept_per_price_cut"] = np.where(price_ratio > 0, quality_ratio / price_ratio, np.nan)
    return out


def era_summary(deltas: pd.DataFrame) -> pd.DataFrame:
    """Per era: pairs, mean/median price drop, mean/median quality drop (and mean quality delta in points).

    Means and medians skip pairs whose value is missing; ``pairs`` counts all pairs of the era.
    """
    era = deltas["era"].replace("", None)
    if "relation" in deltas:  # a successor step without an era is summarised as "successor"
        era = era.where(era.notna() | (deltas["relation"] != "successor"), "successor")
    d = deltas.assign(era=era.fillna("(none)"))
    g = d.groupby("era", sort=True, dropna=False)
    out = pd.DataFrame({
        "pairs": g.size(),
        "mean_price_drop_pct": g["price_drop_pct"].mean(),
        "median_price_drop_pct": g["price_drop_pct"].median(),
        "mean_quality_drop_pct": g["quality_drop_pct"].mean(),
        "median_quality_drop_pct": g["quality_drop_pct"].median(),
        "mean_quality_delta_points": g["quality_delta_points"].mean(),
    })
    return out.reset_index()


def successor_chains(lineage: pd.DataFrame) -> pd.DataFrame:
    """Walk ``relation == 'successor'`` edges (``parent_id → child_id``) into chains, one per vendor tier.

    Returns one row per step: ``chain_id`` (the chain's first model), ``step`` (1, 2, …), ``teacher_id``
    (predecessor), ``student_id`` (successor), ``relation``, ``era``. A model with two successors starts a
    branch: each branch is its own chain sharing the earlier steps. Cycles are cut where they close.
    """
    cols = ["chain_id", "step", "teacher_id", "student_id", "relation", "era"]
    edges = lineage.loc[lineage["relation"] == "successor"]
    if edges.empty:
        return pd.DataFrame(columns=cols)
    children: dict[str, list[tuple[str, object]]] = {}
    for parent, child, era in zip(edges["parent_id"], edges["child_id"], edges.get("era", [None] * len(edges))):
        children.setdefault(parent, []).append((child, era))
    has_parent = set(edges["child_id"])
    roots = sorted(p for p in children if p not in has_parent)
    if not roots:  # only cycles: start anywhere, deterministically
        roots = [sorted(children)[0]]
    rows = []
    for root in roots:
        branch_no = 0
        stack = [(root, [])]  # (node, steps so far)
        while stack:
            node, steps = stack.pop()
            seen = {root} | {s[1] for s in steps}
            nxt = [(c, e) for c, e in children.get(node, []) if c not in seen]
            if not nxt:
                if steps:
                    chain_id = root if branch_no == 0 else f"{root}#{branch_no + 1}"
                    branch_no += 1
                    for i, (t, s, e) in enumerate(steps, start=1):
                        rows.append((chain_id, i, t, s, "successor", e))
                continue
            for c, e in sorted(nxt, key=lambda ce: ce[0], reverse=True):
                stack.append((c, steps + [(node, c, e)]))
    return pd.DataFrame(rows, columns=cols)


def read_pairs(path) -> pd.DataFrame:
    """A pairs CSV: ``teacher_id, student_id`` (or ``parent_id, child_id``), optional ``relation``, ``era``."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise UsageError(f"pairs file not found: {path}") from None
    df = df.rename(columns={"parent_id": "teacher_id", "child_id": "student_id"})
    if not {"teacher_id", "student_id"} <= set(df.columns):
        raise UsageError(f"pairs file {path} needs columns teacher_id,student_id (or parent_id,child_id)")
    for col in ("relation", "era"):
        if col not in df:
            df[col] = ""
    return df.replace({"": None})[PAIR_COLUMNS]


_PRICED_PAIRS = queries.Recent(16)  # (file id, pairs, price date, basis, ...) -> priced_pairs' frame and dates


def priced_pairs(con, pairs: pd.DataFrame, price_date: str = "student-launch", basis: str = "blended",
                 ratio="3:1", *, benchmark_id: str | None = None, workload=None) -> tuple[pd.DataFrame, pd.Series]:
    """``pairs`` with both models' prices on ``basis`` and the dates they were priced at (``teacher_price``,
    ``teacher_price_date``, ``student_price``, ``student_price_date``), and the pairs' price dates before a model's
    first known price moved one (the dates a drifting metric scores at). What a metric does not change: kept for the
    last few pair lists and price choices per read-only store file (the Generations page prices the same pairs for
    every metric; ~40 ms of pandas for 250 pairs at 1M intervals). UsageError for an unknown model or a student
    without a release date (never kept)."""
    pairs = pairs.reset_index(drop=True)
    cells = pairs.to_numpy(dtype=object)
    cells[pd.isna(cells)] = None  # a missing era is one key, however it came (None, NaN)
    key = (tuple(map(tuple, cells.tolist())), tuple(pairs.columns), price_date, basis, ratio, benchmark_id, workload,
           clock.today())
    out, at = queries.kept_recent(con, _PRICED_PAIRS, key, lambda: _priced_pairs(con, pairs, price_date, basis,
                                                                                  ratio, benchmark_id, workload))
    return out.copy(deep=False), at.copy(deep=False)  # copy-on-write: a caller's change copies what it changes


def _priced_pairs(con, pairs: pd.DataFrame, price_date: str, basis: str, ratio, benchmark_id, workload):
    models = queries.models_by_id(con)
    pairs = pairs.reset_index(drop=True).copy()
    unknown = sorted(m for m in set(pairs["teacher_id"]) | set(pairs["student_id"]) if m not in models.index)
    if unknown:
        raise UsageError(f"unknown model(s) in pairs: {', '.join(unknown)}")

    launch = pd.to_datetime(models["release_date"].reindex(pairs["student_id"]).to_numpy())
    if price_date == "student-launch" and pd.isna(launch).any():
        missing = pairs.loc[pd.isna(launch), "student_id"].tolist()
        raise UsageError(f"student(s) without a release date: {', '.join(missing)}")
    at = price_dates(con, pd.Series(launch), price_date, launch_name="student-launch")

    first = pd.to_datetime(models["first_price_date"])
    requests = {}
    for role in ("teacher", "student"):
        ids = pairs[f"{role}_id"]
        first_known = pd.Series(first.reindex(ids).to_numpy())
        when = at.where(first_known.isna() | (first_known <= at), first_known)
        requests[role] = pd.DataFrame({"model_id": ids.to_numpy(), "at_date": when})
    # both ends in one read (each read scans the headline spans: ~25 ms at 1M intervals)
    both = queries.prices_at(con, pd.concat(list(requests.values()), ignore_index=True))
    for i, (role, req) in enumerate(requests.items()):
        p = both.iloc[i * len(pairs):(i + 1) * len(pairs)].reset_index(drop=True)
        pairs[f"{role}_price"] = costs.prices_on_basis(con, p, basis, ratio, benchmark_id=benchmark_id,
                                                       workload=workload).to_numpy()
        pairs[f"{role}_price_date"] = req["at_date"].dt.strftime("%Y-%m-%d").to_numpy()
    return pairs, at


def generations_from_db(con, metric_id: str = DEFAULT_METRIC, pairs: pd.DataFrame | None = None,
                        price_date: str = "student-launch", basis: str = "blended", ratio="3:1", *,
                        benchmark_id: str | None = None, workload=None):
    """Deltas and era summary from the store. Returns ``(deltas, summary)``.

    ``pairs`` defaults to the lineage table. Prices: both models at the student's release date
    (``student-launch``, default), both at the newest date in the store (``today``), or both at a YYYY-MM-DD.
    Where the store has no price for a model on that date because its history starts later, the model's first
    known price is used; ``teacher_price_date`` / ``student_price_date`` say which date was actually used.
    Quality: the model's newest score; for drifting metrics (Arena) the score as of the price date.
    ``basis``: per token (blended/input/output), ``per-task`` (measured on ``benchmark_id``; a model without a
    measurement on or before its price date has no price, so its pair is left out of the means) or ``workload``
    (one task of ``workload``, a ``lib.costs.Workload``, priced from the token prices of the date).
    """

    metrics = queries.metrics(con).set_index("metric_id")
    if metric_id not in metrics.index:
        raise UsageError(f"unknown metric {metric_id!r}")
    scale = str(metrics.at[metric_id, "scale"])
    drifts = bool(metrics.at[metric_id, "drifts"]) if "drifts" in metrics else False

    if pairs is None:
        lin = queries.lineage(con)
        pairs = lin.rename(columns={"parent_id": "teacher_id", "child_id": "student_id"})[PAIR_COLUMNS]
    pairs, at = priced_pairs(con, pairs, price_date, basis, ratio, benchmark_id=benchmark_id, workload=workload)

    if drifts:  # drifting metric: each model's score as of its pair's price date, all dates in one read
        tq = queries.scores_as_of(con, metric_id, pairs["teacher_id"].tolist(), at.tolist())
        sq = queries.scores_as_of(con, metric_id, pairs["student_id"].tolist(), at.tolist())
        deltas = _deltas(pairs, tq, sq, scale)
    else:
        deltas = pair_deltas(pairs, queries.score_by_model(con, metric_id), scale)
    return deltas, era_summary(deltas)


def to_json_dict(deltas: pd.DataFrame, summary: pd.DataFrame, metric_id: str, price_date: str) -> dict:
    """The CLI's JSON form (issue 4)."""
    def clean(v):
        if v is None:
            return None
        if isinstance(v, (float, np.floating)):
            return float(v) if np.isfinite(v) else None
        if isinstance(v, (np.integer,)):
            return int(v)
        if pd.isna(v):
            return None
        return v

    pair_cols = ["teacher_id", "student_id", "relation", "era", "teacher_price", "student_price", "price_drop_pct",
                 "teacher_quality", "student_quality", "quality_drop_pct", "quality_delta_points"]
    sum_cols = ["era", "pairs", "mean_price_drop_pct", "median_price_drop_pct", "mean_quality_drop_pct",
                "median_quality_drop_pct"]
    return {
        "metric": metric_id,
        "price_date_policy": price_date,
        "pairs": [{c: clean(r[c]) for c in pair_cols} for r in deltas.to_dict("records")],
        "summary": [{c: clean(r[c]) for c in sum_cols} for r in summary.to_dict("records")],
    }
