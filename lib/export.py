"""Export of figures for slides and reports: presets, themes, a sources footer, and PNG/SVG/PDF/HTML/CSV/Parquet bytes.

Static images are rendered by kaleido 1.x in the system Chromium, kept warm in one background thread per process;
plotly.js comes from plotly.py's bundled copy and MathJax is off, so an export makes no network access.
"""
from __future__ import annotations

import asyncio
import atexit
import contextvars
import html
import io
import math
import os
import shutil
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lib import figures, themes
from lib.constants import DATA_FORMATS, EXPORT_THEMES, IMAGE_FORMATS, SLIDE_PRESET_NAMES
from lib.constants import EXPORT_FORMATS as FORMATS
from lib.safe_csv import neutralise_formulas, to_csv_bytes
from lib.views import clean_text

__all__ = [
    "SLIDE_PRESETS", "THEMES", "IMAGE_FORMATS", "DATA_FORMATS", "FORMATS", "MIME_TYPES", "Preset",
    "prepare_for_export", "footer_text", "to_bytes", "points_frame", "trace_points", "labelled_points",
    "neutralise_formulas", "chromium_path", "chromium_available", "warm_up", "toolbar_config", "axis_value",
    "add_data_annotation", "file_name", "ExportError", "OFFLINE_FLAGS", "BLACKHOLE_PROXY",
]


@dataclass(frozen=True)
class Preset:
    """A slide size in CSS pixels; `scale` multiplies the pixels of raster output (2 = high-DPI)."""

    name: str
    width: int
    height: int
    scale: float = 1.0

    def with_scale(self, scale: float | None) -> "Preset":
        return self if scale is None else Preset(self.name, self.width, self.height, float(scale))


SLIDE_PRESETS: dict[str, Preset] = {
    "16:9": Preset("16:9", 1920, 1080),
    "4:3": Preset("4:3", 1600, 1200),
    "square": Preset("square", 1080, 1080),
}

# The themes are lib/themes.py's, the page's own: an export in a theme is the chart the page draws in it, laid out
# for a slide. Trace colours (one per vendor, the same on every page) are never touched.
THEMES = themes.THEMES
assert tuple(SLIDE_PRESETS) == SLIDE_PRESET_NAMES and tuple(THEMES) == EXPORT_THEMES  # the CLI offers these names

MIME_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "html": "text/html",
              "csv": "text/csv", "parquet": "application/vnd.apache.parquet"}

RENDER_TIMEOUT_S = 60.0
FONT_FAMILY = "Inter, 'Helvetica Neue', Helvetica, Arial, 'DejaVu Sans', sans-serif"


class ExportError(RuntimeError):
    """A static image could not be rendered (no Chromium, or the browser failed)."""


# --- layout for slides -------------------------------------------------------------------------------------------

def _preset(preset) -> Preset:
    if isinstance(preset, Preset):
        return preset
    try:
        return SLIDE_PRESETS[preset]
    except KeyError:
        raise ValueError(f"unknown preset {preset!r}; expected one of {', '.join(SLIDE_PRESETS)}") from None


def _theme(theme: str) -> dict:
    return themes.colours(theme)


def _meta(fig) -> dict:
    meta = fig.layout.meta
    return dict(meta) if isinstance(meta, dict) else {}


def _esc(text) -> str:
    # Plotly renders a small HTML subset in titles and annotations: data text must not become markup.
    return html.escape(str(text), quote=False)


def footer_text(meta: dict, source_names: dict | None = None) -> list[str]:
    """The footer's plain-text lines: sources (ids mapped through `source_names`), then "data as of", metric
    and price definition."""
    meta = _source_names(meta, source_names)
    lines = []
    sources = [str(s) for s in (meta.get("sources") or []) if str(s).strip()]
    if sources:
        lines.append("Sources: " + "; ".join(dict.fromkeys(sources)))
    facts = []
    if meta.get("data_as_of"):
        facts.append(f"Data as of {meta['data_as_of']}")
    if meta.get("market_as_of"):
        facts.append(f"Market as of {meta['market_as_of']}")
    if meta.get("metric_label"):
        facts.append(f"Quality: {meta['metric_label']}")
    if meta.get("price_label"):
        facts.append(f"Price: {meta['price_label']}")
    if facts:
        lines.append(" · ".join(facts))
    return lines


def _wrap(lines: list[str], chars: int) -> list[str]:
    out = []
    for line in lines:
        out.extend(textwrap.wrap(line, width=max(chars, 20), break_long_words=False, break_on_hyphens=False) or [""])
    return out


def _title_text(fig, meta: dict) -> str:
    t = fig.layout.title.text if fig.layout.title else None
    return str(meta.get("title") or t or "")


def _scale_sizes(fig, k: float, font_k: float) -> None:
    """Markers, lines and labels drawn for a 700-px screen chart are too small on a 1920-px slide."""
    for tr in fig.data:
        marker = getattr(tr, "marker", None)
        if marker is not None and getattr(marker, "size", None) is not None:
            size = marker.size
            marker.size = (np.asarray(size, dtype=float) * k) if np.ndim(size) else float(size) * k
        line = getattr(tr, "line", None)
        if line is not None and getattr(line, "width", None) is not None and not np.ndim(line.width):
            line.width = float(line.width) * k
        elif line is not None and getattr(tr, "mode", None) and "lines" in tr.mode:
            line.width = 2.0 * k
        textfont = getattr(tr, "textfont", None)
        if textfont is not None and textfont.size is not None and not np.ndim(textfont.size):
            textfont.size = round(float(textfont.size) * font_k)
    for ann in fig.layout.annotations:
        if ann.font is not None and ann.font.size is not None:
            ann.font.size = round(float(ann.font.size) * font_k)
        if ann.arrowwidth is not None:
            ann.arrowwidth = float(ann.arrowwidth) * k


def _source_names(meta: dict, source_names: dict | None) -> dict:
    if not source_names:
        return meta
    named = [source_names.get(s, s) for s in meta.get("sources") or []]
    return {**meta, "sources": named}


def prepare_for_export(fig, preset="16:9", theme: str = "light", title: str | None = None,
                       subtitle: str | None = None, source_names: dict | None = None):
    """A copy of `fig` laid out for a slide: size, theme, editable title/subtitle, and a sources footer.

    The title defaults to `layout.meta["title"]` (else the figure's own title); the footer is built from
    `layout.meta` (sources, data_as_of, metric_label, price_label); `source_names` maps source ids to the names
    printed there. Animation controls (play button, slider, frames) are dropped: an export is the current view.
    The input figure is not changed.
    """
    import plotly.graph_objects as go


    p = _preset(preset)
    # A deep copy, without the replay frames it drops; laid out below without Plotly's validation of every value
    # set (most of the time an export took in Python, ~60 ms: the values are the page's own, already validated,
    # and the slide layout's constants), then validated again as any figure for whoever changes it next.
    out = go.Figure(data=fig.data, layout=fig.layout, _validate=False)
    figures._unvalidating(out)
    try:
        _lay_out_for_slide(out, fig, p, theme, title, subtitle, source_names)
    finally:
        figures._validating(out)
    return out


def _lay_out_for_slide(out, fig, p: Preset, theme: str, title: str | None, subtitle: str | None,
                       source_names: dict | None) -> None:
    th = _theme(theme)
    out.frames = []
    out.layout._validate = True  # validated, an empty list removes them (unvalidated, it would stay in the JSON)
    out.layout.updatemenus = []
    out.layout.sliders = []
    out.layout._validate = False
    figures.apply_theme(out, theme)  # the page's template of this theme, frontier and label colours following
    meta = _source_names(_meta(fig), source_names)
    W, H = p.width, p.height
    unit = min(W, H) / 1080.0
    base = round(20 * unit * (1.1 if W / H < 1.5 else 1.0))
    title_size, sub_size, foot_size = round(base * 1.7), round(base * 1.1), round(base * 0.75)

    title_text = _title_text(fig, meta) if title is None else title
    if subtitle is None:
        subtitle = meta.get("subtitle") or ""
    foot_lines = _wrap(footer_text(meta), int((W - 80 * unit) / (foot_size * 0.52)))

    left, right = round(110 * unit), round(50 * unit)
    # Plotly does not wrap titles: break long ones ourselves (bold glyphs average ~0.56 em).
    title_lines = _wrap([title_text], int((W - left - right) / (title_size * 0.56))) if title_text else []
    sub_lines = _wrap([subtitle], int((W - left - right) / (sub_size * 0.52))) if subtitle else []
    top = round(36 * unit + len(title_lines) * title_size * 1.25 + len(sub_lines) * sub_size * 1.35
                + (sub_size * 0.4 if sub_lines else 0) + 20 * unit)
    axis_block = round(base * 3.4)  # tick labels + axis title
    foot_block = round(len(foot_lines) * foot_size * 1.35 + 24 * unit) if foot_lines else 0
    bottom = axis_block + foot_block

    _scale_sizes(out, max(1.0, min(2.0, min(W, H) / 720.0)), base / 13.0)
    out.update_layout(
        width=W, height=H, autosize=False,
        paper_bgcolor=th["paper"], plot_bgcolor=th["plot"],
        font=dict(family=FONT_FAMILY, size=base, color=th["text"]),
        margin=dict(l=left, r=right, t=top, b=bottom, pad=4, autoexpand=True),
        hoverlabel=dict(font_size=base),
        # drawn below as annotations (Plotly's own title mis-anchors wrapped lines); the figure's own subtitle
        # (the frontier's pair key) becomes the export's subtitle, so it is not drawn a second time
        title=dict(text="", subtitle=dict(text="")),
    )
    if out.layout.showlegend is not False:
        out.update_layout(legend=dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top",
                                      bgcolor="rgba(0,0,0,0)", font=dict(size=round(base * 0.9), color=th["text"]),
                                      title=dict(font=dict(color=th["text"]))))
    axis_style = dict(gridcolor=th["grid"], linecolor=th["line"], zerolinecolor=th["grid"], tickcolor=th["line"],
                      tickfont=dict(size=round(base * 0.9), color=th["text"]),
                      title=dict(font=dict(size=base, color=th["text"])), automargin=True)
    out.update_xaxes(**axis_style)
    out.update_yaxes(**axis_style)
    for ann in out.layout.annotations:
        if ann.font is None or ann.font.color is None:
            ann.update(font=dict(color=th["text"]))

    # Title, subtitle and footer are paper-anchored annotations at the plot's left edge, placed in the margins.
    plot_h = H - top - bottom
    y_top = 1 + (top - 28 * unit) / plot_h
    if title_lines:
        out.add_annotation(text="<br>".join(f"<b>{_esc(t)}</b>" for t in title_lines), name="export-title",
                           xref="paper", yref="paper", x=0, xanchor="left", align="left", y=y_top, yanchor="top",
                           showarrow=False, font=dict(size=title_size, color=th["text"]))
    if sub_lines:
        y_sub = y_top - (len(title_lines) * title_size * 1.25 + sub_size * 0.4) / plot_h
        out.add_annotation(text="<br>".join(_esc(t) for t in sub_lines), name="export-subtitle",
                           xref="paper", yref="paper", x=0, xanchor="left", align="left", y=y_sub, yanchor="top",
                           showarrow=False, font=dict(size=sub_size, color=th["muted"]))
    if foot_lines:
        out.add_annotation(
            text="<br>".join(_esc(line) for line in foot_lines), name="export-footer",
            xref="paper", yref="paper", x=0, xanchor="left", align="left",
            y=-(bottom - 14 * unit) / plot_h, yanchor="bottom", showarrow=False,
            font=dict(size=foot_size, color=th["muted"]),
        )
    out.layout.meta = {**meta, "export": {"preset": p.name, "theme": theme, "width": W, "height": H,
                                          "scale": p.scale, "footer": foot_lines}}


def toolbar_config(preset="16:9", fmt: str = "svg", filename: str = "chart") -> dict:
    """`config` for st.plotly_chart: the Plotly toolbar's camera button downloads at slide size (browser-side)."""
    p = _preset(preset)
    return {"displaylogo": False,
            "toImageButtonOptions": {"format": fmt, "filename": filename, "width": p.width, "height": p.height,
                                     "scale": p.scale}}


def file_name(name: str, fmt: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in str(name)).strip("-.") or "chart"
    return f"{safe}.{fmt}"


# --- annotations on log axes -------------------------------------------------------------------------------------

def _axis_for_ref(fig, ref: str):
    """The layout axis behind a reference like 'x', 'x2', 'y domain'; None for paper/pixel references."""
    ref = str(ref or "").split(" ")[0]
    if not ref or ref == "paper" or ref == "pixel" or ref[0] not in "xy":
        return None
    name = f"{ref[0]}axis{ref[1:]}"
    return fig.layout[name] if name in fig.layout else None


def axis_value(fig, ref: str, value):
    """`value` in the coordinates Plotly expects for an annotation on axis `ref`: log10 on a log axis."""
    ax = _axis_for_ref(fig, ref)
    if ax is not None and ax.type == "log" and value is not None:
        v = float(value)
        if not v > 0:
            raise ValueError(f"cannot place {value!r} on a log axis")
        return math.log10(v)
    return value


def add_data_annotation(fig, x, y, text: str, xref: str = "x", yref: str = "y", **kwargs):
    """Annotate the data point (x, y) in data units; log axes are converted (Plotly wants log10 there).

    `ax`/`ay` given with `axref`/`ayref` on a data axis are converted too. Returns the figure.
    """
    if kwargs.get("axref") not in (None, "pixel") and "ax" in kwargs:
        kwargs["ax"] = axis_value(fig, kwargs["axref"], kwargs["ax"])
    if kwargs.get("ayref") not in (None, "pixel") and "ay" in kwargs:
        kwargs["ay"] = axis_value(fig, kwargs["ayref"], kwargs["ay"])
    fig.add_annotation(x=axis_value(fig, xref, x), y=axis_value(fig, yref, y), xref=xref, yref=yref,
                       text=text, **kwargs)
    return fig


# --- the plotted points ------------------------------------------------------------------------------------------

def plain_array(values):
    """A trace array as a plain sequence. A figure that went through pickling (st.cache_data) holds numeric
    arrays in Plotly's typed-array form {"dtype", "bdata"[, "shape"]}: decode it."""
    if isinstance(values, dict) and "bdata" in values:
        import base64

        arr = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
        shape = values.get("shape")
        if shape:
            arr = arr.reshape([int(n) for n in str(shape).split(",")])
        return arr
    return values


def _column(values, n: int):
    if values is None:
        return None
    if isinstance(values, (str, bytes)) or np.ndim(values) == 0:
        return [values] * n
    return list(values)


def _plain(text) -> str:
    """Axis title without Plotly's HTML subset, for a column header."""
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", str(text or ""))).strip()


def points_frame(fig) -> pd.DataFrame:
    """Exactly the points the figure draws: one row per (trace, point) with x and y set (finite where numeric).

    Columns: series (the trace name), model_id (first customdata field), x, y, and label (the trace's text)
    when present. Builders may name all customdata fields with `layout.meta["customdata_columns"]`; then every
    field is a column. Hidden traces (visible=False) and legend-only placeholders (x=[None]) are left out.
    """
    named = list(_meta(fig).get("customdata_columns") or [])
    frames = [trace_points(tr, i, named) for i, tr in enumerate(fig.data)]
    frames = [f for f in frames if len(f)]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["series", "model_id", "x", "y"])
    return out.infer_objects()


def trace_points(tr, i: int = 0, named: list | tuple = ()) -> pd.DataFrame:
    """The rows `points_frame` gives for one trace (the figure's `i`-th; `named`: its customdata columns), read
    straight off the trace into one frame: a frame grown column by column, or a trace wrapped in a new Figure,
    costs tens of milliseconds per trace, which a deck of a hundred traces feels."""
    if tr.visible is False:
        return pd.DataFrame(columns=["series", "model_id", "x", "y"])
    x, y = plain_array(getattr(tr, "x", None)), plain_array(getattr(tr, "y", None))
    if x is None or y is None:
        return pd.DataFrame(columns=["series", "model_id", "x", "y"])
    x, y = list(x), list(y)
    n = min(len(x), len(y))
    cols = {"series": [tr.name if tr.name is not None else f"trace {i}"] * n}
    cd = plain_array(getattr(tr, "customdata", None))
    arr = None
    if cd is not None and len(cd):
        arr = np.asarray(cd, dtype=object)
        arr = arr.reshape(-1, 1) if arr.ndim == 1 else arr
        arr = np.vstack([arr[:n], np.full((max(0, n - arr.shape[0]), arr.shape[1]), None, dtype=object)])
    cols["model_id"] = list(arr[:, 0]) if arr is not None else [None] * n
    cols["x"], cols["y"] = x[:n], y[:n]
    if named and arr is not None:
        for j in range(1, min(arr.shape[1], len(named))):
            cols[named[j]] = list(arr[:, j])
    text = _column(getattr(tr, "text", None), n)
    if text is not None:
        cols["label"] = (text + [None] * n)[:n]
    keep = np.ones(n, dtype=bool)
    for axis in ("x", "y"):
        values = np.empty(n, dtype=object)
        values[:] = cols[axis]
        missing = np.asarray(pd.isna(values), dtype=bool)
        keep &= ~missing
        num = np.asarray(pd.to_numeric(values, errors="coerce"), dtype=float)
        if (~np.isnan(num) | missing).all():  # a numeric axis: NaN/inf are not drawn
            keep &= np.isfinite(num)
    df = pd.DataFrame(cols)
    return df if keep.all() else df.loc[keep]


def labelled_points(fig) -> pd.DataFrame:
    """`points_frame` with x and y named after the axis titles (what the CSV download carries)."""
    df = points_frame(fig)
    names = {}
    for axis in ("x", "y"):
        ax = fig.layout[f"{axis}axis"]
        title = _plain(ax.title.text) if ax is not None and ax.title is not None else ""
        if title and title not in df.columns:
            names[axis] = title
    return df.rename(columns=names)


def plotted_rows(fig, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows a CSV/Parquet download writes: the chart's own rows (`lib.charts.Chart.points`) for the models
    the figure draws, else the points read off its traces (`labelled_points`). The page and the CLI both use it."""
    if rows is None or "model_id" not in getattr(rows, "columns", ()):
        return labelled_points(fig)
    ids = set(points_frame(fig)["model_id"].dropna().astype(str))
    return rows.loc[rows["model_id"].astype(str).isin(ids)].reset_index(drop=True)


# --- Chromium and the warm kaleido renderer ----------------------------------------------------------------------

_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def chromium_path() -> str | None:
    """The browser kaleido will use: `BROWSER_PATH` if set (and executable), else Chromium/Chrome on PATH."""
    env = os.environ.get("BROWSER_PATH")
    if env is not None:
        return env if os.path.isfile(env) and os.access(env, os.X_OK) else None
    for name in _BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def chromium_available() -> bool:
    return chromium_path() is not None


def _local_plotlyjs() -> Path:
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise ExportError(f"plotly.js not found at {path}; refusing to fetch it from a CDN")
    return path


# Headless Chromium still phones home on start (component updater, time check, search-engine and account
# prefetches: seen in tests/test_export.py's network probe). These switches stop that; the proxy below catches
# anything left, so no request leaves the machine.
OFFLINE_FLAGS = (
    "--disable-background-networking", "--disable-component-update", "--disable-domain-reliability",
    "--disable-client-side-phishing-detection", "--disable-default-apps", "--disable-sync", "--no-pings",
    "--dns-prefetch-disable", "--no-service-autorun", "--disable-breakpad", "--metrics-recording-only",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,"
    "CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions,NetworkTimeServiceQuerying,"
    "PreconnectToSearch,SearchPrefetchServicePrefetching,LoadingPredictorUseLocalPredictions,"
    "NetworkPrediction,AccountConsistency,DiceWebSigninInterception,SigninInterceptBubble",
    "--disable-signin-promo", "--disable-search-engine-choice-screen",
)
# Nothing listens on the discard port: a request that slips through fails at once, on loopback.
BLACKHOLE_PROXY = "http://127.0.0.1:9"


def _offline_browser_cls():
    from choreographer.browsers.chromium import Chromium

    class OfflineChromium(Chromium):
        def get_cli(self):
            return [*super().get_cli(), *OFFLINE_FLAGS]

    return OfflineChromium


# Image formats after which kaleido's tab is reused without a reload (see _Renderer._open), and how many
# renders a tab serves before it is reloaded anyway.
_KEEP_TAB_FORMATS = frozenset({"png", "svg", "jpeg", "webp"})
_KEEP_TAB: contextvars.ContextVar[bool] = contextvars.ContextVar("kaleido_keep_tab", default=False)
RELOAD_EVERY = 50


class _Renderer:
    """One headless Chromium driven by kaleido on a private asyncio loop in a daemon thread.

    Why not `kaleido.start_sync_server()`: its server thread dies silently when the browser cannot start, and
    every later call then waits forever; here each call has a timeout and a failed start raises. The loop also
    serialises concurrent callers (Streamlit sessions run in threads).
    """

    def __init__(self, browser: str):
        self.browser = browser
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kaleido-export", daemon=True)
        self._thread.start()
        self._kaleido = None
        self._pending_reloads: set = set()
        try:
            self._kaleido = self._call(self._open(), RENDER_TIMEOUT_S)
        except BaseException:
            self._loop.call_soon_threadsafe(self._loop.stop)
            raise

    async def _open(self):
        import kaleido

        class _Kaleido(kaleido.Kaleido):
            """Kaleido reloads its tab after every render (re-parsing the 4.6 MB plotly.js: about as much Chromium
            CPU as drawing a slide, and the next export waits for it). `Plotly.toImage` draws in a detached div
            it purges, so after a PNG/SVG/JPEG/WebP render the page is as loaded and the tab goes straight back
            to the queue. It is reloaded, in the background, after a PDF (which leaves the image and a page
            style in the document), after a failed render, and every `RELOAD_EVERY` renders (bounds anything
            plotly.js keeps between plots)."""

            async def _render_task(self, fig_arg, **kwargs):
                fmt = (fig_arg.get("opts") or {}).get("format")
                token = _KEEP_TAB.set(fmt in _KEEP_TAB_FORMATS)
                try:
                    return await super()._render_task(fig_arg, **kwargs)
                except BaseException:
                    dirty.set()  # the tab went back already: the next render reloads it first
                    raise
                finally:
                    _KEEP_TAB.reset(token)

            async def _get_kaleido_tab(self):
                tab = await super()._get_kaleido_tab()
                if dirty.is_set():
                    dirty.clear()
                    await tab.reload()
                    renders[0] = 0
                return tab

            async def _return_kaleido_tab(self, tab):
                renders[0] += 1
                if _KEEP_TAB.get() and renders[0] < RELOAD_EVERY:
                    await self.tabs_ready.put(tab)
                    return
                renders[0] = 0
                task = asyncio.ensure_future(super()._return_kaleido_tab(tab))
                pending_reloads.add(task)
                task.add_done_callback(pending_reloads.discard)

        dirty = asyncio.Event()
        renders = [0]
        pending_reloads = self._pending_reloads

        # plotlyjs: the local bundle (kaleido would otherwise fall back to cdn.plot.ly); mathjax=False: its
        # default is a CDN script tag, loaded on every page even when no LaTeX is drawn.
        # CHOREO_PROXY_SERVER (choreographer's own setting) overrides the black hole, e.g. to record requests.
        k = _Kaleido(n=1, path=self.browser, plotlyjs=str(_local_plotlyjs()), mathjax=False,
                            timeout=RENDER_TIMEOUT_S, browser_cls=_offline_browser_cls(), enable_extensions=False,
                            proxy_server=os.environ.get("CHOREO_PROXY_SERVER") or BLACKHOLE_PROXY)
        await k.open()
        return k

    def _call(self, coro, timeout: float):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def alive(self) -> bool:
        return self._thread.is_alive() and self._kaleido is not None

    def render(self, fig_dict: dict, opts: dict) -> bytes:
        return self._call(self._kaleido.calc_fig(fig_dict, opts=opts), RENDER_TIMEOUT_S + 5)

    def close(self) -> None:
        if self._kaleido is not None:
            try:
                self._call(self._kaleido.close(), 10)
            except Exception:  # noqa: BLE001 - the process is exiting anyway
                pass
        self._loop.call_soon_threadsafe(self._loop.stop)


_renderer: _Renderer | None = None
_renderer_lock = threading.Lock()


def _get_renderer() -> _Renderer:
    global _renderer
    with _renderer_lock:
        if _renderer is not None and _renderer.alive():
            return _renderer
        browser = chromium_path()
        if browser is None:
            raise ExportError("no Chromium found (install the `chromium` package or set BROWSER_PATH); "
                              "PNG, SVG and PDF need it, HTML and CSV do not")
        try:
            _renderer = _Renderer(browser)
        except Exception as exc:  # noqa: BLE001 - surfaced as one clear error
            _renderer = None
            raise ExportError(f"could not start Chromium at {browser}: {exc}") from exc
        return _renderer


def warm_up() -> None:
    """Start the browser now (e.g. at app start) so the first export is fast."""
    _get_renderer()


def warm_up_in_background() -> None:
    """Start the browser in a thread while the caller loads data and builds the figure; a failure here is
    reported by the export that needs the browser."""
    def start():
        try:
            _get_renderer()
        except ExportError:
            pass

    threading.Thread(target=start, name="kaleido-warm-up", daemon=True).start()


@atexit.register
def _shutdown() -> None:
    if _renderer is not None:
        _renderer.close()


def _render_image(fig, fmt: str, scale: float | None) -> bytes:
    width = fig.layout.width or SLIDE_PRESETS["16:9"].width
    height = fig.layout.height or SLIDE_PRESETS["16:9"].height
    if scale is None:
        scale = (_meta(fig).get("export") or {}).get("scale", 1.0)
    opts = {"format": fmt, "width": int(width), "height": int(height), "scale": float(scale)}
    renderer = _get_renderer()
    try:
        return renderer.render(fig.to_dict(), opts)
    except Exception as exc:  # noqa: BLE001
        raise ExportError(f"{fmt.upper()} export failed: {exc}") from exc


def _html_bytes(fig) -> bytes:
    meta = _meta(fig)
    exp = meta.get("export") or {}
    config = toolbar_config(SLIDE_PRESETS.get(exp.get("preset"), SLIDE_PRESETS["16:9"]), "png",
                            str(meta.get("title") or "chart"))
    # include_plotlyjs=True inlines the whole bundle: the file opens offline, with no CDN.
    text = fig.to_html(include_plotlyjs=True, full_html=True, config=config, include_mathjax=False,
                       default_width=f"{exp.get('width', 1920)}px", default_height=f"{exp.get('height', 1080)}px")
    title = _esc(meta.get("title") or "chart")
    text = text.replace("<head>", f'<head><meta charset="utf-8"><title>{title}</title>', 1)
    return text.encode("utf-8")


def _data_frame(fig, points: pd.DataFrame | None) -> pd.DataFrame:
    df = labelled_points(fig) if points is None else points
    return df.reset_index(drop=True)


def _clean_value(v):
    """Strings (in lists, dicts and object arrays too) without control or bidi-override characters."""

    if isinstance(v, str):
        return clean_text(v, one_line=False)
    if isinstance(v, dict):
        return {k: _clean_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(_clean_value(x) for x in v)
    if isinstance(v, np.ndarray) and v.dtype == object:
        return np.array([_clean_value(x) for x in v.ravel()], dtype=object).reshape(v.shape)
    return v


def without_control_characters(fig):
    """The figure with control characters removed from every text it carries (names from data): an SVG holding
    one is invalid XML, and PNG/PDF rendering breaks. The same figure object when there is nothing to remove."""
    import plotly.graph_objects as go

    raw = fig.to_plotly_json()
    cleaned = _clean_value(raw)
    if _same(raw, cleaned):
        return fig
    return go.Figure(cleaned)


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape \
            and (a.dtype != object or all(x is y or x == y for x, y in zip(a.ravel(), b.ravel())))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a is b or a == b


def to_bytes(fig, fmt: str, points: pd.DataFrame | None = None, scale: float | None = None) -> bytes:
    """The file content of `fig` in `fmt` (png, svg, pdf, html, csv, parquet).

    Images use the figure's width/height (set by `prepare_for_export`) and `scale` (default: the preset's).
    csv/parquet hold `points` when given, else `labelled_points(fig)`; text cells are formula-neutralised.
    """
    fmt = fmt.lower()
    if fmt in IMAGE_FORMATS:
        return _render_image(without_control_characters(fig), fmt, scale)
    if fmt == "html":
        return _html_bytes(without_control_characters(fig))
    if fmt == "csv":
        return to_csv_bytes(_data_frame(fig, points))
    if fmt == "parquet":
        df = neutralise_formulas(_data_frame(fig, points))
        df.attrs = {}
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        return buf.getvalue()
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")

