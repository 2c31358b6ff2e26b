"""Times the PowerPoint deck (`python -m lib export --deck DIR --format pptx`; the dashboard's "Download the whole
deck as PowerPoint" runs the same `pptx_deck` on its first click per data version): building the figures, then
writing the slides. Prints medians with ranges, and the CPU time (a shared machine's wall time is mostly waiting).

Run: `python benchmarks/bench_pptx.py [repeats]`. Uses the store at FRONTIER_DB (default data/frontier.duckdb).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(repeats: int = 3) -> int:
    from lib import pptx_export, queries, store
    from lib.commands import export as export_cmd

    con = store.connect_readonly(store.ensure_db())
    parser = argparse.ArgumentParser()
    export_cmd.add_arguments(parser)
    args = parser.parse_args(["--deck", "-", "--format", "pptx"])

    t = time.perf_counter()
    import scipy.stats  # noqa: F401 - the trend slide's fit imports it, once per process

    import_s = time.perf_counter() - t
    build, write, cpu = [], [], []
    for _ in range(repeats):
        c = time.process_time()
        t = time.perf_counter()
        figs = [spec["build"]().fig for spec in export_cmd.deck_specs(con, args)]
        build.append(time.perf_counter() - t)
        t = time.perf_counter()
        data = pptx_export.deck_bytes([pptx_export.ChartSlide(f) for f in figs], sources=queries.sources_summary(con),
                                      metrics=queries.metrics(con))
        write.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    con.close()

    def fmt(v):
        return f"median {statistics.median(v):.2f} s (range {min(v):.2f}–{max(v):.2f})"

    total = [b + w for b, w in zip(build, write)]
    print(f"deck: {len(figs)} chart slides, {len(data) / 1024:.0f} kB; {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}; {repeats} runs")
    print(f"first deck of a process also imports scipy.stats: {import_s:.2f} s")
    print(f"building the figures: {fmt(build)}")
    print(f"writing the slides:   {fmt(write)}")
    print(f"whole deck:           {fmt(total)}")
    print(f"whole deck, CPU time of this process (what an idle machine would wait): {fmt(cpu)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:2])))
