"""Pure view helpers (lib.views) and the one CSV guard (lib.safe_csv), without Streamlit or a database."""

from __future__ import annotations

import io

import pandas as pd

from lib import views
from lib.safe_csv import neutralise_formulas


def test_every_csv_guard_neutralises_formulas_by_content_whatever_the_dtype():
    df = pd.DataFrame(
        {
            "name": pd.array(["=1+1", "\t=cmd", "\r@x", "-2", "GPT-4o"], dtype="string"),
            "note": ["+SUM(A1)", "ok", None, "@a", "b"],
            "price": [1.0, -2.0, 3.0, 4.0, 5.0],
        }
    )
    back = pd.read_csv(io.BytesIO(views.to_csv_bytes(df)), keep_default_na=False)
    assert back["name"].tolist() == ["'=1+1", "'\t=cmd", "'\r@x", "'-2", "GPT-4o"]
    assert back["note"].tolist() == ["'+SUM(A1)", "ok", "", "'@a", "b"]
    assert back["price"].tolist() == [1.0, -2.0, 3.0, 4.0, 5.0]  # numbers are never touched
    assert neutralise_formulas(df)["name"].iloc[1] == "'\t=cmd"


def _market():
    return pd.DataFrame(
        {
            "model_id": ["a/cheap-bad", "a/mid", "a/dear-good"],
            "vendor": "a",
            "price": [1.0, 2.0, 4.0],
            "quality": [10.0, 5.0, 1.0],
            "release_date": None,
            "open_weights": True,
            "context_window": 8000,
            "status": "reviewed",
        }
    )


def test_frontier_filters_honour_a_lower_is_better_metric():
    # lower is better (an error rate): the dearer models are better here, so every one is on the frontier
    lower = views.frontier_points(_market(), higher_is_better=False)
    assert lower["on_frontier"].tolist() == [True, True, True]
    # read as higher-is-better, the cheapest model dominates both others
    higher = views.frontier_points(_market())
    assert higher["on_frontier"].tolist() == [True, False, False]


def test_cheapest_models_meet_the_bar_in_the_metrics_direction():
    m = _market().assign(
        input_usd_per_mtok=[1.0, 2.0, 4.0], output_usd_per_mtok=[1.0, 2.0, 4.0], cache_read_usd_per_mtok=None
    )
    lower = views.workload_costs(m, 1e6, 1e6, 0.0, quality_bar=5.0, higher_is_better=False)
    assert set(lower.loc[lower["cheapest"], "model_id"]) == {"a/mid", "a/dear-good"}
    higher = views.workload_costs(m, 1e6, 1e6, 0.0, quality_bar=5.0)
    assert set(higher.loc[higher["cheapest"], "model_id"]) == {"a/cheap-bad", "a/mid"}
