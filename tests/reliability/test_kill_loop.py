"""SIGKILL an ingest at random moments, again and again: the database is never left corrupt or half-written,
and it always holds either the data before or the data after a whole import.

Each trial is `python -m lib ingest …`'s `main(argv)` in a process forked from a warm parent that has already
imported the project (tests/reliability/forker.py), so every kill lands inside the import itself rather than in
the interpreter's start-up, and a trial costs the import alone. The real entry point runs once at the end."""
from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time

import pytest

from lib import queries, store
from tests.conftest import PROJECT_DIR, SMALL_SEED
from tests.reliability.forker import Forker

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "ingest" / "openrouter_2026-08-08_slice.json"
TRIALS = 20  # at least this many trials, and at least half of them killed mid-import
MAX_TRIALS = 60  # (more trials while fewer than TRIALS // 2 landed inside an import: the kill moment is random)


def _read_all(db) -> dict:
    con = store.connect_readonly(db)
    try:
        queries.read_every_table(con)  # every block's checksum
        return store.table_counts(con)
    finally:
        con.close()


@pytest.fixture(scope="module")
def forker():
    """One warm parent for the module's CLI runs (each run names its store in the environment it adds)."""
    with Forker(dict(os.environ)) as f:
        yield f


def test_kill_minus_nine_loop_never_corrupts(tmp_path, forker):
    # The small seed: an import runs the same steps (copy, write, derive, verify, swap) in a fraction of the time.
    db, snaps = tmp_path / "k.duckdb", tmp_path / "snapshots"
    store.build(db, SMALL_SEED, snaps)
    paths = {"FRONTIER_DB": str(db), "FRONTIER_SEED_DIR": str(SMALL_SEED), "FRONTIER_SNAPSHOT_DIR": str(snaps)}
    env = {**os.environ, **paths}
    doc = json.loads(FIXTURE.read_text())
    rows = doc["data"] if isinstance(doc, dict) else doc
    base_name = rows[0]["name"]

    def payload(tag: str):
        rows[0]["name"] = f"{base_name} #{tag}"  # a new payload each run: every import has something to write
        f = tmp_path / f"p{tag}.json"
        f.write_text(json.dumps(doc))
        return f

    rng = random.Random(15)
    # Calibrate: how long one whole import takes here (the second: the first one into a new file is slower);
    # kills then land anywhere from its start to past the swap (some imports finish). Each import that finishes
    # updates the figure (the median so far), so a slow moment of a shared machine does not skew every trial.
    for day in ("06", "07"):
        t0 = time.monotonic()
        assert forker.wait(forker.run("ingest", "openrouter", "--from-file", payload(f"c{day}"),
                                      "--retrieved-at", f"2026-08-{day}T06:00:00Z", env=paths)) == 0
        durations = [time.monotonic() - t0]
    snapshots_seen = [_read_all(db)["snapshots"]]
    killed = corrupt = trial = 0
    while trial < TRIALS or (killed < TRIALS // 2 and trial < MAX_TRIALS):
        trial += 1
        duration = statistics.median(durations)
        t0 = time.monotonic()
        pid = forker.run("ingest", "openrouter", "--from-file", payload(str(trial)),
                         "--retrieved-at", f"2026-{8 + trial // 20:02d}-{8 + trial % 20:02d}T06:00:00Z", env=paths)
        # the kill lands at a random moment; an import that ends before it is not waited out
        if forker.poll(pid, rng.uniform(0.05, 1.5) * duration) is None:
            os.kill(pid, signal.SIGKILL)
            killed += 1
        elif forker.wait(pid) == 0:
            durations.append(time.monotonic() - t0)
        returncode = forker.wait(pid)
        try:
            counts = _read_all(db)
        except Exception:  # noqa: BLE001 - counted, and the test fails below
            corrupt += 1
            continue
        assert counts["snapshots"] in (snapshots_seen[-1], snapshots_seen[-1] + 1)  # before, or one whole import
        snapshots_seen.append(counts["snapshots"])
        assert not list(tmp_path.glob("k.duckdb.tmp-*")) or returncode == -signal.SIGKILL
    print(f"kill loop: {trial} trials, {killed} SIGKILLs, {corrupt} corrupt, "
          f"median import {statistics.median(durations):.2f} s, {snapshots_seen[-1] - snapshots_seen[0]} imports completed")
    assert corrupt == 0
    assert killed >= TRIALS // 2  # the loop really interrupted imports
    # After the kills, the next run of the real entry point cleans up and succeeds.
    r = subprocess.run([sys.executable, "-m", "lib", "ingest", "openrouter", "--from-file", str(FIXTURE),
                        "--retrieved-at", "2026-12-01T06:00:00Z"], cwd=PROJECT_DIR, env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert not list(tmp_path.glob("k.duckdb.tmp-*"))


def test_an_import_killed_between_its_swap_and_moving_its_files_is_not_lost(tmp_path, forker):
    """The narrowest window of the loop above, made deterministic: the database swap has happened, the process is
    killed before its snapshot files leave their hidden partial names. The next run keeps that import (its files
    are moved into place) instead of rebuilding from the folder without them, and a rebuild agrees."""
    db, snaps = tmp_path / "k.duckdb", tmp_path / "snapshots"
    store.build(db, SMALL_SEED, snaps)
    paths = {"FRONTIER_DB": str(db), "FRONTIER_SEED_DIR": str(SMALL_SEED), "FRONTIER_SNAPSHOT_DIR": str(snaps)}
    doc = json.loads(FIXTURE.read_text())
    rows = doc["data"] if isinstance(doc, dict) else doc

    def cli(*argv: str) -> None:  # `python -m lib ARGV` in a process of its own (forked from the warm parent)
        err = tmp_path / "cli.err"
        assert forker.wait(forker.run(*argv, env=paths, stderr=err)) == 0, err.read_text()

    def ingest(tag: str, day: str) -> None:
        rows[0]["name"] = f"{rows[0]['name'].split(' #')[0]} #{tag}"
        f = tmp_path / f"p{tag}.json"
        f.write_text(json.dumps(doc))
        cli("ingest", "openrouter", "--from-file", str(f), "--retrieved-at", f"2026-08-{day}T06:00:00Z")

    def snapshot_count() -> int:
        return _read_all(db)["snapshots"]

    ingest("a", "06")
    after_a = snapshot_count()
    files_a = sorted(p for p in (snaps / "openrouter").iterdir() if not p.name.startswith("."))
    assert files_a
    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid no process has any more: the import's process was killed
    for f in files_a:  # the state a SIGKILL right after the swap leaves
        f.rename(f.with_name(f".{f.name}.partial-{gone.pid}"))

    ingest("b", "07")
    assert snapshot_count() == after_a + 1  # a's import kept, b's added (was: a rebuild without a's files)
    assert all(f.exists() for f in files_a) and not list(snaps.glob("*/.*.partial-*"))
    cli("build")
    assert snapshot_count() == after_a + 1  # rebuilt from the folder: the same imports
