"""`python -m lib` as a user runs it, on a temporary database built from a real seed slice: in-process through
`main(argv)`, plus two smoke tests that start the real entry point as a subprocess."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seed_small"


def _env(tmp_path) -> dict:
    return {"FRONTIER_SEED_DIR": str(SEED), "FRONTIER_DB": str(tmp_path / "cli.duckdb"),
            "FRONTIER_SNAPSHOT_DIR": str(tmp_path / "snapshots")}


@pytest.fixture()
def cli(tmp_path):
    env = _env(tmp_path)

    def run(*args):
        return run_cli(*args, env=env)

    return run


@pytest.fixture()
def real_cli(tmp_path):
    """The real entry point in a subprocess (smoke tests only: each start costs seconds)."""
    env = {**os.environ, **_env(tmp_path), "PYTHONPATH": str(ROOT)}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "lib", *args], capture_output=True, text=True, env=env,
                              cwd=ROOT, timeout=120)

    return run


def test_build_prints_counts_per_table_and_is_idempotent(real_cli, cli):
    first = real_cli("build")
    assert first.returncode == 0, first.stderr
    assert re.search(r"^prices\s+7$", first.stdout, re.M)
    assert re.search(r"^models\s+6$", first.stdout, re.M)
    second = cli("build")  # the same database again (in-process: the entry point is what the first run smoke-tests)
    assert second.stdout.splitlines()[:-1] == first.stdout.splitlines()[:-1]


def test_snapshot_json_has_the_documented_columns_and_frontier(cli):
    out = cli("snapshot", "--as-of", "2024-10-01", "--metric", "mmlu", "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = {r["model_id"]: r for r in json.loads(out.stdout)}
    assert list(next(iter(rows.values()))) == ["model_id", "vendor", "name", "release_date", "input_usd_per_mtok",
                                               "output_usd_per_mtok", "blended_usd_per_mtok", "quality",
                                               "on_frontier"]
    pro = rows["google/gemini-1.5-pro"]
    assert (pro["input_usd_per_mtok"], pro["output_usd_per_mtok"]) == (1.25, 5.0)
    assert pro["blended_usd_per_mtok"] == pytest.approx((3 * 1.25 + 5) / 4)
    # Claude 3 Opus (84 at $30) is dominated by GPT-4o (87 at $7.50); GPT-4o mini is on the frontier
    assert rows["anthropic/claude-3-opus"]["on_frontier"] is False
    assert rows["openai/gpt-4o-mini"]["on_frontier"] is True


def test_snapshot_price_basis_ratio_and_vendor_filter(cli):
    out = cli("snapshot", "--as-of", "2024-10-01", "--metric", "mmlu", "--ratio", "1:1", "--vendor", "google",
              "--format", "csv")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 3 and all(",google," in line for line in lines[1:])
    pro = next(line for line in lines if line.startswith("google/gemini-1.5-pro,"))
    assert ",3.125," in pro  # (1.25 + 5) / 2


def test_snapshot_table_is_readable(cli):
    out = cli("snapshot", "--as-of", "2024-08-01", "--metric", "mmlu")
    assert out.returncode == 0
    assert "GPT-4o mini" in out.stdout and "on_frontier" in out.stdout
    assert "gemini-1.5-pro" in out.stdout


def test_sources_lists_licence_and_snapshots(cli):
    out = cli("sources")
    assert out.returncode == 0, out.stderr
    assert "no licence stated" in out.stdout
    assert "2025-02-05" in out.stdout  # newest snapshot of Epoch's price records
    assert "Attribution:" in out.stdout


@pytest.mark.parametrize("args, message", [
    (["snapshot", "--as-of", "2024-02-30"], "not a date"),
    (["snapshot", "--as-of", "yesterday"], "not a date"),
    (["snapshot", "--as-of", "2024-10-01", "--metric", "iq"], "unknown metric 'iq'"),
    (["snapshot", "--as-of", "2024-10-01", "--metric", "mmlu", "--vendor", "acme"], "unknown vendor 'acme'"),
    (["snapshot", "--as-of", "2024-10-01", "--ratio", "three"], "ratio"),
    (["snapshot", "--as-of", "2024-10-01", "--price", "cheap"], "invalid choice"),
    (["snapshot"], "--as-of"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_give_one_line_and_exit_2(cli, args, message):
    out = cli(*args)
    _assert_one_line_exit_2(out, message)


def test_an_unknown_command_from_the_shell_gives_one_line_and_exit_2(real_cli):
    _assert_one_line_exit_2(real_cli("frobnicate"), "invalid choice")


def _assert_one_line_exit_2(out, message):
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert message in lines[0]
    assert "Traceback" not in out.stderr


def test_snapshot_in_the_future_says_so_in_one_line(cli):
    out = cli("snapshot", "--as-of", "2030-01-01", "--metric", "mmlu", "--format", "csv")
    assert out.returncode == 0
    lines = [x for x in out.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "future" in lines[0] and "2030-01-01" in lines[0]


def test_generations_today_never_prices_at_a_future_date(cli):
    from lib import clock

    out = cli("generations", "--metric", "mmlu", "--price-date", "today", "--format", "csv")
    assert out.returncode == 0, out.stderr
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert rows and all(r["teacher_price_date"][:10] <= clock.today().isoformat() for r in rows)
