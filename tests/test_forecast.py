"""Forecasts, the backtest and the trend methods: known answers on synthetic series, invariants on the real store,
the CLI's JSON shapes and the Outlook page."""
from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import redirect_stdout

import numpy as np
import pandas as pd
import pytest

from lib import forecast, snapshot, store, trend_methods
from lib.__main__ import main
from lib.errors import UsageError

ORIGIN = pd.Timestamp("2022-01-01")


def decade_per_year(n=11, years=5.0, noise=0.05):
    """Models whose price falls exactly 10× per year (log10 noise ±noise, alternating), every one a new low."""
    t = np.linspace(0, years, n)
    logp = 2.0 - t + noise * np.where(np.arange(n) % 2 == 0, 1, -1)
    return pd.DataFrame({"model": [f"m{i}" for i in range(n)],
                         "release_date": [ORIGIN + pd.Timedelta(days=float(x) * 365.0) for x in t],
                         "price": 10 ** logp, "score": 50.0})


def test_forecast_date_on_a_known_trend():
    table = decade_per_year()
    out = forecast.forecast_date(table, 40, 1e-3)  # 100 → 0.001 is five decades: five years after the origin
    assert out["method"] == forecast.METHOD
    centre = pd.Timestamp(out["date"])
    assert abs((centre - (ORIGIN + pd.Timedelta(days=5 * 365))).days) <= 10
    assert pd.Timestamp(out["low"]) < centre < pd.Timestamp(out["high"])
    assert out["factor_per_year"] == pytest.approx(10, rel=0.05)
    # a wider scatter gives a wider interval for the same question
    wide = forecast.forecast_date(decade_per_year(noise=0.3), 40, 1e-3)
    assert (pd.Timestamp(wide["high"]) - pd.Timestamp(wide["low"])) > \
        (pd.Timestamp(out["high"]) - pd.Timestamp(out["low"]))


def test_forecast_price_at_a_date_and_its_interval():
    out = forecast.forecast_price(decade_per_year(), 40, ORIGIN + pd.Timedelta(days=6 * 365))
    assert out["price"] == pytest.approx(1e-4, rel=0.15)
    assert out["low"] < out["price"] < out["high"]


def test_a_price_already_reached_is_observed_not_forecast():
    table = decade_per_year()
    out = forecast.forecast_date(table, 40, 5.0)
    first = table.loc[table["price"] <= 5.0].iloc[0]
    assert out["method"] == "observed" and out["model"] == first["model"]
    assert out["date"] == out["low"] == out["high"] == first["release_date"].strftime("%Y-%m-%d")


def test_too_few_points_or_no_fall_give_no_date():
    two = decade_per_year().iloc[[0, 1]]
    with pytest.raises(UsageError, match="too few points"):
        forecast.forecast_date(two, 40, 0.1)
    noisy = decade_per_year().iloc[:4].assign(price=[10.0, 9.0, 11.0, 8.5])  # scatter swamps the fall
    fit = forecast.fit_line(noisy, 40)
    out = forecast.date_for_price(fit, 0.01)
    assert not fit.falls_significantly
    assert out["high"] is None and out["low"] is None


def test_backtest_on_a_known_trend_is_calibrated_and_close():
    table = decade_per_year(n=21, noise=0.02)
    out = forecast.backtest(table, ORIGIN + pd.Timedelta(days=3 * 365), thresholds=[40])
    later = (table["release_date"] > ORIGIN + pd.Timedelta(days=3 * 365)).sum()
    assert out["n"] == later
    assert out["coverage_90"] == 1.0
    assert out["median_abs_error_days"] < 15
    # a break in the trend after the cut-off (prices stop falling) is caught: later points are far off
    broken = table.copy()
    after = broken["release_date"] > ORIGIN + pd.Timedelta(days=3 * 365)
    broken.loc[after, "price"] = broken.loc[after, "price"] * 10 ** (
        (broken.loc[after, "release_date"] - ORIGIN).dt.days / 365.0 - 3) * 0.9
    bad = forecast.backtest(broken, ORIGIN + pd.Timedelta(days=3 * 365), thresholds=[40])
    assert bad["median_abs_error_days"] > 100 and bad["coverage_90"] < out["coverage_90"]


def test_backtest_leaves_out_prices_set_after_the_cutoff():
    table = decade_per_year(n=21, noise=0.02)
    cut = ORIGIN + pd.Timedelta(days=3 * 365)
    table["price_date"] = table["release_date"]
    table.loc[table.index[:13], "price_date"] = cut + pd.Timedelta(days=1)  # nothing known at the cut-off
    out = forecast.backtest(table, cut, thresholds=[40])
    assert out["n"] == 0 and out["coverage_90"] is None


def test_llmflation_and_frontier_methods_on_known_series():
    # month-end snapshots: the cheapest qualifying price falls exactly 10x per year; a dearer model alongside
    dates = pd.date_range("2021-01-31", "2024-12-31", freq="ME")
    years = (dates - dates[0]).days / 365.0
    series = pd.concat([
        pd.DataFrame({"as_of": dates, "model_id": "cheap", "price": 100 * 10 ** (-years), "quality": 60.0}),
        pd.DataFrame({"as_of": dates, "model_id": "dear", "price": 500.0, "quality": 70.0}),
        pd.DataFrame({"as_of": dates, "model_id": "weak", "price": 1e-6, "quality": 10.0}),
    ])
    yearly = trend_methods.llmflation_years(series, 50)
    assert yearly["year"].tolist() == [2021, 2022, 2023, 2024]
    assert (yearly["model_id"] == "cheap").all()
    table = pd.DataFrame({"model": ["a", "b", "c", "d"], "release_date": dates[[0, 12, 24, 36]],
                          "price": 100 * 10 ** (-years[[0, 12, 24, 36]]), "score": 60.0})
    cmp = trend_methods.compare(table, series, [50]).set_index("method")
    assert cmp.loc["frontier", "factor_per_year"] == pytest.approx(10, rel=1e-6)
    assert cmp.loc["epoch", "factor_per_year"] == pytest.approx(10, rel=1e-6)
    # LLMflation: December's price of each year, first to last over three years
    assert cmp.loc["llmflation", "factor_per_year"] == pytest.approx(10, rel=0.02)
    assert cmp.loc["llmflation", "points"] == 4
    # nothing reaches 80: no rates, no crash
    none = trend_methods.compare(table, series, [80]).set_index("method")
    assert none["factor_per_year"].isna().all()


# --- the real store ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def con(frontier_db):
    c = store.connect_readonly(frontier_db["db"])
    yield c
    c.close()


def test_backtest_reports_coverage_for_at_least_three_metrics(con):
    from lib import queries

    scored = []
    for m in queries.metrics(con)["metric_id"]:
        out = forecast.backtest_from_db(con, m, "2024-06-30")
        if out["n"]:
            scored.append(m)
            assert 0 <= out["coverage_90"] <= 1
            assert out["median_abs_error_days"] >= 0
            pts = out["points"]
            assert (pd.to_datetime(pts["release_date"]) > pd.Timestamp("2024-06-30")).all()
            assert pts["inside_90"].mean() == pytest.approx(out["coverage_90"])
    assert len(scored) >= 3, scored


def run_cli(args) -> tuple[int, str]:
    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(args)
    return code, buf.getvalue()


def test_cli_forecast_and_backtest_json_shapes(frontier_env, con):
    code, out = run_cli(["backtest", "--metric", "gpqa_diamond", "--cutoff", "2024-06-30", "--format", "json"])
    assert code == 0
    bt = json.loads(out)
    assert {"n", "coverage_90", "median_abs_error_days"} <= set(bt)
    assert bt["n"] == len(bt["points"])
    walk = forecast.trends.lowest_price_walk(forecast.trends.trend_table_from_db(con, "gpqa_diamond"),
                                             bt["thresholds"][0] if bt["thresholds"] else 0)
    threshold = float(walk["score"].min()) if len(walk) else 30.0
    code, out = run_cli(["forecast", "--metric", "gpqa_diamond", "--threshold", f"{threshold}", "--price",
                         "0.000001", "--format", "json"])
    assert code == 0
    fc = json.loads(out)
    assert {"date", "low", "high", "method"} <= set(fc)
    if fc["low"] and fc["high"]:
        assert fc["low"] <= fc["date"] <= fc["high"]
    code, out = run_cli(["trend-methods", "--metric", "gpqa_diamond", "--threshold", "40", "--format", "json"])
    assert code == 0
    assert {r["method"] for r in json.loads(out)} == {"epoch", "llmflation", "frontier"}


@pytest.mark.parametrize("args, message", [
    (["forecast", "--metric", "gpqa_diamond", "--threshold", "40", "--price", "-1"], "price"),
    (["forecast", "--metric", "gpqa_diamond", "--threshold", "40", "--date", "soon"], "date"),
    (["forecast", "--metric", "nope", "--threshold", "40", "--price", "1"], "unknown metric"),
    (["backtest", "--metric", "gpqa_diamond", "--cutoff", "June"], "date"),
])
def test_cli_bad_input_is_one_line_and_exit_2(frontier_env, capsys, args, message):
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_outlook_page_shows_a_forecast_only_with_its_interval_and_backtest(frontier_env, con):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import PROJECT_DIR
    from tests.test_pages import spec

    at = AppTest.from_file(str(PROJECT_DIR / "pages" / "8_outlook.py"), default_timeout=90)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    metric_id = at.selectbox(key="outlook.metric").value
    bt = forecast.backtest_from_db(con, metric_id, "2024-06-30")
    shown = {m.label: m.value for m in at.metric}
    # it opens on a metric the forecast can be backtested on (the dashboard's default when it can), so a first
    # visit shows a forecast, not "No forecast"
    default = snapshot.default_metric(con)
    assert metric_id == forecast.backtestable_metric(con, dt.date(2024, 6, 30), default)
    if any(forecast.backtest_from_db(con, m, "2024-06-30")["n"] for m in (default, metric_id)):
        assert bt["n"] > 0
        assert not [w for w in at.warning if w.value.startswith("No forecast")]
        assert "Forecast date" in shown or at.success
        if metric_id != default:  # the page says why it did not open on the default
            assert any("cannot be backtested" in c.value for c in at.sidebar.caption)
    if "Forecast date" in shown:
        assert bt["n"] > 0
        assert shown["Backtest: inside the 90 % interval"] == f"{bt['coverage_90']:.0%} of {bt['n']}"
        assert "–" in shown["90 % interval"]
        s = spec(at)
        metas = {t.get("meta") for t in s["data"]}
        assert {"band", "forecast", "forecast-interval", "walk-points"} <= metas
    else:
        assert bt["n"] == 0 or at.success or at.warning
    # a cut-off before any data: no backtest, so no forecast is shown
    at.date_input(key="outlook.cutoff").set_value(at.date_input(key="outlook.cutoff").min)
    at.run()
    assert not at.exception
    assert "Forecast date" not in {m.label for m in at.metric}
    table = at.dataframe[0].value
    assert set(table["method"]) == {"epoch", "llmflation", "frontier"}
