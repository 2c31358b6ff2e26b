"""Shared fixtures: a database built once per session from the committed seed (or the small fixture seed while
the curated one is incomplete), and a per-test environment pointing the app at it."""
from __future__ import annotations

import base64
import contextlib
import datetime as dt
import fcntl
import functools
import io
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:  # pages run under AppTest import lib from the project root
    sys.path.insert(0, str(PROJECT_DIR))

from lib import queries, schema, store  # noqa: E402

SMALL_SEED = PROJECT_DIR / "tests" / "fixtures" / "seed_small"

# One "today" for the whole session (lib.clock reads it): a run that crosses midnight would otherwise compare a page's
# date, taken before it, with the test's, taken after. The test servers and subprocesses inherit it.
os.environ.setdefault("FRONTIER_TODAY", dt.date.today().isoformat())


def _scan_component_manifests_once() -> None:
    """Each new AppTest scans every installed distribution's metadata for Streamlit component manifests (about 1 s
    on this machine, 4 s under load; the suite makes a few hundred AppTests). The installed packages do not change
    during a session, so the scan runs once per process and each AppTest gets a copy of its result."""
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:  # another Streamlit: nothing to cache
        return
    scan = getattr(manifest_scanner, "scan_component_manifests", None)
    if scan is None or hasattr(scan, "cache_info"):
        return
    once = functools.cache(scan)
    manifest_scanner.scan_component_manifests = functools.wraps(scan)(lambda *a, **k: list(once(*a, **k)))
    manifest_scanner.scan_component_manifests.cache_info = once.cache_info


_scan_component_manifests_once()


def _wait_for_script_runs_without_polling() -> None:
    """AppTest waits for a script run by polling every millisecond (`require_widgets_deltas`): each poll takes the
    GIL from the script thread it waits on and scans the run's events (5% of the samples over test_scale, _navigation,
    _costs and _pages; three navigation tests took 46-48 CPU-s instead of 50-55). Waiting on the script thread itself
    (a join that sleeps until it ends; it ends right after the run's last event) gives the same answer, the same
    timeout and error."""
    try:
        from streamlit.testing.v1 import local_script_runner as lsr
    except ImportError:
        return
    poll = getattr(lsr, "require_widgets_deltas", None)
    if poll is None or getattr(poll, "joins_the_script_thread", False):
        return

    def require_widgets_deltas(runner, timeout: float = 3) -> None:
        thread = getattr(runner, "_script_thread", None)
        if not isinstance(thread, threading.Thread):
            return poll(runner, timeout)
        deadline = time.time() + timeout
        while not runner.script_stopped():
            left = deadline - time.time()
            if left <= 0:  # what Streamlit does then: stop the run, then say so
                runner.request_stop()
                runner.join()
                raise RuntimeError(f"AppTest script run timed out after {timeout}(s)")
            thread.join(min(left, 0.05))
            if not thread.is_alive():  # ended without its last event: look again shortly, as Streamlit does
                time.sleep(0.001)
        return None

    require_widgets_deltas.joins_the_script_thread = True
    lsr.require_widgets_deltas = require_widgets_deltas


_wait_for_script_runs_without_polling()


def seed_is_complete(seed: Path) -> bool:
    return all((seed / f"{t}.csv").is_file() for t in schema.SEED_FILES)


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    """data/seed when every seed file is there, else tests/fixtures/seed_small."""
    seed = PROJECT_DIR / "data" / "seed"
    return seed if seed_is_complete(seed) else SMALL_SEED


@pytest.fixture(scope="session")
def frontier_db(tmp_path_factory, seed_dir) -> dict:
    """Build a database from `seed_dir` into a temporary folder, once per session (no env changes here). Under
    xdist the first worker builds it and the others copy that file (with a file id of their own, as every file a
    writer produces has): the same database, one build instead of one per worker."""
    base = tmp_path_factory.mktemp("frontier_db")
    snapshots = PROJECT_DIR / "data" / "snapshots" if seed_dir != SMALL_SEED else base / "no-snapshots"
    db = base / "frontier.duckdb"
    if not os.environ.get("PYTEST_XDIST_WORKER") or seed_dir == SMALL_SEED:
        store.build(db, seed_dir, snapshots)
        return {"db": db, "seed": seed_dir, "snapshots": snapshots}
    # the session's temporary root, shared by this run's workers (a new one each run)
    shared = tmp_path_factory.getbasetemp().parent / "frontier_db_built"
    shared.mkdir(exist_ok=True)
    built = shared / f"{store.data_version(seed_dir, snapshots)}.duckdb"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not built.exists():
            store.build(db, seed_dir, snapshots)
            shutil.copyfile(db, built.with_suffix(".tmp"))
            os.replace(built.with_suffix(".tmp"), built)
            return {"db": db, "seed": seed_dir, "snapshots": snapshots}
    _copy_with_new_file_id(built, db)
    return {"db": db, "seed": seed_dir, "snapshots": snapshots}


def _copy_with_new_file_id(src: Path, db: Path) -> None:
    tmp = db.with_name(db.name + ".copying")
    shutil.copyfile(src, tmp)
    con = duckdb.connect(str(tmp))
    try:
        con.execute(queries.SET_META, ["file_id", uuid.uuid4().hex])
    finally:
        con.close()
    os.replace(tmp, db)


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))


@pytest.fixture(scope="session")
def build_db(frontier_db, tmp_path_factory):
    """`build_db(db, seed, snapshots)` does what `store.build(db, seed, snapshots)` does, in milliseconds when it can:
    a build with no kept snapshots is a copy of a database built once per session from the same seed files (same
    tables, same data version; the session database for the session's seed), with a file id of its own, as every
    file a writer produces has. Anything else is really built. Tests whose subject is the build call `store.build`."""
    templates: dict[str, Path] = {}  # data version (seed files, no snapshots) -> a database built from them
    if not _has_files(Path(frontier_db["snapshots"])):
        templates[store.data_version(frontier_db["seed"], frontier_db["snapshots"])] = frontier_db["db"]

    def build(db: Path, seed_dir: Path, snapshot_dir: Path) -> Path:
        db = Path(db)
        if _has_files(Path(snapshot_dir)):
            store.build(db, seed_dir, snapshot_dir)
            return db
        version = store.data_version(seed_dir, snapshot_dir)
        if version not in templates:
            template = tmp_path_factory.mktemp("template_db") / "template.duckdb"
            store.build(template, seed_dir, snapshot_dir)
            templates[version] = template
        _copy_with_new_file_id(templates[version], db)
        return db

    return build


@pytest.fixture
def frontier_env(frontier_db, monkeypatch) -> Path:
    """Point FRONTIER_DB / FRONTIER_SEED_DIR / FRONTIER_SNAPSHOT_DIR at the session database for one test."""
    monkeypatch.setenv("FRONTIER_DB", str(frontier_db["db"]))
    monkeypatch.setenv("FRONTIER_SEED_DIR", str(frontier_db["seed"]))
    monkeypatch.setenv("FRONTIER_SNAPSHOT_DIR", str(frontier_db["snapshots"]))
    return frontier_db["db"]


def plotly_array(v) -> list:
    """A Plotly chart's array as a list: Plotly 7 ships numeric arrays as base64 typed arrays (with a shape for 2-D
    ones); plain lists and tuples pass through, a missing array is empty."""
    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return a.reshape(v["shape"]).tolist() if "shape" in v else a.tolist()
    return [] if v is None else list(v)


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: dict | None = None) -> CliResult:
    """`python -m lib ARGS` in this process (`lib.__main__.main(argv)`): exit status, standard output and error.
    `env` is set for the call only. Two subprocess smoke tests in test_cli.py cover the real entry point."""
    from lib.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in env or {}}
    os.environ.update(env or {})
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse errors and --help exit
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return CliResult(int(code), out.getvalue(), err.getvalue())


# --- Real browser: one Streamlit server and one Chromium for the whole session ------------------------------------

CHROMIUM = "/usr/bin/chromium"
# --process-per-site: the tabs of the test server share one renderer process, so V8 compiles Streamlit's and
# plotly.js's scripts once per process instead of once per tab (an off-the-record context keeps no code cache; the
# session's `context` keeps the process alive): a Frontier page opened in a new tab cost ~8 CPU-s in Chromium, ~3.5
# with the flag (each tab is still its own page, document and Streamlit session).
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--process-per-site"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(env: dict, log: Path, *, port: int | None = None) -> tuple[str, subprocess.Popen]:
    """`streamlit run app.py` on a free 127.0.0.1 port with `env` added; its output goes to `log` (a pipe nobody
    reads would stall a chatty server). Returns (url, process) once it answers its health check."""
    port = port or _free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                                 "--server.port", str(port), "--server.address", "127.0.0.1",
                                 "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                                cwd=PROJECT_DIR, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # a loaded machine can take a minute to import Streamlit
    while True:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return url, proc
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                stop_streamlit(proc)
                raise RuntimeError("streamlit did not start:\n" + log_tail(log)) from None
            time.sleep(0.25)


def stop_streamlit(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def log_tail(log: Path, chars: int = 3000) -> str:
    try:
        return log.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


SERVER_LOGS: list[Path] = []  # every test server's log: a failing browser test shows their tails


@pytest.fixture(scope="session")
def server(frontier_db, tmp_path_factory):
    """One `streamlit run app.py` on a free 127.0.0.1 port for every browser test of the session."""
    env = {"FRONTIER_DB": str(frontier_db["db"]), "FRONTIER_SEED_DIR": str(frontier_db["seed"]),
           "FRONTIER_SNAPSHOT_DIR": str(frontier_db["snapshots"])}
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    SERVER_LOGS.append(log)
    try:
        url, proc = start_streamlit(env, log)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield url
    stop_streamlit(proc)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test that used a test server gets the tail of that server's log in its report."""
    report = yield
    if report.failed and SERVER_LOGS and {"server", "site"} & set(getattr(item, "fixturenames", ())):
        for log in SERVER_LOGS:
            report.sections.append((f"streamlit log {log}", log_tail(log)))
    return report


@pytest.fixture(scope="session")
def browser():
    """One headless system Chromium (Playwright) for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


# Streamlit marks its app root with the state of the script (`data-test-script-state`: "running" while a run is under
# way, "notRunning" after it). This script, added to a browser context, counts the runs each page has seen, so a test
# waits for the run its action started instead of a fixed quiet time.
COUNT_RUNS = """(() => { window.__runs = 0;
  new MutationObserver(ms => { for (const m of ms)
      if (m.target.getAttribute('data-test-script-state') === 'running') window.__runs++; })
    .observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']}); })();"""
# wait_run's loop, run in the page itself: it looks at the run count and the app's state every 50 ms on a timer of the
# page's own and resolves once the run is over (the Python side makes one call per wait). Asked from Python every
# 50 ms instead, each look was a round trip through Playwright's driver, Chromium's browser process and the renderer:
# ~0.1 CPU-s per second of waiting, with most of a browser test's time spent waiting.
_WAIT_RUN = """([runsBefore, urlBefore, quiet, grace, timeout]) => new Promise(resolve => {
  const t0 = performance.now(); let idleSince = null, seen = null;
  const look = () => {
    const a = document.querySelector('[data-testid="stApp"]'), n = window.__runs || 0, now = performance.now();
    const state = a ? a.getAttribute('data-test-script-state') : null;
    const busy = !!document.querySelector('[data-testid="stStatusWidget"]');
    const started = n > runsBefore || (urlBefore !== null && location.href !== urlBefore);
    if (state === 'notRunning' && !busy && (started || now - t0 >= grace)) {
      if (idleSince === null || n !== seen) { idleSince = now; seen = n; }
      else if (now - idleSince >= quiet) return resolve('done');
    } else idleSince = null;
    if (now - t0 > timeout) return resolve('script state ' + state);
    setTimeout(look, 50);
  };
  look(); })"""


# Every test browser context asks for reduced motion (the user's "reduce motion" setting, which Streamlit honours: no
# skeleton shimmer, spinner or fade while a page loads). Headless Chromium without a GPU composites and rasterises each
# animation frame of the whole viewport in software: a Frontier page load cost ~8 CPU-s in Chromium's GPU process and
# ~10 in its renderer with motion, ~0.4 and ~8 without (the browser tests were ~400 CPU-s of Chromium in all).
BROWSER_OPTIONS = {"reduced_motion": "reduce"}


def new_context(browser, **options):
    """A browser context whose pages count Streamlit's script runs (`runs`, `wait_run`), with reduced motion."""
    ctx = browser.new_context(**{**BROWSER_OPTIONS, **options})
    ctx.add_init_script(COUNT_RUNS)
    return ctx


@pytest.fixture(scope="session")
def context(browser, server):
    """One browser context for the session's page visits: its cache keeps Streamlit's and Plotly's scripts between
    visits. Each visit opens its own tab, a new Streamlit session. A tab on the server's health URL stays open all
    session: with `--process-per-site` (ARGS) it keeps the site's renderer process, and the scripts V8 compiled in
    it, alive between one visit's tab closing and the next one opening."""
    ctx = new_context(browser, viewport={"width": 1300, "height": 1800})
    keeper = ctx.new_page()
    keeper.goto(server + "/_stcore/health")
    yield ctx
    ctx.close()


def runs(page) -> int:
    """How many script runs the page has seen (its context has `COUNT_RUNS`)."""
    return page.evaluate("window.__runs || 0")


def wait_run(page, runs_before: int, url_before: str | None = None, *, quiet: float = 0.25, grace: float = 5.0,
             timeout: float = 120.0) -> None:
    """Wait until the script run an action started has finished: a run was counted after `runs_before` (or the URL
    moved away from `url_before`), the app is not running, and no other run starts for `quiet` seconds (a page's
    `st.rerun`, a slider's debounced change). An action that starts no run is waited on for `grace` seconds."""
    from playwright.sync_api import Error as PlaywrightError

    t0 = time.monotonic()
    while True:
        left = timeout - (time.monotonic() - t0)
        try:
            state = page.evaluate(_WAIT_RUN, [runs_before, url_before, quiet * 1000,
                                              max(grace - (time.monotonic() - t0), 0) * 1000, max(left, 0) * 1000])
        except PlaywrightError as exc:
            # the action loaded a new document (a link followed): look again in that one, until the time is up
            if "context was destroyed" not in str(exc) and "navigat" not in str(exc) or left <= 0:
                raise
            time.sleep(0.05)
            continue
        if state != "done":
            raise AssertionError(f"the page kept running for {timeout:.0f} s ({state})")
        return


def db_stamp(db: Path) -> tuple:
    st_ = os.stat(db)
    return (st_.st_ino, st_.st_mtime_ns, st_.st_size)


def off_host_recorder(page) -> list[str]:
    """The URLs of the requests `page` makes to anywhere but 127.0.0.1 (data: URLs aside), as they happen."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url)
            if urllib.parse.urlsplit(r.url).hostname not in ("127.0.0.1", None) and not r.url.startswith("data:")
            else None)
    return seen


SHOTS = PROJECT_DIR / "test-output" / "screenshots"
# The pages with a chart (the Data page: its table) that the browser tests open: each is drawn, with no exception and
# no request off 127.0.0.1, when opened by its URL in a new tab (first_loads) or from the sidebar (test_browser.py's
# user walk, which opens all of them; a page opened in a new tab costs Chromium ~4-5 CPU-s, evaluating Streamlit's and
# plotly.js's scripts again). Opened by URL in a new tab: the pages of FRESH_PAGES here, Frontier by the walk's first
# page and the link test, Generations by the Markdown and embed tests, Models by the click test's fresh page.
CHART_PAGES = ["frontier", "generations", "trends", "models", "calculator", "data"]
FRESH_PAGES = ["trends", "calculator", "data"]
# The URL each page is first opened by (the page's path, with a link's view for some): the Calculator's first load is
# also test_browser.py's check that a URL's parameters reproduce a view (one page load instead of two).
FRESH_URLS = {"calculator": "calculator?in_m=1000&out_m=0"}


@pytest.fixture(scope="session")
def first_loads(server, context, frontier_db) -> dict:
    """Each page of FRESH_PAGES opened once by URL (FRESH_URLS) in a new tab (a new session), to the end of its first
    script run and its chart (the Data page: its table; the chart's x-axis title and title kept), with a screenshot in
    test-output/screenshots. Per page: the exceptions shown, the chart traces and tables drawn, every request that
    left 127.0.0.1, and what went wrong when the page did not get there; "db" is the database file's stamp before and
    after the walk. Shared by test_browser.py (every page renders, a URL reproduces a view) and test_hostile_pages.py
    (no request leaves the server)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    out: dict = {"db": [db_stamp(frontier_db["db"])]}
    for name in FRESH_PAGES:
        page = context.new_page()
        page.set_viewport_size({"width": 1400, "height": 2400})
        rec = out[name] = {"off_host": off_host_recorder(page), "error": None}
        try:
            page.goto(f"{server}/{FRESH_URLS.get(name, name)}")
            page.wait_for_selector("h1", timeout=90_000)
            wait_run(page, 0)
            # the chart is drawn after the run, when the browser has evaluated Plotly: a starved CPU takes a while
            page.wait_for_selector("[data-testid='stDataFrame']" if name == "data" else ".js-plotly-plot .main-svg",
                                   timeout=90_000)
            rec["traces"] = page.locator(".js-plotly-plot .scatterlayer .trace, .js-plotly-plot .gl-container").count()
            rec["tables"] = page.locator("[data-testid='stDataFrame']").count()
            rec["x_title"], rec["title"] = page.evaluate(  # the first chart's x-axis title and title
                "() => ['xtitle', 'gtitle'].map(c => document.querySelector('.js-plotly-plot .' + c)?.textContent)")
            rec["exceptions"] = page.locator("[data-testid='stException']").all_inner_texts()
            page.screenshot(path=str(SHOTS / f"{name}.png"))
        except Exception as exc:  # noqa: BLE001 - reported by the tests that read this page's record
            rec["error"] = f"{type(exc).__name__}: {exc}"[:2000]
        finally:
            page.close()
    out["db"].append(db_stamp(frontier_db["db"]))
    return out


# Files that take the longest after the browser group (scripts/test.sh's --durations), handed out right after it so
# that no long file starts last while the other workers have nothing left (a file not named here just goes later).
SLOW_FILES = ["tests/test_scale.py", "tests/reliability/test_live_data.py", "tests/test_export.py",
              "tests/test_navigation.py", "tests/test_costs.py", "tests/reliability/test_kill_loop.py"]
# Files whose tests are spread over the workers one by one: their module fixture is cheap to build again (test_scale's
# small synthetic store: ~1 s), and the file alone was the longest chain of the run (290 s of 450 on one worker).
SPLIT_FILES = {"tests/test_scale.py"}
# Files that render images (lib.export: one kaleido Chromium per process, ~4-6 CPU-s to start and load plotly.js in
# its tab, then ~0.1-0.2 CPU-s an image): one group, so that one worker starts it once instead of each worker that
# gets one of them. The group is handed out where its first file stands in SLOW_FILES.
IMAGE_FILES = {"tests/test_export.py", "tests/test_slides.py", "tests/reliability/test_batteries.py"}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the marks
def pytest_collection_modifyitems(config, items):
    """For `pytest -n 3 --dist loadgroup --no-loadscope-reorder` (scripts/test.sh): the tests of one file stay on one
    worker (but those of SPLIT_FILES), so a module's fixtures are built once, and every test that drives the
    session's Streamlit server or Chromium is on one worker, so the session starts one server and one browser (and
    the files of IMAGE_FILES on one worker, so one kaleido Chromium renders their images). xdist
    hands the groups out in the order of the collection: the browser group first (the longest chain of the run, much
    of it waiting on the server and Chromium, so it starts at once beside the other workers' files), then SLOW_FILES,
    then the rest, the largest first (xdist's own order). Without xdist the marks do nothing and the order is the
    files' own."""
    groups: dict = {}
    for item in items:
        defs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
        # this file's fixtures, not a test module's own of the same name (test_ingest_faults.py has an HTTP `server`)
        shared = [n for n in ("server", "browser", "context") if defs.get(n) and not defs[n][-1].baseid.endswith(".py")]
        file = item.nodeid.split("::")[0]
        group = ("browser" if shared else item.nodeid if file in SPLIT_FILES else "images" if file in IMAGE_FILES
                 else file)
        item.add_marker(pytest.mark.xdist_group(group))
        groups.setdefault(group, []).append(item)
    # a worker has dist "no" and loadgroup set (xdist's remote.py); the controller has dist "loadgroup"
    if getattr(config.option, "loadgroup", False) or getattr(config.option, "dist", "no") == "loadgroup":
        rank: dict[str, int] = {}
        for i, g in enumerate(["browser", *SLOW_FILES]):
            rank.setdefault("images" if g in IMAGE_FILES else g, i)
        ordered = sorted(groups.items(), key=lambda g: (rank.get(g[0].split("::")[0], len(rank)), -len(g[1])))
        items[:] = [item for _, group_items in ordered for item in group_items]
