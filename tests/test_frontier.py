"""Pareto frontier: hand-made cases, documented tie/NaN rules, and hypothesis properties."""
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.frontier import frontier, pareto_mask


def test_hand_made_case():
    price = [1.0, 1.0, 2.0, 3.0, 3.0, np.nan, 0.5, 4.0]
    quality = [5.0, 4.0, 6.0, 6.0, 7.0, 9.0, 1.0, np.nan]
    # 0.5/1 kept; 1/5 kept (1/4 dominated at equal price); 2/6 kept; 3/6 dominated by 2/6; 3/7 kept; NaNs never.
    assert pareto_mask(price, quality).tolist() == [True, False, True, False, True, False, True, False]


def test_exact_duplicates_are_all_kept():
    assert pareto_mask([1.0, 1.0, 2.0], [5.0, 5.0, 5.0]).tolist() == [True, True, False]


def test_lower_is_better_and_empty():
    assert pareto_mask([1.0, 2.0], [10.0, 5.0], higher_is_better=False).tolist() == [True, True]
    assert pareto_mask([1.0, 2.0], [5.0, 10.0], higher_is_better=False).tolist() == [True, False]
    assert pareto_mask([], []).tolist() == []
    assert pareto_mask([np.nan], [1.0]).tolist() == [False]


def test_frontier_rows_sorted_by_price():
    df = pd.DataFrame({"model": list("abcd"), "price": [10.0, 1.0, 5.0, 6.0], "q": [90.0, 50.0, 80.0, 70.0]})
    got = frontier(df, "price", "q")
    assert got["model"].tolist() == ["b", "c", "a"]


values = st.one_of(st.integers(0, 6).map(float), st.just(float("nan")))
points = st.lists(st.tuples(values, values), max_size=40)


def dominates(a, b):
    return a[0] <= b[0] and a[1] >= b[1] and (a[0] < b[0] or a[1] > b[1])


@settings(max_examples=300, deadline=None)
@given(points)
def test_frontier_points_are_non_dominated_and_others_dominated(pts):
    price = np.array([p for p, _ in pts], dtype=float)
    quality = np.array([q for _, q in pts], dtype=float)
    mask = pareto_mask(price, quality)
    valid = [i for i in range(len(pts)) if not (np.isnan(price[i]) or np.isnan(quality[i]))]
    for i in range(len(pts)):
        if i not in valid:
            assert not mask[i]
            continue
        dominated = any(dominates(pts[j], pts[i]) for j in valid)
        assert mask[i] == (not dominated)
        if not mask[i]:
            assert any(mask[j] and dominates(pts[j], pts[i]) for j in valid)


@settings(max_examples=200, deadline=None)
@given(points, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_order(pts, rnd):
    price = np.array([p for p, _ in pts], dtype=float)
    quality = np.array([q for _, q in pts], dtype=float)
    perm = list(range(len(pts)))
    rnd.shuffle(perm)
    perm = np.array(perm, dtype=int)
    assert (pareto_mask(price, quality)[perm] == pareto_mask(price[perm], quality[perm])).all()
