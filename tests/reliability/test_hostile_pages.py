"""Hostile URLs: every page, with generated query parameters (Hypothesis), renders without an exception or the
error boundary's message, shows text from the URL as typed (no live link, no remote image) and leaves the database
file untouched. The battery runs every page's script in AppTest (the same run as the server's, without drawing);
the system Chromium against a real server checks a sample of it, Markdown injection (no live link, no fetch) and
that no page sends a request off 127.0.0.1 (fonts and icons included)."""
from __future__ import annotations

import http.server
import re
import threading
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import views
from tests.conftest import CHART_PAGES as PAGES
from tests.conftest import FRESH_PAGES, PROJECT_DIR, db_stamp, off_host_recorder, wait_run
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


BROWSER = [pytest.mark.browser, pytest.mark.skipif(not have_chromium(), reason=f"no system Chromium at {CHROMIUM}")]


def browser_test(fn):
    for mark in BROWSER:
        fn = mark(fn)
    return fn


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


@browser_test
def test_every_page_is_self_contained(site, first_loads):
    """No request leaves the server: fonts, icons and scripts all come from 127.0.0.1 (the first loads by URL, to
    their chart, shared with test_browser.py: conftest.first_loads; the user walk checks the same on every page it
    opens from the sidebar), and the database file is untouched."""
    for name in FRESH_PAGES:
        seen = first_loads[name]
        assert seen["error"] is None, (name, seen["error"])
        assert seen["off_host"] == [], (name, seen["off_host"])
        assert seen["exceptions"] == [], (name, seen["exceptions"])
    before, after = first_loads["db"]
    assert after == before


@browser_test
def test_markdown_from_the_url_renders_inert(site, context, trap):
    """A link and an image in Markdown, as two pairs of one link (the page names each unknown pair): shown as typed,
    no live link, nothing fetched."""
    values = ["[Click](https://evil.example/x) → y", f"![i](http://127.0.0.1:{trap}/pixel.png) → y"]
    seen = visit(context, f"{site}/generations?" + urllib.parse.urlencode({"pairs_article": values}, doseq=True))
    assert seen["text"].count("unknown model") >= len(values), seen["text"][:2000]
    assert seen["evil_links"] == 0 and not any("pixel" in s for s in seen["images"])
    for value in values:
        assert value.split(" → ")[0] in seen["text"].replace("\u2060", "")  # shown as typed (word joiners aside)
    assert _Trap.hits == []


NASTY = ["[Click](https://evil.example/x) → y", "<img src=x onerror=alert(1)>", "=HYPERLINK(\"https://evil.example\")",
         "../../etc/passwd", "1e999999999", "NaN", "-1", "9999-99-99", "2024-02-30", "\x00\x1b[31m", "\u202eevil",
         ":material/warning: **bold**", "' OR 1=1 --", "x" * 3000, "", "→", "a → b → c", "%00", "null"]


# Every page's script, each with its own generated parameters (the whole battery, in AppTest).
PAGE_FILES = sorted(p.name for p in (PROJECT_DIR / "pages").glob("*.py"))
MARKDOWN_KINDS = ("markdown", "caption", "warning", "info", "error", "success", "title", "header", "subheader")
params_strategy = st.dictionaries(st.sampled_from(PARAMS), st.one_of(st.sampled_from(NASTY), st.text(max_size=30)),
                                  min_size=1, max_size=4)


def _live_markup(at) -> list[str]:
    """Markdown shown on the page that a browser would turn into a link, image or tag to somewhere off the app
    (escaped characters removed first: what Markdown still reads as syntax)."""
    out = []
    for kind in MARKDOWN_KINDS:
        for el in getattr(at, kind):
            text = re.sub(r"\\.", "", str(el.value))
            if re.search(r"\]\([^)]*evil\.example|!\[|https?://evil|www\.evil|<img|<script", text):
                out.append(f"{kind}: {str(el.value)[:200]}")
    out += [f"html: {h.proto.body[:200]}" for h in at.get("html") if "evil" in h.proto.body or "onerror" in h.proto.body]
    return out


@pytest.mark.parametrize("file", PAGE_FILES)
@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(params=params_strategy)
def test_hostile_url_parameters_on_every_page(frontier_env, file, params):
    """No exception, no error-boundary message, no live link or image from the URL, the database untouched."""
    from streamlit.testing.v1 import AppTest

    from lib.ui import PAGE_ERROR_MESSAGE

    before = db_stamp(frontier_env)
    at = AppTest.from_file(str(PROJECT_DIR / "pages" / file), default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, (file, params, [e.message for e in at.exception])
    assert not [e.value for e in at.error if PAGE_ERROR_MESSAGE in e.value], (file, params)
    assert _live_markup(at) == [], (file, params, _live_markup(at))
    assert db_stamp(frontier_env) == before


# A sample of the battery in the real browser: the page as drawn (no exception box, no live link), with no
# request off 127.0.0.1 and nothing fetched from the trap.
@browser_test
@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(page=st.sampled_from(PAGES), params=params_strategy)
def test_hostile_url_parameters_render_cleanly(site, context, frontier_db, trap, page, params):
    before = db_stamp(frontier_db["db"])
    seen = visit(context, f"{site}/{page}?" + urllib.parse.urlencode(params))
    assert seen["exceptions"] == [], (page, params, seen["exceptions"])
    assert seen["off_host"] == [] and seen["evil_links"] == 0, (page, params)
    assert _Trap.hits == []
    assert db_stamp(frontier_db["db"]) == before
