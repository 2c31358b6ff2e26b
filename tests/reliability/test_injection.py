"""Text from a URL or from data is shown as typed: no live link, no remote image, no HTML (real server and
browser); the escaping function itself on hostile strings."""
from __future__ import annotations

import http.server
import threading
import re
import urllib.parse

import pytest

from lib import views
from tests.reliability.serving import CHROMIUM, CHROMIUM_ARGS, free_port, have_chromium, streamlit_server, wait_idle


def test_md_text_escapes_links_images_html_and_shortcodes():
    for hostile in ["[Click](https://evil.example/x)", "![i](http://127.0.0.1:9/x.png)", "<img src=x onerror=1>",
                    ":material/home:", "**bold** _it_ `code` # h", "https://evil.example/x", "www.evil.example a@b.example"]:
        out = views.md_text(hostile)
        unescaped = re.sub(r"\\.", "", out)  # what Markdown would still read as syntax
        assert not set(unescaped) & set("[]()<>*_`#:!"), out
        plain = out.replace("\\", "").lower()
        assert "http://" not in plain and "https://" not in plain and "www." not in plain  # no bare autolink
    assert views.md_text("a\x00b\u202ec\r\nd\x1b[31m") == "abc  d\\[31m"


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        _Recorder.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.browser
@pytest.mark.skipif(not have_chromium(), reason=f"no system Chromium at {CHROMIUM}")
def test_markdown_from_the_url_renders_inert(frontier_env, frontier_db):
    from playwright.sync_api import sync_playwright

    trap_port = free_port()
    trap = http.server.ThreadingHTTPServer(("127.0.0.1", trap_port), _Recorder)
    threading.Thread(target=trap.serve_forever, daemon=True).start()
    env = {"FRONTIER_DB": str(frontier_db["db"]), "FRONTIER_SEED_DIR": str(frontier_db["seed"]),
           "FRONTIER_SNAPSHOT_DIR": str(frontier_db["snapshots"])}
    link = "[Click](https://evil.example/x) → y"
    image = f"![i](http://127.0.0.1:{trap_port}/pixel.png) → y"
    try:
        with streamlit_server(env) as (url, _), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            for value in (link, image):
                page.goto(url + "/generations?" + urllib.parse.urlencode({"pairs_article": value}))
                page.get_by_text("unknown model").first.wait_for(timeout=90_000)
                wait_idle(page)
                main = page.locator("[data-testid='stMain']")
                assert main.locator("a[href*='evil.example']").count() == 0
                assert main.locator("img[src*='pixel.png']").count() == 0
                assert value.split(" → ")[0] in main.inner_text()  # shown as typed
            browser.close()
    finally:
        trap.shutdown()
    assert _Recorder.hits == []
