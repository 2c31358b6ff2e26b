"""Page and CLI draw the same chart: for the same parameters, the dashboard page (AppTest, parameters in its URL)
and `python -m lib export` (in-process `main(argv)`) give the same plotted points, title, sources and date,
because both call the one lib.charts function."""

from __future__ import annotations

import argparse
import base64
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib import charts, queries, store
from lib.__main__ import main
from lib.commands import export as export_cmd
from lib.constants import DEFAULT_METRIC
from tests.conftest import PROJECT_DIR


def _decode(v):
    """Plotly ships numeric arrays as base64 typed arrays; decode them (lists pass through)."""
    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return a.reshape(v["shape"]).tolist() if "shape" in v else a.tolist()
    return list(v) if v is not None else []


def drawn(spec: dict) -> list[tuple]:
    """(trace name, model ids, x, y) of every trace: what a reader sees on the chart."""
    out = []
    for t in spec["data"]:
        cd = _decode(t.get("customdata"))
        ids = [row[0] if isinstance(row, list) else row for row in cd]
        x = [round(v, 9) if isinstance(v, float) else v for v in _decode(t.get("x"))]
        y = [round(v, 9) if isinstance(v, float) else v for v in _decode(t.get("y"))]
        out.append((t.get("name"), ids, x, y))
    return out


def point_ids(spec: dict) -> set[str]:
    """Model (or pair) ids of the plotted points, leaving out lines (frontier, fitted trend) and rings."""
    skip = {"Pareto frontier", "fitted trend", "cheapest above the bar"}
    # model ids are vendor/slug, pair ids "teacher → student"; price-history markers carry their date kind
    return {i for name, ids, _, _ in drawn(spec) if name not in skip for i in ids if isinstance(i, str) and "/" in i}


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors exit
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def setting(frontier_db):
    """Parameters valid on the test database: its newest day, a metric and a model with a price history."""
    con = store.connect_readonly(frontier_db["db"])
    try:
        metric = DEFAULT_METRIC if DEFAULT_METRIC in queries.metric_ids(con) else "mmlu"
        as_of = charts.newest_data_date(con)
        table = charts.trend_table(con, metric_id=metric)
        model = charts.default_threshold_model(table) or table.sort_values("score")["model"].iloc[-1]
        bar = float(charts.calculator_market(con, as_of=as_of, metric_id=metric)["quality"].dropna().median())
    finally:
        con.close()
    return {"metric": metric, "as_of": as_of.isoformat(), "model": model, "bar": round(bar, 1)}


CASES = {
    # chart: (page file, URL parameters, CLI arguments) — each a function of the setting
    "frontier": lambda s: (
        "1_frontier.py",
        {"metric": s["metric"], "as_of": s["as_of"]},
        ["--metric", s["metric"], "--as-of", s["as_of"]],
    ),
    "generations": lambda s: ("2_generations.py", {"metric": s["metric"]}, ["--metric", s["metric"]]),
    "trend": lambda s: (
        "3_trends.py",
        {"metric": s["metric"], "by": "model", "model": s["model"]},
        ["--metric", s["metric"], "--model", s["model"]],
    ),
    "price-history": lambda s: ("4_models.py", {"model": s["model"]}, ["--model", s["model"]]),
    "calculator": lambda s: (
        "5_calculator.py",
        {"metric": s["metric"], "in_m": "40", "out_m": "8", "cache": "0.25", "bar": str(s["bar"])},
        [
            "--metric",
            s["metric"],
            "--as-of",
            s["as_of"],
            "--input-tokens",
            "40e6",
            "--output-tokens",
            "8e6",
            "--cache-hit-rate",
            "0.25",
            "--quality-bar",
            str(s["bar"]),
        ],
    ),
}


@pytest.mark.parametrize("chart", list(CASES))
def test_page_and_cli_draw_the_same_points(chart, setting, frontier_env, tmp_path, capsys):
    page, params, cli_args = CASES[chart](setting)
    at = AppTest.from_file(str(PROJECT_DIR / "pages" / page), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    page_spec = json.loads(at.get("plotly_chart")[0].proto.spec)

    out = tmp_path / f"{chart}.csv"
    argv = ["export", "--chart", chart, "--format", "csv", "--out", str(out), *cli_args]
    code, _, err = run_cli(argv, capsys)
    assert code == 0, err
    rows = pd.read_csv(out)

    # the CSV the CLI writes holds exactly the points the page draws
    ids = point_ids(page_spec)
    assert ids, f"{chart}: the page drew nothing"
    assert set(rows["model_id"].astype(str)) == ids, (page_spec["layout"]["meta"].get("title"), len(rows), len(ids))

    # and the figure the CLI renders is the page's: same traces, points, title, sources and date
    parser = argparse.ArgumentParser()
    export_cmd.add_arguments(parser)
    args = parser.parse_args(argv[1:])
    export_cmd._check_args(args)
    con = store.connect_readonly(frontier_env)
    try:
        fig, _ = export_cmd.build_chart(con, chart, args)
    finally:
        con.close()
    cli_spec = json.loads(fig.to_json())
    assert drawn(cli_spec) == drawn(page_spec)
    for key in ("title", "sources", "data_as_of", "metric_label", "price_label"):
        assert cli_spec["layout"]["meta"].get(key) == page_spec["layout"]["meta"].get(key), key
