"""A running dashboard shows an ingest on the next rerun, without a restart and without rebuilding the database
(the reader reopens the swapped-in file, closing the old connection first)."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest

from lib import queries, store
from tests.conftest import PROJECT_DIR, new_context, runs, wait_run
from tests.reliability.forker import Forker
from tests.reliability.serving import CHROMIUM, CHROMIUM_ARGS, have_chromium, streamlit_server, wait_idle

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "ingest" / "openrouter_2026-08-08_slice.json"


def _meta(db) -> dict:
    con = store.connect_readonly(db)
    try:
        return queries.meta(con)
    finally:
        con.close()


def _file_meta(db) -> dict:
    """The meta of the file now at `db`, read from a copy: a process that already has `db` open (an AppTest's
    reader) gets that database back from DuckDB for the same path, whatever file is there now."""
    with tempfile.TemporaryDirectory(prefix="live-meta-") as folder:
        copy = Path(folder) / "copy.duckdb"
        shutil.copyfile(db, copy)
        return _meta(copy)


@pytest.fixture(scope="module")
def forker():
    """Ingests run as `python -m lib ingest …` in processes of their own, forked from one warm parent
    (tests/reliability/forker.py): another process writes, as a user's CLI run does, without an interpreter
    start-up per ingest."""
    with Forker(dict(os.environ)) as f:
        yield f


@pytest.fixture
def live_env(tmp_path, frontier_db, build_db):
    """A private copy of the session database with an empty snapshot folder (the ingest writes there)."""
    db, snaps = tmp_path / "live.duckdb", tmp_path / "snapshots"
    snaps.mkdir()
    build_db(db, frontier_db["seed"], snaps)
    return {"FRONTIER_DB": str(db), "FRONTIER_SEED_DIR": str(frontier_db["seed"]), "FRONTIER_SNAPSHOT_DIR": str(snaps)}


def _ingest_cli(forker: Forker, env: dict, payload=FIXTURE, when="2026-08-08T06:00:00Z") -> None:
    err = Path(env["FRONTIER_SNAPSHOT_DIR"]).parent / f"ingest-{when[:10]}.err"
    code = forker.wait(forker.run("ingest", "openrouter", "--from-file", payload, "--retrieved-at", when,
                                  env=env, stderr=err))
    assert code == 0, err.read_text()


def test_reader_follows_a_swapped_file_in_process(live_env, forker):
    """The LiveReader (what the dashboard holds) sees a CLI ingest on its next refresh, from the same process
    that still holds the old connection; a DuckDB connection opened naively to the path would not."""
    db = live_env["FRONTIER_DB"]
    os.environ.update(live_env)
    try:
        reader = store.LiveReader(db)
        reader.refresh()
        before = reader.version
        with reader.cursor() as cur:
            n_before = cur.execute("SELECT count(*) FROM snapshots").fetchall()[0][0]
        _ingest_cli(forker, live_env)
        assert reader.version == before  # nothing changes until the next refresh
        reader.refresh()
        with reader.cursor() as cur:
            n_after = cur.execute("SELECT count(*) FROM snapshots").fetchall()[0][0]
        reader.close()
        assert reader.version != before and n_after == n_before + 1
        assert reader.version == _meta(db)["data_version"]
    finally:
        for k in live_env:
            os.environ.pop(k, None)


def test_a_swap_waits_for_running_queries(live_env, forker):
    """A query in flight on the old file finishes; the swap happens when it is done."""
    reader = store.LiveReader(live_env["FRONTIER_DB"])
    os.environ.update(live_env)
    try:
        reader.refresh()
        before = reader.version
        with reader.cursor() as cur:
            _ingest_cli(forker, live_env)
            reader.refresh()  # busy: keeps serving the old file
            assert cur.execute("SELECT count(*) FROM models").fetchall()[0][0] > 0
            assert reader.version == before
        assert reader.version != before  # the last cursor out performed the pending swap
        reader.close()
    finally:
        for k in live_env:
            os.environ.pop(k, None)


def _shown_version(page, version_re) -> str:
    page.get_by_text(version_re).first.wait_for(timeout=90_000)
    wait_idle(page)
    return version_re.search(page.inner_text("[data-testid='stMain']")).group(1)


@pytest.mark.browser
@pytest.mark.skipif(not have_chromium(), reason=f"no system Chromium at {CHROMIUM}")
def test_running_dashboard_shows_an_ingest_without_restart_or_rebuild(live_env, forker):
    # Its own Chromium, driven from a thread of its own: Playwright's sync API refuses to start in a thread where
    # another one is running, which is the case when xdist puts this file on the worker that holds the session's
    # shared browser (CI failed so, depending on the order of the groups).
    failure: list[BaseException] = []

    def drive():
        try:
            _ingest_while_serving(live_env, forker)
        except BaseException as exc:  # noqa: BLE001 - raised again in the test's thread
            failure.append(exc)

    t = threading.Thread(target=drive, name="live-data-browser")
    t.start()
    t.join()
    if failure:
        raise failure[0]


def _ingest_while_serving(live_env, forker) -> None:
    from playwright.sync_api import sync_playwright

    db = live_env["FRONTIER_DB"]
    version_re = re.compile(r"data version\s+([0-9a-f]{12})")
    with streamlit_server(live_env) as (url, _proc), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = new_context(browser).new_page()
        page.goto(url + "/data")
        shown_before = _shown_version(page, version_re)
        meta_before = _meta(db)
        assert shown_before == meta_before["data_version"][:12]

        _ingest_cli(forker, live_env)
        meta_ingested = _meta(db)
        assert meta_ingested["data_version"] != meta_before["data_version"]

        for _ in range(2):  # the next rerun shows the new version; more reruns do not rebuild the database
            page.reload()
            shown = _shown_version(page, version_re)
            assert shown == meta_ingested["data_version"][:12]
        after = _meta(db)
        assert after["built_at"] == meta_before["built_at"]  # no rebuild: the ingest copied, nothing rebuilt since
        assert after["file_id"] == meta_ingested["file_id"]  # the file the ingest wrote is still the one in place

        # Concurrent ingests while pages are being served: no user-visible error, the newest data at the end.
        payloads = []
        doc = json.loads(FIXTURE.read_text())
        rows = doc["data"] if isinstance(doc, dict) else doc
        for i in range(3):
            rows[0]["name"] = f"{rows[0]['name'].split(' #')[0]} #{i}"
            f = Path(live_env["FRONTIER_SNAPSHOT_DIR"]).parent / f"concurrent-{i}.json"
            f.write_text(json.dumps(doc))
            payloads.append(f)
        errors: list[BaseException] = []

        def ingest_all():
            try:
                for i, f in enumerate(payloads):
                    _ingest_cli(forker, live_env, f, f"2026-08-{10 + i}T06:00:00Z")
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(exc)

        writer = threading.Thread(target=ingest_all)
        writer.start()
        loads = 0
        pages = ["Frontier", "Models", "Generations", "Data"]
        while writer.is_alive() or loads < 4:
            # each page opened from the sidebar, as a user moves between pages: the same script runs and queries on
            # the server as a new tab's, without the browser loading Streamlit and plotly.js again for each
            n, before = runs(page), page.url
            page.locator("[data-testid='stSidebarNav'] a").filter(has_text=pages[loads % len(pages)]).first.click()
            wait_run(page, n, before)
            page.wait_for_selector("h1", timeout=90_000)
            body = page.inner_text("[data-testid='stMain']")
            assert page.locator("[data-testid='stException']").count() == 0, body[:500]
            assert "The data is not available" not in body
            loads += 1
        writer.join()
        assert not errors, errors
        final = _meta(db)["data_version"][:12]
        for _ in range(3):  # the next rerun shows it (a query still running elsewhere may delay the swap one rerun)
            page.goto(url + "/data")
            if _shown_version(page, version_re) == final:
                break
        assert _shown_version(page, version_re) == final
        print(f"concurrent ingest: {len(payloads)} imports while {loads} pages were served, 0 errors")
        browser.close()


def test_a_rebuild_of_the_same_data_shows_its_new_build_time(live_env, monkeypatch, frontier_db):
    """A rebuild from the same seed keeps the data version but not the build time: the Data page says when the
    file it reads was built, not a cached earlier time."""
    from streamlit.testing.v1 import AppTest

    for k, v in live_env.items():
        monkeypatch.setenv(k, v)
    db = live_env["FRONTIER_DB"]

    def caption() -> str:
        at = AppTest.from_file(str(PROJECT_DIR / "pages" / "6_data.py"), default_timeout=90)
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return next(c.value for c in at.caption if c.value.startswith("Database built"))

    first = _file_meta(db)
    assert f"Database built {first['built_at'].replace('T', ' ')}" in caption()
    while dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") <= first["built_at"]:
        time.sleep(0.05)  # build times have one-second resolution: the rebuild's must differ
    store.build(db, frontier_db["seed"], live_env["FRONTIER_SNAPSHOT_DIR"])
    second = _file_meta(db)
    assert second["data_version"] == first["data_version"] and second["built_at"] != first["built_at"]
    assert f"Database built {second['built_at'].replace('T', ' ')}" in caption()
