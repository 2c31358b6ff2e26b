"""A damaged database file is detected and rebuilt from the seed and kept snapshots with a clear message; the
dashboard shows that message, never a raw exception."""
from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import queries, store
from lib.errors import CorruptDatabase
from tests.conftest import PROJECT_DIR


def corrupt_middle(path, seed: int = 0) -> None:
    """Random bytes over the middle half of the file (where the tables' blocks are)."""
    size = path.stat().st_size
    rng = random.Random(seed)
    with open(path, "r+b") as fh:
        fh.seek(size // 4)
        fh.write(rng.randbytes(size // 2))


@pytest.fixture
def db_env(tmp_path, frontier_db, monkeypatch, build_db):
    """A database of the session's data in this test's folder, with a copy of the session's snapshot folder (the
    project's own data/snapshots when the seed is complete): an ingest run here writes only into the copy (the
    full-disk ingest left an empty data/snapshots/openrouter in the working tree)."""
    db, snapshots = tmp_path / "f.duckdb", tmp_path / "snapshots"
    if Path(frontier_db["snapshots"]).is_dir():
        shutil.copytree(frontier_db["snapshots"], snapshots)
    else:
        snapshots.mkdir()
    build_db(db, frontier_db["seed"], snapshots)
    monkeypatch.setenv("FRONTIER_DB", str(db))
    monkeypatch.setenv("FRONTIER_SEED_DIR", str(frontier_db["seed"]))
    monkeypatch.setenv("FRONTIER_SNAPSHOT_DIR", str(snapshots))
    return db


def test_random_bytes_in_the_middle_are_detected_and_the_database_rebuilt(db_env):
    con = store.connect_readonly(db_env)
    good = queries.read_every_table(con)
    con.close()
    corrupt_middle(db_env)
    with pytest.raises(CorruptDatabase):
        store._checked_version(db_env, full=True)
    notices: list[str] = []
    store.ensure_db(db_env, verify=True, check_stale=False, notices=notices)
    assert len(notices) == 1 and "corrupt" in notices[0] and "rebuilt" in notices[0] and "\n" not in notices[0]
    con = store.connect_readonly(db_env)
    assert queries.read_every_table(con) == good
    con.close()


def test_models_page_on_a_corrupt_database_says_it_was_rebuilt(db_env):
    corrupt_middle(db_env, seed=1)
    at = AppTest.from_file(str(PROJECT_DIR / "pages" / "4_models.py"), default_timeout=90)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("was corrupt" in w.value and "rebuilt" in w.value for w in at.warning)
    assert at.title[0].value != "The data is not available"


def test_cli_on_a_corrupt_database_rebuilds_with_one_line(db_env, capsys):
    from lib.__main__ import main

    corrupt_middle(db_env, seed=2)
    assert main(["snapshot", "--as-of", "2024-10-01", "--format", "csv"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert any("corrupt" in line and "rebuilt" in line for line in err), err


def test_a_database_in_use_is_never_taken_for_corrupt_or_rebuilt(db_env):
    """Open in this process with other settings, or locked by a writer in another process: the file is fine, so it is
    served as it is (no rebuild, no 'corrupt' note), and a page next to an open connection shows the same build."""
    import subprocess
    import sys

    import duckdb

    built = store._file_key(db_env), queries.meta(store.connect_readonly(db_env))["built_at"]
    other = duckdb.connect(str(db_env), read_only=True, config={"threads": 1})  # other settings than the readers'
    notices: list[str] = []
    try:
        store.ensure_db(db_env, verify=True, check_stale=False, notices=notices)
    finally:
        other.close()
    assert notices == [] and store._file_key(db_env) == built[0]

    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time\n"
                               "c = duckdb.connect(sys.argv[1]); print('locked', flush=True); time.sleep(60)",
                               str(db_env)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        store.ensure_db(db_env, verify=True, check_stale=False, notices=notices)
    finally:
        holder.kill()
        holder.wait()
    assert notices == [] and store._file_key(db_env) == built[0]

    con = store.connect_readonly(db_env)
    try:
        at = AppTest.from_file(str(PROJECT_DIR / "pages" / "6_data.py"), default_timeout=90)
        at.run()
    finally:
        con.close()
    assert not at.exception and not any("corrupt" in w.value for w in at.warning)
    assert any(f"Database built {built[1].replace('T', ' ')}" in c.value for c in at.caption)


def _file_size_limit(limit: int):
    """A preexec_fn: writes beyond `limit` bytes fail with EFBIG, like a full disk (no signal)."""
    import resource
    import signal

    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_full_disk_gets_one_line_and_leaves_the_database(db_env, tmp_path):
    import subprocess
    import sys

    before = db_env.read_bytes()
    env = {**os.environ}
    for cmd in (["build"], ["ingest", "openrouter", "--from-file",
                            str(PROJECT_DIR / "tests/fixtures/ingest/openrouter_2026-08-08_slice.json")]):
        r = subprocess.run([sys.executable, "-m", "lib", *cmd], cwd=PROJECT_DIR, env=env, capture_output=True,
                           text=True, timeout=300, preexec_fn=_file_size_limit(64 * 1024))
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 1 and len(lines) == 1 and lines[0].startswith("error: "), (cmd, r.stderr[-2000:])
        assert "File too large" in lines[0] or "too large" in lines[0].lower()
        assert db_env.read_bytes() == before
        assert not list(db_env.parent.glob("f.duckdb.tmp-*"))


def test_a_stale_database_in_a_read_only_folder_is_served_with_a_warning(db_env, monkeypatch, tmp_path, capsys):
    """Root ignores permission bits, so the folder's read-only state is what `writable_location` reports."""
    from lib.__main__ import main

    seed = tmp_path / "seed"
    seed.mkdir()
    for f in store.paths.seed_dir().glob("*.csv"):
        (seed / f.name).write_bytes(f.read_bytes())
    (seed / "sources.csv").write_bytes((seed / "sources.csv").read_bytes() + b"")  # same content
    monkeypatch.setenv("FRONTIER_SEED_DIR", str(seed))
    (seed / "extra-note.txt").write_text("a newer file: the seed's version changed\n")
    monkeypatch.setattr(store, "writable_location", lambda p: False)
    before = db_env.read_bytes()
    assert main(["snapshot", "--as-of", "2024-10-01", "--format", "csv"]) == 0
    err = capsys.readouterr().err
    assert "older than the seed" in err and "read-only" in err and len(err.strip().splitlines()) == 1
    assert db_env.read_bytes() == before
    at = AppTest.from_file(str(PROJECT_DIR / "pages" / "6_data.py"), default_timeout=90)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("older than the seed" in w.value for w in at.warning)
