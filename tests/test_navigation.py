"""A newcomer's first ten minutes: pages never crash each other through shared session state, every URL
parameter is read by one typed parser (ISO dates wherever a date is), and an error shows a short message, not a
traceback. (The same sequences in a real browser: tests/test_browser.py's navigation matrix.)"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib import clock, urlparams
from tests.conftest import PROJECT_DIR

APP = str(PROJECT_DIR / "dashboard.py")  # the dashboard's script (app.py is the server around it)


def shown_problems(at: AppTest) -> list[str]:
    from lib.ui import PAGE_ERROR_MESSAGE

    return [e.message for e in at.exception] + [e.value for e in at.error if PAGE_ERROR_MESSAGE in e.value]


def switch(at: AppTest, page: str) -> AppTest:
    """Open another page as the sidebar does: the browser drops the previous page's URL parameters."""
    for k in list(at.query_params):
        del at.query_params[k]
    return at.switch_page(page).run()


def test_moving_market_as_of_on_frontier_then_opening_data_does_not_crash(frontier_env):
    # was: AttributeError: 'str' object has no attribute 'year' (Frontier's as_of string fed Data's date input)
    at = AppTest.from_file(APP, default_timeout=90).run()
    options = at.select_slider(key="frontier.as_of").options
    at.select_slider(key="frontier.as_of").set_value(options[-13]).run()
    assert at.query_params["as_of"] in (options[-13][:7], [options[-13][:7]])
    switch(at, "pages/6_data.py")
    assert not shown_problems(at)
    from lib import queries, store

    con = store.connect_readonly(frontier_env)
    newest = min(pd.Timestamp(queries.date_span(con)[1]).date(), clock.today())
    con.close()
    assert at.date_input(key="data.as_of").value == newest  # Data's own default, not Frontier's month


def test_a_vendor_and_an_upload_on_data_then_frontier_shows_the_upload(frontier_env):
    # was: TypeError: 'datetime.date' object is not subscriptable on every later Frontier visit
    at = AppTest.from_file(APP, default_timeout=90).run()
    switch(at, "pages/6_data.py")
    at.multiselect(key="data.vendors").set_value(["openai"]).run()
    metric_id = at.selectbox(key="data.metric").value
    at.session_state["user_models"] = pd.DataFrame([{
        "model_id": "yours/mine", "name": "Mine", "vendor": "yours", "release_date": None,
        "input_usd_per_mtok": 0.01, "output_usd_per_mtok": 0.02, "metric_id": metric_id, "quality": 50.0}])
    at.run()
    switch(at, "pages/1_frontier.py")
    assert not shown_problems(at)
    assert at.multiselect(key="frontier.vendors").value == []  # Data's vendor filter stays on Data
    at.selectbox(key="frontier.metric").set_value(metric_id).run()
    import json

    names = {t["name"] for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]}
    assert "your models" in names


@pytest.mark.parametrize("raw, month", [("2024-06-01", "2024-06"), ("2024-06", "2024-06"),
                                         ("2024-06-30 (today)", "2024-06")])
def test_frontier_as_of_accepts_iso_dates_and_months(frontier_env, raw, month):
    at = AppTest.from_file(str(PROJECT_DIR / "pages" / "1_frontier.py"), default_timeout=90)
    at.query_params["as_of"] = raw
    at.run()
    assert not at.exception
    assert at.select_slider(key="frontier.as_of").value[:7] == month
    assert f"as of {month}" in at.get("plotly_chart")[0].proto.spec


def test_data_as_of_accepts_a_month_and_a_bad_value_is_named_not_fatal(frontier_env):
    at = AppTest.from_file(str(PROJECT_DIR / "pages" / "6_data.py"), default_timeout=90)
    at.query_params["as_of"] = "2024-05"
    at.run()
    assert not at.exception and at.date_input(key="data.as_of").value == dt.date(2024, 5, 31)
    bad = AppTest.from_file(str(PROJECT_DIR / "pages" / "6_data.py"), default_timeout=90)
    bad.query_params["as_of"] = "yesterday"
    bad.run()
    assert not bad.exception
    # the parameter is named (as escaped Markdown text: `as\_of\=yesterday`)
    assert any("Ignored in the link" in c.value and "as\\_of" in c.value and "yesterday" in c.value
               for c in bad.caption)


def test_an_error_on_a_page_shows_a_short_message_and_no_traceback(frontier_env, tmp_path, monkeypatch):
    page = tmp_path / "boom.py"
    page.write_text("import streamlit as st\nst.title('Boom')\nraise ValueError('secret internals')\n")
    app = tmp_path / "dashboard.py"
    app.write_text((PROJECT_DIR / "dashboard.py").read_text().replace('"pages/1_frontier.py"', repr(str(page)))
                   .replace('"pages/', f'"{PROJECT_DIR}/pages/'))
    monkeypatch.syspath_prepend(str(PROJECT_DIR))
    at = AppTest.from_file(str(app), default_timeout=90).run()
    assert not at.exception  # no traceback reaches the user
    from lib.ui import PAGE_ERROR_MESSAGE

    assert any(PAGE_ERROR_MESSAGE in e.value for e in at.error)
    assert "secret internals" not in " ".join(e.value for e in at.error)


def test_hosted_config_shows_no_error_details():
    import tomllib

    cfg = tomllib.loads((PROJECT_DIR / ".streamlit" / "config.toml").read_text())
    assert cfg["client"]["showErrorDetails"] == "none"


# --- the typed parsers -----------------------------------------------------------------------------------------

def test_parse_date_accepts_iso_dates_and_months_within_bounds():
    lo, hi = dt.date(2023, 1, 1), dt.date(2026, 9, 1)
    assert urlparams.parse_date("2024-06-01", lo, hi) == dt.date(2024, 6, 1)
    assert urlparams.parse_date("2024-06", lo, hi) == dt.date(2024, 6, 30)
    assert urlparams.parse_date("2026-09", lo, hi) == hi  # the current month: its newest day
    assert urlparams.parse_date(["2024-02-29"]) == dt.date(2024, 2, 29)
    for bad in ("2024-13-01", "2023-02-29", "yesterday", "", None, "2030-01-01", "2022-12-31"):
        assert urlparams.parse_date(bad, lo, hi) is None, bad


def test_parse_month_option_snaps_to_the_months_option():
    opts = [dt.date(2024, 5, 31), dt.date(2024, 6, 30), dt.date(2024, 7, 15)]
    assert urlparams.parse_month_option("2024-06-01", opts) == dt.date(2024, 6, 30)
    assert urlparams.parse_month_option("2024-07", opts) == dt.date(2024, 7, 15)
    assert urlparams.parse_month_option("2024-08-01", opts) is None


def test_parse_choice_list_bool_number_and_range():
    labels = {"blended": "Blended", "output": "Output"}
    assert urlparams.parse_choice("Output", ["blended", "output"], labels) == "output"
    assert urlparams.parse_choice("OUTPUT", ["blended", "output"], labels) == "output"
    assert urlparams.parse_choice("nope", ["blended", "output"], labels) is None
    assert urlparams.parse_choice("128000", [0, 128_000]) == 128_000
    assert urlparams.parse_list(["openai", "nope", "google"], ["google", "openai"]) == ["openai", "google"]
    assert urlparams.parse_list("openai,google", ["google", "openai"]) == ["openai", "google"]
    assert urlparams.parse_list(["nope"], ["google"]) is None
    assert urlparams.parse_bool("false") is False and urlparams.parse_bool("1") is True
    assert urlparams.parse_bool("maybe") is None
    assert urlparams.parse_number("1000", 0) == 1000 and urlparams.parse_number("-1", 0) is None
    assert urlparams.parse_number("nan") is None and urlparams.parse_number("1e400") is None
    assert urlparams.parse_date_range(["2024-06-01", "2023-01"]) == (dt.date(2023, 1, 31), dt.date(2024, 6, 1))
    assert urlparams.parse_date_range(["2024-06-01"]) is None


# --- Every page: no widget key shared by two pages (the cause of the crashes) ----------------------------------

def _widget_keys(at: AppTest) -> dict[str, tuple[str, str | None]]:
    """Each keyed widget on the page: key -> (kind, label)."""
    out = {}
    stack = [at.main, at.sidebar]
    while stack:
        node = stack.pop()
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            stack.extend(children.values())
        key = getattr(node, "key", None)
        if key and getattr(node, "type", None) not in (None, "plotly_chart"):
            out[key] = (node.type, getattr(node, "label", None))
    return out


@pytest.fixture(scope="module")
def every_page(frontier_db):
    """Each page of pages/ run once on its defaults (no URL parameters): file name -> AppTest."""
    mp = pytest.MonkeyPatch()
    mp.setenv("FRONTIER_DB", str(frontier_db["db"]))
    mp.setenv("FRONTIER_SEED_DIR", str(frontier_db["seed"]))
    mp.setenv("FRONTIER_SNAPSHOT_DIR", str(frontier_db["snapshots"]))
    try:
        yield {p.name: AppTest.from_file(str(p), default_timeout=90).run()
               for p in sorted((PROJECT_DIR / "pages").glob("*.py"))}
    finally:
        mp.undo()


def test_no_two_pages_share_a_widget_key(every_page):
    """Streamlit keeps a page's widget state into the next page's first run: a key used by two pages with widgets
    of different kinds (a date on one, a string on another) crashed the second. Only the same widget (kind and
    label: the export panel's expander) may appear on two pages."""
    assert len(every_page) >= 10
    owners: dict[str, dict[str, tuple]] = {}
    for name, at in every_page.items():
        assert not at.exception, (name, [e.message for e in at.exception])
        keys = _widget_keys(at)
        assert len(keys) >= 2, name  # the walk found the page's controls
        for key, what in keys.items():
            owners.setdefault(key, {})[name] = what
    shared = {k: v for k, v in owners.items() if len(v) > 1 and len(set(v.values())) > 1}
    assert not shared, shared


def test_one_default_metric_scores_the_headline_pairs_and_every_page_and_the_cli_open_on_it(every_page,
                                                                                            frontier_env):
    """The home chart should show the article's headline models: the default metric is chosen from the data as
    the one scoring both ends of most headline pairs, and every page with a metric picker and the CLI use it."""
    import json

    from lib import forecast, queries, snapshot, store
    from lib.curate.article import ARTICLE_PAIRS
    from tests.conftest import run_cli

    con = store.connect_readonly(frontier_env)
    try:
        default = snapshot.default_metric(con)
        covered, total = snapshot.headline_pair_coverage(con, default)
        others = [snapshot.headline_pair_coverage(con, m)[0] for m in queries.metric_ids(con)]
        # the Outlook shows a forecast only with its backtest: it opens on the default where that can be had
        outlook = forecast.backtestable_metric(con, dt.date(2024, 6, 30), default)
    finally:
        con.close()
    assert total == len(ARTICLE_PAIRS) and covered == total  # every headline model is scored on it
    assert covered == max(others)  # no metric covers more of them
    pickers = {name: at.selectbox(key=f"{name.split('_', 1)[1][:-3]}.metric").value
               for name, at in every_page.items()
               if any(getattr(w, "key", None) == f"{name.split('_', 1)[1][:-3]}.metric" for w in at.selectbox)}
    assert pickers.pop("8_outlook.py", outlook) == outlook, pickers
    assert len(pickers) >= 8 and set(pickers.values()) == {default}, pickers
    out = run_cli("generations", "--pair-set", "article", "--format", "json", env={"FRONTIER_DB": str(frontier_env)})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["metric"] == default


def test_switching_metric_then_changes_then_trends_then_distillation_metric(frontier_env):
    """The paths the browser matrix flagged on a loaded machine: a metric change on Switching, Trends opened
    after Changes, and a metric change on Distillation that must reach the chart."""
    at = AppTest.from_file(APP, default_timeout=90).run()
    switch(at, "pages/10_switching.py")
    box = at.selectbox(key="switching.metric")
    box.select_index(1 if box.index == 0 else 0).run()
    assert not shown_problems(at)
    switch(at, "pages/9_changes.py")
    box = at.selectbox(key="changes.metric")
    box.select_index(1 if box.index == 0 else 0).run()
    assert not shown_problems(at)
    switch(at, "pages/3_trends.py")
    assert not shown_problems(at) and at.get("plotly_chart")
    switch(at, "pages/7_distillation.py")
    box = at.selectbox(key="distillation.metric")
    before = at.get("plotly_chart")[0].proto.spec
    box.select_index(1 if box.index == 0 else 0).run()
    assert not shown_problems(at)
    chosen = at.selectbox(key="distillation.metric").value
    assert at.query_params["metric"] in (chosen, [chosen])
    assert at.get("plotly_chart") and at.get("plotly_chart")[0].proto.spec != before


def _other_scale_metric(at: AppTest, key: str) -> str:
    """The listed metric whose scale is farthest from the current one's (e.g. an Elo-like arena score after a
    percentage): read from the data, so a refresh that adds metrics keeps the test true."""
    from lib import store

    con = store.connect_readonly(store.ensure_db())
    try:
        tops = dict(con.execute("SELECT metric_id, max(value) FROM scores GROUP BY metric_id "
                                "HAVING count(DISTINCT model_id) >= 10").fetchall())
    finally:
        con.close()
    current = at.selectbox(key=key).value
    return max(tops, key=lambda m: abs(tops[m] - tops[current]))


@pytest.mark.parametrize("page,prefix", [("pages/3_trends.py", "trends"), ("pages/8_outlook.py", "outlook")])
def test_levels_follow_the_metric_but_a_link_sets_them(frontier_env, page, prefix):
    """Levels typed for one metric (on its scale) are not carried to another: after a metric change the box shows
    the new metric's defaults and the URL drops the old levels. A shared link's levels are kept."""
    at = AppTest.from_file(str(PROJECT_DIR / page), default_timeout=90).run()
    box = at.text_input(key=f"{prefix}.levels")
    first_defaults = box.value
    box.set_value("70").run()
    assert at.query_params["levels"] in ("70", ["70"])
    other = _other_scale_metric(at, f"{prefix}.metric")
    at.selectbox(key=f"{prefix}.metric").set_value(other).run()
    assert not shown_problems(at)
    shown = at.text_input(key=f"{prefix}.levels").value
    assert shown != "70" and shown != first_defaults, shown
    assert "levels" not in at.query_params
    # a link that names both keeps its levels
    link = AppTest.from_file(str(PROJECT_DIR / page), default_timeout=90)
    link.query_params["metric"] = other
    link.query_params["levels"] = shown + ", 1"
    link.run()
    assert link.text_input(key=f"{prefix}.levels").value == shown + ", 1"
    assert not shown_problems(link)
