"""Hostile URLs against a real server in the system Chromium: every page, with generated query parameters
(Hypothesis), renders without an exception, shows text from the URL as typed (no live link, no remote image),
sends no request off 127.0.0.1 (fonts and icons included), and leaves the database file untouched."""
from __future__ import annotations

import http.server
import re
import threading
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import views
from tests.conftest import FRESH_PAGES as PAGES
from tests.conftest import db_stamp, off_host_recorder, wait_run
from tests.reliability.serving import CHROMIUM, free_port, have_chromium

PARAMS = ["metric", "basis", "ratio", "vendors", "reviewed", "as_of", "weights", "ctx", "headline", "replay", "tab",
          "pairset", "pairs_article", "pairs_lineage", "price_date", "on", "threshold", "view", "model", "cache",
          "bar"]


def test_md_text_escapes_links_images_html_and_shortcodes():
    for hostile in ["[Click](https://evil.example/x)", "![i](http://127.0.0.1:9/x.png)", "<img src=x onerror=1>",
                    ":material/home:", "**bold** _it_ `code` # h", "https://evil.example/x",
                    "www.evil.example a@b.example"]:
        out = views.md_text(hostile)
        unescaped = re.sub(r"\\.", "", out)  # what Markdown would still read as syntax
        assert not set(unescaped) & set("[]()<>*_`#:!"), out
        plain = out.replace("\\", "").lower()
        assert "http://" not in plain and "https://" not in plain and "www." not in plain  # no bare autolink
    assert views.md_text("a\x00b\u202ec\r\nd\x1b[31m") == "abc  d\\[31m"


class _Trap(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        _Trap.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not have_chromium(), reason=f"no system Chromium at {CHROMIUM}")]


@pytest.fixture(scope="module")
def trap():
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Trap)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield port
    server.shutdown()


@pytest.fixture(scope="module")
def site(server):
    """The session's test server (tests/conftest.py) on the session database; `browser` is the session's too."""
    return server


def visit(context, url: str) -> dict:
    """Open `url` in a new tab (a new session) to the end of its script run; returns the page text, off-host
    requests, exceptions shown, links and images."""
    page = context.new_page()
    off_host = off_host_recorder(page)
    try:
        page.goto(url)
        page.wait_for_selector("h1", timeout=90_000)
        wait_run(page, 0)
        main = page.locator("[data-testid='stMain']")
        return {"text": main.inner_text(timeout=90_000), "off_host": off_host,
                "exceptions": page.locator("[data-testid='stException']").all_inner_texts(),
                "evil_links": main.locator("a[href*='evil.example']").count(),
                "images": [i.get_attribute("src") or "" for i in main.locator("img").all()]}
    finally:
        page.close()


def test_every_page_is_self_contained(site, first_loads):
    """No request leaves the server: fonts, icons and scripts all come from 127.0.0.1 (each page's first load by
    URL, to its chart, shared with test_browser.py: conftest.first_loads), and the database file is untouched."""
    for name in PAGES:
        seen = first_loads[name]
        assert seen["error"] is None, (name, seen["error"])
        assert seen["off_host"] == [], (name, seen["off_host"])
        assert seen["exceptions"] == [], (name, seen["exceptions"])
    before, after = first_loads["db"]
    assert after == before


def test_markdown_from_the_url_renders_inert(site, context, trap):
    for value in ("[Click](https://evil.example/x) → y", f"![i](http://127.0.0.1:{trap}/pixel.png) → y"):
        seen = visit(context, f"{site}/generations?" + urllib.parse.urlencode({"pairs_article": value}))
        assert "unknown model" in seen["text"]
        assert seen["evil_links"] == 0 and not any("pixel" in s for s in seen["images"])
        assert value.split(" → ")[0] in seen["text"].replace("\u2060", "")  # shown as typed (word joiners aside)
    assert _Trap.hits == []


NASTY = ["[Click](https://evil.example/x) → y", "<img src=x onerror=alert(1)>", "=HYPERLINK(\"https://evil.example\")",
         "../../etc/passwd", "1e999999999", "NaN", "-1", "9999-99-99", "2024-02-30", "\x00\x1b[31m", "\u202eevil",
         ":material/warning: **bold**", "' OR 1=1 --", "x" * 3000, "", "→", "a → b → c", "%00", "null"]


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(page=st.sampled_from(PAGES),
       params=st.dictionaries(st.sampled_from(PARAMS), st.one_of(st.sampled_from(NASTY), st.text(max_size=30)),
                              min_size=1, max_size=4))
def test_hostile_url_parameters_render_cleanly(site, context, frontier_db, trap, page, params):
    before = db_stamp(frontier_db["db"])
    seen = visit(context, f"{site}/{page}?" + urllib.parse.urlencode(params))
    assert seen["exceptions"] == [], (page, params, seen["exceptions"])
    assert seen["off_host"] == [] and seen["evil_links"] == 0, (page, params)
    assert _Trap.hits == []
    assert db_stamp(frontier_db["db"]) == before
