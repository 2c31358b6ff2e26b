"""Sharing a chart from the dashboard (issue 18), in a real browser against a real server: "Download as PowerPoint"
gives a native chart with the page's points, and the whole deck; the copied iframe code works in a plain HTML page
served locally, showing the chart and its attribution line and nothing else; the standalone HTML draws offline."""
from __future__ import annotations

import functools
import http.server
import re
import threading
import time
from pathlib import Path

import pytest

from lib import embed
from tests.conftest import BROWSER_OPTIONS, CHROMIUM, _free_port, wait_run
from tests.test_browser import wait_chart

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no system Chromium at {CHROMIUM}")]


def test_embed_url_keeps_the_view_and_names_the_chart():
    url = embed.embed_url("http://host:8501/generations", {"metric": "mmlu", "vendors": ["openai", "google"],
                                                           "chart": "old", "embed": "true"}, "generations")
    assert url == ("http://host:8501/generations?metric=mmlu&vendors=openai&vendors=google"
                   "&chart=generations&embed=true")
    code = embed.iframe_code(url, 'Price "vs" <quality>')
    assert code.startswith('<iframe src="http://host:8501/generations?metric=mmlu&amp;vendors=openai')
    assert 'title="Price &quot;vs&quot; &lt;quality&gt;"' in code
    assert embed.embed_url("http://host:8501", {}, "frontier") == "http://host:8501/?chart=frontier&embed=true"


@pytest.fixture
def static_site(tmp_path):
    """A plain web server on 127.0.0.1 serving `tmp_path` (the page that embeds the chart)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", _free_port()), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_copied_embed_code_shows_the_chart_and_its_sources_in_a_plain_page(server, context, static_site):
    folder, site = static_site
    page = context.new_page()
    try:
        # The user opens the Generations page, the export panel, and copies the embed code shown there.
        page.goto(f"{server}/generations", wait_until="domcontentloaded")
        wait_chart(page, timeout=240_000)
        page.get_by_text("Export for slides and reports").first.click()
        code_block = page.locator("[data-testid='stCode'] code", has_text="<iframe").first
        code_block.wait_for(timeout=240_000)
        code = code_block.inner_text()
        assert code.startswith("<iframe src=\"") and "chart=generations" in code and "embed=true" in code
        (folder / "post.html").write_text(f"<!DOCTYPE html><html><body><h1>My blog post</h1>{code}</body></html>")

        page.goto(f"{site}/post.html", wait_until="domcontentloaded")
        frame_el = page.wait_for_selector("iframe", timeout=60_000)
        frame = frame_el.content_frame()
        frame.wait_for_selector(".js-plotly-plot .main-svg", timeout=240_000)
        wait_run(frame, 0, timeout=240)
        # the chart, with its points, and the attribution line
        assert frame.locator(".js-plotly-plot .scatterlayer .point").count() > 0
        assert frame.get_by_text(re.compile(r"^Sources: ")).first.is_visible()
        # nothing else of the dashboard: no sidebar, no page title, no export panel, a single chart
        assert not frame.locator("section[data-testid='stSidebar']").first.is_visible()
        assert frame.locator(".js-plotly-plot:visible").count() == 1
        assert frame.get_by_text("Export for slides and reports").count() == 0 or \
            not frame.get_by_text("Export for slides and reports").first.is_visible()
        assert not frame.locator("h1").first.is_visible()
        assert not frame.get_by_role("tab").first.is_visible()
    finally:
        page.close()


def test_powerpoint_download_holds_the_pages_points_and_the_whole_deck_downloads(server, context, tmp_path):
    from pptx import Presentation

    page = context.new_page()  # the session's context accepts downloads (Playwright's default)
    try:
        page.goto(f"{server}/frontier", wait_until="domcontentloaded")
        wait_chart(page, timeout=240_000)
        # what Plotly drew: the points of each trace in its calculated data
        drawn = page.evaluate("""() => { const gd = document.querySelector('.js-plotly-plot');
            return Object.fromEntries(gd._fullData.map((t, i) => [t.name, (gd.calcdata[i] || [])
                .filter(p => Number.isFinite(p.x) && Number.isFinite(p.y)).length])); }""")
        page.get_by_text("Export for slides and reports").first.click()
        page.get_by_label("Format").first.click()
        page.get_by_role("option", name="PowerPoint (native chart)").click()
        button = page.get_by_role("button", name="Download as PowerPoint (this chart)")
        button.wait_for(timeout=60_000)
        with page.expect_download(timeout=240_000) as download:
            button.click()
        download.value.save_as(tmp_path / "chart.pptx")
        started = time.monotonic()
        with page.expect_download(timeout=240_000) as download:
            page.get_by_role("button", name="Download the whole deck as PowerPoint").click()
        download.value.save_as(tmp_path / "deck.pptx")
        # a figure, not a limit (speed is benchmarked): the first deck of a data version is built on this click
        print(f"\nwhole deck: download {time.monotonic() - started:.1f} s after the click")
    finally:
        page.close()
    slide = Presentation(str(tmp_path / "chart.pptx")).slides[0]
    chart = next(sh.chart for sh in slide.shapes if sh.has_chart)
    got = {s.name: sum(v is not None for v in s.values) for s in chart.plots[0].series}
    n_front = drawn.pop("Pareto frontier")
    assert got.pop("Pareto frontier") == 2 * n_front - 1
    assert got == {k: v for k, v in drawn.items() if v}
    deck = Presentation(str(tmp_path / "deck.pptx"))
    assert len(deck.slides) >= 4 and deck.slides[-1].shapes.title.text.startswith("Sources")
    assert all(any(sh.has_chart for sh in s.shapes) for s in list(deck.slides)[1:-1])


def test_standalone_html_draws_the_chart_with_no_network(frontier_env, browser, tmp_path):
    from lib import charts, export, store

    con = store.connect_readonly(frontier_env)
    try:
        fig = charts.frontier(con, as_of=charts.newest_data_date(con)).fig
    finally:
        con.close()
    path = tmp_path / "frontier-embed.html"
    path.write_bytes(embed.standalone_html(fig, "Sources: test credit line", link="http://127.0.0.1:1/frontier"))
    requests = []
    ctx = browser.new_context(**BROWSER_OPTIONS)
    page = ctx.new_page()
    try:
        page.route("**/*", lambda route: (requests.append(route.request.url), route.continue_()
                                          if route.request.url.startswith("file:") else route.abort()))
        page.goto(path.as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        drawn = page.locator(".js-plotly-plot .scatterlayer .trace .points path").count()
        assert drawn == len(export.points_frame(type(fig)(data=[t for t in fig.data if "markers" in (t.mode or "")])))
        assert page.get_by_text("Sources: test credit line").is_visible()
        assert [u for u in requests if not u.startswith("file:")] == []  # plotly.js and the data are inlined
    finally:
        ctx.close()
