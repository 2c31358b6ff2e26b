"""Dashboard speed: server-side rerun time of each page (AppTest, warm caches, embedded data; target ≤ 150 ms)
and first-chart time in headless Chromium for the Frontier page vs a bare Streamlit page drawing one scatter of the
same points (target within 1.3×), loads alternated (app, bare, app, bare …), medians and ranges.

    python benchmarks/bench_pages.py [--runs 5] [--skip-reruns] [--skip-browser] [--db PATH | --synthetic DIR]

`--synthetic DIR` measures the first chart on a synthetic store (3,500 models, 500 vendors, 100,000 price intervals:
about 3,000 points at its newest date), built once into DIR.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
PAGES = ["1_frontier.py", "2_generations.py", "3_trends.py", "4_models.py", "5_calculator.py", "6_data.py"]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def rerun_times(runs: int) -> dict[str, float]:
    from streamlit.testing.v1 import AppTest

    out = {}
    for page in PAGES:
        at = AppTest.from_file(str(PROJECT / "pages" / page), default_timeout=120)
        at.run()  # cold: fills the caches
        ts = []
        for _ in range(runs):
            t = time.perf_counter()
            at.run()
            ts.append(time.perf_counter() - t)
        out[page] = statistics.median(ts) * 1000
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(script: Path, env: dict) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1"],
                            cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"streamlit did not start for {script}")


def _points(db: Path):
    """The points the Frontier page draws by default (lib.charts.frontier at its defaults: the default metric at the
    newest data date), and the number of vendors among them."""
    from lib import charts, snapshot, store

    con = store.connect_readonly(db)
    try:
        chart = charts.frontier(con, as_of=charts.newest_data_date(con), metric_id=snapshot.default_metric(con))
    finally:
        con.close()
    return chart.points


def first_chart_times(runs: int, db: Path) -> dict:
    """First chart in headless Chromium, the Frontier page against a bare `st.plotly_chart` scatter of the same
    points, loads alternated (app, bare, app, bare …; one unmeasured warm-up load of each first)."""
    from playwright.sync_api import sync_playwright

    points = _points(db)
    tmp = Path(tempfile.mkdtemp())
    points[["price", "quality", "vendor"]].to_parquet(tmp / "points.parquet")
    bare = tmp / "bare.py"
    bare.write_text(textwrap.dedent(f"""
        import pandas as pd, plotly.graph_objects as go, streamlit as st
        df = pd.read_parquet({str(tmp / 'points.parquet')!r})
        fig = go.Figure(go.Scatter(x=df["price"], y=df["quality"], mode="markers"))
        fig.update_xaxes(type="log")
        st.plotly_chart(fig)
    """))
    env = {**os.environ, "FRONTIER_DB": str(db)}
    app, app_url = _serve(PROJECT / "app.py", env)
    base, base_url = _serve(bare, env)
    times: dict[str, list[float]] = {"app": [], "bare": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)

            def measure(url: str) -> float:
                ctx = browser.new_context(viewport={"width": 1400, "height": 1200})
                page = ctx.new_page()
                t = time.perf_counter()
                page.goto(url)
                page.wait_for_selector(".js-plotly-plot .scatterlayer .trace", timeout=120_000)
                took = time.perf_counter() - t
                ctx.close()
                return took * 1000

            for i in range(runs + 1):  # A, B, A, B …: the machine's load falls on both alike
                for case, url in (("app", app_url + "/frontier"), ("bare", base_url)):
                    ms = measure(url)
                    if i:  # the first round warms both servers' caches
                        times[case].append(ms)
            browser.close()
    finally:
        for proc in (app, base):
            proc.terminate()
            proc.wait(timeout=10)
    return {"points": len(points), "vendors": int(points["vendor"].nunique()), **times}


def _median_range(ms: list[float]) -> str:
    return f"{statistics.median(ms):7.0f} ms [{min(ms):.0f}–{max(ms):.0f}]"


def synthetic_store(folder: Path) -> Path:
    """A synthetic store (benchmarks/synthetic.py: the project's schema and write path, never real data) whose
    default Frontier view has about 3,000 points from 500 vendors: 3,500 models, 100,000 price intervals."""
    sys.path.insert(0, str(PROJECT / "benchmarks"))
    import synthetic

    path = folder / "synthetic-3k.duckdb"
    if not path.exists():
        synthetic.build_store(path, 100_000, models=3_500, vendors=500)
    return path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-browser", action="store_true")
    ap.add_argument("--skip-reruns", action="store_true")
    ap.add_argument("--db", type=Path, default=None, help="a store to measure (default: the project's database)")
    ap.add_argument("--synthetic", type=Path, default=None, metavar="DIR",
                    help="measure the first chart on a synthetic store of ~3,000 points from 500 vendors, kept in DIR")
    args = ap.parse_args()
    if not args.skip_reruns:
        print("Server-side rerun (AppTest, warm caches, median of", args.runs, "runs; target <= 150 ms)")
        for page, ms in rerun_times(args.runs).items():
            print(f"  {page:18s} {ms:7.1f} ms  {'ok' if ms <= 150 else 'OVER'}")
    if not args.skip_browser and Path("/usr/bin/chromium").exists():
        from lib import store

        db = synthetic_store(args.synthetic) if args.synthetic else (args.db or store.ensure_db())
        r = first_chart_times(args.runs, db)
        ratio = statistics.median(r["app"]) / statistics.median(r["bare"])
        ratios = [a / b for a, b in zip(r["app"], r["bare"])]
        print(f"First chart in headless Chromium ({r['points']:,} points from {r['vendors']} vendors; loads alternated, "
              f"median [range] of {args.runs}; load {os.getloadavg()[0]:.1f}):")
        print(f"  Frontier page {_median_range(r['app'])}   bare st.plotly_chart page {_median_range(r['bare'])}")
        print(f"  ratio of medians {ratio:.2f}x, per pair [{min(ratios):.2f}–{max(ratios):.2f}] (target <= 1.3x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
