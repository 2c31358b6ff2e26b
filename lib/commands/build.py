"""`python -m lib build`: (re)build the database from data/seed and data/snapshots; prints counts per table."""
from __future__ import annotations


def add_arguments(parser) -> None:
    parser.add_argument("--db", help="database path (default: data/frontier.duckdb or $FRONTIER_DB)")


def run(args) -> int:
    import time

    from lib import paths, store

    t0 = time.perf_counter()
    path = args.db or paths.default_db_path()
    counts = store.build(path)
    width = max(len(k) for k in counts)
    for table, n in counts.items():
        print(f"{table:<{width}}  {n:>7}")
    print(f"built {path} in {time.perf_counter() - t0:.2f} s")
    return 0
