"""Visual regression of the slides: the standard deck, rendered by the real exporter (kaleido + system Chromium)
as SVG at 16:9, has no text in the title band but the title and subtitle, and every legend entry the figure asks
for is drawn inside the slide (not cut off, not scrolled away)."""
from __future__ import annotations

import argparse
import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lib import export

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no system Chromium for the static export")
SVG = "{http://www.w3.org/2000/svg}"


def _translate(el) -> tuple[float, float]:
    m = re.search(r"translate\(\s*([-\d.e]+)[ ,]+([-\d.e]+)\s*\)", el.get("transform") or "")
    return (float(m.group(1)), float(m.group(2))) if m else (0.0, 0.0)


def _font_px(el, default=12.0) -> float:
    m = re.search(r"font-size:\s*([\d.]+)px", el.get("style") or "")
    return float(m.group(1)) if m else default


def svg_texts(svg: bytes) -> list[dict]:
    """Every text drawn: its content, absolute (x, baseline y), font size and the classes of its ancestors."""
    root = ET.fromstring(svg)
    out = []

    def walk(el, ox, oy, classes):
        dx, dy = _translate(el)
        ox, oy = ox + dx, oy + dy
        classes = classes + [el.get("class") or ""]
        if el.tag == f"{SVG}text":
            text = "".join(el.itertext()).strip()
            if text:
                out.append({"text": text, "x": ox + float(el.get("x") or 0), "y": oy + float(el.get("y") or 0),
                            "size": _font_px(el), "classes": " ".join(classes),
                            "lines": max(1, len(el.findall(f"{SVG}tspan")))})
            return
        for child in el:
            walk(child, ox, oy, classes)

    walk(root, 0.0, 0.0, [])
    return out


@pytest.fixture(scope="module")
def deck(frontier_db, tmp_path_factory):
    """Each deck chart prepared for a 16:9 slide and rendered to SVG: [(slug, prepared figure, svg bytes)]."""
    import shutil

    from lib import queries, store
    from lib.commands import export as cmd

    # a copy: a connection the chart code may keep open must not clash with later tests' use of the session file
    db = tmp_path_factory.mktemp("slides") / "frontier.duckdb"
    shutil.copy(frontier_db["db"], db)
    con = store.connect_readonly(db)
    args = argparse.Namespace(metric=None, as_of=None, theme="light", preset="16:9", scale=1.0, title=None,
                              subtitle=None, format="svg")
    names = cmd._names(queries.sources_summary(con))
    out = []
    try:
        for spec in cmd.deck_specs(con, args):
            fig, _ = spec["build"]()
            prepared = export.prepare_for_export(fig, "16:9", "light", source_names=names)
            out.append((spec["slug"], prepared, export.to_bytes(prepared, "svg")))
    finally:
        con.close()
    return out


def test_the_deck_has_its_charts(deck):
    slugs = [s for s, _, _ in deck]
    assert any(s.startswith("frontier-") for s in slugs) and "generations-article" in slugs
    assert len(slugs) >= 5


def test_no_text_in_the_title_band_but_the_title_and_subtitle(deck):
    """Was: the frontier's pair list drawn a second time, in small print over the title."""
    for slug, fig, svg in deck:
        top = fig.layout.margin.t  # the plot starts here; above it only the title and the subtitle belong
        own = {a.name: html.unescape(re.sub(r"<[^>]+>", "", a.text or "").replace("\n", ""))
               for a in fig.layout.annotations if a.name in ("export-title", "export-subtitle")}
        allowed = " ".join(own.values())
        for t in svg_texts(svg):
            if t["y"] - t["size"] < top - 2 and "legend" not in t["classes"]:
                assert t["text"] in allowed, (slug, t["text"][:80], round(t["y"]))


def test_every_legend_entry_is_drawn_inside_the_slide(deck):
    """Was: with ~23 vendors the legend ran off the slide and "Pareto frontier" was missing."""
    for slug, fig, svg in deck:
        W, H = fig.layout.width, fig.layout.height
        want = [html.unescape(tr.name) for tr in fig.data
                if tr.showlegend is not False and tr.name and tr.visible is not False]
        if len(want) < 2 and fig.layout.showlegend is not True:
            continue  # Plotly draws no legend for a single trace
        drawn = [t for t in svg_texts(svg) if "legendtext" in t["classes"]]
        names = [t["text"] for t in drawn]
        assert sorted(set(names)) == sorted(set(want)), (slug, set(want) ^ set(names))
        for t in drawn:
            assert 0 <= t["y"] <= H, (slug, t["text"], t["y"])
            assert t["x"] + 0.46 * t["size"] * len(t["text"]) <= W + 4, (slug, t["text"], t["x"])
        assert len(drawn) <= 13, (slug, "a slide legend longer than 13 rows is unreadable")


def test_frontier_slides_name_the_frontier_and_state_both_dates(deck):
    for slug, fig, svg in deck:
        if not slug.startswith("frontier-"):
            continue
        texts = " ".join(t["text"] for t in svg_texts(svg))
        assert "Pareto frontier" in texts
        meta = fig.layout.meta
        assert f"Data as of {meta['data_as_of']}" in texts and f"Market as of {meta['market_as_of']}" in texts
