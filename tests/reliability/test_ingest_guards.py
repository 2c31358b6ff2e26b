"""Ingest guard rails on recorded real payloads: a bad row is skipped with its reason (never the whole payload,
never a traceback), hostile payloads get one line, and a price jump beyond 5× is held until seen again."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from lib import queries, store
from lib.__main__ import main

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "ingest"
OR_FILE = FIX / "openrouter_2026-08-08_slice.json"


@pytest.fixture
def env(tmp_path, monkeypatch, frontier_db, build_db):
    db, snaps = tmp_path / "x.duckdb", tmp_path / "snaps"
    for k, v in {"FRONTIER_DB": db, "FRONTIER_SNAPSHOT_DIR": snaps, "FRONTIER_SEED_DIR": frontier_db["seed"],
                 "FRONTIER_REVIEWS_DIR": tmp_path / "reviews"}.items():
        monkeypatch.setenv(k, str(v))
    build_db(db, frontier_db["seed"], snaps)
    return db, snaps


def state(db: Path, snaps: Path) -> tuple:
    con = store.connect_readonly(db)
    try:
        counts = store.table_counts(con)
    finally:
        con.close()
    files = sorted(p.name for p in snaps.rglob("*")) if snaps.exists() else []
    return counts, files


def or_doc() -> dict:
    doc = json.loads(OR_FILE.read_text())
    return doc if isinstance(doc, dict) else {"data": doc}


def ingest(tmp_path, body: bytes, source="openrouter", ext="json", when="2026-08-08T06:00:00Z") -> int:
    f = tmp_path / f"payload-{abs(hash(body))}.{ext}"
    f.write_bytes(body)
    return main(["ingest", source, "--from-file", str(f), "--retrieved-at", when])


def one_line_error(capsys, *needles) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert "Traceback" not in err
    for n in needles:
        assert n in err, err
    return err


@pytest.mark.parametrize("field,value,reason", [
    ("pricing.prompt", "1e999999999", "absurd price"),
    ("pricing.prompt", float("nan"), "non-numeric price"),
    ("created", 10 ** 20, None),             # a listing date out of range: the row is kept without it
    ("created", float("nan"), None),
    ("name", "x" * 131_100, "characters"),
])
def test_one_bad_row_is_skipped_with_its_reason_and_the_rest_imported(env, tmp_path, capsys, field, value, reason):
    doc = or_doc()
    row = doc["data"][0]
    if field.startswith("pricing."):
        row["pricing"][field.split(".")[1]] = value
    else:
        row[field] = value
    before = state(*env)
    assert ingest(tmp_path, json.dumps(doc).encode()) == 0
    out = capsys.readouterr().out
    assert "imported 1 payload" in out
    if reason:
        assert f"- {row['id']} (" in out and reason in out
    else:
        assert f"- {row['id']} (" not in out
    assert state(*env)[0]["snapshots"] == before[0]["snapshots"] + 1


def test_a_long_csv_cell_skips_its_row_only(env, tmp_path, capsys):
    lines = (FIX / "lmarena_text_2025-08-04_slice.csv").read_text().splitlines()
    lines[1] = lines[1] + "x" * 131_100  # the last field of the first row: 131k characters
    assert ingest(tmp_path, ("\n".join(lines) + "\n").encode(), "lmarena", "csv") == 0
    out = capsys.readouterr().out
    assert "skipped rows: 1" in out and "characters" in out


@pytest.mark.parametrize("body,needle", [
    (b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
    (b'{"data": [], "data": []}', "appears twice"),
])
def test_hostile_payloads_get_one_line_and_change_nothing(env, tmp_path, capsys, body, needle):
    before = state(*env)
    assert ingest(tmp_path, body) == 1
    one_line_error(capsys, needle)
    assert state(*env) == before


def test_a_duplicate_key_inside_a_row_skips_that_row(env, tmp_path, capsys):
    doc = or_doc()
    first = json.dumps(doc["data"][0])
    dup = first[:-1] + ', "name": "Other name"}'
    body = json.dumps(doc).replace(first, dup, 1).encode()
    assert ingest(tmp_path, body) == 0
    out = capsys.readouterr().out
    assert f"- {doc['data'][0]['id']} (data[]): key 'name' appears twice" in out


def test_too_many_rows_is_one_line(env, tmp_path, capsys, monkeypatch):
    from lib.ingest import openrouter

    monkeypatch.setattr(openrouter, "MAX_ROWS", 3)
    before = state(*env)
    assert ingest(tmp_path, OR_FILE.read_bytes()) == 1
    one_line_error(capsys, "over this source's limit of 3")
    assert state(*env) == before


def _price(db, model_id):
    con = store.connect_readonly(db)
    try:
        return con.execute("SELECT input_usd_per_mtok FROM prices WHERE source_id = 'openrouter' AND model_id = ? "
                           "AND tier = 'standard' ORDER BY effective_from DESC LIMIT 1", [model_id]).fetchall()
    finally:
        con.close()


def test_a_price_jump_is_held_until_a_second_observation(env, tmp_path, capsys):
    db, snaps = env
    doc = or_doc()
    k = next(i for i, r in enumerate(doc["data"]) if ":" not in r["id"] and not r["id"].startswith("~")
             and float(r["pricing"].get("prompt") or 0) > 0)
    assert ingest(tmp_path, json.dumps(doc).encode(), when="2026-08-08T06:00:00Z") == 0
    con = store.connect_readonly(db)
    mid = con.execute("SELECT model_id FROM aliases WHERE source_id = 'openrouter' AND external_id = ?",
                      [doc["data"][k]["id"]]).fetchall()
    con.close()
    mid = mid[0][0] if mid else doc["data"][k]["id"]
    base = _price(db, mid)
    capsys.readouterr()
    # A per-thousand value written in a per-token field: 1,000× the price.
    row = doc["data"][k]
    row["pricing"]["prompt"] = str(float(row["pricing"]["prompt"]) * 1_000)
    assert ingest(tmp_path, json.dumps(doc).encode(), when="2026-08-09T06:00:00Z") == 0
    out = capsys.readouterr().out
    assert "held for review: 1 price change" in out and mid in out
    assert _price(db, mid) == base  # not imported
    con = store.connect_readonly(db)
    assert queries.held_prices(con)["status"].tolist() == ["held"]
    con.close()
    # A rebuild from the kept payloads reaches the same state.
    store.build(db, Path(__import__("os").environ["FRONTIER_SEED_DIR"]), snaps)
    assert _price(db, mid) == base
    # The same price observed again by a later payload: imported.
    doc["data"][k + 1]["name"] = doc["data"][k + 1]["name"] + " "  # a different payload (another sha256)
    assert ingest(tmp_path, json.dumps(doc).encode(), when="2026-08-10T06:00:00Z") == 0
    assert "held for review" not in capsys.readouterr().out
    assert _price(db, mid) != base
    con = store.connect_readonly(db)
    assert sorted(queries.held_prices(con)["status"]) == ["confirmed", "confirmed"]  # the first sighting, the second
    con.close()
