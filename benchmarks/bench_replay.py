"""The Frontier figure on the seed database: the chart of one date, the month-by-month replay (every month end of
the data), and the replay chart's round trip through pickle (what a Streamlit cache hit costs on a rerun).

Run: `python benchmarks/bench_replay.py [--db PATH] [--metric ID] [--rounds N] [--against TREE] [--page]`
(`--page`: also a rerun of the Frontier page with the replay on and nothing changed, in AppTest). With `--against`
(another checkout of the project, e.g. main before a change) the two trees are timed alternately, A, B, A, B …,
each run in a fresh process on the same database; medians with ranges are printed per tree.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_RUN = """
import datetime as dt, json, pickle, sys, time
from lib import charts, queries, store, views
con = store.connect_readonly(sys.argv[1])
metric, as_of = sys.argv[2], dt.date.fromisoformat(sys.argv[3])
lo, hi = queries.date_span(con)
months = tuple(views.month_ends(lo, hi))
charts.frontier(con, as_of=as_of, metric_id=metric)  # warm: imports, first queries
t0 = time.perf_counter()
charts.frontier(con, as_of=as_of, metric_id=metric)
t1 = time.perf_counter()
c = charts.frontier(con, as_of=as_of, metric_id=metric, replay_dates=months)
t2 = time.perf_counter()
pickle.loads(pickle.dumps(c))
t3 = time.perf_counter()
print(json.dumps({"still_ms": (t1 - t0) * 1e3, "replay_ms": (t2 - t1) * 1e3, "cache_hit_ms": (t3 - t2) * 1e3,
                  "frames": len(c.fig.frames), "months": len(months)}))
"""


_PAGE = """
import json, sys, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("pages/1_frontier.py", default_timeout=120).run()
at.toggle(key="frontier.replay").set_value(True).run()  # builds the replay chart once
t0 = time.perf_counter()
at.run()  # a rerun with nothing changed: the chart comes from the cache
took = (time.perf_counter() - t0) * 1e3
print(json.dumps({"page_rerun_ms": took, "frames": len(json.loads(at.get("plotly_chart")[0].proto.spec)["frames"])}))
"""


def run(tree: Path, db: str, metric: str, as_of: str, page: bool = False) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "FRONTIER_DB": db}
    out = subprocess.run([sys.executable, "-c", _RUN, db, metric, as_of], cwd=tree, env=env, check=True,
                         capture_output=True, text=True).stdout
    res = json.loads(out.strip().splitlines()[-1])
    if page:
        out = subprocess.run([sys.executable, "-c", _PAGE], cwd=tree, env=env, check=True, capture_output=True,
                             text=True).stdout
        res["page_rerun_ms"] = json.loads(out.strip().splitlines()[-1])["page_rerun_ms"]
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=str(ROOT / "data" / "frontier.duckdb"))
    ap.add_argument("--metric", default="lmarena_text")
    ap.add_argument("--as-of", default="2026-09-01")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--against", type=Path, help="another checkout of the project, timed alternately with this one")
    ap.add_argument("--page", action="store_true", help="also time a rerun of the Frontier page (AppTest) with the "
                    "replay on and nothing changed (the chart from Streamlit's cache)")
    a = ap.parse_args(argv)
    if not Path(a.db).exists():
        print(f"no database at {a.db}: build it with `python -m lib build`", file=sys.stderr)
        return 2
    trees = {"this": ROOT} if a.against is None else {"against": a.against.resolve(), "this": ROOT}
    results: dict[str, list[dict]] = {k: [] for k in trees}
    for _ in range(a.rounds):
        for name, tree in trees.items():  # A, B, A, B …
            results[name].append(run(tree, a.db, a.metric, a.as_of, a.page))
    try:
        print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    except OSError:
        pass
    for name, rs in results.items():
        line = {"tree": str(trees[name]), "runs": len(rs), "frames": rs[-1]["frames"], "months": rs[-1]["months"]}
        for key in ("still_ms", "replay_ms", "cache_hit_ms", "page_rerun_ms"):
            xs = [r[key] for r in rs if key in r]
            if not xs:
                continue
            line[key] = {"median": round(statistics.median(xs), 1), "min": round(min(xs), 1), "max": round(max(xs), 1)}
        print(json.dumps(line))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
