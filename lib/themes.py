"""The one theme system: the colours of each theme and the Plotly template built from them.

Page figures (lib.figures, lib.insight_charts), slide exports (lib.export) and PowerPoint (lib.pptx_export) all read
these definitions, so a chart exported in a theme is the chart the page draws in it. Trace colours (one per vendor)
are never part of a theme. The theme names are `lib.constants.EXPORT_THEMES`.
"""

from __future__ import annotations

from collections.abc import Iterable

import plotly.graph_objects as go

from lib.constants import EXPORT_THEMES

FONT = "Inter, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

# paper/plot: backgrounds; text: titles, ticks, legend; muted: footers, subtitles, secondary marks; grid, line: axes;
# accent: the frontier line and pair labels; tag_bg: the background of a label drawn over points.
THEMES: dict[str, dict[str, str]] = {
    "light": {"paper": "#FFFFFF", "plot": "#FFFFFF", "text": "#1F2937", "muted": "#6B7280", "grid": "#E5E7EB",
              "line": "#9CA3AF", "accent": "#111827", "tag_bg": "rgba(255,255,255,0.92)"},
    "dark": {"paper": "#0E1117", "plot": "#0E1117", "text": "#E5E7EB", "muted": "#9CA3AF", "grid": "#2A2F3A",
             "line": "#6B7280", "accent": "#F9FAFB", "tag_bg": "rgba(14,17,23,0.92)"},
    # black on white for printed handouts: pure black text and axes, a light grid
    "print": {"paper": "#FFFFFF", "plot": "#FFFFFF", "text": "#000000", "muted": "#333333", "grid": "#D0D0D0",
              "line": "#000000", "accent": "#000000", "tag_bg": "rgba(255,255,255,0.95)"},
}
assert tuple(THEMES) == EXPORT_THEMES  # the CLI and the export panel offer these names


def colours(theme: str) -> dict[str, str]:
    """The colours of `theme`; ValueError naming the choices for an unknown one."""
    try:
        return THEMES[theme]
    except KeyError:
        raise ValueError(f"unknown theme {theme!r}; expected one of {', '.join(THEMES)}") from None


def template(theme: str, colorway: Iterable[str] = ()) -> go.layout.Template:
    """The Plotly template of `theme` (the page's look; exports resize it for slides)."""
    c = colours(theme)
    t = go.layout.Template()
    axis = dict(gridcolor=c["grid"], zerolinecolor=c["grid"], linecolor=c["line"], tickcolor=c["line"], showline=True,
                ticks="outside", title=dict(font=dict(size=13)))
    t.layout = go.Layout(
        paper_bgcolor=c["paper"], plot_bgcolor=c["plot"], font=dict(family=FONT, size=13, color=c["text"]),
        title=dict(font=dict(size=18, color=c["text"]), x=0.0, xanchor="left"),
        xaxis=axis, yaxis=axis,
        legend=dict(bgcolor="rgba(0,0,0,0)", font=dict(size=12)),
        hoverlabel=dict(font=dict(family=FONT, size=12)),
        colorway=list(colorway) or None,
        margin=dict(l=64, r=24, t=56, b=56),
    )
    return t
