"""Times static export: warm PNG (browser already running), cold PNG (a new process: imports, Chromium start,
first render) and the whole `python -m lib export --deck`.

Issue 6 targets: warm PNG <= 0.3 s, cold <= 3 s, deck <= 20 s. Run: `python benchmarks/bench_export.py [repeats]`.
Uses the store at FRONTIER_DB (default data/frontier.duckdb, built from the seed when missing).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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


def frontier_figure():
    from lib import charts, store

    con = store.connect_readonly(store.ensure_db())
    try:
        fig, points = charts.frontier(con, as_of=charts.newest_data_date(con), metric_id="aa_quality_2024")
    finally:
        con.close()
    return fig, len(points)


def main(repeats: int = 10) -> int:
    from lib import export

    if not export.chromium_available():
        print("no Chromium found: static export cannot be timed")
        return 1
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    # Cold first, in a fresh process, before this process starts its own browser.
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", COLD.format(root=str(ROOT))], capture_output=True, text=True,
                         env=env, check=True)
    cold_total = time.perf_counter() - t0
    data_s, first_png_s, _ = out.stdout.split()

    fig, n = frontier_figure()
    prepared = export.prepare_for_export(fig, "16:9", "light")
    export.warm_up()
    export.to_bytes(prepared, "png")  # first render of this browser
    warm = []
    for _ in range(repeats):
        t = time.perf_counter()
        export.to_bytes(export.prepare_for_export(fig, "16:9", "light"), "png")
        warm.append(time.perf_counter() - t)

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        deck = subprocess.run([sys.executable, "-m", "lib", "export", "--deck", tmp], capture_output=True, text=True,
                              env=env, cwd=ROOT)
        deck_s = time.perf_counter() - t
        if deck.returncode:
            print(deck.stderr)
            return 1
        n_png = len(list(Path(tmp).glob("*.png")))

    print(f"frontier chart: {n} models, 1920x1080 PNG; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"warm PNG (prepare + render), {repeats} runs: median {statistics.median(warm):.3f} s, "
          f"max {max(warm):.3f} s   (target <= 0.3 s)")
    print(f"cold PNG, new process: {cold_total:.2f} s wall (imports + data + figure {float(data_s):.2f} s, "
          f"then waiting for Chromium + first render {float(first_png_s):.2f} s)   (target <= 3 s)")
    print(f"deck: {n_png} charts as PNG + CSV + index in {deck_s:.2f} s   (target <= 20 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:2])))
