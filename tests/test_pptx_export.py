"""PowerPoint export (issue 18): the deck opens with python-pptx, every chart slide holds a native chart whose
series and point counts are the dashboard's, price axes are logarithmic, notes and footer carry the sources; the
deck rendered by LibreOffice shows every vendor's points."""
from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn
from pptx.util import Inches

from lib import export, figures, pptx_export, queries, store
from lib.__main__ import main
from lib.commands import export as export_cmd

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")


def deck_args(**kw) -> argparse.Namespace:
    base = dict(chart=None, deck="unused", as_of=None, metric=None, model=None, threshold=None, price="blended",
                ratio="3:1", input_tokens=10e6, output_tokens=2e6, cache_hit_rate=0.0, quality_bar=None,
                preset="16:9", scale=1.0, theme="light", title=None, subtitle=None, format="pptx", out=None)
    base.update(kw)
    return argparse.Namespace(**base)


@pytest.fixture(scope="module")
def built(frontier_db, tmp_path_factory):
    """The standard deck written once by the CLI (in-process), and a copy of each figure its specs built for it,
    taken as built (building them again took a sixth of this file's time)."""
    import copy

    figs = []

    def recorded(chart):
        figs.append(copy.deepcopy(chart.fig))
        return chart

    def recording_specs(con, args):
        specs = real_specs(con, args)
        for spec in specs:
            spec["build"] = lambda build=spec["build"]: recorded(build())
        return specs

    real_specs = export_cmd.deck_specs
    mp = pytest.MonkeyPatch()
    mp.setenv("FRONTIER_DB", str(frontier_db["db"]))
    mp.setattr(export_cmd, "deck_specs", recording_specs)
    try:
        out = tmp_path_factory.mktemp("pptx_deck")
        assert main(["export", "--deck", str(out), "--format", "pptx"]) == 0
        con = store.connect_readonly(frontier_db["db"])
        try:
            sources = queries.sources_summary(con)
        finally:
            con.close()
    finally:
        mp.undo()
    return {"path": out / "deck.pptx", "figs": figs, "sources": sources}


def charts_of(slide):
    return [sh.chart for sh in slide.shapes if sh.has_chart]


def drawn(values) -> int:
    return sum(v is not None for v in values)


def test_deck_is_a_title_slide_one_native_chart_per_standard_chart_and_a_sources_slide(built):
    prs = Presentation(str(built["path"]))
    slides = list(prs.slides)
    figs = built["figs"]
    assert len(slides) == len(figs) + 2
    assert (prs.slide_width, prs.slide_height) == (Inches(13.333), Inches(7.5))
    assert "frontier" in slides[0].shapes.title.text.lower()
    assert slides[-1].shapes.title.text.startswith("Sources")
    for slide, fig in zip(slides[1:-1], figs):
        assert len(charts_of(slide)) == 1, slide.shapes.title.text
        assert not [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]  # no image fallback
        assert slide.shapes.title.text == fig.layout.meta["title"]


def test_every_chart_has_the_figures_series_and_point_counts(built):
    prs = Presentation(str(built["path"]))
    for slide, fig in zip(list(prs.slides)[1:-1], built["figs"]):
        chart = charts_of(slide)[0]
        series = list(chart.plots[0].series)
        if pptx_export.chart_kind(fig) == "generations":
            students = [tr for tr in fig.data if str(tr.name).endswith(" student")]
            n_pairs = sum(len(export.points_frame(type(fig)(data=[tr]))) for tr in students)
            assert [s.name for s in series] == ["Price drop (%)", "Quality drop (%)"]
            assert len(chart.plots[0].categories) == n_pairs > 0
            continue
        want = pptx_export.native_series(fig)
        assert [s.name for s in series] == [w["name"] for w in want]
        for s, w in zip(series, want):
            n = len(w["x"])
            assert drawn(s.values) == (2 * n - 1 if w["step"] and n > 1 else n), s.name


def test_frontier_slide_points_equal_the_frontier_pages_points(frontier_env, tmp_path):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).parent.parent / "pages" / "1_frontier.py"), default_timeout=60)
    at.run()
    assert not at.exception
    page = json.loads(at.get("plotly_chart")[0].proto.spec)
    metric_id = at.selectbox(key="frontier.metric").value
    as_of = dt.date.fromisoformat(at.select_slider(key="frontier.as_of").value)
    out = tmp_path / "frontier.pptx"
    assert main(["export", "--chart", "frontier", "--format", "pptx", "--out", str(out), "--metric", metric_id,
                 "--as-of", as_of.isoformat()]) == 0
    chart = charts_of(Presentation(str(out)).slides[0])[0]
    got = {s.name: drawn(s.values) for s in chart.plots[0].series}
    frontier = next(t for t in page["data"] if t["name"] == "Pareto frontier")
    vendors = {t["name"]: len(t["customdata"]) for t in page["data"] if t["name"] != "Pareto frontier"}
    n_front = len(frontier["customdata"])
    assert {k: v for k, v in got.items() if k != "Pareto frontier"} == vendors
    assert got["Pareto frontier"] == 2 * n_front - 1  # a step line: each step repeats the previous y
    frontier_series = next(s for s in chart.plots[0].series if s.name == "Pareto frontier")
    # its labels name the frontier models, as on the page
    labels = ["".join(t.text for t in el.iter(qn("a:t"))) for el in frontier_series._element.iter(qn("c:dLbl"))]
    if frontier.get("text"):
        assert sorted(labels) == sorted(html.unescape(t) for t in frontier["text"])


def _log_axes(chart) -> list[str]:
    """'x'/'y' for each axis of the chart with a base-10 logarithmic scale."""
    out = []
    for ax in chart._chartSpace.findall(".//" + qn("c:valAx")):
        if ax.find(qn("c:scaling")).find(qn("c:logBase")) is not None:
            out.append("x" if ax.find(qn("c:axPos")).get("val") == "b" else "y")
    return out


def test_price_axes_are_logarithmic(built):
    prs = Presentation(str(built["path"]))
    for slide, fig in zip(list(prs.slides)[1:-1], built["figs"]):
        chart = charts_of(slide)[0]
        want = [a for a in ("x", "y") if fig.layout[f"{a}axis"].type == "log"]
        if pptx_export.chart_kind(fig) == "generations":
            want = []  # drops in %, a linear bar axis
        assert _log_axes(chart) == want, slide.shapes.title.text
    first = charts_of(prs.slides[1])[0]
    assert _log_axes(first) == ["x"]  # the frontier: price on x


def test_notes_and_footer_carry_the_sources_metric_and_price_basis(built):
    prs = Presentation(str(built["path"]))
    by_id = built["sources"].set_index("source_id")
    for slide, fig in zip(list(prs.slides)[1:-1], built["figs"]):
        notes = slide.notes_slide.notes_text_frame.text
        meta = fig.layout.meta
        assert meta["sources"], slide.shapes.title.text
        for sid in meta["sources"]:
            assert by_id.loc[sid, "name"] in notes and by_id.loc[sid, "licence"] in notes
        footer = next(sh for sh in slide.shapes if sh.name.startswith("Footer"))
        assert footer.text_frame.text.startswith("Sources: ")
        assert f"Data as of {meta['data_as_of']}" in footer.text_frame.text
        if meta.get("price_label", "").startswith("Blended"):
            assert "(3 × input + 1 × output) / (3 + 1)" in notes
        if meta.get("metric_label"):
            assert "Quality metric: " in notes
    closing = list(prs.slides)[-1]
    text = "\n".join(sh.text_frame.text for sh in closing.shapes if sh.has_text_frame)
    used = {s for fig in built["figs"] for s in fig.layout.meta["sources"]}
    for sid in used:
        assert by_id.loc[sid, "name"] in text and by_id.loc[sid, "attribution"] in text


def test_dark_four_by_three_chart_follows_the_dashboard_theme(built, tmp_path):
    fig = built["figs"][0]
    data = pptx_export.chart_bytes(fig, preset="4:3", theme="dark", title="My title", subtitle="My subtitle",
                                   sources=built["sources"])
    prs = Presentation(io.BytesIO(data))
    assert (prs.slide_width, prs.slide_height) == (Inches(10), Inches(7.5))
    slide = prs.slides[0]
    assert slide.shapes.title.text == "My title"
    assert any(sh.has_text_frame and sh.text_frame.text == "My subtitle" for sh in slide.shapes)
    dark = export.THEMES["dark"]
    assert str(slide.background.fill.fore_color.rgb) == dark["paper"].lstrip("#").upper()
    assert str(charts_of(slide)[0].font.color.rgb) == dark["text"].lstrip("#").upper()
    line = next(s for s in charts_of(slide)[0].plots[0].series if s.name == "Pareto frontier")
    assert str(line.format.line.color.rgb) == figures._ACCENT["dark"].lstrip("#").upper()  # light line on dark


def test_step_points_repeat_the_previous_level():
    assert pptx_export.step_points([1, 2, 3], [10, 5, 4]) == ([1, 2, 2, 3, 3], [10, 10, 5, 5, 4])
    assert pptx_export.step_points([1], [10]) == ([1], [10])


@pytest.mark.skipif(not (SOFFICE and PDFTOPPM),
                    reason="LibreOffice (soffice) or pdftoppm is missing: the deck cannot be rendered to check its "
                           "pages (scripts/test.sh installs libreoffice-impress and poppler-utils when run as root)")
def test_libreoffice_renders_every_slide_with_every_vendors_points(built, tmp_path):
    """One conversion for the whole deck. A reader that draws only one series of a scatter (LibreOffice did,
    with python-pptx's stacked sheet layout) shows one vendor colour on the frontier slide."""
    from PIL import Image

    profile = tmp_path / "lo-profile"
    run = subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                          "--convert-to", "pdf", "--outdir", str(tmp_path), str(built["path"])],
                         capture_output=True, text=True, timeout=240)
    pdf = tmp_path / "deck.pdf"
    assert pdf.exists(), run.stderr
    subprocess.run([PDFTOPPM, "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(built["figs"]) + 2
    for page in pages:  # nothing blank
        px = np.asarray(Image.open(page).convert("RGB"))
        assert (px.min(axis=2) < 200).mean() > 0.003, page.name
    fig = built["figs"][0]
    vendors = [s for s in pptx_export.native_series(fig) if s["markers"] and s["colour"]]
    px = np.asarray(Image.open(pages[1]).convert("RGB")).reshape(-1, 3).astype(int)
    seen = 0
    for s in vendors:
        rgb = np.array([int(s["colour"][i:i + 2], 16) for i in (0, 2, 4)])
        seen += int((np.abs(px - rgb).sum(axis=1) < 40).sum() >= 4)
    assert seen >= min(len(vendors), 4), f"only {seen} of {len(vendors)} vendor colours drawn"


def test_a_cached_figure_gives_the_same_slide(built):
    """The dashboard caches figures (st.cache_data pickles them: numeric arrays become Plotly typed arrays)."""
    import pickle

    for fig in built["figs"][:4]:
        again = pickle.loads(pickle.dumps(fig))
        assert [(s["name"], s["x"], s["y"]) for s in pptx_export.native_series(again)] == \
            [(s["name"], s["x"], s["y"]) for s in pptx_export.native_series(fig)]
        assert export.points_frame(again).equals(export.points_frame(fig))


def test_open_markers_are_outlined_in_their_own_colour_as_on_the_dashboard():
    """Plotly outlines an open symbol ("other vendors": hollow grey circles) in the marker colour; a slide outlining
    it in the marker-line colour showed them as dark dots."""
    import plotly.graph_objects as go

    fig = go.Figure([go.Scatter(x=[1, 2], y=[3, 4], mode="markers", name="other vendors",
                                marker=dict(symbol="circle-open", color="#9AA0A6", line=dict(color="#111827"))),
                     go.Scatter(x=[1, 2], y=[5, 6], mode="markers", name="OpenAI",
                                marker=dict(symbol="circle", color="#4477AA", line=dict(color="#111827")))])
    chart = charts_of(Presentation(io.BytesIO(pptx_export.chart_bytes(fig))).slides[0])[0]
    outline = {s.name: str(s.marker.format.line.color.rgb) for s in chart.plots[0].series}
    assert outline == {"other vendors": "9AA0A6", "OpenAI": "111827"}
