"""SIGKILL an ingest at random moments, again and again: the database is never left corrupt or half-written,
and it always holds either the data before or the data after a whole import."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

from lib import queries, store
from tests.conftest import PROJECT_DIR

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "ingest" / "openrouter_2026-08-08_slice.json"
TRIALS = 20


def _read_all(db) -> dict:
    con = store.connect_readonly(db)
    try:
        queries.read_every_table(con)  # every block's checksum
        return store.table_counts(con)
    finally:
        con.close()


def test_kill_minus_nine_loop_never_corrupts(tmp_path, frontier_db):
    db, snaps = tmp_path / "k.duckdb", tmp_path / "snapshots"
    store.build(db, frontier_db["seed"], snaps)
    env = {**os.environ, "FRONTIER_DB": str(db), "FRONTIER_SEED_DIR": str(frontier_db["seed"]),
           "FRONTIER_SNAPSHOT_DIR": str(snaps)}
    doc = json.loads(FIXTURE.read_text())
    rows = doc["data"] if isinstance(doc, dict) else doc
    rng = random.Random(15)
    # Calibrate: how long one whole import takes here; kills then land anywhere from start-up to the swap.
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "lib", "ingest", "openrouter", "--from-file", str(FIXTURE),
                    "--retrieved-at", "2026-08-07T06:00:00Z"], cwd=PROJECT_DIR, env=env, check=True,
                   capture_output=True, timeout=300)
    duration = time.monotonic() - t0
    snapshots_seen = [_read_all(db)["snapshots"]]
    killed = corrupt = 0
    for trial in range(TRIALS):
        rows[0]["name"] = f"{rows[0]['name'].split(' #')[0]} #{trial}"  # a new payload each trial
        payload = tmp_path / f"p{trial}.json"
        payload.write_text(json.dumps(doc))
        proc = subprocess.Popen([sys.executable, "-m", "lib", "ingest", "openrouter", "--from-file", str(payload),
                                 "--retrieved-at", f"2026-08-{8 + trial % 20:02d}T06:00:00Z"],
                                cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.3, 1.1) * duration)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait(timeout=60)
        try:
            counts = _read_all(db)
        except Exception:  # noqa: BLE001 - counted, and the test fails below
            corrupt += 1
            continue
        assert counts["snapshots"] in (snapshots_seen[-1], snapshots_seen[-1] + 1)  # before, or one whole import
        snapshots_seen.append(counts["snapshots"])
        assert not list(tmp_path.glob("k.duckdb.tmp-*")) or proc.returncode == -signal.SIGKILL
    print(f"kill loop: {TRIALS} trials, {killed} SIGKILLs, {corrupt} corrupt, "
          f"{snapshots_seen[-1] - snapshots_seen[0]} imports completed")
    assert corrupt == 0
    assert killed >= TRIALS // 2  # the loop really interrupted imports
    # After the kills, the next run cleans up and succeeds.
    r = subprocess.run([sys.executable, "-m", "lib", "ingest", "openrouter", "--from-file", str(FIXTURE),
                        "--retrieved-at", "2026-09-01T06:00:00Z"], cwd=PROJECT_DIR, env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert not list(tmp_path.glob("k.duckdb.tmp-*"))
