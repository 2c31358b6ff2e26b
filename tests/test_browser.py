"""Real-browser checks (system Chromium, Playwright sync API) against a `streamlit run` server on a free port:
every page renders its chart, a filter change redraws it, a URL reproduces a view, a click opens the model."""
from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path

import pytest

from tests.conftest import CHART_PAGES, CHROMIUM, FRESH_PAGES, FRESH_URLS, SHOTS, off_host_recorder, runs, wait_run

# In conftest.py: `server` (one `streamlit run` for the whole session), `browser` (one Chromium), `context` (one
# browser context whose pages count Streamlit's script runs) and `first_loads` (every page opened once by URL).

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no system Chromium at {CHROMIUM}")]


@pytest.fixture
def page(context):
    """A new tab of the session's browser context: a new Streamlit session."""
    pg = context.new_page()
    yield pg
    pg.close()


def wait_chart(page, timeout=90_000, runs_before=0, url_before=None):
    """The script run that opened the page (or that an action started after `runs_before` runs) has finished and a
    chart is drawn."""
    wait_run(page, runs_before, url_before, timeout=timeout / 1000)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=timeout)


def x_title(page) -> str:
    return page.locator(".js-plotly-plot .xtitle").first.text_content()


@pytest.mark.parametrize("name", FRESH_PAGES)
def test_each_page_renders(first_loads, name):
    """Opened by its URL in a new session, the page draws its chart (the Data page: its table) and shows no
    exception (the load is shared with test_hostile_pages.py: conftest.first_loads; every page of CHART_PAGES is
    checked so from the sidebar by the user walk)."""
    seen = first_loads[name]
    assert seen["error"] is None, (name, seen["error"])
    if name == "data":
        assert seen["tables"] > 0, name
    else:
        assert seen["traces"] > 0, name
    assert seen["exceptions"] == [], (name, seen["exceptions"])


def drawn(page, name: str) -> int:
    """Once the page's chart is drawn (the Data page: its table), how many traces (tables) it has."""
    table = name == "data"
    page.wait_for_selector("[data-testid='stDataFrame']" if table else ".js-plotly-plot .main-svg", timeout=90_000)
    return page.locator("[data-testid='stDataFrame']" if table else
                        ".js-plotly-plot .scatterlayer .trace, .js-plotly-plot .gl-container").count()


@pytest.fixture(scope="module")
def frontier_link(server, context):
    """A tab opened by a link to the Frontier page (price basis Input, no annotations), shared by the two tests that
    start on that page, in this order: the link's view and a filter change, then a click on a point (one page load
    instead of two: each new page evaluates Streamlit's and plotly.js's scripts again)."""
    pg = context.new_page()
    pg.goto(f"{server}/frontier?basis=Input&headline=false")
    wait_chart(pg)
    yield pg
    pg.close()


def test_a_link_reproduces_a_view_and_a_filter_change_updates_the_chart(frontier_link):
    """A link's view (price basis Input, no annotations) is what the page shows; a control moved then redraws the
    chart and the new value goes into the URL. (The default basis, Blended, is checked on the first load:
    test_each_page_renders.)"""
    page = frontier_link
    assert x_title(page).startswith("Input price")
    page.locator("[data-testid='stSidebar']").get_by_role("radio", name="Output", exact=True).dispatch_event("click")
    page.wait_for_function(
        "() => (document.querySelector('.js-plotly-plot .xtitle')||{}).textContent?.startsWith('Output')",
        timeout=30_000, polling=100)  # a timer in the page (the default, every animation frame, draws frames)
    assert "basis=Output" in page.url  # bound widgets put their shown label in the URL


def test_url_query_params_reproduce_a_view(first_loads):
    """The Calculator's first load is by a link with its token volumes (conftest.FRESH_URLS): the chart is the
    link's view."""
    assert FRESH_URLS["calculator"] == "calculator?in_m=1000&out_m=0"
    seen = first_loads["calculator"]
    assert seen["error"] is None, seen["error"]
    assert "1000 M in + 0 M out" in seen["title"]


def test_clicking_a_point_opens_that_model(frontier_link, frontier_db):
    """A click on a point of the Frontier chart (the tab the link test left) offers that model's page, which opens
    on it, and the same URL in a fresh page shows the same model."""
    page = frontier_link
    wait_chart(page)  # whatever run the test before started is over
    points = page.locator(".js-plotly-plot .scatterlayer .trace .points path")
    for i in range(min(points.count(), 6)):  # a point may sit under a label; try the next one
        box = points.nth(i).bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)  # Plotly picks the point on hover, then the click selects it
        time.sleep(0.3)
        n = runs(page)
        page.mouse.down()
        page.mouse.up()
        wait_run(page, n, grace=3.0)  # a selected point reruns the page; a click beside every point does not
        if page.get_by_text("Price history and scores of").count():
            break
    page.wait_for_selector("text=Price history and scores of", timeout=5_000)
    link = page.locator("a:has-text('Price history and scores of')").first
    n, before = runs(page), page.url
    link.click()
    page.wait_for_url(re.compile(r".*/models\?model=.+"), timeout=30_000)
    wait_chart(page, runs_before=n, url_before=before)
    assert "price per million tokens" in page.locator(".js-plotly-plot .gtitle").first.text_content()
    # the same URL in a fresh page shows the same model
    url = page.url
    page.goto(url)
    wait_chart(page)
    model_id = re.search(r"model=([^&]+)", url).group(1)
    from urllib.parse import unquote

    from lib import queries, store

    con = store.connect_readonly(frontier_db["db"])
    name = queries.models(con).set_index("model_id").at[unquote(model_id), "name"]
    con.close()
    assert page.locator(".js-plotly-plot .gtitle").first.text_content().startswith(f"{name}: price")


# --- A user's walk: every page from the sidebar, a control moved on each, in one browser session ------------------

SIDEBAR_TITLES = {"frontier": "Frontier", "generations": "Generations", "trends": "Trends", "models": "Models",
                  "calculator": "Calculator", "data": "Data", "distillation": "Distillation index",
                  "outlook": "Outlook", "changes": "Changes", "switching": "Switching"}
def problems(page) -> list[str]:
    """What a user would see go wrong: a Streamlit exception box or the error boundary's message (one look)."""
    from lib.ui import PAGE_ERROR_MESSAGE

    return page.evaluate("""msg => {
        const out = [...document.querySelectorAll("[data-testid='stException']")].map(e => e.innerText.slice(0, 300));
        if (document.body.innerText.includes(msg)) out.push(msg);
        return out; }""", PAGE_ERROR_MESSAGE)


def _pick_other(page, label: str) -> None:
    """Open the selectbox labelled `label` and choose the option below the current one."""
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label).first
    box.locator("input").first.focus()
    page.keyboard.press("ArrowDown")  # opens the list; on a busy CPU it can take a while to appear
    options = page.locator("[role='option']")
    options.first.wait_for(state="visible", timeout=30_000)
    chosen = options.evaluate_all("els => els.map(e => e.getAttribute('aria-selected'))")
    # the current option is the last one (the old matrix's "metric change not applied" on Distillation): go up
    page.keyboard.press("ArrowUp" if chosen and chosen[-1] == "true" else "ArrowDown")
    page.keyboard.press("Enter")


def _choose(page, text: str) -> None:
    """A radio option or a segmented-control button by its shown text."""
    page.get_by_text(text, exact=True).first.click()


def _slide(page, label: str, key: str = "ArrowLeft", times: int = 12) -> None:
    thumb = page.locator(f"input[type='range'][aria-label^='{label}']").first
    thumb.focus()
    for _ in range(times):
        page.keyboard.press(key)


def _type(page, label: str, text: str) -> None:
    field = page.get_by_label(label, exact=True).first
    field.fill(text)
    field.press("Enter")


def _type_prefix(page, suffix: str, text: str) -> None:
    """A text input whose label ends with `suffix` (its start names the chosen metric)."""
    field = page.locator(f"input[aria-label$='{suffix} (comma-separated)']").first
    field.fill(text)
    field.press("Enter")


def _drop_first(page, label: str) -> None:
    """Remove the first chosen option of the multiselect labelled `label`."""
    box = page.locator("[data-testid='stMultiSelect']").filter(has_text=label).first
    box.locator("button[aria-label^='Remove ']:visible").first.click()


def _date(page, label: str, iso: str) -> None:
    """A date input: type into its year, month and day segments, then leave the field (that commits it)."""
    for part, text in zip(("year", "month", "day"), iso.split("-")):
        page.locator(f"[role='spinbutton'][aria-label='{part}, {label}']").first.focus()
        page.keyboard.type(text)
    page.keyboard.press("Tab")
    page.locator("h1").first.click()


def _upload(page, tmp_path) -> None:
    from lib.views import DEFAULT_METRIC

    f = tmp_path / "mine.csv"
    f.write_text("name,input_usd_per_mtok,output_usd_per_mtok,metric_id,value\n"
                 f"My fine-tune,0.05,0.1,{DEFAULT_METRIC},60\n")
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(f))


# One control per page, a different kind on each (slider, radio, selectbox, tab, number, upload, text, multiselect,
# date): what the user walk moves before opening the next page. Every page's main controls, each page opened after
# another's (19 page-to-page steps), run in AppTest: tests/test_navigation.py's navigation matrix.
WALK_CONTROLS = {
    "frontier": lambda p, t: _slide(p, "Market as of"),
    "generations": lambda p, t: _choose(p, "a date I choose"),
    "trends": lambda p, t: _pick_other(p, "Quality metric"),
    "models": lambda p, t: _choose(p, "Compare (up to six)"),
    "calculator": lambda p, t: _type(p, "Input tokens per month (millions)", "10"),
    "data": lambda p, t: _upload(p, t),
    "distillation": lambda p, t: _slide(p, "At least K", times=2),
    "outlook": lambda p, t: _type_prefix(p, "levels", "40, 60"),
    "changes": lambda p, t: _drop_first(p, "Changes"),
    "switching": lambda p, t: _date(p, "Used since", "2024-06-01"),
}
WALK = list(SIDEBAR_TITLES)
QUIET = 0.3  # after a run, no other for this long: the step's runs are over (a slider sends one per key press)


def _open(page, name: str) -> None:
    n, before = runs(page), page.url
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text=SIDEBAR_TITLES[name]).first.click()
    wait_run(page, n, before, quiet=QUIET)


def _query(url: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl, urlsplit

    return sorted(parse_qsl(urlsplit(url).query))


def test_a_user_walks_every_page_in_one_session(server, context, tmp_path):
    """A newcomer's walk in one browser session: every page opened from the sidebar right after a control moved on
    the page before it (what a page leaves in the session is seen by the next one: the crashes of shared session
    keys), one control moved on each page, and no exception or error message anywhere; back on the first page at the
    end, its control is where the user left it. Each page of CHART_PAGES draws its chart (Data: its table) when
    opened, the first page (by URL) with the default price basis, and no request leaves 127.0.0.1 on the way.
    Every page's main controls, with each page opened after two different pages, run in AppTest (same script runs
    and session state, no drawing): tests/test_navigation.py::test_navigation_matrix_no_exception_after_any_control."""
    assert sorted(WALK) == sorted(WALK_CONTROLS) and set(CHART_PAGES) <= set(WALK)
    page = context.new_page()  # a new tab: a new Streamlit session
    off_host = off_host_recorder(page)
    page.set_viewport_size({"width": 1400, "height": 2400})
    page.set_default_timeout(120_000)  # a starved CPU can freeze the tab for a minute while it draws a page
    walked: list[str] = []
    left: dict[str, str] = {}  # each page's URL when the walk left it
    try:
        page.goto(f"{server}/{WALK[0]}")
        page.wait_for_selector("[data-testid='stSidebarNav']", timeout=90_000)
        wait_run(page, 0, quiet=QUIET)
        for name in WALK:
            if walked:
                _open(page, name)
                assert not problems(page), (walked[-1], "→", name, problems(page))
            if name in CHART_PAGES:
                assert drawn(page, name) > 0, name
            if not walked:
                assert "Blended" in x_title(page)  # the default price basis
            n, before = runs(page), page.url
            WALK_CONTROLS[name](page, tmp_path)
            wait_run(page, n, before, quiet=QUIET)
            assert not problems(page), (name, problems(page))
            # the control really moved: its value is in the URL now (the upload says so on the page)
            assert page.url != before or page.get_by_text("Loaded 1 model(s)").count(), (name, before)
            left[name] = page.url
            walked.append(name)
        # back to the first page through the sidebar: it shows the view the user left it in, not its defaults
        _open(page, WALK[0])
        assert not problems(page), (walked[-1], "→", WALK[0], problems(page))
        assert _query(page.url) == _query(left[WALK[0]]) != [], (left[WALK[0]], page.url)
        assert off_host == [], off_host
    except BaseException:  # keep what the page showed when the walk stopped
        with contextlib.suppress(Exception):
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "walk-failure.png"))
        raise
    finally:
        page.close()
