"""Load: N real browser sessions (headless system Chromium) against one local `streamlit run` server, at once.

Each session opens the Frontier page (first load: until the chart is drawn and the run has finished) and then makes
five filter changes (the "Only reviewed models" toggle, on and off; each timed until the rerun has finished).
Prints per N: p50/p95 of first load and of a filter change, the server's CPU seconds per session (user + system
of the server process over the round, divided by N; target ≤ 0.5 s for one load and five filter changes) and the
server's RSS before and after. The server is `streamlit run app.py` as deployed (its .streamlit/config.toml, e.g. no
file watcher); each session is a new browser context (an empty cache: it fetches every front-end bundle, as a new
visitor does). Traffic goes only to 127.0.0.1; every loop is bounded.

    python benchmarks/bench_load.py [--sessions 1 5 10 20] [--rounds 1]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FILTER_CHANGES = 5
PLOTTED = "[data-testid='stMetric'] [data-testid='stMetricValue']"  # "Models on the chart", the first metric
TIMEOUT_MS = 600_000  # per wait: 20 sessions drawing at once on two cores can take minutes to a first chart


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(env: dict) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--browser.gatherUsageStats", "false"],  # the rest as .streamlit/config.toml has it
                            cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.25)
    proc.kill()
    raise SystemExit("the server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process (its threads included), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _idle(page) -> None:
    """The script run has finished: Streamlit's status widget ("Running…") is gone."""
    await page.wait_for_timeout(150)
    await page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                                 timeout=TIMEOUT_MS)


async def session(browser, url: str) -> dict:
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1200})
    page = await ctx.new_page()
    try:
        t = time.perf_counter()
        await page.goto(url + "/frontier", timeout=TIMEOUT_MS)
        await page.wait_for_selector(".js-plotly-plot .main-svg", timeout=TIMEOUT_MS)
        await _idle(page)
        first = time.perf_counter() - t
        toggle = page.get_by_text("Only reviewed models")
        changes = []
        for _ in range(FILTER_CHANGES):
            before = await page.inner_text(PLOTTED)
            t = time.perf_counter()
            await toggle.click()
            # the rerun has drawn the new view: the count of models on the chart changed
            await page.wait_for_function("([sel, old]) => { const e = document.querySelector(sel);"
                                         " return e && e.innerText !== old; }", arg=[PLOTTED, before],
                                         timeout=TIMEOUT_MS)
            await _idle(page)
            changes.append(time.perf_counter() - t)
        return {"first": first, "changes": changes}
    finally:
        await ctx.close()


async def one_round(url: str, n: int) -> list[dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return await asyncio.gather(*(session(browser, url) for _ in range(n)))
        finally:
            await browser.close()


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10, 20])
    ap.add_argument("--rounds", type=int, default=1, help="rounds per N (each a fresh set of sessions)")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}")
    from lib import store

    db = store.ensure_db()
    env = {**os.environ, "FRONTIER_DB": str(db)}
    proc, url = _serve(env)
    try:
        asyncio.run(one_round(url, 1))  # warm-up: imports, caches, the first script run
        print(f"server pid {proc.pid}, {url}; one load + {FILTER_CHANGES} filter changes per session")
        print(f"{'sessions':>8} {'first p50':>10} {'first p95':>10} {'change p50':>11} {'change p95':>11} "
              f"{'CPU s/session':>14} {'RSS before':>11} {'RSS after':>10}")
        for n in args.sessions:
            for _ in range(args.rounds):
                rss0, cpu0 = rss_mb(proc.pid), cpu_seconds(proc.pid)
                try:
                    results = asyncio.run(one_round(url, n))
                except Exception as exc:  # noqa: BLE001 - a round that times out is reported, the others still run
                    print(f"{n:>8} the round failed: {type(exc).__name__}: {str(exc).splitlines()[0][:100]}",
                          flush=True)
                    continue
                cpu = (cpu_seconds(proc.pid) - cpu0) / n
                rss1 = rss_mb(proc.pid)
                firsts = [r["first"] for r in results]
                changes = [c for r in results for c in r["changes"]]
                print(f"{n:>8} {pct(firsts, .5):>9.2f}s {pct(firsts, .95):>9.2f}s {pct(changes, .5):>10.2f}s "
                      f"{pct(changes, .95):>10.2f}s {cpu:>13.2f}s {rss0:>9.0f}MB {rss1:>8.0f}MB", flush=True)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
