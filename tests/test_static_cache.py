"""Streamlit's front-end bundles come from memory, gzipped (lib/static_cache.py in front of the server, app.py):
the same bytes as the files, fewer of them on the wire, and every request it does not own reaches Streamlit."""
from __future__ import annotations

import asyncio
import concurrent.futures
import gzip
import re
import urllib.request
from pathlib import Path

import pytest

from lib.static_cache import StaticCache

JS = "/static/js/main.abc123.js"
FONT = "/static/media/font.def456.woff2"


@pytest.fixture
def static_dir(tmp_path) -> Path:
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "static" / "media").mkdir()
    (tmp_path / "static" / "js" / "main.abc123.js").write_text("console.log('frontier');\n" * 200)
    (tmp_path / "static" / "media" / "font.def456.woff2").write_bytes(bytes(range(256)) * 20)
    (tmp_path / "index.html").write_text("<html></html>")
    (tmp_path / "secret.txt").write_text("not a bundle")
    return tmp_path


def call(middleware: StaticCache, path: str, *, method: str = "GET", headers: dict | None = None) -> dict:
    """One request through the middleware: status, headers, body, and whether the app behind it answered."""
    out: dict = {"passed_on": False, "body": b""}

    async def app(scope, receive, send):
        out["passed_on"] = True
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b"streamlit"})

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        if message["type"] == "http.response.start":
            out["status"], out["headers"] = message["status"], dict(message["headers"])
        else:
            out["body"] += message["body"]

    scope = {"type": "http", "method": method, "path": path,
             "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]}
    middleware.app = app
    # in a thread of its own: on the worker that holds the session's Chromium, Playwright's sync API keeps an event
    # loop running in this one, and asyncio.run refuses to start beside it (seen when xdist put this file there)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, middleware(scope, receive, send)).result()
    return out


def test_a_bundle_is_gzipped_for_a_browser_and_identical_once_unpacked(static_dir):
    cache = StaticCache(None, static_dir)
    r = call(cache, JS, headers={"Accept-Encoding": "gzip, deflate, br"})
    raw = (static_dir / "static" / "js" / "main.abc123.js").read_bytes()
    assert not r["passed_on"] and r["status"] == 200
    assert r["headers"][b"content-encoding"] == b"gzip" and gzip.decompress(r["body"]) == raw
    assert len(r["body"]) < len(raw) / 5
    assert r["headers"][b"content-length"] == str(len(r["body"])).encode()
    assert r["headers"][b"cache-control"] == b"public, immutable, max-age=31536000"
    assert r["headers"][b"content-type"].startswith(b"text/javascript") or \
        r["headers"][b"content-type"] == b"application/javascript"
    # a client without gzip gets the file as it is; HEAD gets the headers only
    plain = call(cache, JS)
    assert plain["body"] == raw and b"content-encoding" not in plain["headers"]
    head = call(cache, JS, method="HEAD", headers={"Accept-Encoding": "gzip"})
    assert head["body"] == b"" and head["headers"][b"content-length"] == r["headers"][b"content-length"]


def test_a_compressed_format_is_sent_as_it_is(static_dir):
    r = call(StaticCache(None, static_dir), FONT, headers={"Accept-Encoding": "gzip"})
    assert r["body"] == (static_dir / "static" / "media" / "font.def456.woff2").read_bytes()
    assert b"content-encoding" not in r["headers"]


@pytest.mark.parametrize("path, method, headers", [
    ("/static/js/other.js", "GET", {}),  # not a file of the directory
    ("/static/../secret.txt", "GET", {}),  # a path that leaves it
    ("/static/js/../../secret.txt", "GET", {}),
    ("/index.html", "GET", {}),  # the page itself: Streamlit's (no-cache)
    ("/frontier", "GET", {}),
    (JS, "POST", {}),
    (JS, "GET", {"If-None-Match": '"x"'}),  # a revalidation: Streamlit answers 304 itself
    (JS, "GET", {"Range": "bytes=0-10"}),
])
def test_every_other_request_reaches_streamlit(static_dir, path, method, headers):
    r = call(StaticCache(None, static_dir), path, method=method, headers=headers)
    assert r["passed_on"] and r["body"] == b"streamlit"


def test_the_bundles_under_a_base_url_are_served_too(static_dir):
    r = call(StaticCache(None, static_dir), "/dash" + JS, headers={"Accept-Encoding": "gzip"})
    assert not r["passed_on"] and r["headers"][b"content-encoding"] == b"gzip"


def test_the_running_dashboard_sends_its_bundles_gzipped_and_unchanged(server):
    """`streamlit run app.py`: every bundle the page links is the package's file, and a browser that accepts gzip
    downloads less than a third of the bytes."""
    from streamlit import file_util

    html = urllib.request.urlopen(server + "/frontier", timeout=30).read().decode()
    links = sorted(set(re.findall(r'(?:src|href)="\.?/?(static/[^"]+)"', html)))
    assert links, "the page links no bundle"
    sent = raw_total = 0
    for link in links:
        req = urllib.request.Request(f"{server}/{link}", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            body, encoding = resp.read(), resp.headers.get("Content-Encoding")
            assert "immutable" in resp.headers["Cache-Control"]
        raw = (Path(file_util.get_static_dir()) / link).read_bytes()
        assert (gzip.decompress(body) if encoding == "gzip" else body) == raw, link
        sent, raw_total = sent + len(body), raw_total + len(raw)
    assert sent < raw_total / 3


def test_the_hosted_server_does_not_watch_its_source():
    """With Streamlit's default file watcher every session watches each project module and re-walks the imported
    modules after every run (~0.3 s of server CPU per session, bench_load.py); a hosted dashboard's code does not
    change under it, and bench_load.py measures the server as configured here."""
    import tomllib

    cfg = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())
    assert cfg["server"]["fileWatcherType"] == "none"
    assert "fileWatcherType" not in Path(__file__).resolve().parent.parent.joinpath(
        "benchmarks", "bench_load.py").read_text()
