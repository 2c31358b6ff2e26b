"""The snapshot store: schema, append-only imports, as-of answers at interval boundaries, atomic swaps.

Runs on a small real slice of Epoch AI's price records (tests/fixtures/seed_small) in a temporary DuckDB file.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from lib import queries, store
from lib.ingest import load

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seed_small"


@pytest.fixture()
def db(tmp_path, monkeypatch, build_db):
    monkeypatch.setenv("FRONTIER_SEED_DIR", str(SEED))
    monkeypatch.setenv("FRONTIER_SNAPSHOT_DIR", str(tmp_path / "snapshots"))
    path = tmp_path / "store.duckdb"
    monkeypatch.setenv("FRONTIER_DB", str(path))
    build_db(path, SEED, tmp_path / "snapshots")
    return path


def counts(path) -> dict:
    con = store.connect_readonly(path)
    try:
        return store.table_counts(con)
    finally:
        con.close()


def price_on(path, model_id, day):
    con = store.connect_readonly(path)
    try:
        df = queries.snapshot_as_of(con, day, "mmlu")
    finally:
        con.close()
    row = df[df.model_id == model_id]
    if row.empty:
        return None
    r = row.iloc[0]
    return (r.input_usd_per_mtok, r.output_usd_per_mtok)


def openrouter_like_import(path, input_price, output_price, day="2025-01-15", payload=None):
    """Import one parsed payload that prices GPT-4o mini, the way a live source would."""
    payload = payload or f"gpt-4o-mini {input_price} {output_price}".encode()
    prices = pd.DataFrame([{
        "model_id": "openai/gpt-4o-mini", "provider": "openai", "first_party": True, "tier": "standard",
        "input_usd_per_mtok": input_price, "output_usd_per_mtok": output_price, "cache_read_usd_per_mtok": None,
        "source_ref": "test payload", "note": None,
    }])

    def write(con):
        return load.import_parsed(
            con, source_id="epoch_aa", sha256=hashlib.sha256(payload).hexdigest(),
            retrieved_at=dt.datetime.fromisoformat(day + "T12:00:00"), raw_path=None, prices=prices)

    return store.apply_import(write, path)


def test_schema_has_every_table_and_the_interval_view(db):
    con = store.connect_readonly(db)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"sources", "snapshots", "models", "aliases", "prices", "scores", "metrics", "lineage", "meta",
            "price_intervals"} <= tables
    # provenance is mandatory: a price without a source reference is refused
    assert counts(db)["prices"] == 7
    con.close()


def test_build_is_idempotent_and_records_the_data_version(db, tmp_path):
    first = counts(db)
    store.build(db, SEED, tmp_path / "snapshots")
    assert counts(db) == first
    con = store.connect_readonly(db)
    assert queries.meta(con)["data_version"] == store.data_version(SEED, tmp_path / "snapshots")
    con.close()


def test_as_of_answers_at_the_boundaries_of_a_price_cut(db):
    # Gemini 1.5 Pro: $3.50/$10.50 (archived 2024-08-12), cut to $1.25/$5 effective 2024-10-01
    assert price_on(db, "google/gemini-1.5-pro", "2024-09-30") == (3.5, 10.5)
    assert price_on(db, "google/gemini-1.5-pro", "2024-10-01") == (1.25, 5.0)
    assert price_on(db, "google/gemini-1.5-pro", "2024-10-02") == (1.25, 5.0)


def test_a_model_does_not_exist_before_its_release(db):
    assert price_on(db, "openai/gpt-4o-mini", "2024-07-17") is None
    assert price_on(db, "openai/gpt-4o-mini", "2024-07-18") == (0.15, 0.6)


def test_identical_reimport_is_a_no_op(db):
    first = openrouter_like_import(db, 0.15, 0.6)
    before = counts(db)
    again = openrouter_like_import(db, 0.15, 0.6)
    assert first["status"] == "imported"
    assert again["status"] == "unchanged-payload"
    assert counts(db) == before


def test_a_price_change_opens_a_new_interval_and_closes_the_old_one(db):
    openrouter_like_import(db, 0.15, 0.6, day="2025-01-15")
    summary = openrouter_like_import(db, 0.10, 0.40, day="2025-03-01")
    assert [c["model_id"] for c in summary["changed"]] == ["openai/gpt-4o-mini"]
    con = store.connect_readonly(db)
    hist = queries.price_history(con, "openai/gpt-4o-mini")
    con.close()
    observed = hist[hist.snapshot_id.fillna("").str.startswith("epoch_aa:")]
    assert list(observed.input_usd_per_mtok) == [0.15, 0.10]
    assert pd.Timestamp(observed.iloc[0].effective_to) == pd.Timestamp("2025-03-01")  # closed by the new row, not rewritten
    assert pd.isna(observed.iloc[1].effective_to)
    # the vendor-effective price from Epoch's archived record still wins where it applies
    assert price_on(db, "openai/gpt-4o-mini", "2025-03-02") == (0.15, 0.6)


def test_a_failing_import_leaves_the_database_exactly_as_it_was(db):
    before_bytes = db.read_bytes()

    def write(con):
        con.execute("INSERT INTO sources VALUES ('x', 'X', NULL, NULL, NULL, 1)")
        raise RuntimeError("parser exploded half way")

    with pytest.raises(RuntimeError, match="half way"):
        store.apply_import(write, db)
    assert db.read_bytes() == before_bytes
    assert not list(db.parent.glob("*.tmp-*"))


def test_an_import_violating_provenance_is_refused_whole(db):
    before = counts(db)
    prices = pd.DataFrame([{"model_id": "openai/gpt-4o-mini", "provider": "openai", "first_party": True,
                            "input_usd_per_mtok": 1.0, "output_usd_per_mtok": 2.0, "source_ref": None}])

    def write(con):
        return load.import_parsed(con, source_id="epoch_aa", sha256="ab" * 32,
                                   retrieved_at=dt.datetime(2025, 5, 1), raw_path=None, prices=prices)

    with pytest.raises(duckdb.Error):
        store.apply_import(write, db)
    assert counts(db) == before


def test_ensure_db_rebuilds_when_the_seed_changes(tmp_path, monkeypatch):
    seed = tmp_path / "seed"
    shutil.copytree(SEED, seed)
    monkeypatch.setenv("FRONTIER_SEED_DIR", str(seed))
    monkeypatch.setenv("FRONTIER_SNAPSHOT_DIR", str(tmp_path / "none"))
    path = tmp_path / "auto.duckdb"
    store.ensure_db(path)
    assert counts(path)["models"] == 6
    with open(seed / "aliases.csv", "a") as fh:
        fh.write("epoch_aa,GPT-4o mini (test alias),openai/gpt-4o-mini\n")
    store.ensure_db(path)
    assert counts(path)["aliases"] == 4


def test_a_broken_seed_fails_with_a_clear_message_and_keeps_the_old_database(tmp_path, monkeypatch):
    seed = tmp_path / "seed"
    shutil.copytree(SEED, seed)
    path = tmp_path / "db.duckdb"
    store.build(path, seed, tmp_path / "none")
    before = path.read_bytes()
    (seed / "prices.csv").write_text((seed / "prices.csv").read_text().replace(",0.15,0.6,", ",0.15,cheap,"))
    from lib.errors import DataError

    with pytest.raises(DataError, match="prices.csv"):
        store.build(path, seed, tmp_path / "none")
    assert path.read_bytes() == before


READER = textwrap.dedent("""
    import os, sys, time, duckdb
    path, stop = sys.argv[1], sys.argv[2]
    end, n, errors, seen = time.time() + 180, 0, 0, set()
    while time.time() < end:  # until the writer is done (its last state read once more), however slow the machine
        last = os.path.exists(stop)
        try:
            con = duckdb.connect(path, read_only=True)
            k = con.execute("SELECT count(*) FROM prices").fetchall()[0][0]
            v = con.execute("SELECT count(*) FROM snapshots").fetchall()[0][0]
            con.close()
            seen.add((k, v)); n += 1
        except Exception as exc:
            errors += 1; print("ERR", exc, file=sys.stderr)
        if last:
            break
        time.sleep(0.005)  # a moment between reads: the writer shares the machine's cores with this loop
    print(n, errors, ";".join(f"{k},{v}" for k, v in sorted(seen)))
""")

WRITER = textwrap.dedent("""
    import datetime as dt, hashlib, sys
    import pandas as pd
    from lib import store
    from lib.ingest import load
    path, rounds = sys.argv[1], int(sys.argv[2])
    for i in range(rounds):
        payload = f"round {i}".encode()
        prices = pd.DataFrame([{"model_id": "openai/gpt-4o-mini", "provider": "openai", "first_party": True,
                                "input_usd_per_mtok": 0.15 + i / 100, "output_usd_per_mtok": 0.6,
                                "source_ref": "writer process"}])
        store.apply_import(lambda con: load.import_parsed(
            con, source_id="epoch_aa", sha256=hashlib.sha256(payload).hexdigest(),
            retrieved_at=dt.datetime(2025, 1, 1) + dt.timedelta(days=i), raw_path=None, prices=prices), path)
    print("wrote", rounds)
""")


ROUNDS = 8  # imports the writer swaps in while the reader reads


def test_a_reader_process_never_sees_a_lock_or_half_import_while_a_writer_runs(db):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    stop = db.parent / "writer-done"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), str(stop)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(0.5)
    writer = subprocess.run([sys.executable, "-c", WRITER, str(db), str(ROUNDS)], capture_output=True, text=True,
                            env=env, timeout=120)
    stop.touch()
    out, err = reader.communicate(timeout=200)
    assert writer.returncode == 0, writer.stderr
    n, errors, states = out.split()
    assert int(errors) == 0, err
    assert int(n) >= 2
    seen = [tuple(map(int, s.split(","))) for s in states.split(";")]
    # every state the reader saw was a whole import: one new price row per new snapshot, never one without the other
    assert all(prices - 7 == snaps - 2 for prices, snaps in seen), seen
    assert len(seen) >= 2
    final = counts(db)
    assert final["prices"] == 7 + ROUNDS and final["snapshots"] == 2 + ROUNDS


def test_price_history_uses_the_as_of_answer_and_starts_at_release(db):
    from lib import snapshot

    con = store.connect_readonly(db)
    try:
        h = snapshot.headline_price_history(con, "google/gemini-1.5-pro")
    finally:
        con.close()
    # release 2024-05-23 precedes the first recorded price (archived 2024-08-12): no price is invented before it
    assert list(h.effective_from.dt.strftime("%Y-%m-%d")) == ["2024-08-12", "2024-10-01"]
    assert list(zip(h.input_usd_per_mtok, h.output_usd_per_mtok)) == [(3.5, 10.5), (1.25, 5.0)]
    assert h.effective_to.iloc[0] == pd.Timestamp("2024-10-01") and pd.isna(h.effective_to.iloc[1])
    assert list(h.date_kind) == ["observed", "effective"]
