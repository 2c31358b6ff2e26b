"""Performance at scale: synthetic stores of 10k → 10M price intervals (5,000 models, 500 vendors, ten years,
6 sources), built through the project's own write path (benchmarks/synthetic.py → lib.store.write_new), then per
scale one JSON line on stdout:

- `asof_ms` / `pandas_ms`: the market on one date (`queries.snapshot_as_of`, the whole page query: models alive,
  price, score) against `pandas.merge_asof` over the same stored intervals already in memory (price only),
  alternated A, B, A, B; median and [min, max]; `same_as_pandas`: the winning price of every model equals pandas'
  on every checked date;
- `replay_120_ms`: the replay's frames at 120 month ends (`snapshot.replay_markets_as_of`: the rows with a price
  and a score, the columns a frame draws, the price basis and each date's Pareto flag), alternated with
  `replay_full_120_ms`, every snapshot row and column (`queries.snapshots_as_of`, one statement);
  `replay_same_as_snapshots`: the former equals the latter's drawable rows;
- `*_cpu_ms`: the same cases' median process CPU time (every thread's, DuckDB's included);
- `rerun_ms` per page (Frontier, Models, Generations, AppTest in a separate process): the rerun after a control
  change to a value the session has not drawn yet (a cache miss: Frontier a new month, Models a new model, typed
  into its search box first, untimed, Generations a new metric or pair set), pages taken in turn; `rerun_same_ms`:
  a rerun with nothing changed, after each change; `rerun_cpu_ms` / `rerun_same_cpu_ms` their process CPU (each
  page's bytecode compiled once, as the server's script cache does; AppTest alone compiles it on every run);
  `first_ms`: the first load; `rss_mb`: that process's resident memory after each page's first load;
- `figure_ms`, `spec_bytes`, `traces`: the Frontier figure of the market on that date.

    python benchmarks/bench_scale.py [--scales 10000,100000,1000000,10000000] [--out DIR] [--skip-pages]
        [--skip-queries] [--runs 5]

`--out DIR` keeps each store as DIR/scale-<N>.duckdb (point FRONTIER_DB at it; an existing one is reused).
Machine load (1-minute load average) is printed with every line: the figures are only comparable at equal load.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from benchmarks import synthetic  # noqa: E402

DEFAULT_SCALES = [10_000, 100_000, 1_000_000, 10_000_000]
AS_OF = dt.date(2025, 6, 30)
CHECK_DATES = [dt.date(2017, 3, 31), dt.date(2020, 9, 30), AS_OF, dt.date(2025, 12, 31)]
METRIC = "synth_index"
PAGES = {"frontier": "pages/1_frontier.py", "models": "pages/4_models.py", "generations": "pages/2_generations.py"}


def _stats(ms: list[float]) -> tuple[float, list[float]]:
    return round(statistics.median(ms), 1), [round(min(ms), 1), round(max(ms), 1)]


def _timed(fn) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t) * 1000, out


def _timed_cpu(fn, cpu: list) -> tuple[float, object]:
    """As `_timed`, appending the process's CPU time (every thread's, DuckDB's included) to `cpu`: on a shared
    machine wall time mostly measures the queue for a core."""
    c = time.process_time()
    ms, out = _timed(fn)
    cpu.append((time.process_time() - c) * 1000)
    return ms, out


def _month_ends(n: int) -> list[dt.date]:
    from lib import views

    return views.month_ends(dt.date(2016, 1, 1), dt.date(2025, 12, 31))[-n:]


def measure_queries(db: Path, runs: int) -> dict:

    from lib import figures, queries, snapshot, store, views

    con = store.connect_readonly(db)
    try:
        intervals = con.execute(
            "SELECT model_id, source_id, provider, first_party, date_kind, effective_from, effective_to_resolved,"
            " input_usd_per_mtok, output_usd_per_mtok, source_priority FROM price_intervals"
            " WHERE tier = 'standard' ORDER BY effective_from").df()
        same = True
        for d in CHECK_DATES:
            sql = queries.snapshot_as_of(con, d, METRIC).dropna(subset=["price_source_id"])
            ref = synthetic.pandas_merge_asof(intervals, d)
            ref = ref.loc[ref["model_id"].isin(set(queries.snapshot_as_of(con, d, METRIC)["model_id"]))]
            sql = sql.sort_values("model_id").reset_index(drop=True)
            ref = ref.sort_values("model_id").reset_index(drop=True)
            same &= (list(sql["model_id"]) == list(ref["model_id"])
                     and list(sql["price_source_id"]) == list(ref["source_id"])
                     and bool((sql["input_usd_per_mtok"].fillna(-1).to_numpy()
                               == ref["input_usd_per_mtok"].fillna(-1).to_numpy()).all()))
        asof, pandas_ms, asof_cpu, pandas_cpu = [], [], [], []
        for _ in range(runs):  # A, B, A, B
            queries._PRICE_NOW_KEPT.clear()  # each run reads the store (a page keeps a date's headline spans)
            asof.append(_timed_cpu(lambda: queries.snapshot_as_of(con, AS_OF, METRIC), asof_cpu)[0])
            pandas_ms.append(_timed_cpu(lambda: synthetic.pandas_merge_asof(intervals, AS_OF), pandas_cpu)[0])  # noqa: F821 - bound above, deleted below
        del intervals
        dates = _month_ends(120)
        replay, replay_full, replay_cpu, replay_full_cpu = [], [], [], []
        for _ in range(max(2, runs // 2)):  # A, B, A, B: the rows a replay draws; every snapshot row
            ms, lean = _timed_cpu(lambda: snapshot.replay_markets_as_of(con, dates, METRIC), replay_cpu)
            replay.append(ms)
            ms, full = _timed_cpu(lambda: queries.snapshots_as_of(con, dates, METRIC), replay_full_cpu)
            replay_full.append(ms)
        drawable = full["price_source_id"].notna() & full["quality_source_id"].notna()
        want = full.loc[drawable, queries.REPLAY_COLUMNS].reset_index(drop=True)
        replay_same = bool(want.astype(object).where(want.notna(), None).equals(
            lean[queries.REPLAY_COLUMNS].astype(object).where(lean[queries.REPLAY_COLUMNS].notna(), None)))
        del full, want
        market = snapshot.market_as_of(con, AS_OF, METRIC)
        points = views.plottable(market)
        fig_ms, fig = [], None
        for _ in range(max(2, runs // 2)):
            ms, fig = _timed(lambda: figures.frontier_figure(points, metric_label="Synthetic index",
                                                             title=f"as of {AS_OF}"))
            fig_ms.append(ms)
        spec = fig.to_json()
    finally:
        con.close()
    a, a_rng = _stats(asof)
    p, p_rng = _stats(pandas_ms)
    r, r_rng = _stats(replay)
    rf, rf_rng = _stats(replay_full)
    f, f_rng = _stats(fig_ms)
    cpu = {f"{name}_cpu_ms": _stats(ms)[0] for name, ms in
           (("asof", asof_cpu), ("pandas", pandas_cpu), ("replay_120", replay_cpu), ("replay_full_120", replay_full_cpu))}
    return {"asof_ms": a, "asof_ms_range": a_rng, "pandas_ms": p, "pandas_ms_range": p_rng, **cpu,
            "asof_vs_pandas": round(p / a, 2) if a else None, "same_as_pandas": bool(same),
            "checked_dates": [d.isoformat() for d in CHECK_DATES],
            "replay_120_ms": r, "replay_120_ms_range": r_rng, "replay_rows": int(len(lean)),
            "replay_full_120_ms": rf, "replay_full_120_ms_range": rf_rng, "replay_same_as_snapshots": replay_same,
            "figure_ms": f, "figure_ms_range": f_rng, "spec_bytes": len(spec), "traces": len(fig.data),
            "points": int(len(points))}


# --- pages, in a separate process so that its memory is the server's alone --------------------------------------

def _rss_mb() -> tuple[float, float]:
    status = Path("/proc/self/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    hwm = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return round(rss / 1024, 1), round(hwm / 1024, 1)


def _change_steps(runs: int, model_ids: list[str]) -> dict:
    """Per page, `runs` control changes a user makes, each to a state the session has not drawn yet (so every one is
    a cache miss that queries and builds the chart): (widget kind, key, value) per step.

    Frontier: a new month; Models: a new model (typed into the picker's search box first, untimed); Generations: the
    metric and the pair set in turn, snaking through their combinations so that one control changes per step."""
    from lib import views

    months = [d.isoformat() for d in _month_ends(120)]
    order = [110, 80, 50, 20, 100, 60, 30, 90, 70, 40, 105, 75, 45, 15, 95, 65, 35, 85, 55, 25]
    metrics = [METRIC, "synth_bench", "synth_arena"]
    gen, seen, state = [], {(list(views.PAIR_SETS)[0], METRIC)}, None
    for i, pair_set in enumerate(views.PAIR_SETS):
        row = metrics if i % 2 == 0 else metrics[::-1]
        for metric in row:
            if (pair_set, metric) in seen:
                state = (pair_set, metric)
                continue
            if state is not None and state[0] != pair_set:
                gen.append(("segmented_control", "generations.pairset", pair_set))
                seen.add((pair_set, state[1]))
                if state[1] == metric:
                    state = (pair_set, metric)
                    continue
            gen.append(("selectbox", "generations.metric", metric))
            seen.add((pair_set, metric))
            state = (pair_set, metric)
    return {
        "frontier": [("select_slider", "frontier.as_of", months[i]) for i in order][:runs],
        "models": [("selectbox", "models.model", m) for m in model_ids][:runs],
        "generations": gen[:runs],
    }


def pages_child(runs: int) -> dict:
    """Run in the child: AppTest on each page against FRONTIER_DB; prints one JSON object.

    The pages are measured in turn (Frontier, Models, Generations, Frontier, …), each round a control change to a
    value not seen before (`rerun_ms`: what a user waits for after moving a control) followed by a rerun with
    nothing changed (`rerun_same_ms`); wall and process CPU, medians and [min, max]."""
    from streamlit.testing.v1 import AppTest, local_script_runner

    from lib import store

    # A page's bytecode compiled once per process, as the server's script cache keeps it: AppTest compiles the page
    # again on every run (~10 ms of each rerun at 1M intervals that a user never waits for).
    compiled = local_script_runner.ScriptCache()
    local_script_runner.ScriptCache = lambda: compiled

    con = store.connect_readonly(Path(os.environ["FRONTIER_DB"]))
    model_ids = [r[0] for r in con.execute(
        "SELECT model_id FROM models ORDER BY hash(model_id) LIMIT ?", [runs + 1]).fetchall()]
    con.close()
    steps = _change_steps(runs, model_ids)
    out: dict = {"first_ms": {}, "rss_mb": {}, "errors": {}}
    apps = {}
    for name, page in PAGES.items():  # first loads in turn; resident memory after each page
        at = apps[name] = AppTest.from_file(str(PROJECT / page), default_timeout=600)
        out["first_ms"][name] = round(_timed(at.run)[0], 1)
        if at.exception:
            out["errors"][name] = str(at.exception[0].message)[:300]
        out["rss_mb"][name] = _rss_mb()[0]
    timings: dict = {k: {name: [] for name in PAGES} for k in ("change", "change_cpu", "same", "same_cpu")}
    for r in range(runs):
        for name, at in apps.items():  # A, B, C, A, B, C …
            if r >= len(steps[name]):
                continue
            kind, key, value = steps[name][r]
            if name == "models":  # as a user does: the picker lists a bounded number of models; search, then pick
                at.text_input(key=f"{key}_search").set_value(value)
                at.run()
            getattr(at, kind)(key=key).set_value(value)
            ms, _ = _timed_cpu(at.run, timings["change_cpu"][name])
            timings["change"][name].append(ms)
            if at.exception and name not in out["errors"]:
                out["errors"][name] = str(at.exception[0].message)[:300]
            ms, _ = _timed_cpu(at.run, timings["same_cpu"][name])
            timings["same"][name].append(ms)
    for label, key in (("rerun", "change"), ("rerun_same", "same")):
        out[f"{label}_ms"], out[f"{label}_ms_range"], out[f"{label}_cpu_ms"] = {}, {}, {}
        for name in PAGES:
            if timings[key][name]:
                out[f"{label}_ms"][name], out[f"{label}_ms_range"][name] = _stats(timings[key][name])
                out[f"{label}_cpu_ms"][name] = _stats(timings[f"{key}_cpu"][name])[0]
    out["rerun_values"] = {name: len(timings["change"][name]) for name in PAGES}
    out["rss_peak_mb"] = _rss_mb()[1]
    return out


def measure_pages(db: Path, runs: int) -> dict:
    env = {**os.environ, "FRONTIER_DB": str(db)}
    proc = subprocess.run([sys.executable, __file__, "--pages-child", "--runs", str(runs)], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=6 * 3600)
    if proc.returncode != 0:
        return {"pages_error": (proc.stderr.strip().splitlines() or ["failed"])[-1][:300]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", default=",".join(str(s) for s in DEFAULT_SCALES))
    ap.add_argument("--out", type=Path, default=None, help="keep each store as DIR/scale-<N>.duckdb")
    ap.add_argument("--skip-pages", action="store_true")
    ap.add_argument("--skip-queries", action="store_true", help="only the pages (on a store kept with --out)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pages-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.pages_child:
        print(json.dumps(pages_child(args.runs)))
        return 0
    scales = [int(s.replace("_", "")) for s in args.scales.split(",") if s.strip()]
    tmp = None
    if args.out is None:
        tmp = tempfile.TemporaryDirectory()
        out_dir = Path(tmp.name)
    else:
        out_dir = args.out
        out_dir.mkdir(parents=True, exist_ok=True)
    try:
        for n in scales:
            db = out_dir / f"scale-{n}.duckdb"
            row: dict = {"scale": n, "load_before": round(os.getloadavg()[0], 2), "cores": os.cpu_count()}
            from lib import store

            if db.exists() and store.stored_version(db) == store.EXTERNAL_VERSION_PREFIX + synthetic.version(n):
                row["build_s"] = None  # reused
            else:
                row["build_s"] = round(_timed(lambda: synthetic.build_store(db, n))[0] / 1000, 1)
            row["db_mb"] = round(db.stat().st_size / 2**20, 1)
            if not args.skip_queries:
                row.update(measure_queries(db, args.runs))
            if not args.skip_pages:
                row.update(measure_pages(db, args.runs))
            row["load_after"] = round(os.getloadavg()[0], 2)
            print(json.dumps(row), flush=True)
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
