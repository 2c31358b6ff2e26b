"""Every CSV the project writes neutralises spreadsheet formulas by content (pandas 3 text columns are `str`, not
`object`) and carries no control characters: the Data page download and `snapshot --format csv`."""
from __future__ import annotations

import io
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
    """A hostile name in the store (here: a seed whose model name is a formula; live ingest now sends unknown ids
    to the review queue, off the market) comes out of `snapshot --format csv` neutralised."""
    import shutil

    seed = tmp_path / "seed"
    shutil.copytree(frontier_db["seed"], seed)
    models = pd.read_csv(seed / "models.csv", dtype=str, keep_default_na=False)
    k = models.index[models["model_id"] == "openai/gpt-4o-mini"][0]
    models.loc[k, "name"] = EVIL
    models.to_csv(seed / "models.csv", index=False, lineterminator="\n")
    db, snaps = tmp_path / "x.duckdb", tmp_path / "snaps"
    for key, v in {"FRONTIER_DB": db, "FRONTIER_SNAPSHOT_DIR": snaps, "FRONTIER_SEED_DIR": seed}.items():
        monkeypatch.setenv(key, str(v))
    store.build(db, seed, snaps)
    capsys.readouterr()
    assert main(["snapshot", "--as-of", "2024-10-01", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    back = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    cells = [c for col in back.columns for c in back[col]]
    assert "'" + EVIL in cells
    assert not any(c.startswith("=") for c in cells)
