"""Where the project keeps its files: seed CSVs, raw snapshots and the DuckDB file.

`FRONTIER_DB` overrides the database path; `FRONTIER_SEED_DIR` and `FRONTIER_SNAPSHOT_DIR` exist for tests.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"


def seed_dir() -> Path:
    return Path(os.environ.get("FRONTIER_SEED_DIR") or DATA_DIR / "seed")


def snapshot_dir() -> Path:
    return Path(os.environ.get("FRONTIER_SNAPSHOT_DIR") or DATA_DIR / "snapshots")


def default_db_path() -> Path:
    return Path(os.environ.get("FRONTIER_DB") or DATA_DIR / "frontier.duckdb")


def default_raw_dir() -> Path:
    return PROJECT_DIR.parent / "shared" / "data" / "raw"
