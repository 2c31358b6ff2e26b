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


def test_picker_options_are_bounded_keep_the_choice_and_match_every_word():
    ids = [f"v{i % 7}/model-{i:04d}" for i in range(500)]
    labels = {i: f"Model {i[-4:]} {'mini' if i.endswith(('1', '2')) else 'large'}" for i in ids}
    shown, n = views.picker_options(ids, labels, "", keep=[ids[-1]], limit=20)
    assert n == 500 and len(shown) == 21 and ids[-1] in shown and shown == [i for i in ids if i in set(shown)]
    shown, n = views.picker_options(ids, labels, "MINI v3/", limit=1000)
    assert n == len(shown) > 0
    assert all("mini" in labels[i] and i.startswith("v3/") for i in shown)
    assert views.picker_options(ids, labels, "model-0042")[0] == [ids[42]]
    assert views.picker_options(ids, labels, "no such model", keep=[None]) == ([], 0)
