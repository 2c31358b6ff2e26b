"""Times static export: warm PNG (browser already running), cold PNG (a new process: imports, Chromium start,
first render) and the whole `python -m lib export --deck`.

Issue 6/14 targets: warm PNG <= 0.3 s, cold <= 3 s, deck <= 20 s (issue 14: <= 15 s). On a shared machine wall
time mostly measures the queue for a core, so every case also prints its CPU seconds: this process's and its
Chromium's (every process kaleido started), which an idle machine would turn into wall time.

    python benchmarks/bench_export.py [repeats] [--against TREE] [--rounds N]

`--against TREE`: another checkout of the project, timed alternately with this one (A, B, A, B; each round a fresh
process per tree: warm PNG `repeats` times back to back, then the deck), medians with [min, max].
Uses the store at FRONTIER_DB (default data/frontier.duckdb, built from the seed when missing).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COLD = """
import time, sys
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from lib import charts, export, store
export.warm_up_in_background()  # as `python -m lib export` does: Chromium starts while the data loads
con = store.connect_readonly(store.ensure_db())
fig, _ = charts.frontier(con, as_of=charts.newest_data_date(con), metric_id="aa_quality_2024")
t1 = time.perf_counter()
png = export.to_bytes(export.prepare_for_export(fig), "png")
t2 = time.perf_counter()
print(f"{{t1 - t0:.3f}} {{t2 - t1:.3f}} {{len(png)}}")
"""

# Warm PNG in a fresh process of one tree: one JSON line with per-export wall and CPU (Python, Chromium).
WARM = """
import glob, json, os, sys, time
sys.path.insert(0, {root!r})
from lib import charts, export, store

def chromium_cpu():
    procs = {{}}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = open(stat).read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        procs[int(stat.split("/")[2])] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    mine, grown = {{os.getpid()}}, True
    while grown:
        grown = False
        for pid, (ppid, _) in procs.items():
            if ppid in mine and pid not in mine:
                mine.add(pid)
                grown = True
    return sum(procs[p][1] for p in mine if p != os.getpid()) / os.sysconf("SC_CLK_TCK")

con = store.connect_readonly(store.ensure_db())
fig, points = charts.frontier(con, as_of=charts.newest_data_date(con), metric_id="aa_quality_2024")
con.close()
export.warm_up()
export.to_bytes(export.prepare_for_export(fig, "16:9", "light"), "png")  # first render of this browser
out = {{"wall": [], "py_cpu": [], "chromium_cpu": [], "points": len(points)}}
for _ in range({repeats}):
    c, p, t = chromium_cpu(), time.process_time(), time.perf_counter()
    export.to_bytes(export.prepare_for_export(fig, "16:9", "light"), "png")
    out["wall"].append(time.perf_counter() - t)
    out["py_cpu"].append(time.process_time() - p)
    out["chromium_cpu"].append(chromium_cpu() - c)
print(json.dumps(out))
"""


def _med(xs: list[float]) -> str:
    return f"{statistics.median(xs):.3f} [{min(xs):.3f}, {max(xs):.3f}]"


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def warm(root: Path, repeats: int, env: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", WARM.format(root=str(root), repeats=repeats)], capture_output=True,
                         text=True, env={**env, "PYTHONPATH": str(root)}, cwd=root, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def deck(root: Path, env: dict) -> tuple[float, float, int]:
    """Wall and CPU seconds (the CLI process and its Chromium) of `python -m lib export --deck`, and its PNG count."""
    with tempfile.TemporaryDirectory() as tmp:
        c, t = _children_cpu(), time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "lib", "export", "--deck", tmp], capture_output=True, text=True,
                              env={**env, "PYTHONPATH": str(root)}, cwd=root)
        wall, cpu = time.perf_counter() - t, _children_cpu() - c
        if proc.returncode:
            raise SystemExit(proc.stderr)
        return wall, cpu, len(list(Path(tmp).glob("*.png")))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("repeats", nargs="?", type=int, default=10)
    ap.add_argument("--against", type=Path, help="another checkout of the project, timed alternately with this one")
    ap.add_argument("--rounds", type=int, default=3, help="with --against: rounds of A, B (default 3)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from lib import export

    if not export.chromium_available():
        print("no Chromium found: static export cannot be timed")
        return 1
    env = dict(os.environ)
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f} at the start")
    if args.against is None:
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", COLD.format(root=str(ROOT))], capture_output=True, text=True,
                             env={**env, "PYTHONPATH": str(ROOT)}, check=True)
        cold_total = time.perf_counter() - t0
        data_s, first_png_s, _ = out.stdout.split()[-3:]
        print(f"cold PNG, new process: {cold_total:.2f} s wall (imports + data + figure {float(data_s):.2f} s, "
              f"then waiting for Chromium + first render {float(first_png_s):.2f} s)   (target <= 3 s)")
    trees = {"this": ROOT} if args.against is None else {"against": args.against.resolve(), "this": ROOT}
    rounds = 1 if args.against is None else args.rounds
    res: dict = {name: {"wall": [], "py_cpu": [], "chromium_cpu": [], "deck": [], "deck_cpu": []} for name in trees}
    n_png = points = 0
    for _ in range(rounds):
        for name, root in trees.items():
            w = warm(root, args.repeats, env)
            points = w.pop("points")
            for k, v in w.items():
                res[name][k] += v
            wall, cpu, n_png = deck(root, env)
            res[name]["deck"].append(wall)
            res[name]["deck_cpu"].append(cpu)
    for name, r in res.items():
        total = [p + c for p, c in zip(r["py_cpu"], r["chromium_cpu"])]
        print(f"[{name}: {trees[name]}] frontier chart, {points} models, 1920x1080 PNG")
        print(f"  warm PNG (prepare + render), {len(r['wall'])} exports: wall {_med(r['wall'])} s; CPU {_med(total)} s "
              f"(Python {statistics.median(r['py_cpu']):.3f}, Chromium {statistics.median(r['chromium_cpu']):.3f})"
              f"   (target <= 0.3 s)")
        print(f"  deck: {n_png} charts as PNG + CSV + index, {len(r['deck'])} runs: wall {_med(r['deck'])} s; "
              f"CPU (CLI + Chromium) {_med(r['deck_cpu'])} s   (target <= 15 s)")
    print(f"load {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
