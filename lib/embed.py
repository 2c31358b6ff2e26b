"""Embeddable charts: the iframe code for a chart-only view of a dashboard URL, and a standalone HTML file with
the chart's data and plotly.js inlined for pages that cannot iframe. Pure (no Streamlit).
"""
from __future__ import annotations

import html
from urllib.parse import urlencode, urlsplit, urlunsplit

__all__ = ["CHART_PARAM", "embed_url", "iframe_code", "standalone_html"]

# `embed=true` is Streamlit's own switch (no toolbar, header or padding); `chart` names the one chart to show.
CHART_PARAM = "chart"
EMBED_HEIGHT_PX = 620


def embed_url(page_url: str, query_params: dict, chart: str) -> str:
    """The chart-only view of `page_url` with the view's query parameters: `?…&chart=NAME&embed=true`."""
    parts = urlsplit(page_url or "")
    params = [(k, v) for k, vs in (query_params or {}).items() if k not in (CHART_PARAM, "embed", "embed_options")
              for v in (vs if isinstance(vs, (list, tuple)) else [vs])]
    params += [(CHART_PARAM, chart), ("embed", "true")]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(params, doseq=True), ""))


def iframe_code(url: str, title: str, height: int = EMBED_HEIGHT_PX) -> str:
    """`<iframe>` markup for `url`; the title (from data) is attribute-escaped."""
    return (f'<iframe src="{html.escape(url, quote=True)}" title="{html.escape(title or "chart", quote=True)}" '
            f'width="100%" height="{int(height)}" style="border:0" loading="lazy"></iframe>')


def standalone_html(fig, credit: str, *, link: str = "") -> bytes:
    """One HTML file: the interactive chart (plotly.js and the data inlined, no network access) at the page's width,
    and the attribution line under it. The block between the two comments can be pasted into another page."""
    import plotly.graph_objects as go

    out = go.Figure(data=fig.data, layout=fig.layout)  # a copy, without the replay frames it drops
    out.frames = []
    out.layout.updatemenus, out.layout.sliders = [], []
    out.update_layout(autosize=True, width=None)
    meta = dict(out.layout.meta or {})
    title = html.escape(str(meta.get("title") or "chart"), quote=False)
    div = out.to_html(full_html=False, include_plotlyjs=True, include_mathjax=False,
                      config={"displaylogo": False, "responsive": True},
                      default_width="100%", default_height=f"{int(out.layout.height or 560)}px")
    source = f' · <a href="{html.escape(link, quote=True)}">open in the dashboard</a>' if link else ""
    body = (f"<!-- chart: copy from here -->\n<figure class=\"llm-frontier-chart\" style=\"margin:0\">{div}"
            f"<figcaption style=\"font:12px system-ui,sans-serif;color:#57606a\">{html.escape(credit, quote=False)}"
            f"{source}</figcaption></figure>\n<!-- chart: to here -->")
    page = (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>"
            f"<body style=\"margin:0.5em\">\n{body}\n</body></html>\n")
    return page.encode("utf-8")
