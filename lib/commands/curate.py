"""`python -m lib curate [--raw PATH] [--out DIR]`: rebuild data/seed/*.csv from the raw public data.

Heavy imports happen inside `run` so that `python -m lib --help` stays fast.
"""
from __future__ import annotations


def add_arguments(parser) -> None:
    parser.add_argument("--raw", default=None, help="raw data folder (default ../shared/data/raw)")
    parser.add_argument("--out", default=None, help="output folder (default data/seed)")
    parser.add_argument("--no-validate", action="store_true", help="skip pandera validation of the result")


def run(args) -> int:
    from pathlib import Path

    from lib import paths
    from lib.errors import UsageError

    raw = Path(args.raw) if args.raw else paths.default_raw_dir()
    if not raw.is_dir():
        raise UsageError(f"raw data folder not found: {raw}")
    out = Path(args.out) if args.out else paths.seed_dir()
    from lib.curate.build import curate

    counts = curate(raw, out)
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))
    if not args.no_validate:
        from lib.curate.validate import validate_seed

        validate_seed(out)
        print(f"validated {out}")
    return 0
