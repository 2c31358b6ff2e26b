"""Shared fixtures: a database built once per session from the committed seed (or the small fixture seed while
the curated one is incomplete), and a per-test environment pointing the app at it."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:  # pages run under AppTest import lib from the project root
    sys.path.insert(0, str(PROJECT_DIR))

from lib import schema, store  # noqa: E402

SMALL_SEED = PROJECT_DIR / "tests" / "fixtures" / "seed_small"


def seed_is_complete(seed: Path) -> bool:
    return all((seed / f"{t}.csv").is_file() for t in schema.SEED_FILES)


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    """data/seed when every seed file is there, else tests/fixtures/seed_small."""
    seed = PROJECT_DIR / "data" / "seed"
    return seed if seed_is_complete(seed) else SMALL_SEED


@pytest.fixture(scope="session")
def frontier_db(tmp_path_factory, seed_dir) -> dict:
    """Build a database from `seed_dir` into a temporary folder, once per session (no env changes here)."""
    base = tmp_path_factory.mktemp("frontier_db")
    snapshots = PROJECT_DIR / "data" / "snapshots" if seed_dir != SMALL_SEED else base / "no-snapshots"
    db = base / "frontier.duckdb"
    store.build(db, seed_dir, snapshots)
    return {"db": db, "seed": seed_dir, "snapshots": snapshots}


@pytest.fixture
def frontier_env(frontier_db, monkeypatch) -> Path:
    """Point FRONTIER_DB / FRONTIER_SEED_DIR / FRONTIER_SNAPSHOT_DIR at the session database for one test."""
    monkeypatch.setenv("FRONTIER_DB", str(frontier_db["db"]))
    monkeypatch.setenv("FRONTIER_SEED_DIR", str(frontier_db["seed"]))
    monkeypatch.setenv("FRONTIER_SNAPSHOT_DIR", str(frontier_db["snapshots"]))
    return frontier_db["db"]
