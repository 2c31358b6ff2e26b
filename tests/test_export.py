"""Exports for slides (issue 6): file signatures and sizes per preset, the sources footer, exactly the plotted points
in CSV, formula neutralisation, log-axis annotations, no network access, the page without Chromium, the deck CLI."""
from __future__ import annotations

import argparse
import io
import json
import os
import re
import struct
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from lib import export
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason="/usr/bin/chromium is missing: static PNG/SVG/PDF export cannot be tested "
                                           "(scripts/test.sh installs Debian's chromium when run as root)")
CHARTS = ("frontier", "generations", "trend", "price-history", "calculator")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def demo_figure() -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(x=[0.15, 7.5, 30.0, np.nan], y=[82.0, 88.7, 86.8, 80.0], mode="markers", name="openai",
                    customdata=[["openai/gpt-4o-mini"], ["openai/gpt-4o"], ["=HYPERLINK(\"x\")"], ["nan/price"]])
    fig.add_scatter(x=[0.15, 7.5], y=[82.0, 88.7], mode="lines", line_shape="hv", name="Pareto frontier",
                    customdata=[["openai/gpt-4o-mini"], ["openai/gpt-4o"]])
    fig.add_scatter(x=[None], y=[None], mode="markers", name="legend only")
    fig.add_scatter(x=[1.0], y=[50.0], mode="markers", name="hidden", visible=False)
    fig.update_layout(xaxis=dict(type="log", title=dict(text="Blended price (USD / M tokens)")),
                      yaxis=dict(title=dict(text="MMLU (%)")),
                      meta={"title": "Price vs MMLU", "sources": ["epoch_prices", "epoch_aa"],
                            "data_as_of": "2024-10-01", "metric_label": "MMLU (% correct)",
                            "price_label": "blended 3:1 input:output, USD per million tokens"})
    return fig


# --- layout, footer, points (no browser needed) -----------------------------------------------------------------

def test_slide_presets_are_the_documented_sizes():
    assert {k: (p.width, p.height) for k, p in export.SLIDE_PRESETS.items()} == {
        "16:9": (1920, 1080), "4:3": (1600, 1200), "square": (1080, 1080)}
    assert export.SLIDE_PRESETS["16:9"].with_scale(2).scale == 2


def test_prepare_sets_size_title_subtitle_footer_and_leaves_the_input_alone():
    fig = demo_figure()
    before = fig.to_json()
    out = export.prepare_for_export(fig, "4:3", "dark", title="My <b>title</b>", subtitle="A subtitle",
                                    source_names={"epoch_prices": "Epoch AI price records"})
    assert fig.to_json() == before
    assert (out.layout.width, out.layout.height) == (1600, 1200)
    texts = {a.name: a.text for a in out.layout.annotations if a.name}
    assert "My &lt;b&gt;title&lt;/b&gt;" in texts["export-title"]  # data text is shown as text, not markup
    assert texts["export-subtitle"] == "A subtitle"
    footer = texts["export-footer"]
    assert "Sources: Epoch AI price records; epoch_aa" in footer
    assert "Data as of 2024-10-01" in footer and "Quality: MMLU (% correct)" in footer
    assert "Price: blended 3:1 input:output" in footer
    assert out.layout.paper_bgcolor == export.THEMES["dark"]["paper"]
    # the footer sits inside the image, below the plot area
    assert -out.layout.margin.b / (1200 - out.layout.margin.t - out.layout.margin.b) < \
        next(a.y for a in out.layout.annotations if a.name == "export-footer") < 0


def test_prepare_drops_animation_controls():
    fig = demo_figure()
    fig.frames = [go.Frame(name="2024-01", data=[go.Scatter(x=[1], y=[2])])]
    fig.update_layout(updatemenus=[dict(type="buttons", buttons=[dict(label="Play", method="animate")])],
                      sliders=[dict(steps=[dict(label="2024-01")])])
    out = export.prepare_for_export(fig)
    assert not out.frames and not out.layout.updatemenus and not out.layout.sliders


def test_log_axis_annotation_is_placed_in_log10_units():
    fig = demo_figure()
    assert export.axis_value(fig, "x", 100) == pytest.approx(2.0)
    assert export.axis_value(fig, "y", 85) == 85  # linear axis: unchanged
    assert export.axis_value(fig, "paper", 0.5) == 0.5
    export.add_data_annotation(fig, 0.15, 82, "GPT-4o mini", ax=30.0, axref="x", ay=86.8, ayref="y")
    ann = fig.layout.annotations[-1]
    assert ann.x == pytest.approx(np.log10(0.15)) and ann.y == 82
    assert ann.ax == pytest.approx(np.log10(30.0)) and ann.ay == 86.8
    with pytest.raises(ValueError):
        export.axis_value(fig, "x", 0)


def test_points_frame_is_exactly_the_drawn_points():
    pts = export.points_frame(demo_figure())
    # NaN price, the legend-only placeholder and the hidden trace are not drawn, so not exported
    assert list(pts["series"]) == ["openai"] * 3 + ["Pareto frontier"] * 2
    assert list(pts["model_id"][:2]) == ["openai/gpt-4o-mini", "openai/gpt-4o"]
    assert pts["x"].tolist() == [0.15, 7.5, 30.0, 0.15, 7.5]
    labelled = export.labelled_points(demo_figure())
    assert {"Blended price (USD / M tokens)", "MMLU (%)"} <= set(labelled.columns)


def test_csv_neutralises_formulas_in_text_cells_only():
    df = pd.DataFrame({"name": ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "plain", "\tTAB"],
                       "delta": [-5.0, 1.0, -0.5, 2.0, 3.0, 4.0], "n": [-1, 2, 3, 4, 5, 6]})
    out = export.neutralise_formulas(df)
    assert out["name"].tolist() == ["'=1+1", "'+cmd", "'-2+3", "'@SUM(A1)", "plain", "'\tTAB"]
    assert out["delta"].tolist() == [-5.0, 1.0, -0.5, 2.0, 3.0, 4.0]  # negative numbers stay numbers
    text = export.to_bytes(demo_figure(), "csv").decode()
    assert "'=HYPERLINK" in text and "\n=" not in text and ",=" not in text
    back = pd.read_csv(io.StringIO(text))
    assert len(back) == 5
    frame = pd.read_parquet(io.BytesIO(export.to_bytes(demo_figure(), "parquet")))
    assert frame["model_id"].tolist()[2] == "'=HYPERLINK(\"x\")"


def test_html_is_standalone_and_offline():
    out = export.prepare_for_export(demo_figure())
    html = export.to_bytes(out, "html").decode()
    assert len(html) > 3_000_000  # plotly.js inlined
    assert not re.search(r"<script[^>]+src=[\"']https?:", html)
    assert "Data as of 2024-10-01" in html and "<title>Price vs MMLU</title>" in html


def test_each_theme_is_one_definition_that_page_and_export_draw_alike():
    """lib/themes.py is the one theme system: a page figure in a theme and its export in the same theme show the
    same backgrounds, text, grid and frontier colours; the themes differ where a reader would see it."""
    from lib import figures, themes

    page_fig = figures.frontier_figure(
        pd.DataFrame({"model_id": ["a/x", "b/y", "c/z"], "vendor": ["a", "b", "c"], "name": ["X", "Y", "Z"],
                      "price": [0.5, 2.0, 8.0], "quality": [60.0, 70.0, 80.0], "on_frontier": [True, True, True]}),
        metric_label="Q")
    seen = {}
    for name in export.THEMES:
        c = themes.colours(name)
        page = figures.apply_theme(go.Figure(page_fig), name)
        slide = export.prepare_for_export(page_fig, theme=name)
        for fig in (page, slide):
            lay = fig.layout.template.layout
            assert (lay.paper_bgcolor, lay.plot_bgcolor, lay.xaxis.gridcolor) == (c["paper"], c["plot"], c["grid"])
            frontier = [t for t in fig.data if t.meta == "frontier-line"]
            assert frontier and frontier[0].line.color == c["accent"]
        assert page.layout.template.layout.font.color == slide.layout.font.color == c["text"]
        assert slide.layout.xaxis.gridcolor == c["grid"] and slide.layout.paper_bgcolor == c["paper"]
        footer = [a for a in slide.layout.annotations if a.name == "export-footer"]
        assert footer and footer[0].font.color == c["muted"]
        seen[name] = (c["paper"], c["text"], c["grid"])
    assert seen["light"][0] != seen["dark"][0] and seen["light"][1] != seen["dark"][1]  # dark background, light text
    assert seen["print"][1] == "#000000" != seen["light"][1]  # print: black text where light has grey
    assert export.THEMES is themes.THEMES and set(figures.TEMPLATES) == set(themes.THEMES)


def test_unknown_format_preset_and_theme_are_rejected():
    with pytest.raises(ValueError):
        export.to_bytes(demo_figure(), "gif")
    with pytest.raises(ValueError):
        export.prepare_for_export(demo_figure(), "21:9")
    with pytest.raises(ValueError):
        export.prepare_for_export(demo_figure(), "16:9", "sepia")


def test_chromium_detection_honours_browser_path(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    assert export.chromium_path() is None and not export.chromium_available()
    monkeypatch.setattr(export, "_renderer", None)
    with pytest.raises(export.ExportError, match="no Chromium"):
        export.to_bytes(export.prepare_for_export(demo_figure()), "png")
    # HTML and CSV need no browser
    assert export.to_bytes(demo_figure(), "csv").startswith(b"series,")


# --- every chart in every format (real store, real Chromium) --------------------------------------------------

@pytest.fixture(scope="module")
def built_charts(frontier_db):
    """Each dashboard chart built from the test store the way the CLI builds it: {chart: (figure, names)}."""
    from lib import queries, store
    from lib.commands import export as cli

    con = store.connect_readonly(frontier_db["db"])
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    ids = queries.model_ids(con)
    model = next(m for m in ("openai/gpt-4o-mini", "openai/gpt-4o-2024-05-13") if m in ids)
    metric = "aa_quality_2024" if "aa_quality_2024" in queries.metric_ids(con) else "mmlu"
    out = {}
    for chart in CHARTS:
        args = parser.parse_args(["--chart", chart, "--format", "png", "--out", "x", "--metric", metric,
                                  *(["--model", model] if chart == "price-history" else [])])
        if chart == "trend" and metric == "mmlu":
            args.threshold = 70.0
        fig, _ = cli.build_chart(con, chart, args)
        out[chart] = fig
    names = cli._names(queries.sources_summary(con))
    con.close()
    return out, names


@needs_chromium
@pytest.mark.parametrize("chart", CHARTS)
def test_every_chart_exports_to_every_format(built_charts, chart):
    figs, names = built_charts
    fig = figs[chart]
    assert fig.data, f"{chart}: the builder drew nothing"
    prepared = export.prepare_for_export(fig, "16:9", "light", source_names=names)
    footer = next(a.text for a in prepared.layout.annotations if a.name == "export-footer")
    assert "Sources: " in footer and "Data as of " in footer

    png = export.to_bytes(prepared, "png")
    assert png_size(png) == (1920, 1080)

    svg = export.to_bytes(prepared, "svg")
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag.endswith("svg") and root.get("width") == "1920"
    svg_text = "".join(root.itertext())
    assert "Data as of " + fig.layout.meta["data_as_of"] in svg_text

    pdf = export.to_bytes(prepared, "pdf")
    assert pdf[:5] == b"%PDF-"

    html = export.to_bytes(prepared, "html")
    assert b"Data as of" in html

    drawn = export.points_frame(fig)
    csv = pd.read_csv(io.BytesIO(export.to_bytes(fig, "csv")))
    assert len(csv) == len(drawn) > 0
    assert csv["series"].tolist() == drawn["series"].tolist()
    assert csv["model_id"].fillna("").astype(str).str.lstrip("'").tolist() == \
        drawn["model_id"].fillna("").astype(str).tolist()
    n_drawn = sum(len([v for v in zip(t.x, t.y) if v[0] is not None and v[1] is not None
                       and not (isinstance(v[0], float) and np.isnan(v[0]))])
                  for t in fig.data if t.visible is not False and t.x is not None and t.y is not None)
    assert len(csv) == n_drawn


@needs_chromium
@pytest.mark.parametrize("preset,scale", [("4:3", 2.0), ("square", 1.0)])
def test_png_size_follows_preset_and_scale(preset, scale):
    p = export.SLIDE_PRESETS[preset].with_scale(scale)
    png = export.to_bytes(export.prepare_for_export(demo_figure(), p, "print"), "png")
    assert png_size(png) == (int(p.width * scale), int(p.height * scale))


@needs_chromium
def test_an_image_is_the_same_whatever_was_exported_before_it():
    """The renderer keeps its page between image exports (no plotly.js reload): a PDF (which leaves its image
    and page style in that page) or another chart exported in between must not change the next image."""
    prepared = export.prepare_for_export(demo_figure(), "16:9", "light")
    first = export.to_bytes(prepared, "png")
    assert export.to_bytes(prepared, "pdf")[:5] == b"%PDF-"
    export.to_bytes(export.prepare_for_export(demo_figure(), "square", "dark"), "svg")
    assert export.to_bytes(prepared, "png") == first
    assert png_size(first) == (1920, 1080)


@needs_chromium
def test_log_axis_annotation_lands_on_its_point_in_the_rendered_svg():
    fig = go.Figure(go.Scatter(x=[0.15, 30.0], y=[82.0, 86.8], mode="markers", marker=dict(size=10)))
    fig.update_layout(xaxis=dict(type="log", range=[-1, 2]), yaxis=dict(range=[80, 90]), showlegend=False,
                      width=1000, height=600, margin=dict(l=100, r=100, t=100, b=100))
    export.add_data_annotation(fig, 0.15, 82.0, "", showarrow=True, arrowhead=0, ax=0, ay=-80, standoff=0)
    svg = export.to_bytes(fig, "svg", scale=1).decode()
    pts = [tuple(map(float, m)) for m in re.findall(r'class="point" transform="translate\(([\d.]+),([\d.]+)\)', svg)]
    arrow = re.search(r'class="annotation-arrow-g".*?<path d="M([\d.]+),([\d.]+)L([\d.]+),([\d.]+)', svg, re.S)
    assert pts and arrow
    tip = (float(arrow.group(3)) , float(arrow.group(4)))
    head = min(pts, key=lambda p: p[0])  # the $0.15 point, in plot-area coordinates
    # the arrow is drawn in page coordinates (offset by the margins); the point in plot-area coordinates
    assert tip[0] - 100 == pytest.approx(head[0], abs=2) and tip[1] - 100 == pytest.approx(head[1], abs=2)


# --- no network access ----------------------------------------------------------------------------------------

NETWORK_PROBE = textwrap.dedent(r"""
    import json, os, socket, sys, threading
    sys.path.insert(0, sys.argv[1])
    hits = []
    srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(16)
    def serve():
        while True:
            conn, _ = srv.accept()
            try:
                hits.append(conn.recv(300).decode("latin-1").split("\r\n")[0])
            finally:
                conn.close()
    threading.Thread(target=serve, daemon=True).start()
    # Chromium sends every http(s) request (and its DNS) through this recording proxy ...
    os.environ["CHOREO_PROXY_SERVER"] = "http://127.0.0.1:%d" % srv.getsockname()[1]
    # ... and Python may not connect anywhere but loopback.
    real_connect = socket.socket.connect
    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1"):
            raise OSError("network access during export: %r" % (address,))
        return real_connect(self, address)
    socket.socket.connect = guarded
    import plotly.graph_objects as go
    from lib import export
    if sys.argv[2] == "cdn":  # control: plotly.js from the CDN must show up at the proxy
        export._local_plotlyjs = lambda: "https://cdn.plot.ly/plotly-3.0.1.min.js"
        export.RENDER_TIMEOUT_S = 15
    fig = go.Figure(go.Scatter(x=[1, 10], y=[1, 2]), layout=dict(meta={"title": "t", "sources": ["s"],
                                                                         "data_as_of": "2024-01-01"}))
    fig = export.prepare_for_export(fig)
    sizes = {}
    for fmt in export.FORMATS:
        try:
            sizes[fmt] = len(export.to_bytes(fig, fmt))
        except export.ExportError as exc:
            sizes[fmt] = str(exc)[:80]
    print(json.dumps({"hits": hits, "sizes": sizes}))
""")


@pytest.fixture(scope="module")
def probes():
    """The probe in both modes, started together (each waits on its own Chromium much of the time; the CDN mode on
    a render timeout): `probes(mode)` -> what that run recorded."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.pop("BROWSER_PATH", None)
    procs = {mode: subprocess.Popen([sys.executable, "-c", NETWORK_PROBE, str(ROOT), mode], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT) for mode in ("local", "cdn")}

    def result(mode: str) -> dict:
        out, err = procs[mode].communicate(timeout=180)
        assert procs[mode].returncode == 0, err[-2000:]
        return json.loads(out.strip().splitlines()[-1])

    yield result
    for proc in procs.values():
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


CONTENT_HOSTS = ("plot.ly", "mathjax", "cdnjs", "jsdelivr", "unpkg", "fonts.googleapis", "fonts.gstatic")


@needs_chromium
def test_export_fetches_nothing_from_the_network(probes):
    """Every request the browser makes goes to the configured proxy (here a recorder); none is for page content
    (plotly.js, MathJax, fonts), and Python makes no connection at all. Chromium's own background chatter
    (update checks, search preconnect) still shows up at the recorder: in normal runs that proxy is a dead
    loopback port, checked by the next test."""
    result = probes("local")
    content = [h for h in result["hits"] if any(host in h for host in CONTENT_HOSTS)]
    assert content == [], f"export content was fetched from the network: {content}"
    assert all(isinstance(v, int) and v > 0 for v in result["sizes"].values()), result["sizes"]


@needs_chromium
def test_network_probe_detects_a_cdn_fetch(probes):
    """Control for the test above: the same probe does see the fetch when plotly.js is pointed at the CDN."""
    result = probes("cdn")
    assert any("cdn.plot.ly" in h for h in result["hits"]), result


@needs_chromium
def test_export_browser_runs_offline_behind_a_dead_proxy(monkeypatch):
    monkeypatch.delenv("CHOREO_PROXY_SERVER", raising=False)
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    export.to_bytes(export.prepare_for_export(demo_figure()), "svg")
    cmdlines = []
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--remote-debugging-pipe" in cmd:
            cmdlines.append([c.decode() for c in cmd])
    mine = [c for c in cmdlines if f"--proxy-server={export.BLACKHOLE_PROXY}" in c]
    assert mine, f"no export browser behind {export.BLACKHOLE_PROXY}: {cmdlines}"
    assert "--disable-background-networking" in mine[0] and "--disable-extensions" in mine[0]
    import socket

    with pytest.raises(OSError):  # nothing listens there: a stray request fails on loopback
        socket.create_connection(("127.0.0.1", 9), timeout=2)


# --- the page ---------------------------------------------------------------------------------------------------

def _demo_page():
    import plotly.graph_objects as go

    from lib import ui

    fig = go.Figure(go.Scatter(x=[0.15, 7.5], y=[82, 88.7], mode="markers", name="openai",
                               customdata=[["openai/gpt-4o-mini"], ["openai/gpt-4o"]]))
    fig.update_xaxes(type="log")
    fig.layout.meta = {"title": "Demo", "sources": ["epoch_prices"], "data_as_of": "2024-10-01",
                       "metric_label": "MMLU (%)", "price_label": "blended 3:1"}
    db = ui.connection()
    ui.chart(fig, None, "demo", sources=ui.load_sources(db, db.version))


def test_page_without_chromium_offers_the_browser_side_fallback(frontier_env, monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    at = AppTest.from_function(_demo_page, default_timeout=60).run()
    assert not at.exception
    fmt = at.selectbox(key="export_demo_format")
    # PowerPoint needs no browser either
    assert fmt.options == ["HTML (interactive)", "CSV (plotted points)", "Parquet (plotted points)",
                           "PowerPoint (native chart)"]
    assert any("need Chromium" in i.value for i in at.info)
    configs = [json.loads(c.proto.config) for c in at.get("plotly_chart") if c.proto.config]
    # every chart's camera saves at slide size (lib.ui.chart: PNG); the fallback preview offers SVG
    fallback = [c["toImageButtonOptions"] for c in configs if c.get("toImageButtonOptions", {}).get("format") == "svg"]
    assert fallback == [{"format": "svg", "filename": "demo", "width": 1920, "height": 1080, "scale": 1.0}]
    embed_html = "Download standalone HTML (data inlined, for pages that cannot iframe)"
    assert [b.proto.label for b in at.get("download_button")] == ["Download standalone HTML (works offline)",
                                                                  embed_html]
    at.selectbox(key="export_demo_format").set_value("csv").run()
    assert not at.exception
    assert [b.proto.label for b in at.get("download_button")] == ["Download CSV (2 plotted points)", embed_html]
    assert any("Epoch AI" in c.value and "Data as of 2024-10-01" in c.value for c in at.caption)


def _image_downloads(at) -> list[str]:
    """Labels of the rendered-image download buttons (the embed panel's HTML download is always there)."""
    return [b.proto.label for b in at.get("download_button") if b.proto.label.startswith("Download PNG")]


@needs_chromium
def test_page_renders_a_png_only_when_asked(frontier_env, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.delenv("BROWSER_PATH", raising=False)
    at = AppTest.from_function(_demo_page, default_timeout=90).run()
    assert not at.exception
    at.selectbox(key="export_demo_format").set_value("png").run()
    assert not _image_downloads(at), "rendered before the button was pressed"
    at.button(key="export_demo_render_btn").click().run()
    assert not at.exception and not at.error
    assert _image_downloads(at)[0].startswith("Download PNG (1920×1080")
    at.text_input(key="export_demo_title").set_value("New title").run()
    assert not _image_downloads(at), "a stale render was offered after the title changed"


# --- CLI ----------------------------------------------------------------------------------------------------------

@pytest.fixture()
def cli(frontier_env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative --out paths land here, as in a user's shell

    def run(*args):
        return run_cli("export", *args)

    return run


@pytest.mark.parametrize("args,message", [
    (["--chart", "frontier", "--format", "png"], "--out PATH is required"),
    (["--chart", "frontier", "--out", "x.png"], "--format is required"),
    (["--chart", "frontier", "--format", "png", "--out", "x.png", "--as-of", "2024-13-01"], "not a date"),
    (["--chart", "price-history", "--format", "csv", "--out", "x.csv"], "needs --model"),
    (["--chart", "frontier", "--format", "csv", "--out", "x.csv", "--metric", "nope"], "unknown metric"),
    (["--deck", "d", "--format", "csv"], "--format picks the image format"),
])
def test_cli_bad_arguments_exit_2_with_one_line(cli, args, message):
    out = cli(*args)
    assert out.returncode == 2
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_cli_csv_holds_the_frontier_points(cli, tmp_path):
    path = tmp_path / "frontier.csv"
    out = cli("--chart", "frontier", "--format", "csv", "--out", str(path))
    assert out.returncode == 0, out.stderr
    df = pd.read_csv(path)
    # one row per plotted model, with its price, score, frontier flag and the sources of both
    assert {"model_id", "name", "price", "quality", "on_frontier", "price_source_id", "quality_source_id"} \
        <= set(df.columns)
    assert len(df) > 0 and df["model_id"].is_unique and (df["price"] > 0).all() and df["quality"].notna().all()
    assert df["on_frontier"].any()


@needs_chromium
def test_cli_deck_writes_every_chart_and_the_index(cli, tmp_path):
    deck = tmp_path / "deck"
    out = cli("--deck", str(deck))
    assert out.returncode == 0, out.stderr
    md = (deck / "index.md").read_text()
    html = (deck / "index.html").read_text()
    images = sorted(p.name for p in deck.glob("*.png"))
    assert images and any(n.startswith("frontier-") for n in images)
    assert len([n for n in images if n.startswith("frontier-")]) == 2  # today and a year earlier
    assert {"generations-article.png", "trend-cost-to-reach.png"} <= set(images)
    assert any(n.startswith("price-history-") for n in images)
    for name in images:
        data = (deck / name).read_bytes()
        assert png_size(data) == (1920, 1080)
        assert (deck / name.replace(".png", ".csv")).stat().st_size > 0
        assert f"({name})" in md and f'href="{name}"' in html
    assert md.count("- sources: ") == len(images) and "none recorded" not in md
