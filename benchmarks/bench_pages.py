"""Dashboard speed: server-side rerun time of each page (AppTest, warm caches, embedded data; target ≤ 150 ms)
and first-chart time in headless Chromium for the Frontier page vs a bare Streamlit page drawing one scatter of the
same points (target within 1.3×), measured in the same run.

    python benchmarks/bench_pages.py [--runs 5]
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


def first_chart_times(runs: int) -> tuple[float, float, int]:
    import datetime as dt

    from playwright.sync_api import sync_playwright

    from lib import queries, snapshot, store, views

    db = store.ensure_db()
    con = store.connect_readonly(db)
    hi = min(queries.date_span(con)[1], dt.date.today())
    # the Frontier page's default view: the best-covered metric at the newest date
    points = views.plottable(snapshot.market_as_of(con, hi, snapshot.best_covered_metric(con, hi)))
    con.close()
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
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)

            def measure(url):
                ts = []
                for i in range(runs + 1):
                    ctx = browser.new_context(viewport={"width": 1400, "height": 1200})
                    page = ctx.new_page()
                    t = time.perf_counter()
                    page.goto(url)
                    page.wait_for_selector(".js-plotly-plot .scatterlayer .trace", timeout=60_000)
                    if i:  # the first load warms the server's caches
                        ts.append(time.perf_counter() - t)
                    ctx.close()
                return statistics.median(ts) * 1000

            t_app = measure(app_url + "/frontier")
            t_bare = measure(base_url)
            browser.close()
    finally:
        for proc in (app, base):
            proc.terminate()
            proc.wait(timeout=10)
    return t_app, t_bare, len(points)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-browser", action="store_true")
    args = ap.parse_args()
    print("Server-side rerun (AppTest, warm caches, median of", args.runs, "runs; target <= 150 ms)")
    for page, ms in rerun_times(args.runs).items():
        print(f"  {page:18s} {ms:7.1f} ms  {'ok' if ms <= 150 else 'OVER'}")
    if not args.skip_browser and Path("/usr/bin/chromium").exists():
        t_app, t_bare, n = first_chart_times(args.runs)
        print(f"First chart in headless Chromium ({n} points, median of {args.runs} loads):")
        print(f"  Frontier page {t_app:7.0f} ms   bare st.plotly_chart page {t_bare:7.0f} ms   "
              f"ratio {t_app / t_bare:.2f}x (target <= 1.3x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
