"""Price–quality Pareto frontier: which models no other model beats on both price and quality.

Pure and vectorised (one argsort plus linear numpy passes, no Python loop over points); no Streamlit here.

Rules, fixed here so every caller gets the same answer:
- Lower price is better; higher quality is better (pass ``higher_is_better=False`` for error-like metrics).
- Point A dominates B when ``price_A <= price_B`` and ``quality_A >= quality_B`` with at least one strict.
- A NaN (or infinite) price or quality is never on the frontier and never dominates anything.
- Exact duplicates (same price and same quality) do not dominate each other, so all copies are kept. A point
  with the same price but lower quality, or the same quality but a higher price, is dominated and dropped.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["pareto_mask", "frontier"]


def pareto_mask(price, quality, *, higher_is_better: bool = True) -> np.ndarray:
    """Boolean mask (same length and order as the input) of the non-dominated points.

    O(n log n): sort by price once, take the best quality of each equal-price group (`np.maximum.reduceat`),
    then a running max over groups (`np.maximum.accumulate`). A point is on the frontier when it holds the best
    quality of its price group and beats everything strictly cheaper.
    """
    p = np.asarray(price, dtype=float)
    q = np.asarray(quality, dtype=float)
    if p.shape != q.shape or p.ndim != 1:
        raise ValueError(f"price and quality must be 1-D of equal length, got {p.shape} and {q.shape}")
    if not higher_is_better:
        q = -q
    mask = np.zeros(p.shape[0], dtype=bool)
    valid = np.isfinite(p) & np.isfinite(q)
    idx = np.flatnonzero(valid)
    if idx.size == 0:
        return mask
    pv, qv = p[idx], q[idx]

    order = np.argsort(pv)
    ps, qs = pv[order], qv[order]
    # Equal-price groups in sorted order.
    starts = np.flatnonzero(np.r_[True, ps[1:] != ps[:-1]])
    counts = np.diff(np.r_[starts, ps.size])
    group_best = np.maximum.reduceat(qs, starts)
    # Best quality among strictly cheaper groups (-inf for the cheapest group).
    best_before = np.empty_like(group_best)
    best_before[0] = -np.inf
    np.maximum.accumulate(group_best[:-1], out=best_before[1:])
    keep_group = group_best > best_before
    on = (qs == np.repeat(group_best, counts)) & np.repeat(keep_group, counts)

    mask[idx[order[on]]] = True
    return mask


def frontier(df: pd.DataFrame, price_col: str, quality_col: str, *, higher_is_better: bool = True) -> pd.DataFrame:
    """The frontier rows of ``df`` sorted by price (ascending), ties kept in input order."""
    mask = pareto_mask(df[price_col].to_numpy(dtype=float, na_value=np.nan),
                       df[quality_col].to_numpy(dtype=float, na_value=np.nan),
                       higher_is_better=higher_is_better)
    return df.loc[mask].sort_values(price_col, kind="stable")
