"""The export panel under every dashboard chart (Streamlit UI layer): format, slide size, theme, title; images
rendered on the server on request, HTML/CSV/Parquet built when their button is clicked. The files themselves are
made by lib.export, the same code `python -m lib export` uses.
"""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pandas as pd
import streamlit as st

from lib import export, figures, share_panel


def export_panel(
    fig, points_df: pd.DataFrame | None, name: str, *, sources: pd.DataFrame | None = None, lazy: bool = False
) -> None:
    """Export panel under a chart: format, slide size, theme, title/subtitle; the footer names the sources.

    Images (PNG/SVG/PDF) are rendered on the server by kaleido + Chromium only when "Render" is pressed, and kept
    in the session until an option or the figure changes. HTML, CSV and Parquet are built when their download
    button is clicked. Without Chromium the page says so, offers the Plotly camera button set to the slide size
    (SVG, drawn by the browser) on a preview, and still offers HTML, CSV and Parquet.
    """
    if fig is None:
        return
    meta = figures.figure_meta(fig)
    has_browser = export.chromium_available()
    key = f"export_{re.sub(r'[^A-Za-z0-9_]', '_', name)}"
    panel = st.expander(
        "Export for slides and reports",
        icon=":material/download:",
        **({"key": f"{key}_open", "on_change": "rerun"} if lazy else {}),
    )
    if lazy and not panel.open:  # the widgets are built only once the panel is opened
        return
    with panel:
        c1, c2, c3, c4 = st.columns(4)
        formats = (list(export.FORMATS) if has_browser else ["html", "csv", "parquet"]) + ["pptx"]
        fmt = c1.selectbox("Format", formats, key=f"{key}_format", format_func=_EXPORT_FORMAT_LABELS.get)
        preset_name = c2.selectbox(
            "Size",
            list(export.SLIDE_PRESETS),
            key=f"{key}_preset",
            format_func=lambda p: f"{p} ({export.SLIDE_PRESETS[p].width}×{export.SLIDE_PRESETS[p].height})",
        )
        theme_name = c3.selectbox("Theme", list(export.THEMES), key=f"{key}_theme", format_func=str.capitalize)
        scale = c4.selectbox(
            "Resolution",
            [1.0, 2.0],
            key=f"{key}_scale",
            disabled=fmt != "png",
            format_func=lambda x: "1× (slide)" if x == 1 else "2× (high-DPI)",
        )
        t1, t2 = st.columns(2)
        title = t1.text_input("Title", value=str(meta.get("title") or ""), key=f"{key}_title")
        subtitle = t2.text_input("Subtitle", value="", key=f"{key}_subtitle", placeholder="optional")
        preset = export.SLIDE_PRESETS[preset_name].with_scale(scale if fmt == "png" else 1.0)
        names = source_names(sources)
        footer = export.footer_text(meta, names)
        st.caption("Footer: " + " · ".join(footer) if footer else "This chart records no sources.")

        def prepared():
            return export.prepare_for_export(
                fig, preset, theme_name, title=title, subtitle=subtitle or None, source_names=names
            )

        file_name = export.file_name(name, fmt)
        if fmt in ("csv", "parquet"):
            points = export.plotted_rows(fig, points_df)
            st.download_button(
                f"Download {fmt.upper()} ({len(points)} plotted points)",
                data=lambda: export.to_bytes(fig, fmt, points=points),
                file_name=file_name,
                mime=export.MIME_TYPES[fmt],
                key=f"{key}_dl_{fmt}",
                on_click="ignore",
                icon=":material/table:",
            )
        elif fmt == "html":
            st.download_button(
                "Download standalone HTML (works offline)",
                data=lambda: export.to_bytes(prepared(), "html"),
                file_name=file_name,
                mime=export.MIME_TYPES["html"],
                key=f"{key}_dl_html",
                on_click="ignore",
                icon=":material/code:",
            )
        elif fmt == "pptx":
            share_panel.pptx_controls(
                fig, name, key, preset=preset_name, theme=theme_name, title=title, subtitle=subtitle, sources=sources
            )
        else:
            _export_image_controls(
                prepared,
                _figure_signature(fig, fmt, preset, theme_name, title, subtitle, names),
                fmt,
                preset,
                file_name,
                key,
            )
        if not has_browser:
            st.info(
                "Server-side PNG, SVG and PDF need Chromium, which this server does not have. Use the camera "
                "icon on the preview below: your browser saves it as an SVG at slide size. HTML, CSV and "
                "Parquet work as usual.",
                icon=":material/info:",
            )
            st.plotly_chart(
                prepared(),
                key=f"{key}_preview",
                theme=None,
                config=export.toolbar_config(preset, "svg", file_name.rsplit(".", 1)[0]),
            )
        share_panel.embed_controls(fig, name, key, sources=sources)


_EXPORT_FORMAT_LABELS = {
    "png": "PNG image",
    "svg": "SVG (vector)",
    "pdf": "PDF (vector)",
    "html": "HTML (interactive)",
    "pptx": "PowerPoint (native chart)",
    "csv": "CSV (plotted points)",
    "parquet": "Parquet (plotted points)",
}


def source_names(sources: pd.DataFrame | None) -> dict:
    """Source id → the attribution printed in the export footer (ids as they are where `sources` lacks them)."""
    if sources is None or not len(sources):
        return {}
    return {r.source_id: (r.attribution or r.name) for r in sources.itertuples()}


def _figure_signature(fig, *options) -> str:
    """A cheap fingerprint of what the figure draws plus the export options: a stored render is reused only
    while both are unchanged."""
    h = hashlib.sha1(json.dumps([repr(o) for o in options]).encode())
    h.update(json.dumps(fig.layout.meta or {}, sort_keys=True, default=str).encode())
    for tr in fig.data:
        h.update(str(tr.name).encode())
        for attr in ("x", "y", "customdata"):
            v = getattr(tr, attr, None)
            if v is not None:
                h.update(np.asarray(v, dtype=object).astype(str).tobytes())
    return h.hexdigest()


def _export_image_controls(prepared, sig: str, fmt: str, preset, file_name: str, key: str) -> None:
    state_key = f"{key}_render"
    stored = st.session_state.get(state_key)
    if st.button(
        f"Render {fmt.upper()}",
        key=f"{key}_render_btn",
        icon=":material/image:",
        help="Renders on the server with Chromium; the first render of a session takes a few seconds.",
    ):
        try:
            with st.spinner(f"Rendering {fmt.upper()}…"):
                data = export.to_bytes(prepared(), fmt)
        except export.ExportError as exc:
            st.error(f"Could not render the {fmt.upper()}: {exc}. HTML and CSV still work.")
            return
        stored = {"sig": sig, "data": data, "file_name": file_name, "fmt": fmt}
        st.session_state[state_key] = stored
    if stored and stored["sig"] == sig:
        size = (
            f"{preset.width * (preset.scale if fmt == 'png' else 1):.0f}×"
            f"{preset.height * (preset.scale if fmt == 'png' else 1):.0f}"
        )
        st.download_button(
            f"Download {fmt.upper()} ({size}, {len(stored['data']) / 1024:.0f} kB)",
            data=stored["data"],
            file_name=stored["file_name"],
            mime=export.MIME_TYPES[fmt],
            key=f"{key}_dl_image",
            on_click="ignore",
            type="primary",
            icon=":material/download:",
        )
