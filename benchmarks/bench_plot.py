"""The Frontier chart drawn in headless Chromium, without the page around it: `Plotly.newPlot` of the page's spec
with its vendor traces as WebGL (`scattergl`) and as SVG (`scatter`), and a bare scatter of the same points, timed
in the page (newPlot until two frames are painted), cases alternated (A, B, C, A, B, C …; the first round
unmeasured), medians with [min, max]. Chromium runs with --disable-gpu, as the project's browser tests do, so WebGL
is drawn in software, as in any browser without GPU rendering.

    python benchmarks/bench_plot.py [--db PATH] [--rounds 6]

`--db` defaults to the project's database; e.g. a synthetic store of ~3,000 points from 500 vendors
(`bench_pages.py --synthetic DIR` builds one).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGE = """<html><head><script src="plotly.min.js"></script></head><body>
<div id="g" style="width:1200px;height:620px"></div><script>
const spec = {spec};
window.run = async () => {{
  const t = performance.now();
  await Plotly.newPlot("g", spec.data, spec.layout);
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const ms = performance.now() - t;
  Plotly.purge("g");
  return ms;
}};
</script></body></html>"""


def specs(db: Path) -> tuple[dict[str, str], int]:
    import plotly.graph_objects as go

    from lib import charts, snapshot, store

    con = store.connect_readonly(db)
    try:
        chart = charts.frontier(con, as_of=charts.newest_data_date(con), metric_id=snapshot.default_metric(con))
    finally:
        con.close()
    page = json.loads(chart.fig.to_json())
    out = {}
    for kind in ("scattergl", "scatter"):
        for t in page["data"]:
            if t.get("type") in ("scatter", "scattergl") and t.get("meta") != "frontier-line":
                t["type"] = kind
        out[f"page spec, {'WebGL' if kind == 'scattergl' else 'SVG'}"] = json.dumps(page)
    pts = chart.points
    bare = go.Figure(go.Scatter(x=pts["price"], y=pts["quality"], mode="markers"))
    bare.update_xaxes(type="log")
    out["bare scatter, SVG"] = bare.to_json()
    return out, len(pts)


def main(argv=None) -> int:
    import plotly
    from playwright.sync_api import sync_playwright

    from lib import store

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--rounds", type=int, default=6)
    args = ap.parse_args(argv)
    cases, n = specs(args.db or store.ensure_db())
    times: dict[str, list[float]] = {k: [] for k in cases}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "plotly.min.js").write_bytes((Path(plotly.__file__).parent / "package_data" / "plotly.min.js")
                                               .read_bytes())
        files = {}
        for i, (name, spec) in enumerate(cases.items()):
            files[name] = folder / f"case{i}.html"
            files[name].write_text(PAGE.format(spec=spec))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for r in range(args.rounds + 1):
                for name, path in files.items():
                    page = browser.new_page()
                    page.goto(path.as_uri())
                    ms = page.evaluate("run()")
                    page.close()
                    if r:
                        times[name].append(ms)
            browser.close()
    print(f"Frontier chart, {n} points; newPlot until painted, median [min, max] of {args.rounds}; "
          f"load {os.getloadavg()[0]:.1f}")
    for name, ms in times.items():
        print(f"  {name:22s} {statistics.median(ms):7.0f} ms [{min(ms):.0f}, {max(ms):.0f}]   "
              f"spec {len(cases[name]) / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
