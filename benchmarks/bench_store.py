"""Speed of the store on the committed seed: `python -m lib build` and `python -m lib snapshot` wall time,
interpreter start-up included (targets: build ≤ 3 s, snapshot ≤ 1.5 s). Prints figures; asserts nothing.

    python benchmarks/bench_store.py [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wall(args, env) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lib", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    runs = ap.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "FRONTIER_DB": str(Path(tmp) / "bench.duckdb")}
        builds = [wall(["build"], env) for _ in range(runs)]
        cases = {
            "snapshot --as-of 2024-10-01 (table)": ["snapshot", "--as-of", "2024-10-01"],
            "snapshot --as-of 2026-08-01 --metric lmarena_text --format json":
                ["snapshot", "--as-of", "2026-08-01", "--metric", "lmarena_text", "--format", "json"],
        }
        print(f"{'command':<70} {'median s':>9} {'max s':>7}  target")
        print(f"{'python -m lib build':<70} {statistics.median(builds):>9.2f} {max(builds):>7.2f}  <= 3.0")
        for label, args in cases.items():
            times = [wall(args, env) for _ in range(runs)]
            print(f"{'python -m lib ' + label:<70} {statistics.median(times):>9.2f} {max(times):>7.2f}  <= 1.5")


if __name__ == "__main__":
    main()
