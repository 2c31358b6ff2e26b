"""The README stays true: its two set-up commands exist and every CLI command is documented."""
from __future__ import annotations

import re
from pathlib import Path

from lib.__main__ import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_readme_opens_with_what_it_is_then_exactly_two_commands():
    block = re.search(r"## Two commands.*?```bash\n(.*?)```", README, re.S)
    assert block, "README has no 'Two commands' section"
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["bash scripts/dashboard.sh", "bash scripts/test.sh"]
    for cmd in commands:
        assert (ROOT / cmd.split()[1]).is_file()
    assert README.index("## Two commands") < README.index("## Command line")


def test_ci_runs_the_readme_test_command():
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_every_cli_command_is_in_the_readme():
    missing = [name for name in COMMANDS if f"python -m lib {name}" not in README]
    assert not missing, f"commands missing from README: {missing}"


def test_every_benchmark_script_is_in_the_readme():
    missing = [p.name for p in (ROOT / "benchmarks").glob("bench_*.py") if f"benchmarks/{p.name}" not in README]
    assert not missing, missing


def test_every_source_is_credited_in_the_readme_with_its_licence():
    import csv

    with open(ROOT / "data" / "seed" / "sources.csv", newline="") as fh:
        sources = [r for r in csv.DictReader(fh) if r["source_id"] != "curation"]
    assert len(sources) >= 9
    for s in sources:
        line = next((ln for ln in README.splitlines() if s["name"] in ln), None)
        assert line, f"{s['name']} is not credited in the README"
        assert s["licence"] in line, f"licence of {s['name']} missing from the README"


def test_the_readme_headline_figures_are_what_the_data_gives(tmp_path, monkeypatch):
    import pandas as pd

    from lib import generations, queries, store, views
    from lib.curate.article import ARTICLE_PAIRS

    monkeypatch.setenv("FRONTIER_DB", str(tmp_path / "docs.duckdb"))
    con = store.connect_readonly(store.ensure_db())
    try:
        rows = views.pair_set_rows("article", queries.lineage(con), ARTICLE_PAIRS)
        _, summary = generations.generations_from_db(con, "aa_quality_2024",
                                                     pd.DataFrame(rows, columns=generations.PAIR_COLUMNS))
    finally:
        con.close()
    era = summary.set_index("era")
    pre, dist = era.loc["pre-distillation"], era.loc["distillation"]
    text = " ".join(README.split())
    assert (f"{pre.mean_price_drop_pct:.0f} % cheaper for {pre.mean_quality_drop_pct:.0f} % less quality then"
            in text)
    assert (f"on average {dist.mean_price_drop_pct:.0f} % cheaper for {dist.mean_quality_drop_pct:.0f} % less "
            "quality for the three 2024 distillations" in text)
