"""Sharing a dashboard chart (Streamlit UI layer): "Download as PowerPoint" (this chart, or the whole standard deck)
and "Copy embed code" (an iframe of the chart-only view, or a standalone HTML file), and that chart-only view.

The files are made by lib.pptx_export and lib.embed, the same code `python -m lib export` uses.
"""
from __future__ import annotations

import argparse

import pandas as pd
import streamlit as st

from lib import embed

TTL = "1h"
EMBED_KEY = "embedded_chart"
# Chart-only view: Streamlit's own `embed=true` drops the toolbar and padding; this hides the sidebar and every
# block of the page except the one holding the chart and its attribution line.
_EMBED_CSS = f"""<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stTabs"] [role="tablist"]
{{ display: none !important; }}
[data-testid="stMain"] [data-testid="stVerticalBlock"] > *:not(.st-key-{EMBED_KEY}):not(:has(.st-key-{EMBED_KEY})):not(.st-key-{EMBED_KEY} *) {{ display: none !important; }}
</style>"""


def embed_target() -> str | None:
    """The chart named in the URL's `chart=` parameter: the page is then its chart-only view."""
    value = st.query_params.get(embed.CHART_PARAM)
    return str(value) if value else None


def chart_only(fig, name: str, credit: str, *, key: str | None = None) -> None:
    """The chart-only view: the chart, its attribution line and a link to the full page; the rest of the page is
    hidden and the script stops here."""
    st.html(_EMBED_CSS)
    with st.container(key=EMBED_KEY):
        st.plotly_chart(fig, key=key, theme=None, config={"displaylogo": False, "scrollZoom": False})
        st.caption(credit)
        url = _page_url()
        if url:
            params = {k: v for k, v in st.query_params.to_dict().items() if k != embed.CHART_PARAM}
            st.caption(f"[Open the interactive dashboard]({embed.embed_url(url, params, name).split('&chart=')[0]})")
    st.stop()


def _page_url() -> str:
    try:
        return st.context.url or ""
    except Exception:  # noqa: BLE001 - outside a browser session (AppTest)
        return ""


def embed_controls(fig, name: str, key: str, *, sources: pd.DataFrame | None = None) -> None:
    """"Copy embed code": the iframe markup of this chart's chart-only view (the code block has a copy button), and
    a standalone HTML file with the data inlined for pages that cannot iframe."""
    from lib import views

    meta = dict(fig.layout.meta or {})
    credit = views.credit_text(meta.get("sources", []), sources, meta.get("data_as_of", ""))
    url = embed.embed_url(_page_url(), st.query_params.to_dict(), name)
    st.markdown("**Copy embed code** (an iframe of this chart with the current filters and its sources line)")
    st.code(embed.iframe_code(url, str((fig.layout.meta or {}).get("title") or name)), language="html",
            wrap_lines=True)
    st.download_button("Download standalone HTML (data inlined, for pages that cannot iframe)",
                       data=lambda: embed.standalone_html(fig, credit, link=url.replace("&embed=true", "")),
                       file_name=f"{name}-embed.html", mime="text/html", key=f"{key}_dl_embed", on_click="ignore",
                       icon=":material/code:")


def pptx_controls(fig, name: str, key: str, *, preset: str, theme: str, title: str, subtitle: str,
                  sources: pd.DataFrame | None = None) -> None:
    """"Download as PowerPoint": this chart as a native, editable chart slide, or the whole standard deck
    (both built on click; the deck cached per data version)."""
    from lib import pptx_export, ui

    db = ui.connection()
    metrics = ui.load_metrics(db, db.version)
    if sources is None:
        sources = ui.load_sources(db, db.version)

    if preset not in pptx_export.SLIDE_SIZES_IN:
        preset = "16:9"
    c1, c2 = st.columns(2)
    c1.download_button("Download as PowerPoint (this chart)",
                       data=lambda: pptx_export.chart_bytes(fig, preset=preset, theme=theme, title=title or None,
                                                            subtitle=subtitle or None, sources=sources,
                                                            metrics=metrics),
                       file_name=f"{name}.pptx", mime=pptx_export.MIME_TYPE, key=f"{key}_dl_pptx",
                       on_click="ignore", type="primary", icon=":material/slideshow:")
    c2.download_button("Download the whole deck as PowerPoint",
                       data=lambda: deck_bytes(db, preset, theme), file_name="llm-frontier-deck.pptx",
                       mime=pptx_export.MIME_TYPE, key=f"{key}_dl_deck", on_click="ignore",
                       icon=":material/slideshow:",
                       help="Title slide, the standard charts (frontier today and a year ago, generations, trend, "
                            "price histories) and a sources slide; native charts, sources in the speaker notes. "
                            "Built on the click: the first one takes several seconds (the button spins "
                            "meanwhile); later clicks reuse it while the data is unchanged.")
    st.caption("Native PowerPoint charts: restyle, recolour and edit the data in PowerPoint, Keynote or Google "
               "Slides. Sources, the metric's definition and the price basis are in the speaker notes.")


def deck_bytes(db, preset: str, theme: str) -> bytes:
    """The standard deck (as `python -m lib export --deck DIR --format pptx`) for this data version."""
    return _deck_bytes(db, db.version, preset, theme)


@st.cache_data(ttl=TTL, max_entries=6, show_spinner=False)
def _deck_bytes(_db, version: str, preset: str, theme: str) -> bytes:
    from lib.commands import export as export_cmd

    parser = argparse.ArgumentParser()
    export_cmd.add_arguments(parser)
    args = parser.parse_args(["--deck", "-", "--format", "pptx", "--preset", preset, "--theme", theme])
    with _db.cursor() as cur:  # Db.cursor() is a context manager (the file is not swapped under the build)
        data, _ = export_cmd.pptx_deck(cur, args)
    return data
