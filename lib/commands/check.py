"""`python -m lib check [--seed DIR] [--out FILE]`: validate the seed and print the data-quality report.

Exit 1 (with the problems listed) when validation fails; heavy imports stay inside `run`.
"""
from __future__ import annotations


def add_arguments(parser) -> None:
    parser.add_argument("--seed", default=None, help="seed folder (default data/seed)")
    parser.add_argument("--out", default=None, help="also write the markdown report to this file")


def run(args) -> int:
    from pathlib import Path

    from lib import paths
    from lib.errors import UsageError

    seed = Path(args.seed) if args.seed else paths.seed_dir()
    if not (seed / "prices.csv").exists():
        raise UsageError(f"no seed found in {seed} (run `python -m lib curate`)")
    from lib.curate.report import quality_report

    text = quality_report(seed)
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0
