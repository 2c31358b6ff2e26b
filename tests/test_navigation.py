"""A newcomer's first ten minutes: pages never crash each other through shared session state, every URL
parameter is read by one typed parser (ISO dates wherever a date is), and an error shows a short message, not a
traceback. (A real browser walks every page in one session with a control moved on each: tests/test_browser.py's
user walk; every page's main controls in turn run here, in AppTest: the navigation matrix.)"""
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
    # a link with parameters of its own (a shared view) sets the view: the month Frontier was left at does not
    # come back, unlike through the sidebar (the navigation matrix). One more run on Data first: AppTest sends the
    # previous page's widgets with the first run of the next, so Streamlit drops them one run later than a browser
    at.run()
    for k in list(at.query_params):
        del at.query_params[k]
    at.query_params["weights"] = "open"
    at.switch_page("pages/1_frontier.py").run()
    assert at.segmented_control(key="frontier.weights").value == "open"
    assert at.select_slider(key="frontier.as_of").value[:7] == options[-1][:7]  # the newest month, its default
    assert "as_of" not in at.query_params


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


def test_a_lagging_url_does_not_move_a_slider_back(frontier_env):
    """Quick slider keys on a busy server: a rerun is asked for before the page's newest URL reached the browser, so
    the run reads an older value the page itself wrote. That is not a link: the slider keeps the user's value (it
    jumped back to the older month, and the walk came back to it on Frontier)."""
    at = AppTest.from_file(APP, default_timeout=90).run()
    slider = at.select_slider(key="frontier.as_of")
    a, b, c = slider.options[-4], slider.options[-5], slider.options[-6]
    for month in (a, b):
        at.select_slider(key="frontier.as_of").set_value(month).run()
    assert at.query_params["as_of"] in (b[:7], [b[:7]])
    at.query_params["as_of"] = a[:7]  # the browser's URL still shows the first month when the next key is pressed
    at.select_slider(key="frontier.as_of").set_value(c).run()
    assert not shown_problems(at)
    assert at.select_slider(key="frontier.as_of").value[:7] == c[:7]
    assert at.query_params["as_of"] in (c[:7], [c[:7]])


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


# --- Navigation matrix: every page's main controls, then every other page, in one session ----------------------

PAGE_FILES = {"frontier": "1_frontier.py", "generations": "2_generations.py", "trends": "3_trends.py",
              "models": "4_models.py", "calculator": "5_calculator.py", "data": "6_data.py",
              "distillation": "7_distillation.py", "outlook": "8_outlook.py", "changes": "9_changes.py",
              "switching": "10_switching.py"}


def _other(box) -> None:
    """A selectbox's option next to the current one (the one before, when the current is the last)."""
    i, n = box.index or 0, len(box.options)
    box.select_index(i - 1 if i == n - 1 else i + 1)


def _other_model(box) -> None:
    """A model picker's next model: its options read "Name (vendor/slug)", its value is the id."""
    import re

    ids = [re.search(r"\(([^()]+)\)$", o).group(1) for o in box.options]
    i = ids.index(box.value)
    box.set_value(ids[i - 1 if i == len(ids) - 1 else i + 1])


def _upload(at: AppTest) -> None:
    from lib.views import DEFAULT_METRIC

    at.file_uploader(key="data.upload").set_value(
        ("mine.csv", ("name,input_usd_per_mtok,output_usd_per_mtok,metric_id,value\n"
                      f"My fine-tune,0.05,0.1,{DEFAULT_METRIC},60\n").encode(), "text/csv"))


def _flip(w) -> None:
    w.set_value(not w.value)


# The controls the browser matrix moved until it became this AppTest (the same order), by widget key.
MAIN_CONTROLS = {
    "frontier": [lambda at: at.select_slider(key="frontier.as_of").set_value(at.select_slider(key="frontier.as_of")
                                                                            .options[-13]),
                 lambda at: _other(at.selectbox(key="frontier.metric")),
                 lambda at: at.segmented_control(key="frontier.basis").set_value("output"),
                 lambda at: at.segmented_control(key="frontier.weights").set_value("open"),
                 lambda at: _flip(at.toggle(key="frontier.reviewed")),
                 lambda at: _flip(at.toggle(key="frontier.headline")),
                 lambda at: _flip(at.toggle(key="frontier.replay"))],
    "generations": [lambda at: _other(at.selectbox(key="generations.metric")),
                    lambda at: at.radio(key="generations.price_date").set_value("a date"),
                    lambda at: at.date_input(key="generations.on").set_value(dt.date(2024, 6, 1)),
                    lambda at: at.segmented_control(key="generations.basis").set_value("input"),
                    lambda at: at.segmented_control(key="generations.pairset").set_value("distilled")],
    "trends": [lambda at: at.segmented_control(key="trends.by").set_value("model"),
               lambda at: at.radio(key="trends.price_date").set_value("today"),
               lambda at: _other(at.selectbox(key="trends.metric")),
               lambda at: at.segmented_control(key="trends.basis").set_value("output")],
    "models": [lambda at: _other_model(at.selectbox(key="models.model")),
               lambda at: at.multiselect(key="models.compare").unselect(at.multiselect(key="models.compare").value[0])],
    "calculator": [lambda at: at.number_input(key="calculator.in_m").set_value(10),
                   lambda at: _other(at.selectbox(key="calculator.metric")),
                   lambda at: _flip(at.toggle(key="calculator.reviewed")),
                   lambda at: at.slider(key="calculator.cache").set_value(at.slider(key="calculator.cache").value + 0.25)],
    "data": [lambda at: at.date_input(key="data.as_of").set_value(dt.date(2024, 6, 1)),
             lambda at: _other(at.selectbox(key="data.metric")),
             _upload],
    "distillation": [lambda at: _other(at.selectbox(key="distillation.metric")),
                     lambda at: at.select_slider(key="distillation.k").set_value(3),
                     lambda at: at.radio(key="distillation.flagship").set_value("priciest"),
                     lambda at: at.segmented_control(key="distillation.period").set_value("quarter"),
                     lambda at: at.segmented_control(key="distillation.basis").set_value("output")],
    "outlook": [lambda at: _other(at.selectbox(key="outlook.metric")),
                lambda at: at.text_input(key="outlook.levels").set_value("40, 60"),
                lambda at: at.number_input(key="outlook.price").set_value(0.5),
                lambda at: at.date_input(key="outlook.cutoff").set_value(dt.date(2024, 1, 31))],
    "changes": [lambda at: _other(at.selectbox(key="changes.metric")),
                lambda at: at.multiselect(key="changes.kinds").unselect(at.multiselect(key="changes.kinds").value[0])],
    "switching": [lambda at: _other(at.selectbox(key="switching.metric")),
                  lambda at: _other_model(at.selectbox(key="switching.model")),
                  lambda at: at.number_input(key="switching.out_m").set_value(50),
                  lambda at: _flip(at.toggle(key="switching.reviewed")),
                  lambda at: at.date_input(key="switching.since").set_value(dt.date(2024, 6, 1))],
}

# Streamlit drops a page's widget state once another page has run, so what one page's controls leave behind is
# seen by the page opened right after it (and session data such as an upload by every later page). The walk:
# every page in turn, opened straight after the previous page's controls moved, its own controls moved; then
# every page again in another order, each opened after a different page: 19 distinct page-to-page steps in one
# session. test_no_two_pages_share_a_widget_key checks every pair of pages for shared widget keys, the cause.
SWEEP = ["changes", "trends", "switching", "frontier", "outlook", "models", "distillation", "generations", "data",
         "calculator"]


def _shown_text(at: AppTest) -> str:
    return " ".join(str(getattr(e, "value", "")) for kind in ("success", "info", "caption", "markdown")
                    for e in getattr(at, kind))


def test_navigation_matrix_no_exception_after_any_control(frontier_env):
    """The crashes a newcomer met: a control moved on one page broke another page in the same session (shared
    session keys of different types). Every page's main controls, each page opened after another's, in one
    session (AppTest: the same script runs and session state as the server, without drawing); each page opened
    again later shows the view it was left in. A real browser walks every page in one session with a control moved
    on each: tests/test_browser.py's user walk."""
    assert list(PAGE_FILES) == list(MAIN_CONTROLS) and sorted(SWEEP) == sorted(PAGE_FILES)
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not shown_problems(at)
    walked: list[str] = []
    left: dict[str, dict] = {}  # each page's URL parameters when the walk left it
    for name, file in PAGE_FILES.items():
        if walked:
            switch(at, f"pages/{file}")
            assert not shown_problems(at), (walked[-1], "→", name, shown_problems(at))
        for i, act in enumerate(MAIN_CONTROLS[name]):
            before = {k: at.query_params[k] for k in at.query_params}
            act(at)
            at.run()
            assert not shown_problems(at), (name, i, shown_problems(at))
            # the control really moved: its value is in the URL now (the upload says so on the page)
            after = {k: at.query_params[k] for k in at.query_params}
            assert after != before or "Loaded 1 model(s)" in _shown_text(at), (name, i, before)
        left[name] = after
        walked.append(name)
    for name in SWEEP:
        switch(at, f"pages/{PAGE_FILES[name]}")
        assert not shown_problems(at), (walked[-1], "→", name, shown_problems(at))
        # back through the sidebar, the page shows the view it was left in: its widgets wrote the same URL again
        assert {k: at.query_params[k] for k in at.query_params} == left[name], (name, left[name])
        walked.append(name)
