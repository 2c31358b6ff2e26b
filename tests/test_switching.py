"""The switching calculator: known answers on a synthetic replay, invariants on the real store, and its page."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib import store, switching
from lib.errors import UsageError


def series(rows):
    return pd.DataFrame(rows, columns=["as_of", "model_id", "input_usd_per_mtok", "output_usd_per_mtok", "quality",
                                       "status"]).assign(as_of=lambda d: pd.to_datetime(d["as_of"]))


SYNTH = series([
    ("2024-01-31", "mine", 10.0, 30.0, 70, "reviewed"),
    ("2024-01-31", "worse", 0.1, 0.1, 60, "reviewed"),
    ("2024-02-29", "mine", 10.0, 30.0, 70, "reviewed"),
    ("2024-02-29", "rival", 2.0, 10.0, 72, "reviewed"),        # better and cheaper: the switch
    ("2024-02-29", "listing", 1.0, 1.0, 75, "unreviewed"),     # cheapest, but only an automated listing
    ("2024-03-31", "mine", 5.0, 15.0, 70, "reviewed"),         # mine halves its price
    ("2024-03-31", "rival", 2.0, 10.0, 72, "reviewed"),
    ("2024-04-30", "mine", np.nan, np.nan, 70, "reviewed"),    # withdrawn: no row
])


def test_known_savings_month_by_month():
    # 100 M input and 20 M output tokens a month
    s = switching.switching_savings(SYNTH, "mine", 100e6, 20e6, reviewed_only=True).set_index("month")
    assert list(s.index.strftime("%Y-%m")) == ["2024-01", "2024-02", "2024-03"]
    jan, feb, mar = s.iloc[0], s.iloc[1], s.iloc[2]
    assert (jan["current_cost"], jan["alternative"], jan["saving"]) == (1600.0, "mine", 0.0)  # "worse" is worse
    assert (feb["alternative"], feb["alternative_cost"], feb["saving"]) == ("rival", 400.0, 1200.0)
    assert (mar["current_cost"], mar["saving"]) == (800.0, 400.0)
    assert s["cumulative_saving"].iloc[-1] == 1600.0
    every = switching.switching_savings(SYNTH, "mine", 100e6, 20e6, reviewed_only=False)
    assert every.loc[every["month"] == "2024-02-29", "alternative"].item() == "listing"


def test_the_workload_mix_decides_the_alternative():
    # output-only workload: rival's output price (10) vs mine (30); input-only: rival 2 vs mine 10
    out_only = switching.switching_savings(SYNTH, "mine", 0, 1e6, reviewed_only=True)
    assert out_only["saving"].iloc[1] == pytest.approx(20.0)
    with pytest.raises(UsageError, match="workload"):
        switching.switching_savings(SYNTH, "mine", 0, 0)


def test_real_replay_never_saves_less_than_nothing(frontier_db):
    con = store.connect_readonly(frontier_db["db"])
    try:
        s = switching.switching_from_db(con, "openai/gpt-4-turbo", "2024-01-01", "aa_quality_2024", 100e6, 20e6)
        with pytest.raises(UsageError, match="unknown model"):
            switching.switching_from_db(con, "acme/none", "2024-01-01", "aa_quality_2024", 1e6, 1e6)
    finally:
        con.close()
    if s.empty:
        pytest.skip("GPT-4 Turbo has no price and score in this seed")
    assert (s["saving"] >= 0).all()
    assert (s["alternative_quality"] >= s["current_quality"]).all()
    assert np.allclose(s["cumulative_saving"], s["saving"].cumsum())


def test_switching_page_shows_the_library_total(frontier_env, frontier_db):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import PROJECT_DIR
    from tests.test_pages import arr, spec

    at = AppTest.from_file(str(PROJECT_DIR / "pages" / "10_switching.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    model_id = at.selectbox(key="switching.model").value
    since = at.date_input(key="switching.since").value
    con = store.connect_readonly(frontier_db["db"])
    try:
        s = switching.switching_from_db(con, model_id, since, at.selectbox(key="switching.metric").value, 100e6, 20e6,
                                        True)
    finally:
        con.close()
    assert {m.label: m.value for m in at.metric}["Saved by switching"] == f"${s['saving'].sum():,.0f}"
    current = [t for t in spec(at)["data"] if t.get("meta") == "current"][0]
    assert np.allclose(arr(current["y"]), s["current_cost"].to_numpy())
    at.number_input(key="switching.out_m").set_value(0.0)
    at.number_input(key="switching.in_m").set_value(0.0)
    at.run()
    assert not at.exception and at.warning
