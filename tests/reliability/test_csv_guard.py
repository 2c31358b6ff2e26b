"""Every CSV the project writes neutralises spreadsheet formulas by content (pandas 3 text columns are `str`, not
`object`) and carries no control characters: the Data page download and `snapshot --format csv`."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

from lib import store, views
from lib.__main__ import main

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "ingest" / "openrouter_2026-08-08_slice.json"
EVIL = '=HYPERLINK("https://evil.example/x","click")'


def test_data_page_csv_neutralises_str_columns():
    df = pd.DataFrame({"name": pd.array([EVIL, "+1", "ok", "\tTAB", "a\x00b"], dtype="str"), "price": [1.0, -2, 3, 4, 5]})
    assert str(df["name"].dtype) != "object"  # the case a dtype check misses
    back = pd.read_csv(io.BytesIO(views.to_csv_bytes(df)), dtype=str, keep_default_na=False)
    assert back["name"].tolist() == ["'" + EVIL, "'+1", "ok", "'\tTAB", "ab"]
    assert back["price"].tolist()[1] == "-2.0"  # numbers stay numbers


def test_snapshot_csv_neutralises_a_hostile_model_name(tmp_path, monkeypatch, capsys, frontier_db):
    db, snaps = tmp_path / "x.duckdb", tmp_path / "snaps"
    for k, v in {"FRONTIER_DB": db, "FRONTIER_SNAPSHOT_DIR": snaps, "FRONTIER_SEED_DIR": frontier_db["seed"]}.items():
        monkeypatch.setenv(k, str(v))
    store.build(db, frontier_db["seed"], snaps)
    doc = json.loads(FIX.read_text())
    rows = doc["data"] if isinstance(doc, dict) else doc
    k = next(i for i, r in enumerate(rows) if ":" not in r["id"] and not r["id"].startswith("~"))
    rows[k]["id"] = "evilcorp/formula-model"
    rows[k]["name"] = EVIL
    payload = tmp_path / "p.json"
    payload.write_text(json.dumps(doc))
    assert main(["ingest", "openrouter", "--from-file", str(payload), "--retrieved-at", "2026-08-08T06:00:00Z"]) == 0
    capsys.readouterr()
    assert main(["snapshot", "--as-of", "2026-08-08", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    back = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    cells = [c for col in back.columns for c in back[col]]
    assert "'" + EVIL in cells
    assert not any(c.startswith("=") for c in cells)
