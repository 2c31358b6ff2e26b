"""Page and CLI draw the same chart: for the same parameters, the dashboard page (AppTest, parameters in its URL)
and `python -m lib export` (in-process `main(argv)`) give the same plotted points, title, sources and date,
because both call the one lib.charts function."""

from __future__ import annotations

import argparse
import json

import pandas as pd
import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from lib import charts, figures, queries, store
from lib.__main__ import main
from lib.commands import export as export_cmd
from lib.constants import DEFAULT_METRIC
from tests.conftest import PROJECT_DIR, plotly_array

_decode = plotly_array


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


def cli_chart(db, chart: str, export_argv: list[str]):
    """The figure and points `python -m lib export EXPORT_ARGV` builds for `chart`, from the database at `db`."""
    parser = argparse.ArgumentParser()
    export_cmd.add_arguments(parser)
    args = parser.parse_args(export_argv)
    export_cmd._check_args(args)
    con = store.connect_readonly(db)
    try:
        return export_cmd.build_chart(con, chart, args)
    finally:
        con.close()


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
    fig, _ = cli_chart(frontier_env, chart, argv[1:])
    cli_spec = json.loads(fig.to_json())
    assert drawn(cli_spec) == drawn(page_spec)
    for key in ("title", "sources", "data_as_of", "metric_label", "price_label"):
        assert cli_spec["layout"]["meta"].get(key) == page_spec["layout"]["meta"].get(key), key


@pytest.mark.parametrize("chart", list(CASES))
def test_a_cache_hit_draws_the_chart_it_cached(chart, setting, frontier_env, capsys):
    """Streamlit's cache pickles each chart; the copy read back (built without Plotly validating it again) draws
    the same figure, and is still a figure a page can change."""
    import pickle

    _, _, cli_args = CASES[chart](setting)
    fig, points = cli_chart(frontier_env, chart, ["--chart", chart, "--format", "csv", "--out", "x.csv", *cli_args])
    as_streamlit_writes = pio.to_json(fig.to_dict(), validate=False)  # st.plotly_chart's own serialisation
    cached = pickle.loads(pickle.dumps(charts.Chart(fig, points, {"n": 1}, ["s"])))
    assert json.loads(cached.fig.to_json()) == json.loads(fig.to_json())
    assert cached.points.equals(points) and cached.summary == {"n": 1} and cached.sources == ["s"]
    # the copy carries the JSON the page draws it from: exactly what Streamlit would have written for the figure
    assert figures.drawn_spec(cached.fig) == as_streamlit_writes
    cached.fig.update_layout(title="changed")  # validated as usual from here on, and no longer drawn from the JSON
    assert cached.fig.layout.title.text == "changed" and fig.layout.title.text != "changed"
    assert figures.drawn_spec(cached.fig) is None


def _draw_cached_and_plain():
    """A page drawing one chart twice: as the chart cache gives it back (from its JSON) and as a plain figure."""
    import pickle

    import pandas as pd
    import plotly.graph_objects as go
    import streamlit as st

    from lib import charts, ui

    fig = go.Figure(
        go.Scattergl(
            x=[1.5, 2, 3], y=[3, 1, 2], customdata=[["a/x", "é <b>"], ["b/y", "2"], ["c/z", ""]], name="</script>"
        ),
        layout={"height": 520, "title": {"text": "T \u2028 & <i>"}, "template": "plotly_white"},
    )
    cached = pickle.loads(pickle.dumps(charts.Chart(fig, pd.DataFrame(), {}, [])))
    ui.chart(cached.fig, None, "a", key="cached")
    st.plotly_chart(go.Figure(fig), key="plain", theme=None)


def test_a_cached_chart_reaches_the_browser_as_plotly_would_write_it():
    """The page hands Streamlit a cached chart's JSON instead of the figure (no second serialisation per rerun):
    the spec is the one Streamlit writes for the figure itself."""
    at = AppTest.from_function(_draw_cached_and_plain, default_timeout=60).run()
    assert not at.exception, [e.message for e in at.exception]
    cached, plain = at.get("plotly_chart")
    assert cached.proto.spec == plain.proto.spec
    assert json.loads(cached.proto.spec)["layout"]["title"]["text"] == "T \u2028 & <i>"


# --- One parser per upstream format: curation (dated raw copies) and live ingest read a payload the same way ------

OPENROUTER_COPIES = sorted((PROJECT_DIR / "tests" / "fixtures" / "ingest").glob("openrouter_*.json"))


@pytest.mark.parametrize("path", OPENROUTER_COPIES, ids=lambda p: p.stem)
def test_curation_and_live_ingest_read_openrouter_the_same(path):
    import datetime as dt

    from lib.curate import prices as curate_prices
    from lib.ingest import openrouter

    day = path.stem.split("_")[1]
    live = openrouter.parse(path.read_bytes(), dt.datetime.fromisoformat(day))
    live_std = live.prices.loc[live.prices["tier"] == "standard"].set_index("external_id")
    rows, _, _ = curate_prices.openrouter_prices(
        PROJECT_DIR, snapshots=[(day, path.name, openrouter.rows_of(path.read_bytes()))]
    )
    assert rows, f"curation kept nothing of {path.name}"
    for r in rows:
        ext_id = r["source_ref"].split("#id=", 1)[1]
        assert ext_id in live_std.index, f"curation priced {ext_id}, which live ingest does not"
        got = live_std.loc[ext_id]
        assert r["input_usd_per_mtok"] == pytest.approx(got["input_usd_per_mtok"], abs=1e-6), ext_id
        assert r["output_usd_per_mtok"] == pytest.approx(got["output_usd_per_mtok"], abs=1e-6), ext_id
    # what curation leaves out, it leaves out by its stated policy, never because it read a row differently
    kept = {r["source_ref"].split("#id=", 1)[1] for r in rows}
    kept_models = {r["model_id"] for r in rows}  # one listing per model and copy (the first)
    for ext_id in set(live_std.index) - kept:
        assert (
            curate_prices.normalise_id(ext_id) in kept_models
            or ext_id.startswith("openrouter/")
            or ext_id in curate_prices.OPENROUTER_SKIP
            or curate_prices.CHAT_EXCLUDE.search(ext_id)
            or curate_prices.normalise_id(ext_id) is None
            or (live_std.loc[ext_id, ["input_usd_per_mtok", "output_usd_per_mtok"]] == 0).all()
            or (ext_id.startswith("google/") and day < "2025-01-01")
            or _non_text(path, ext_id)
        ), ext_id


def _non_text(path, ext_id) -> bool:
    from lib.ingest import openrouter

    row = next(r for r in openrouter.rows_of(path.read_bytes()) if isinstance(r, dict) and r.get("id") == ext_id)
    outs = (row.get("architecture") or {}).get("output_modalities") or []
    return bool(outs) and outs != ["text"]


def test_ingest_and_curation_read_one_sources_registry(frontier_db):
    """Each live source's row is the registry's, and the seed's sources.csv is the registry written out."""
    from lib.curate.sources import SOURCES as CURATED
    from lib.ingest import SOURCES as LIVE
    from lib.ingest import source_module
    from lib.sources import SOURCES, source_row

    assert CURATED is SOURCES
    for name in LIVE:
        module = source_module(name)
        assert module.SOURCE_ROW == source_row(module.SOURCE_ID), name
    seed = pd.read_csv(PROJECT_DIR / "data" / "seed" / "sources.csv", dtype=str).set_index("source_id")
    for row in SOURCES:
        assert seed.loc[row["source_id"], "attribution"] == row["attribution"], row["source_id"]
        assert seed.loc[row["source_id"], "licence"] == row["licence"], row["source_id"]
