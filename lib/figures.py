"""Pure Plotly figure builders for the dashboard and the exports: DataFrame in, `go.Figure` out, no Streamlit.

Every figure carries `layout.meta` (title, sources, data_as_of, metric_label, price_label) for the export footer,
and every trace a `name` and `customdata` whose first column is the model_id (or pair id) it shows.
"""
from __future__ import annotations

import copy
import datetime as dt
import html
import math
import re
import zlib
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib import themes
from lib.views import vendor_display_name

__all__ = [
    "VENDOR_COLOURS", "VENDOR_SYMBOLS", "USER_VENDOR", "WEBGL_THRESHOLD", "TEMPLATES", "vendor_colour",
    "vendor_symbol", "escape", "apply_theme", "frontier_figure", "generations_figure", "generation_drops_figure",
    "trend_figure", "frontier_price_over_time_figure", "price_history_figure", "calculator_figure",
    "empty_figure", "fmt_usd",
]

# SVG up to this many points, WebGL above. In a browser without GPU rendering (headless Chromium, many VMs and
# remote desktops) WebGL is drawn in software: the Frontier chart at 2,998 points took 6.2 s to plot as WebGL
# against 2.1 s as SVG, at 4,475 points 7.8 s against 3.6 s (docs/ARCHITECTURE.md). No view of the data has more
# than 5,000 models on one date.
WEBGL_THRESHOLD = 5000
USER_VENDOR = "yours"

# Okabe–Ito and Paul Tol "muted" colours: colour-blind safe and readable on white and on near-black. The largest
# vendors keep one colour on every chart; on one chart every vendor gets its own colour (vendor_colours), and a
# marker symbol doubles the cue for readers who cannot tell two colours apart.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#56B4E9", "#E69F00", "#CC79A7", "#882255", "#332288", "#999933",
           "#44AA99", "#AA4499", "#DDCC77", "#117733", "#CC6677"]
_PREFERRED_SLOT = {"openai": 0, "anthropic": 1, "google": 2, "meta": 3, "meta-llama": 3, "mistral": 4,
                   "mistralai": 4, "deepseek": 5, "qwen": 6, "alibaba": 6, "x-ai": 7, "xai": 7}
VENDOR_COLOURS: dict[str, str] = {**{v: PALETTE[i] for v, i in _PREFERRED_SLOT.items()}, USER_VENDOR: "#FFB000"}
_FALLBACK_COLOURS = PALETTE[8:]
_OTHER_COLOUR = "#9AA0A6"
OTHER_VENDOR = "other"
MAX_LEGEND_VENDORS = 10  # vendors beyond these are drawn as "other vendors": a slide legend has room for ~12 rows
VENDOR_SYMBOLS: dict[str, str] = {
    "openai": "circle", "anthropic": "square", "google": "diamond", "meta": "triangle-up", "meta-llama": "triangle-up", "mistral": "x", "mistralai": "x",
    "deepseek": "cross", "qwen": "triangle-down", "alibaba": "triangle-down", "x-ai": "pentagon", "xai": "pentagon",
    "cohere": "hexagon", "amazon": "star-square", "microsoft": "hourglass", "ai21": "bowtie",
    USER_VENDOR: "star",
}
_FALLBACK_SYMBOLS = ["circle", "square", "diamond", "triangle-down", "hexagon", "pentagon"]
# Symbols Scattergl can draw (WebGL has a smaller set).
_GL_SAFE = {"circle", "square", "diamond", "cross", "x", "triangle-up", "triangle-down", "star", "pentagon",
            "hexagon", "circle-open", "square-open", "diamond-open", "triangle-up-open", "hexagon-open"}


def _stable_index(text: str, n: int) -> int:
    return zlib.crc32(text.encode()) % n  # not hash(): that changes between processes


def vendor_colour(vendor) -> str:
    v = str(vendor or "").lower()
    if v in VENDOR_COLOURS:
        return VENDOR_COLOURS[v]
    if not v or v == "other":
        return _OTHER_COLOUR
    return _FALLBACK_COLOURS[_stable_index(v, len(_FALLBACK_COLOURS))]


def vendor_colours(vendors: Sequence[str]) -> dict[str, str]:
    """A colour per vendor of one chart, all different: the largest vendors keep their fixed colour, the others
    take the free palette colours in the order given ("other" is grey, the user's models amber)."""
    out, used = {}, set()
    rest = []
    for v in dict.fromkeys(str(x) for x in vendors):
        low = v.lower()
        if low == USER_VENDOR:
            out[v] = VENDOR_COLOURS[USER_VENDOR]
        elif low == OTHER_VENDOR or not low:
            out[v] = _OTHER_COLOUR
        elif low in _PREFERRED_SLOT and PALETTE[_PREFERRED_SLOT[low]] not in used:
            out[v] = PALETTE[_PREFERRED_SLOT[low]]
            used.add(out[v])
        else:
            rest.append(v)
    spare = ["#44AA99", "#DDCC77", "#117733", "#AA4499", "#999933", "#CC6677"]  # most distinct first
    free = [c for c in spare if c not in used]
    free += [c for c in PALETTE if c not in used and c not in free]
    for v in rest:
        out[v] = free.pop(0) if free else vendor_colour(v)
        used.add(out[v])
    return out


def legend_vendors(df: pd.DataFrame, max_vendors: int = MAX_LEGEND_VENDORS, keep: Sequence[str] = ()) -> list[str]:
    """The vendors that get their own legend entry: those of the frontier models and `keep` first, then the ones
    with most points, up to `max_vendors`; the chart draws the rest as "other vendors" (the hover still names
    each model's vendor)."""
    vendor = _col(df, "vendor", OTHER_VENDOR).fillna(OTHER_VENDOR).astype(str)
    counts = vendor.value_counts()
    if len(counts) <= max_vendors:
        return list(counts.index)
    on = _col(df, "on_frontier", False).fillna(False).astype(bool)
    chosen = [v for v in dict.fromkeys([*vendor[on], *keep]) if v in counts.index]
    for v in counts.index:
        if len(chosen) >= max_vendors - 1:  # one row stays for "other vendors"
            break
        if v not in chosen:
            chosen.append(v)
    return chosen


_SPARE_SYMBOLS = ["hexagon", "pentagon", "star-square", "hourglass", "bowtie", "star-diamond", "diamond-wide",
                  "square-x", "circle-cross"]


def vendor_symbols(vendors: Sequence[str]) -> dict[str, str]:
    """A marker symbol per vendor of one chart: the largest vendors keep theirs, the others take spare symbols
    no other vendor on the chart uses."""
    fixed = {v: VENDOR_SYMBOLS[v.lower()] for v in vendors if v.lower() in VENDOR_SYMBOLS}
    spare = [x for x in _SPARE_SYMBOLS if x not in set(fixed.values())]
    return {v: fixed[v] if v in fixed else (spare.pop(0) if spare else vendor_symbol(v))
            for v in dict.fromkeys(vendors)}


def vendor_symbol(vendor) -> str:
    v = str(vendor or "").lower()
    if v in VENDOR_SYMBOLS:
        return VENDOR_SYMBOLS[v]
    return _FALLBACK_SYMBOLS[_stable_index(v, len(_FALLBACK_SYMBOLS))]


def escape(value) -> str:
    """Text from data shown as text: Plotly renders a subset of HTML in labels, so escape it."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    return html.escape(str(value), quote=False)


def each(fn, values) -> list:
    """`[fn(v) for v in values]` for a pure `fn` that gives the same for None and NaN, computed once per distinct
    value (a replay's hover repeats a model's name, vendor and prices in every frame: hundreds of thousands of
    cells, a few thousand values)."""
    if (isinstance(values, np.ndarray) and values.dtype.kind == "f") or (
            isinstance(values, pd.Series) and (pd.api.types.is_float_dtype(values.dtype)
                                               or pd.api.types.is_string_dtype(values.dtype))):
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        return np.array([fn(u) for u in uniques] + [""], dtype=object)[codes].tolist()
    seen: dict = {}
    out = []
    for v in (values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values):
        key = (type(v), v)  # 1 and 1.0 are equal keys, not equal texts
        try:
            r = seen[key]
        except KeyError:
            r = seen[key] = fn(v)
        except TypeError:  # unhashable
            r = fn(v)
        out.append(r)
    return out


def escape_each(values) -> list[str]:
    """`escape` of each value; a text column escaped in Arrow (html.escape without quotes: &, <, >), others per value."""
    if isinstance(values, pd.Series) and pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        out = values.str.replace("&", "&amp;", regex=False).str.replace("<", "&lt;", regex=False) \
            .str.replace(">", "&gt;", regex=False)
        return out.astype(object).where(out.notna(), "").tolist()
    return each(escape, values)


def fmt_usd_each(values) -> np.ndarray:
    """`fmt_usd` of each number (NaN, None: "–"), formatted by range in one pass each: a hover per point."""
    x = np.asarray(pd.to_numeric(pd.Series(values, dtype=object) if not isinstance(values, np.ndarray) else values,
                                 errors="coerce"), dtype=float)
    out = np.full(len(x), "–", dtype=object)
    a = np.abs(x)
    for mask, fmt in ((a >= 100, "${:,.0f}"), ((a >= 1) & (a < 100), "${:,.2f}"), ((a > 0) & (a < 1), "${:.3g}")):
        mask &= np.isfinite(x)
        if mask.any():
            out[mask] = list(map(fmt.format, x[mask].tolist()))
    out[x == 0] = "$0"
    return out


# Texts of scores already formatted (a score's text never changes): a chart of another month shows mostly the same
# scores (its prices mostly differ: they are formatted each time). Bounded: forgotten once it holds
# `_SCORE_TEXTS_MAX` of them.
_SCORE_TEXTS: dict[float, str] = {}
_SCORE_TEXTS_MAX = 16_384


def score_texts(values: np.ndarray) -> list[str]:
    """`[f"{v:.4g}" for v in values]` for finite floats, each value's text remembered (`_SCORE_TEXTS`); a long
    series (a replay's) formatted once per distinct value, without filling the memory with it."""
    global _SCORE_TEXTS
    if len(values) > _FORMAT_ONCE_ABOVE:
        x = np.asarray(values, dtype=float)
        codes, uniques = pd.factorize(x)
        texts = np.array(list(map("{:.4g}".format, uniques.tolist())), dtype=object)[codes]
        texts[(x == 0) & np.signbit(x)] = f"{-0.0:.4g}"  # one key with 0.0 in the factorisation
        return texts.tolist()
    vals = np.asarray(values, dtype=float).tolist()
    known = _SCORE_TEXTS
    out = list(map(known.get, vals))
    missing = [i for i, t in enumerate(out) if t is None]
    if missing:
        if len(known) + len(missing) > _SCORE_TEXTS_MAX:
            known = _SCORE_TEXTS = {}
        for i in missing:
            v = vals[i]
            out[i] = f"{v:.4g}"
            if v and len(known) < _SCORE_TEXTS_MAX:  # 0.0 and -0.0: one key, two texts (never remembered)
                known[v] = out[i]
    return out


def fmt_usd(x) -> str:
    if x is None or not np.isfinite(float(x)):
        return "–"
    x = float(x)
    if x == 0:
        return "$0"
    if abs(x) >= 100:
        return f"${x:,.0f}"
    if abs(x) >= 1:
        return f"${x:,.2f}"
    return f"${x:.3g}"


def fmt_factor(x) -> str:
    """2.3× / 24× / 1,434× — a factor with sensible precision."""
    if x is None or not np.isfinite(float(x)):
        return "–"
    x = float(x)
    return f"{x:.1f}×" if x < 10 else f"{x:,.0f}×"


def _date_strs(col: pd.Series) -> list[str]:
    """`_date_str` of each value, "–" where none (vectorised for a datetime column: a hover per point)."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.dt.strftime("%Y-%m-%d").fillna("–").tolist()
    return [_date_str(x) or "–" for x in col]


def _date_str(value) -> str:
    if value is None or value is pd.NaT:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    return str(value)[:10]


# --- Themes ----------------------------------------------------------------------------------------------------

# lib/themes.py defines every theme (page and export); the page's templates add the vendor colours as colorway.
TEMPLATES: dict[str, go.layout.Template] = {
    name: themes.template(name, dict.fromkeys(VENDOR_COLOURS.values())) for name in themes.THEMES
}
_ACCENT = {name: c["accent"] for name, c in themes.THEMES.items()}
_MUTED = {name: c["muted"] for name, c in themes.THEMES.items()}
_TAG_BG = {name: c["tag_bg"] for name, c in themes.THEMES.items()}


def apply_theme(fig: go.Figure, theme: str = "light") -> go.Figure:
    """Switch a built figure to another theme's template (lib/themes.py; annotation and frontier colours
    follow)."""
    theme = theme if theme in TEMPLATES else "light"
    fig.update_layout(template=TEMPLATES[theme])
    for tr in fig.data:
        if getattr(tr, "meta", None) == "frontier-line":
            tr.line.color = _ACCENT[theme]
    for ann in fig.layout.annotations or ():
        if ann.font is not None and ann.font.color in _ACCENT.values():
            ann.font.color = _ACCENT[theme]
        if ann.arrowcolor in _MUTED.values():
            ann.arrowcolor = _MUTED[theme]
        if str(ann.name or "").startswith("headline-tag"):
            ann.bgcolor, ann.bordercolor = _TAG_BG[theme], _MUTED[theme]
    sub = fig.layout.title.subtitle if fig.layout.title else None
    if sub is not None and sub.text and sub.font is not None and sub.font.color in _MUTED.values():
        sub.font.color = _MUTED[theme]
    return fig


def _meta(title: str, sources: Iterable[str], data_as_of, metric_label: str = "", price_label: str = "",
          market_as_of=None) -> dict:
    """`data_as_of`: the newest observation in the store; `market_as_of`: the date the chart shows the market at
    (only where it is one date). The footer states both."""
    meta = {
        "title": title,
        "sources": sorted({str(s) for s in (sources or []) if s is not None and str(s) and str(s) != "nan"}),
        "data_as_of": _date_str(data_as_of) if data_as_of is not None else "",
        "metric_label": metric_label or "",
        "price_label": price_label or "",
    }
    if market_as_of is not None:
        meta["market_as_of"] = _date_str(market_as_of)
    return meta


def empty_figure(message: str, *, title: str = "", sources=(), data_as_of=None, theme: str = "light",
                 metric_label: str = "", price_label: str = "") -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=escape(message), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=15, color=_MUTED[theme]))
    themed_layout(fig, theme, title=escape(title), height=420,
                      xaxis=dict(visible=False), yaxis=dict(visible=False),
                      meta=_meta(title, sources, data_as_of, metric_label, price_label))
    return fig


# --- Price–quality scatter (frontier and calculator share it) ------------------------------------------------

def _num(series_or_none, n):
    if series_or_none is None:
        return np.full(n, np.nan)
    return pd.to_numeric(series_or_none, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _col(df: pd.DataFrame, name: str, default=None) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([default] * len(df), index=df.index, dtype=object)


def price_rule_text(df: pd.DataFrame) -> list[str]:
    """Which offering's price a point uses, as the hover states it: the vendor's own API price (the headline rule),
    else a host's listing when no vendor price was in force, or the host rule the user chose (cheapest / median of
    the API hosts Artificial Analysis observed). `_price_rule` of each row, with the common cases (the vendor's own
    price, an upload) filled column-wise: a hover per point (4,500 points: ~8 ms row by row, ~1.4 ms so)."""
    n = len(df)
    out = np.full(n, "", dtype=object)
    if not n:
        return []
    provider = _col(df, "price_provider", None).to_numpy(dtype=object)
    first = _col(df, "price_first_party", None).to_numpy(dtype=object)
    first = np.where(pd.isna(first), False, first).astype(bool)
    if "is_user" in df:
        mine = df["is_user"].to_numpy(dtype=object)
        mine = np.where(pd.isna(mine), False, mine) == 1  # True, 1 or 1.0, as `_price_rule`
    else:
        mine = np.zeros(n, dtype=bool)
    if "price_rule" in df:  # a host rule (cheapest, median): row by row, as are its few rows
        rules = df["price_rule"].to_numpy(dtype=object)
        ruled = np.array([isinstance(r, str) and r.startswith(("cheapest", "median")) for r in rules.tolist()])
    else:
        ruled = np.zeros(n, dtype=bool)
    out[first] = "price: the vendor's own API"
    rest = np.flatnonzero(ruled | ~(first | pd.isna(provider)))  # a host rule, or a host's listing
    if len(rest):
        def at_rest(name):
            return df[name].to_numpy(dtype=object)[rest] if name in df else [None] * len(rest)

        out[rest] = each(_price_rule, zip(at_rest("price_rule"), provider[rest], first[rest], at_rest("hosts"),
                                          mine[rest]))
    out[mine] = "price: your upload"
    return out.tolist()


def _price_rule(row: tuple) -> str:
    rule, provider, first_party, hosts, mine = row
    provider = "" if pd.isna(provider) else escape(str(provider))
    n = "" if pd.isna(hosts) else f" of {int(hosts)}"
    if mine is True or mine == 1:
        return "price: your upload"
    if isinstance(rule, str) and rule.startswith("cheapest"):
        return f"price: cheapest{n} API host(s) ({provider})"
    if isinstance(rule, str) and rule.startswith("median"):
        return f"price: median{n} API host(s)"
    if not pd.isna(first_party) and bool(first_party):
        return "price: the vendor's own API"
    if provider:
        return f"price: host {provider} (no vendor price in force)"
    return ""


def speed_text(df: pd.DataFrame) -> list[str]:
    """The measured speed a hover shows ("" where none): output tokens/s and time to first token, median over the
    API providers Artificial Analysis measured, with the measurement's date; each line ends in <br>."""
    tps = _col(df, "output_tokens_per_s", None).to_numpy(dtype=object)
    out = [""] * len(tps)
    measured = np.flatnonzero(~pd.isna(tps))  # most points have no measurement: only those are formatted
    if not len(measured):
        return out
    ttfts = _col(df, "ttft_s", None).to_numpy(dtype=object)
    days = _col(df, "speed_observed_date", None).to_numpy(dtype=object)
    for i in measured.tolist():
        ttft, day = ttfts[i], days[i]
        first = "" if ttft is None or pd.isna(ttft) else f" · first token {float(ttft):.2g} s"
        when = f" ({_date_str(day)})" if _date_str(day) else ""
        out[i] = f"speed {float(tps[i]):.0f} tokens/s{first}{when}<br>"
    return out


def cost_note_text(df: pd.DataFrame) -> list[str]:
    """How a per-task price was had (`cost_note`, set by lib.costs), escaped, each line ending in <br>; "" if none."""
    if "cost_note" not in df:
        return [""] * len(df)
    return [f"{escape(str(n))}<br>" if isinstance(n, str) and n else "" for n in df["cost_note"]]


def _point_customdata(df: pd.DataFrame, value_col: str) -> np.ndarray:
    """[model_id, name, vendor, release, input, output, blended, quality, metric source, x value, yours, review,
    price rule, cost note, speed]."""
    n = len(df)

    fmt = fmt_usd_each

    inp = _num(_col(df, "input_usd_per_mtok"), n)
    out = _num(_col(df, "output_usd_per_mtok"), n)
    bl = _num(_col(df, "blended_usd_per_mtok"), n)
    q = _num(_col(df, "quality"), n)
    xv = _num(_col(df, value_col), n)
    bl_txt = fmt(bl) if n else np.array([], dtype=object)  # the x value is often the blended price: formatted once
    quality_txt = np.full(n, "–", dtype=object)
    finite = np.isfinite(q)
    if finite.any():
        quality_txt[finite] = score_texts(q[finite])
    source = _col(df, "quality_source_id", None)
    if "quality_source" in df:
        source = df["quality_source"].where(df["quality_source"].notna(), source)
    src = each(lambda s: escape(s) or "–", source)
    mine = ["yes" if bool(x) else "" for x in df["is_user"].fillna(False).to_numpy(dtype=object)] \
        if "is_user" in df else [""] * n
    review_of = REVIEW_TEXT.get  # a status that is no key (None, NaN): no text
    review = [review_of(s, "") if not m else "your upload" for s, m in zip(_col(df, "status", None).to_numpy(dtype=object), mine)]
    return _object_columns([
        df["model_id"].astype(str).to_numpy(dtype=object),
        escape_each(_col(df, "name", "")),
        escape_each(_col(df, "vendor", "")),
        _date_strs(_col(df, "release_date", None)),
        fmt(inp) if n else np.array([], dtype=object),
        fmt(out) if n else np.array([], dtype=object),
        bl_txt,
        quality_txt, src,
        (bl_txt if np.array_equal(xv, bl, equal_nan=True) else fmt(xv)) if n else np.array([], dtype=object),
        mine, review, price_rule_text(df), cost_note_text(df), speed_text(df),
    ]) if n else np.empty((0, 15), dtype=object)


# Above this many values (a replay's series, where a model's values repeat in every frame) a column is formatted
# once per distinct value (`each`); below it, value by value (fewer steps when nearly every value is distinct).
_FORMAT_ONCE_ABOVE = 20_000


def _object_columns(columns: Sequence) -> np.ndarray:
    """`np.column_stack(columns)` for columns of texts (lists or object arrays), as one object array filled column
    by column (column_stack converts each list to an array first: ~8 ms for a 4,500-point hover)."""
    out = np.empty((len(columns[0]) if len(columns) else 0, len(columns)), dtype=object)
    for j, col in enumerate(columns):
        out[:, j] = col
    return out


REVIEW_TEXT = {"reviewed": "reviewed: on a hand-maintained price list", "unreviewed": "unreviewed: only in automated listings or leaderboards"}


def _hovertemplate(metric_label: str, x_label: str) -> str:
    return ("<b>%{customdata[1]}</b><br>%{customdata[2]} · released %{customdata[3]}<br>"
            "input %{customdata[4]} · output %{customdata[5]} per M tokens<br>"
            "blended %{customdata[6]} per M tokens<br>"
            "%{customdata[12]}<br>"
            f"{escape(x_label)}: %{{customdata[9]}}<br>"
            "%{customdata[13]}%{customdata[14]}"
            f"{escape(metric_label)}: %{{customdata[7]}} <i>(%{{customdata[8]}})</i><br>"
            "<i>%{customdata[11]}</i>"
            "<extra></extra>")


def _vendor_order(vendors) -> list[str]:
    """Legend order: the largest vendors (fixed colours) first, then the others by name, "other vendors" and the
    user's models last."""
    seen = list(dict.fromkeys(str(v) for v in pd.unique(np.asarray(vendors, dtype=object))))
    vs = sorted((v for v in seen if v not in (USER_VENDOR, OTHER_VENDOR)), key=lambda v: (v not in VENDOR_COLOURS, v))
    return vs + [last for last in (OTHER_VENDOR, USER_VENDOR) if last in seen]


def vendor_trace_name(vendor: str) -> str:
    """The legend's name of a vendor's trace (display name; "your models"; "other vendors")."""

    if vendor == USER_VENDOR:
        return "your models"
    if vendor == OTHER_VENDOR:
        return "other vendors"
    return escape(vendor_display_name(vendor))


def _vendor_keys(df: pd.DataFrame, legend: Sequence[str] | None) -> pd.Series:
    """Each row's trace: its vendor if in `legend` (default: every vendor), else "other vendors"; the user's own."""
    vendor = _col(df, "vendor", OTHER_VENDOR).fillna(OTHER_VENDOR).astype(str)
    if legend is not None:
        vendor = vendor.where(vendor.isin(list(legend)), OTHER_VENDOR)
    if "is_user" in df.columns:
        vendor = vendor.where(~df["is_user"].fillna(False).astype(bool), USER_VENDOR)
    return vendor


def _scatter_trace_dicts(df: pd.DataFrame, x_col: str, *, metric_label: str, x_label: str, gl: bool,
                         marker_size: int = 10, frontier_col: str | None = "on_frontier",
                         legend: Sequence[str] | None = None, columns=None, rows: np.ndarray | None = None,
                         compact: bool | None = None) -> list[dict]:
    """The vendor traces as plain dicts (no Plotly validation): one per vendor in `legend`, the others together as
    "other vendors". `columns` (vendor keys, x, y, on-frontier, customdata over a whole replay series, from
    `_scatter_columns`) with `rows` (positions in them) builds one replay frame without touching pandas.
    `compact` (default: when not a replay frame): a trace of `COMPACT_HOVER_MIN_POINTS` or more has its hover as
    `compact_hover` writes it and its marker sizes and outline widths as one number when the same on every point."""
    if compact is None:
        compact = columns is None
    if columns is None:
        columns = _scatter_columns(df, x_col, frontier_col=frontier_col, legend=legend)
        rows = np.arange(len(df))
    vendor_all, x_all, y_all, on_all, cd_all = columns
    vendor = vendor_all[rows]
    hover = _hovertemplate(metric_label, x_label)
    order = _vendor_order(vendor)
    colours = vendor_colours(list(legend or []) + order)
    symbols = vendor_symbols([v for v in list(legend or []) + order if v not in (OTHER_VENDOR, USER_VENDOR)])
    traces = []
    codes, uniques = pd.factorize(vendor)  # each row's vendor as a number: one integer comparison per trace
    code_of = {u: i for i, u in enumerate(uniques.tolist())}
    for v in order:
        pos = rows[codes == code_of[v]] if v in code_of else rows[vendor == v]
        symbol = "circle-open" if v == OTHER_VENDOR else symbols.get(v) or vendor_symbol(v)
        if gl and symbol not in _GL_SAFE:
            symbol = "circle"
        on = on_all[pos]
        size: Any = np.where(on, marker_size + 4, marker_size).tolist() if len(pos) else marker_size
        width: Any = np.where(on, 1.5, 0.5).tolist() if len(pos) else 0.5
        customdata, template = cd_all[pos], hover
        if compact and len(pos) >= COMPACT_HOVER_MIN_POINTS:
            customdata, template = compact_hover(customdata, hover)
            if len(pos) and (not on.any() or on.all()):
                size, width = size[0], width[0]
        traces.append(dict(
            type="scattergl" if gl else "scatter",
            x=x_all[pos], y=y_all[pos], mode="markers", name=vendor_trace_name(v), legendgroup=escape(v),
            customdata=customdata, hovertemplate=template,
            marker=dict(color=colours.get(v, vendor_colour(v)), symbol=symbol, size=size,
                        line=dict(width=width, color="rgba(17,24,39,0.85)"), opacity=0.9),
        ))
    return traces


# A trace of fewer points keeps every hover field per point (little to save; one layout for every small chart).
COMPACT_HOVER_MIN_POINTS = 100
_CUSTOMDATA_FIELD = re.compile(r"%\{customdata\[(\d+)\]([^}]*)\}")


def compact_hover(customdata: np.ndarray, template: str) -> tuple[np.ndarray, str]:
    """The same hover with less to ship: a customdata column (after the first, the model id a click opens) that
    holds one text on every point is written into the template once instead of into every point, and a column
    equal to an earlier one is read from that one. Returns (customdata, template); what the hover shows is the
    same (`tests/test_figures.py`). At 3,000 points from 500 vendors this takes a third off the Frontier spec (the
    review, price-rule and source texts repeated per point)."""
    cd = np.asarray(customdata, dtype=object)
    if cd.ndim != 2 or not len(cd) or cd.shape[1] < 2:
        return customdata, template
    fields = _CUSTOMDATA_FIELD.findall(template)
    plain = {int(j) for j, spec in fields} - {int(j) for j, spec in fields if spec}  # never with a format spec
    keep, inline, same = [0], {}, {}
    for j in range(1, cd.shape[1]):
        col = cd[:, j]
        first = col[0]
        if j in plain and isinstance(first, str) and "%{" not in first and bool((col == first).all()):
            inline[j] = first
            continue
        # an equal column has the same first text: most columns are ruled out by that one cell
        twin = next((k for k in keep if k and col[0] == cd[0, k] and bool((col == cd[:, k]).all())), None)
        if twin is not None:
            same[j] = twin
        else:
            keep.append(j)
    if len(keep) == cd.shape[1]:
        return customdata, template
    new_index = {j: i for i, j in enumerate(keep)}

    def field(m: re.Match) -> str:
        j = int(m.group(1))
        if j in inline:
            return inline[j]
        return f"%{{customdata[{new_index[same.get(j, j)]}]{m.group(2)}}}"

    return cd[:, keep], _CUSTOMDATA_FIELD.sub(lambda m: field(m), template)


def _scatter_columns(df: pd.DataFrame, x_col: str, *, frontier_col: str | None = "on_frontier",
                     legend: Sequence[str] | None = None):
    """What the vendor traces are cut from, computed once over all of `df`: vendor keys, x, y, on-frontier flags and
    the hover's customdata, as numpy arrays in row order."""
    n = len(df)
    vendor = _vendor_keys(df, legend).to_numpy(dtype=object)
    on = df[frontier_col].fillna(False).astype(bool).to_numpy() if frontier_col and frontier_col in df else \
        np.zeros(n, dtype=bool)
    return vendor, _num(df[x_col], n), _num(df["quality"], n), on, _point_customdata(df, x_col)


def _scatter_traces(df: pd.DataFrame, x_col: str, *, metric_label: str, x_label: str, gl: bool,
                    marker_size: int = 10, frontier_col: str | None = "on_frontier",
                    legend: Sequence[str] | None = None) -> list:
    """One trace per vendor in `legend` (default: every vendor), the others together as "other vendors"."""
    cls = go.Scattergl if gl else go.Scatter
    return [cls({k: v for k, v in d.items() if k != "type"})
            for d in _scatter_trace_dicts(df, x_col, metric_label=metric_label, x_label=x_label, gl=gl,
                                          marker_size=marker_size, frontier_col=frontier_col, legend=legend)]


MAX_FRONTIER_LABELS = 15


def _frontier_rows(df: pd.DataFrame, x_col: str) -> tuple[pd.DataFrame, list[str] | None]:
    """The frontier's points in drawing order, and their labels (None when too many to name)."""
    if "on_frontier" not in df:
        fr = df.iloc[0:0]
    else:  # the few frontier rows taken once, in the order of a stable sort on (x, quality)
        at = np.flatnonzero(df["on_frontier"].fillna(False).astype(bool).to_numpy(dtype=bool))
        order = np.lexsort((_num(df["quality"], len(df))[at], _num(df[x_col], len(df))[at]))
        fr = df.iloc[at[order]]
    # Frontier models are named on the chart (a slide must say which models they are), unless so many that the
    # names would pile up; every point still names itself in the hover.
    labels = [escape(n) for n in _col(fr, "name", "").fillna("").astype(str)] if len(fr) <= MAX_FRONTIER_LABELS else None
    return fr, labels


def _frontier_line(df: pd.DataFrame, x_col: str, theme: str, gl: bool) -> dict:
    """The frontier's step line as a trace dict, its values in the form Plotly's validation gives them (the same
    JSON as the validated `go.Scatter`, without building one: ~10 ms at 4,500 points)."""
    fr, labels = _frontier_rows(df, x_col)
    line: dict = dict(
        type="scatter",
        # invisible markers as large as a frontier point's: Plotly then sets each label off its point
        x=_readonly_array(_num(fr[x_col], len(fr))), y=_readonly_array(_num(fr["quality"], len(fr))),
        mode="lines+markers+text" if labels else "lines",
        marker=dict(size=16, color="rgba(0,0,0,0)"),
        # left of each point, except the cheapest, whose label would run off the plot's left edge
        textposition=["top right"] + ["top left"] * (len(fr) - 1) if labels else "top left",
        textfont=dict(size=11, color=_MUTED.get(theme, _MUTED["light"])),
        name="Pareto frontier", meta="frontier-line", hoverinfo="skip",
        line=dict(color=_ACCENT.get(theme, _ACCENT["light"]), width=2, dash="solid", shape="hv"),
    )
    if labels is not None:
        line["text"] = list(labels)
    if len(fr):
        line["customdata"] = _readonly_array(np.column_stack([fr["model_id"].astype(str).to_numpy(dtype=object)]))
    return line


# Where a frontier label may sit around its point, in order of preference, and its box relative to the point
# (px, y up) for a label w px wide and h px high.
_LABEL_SPOTS = {
    "top left": lambda w, h: (-w - 3, -3, 4, 4 + h), "top right": lambda w, h: (3, w + 3, 4, 4 + h),
    "bottom right": lambda w, h: (3, w + 3, -4 - h, -4), "bottom left": lambda w, h: (-w - 3, -3, -4 - h, -4),
    "middle left": lambda w, h: (-w - 9, -9, -h / 2, h / 2), "middle right": lambda w, h: (9, w + 9, -h / 2, h / 2),
}
_LABEL_PLOT_PX = (1000.0, 520.0)  # the plot area a label is placed for (page and slide have about this shape)


def place_labels(xs_log: Sequence[float], ys: Sequence[float], labels: Sequence[str], x_range: Sequence[float],
                 y_range: Sequence[float], obstacles: Sequence[tuple[float, float]] = (), font_px: float = 11.0,
                 plot_px: tuple[float, float] = _LABEL_PLOT_PX) -> list[str]:
    """A textposition per label so that labels avoid the markers (`obstacles`, (log10 x, y)) and each other and
    stay inside the plot: a greedy pass over the labels, each taking the free spot with the lowest cost."""
    W, H = plot_px
    sx = W / ((x_range[1] - x_range[0]) or 1.0)
    sy = H / ((y_range[1] - y_range[0]) or 1.0)

    def px(x, y):
        return (x - x_range[0]) * sx, (y - y_range[0]) * sy

    obs = np.asarray([px(x, y) for x, y in obstacles], dtype=float).reshape(-1, 2)
    mx, my = obs[:, 0], obs[:, 1]  # the markers, counted in one array operation per spot (thousands at scale)
    placed: list[tuple[float, float, float, float]] = []
    out = []
    for x, y, text in zip(xs_log, ys, labels):
        cx, cy = px(x, y)
        w, h = 0.56 * font_px * len(str(text)) + 2, font_px * 1.25
        best, best_cost = "top left", float("inf")
        others = (mx != cx) | (my != cy)
        for rank, (spot, box) in enumerate(_LABEL_SPOTS.items()):
            dx0, dx1, dy0, dy1 = box(w, h)
            b = (cx + dx0, cx + dx1, cy + dy0, cy + dy1)
            cost = rank * 0.1
            cost += 50 * (b[0] < 0) + 50 * (b[1] > W) + 50 * (b[2] < 0) + 50 * (b[3] > H)
            cost += 3 * int(np.count_nonzero(others & (b[0] - 6 < mx) & (mx < b[1] + 6)
                                             & (b[2] - 6 < my) & (my < b[3] + 6)))
            cost += 20 * sum(not (b[1] < p[0] or p[1] < b[0] or b[3] < p[2] or p[3] < b[2]) for p in placed)
            if cost < best_cost:
                best, best_cost, best_box = spot, cost, b
        placed.append(best_box)
        out.append(best)
    return out


def _log_range(values: np.ndarray, pad: float = 0.15):
    v = values[np.isfinite(values) & (values > 0)]
    if v.size == 0:
        return None
    lo, hi = np.log10(v.min()), np.log10(v.max())
    span = max(hi - lo, 0.5)
    return [lo - pad * span, hi + pad * span]


def _pair_annotations(df: pd.DataFrame, x_col: str, pairs, theme: str,
                      y_range: Sequence[float] | None = None, x_range: Sequence[float] | None = None):
    """Arrows teacher → student for the article's pairs that are both on the chart (x in log10 units), each with a
    small numbered tag at its middle; the numbers are explained in a key (returned as lines) that sits in the
    subtitle, so long labels never collide with each other or with the points.

    Tags that would touch each other (estimated on a ~900×500 px plot) are stacked upwards. Returns
    (annotations, key_lines).
    """
    if not pairs or df.empty:
        return [], []
    by_id = df.set_index(df["model_id"].astype(str))
    by_id = by_id[~by_id.index.duplicated(keep="first")]
    anns, keys, tags = [], [], []
    for pair in pairs:
        teacher, student = pair[0], pair[1]
        if teacher not in by_id.index or student not in by_id.index:
            continue
        t, s = by_id.loc[teacher], by_id.loc[student]
        tp, sp, tq, sq = (float(t[x_col]), float(s[x_col]), float(t["quality"]), float(s["quality"]))
        if not all(np.isfinite([tp, sp, tq, sq])) or tp <= 0 or sp <= 0:
            continue
        n = len(keys) + 1
        price_drop = 100.0 * (1.0 - sp / tp)
        quality_drop = 100.0 * (1.0 - sq / tq) if tq else float("nan")
        text = f"{escape(t.get('name', teacher))} → {escape(s.get('name', student))}: "
        text += f"{price_drop:.0f} % cheaper" if price_drop >= 0 else f"{-price_drop:.0f} % more expensive"
        if np.isfinite(quality_drop):
            text += f", {quality_drop:.0f} % less quality" if quality_drop >= 0 else \
                f", {abs(quality_drop):.0f} % more quality"
        keys.append(f"{n} {text}")
        anns.append(dict(
            x=math.log10(sp), y=sq, ax=math.log10(tp), ay=tq, xref="x", yref="y", axref="x", ayref="y",
            showarrow=True, arrowhead=3, arrowsize=1.2, arrowwidth=1.4, arrowcolor=_MUTED[theme],
            standoff=7, startstandoff=7, text="", name=f"headline:{teacher}->{student}",
        ))
        tags.append((n, teacher, student, (math.log10(sp) + math.log10(tp)) / 2, (sq + tq) / 2))
    # Stack tags that would overlap: positions in fractions of the plot, a tag is ~22×20 px.
    xr = x_range or [min(t[3] for t in tags) - 0.5, max(t[3] for t in tags) + 0.5] if tags else [0, 1]
    yr = y_range or [min(t[4] for t in tags) - 10, max(t[4] for t in tags) + 10] if tags else [0, 1]
    placed = []
    for n, teacher, student, lx, y in tags:
        px = (lx - xr[0]) / ((xr[1] - xr[0]) or 1) * 900
        py = (y - yr[0]) / ((yr[1] - yr[0]) or 1) * 500
        shift = 0
        while any(abs(px - qx) < TAG_PX[0] and abs(py + shift - qy) < TAG_PX[1] for qx, qy in placed):
            shift += TAG_PX[1]
        placed.append((px, py + shift))
        anns.append(dict(
            x=lx, y=y, xref="x", yref="y", showarrow=False, text=f"<b>{n}</b>", yshift=shift,
            font=dict(size=11, color=_ACCENT[theme]), bgcolor=_TAG_BG[theme], bordercolor=_MUTED[theme],
            borderwidth=1, borderpad=2, name=f"headline-tag:{teacher}->{student}",
        ))
    return anns, keys


TAG_PX = (24, 22)  # a headline tag's box on screen, with a little air


def frontier_figure(points: pd.DataFrame, *, metric_label: str, price_label: str = "Blended price (USD / M tokens, 3:1)",
                    title: str = "Price vs quality", sources: Sequence[str] = (), data_as_of=None,
                    headline_pairs: Sequence[Sequence[str]] = (), frames: pd.DataFrame | None = None,
                    theme: str = "light", webgl_threshold: int = WEBGL_THRESHOLD, height: int = 620,
                    market_as_of=None, replay_max_points: int | None = None) -> go.Figure:
    """Log-x price vs quality, one trace per vendor, the Pareto frontier as a step line.

    ``points``: ``model_id, name, vendor, price, quality, on_frontier`` plus optional ``release_date``,
    ``input_usd_per_mtok``, ``output_usd_per_mtok``, ``blended_usd_per_mtok``, ``quality_source_id`` and
    ``is_user``. Rows without a positive price or a quality are not drawn. ``headline_pairs`` (teacher, student)
    are annotated with an arrow where both are drawn. ``frames`` (the same columns plus ``as_of``) adds a
    month-by-month replay with a play button; it is off unless given, since it multiplies the payload. Its frames
    draw at most about `replay_max_points` points in all (default `REPLAY_MAX_POINTS`; see `replay_sample`).
    """
    meta = _meta(title, sources, data_as_of, metric_label, price_label, market_as_of)
    df = _drawable(points, "price")
    if df.empty and (frames is None or frames.empty):
        fig = empty_figure("No model matches these filters.", title=title, sources=sources, data_as_of=data_as_of,
                           theme=theme, metric_label=metric_label, price_label=price_label)
        return fig
    gl = len(df) > webgl_threshold
    # the legend: the frontier's and the article pairs' vendors, then the largest; the rest as "other vendors"
    pair_ids = {str(x) for p in headline_pairs or () for x in p[:2]}
    pair_vendors = list(_col(df, "vendor", "").loc[df["model_id"].astype(str).isin(pair_ids)].dropna().astype(str)) \
        if len(df) else []
    legend = legend_vendors(df if frames is None else pd.concat([df, _drawable(frames, "price")]),
                            keep=pair_vendors)
    # trace dicts (with their type), validated once by the figure, not once as traces and again when copied in
    traces: list = _scatter_trace_dicts(df, "price", metric_label=metric_label, x_label=price_label, gl=gl,
                                        legend=legend, compact=frames is None or frames.empty)
    traces.append(_frontier_line(df, "price", theme, gl))
    # taken as built, not validated (plain values: numpy arrays, lists, texts), in the order validation sets them
    # (the same JSON); validated from here on
    fig = _unvalidated_figure(go.Figure if frames is None or frames.empty else _ReplayFigure,
                              [_in_plotly_order(t if isinstance(t, dict) else t.to_plotly_json()) for t in traces],
                              themed=True)
    _validating(fig)
    all_x = df["price"].to_numpy(float) if frames is None else np.r_[df["price"].to_numpy(float),
                                                                      _drawable(frames, "price")["price"].to_numpy(float)]
    rng = _log_range(all_x)
    themed_layout(
        fig, theme, title=dict(text=escape(title)), height=height,
        hovermode="closest", meta=meta, legend=dict(title=dict(text="vendor"), itemsizing="constant"),
        xaxis=dict(type="log", title=dict(text=escape(price_label)), tickprefix="$", **({"range": rng} if rng else {})),
        yaxis=dict(title=dict(text=escape(metric_label))), clickmode="event+select",
    )
    q = df["quality"].to_numpy(float)
    y_rng = [float(q.min()), float(q.max())] if len(q) else None
    line = fig.data[-1]
    if rng and y_rng and line.text is not None and len(line.text):
        span = max(y_rng[1] - y_rng[0], 1e-9)
        x_all = np.log10(df["price"].to_numpy(float))
        line.textposition = place_labels(np.log10(np.asarray(line.x, float)), list(line.y), list(line.text), rng,
                                         [y_rng[0] - 0.06 * span, y_rng[1] + 0.06 * span],
                                         obstacles=list(zip(x_all, q)))
    anns, key = _pair_annotations(df, "price", headline_pairs, theme, y_range=y_rng, x_range=rng)
    for ann in anns:
        fig.add_annotation(**ann)
    if key:
        # The key under the title: one line per numbered arrow (the export prints it as the subtitle).
        fig.update_layout(title=dict(subtitle=dict(text="<br>".join(key), font=dict(size=12, color=_MUTED[theme]))),
                          margin=dict(t=64 + 17 * len(key)))
        fig.layout.meta = {**meta, "subtitle": " · ".join(k.replace("&amp;", "&").replace("&lt;", "<")
                                                        .replace("&gt;", ">") for k in key)}
    if frames is not None and not frames.empty:
        _add_replay(fig, _drawable(frames, "price"), df, metric_label, price_label, theme, gl, legend,
                    headline_pairs=headline_pairs, x_range=rng, chosen=market_as_of,
                    max_points=replay_max_points)
    return fig


def _unvalidated_figure(cls, traces: list[dict], *, themed: bool = False):
    """`cls(data=traces, _validate=False)` without the deep copy Plotly's constructor makes of every trace's props
    (an object array of hover texts is copied cell by cell: ~0.1 s of a Frontier rerun at 4,500 points). The arrays
    and lists are held out of the copy and put back into the figure's own props where the copy would have put
    them (same keys in the same order, the same JSON); the figure owns them from then on, so `traces` must be
    built for it alone."""
    held: list = []

    def hold(props: dict, path: tuple) -> dict:
        out = {}
        for k, v in props.items():
            if isinstance(v, dict):
                out[k] = hold(v, path + (k,))
            elif isinstance(v, (np.ndarray, list)):
                held.append((path + (k,), v))
                out[k] = 0  # a placeholder the copy keeps as it is
            else:
                out[k] = v
        return out

    # `themed`: the caller sets the theme's template next (`themed_layout`), so Plotly's default template is not
    # copied into the figure first (~5 ms a chart); an empty one holds its place (the same key order, the same JSON)
    fig = cls(data=[hold(t, (i,)) for i, t in enumerate(traces)], _validate=False,
              **({"layout": {"template": {}}} if themed else {}))
    for (i, *keys), value in held:
        props = fig._data[i]
        for k in keys[:-1]:
            props = props[k]
        props[keys[-1]] = value
    return fig


def _readonly_array(v) -> np.ndarray:
    """An array value as Plotly's validation stores it (a read-only NumPy copy of a Series, index or array)."""
    from _plotly_utils.basevalidators import copy_to_readonly_numpy_array

    return copy_to_readonly_numpy_array(v)


def themed_layout(fig: go.Figure, theme: str, **layout) -> go.Figure:
    """`fig.update_layout(template=<the theme's template>, **layout)`, the template set without Plotly validating
    a copy of it again (~10 ms a chart; the same JSON)."""
    _set_unvalidated(fig.layout, "template", TEMPLATES.get(theme, TEMPLATES["light"]))
    if not layout:
        return fig
    # Validated by a standalone Layout (~1 ms), then put into the figure's layout as validated values: the
    # figure's update machinery (~10 ms a chart) is needed only to merge into properties the layout has already
    present = fig.layout._props or {}
    merge = {k: v for k, v in layout.items() if k in present or "_" in k}
    fresh = go.Layout(**{k: v for k, v in layout.items() if k not in merge})
    for key, value in (fresh._props or {}).items():
        _set_unvalidated(fig.layout, key, value)
    if merge:
        fig.update_layout(**merge)
    return fig


def _set_unvalidated(obj, name: str, value) -> None:
    """`obj[name] = value` without Plotly's validation (a template object is copied as its props; a list of dicts
    is taken as it is): values already in the form validation gives them (the same JSON)."""
    obj._validate = False
    try:
        obj[name] = value
    finally:
        obj._validate = True


def _in_plotly_order(props: dict, top: bool = True) -> dict:
    """A trace's props in the order Plotly's validating constructors set them (by name; a trace's type last)."""
    out = {k: _in_plotly_order(v, False) if isinstance(v, dict) else v for k, v in sorted(props.items())
           if not (top and k == "type")}
    if top and "type" in props:
        out["type"] = props["type"]
    return out


def _drawable(df: pd.DataFrame, x_col: str) -> pd.DataFrame:
    if df is None or df.empty:
        return pd.DataFrame(columns=["model_id", "vendor", "name", x_col, "quality", "on_frontier"])
    x = pd.to_numeric(df[x_col], errors="coerce")
    q = pd.to_numeric(df["quality"], errors="coerce")
    keep = (np.isfinite(x) & (x > 0) & np.isfinite(q)).to_numpy(dtype=bool)
    return df if keep.all() else df.loc[keep]  # every row (the chart's drawn rows): not copied again


def frame_kpis(points: pd.DataFrame, metric_label: str = "quality") -> str:
    """One line of a replay frame's own figures: models drawn, on the frontier, the cheapest frontier price and the
    best quality (what the page's KPIs say for the chosen date)."""
    d = _drawable(points, "price")
    front = d.loc[_col(d, "on_frontier", False).fillna(False).astype(bool)]
    text = f"{len(d)} models · {len(front)} on the frontier"
    if len(front):
        q = front["quality"].astype(float)
        text += (f" · cheapest frontier {fmt_usd(float(front['price'].astype(float).min()))}"
                 f" · best {escape(metric_label.split(' (')[0])} {float(q.max()):.4g}")
    return text


class _ReplayFrame(go.Frame):
    """A replay frame kept as built, plain dicts without Plotly's validation (validating a few thousand frame traces
    took most of the replay's build time; the JSON is the same). Reading `.data` still gives Plotly traces."""

    @property
    def data(self):
        return tuple((go.Scattergl if t.get("type") == "scattergl" else go.Scatter)(
            {k: v for k, v in t.items() if k != "type"}, _validate=False) for t in self._props.get("data", ()))


def _forget_spec(name: str):
    def hook(self, *args, **kwargs):
        self._spec_json = None
        return getattr(go.Figure, name)(self, *args, **kwargs)

    return hook


class _SpecFigure(go.Figure):
    """A figure that carries its own JSON as Streamlit draws it (`drawn_spec`), so a page rerun that reads the chart
    from the cache does not serialise it again (a 1 MB spec: ~0.3 s at 1M intervals). Any change through Plotly's
    API (every one of them calls one of these hooks; setting `frames` is the one that does not) drops the JSON."""

    _spec_json: str | None = None

    def __getattr__(self, name):
        # Reached only for an attribute not set yet. A figure read back from the cache keeps its stored props
        # (`_pending`) and builds its Plotly objects on first use: a rerun that only draws it from its JSON
        # never does (~60 ms for the Frontier figure at 1M intervals).
        pending = self.__dict__.pop("_pending", None)
        if pending is None:
            raise AttributeError(name)
        if self.__dict__.pop("_pending_shared", False):  # props other copies read too (the chart cache's)
            pending = copy.deepcopy(pending)
        spec = self.__dict__.get("_spec_json")
        go.Figure.__init__(self, pending, _validate=False)
        _validating(self)  # what a page changes on the copy is validated as usual (and drops the JSON)
        self._spec_json = spec
        return getattr(self, name)

    _send_relayout_msg = _forget_spec("_send_relayout_msg")
    _send_restyle_msg = _forget_spec("_send_restyle_msg")
    _send_update_msg = _forget_spec("_send_update_msg")
    _send_addTraces_msg = _forget_spec("_send_addTraces_msg")
    _send_deleteTraces_msg = _forget_spec("_send_deleteTraces_msg")
    _send_moveTraces_msg = _forget_spec("_send_moveTraces_msg")
    _send_animate_msg = _forget_spec("_send_animate_msg")

    @property
    def frames(self):
        return go.Figure.frames.fget(self)

    @frames.setter
    def frames(self, value):
        self._spec_json = None
        go.Figure.frames.fset(self, value)


class _ReplayFigure(_SpecFigure):
    """A figure with replay frames: pickled (Streamlit's cache of a chart) and deep-copied without validating every
    frame again on the way back (a cache hit took over a second for an 80-month replay)."""

    def __reduce__(self):
        # the frames as built (numpy arrays pickle as they are; to_dict() would base64-encode each one first)
        props = {"data": self._data, "layout": self._layout, "_grid_str": self._grid_str, "_grid_ref": self._grid_ref}
        return (_replay_figure, (props, [f._props for f in self._frame_objs], drawn_spec(self)))


def spec_json(fig) -> str:
    """The figure's JSON exactly as `st.plotly_chart` writes it (`plotly.io.to_json` of `fig.to_dict()`), read from
    the figure's stored props without `to_dict()`'s deep copy and with the hover's object arrays made lists here:
    Plotly's orjson engine then writes it in one call instead of cleaning every value (at 4,500 points, 130 ms ->
    ~25 ms of CPU). The same string (`tests/test_parity.py`)."""
    import plotly.io as pio

    res = {"data": [_typed(t) for t in fig._data], "layout": _typed(fig._layout)}
    frames = [_typed(f._props) for f in fig._frame_objs]
    if frames:
        res["frames"] = frames
    return pio.to_json(res, validate=False)


def _typed(obj):
    """`obj` as `to_dict()` gives it (Plotly's `convert_to_base64`: a dict's numeric arrays as typed-array specs, the
    keys Plotly skips left as they are), in new containers, with arrays of text made lists (`_listed`)."""
    from _plotly_utils.utils import is_homogeneous_array, is_skipped_key, to_typed_array_spec

    if isinstance(obj, dict):
        if set(map(type, obj.values())) <= _PLAIN_TYPES:  # plain values (an arrow's annotation): nothing to convert
            return dict(obj)
        return {k: v if is_skipped_key(k) else _listed(v) if isinstance(v, np.ndarray) and v.dtype.kind in "OU"
                else _f8(v) if isinstance(v, np.ndarray) and v.dtype == np.float64 and v.ndim == 1 and v.size
                else _listed(to_typed_array_spec(v)) if is_homogeneous_array(v) else _typed(v)
                for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        if set(map(type, obj)) <= _PLAIN_TYPES:  # a list of numbers or texts (marker sizes): nothing to convert
            return list(obj) if isinstance(obj, list) else tuple(obj)
        return [_typed(v) for v in obj] if isinstance(obj, list) else tuple(_typed(v) for v in obj)
    return obj


_PLAIN_TYPES = {str, int, float, bool, type(None)}


def _f8(v: np.ndarray) -> dict:
    """A float array as Plotly's typed-array spec, as `to_typed_array_spec` writes it (without its per-array
    conversion machinery: a few hundred small arrays in a chart of many traces)."""
    import base64

    return {"dtype": "f8", "bdata": base64.b64encode(np.ascontiguousarray(v)).decode("ascii")}


def _listed(v):
    """An object or text array as nested lists when every cell is plain (str, number, bool, None: what Plotly's
    cleaning would give; its typed-array step only copies such an array); anything else is left to Plotly's
    cleaning."""
    if not isinstance(v, np.ndarray) or v.dtype.kind not in "OU":
        return v
    return v.tolist() if set(map(type, v.ravel())) <= _PLAIN_TYPES else v


def drawn_spec(fig) -> str | None:
    """The JSON a figure read back from the chart cache carries (None for any other figure, or once changed)."""
    return fig.__dict__.get("_spec_json") if isinstance(fig, _SpecFigure) else None


def _pending(fig) -> dict | None:
    return fig.__dict__.get("_pending") if isinstance(fig, _SpecFigure) else None


def layout_props(fig) -> dict:
    """The figure's layout properties as stored (plain values: size, meta), without building the Plotly objects of
    a figure read back from the cache."""
    pending = _pending(fig)
    return (pending.get("layout") or {}) if pending is not None else fig._layout


def figure_meta(fig) -> dict:
    """`fig.layout.meta` as a dict (title, sources, data and market dates), without building a cached figure."""
    pending = _pending(fig)
    return dict(((pending.get("layout") or {}).get("meta") if pending is not None else fig.layout.meta) or {})


def has_frames(fig) -> bool:
    """Whether the figure has animation frames (a replay), without building a cached figure."""
    pending = _pending(fig)
    return bool(pending.get("frames")) if pending is not None else bool(fig.frames)


def figure_state(fig) -> tuple:
    """A figure as its own stored props and its JSON, for pickling (Streamlit's cache of a chart): unpickled by
    `figure_from_state` without validating every trace again (Plotly's own pickling serialises to a dict and
    validates it all on the way back: most of a cache hit's time) and drawn from the JSON. The JSON is the same.

    A plain figure pickled here becomes a `_SpecFigure` carrying its JSON (the page draws it without serialising
    it a second time); a change to it drops the JSON as on the copy."""
    pending = _pending(fig)
    if pending is not None:  # read back from the cache and not used since: stored again as it came
        return ("props", pending, fig.__dict__.get("_spec_json"))
    if type(fig) is go.Figure:
        fig.__class__ = _SpecFigure  # same object layout; adds only the hooks that drop the JSON on a change
    if isinstance(fig, _SpecFigure) and fig._spec_json is None:
        fig._spec_json = spec_json(fig)
    if type(fig) is not _SpecFigure:  # a replay figure (its own pickling), another subclass, or not a figure
        return ("as-is", fig)
    props = {"data": fig._data, "layout": fig._layout, "_grid_str": fig._grid_str, "_grid_ref": fig._grid_ref}
    if fig._frame_objs:
        props["frames"] = [f.to_plotly_json() for f in fig._frame_objs]
    return ("props", props, fig._spec_json)


def figure_from_state(state: tuple, *, shared: bool = False):
    """The figure `figure_state` stored. `shared`: the props are not this figure's own (other figures are drawn
    from them too); it copies them before building its Plotly objects."""
    kind, value, *spec = state
    if kind != "props":
        return copy.deepcopy(value) if shared else value
    fig = _SpecFigure.__new__(_SpecFigure)  # built on first use (see _SpecFigure.__getattr__)
    fig.__dict__.update(_pending=value, _spec_json=spec[0] if spec else None, _pending_shared=shared)
    return fig


def _unvalidating(obj) -> None:
    """Turn Plotly's validation off for a figure and every object in it (`_validating` turns it back on)."""
    _set_validation(obj, False)


def _validating(obj) -> None:
    """Turn Plotly's validation back on for a figure built without it, and for every object in it."""
    _set_validation(obj, True)


def _set_validation(obj, on: bool) -> None:
    obj._validate = on
    if isinstance(obj, go.Figure):
        children = [obj._layout_obj, *obj._data_objs, *(obj._frame_objs or ())]
    else:
        children = [*obj._compound_props.values(), *(c for arr in obj._compound_array_props.values() for c in arr)]
    for child in children:
        _set_validation(child, on)


def _replay_figure(props: dict, frames: list, spec: str | None = None) -> _ReplayFigure:
    fig = _ReplayFigure(props, _validate=False)
    fig._frame_objs = tuple(_ReplayFrame(f, _validate=False) for f in frames)
    fig._spec_json = spec
    return fig


def _active_step(labels: list[str], chosen) -> int:
    """The slider step of the chosen date: its month's frame, else the newest month before it (labels sorted)."""
    month = _date_str(chosen)[:7] if chosen is not None else ""
    if not labels or not month:
        return max(len(labels) - 1, 0)
    return max(int(np.searchsorted(np.asarray(labels, dtype=object), month, side="right")) - 1, 0)


# A replay's frames draw at most about this many points in all: at 1M intervals 120 months held ~334k points, each
# with a hover (tens of MB of JSON, more than a browser draws smoothly or a reader can see).
REPLAY_MAX_POINTS = 30_000


def replay_sample(model_ids, on_frontier: np.ndarray, max_points: int | None = None) -> tuple[np.ndarray, int]:
    """Which rows of a replay's frames are drawn, and 1 in how many of the other models (1: all rows drawn).

    Within the budget every row is drawn. Over it, every frontier point is drawn and, of the other models, the same
    fixed share every month (chosen by a stable hash of the model id, so a model does not blink in and out between
    frames); the frames' own figures still count every model."""
    budget = REPLAY_MAX_POINTS if max_points is None else max_points
    on = np.asarray(on_frontier, dtype=bool)
    n = len(on)
    if n <= budget:
        return np.ones(n, dtype=bool), 1
    others = n - int(on.sum())
    share = max(budget - int(on.sum()), 0) / others if others else 1.0
    every = max(int(round(1 / share)), 1) if share > 0 else 0
    if not every:
        return on.copy(), 0
    ids = pd.Series(np.asarray(model_ids, dtype=object)).astype(str)
    keep = np.array([_stable_index(m, every) == 0 for m in pd.unique(ids)], dtype=bool)
    codes = pd.factorize(ids)[0]
    return on | keep[codes], every


def _add_replay(fig, frames_df, current, metric_label, price_label, theme, gl, legend=None, *,
                headline_pairs=(), x_range=None, chosen=None, max_points: int | None = None) -> None:
    """Plotly frames, one per as_of date, updating each vendor trace and the frontier line in place. Each frame
    carries its own figures (a line under the title) and its own pair arrows: only pairs whose two models are on
    the market at that date, at that date's prices (a 2023 frame has no 2024 arrow). The slider starts on the
    chosen date's month (`chosen`; the newest month when it is not given), the chart the reader sees before playing."""
    vendor_all = pd.concat([_col(current, "vendor", "other"), _col(frames_df, "vendor", "other")]).fillna("other")
    vendor_all = vendor_all.astype(str)
    if legend is not None:
        vendor_all = vendor_all.where(vendor_all.isin(list(legend)), OTHER_VENDOR)
    order = [tr.name for tr in fig.data[:-1]]
    # Vendors that appear only in some months still need a trace from the start.
    known = set(order)
    colours = vendor_colours(list(legend or []) + _vendor_order(vendor_all))
    for v in _vendor_order(vendor_all):
        if vendor_trace_name(v) not in known and v != USER_VENDOR:
            # a vendor priced in other months but not at the chosen date: an empty trace it fills when played
            symbol = "circle-open" if v == OTHER_VENDOR else vendor_symbol(v)
            fig.add_trace((go.Scattergl if gl else go.Scatter)(
                x=[], y=[], mode="markers", name=vendor_trace_name(v), legendgroup=escape(v),
                hovertemplate=_hovertemplate(metric_label, price_label),
                marker=dict(color=colours.get(v, vendor_colour(v)),
                            symbol=symbol if not gl or symbol in _GL_SAFE else "circle",
                            size=10, opacity=0.9, line=dict(width=0.5, color="rgba(17,24,39,0.85)"))))
            order.append(vendor_trace_name(v))
    data = list(fig.data)
    line_idx = next(i for i, t in enumerate(data) if getattr(t, "meta", None) == "frontier-line")
    base_title = str(fig.layout.meta["title"]).split(", as of")[0]
    other_anns = [a.to_plotly_json() for a in fig.layout.annotations if not str(a.name or "").startswith("headline")]
    q_all = pd.concat([_col(current, "quality"), _col(frames_df, "quality")]).astype(float)
    y_range = [float(q_all.min()), float(q_all.max())] if len(q_all) else None
    frames, steps, key_lines = [], [], 0
    # The rows drawn (all within the budget), then what the frames' traces show computed once over them and cut per
    # frame (see _ReplayFrame); each frame's own figures count every row of its date.
    drawn, every = replay_sample(_col(frames_df, "model_id", ""),
                                 _col(frames_df, "on_frontier", False).fillna(False).astype(bool).to_numpy(), max_points)
    at = np.cumsum(drawn) - 1  # a row's position among the drawn rows
    shown_df = frames_df.loc[drawn] if every != 1 else frames_df
    columns = _scatter_columns(shown_df, "price", legend=legend)
    _, x_all, y_all, on_all, _ = columns
    names = np.array(escape_each(_col(shown_df, "name", "").fillna("").astype(str)), dtype=object)
    kind = "scattergl" if gl else "scatter"
    for d, rows in sorted(frames_df.groupby("as_of", sort=True).indices.items()):
        sub = frames_df.iloc[rows]
        label = _date_str(d)[:7]
        n_drawn = int(drawn[rows].sum())
        rows = at[rows[drawn[rows]]]  # from here on, positions among the drawn rows
        built = {t["name"]: t for t in _scatter_trace_dicts(shown_df, "price", metric_label=metric_label,
                                                             x_label=price_label, legend=legend, gl=gl,
                                                             columns=columns, rows=rows)}
        fdata = []
        for i, tr in enumerate(data):
            if i == line_idx:
                # as _frontier_rows: the frontier's points by price then quality (a stable sort), named if few
                fr = rows[on_all[rows]]
                fr = fr[np.lexsort((y_all[fr], x_all[fr]))]
                labels = list(names[fr]) if len(fr) <= MAX_FRONTIER_LABELS else None
                line = dict(type="scatter", x=x_all[fr], y=y_all[fr], mode="lines+markers+text" if labels else "lines")
                if labels is not None:
                    line["text"] = labels
                fdata.append(line)
            else:
                b = built.get(tr.name)
                fdata.append(dict(type=kind, x=[], y=[]) if b is None else
                             dict(type=kind, x=b["x"], y=b["y"], customdata=b["customdata"], marker=b["marker"]))
        n_front = int(on_all[rows].sum())
        anns, key = _pair_annotations(sub, "price", headline_pairs, theme, y_range=y_range, x_range=x_range)
        key_lines = max(key_lines, len(key))
        sampled = [] if every == 1 else [
            f"Drawn: {n_drawn} of {len(sub)} models, the frontier and "
            + (f"1 in {every} of the others (the same models every month)" if every else "none of the others")
            + "; the chart of one date draws them all"]
        subtitle = "<br>".join([frame_kpis(sub, metric_label)] + sampled + key)
        frames.append(_ReplayFrame(name=label, data=fdata, traces=list(range(len(data))), _validate=False, layout=dict(
            title=dict(text=f"{escape(base_title)} — {label} ({len(sub)} models, {n_front} on the frontier)",
                       subtitle=dict(text=subtitle)),
            annotations=other_anns + anns)))
        steps.append(dict(method="animate", label=label,
                          args=[[label], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                              transition=dict(duration=0))]))
    # `fig.frames = frames` would copy and validate every frame again; the frames are set as built.
    fig._frame_objs = tuple(frames)
    fig.update_layout(
        updatemenus=[dict(type="buttons", direction="left", x=0.0, y=-0.14, xanchor="left", yanchor="top",
                          showactive=False, pad=dict(r=8, t=0),
                          buttons=[dict(label="▶ Play", method="animate",
                                        args=[None, dict(frame=dict(duration=450, redraw=True), fromcurrent=True,
                                                         transition=dict(duration=0), mode="immediate")]),
                                   dict(label="❚❚ Pause", method="animate",
                                        args=[[None], dict(frame=dict(duration=0, redraw=False),
                                                           mode="immediate")])])],
        sliders=[dict(active=_active_step([s["label"] for s in steps], chosen), steps=steps, x=0.16, y=-0.1, len=0.84, xanchor="left",
                      yanchor="top", currentvalue=dict(prefix="as of ", font=dict(size=12)), pad=dict(t=0))],
        margin=dict(b=140, t=64 + 17 * (1 + key_lines + (every != 1))),
    )
    # Before it plays, the chart is the chosen date's: its own figures in the same place as the frames'.
    key = str(fig.layout.title.subtitle.text or "") if fig.layout.title.subtitle else ""
    fig.update_layout(title=dict(subtitle=dict(text="<br>".join([frame_kpis(current, metric_label)]
                                                               + ([key] if key else [])),
                                               font=dict(size=12, color=_MUTED[theme]))))


def calculator_figure(points: pd.DataFrame, *, metric_label: str, quality_bar: float | None = None,
                      title: str = "Monthly cost vs quality", sources: Sequence[str] = (), data_as_of=None,
                      workload_label: str = "", theme: str = "light", webgl_threshold: int = WEBGL_THRESHOLD,
                      height: int = 560, market_as_of=None) -> go.Figure:
    """Monthly cost (log x) vs quality; cheapest-above-the-bar models ringed; the quality bar as a line.

    ``points``: ``model_id, name, vendor, monthly_cost_usd, quality`` and optionally ``cheapest`` (bool) and the
    price columns of the frontier chart.
    """
    price_label = f"Monthly cost (USD){' — ' + workload_label if workload_label else ''}"
    meta = _meta(title, sources, data_as_of, metric_label, price_label, market_as_of)
    df = _drawable(points, "monthly_cost_usd")
    if df.empty:
        return empty_figure("No model has both a price and a score for this metric.", title=title,
                            sources=sources, data_as_of=data_as_of, theme=theme, metric_label=metric_label,
                            price_label=price_label)
    gl = len(df) > webgl_threshold
    df = df.assign(on_frontier=_col(df, "on_frontier", False))
    traces = _scatter_traces(df, "monthly_cost_usd", metric_label=metric_label, x_label="monthly cost", gl=gl,
                             legend=legend_vendors(df, keep=list(_col(df, "vendor", "").loc[
                                 _col(df, "cheapest", False).fillna(False).astype(bool)].astype(str))))
    fig = go.Figure(data=traces)
    if "cheapest" in df.columns and df["cheapest"].fillna(False).astype(bool).any():
        ch = df.loc[df["cheapest"].fillna(False).astype(bool)]
        if "cheapest_rank" in ch:
            ch = ch.sort_values("cheapest_rank")
        fig.add_trace(go.Scatter(
            x=ch["monthly_cost_usd"].astype(float), y=ch["quality"].astype(float), mode="markers+text",
            name="cheapest above the bar", text=[escape(n) for n in ch["name"]], textposition="middle right",
            customdata=np.column_stack([ch["model_id"].astype(str).to_numpy(dtype=object)]),
            hoverinfo="skip", marker=dict(size=22, color="rgba(0,0,0,0)",
                                          line=dict(width=2, color=_ACCENT[theme])),
        ))
    if quality_bar is not None and np.isfinite(quality_bar):
        fig.add_hline(y=float(quality_bar), line=dict(color=_MUTED[theme], dash="dash", width=1.5),
                      annotation_text=f"quality bar {quality_bar:g}", annotation_position="top left")
    themed_layout(fig, theme, title=dict(text=escape(title)),
                      height=height, meta=meta, hovermode="closest", legend=dict(title=dict(text="vendor")),
                      xaxis=dict(type="log", title=dict(text=escape(price_label)), tickprefix="$"),
                      yaxis=dict(title=dict(text=escape(metric_label))))
    rng = _log_range(df["monthly_cost_usd"].to_numpy(float))
    if rng:
        fig.update_xaxes(range=rng)
    ringed = [t for t in fig.data if t.name == "cheapest above the bar"]
    if rng and ringed and ringed[0].text is not None and len(ringed[0].text) > 1:
        # the ringed models' names avoid each other and the markers (models of one price sit on one spot)
        q = df["quality"].to_numpy(float)
        span = max(float(q.max() - q.min()), 1e-9)
        ringed[0].textposition = place_labels(
            np.log10(np.asarray(ringed[0].x, float)), list(ringed[0].y), list(ringed[0].text), rng,
            [float(q.min()) - 0.06 * span, float(q.max()) + 0.06 * span],
            obstacles=list(zip(np.log10(df["monthly_cost_usd"].to_numpy(float)), q)))
    return fig


# --- Generations -----------------------------------------------------------------------------------------------

def _pair_customdata(d: pd.DataFrame) -> np.ndarray:
    if not len(d):
        return np.empty((0, 12), dtype=object)
    n = len(d)

    def numbers(col, fmt: str | None = None) -> np.ndarray:  # "–" where none; 4 significant digits or `fmt`
        x = _num(col, n)
        out = np.full(n, "–", dtype=object)
        finite = np.isfinite(x)
        if finite.any():
            out[finite] = score_texts(x[finite]) if fmt is None else list(map(fmt.format, x[finite].tolist()))
        return out

    return _object_columns([
        (d["teacher_id"].astype(str) + " → " + d["student_id"].astype(str)).to_numpy(dtype=object),
        escape_each(_col(d, "teacher_name", "")), escape_each(_col(d, "student_name", "")),
        fmt_usd_each(_num(d["teacher_price"], n)), fmt_usd_each(_num(d["student_price"], n)),
        numbers(d["teacher_quality"]), numbers(d["student_quality"]),
        numbers(_col(d, "price_drop_pct"), "{:.0f} %"), numbers(_col(d, "quality_drop_pct"), "{:.0f} %"),
        numbers(_col(d, "quality_delta_points")),
        [escape(x) or "(none)" for x in _col(d, "era", None)],
        escape_each(_col(d, "student_price_date", "")),
    ])


_PAIR_HOVER = ("<b>%{customdata[1]} → %{customdata[2]}</b> (%{customdata[10]})<br>"
               "price %{customdata[3]} → %{customdata[4]} (%{customdata[7]} cheaper, priced %{customdata[11]})<br>"
               "quality %{customdata[5]} → %{customdata[6]} (%{customdata[8]} drop, Δ %{customdata[9]} pts)"
               "<extra></extra>")

MAX_LABELLED_PAIRS = 12  # above this, names would pile up: the hover names each pair

ERA_COLOURS = {"pre-distillation": "#BBBBBB", "distillation": "#4477AA"}
_ERA_FALLBACK = ["#EE7733", "#228833", "#AA3377", "#66CCEE", "#CCBB44"]


def era_colour(era) -> str:
    e = str(era or "(none)")
    return ERA_COLOURS.get(e) or _ERA_FALLBACK[_stable_index(e, len(_ERA_FALLBACK))]


def generations_figure(deltas: pd.DataFrame, *, metric_label: str, price_label: str, title: str = "Teacher → student",
                       sources: Sequence[str] = (), data_as_of=None, theme: str = "light", height: int = 600) -> go.Figure:
    """Teacher → student arrows in price (log x) – quality space; teachers as open markers, students filled.

    ``deltas`` from ``lib.generations.pair_deltas`` plus ``teacher_name``, ``student_name``, ``vendor``.
    """
    meta = _meta(title, sources, data_as_of, metric_label, price_label)
    d = deltas.copy()
    ok = np.isfinite(_num(d["teacher_price"], len(d))) & np.isfinite(_num(d["student_price"], len(d))) & \
        np.isfinite(_num(d["teacher_quality"], len(d))) & np.isfinite(_num(d["student_quality"], len(d))) & \
        (_num(d["teacher_price"], len(d)) > 0) & (_num(d["student_price"], len(d)) > 0)
    d = d.loc[ok]
    if d.empty:
        return empty_figure("No pair has prices and scores for this metric.", title=title, sources=sources,
                            data_as_of=data_as_of, theme=theme, metric_label=metric_label, price_label=price_label)
    traces = []  # plain dicts, added at once (one by one, Plotly validated every earlier trace again), arrows too
    cd = _pair_customdata(d)
    # a legend entry per vendor up to MAX_LEGEND_VENDORS, the others together as "other vendors" (the hover names
    # each pair): a bounded number of traces however many vendors the pairs have
    vendor = _vendor_keys(d.assign(vendor=_col(d, "vendor", OTHER_VENDOR).fillna(OTHER_VENDOR)),
                          legend_vendors(d)).to_numpy(dtype=object)
    order = _vendor_order(vendor)
    colours = vendor_colours(order)
    n = len(d)
    ends = {role: (_num(d[f"{role}_price"], n), _num(d[f"{role}_quality"], n),
                   d[f"{role}_id"].astype(str).to_numpy(dtype=object),
                   np.asarray(escape_each(_col(d, f"{role}_name", "")), dtype=object)) for role in ("teacher", "student")}
    mode = "markers+text" if n <= MAX_LABELLED_PAIRS else "markers"
    hover = _shift_hover(_PAIR_HOVER)
    for v in order:
        m = vendor == v
        colour, sub_cd = colours[v], cd[m]
        for role in ("teacher", "student"):
            x, y, ids, names = ends[role]
            teacher = role == "teacher"
            traces.append(dict(
                type="scatter", x=x[m], y=y[m], mode=mode, name=f"{vendor_trace_name(v)} {role}",
                legendgroup=escape(v), customdata=np.column_stack([ids[m], sub_cd]),
                # teachers named above, students below: a pair reads from its two ends
                text=names[m].tolist(), textposition="top center" if teacher else "bottom center",
                textfont=dict(size=11, color=_MUTED[theme]) if teacher else dict(size=11), hovertemplate=hover,
                marker=dict(size=13, color="rgba(0,0,0,0)", symbol="circle", line=dict(width=2, color=colour))
                if teacher else dict(size=11, color=colour, symbol="circle", line=dict(width=0.5, color="#111827"))))
    fig = _unvalidated_figure(go.Figure, [_in_plotly_order(t) for t in traces], themed=True)  # as frontier_figure's
    _validating(fig)
    # the arrows as plain values in the order Plotly's validation sets them (validating a few hundred took longer
    # than the rest of the chart)
    tp, tq = ends["teacher"][:2]
    sp, sq = ends["student"][:2]
    eras = _col(d, "era", None).to_numpy(dtype=object)
    _set_unvalidated(fig.layout, "annotations", [_in_plotly_order(dict(
        x=math.log10(float(sp[i])), y=float(sq[i]), ax=math.log10(float(tp[i])), ay=float(tq[i]),
        xref="x", yref="y", axref="x", ayref="y", showarrow=True, arrowhead=3, arrowsize=1.1,
        arrowwidth=1.6, arrowcolor=era_colour(eras[i]), standoff=6, startstandoff=7, text=""), top=False)
        for i in range(n)])
    rng = _log_range(np.r_[d["teacher_price"].to_numpy(float), d["student_price"].to_numpy(float)])
    themed_layout(fig, theme, title=dict(text=escape(title)), height=height, meta=meta, hovermode="closest",
                  xaxis=dict(type="log", title=dict(text=escape(price_label)), tickprefix="$",
                             **({"range": rng} if rng else {})),
                  yaxis=dict(title=dict(text=escape(metric_label))))
    return fig


def _shift_hover(template: str) -> str:
    """The pair hover reads customdata[i]; traces prepend model_id, so every index moves up by one."""
    import re

    return re.sub(r"customdata\[(\d+)\]", lambda m: f"customdata[{int(m.group(1)) + 1}]", template)


def generation_drops_figure(deltas: pd.DataFrame, *, scale: str = "percent", title: str = "Price drop vs quality drop",
                            metric_label: str = "", sources: Sequence[str] = (), data_as_of=None,
                            theme: str = "light", height: int = 480) -> go.Figure:
    """Price drop (%) vs quality drop (%, or Δ points on a points scale) per pair, one trace per era."""
    y_col = "quality_drop_pct" if scale == "percent" else "quality_delta_points"
    y_label = f"Quality drop (%) — {metric_label}" if scale == "percent" else f"Quality change (points) — {metric_label}"
    price_label = "Price drop (%)"
    meta = _meta(title, sources, data_as_of, y_label, price_label)
    d = deltas.loc[np.isfinite(_num(_col(deltas, "price_drop_pct"), len(deltas))) &
                   np.isfinite(_num(_col(deltas, y_col), len(deltas)))]
    if d.empty:
        return empty_figure("No pair has prices and scores for this metric.", title=title, sources=sources,
                            data_as_of=data_as_of, theme=theme, metric_label=y_label, price_label=price_label)
    cd = _pair_customdata(d)
    era = _col(d, "era", None).fillna("(none)").astype(str)
    traces = []  # plain dicts in the form validation gives them, put into the figure at once (the same JSON)
    for e in sorted(era.unique(), key=lambda x: (x != "pre-distillation", x)):
        m = (era == e).to_numpy()
        sub = d.loc[m]
        traces.append(dict(
            type="scatter", x=_readonly_array(sub["price_drop_pct"].astype(float)),
            y=_readonly_array(sub[y_col].astype(float)),
            mode="markers+text" if len(d) <= MAX_LABELLED_PAIRS else "markers",
            name=escape(e), customdata=_readonly_array(cd[m]), hovertemplate=_PAIR_HOVER,
            text=[escape(x) for x in _col(sub, "student_name", "")], textposition="top center",
            textfont=dict(size=11), marker=dict(size=13, color=era_colour(e), line=dict(width=1, color="#111827"))))
        traces.append(dict(
            type="scatter", x=[float(sub["price_drop_pct"].mean())], y=[float(sub[y_col].mean())], mode="markers",
            name=f"{escape(e)} mean", customdata=[[f"era:{e}"]], legendgroup=escape(e), showlegend=False,
            hovertemplate=f"<b>{escape(e)} mean</b><br>price drop %{{x:.0f}} %<br>quality %{{y:.1f}}<extra></extra>",
            marker=dict(size=20, symbol="x-thin-open", color=era_colour(e), line=dict(width=3, color=era_colour(e)))))
    fig = _unvalidated_figure(go.Figure, [_in_plotly_order(t) for t in traces], themed=True)
    _validating(fig)
    # fig.add_hline(y=0, line=...) as the shape it adds
    _set_unvalidated(fig.layout, "shapes", [dict(line=dict(color=_MUTED[theme], width=1), type="line", x0=0, x1=1,
                                                 xref="x domain", y0=0, y1=0, yref="y")])
    themed_layout(fig, theme, title=dict(text=escape(title)),
                      height=height, meta=meta, hovermode="closest", legend=dict(title=dict(text="era")),
                      xaxis=dict(title=dict(text=price_label), ticksuffix=" %",
                                 range=_pad_range(d["price_drop_pct"].astype(float), 0.12)),
                      yaxis=dict(title=dict(text=escape(y_label)),
                                 **({"range": _pad_range(d[y_col].astype(float), 0.15)} if scale == "percent"
                                    else {"autorange": "reversed"})))
    return fig


def _pad_range(values: pd.Series, pad: float) -> list[float] | None:
    v = values[np.isfinite(values)]
    if v.empty:
        return None
    lo, hi = float(v.min()), float(v.max())
    span = max(hi - lo, 10.0)
    return [lo - pad * span, hi + pad * span]


# --- Trends ----------------------------------------------------------------------------------------------------

def trend_figure(table: pd.DataFrame, fit, *, metric_label: str, price_label: str, title: str = "",
                 sources: Sequence[str] = (), data_as_of=None, theme: str = "light", height: int = 540) -> go.Figure:
    """Cheapest-to-reach points over release date (log y), all qualifying models faint, the fitted line.

    ``table``: ``model, release_date, price, score`` (+ optional ``name``, ``vendor``); ``fit``: a
    ``lib.trends.TrendFit``. The headline "N× cheaper per year (90 % CI lo–hi)" is in the title and an annotation.
    """
    thr = float(getattr(fit, "threshold", float("nan")))
    title = title or f"Cheapest price to reach {metric_label} ≥ {thr:g}"
    meta = _meta(title, sources, data_as_of, metric_label, price_label)
    t = table.copy()
    t["release_date"] = pd.to_datetime(t["release_date"], errors="coerce")
    qual = t.loc[(pd.to_numeric(t["score"], errors="coerce") >= thr) & (t["price"] > 0) & t["release_date"].notna()]
    if qual.empty:
        return empty_figure(f"No priced model reaches {thr:g}.", title=title, sources=sources, data_as_of=data_as_of,
                            theme=theme, metric_label=metric_label, price_label=price_label)
    fig = go.Figure()

    def cd(df):
        names = _col(df, "name", None).where(_col(df, "name", None).notna(), df["model"])
        return np.column_stack([df["model"].astype(str).to_numpy(dtype=object), [escape(x) for x in names],
                                [fmt_usd(x) for x in df["price"].astype(float)],
                                [f"{x:.4g}" for x in df["score"].astype(float)],
                                [_date_str(x) for x in df["release_date"]]])
    hover = ("<b>%{customdata[1]}</b><br>released %{customdata[4]}<br>price %{customdata[2]}<br>"
             f"{escape(metric_label)} %{{customdata[3]}}<extra></extra>")
    fig.add_trace(go.Scatter(x=qual["release_date"], y=qual["price"].astype(float), mode="markers",
                             name="models at or above the threshold", customdata=cd(qual), hovertemplate=hover,
                             marker=dict(size=8, color=_MUTED[theme], opacity=0.45)))
    pts = fit.points.copy()
    if len(pts):
        pts["release_date"] = pd.to_datetime(pts["release_date"])
        extra = table.drop_duplicates("model").set_index("model")
        for c in ("name", "vendor"):
            if c in extra:
                pts[c] = pts["model"].map(extra[c])
        fig.add_trace(go.Scatter(
            x=pts["release_date"], y=pts["price"].astype(float), mode="markers+text", name="new lowest price",
            customdata=cd(pts), hovertemplate=hover,
            text=[escape(x) for x in _col(pts, "name", None).where(_col(pts, "name", None).notna(), pts["model"])],
            textposition="top right", textfont=dict(size=11),
            marker=dict(size=12, color=[vendor_colour(v) for v in _col(pts, "vendor", "other")],
                        line=dict(width=1, color="#111827"))))
    if getattr(fit, "ok", False):
        x0 = pd.Timestamp(fit.origin)
        xs = pd.date_range(pts["release_date"].min(), pts["release_date"].max(), periods=50)
        years = (xs - x0) / pd.Timedelta(days=365.0)
        ys = 10 ** (fit.intercept_log10 + fit.slope_log10_per_year * np.asarray(years, dtype=float))
        lo, hi = fit.ci90
        label = f"{fmt_factor(fit.factor_per_year)} cheaper per year (90 % CI {fmt_factor(lo)}–{fmt_factor(hi)}), " \
                f"n = {fit.n}, R² = {fit.r_squared:.2f}"
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="fitted trend", hoverinfo="skip",
                                 customdata=[["fit"]] * len(xs), meta="trend-line",
                                 line=dict(color=_ACCENT[theme], width=2, dash="dash")))
        fig.add_annotation(text=label, x=0.99, y=0.98, xref="paper", yref="paper", xanchor="right", yanchor="top",
                           showarrow=False, font=dict(size=14, color=_ACCENT[theme]), name="trend-factor")
        meta["headline"] = label
    else:
        msg = getattr(fit, "message", "") or "too few points for a fit"
        fig.add_annotation(text=escape(msg), x=0.99, y=0.98, xref="paper", yref="paper", xanchor="right",
                           yanchor="top", showarrow=False, font=dict(size=13, color=_MUTED[theme]))
    xaxis = dict(title=dict(text="Release date"))
    dates = pd.to_datetime(pd.concat([qual["release_date"], pts["release_date"]]), errors="coerce").dropna()
    if len(dates):
        span = max(dates.max() - dates.min(), pd.Timedelta(days=30))
        # room on the right for the last point's label ("top right" text would be cut at the plot edge)
        xaxis["range"] = [dates.min() - span * 0.03, dates.max() + span * 0.12]
    themed_layout(fig, theme, title=dict(text=escape(title)),
                      height=height, meta=meta, hovermode="closest", xaxis=xaxis,
                      yaxis=dict(type="log", title=dict(text=escape(price_label)), tickprefix="$"))
    return fig


LEVEL_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
LEVEL_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star"]
EQUAL_PRICE_STEP = 0.03  # of the price axis's span in decades, between lines at one price: ~7 px on a 480 px chart


def equal_price_offsets(levels: pd.DataFrame, step: float = EQUAL_PRICE_STEP) -> pd.Series:
    """The price each level's line is drawn at: where several levels have the same price on a date (one model is
    the cheapest for all of them), they are spread apart around it in level order, `step` of the prices' span in
    decades (at least 0.01 decade) between neighbours, so no line hides another; elsewhere the price itself."""
    price = levels["price"].astype(float)
    shown = price.copy()
    positive = np.log10(price[price > 0])
    step = max(0.01, step * float(positive.max() - positive.min())) if len(positive) else 0.01
    for _, idx in levels.groupby([levels["date"], price.round(12)]).groups.items():
        if len(idx) < 2:
            continue
        ordered = levels.loc[idx].sort_values("level").index
        for k, i in enumerate(ordered):
            shown.loc[i] = price.loc[i] * 10 ** ((k - (len(ordered) - 1) / 2) * step)
    return shown


def frontier_price_over_time_figure(levels: pd.DataFrame, *, metric_label: str, price_label: str,
                                    names: dict | None = None, title: str = "", sources: Sequence[str] = (),
                                    data_as_of=None, theme: str = "light", height: int = 480) -> go.Figure:
    """Frontier price at fixed quality levels over time: one step line per level (log y).

    ``levels``: ``date, level, price, model`` (``lib.trends.frontier_price_at_levels``).
    """
    title = title or f"Cheapest price at fixed {metric_label} levels"
    meta = _meta(title, sources, data_as_of, metric_label, price_label)
    lv = levels.loc[np.isfinite(_num(levels["price"], len(levels)))] if len(levels) else levels
    if lv.empty:
        return empty_figure("No model reaches these quality levels.", title=title, sources=sources,
                            data_as_of=data_as_of, theme=theme, metric_label=metric_label, price_label=price_label)
    names = names or {}
    fig = go.Figure()
    palette = ["#4477AA", "#EE7733", "#228833", "#AA3377", "#66CCEE", "#CCBB44", "#EE6677"]
    lv = lv.assign(shown=equal_price_offsets(lv))
    for i, level in enumerate(sorted(lv["level"].unique())):
        sub = lv.loc[lv["level"] == level].sort_values("date")
        fig.add_trace(go.Scatter(
            x=sub["date"], y=sub["shown"].astype(float), mode="lines+markers", line_shape="hv", name=f"≥ {level:g}",
            line=dict(width=2.2, color=palette[i % len(palette)], dash=LEVEL_DASHES[i % len(LEVEL_DASHES)]),
            marker=dict(symbol=LEVEL_SYMBOLS[i % len(LEVEL_SYMBOLS)], size=6),
            customdata=np.column_stack([sub["model"].astype(str).to_numpy(dtype=object),
                                        [escape(names.get(m, m)) for m in sub["model"]],
                                        sub["price"].astype(float).to_numpy()]),
            hovertemplate=(f"<b>{escape(metric_label)} ≥ {level:g}</b><br>%{{x|%Y-%m-%d}}: %{{customdata[2]:$.3g}}"
                           "<br>%{customdata[1]}<extra></extra>")))
    if (lv["shown"] != lv["price"].astype(float)).any():
        fig.add_annotation(text="Lines at an equal price are drawn slightly apart (hover for the price).",
                           xref="paper", yref="paper", x=0, y=1.0, xanchor="left", yanchor="bottom",
                           showarrow=False, font=dict(size=11, color=_MUTED[theme]), name="equal-price-note")
    prices = _num(lv["price"], len(lv))
    rng = _log_range(np.r_[prices, lv["shown"].to_numpy(float)], pad=0.08)  # room for the lines drawn apart
    ticks = price_ticks(prices, rng, min_gap=0.08)  # the levels' actual prices, not log minor ticks
    themed_layout(fig, theme, title=dict(text=escape(title)),
                      height=height, meta=meta, hovermode="x unified", legend=dict(title=dict(text="quality level")),
                      xaxis=dict(title=dict(text="Date")),
                      yaxis=dict(type="log", title=dict(text=escape(price_label)), range=rng,
                                 tickvals=ticks or None, ticktext=[price_tick_text(t) for t in ticks] or None,
                                 automargin=True))
    return fig


# --- Price history ---------------------------------------------------------------------------------------------

_MODEL_PALETTE = ["#4477AA", "#EE7733", "#228833", "#AA3377", "#66CCEE", "#CC3311"]


LIFECYCLE_TEXT = {"released": "released", "retired": "retired (off the vendor's API)", "delisted": "delisted (observed)"}


def price_history_figure(history: pd.DataFrame, *, names: dict | None = None, title: str = "Price history",
                         sources: Sequence[str] = (), data_as_of=None, theme: str = "light",
                         height: int = 460, lifecycle: pd.DataFrame | None = None) -> go.Figure:
    """Step chart of input (solid) and output (dashed) price per model over time.

    ``history``: the resolved headline series, one row per interval: ``model_id, effective_from, effective_to,
    input_usd_per_mtok, output_usd_per_mtok, date_kind, source_id``. Change dates with a vendor-effective date
    are filled markers; dates only observed in a copy (the change happened at or before) are open markers.
    ``lifecycle``: the models' vendor events (``model_id, event, date, date_kind, source_id, source_ref``), drawn
    as dotted vertical lines labelled at the top, with a hover naming the event, its kind and its source.
    """
    price_label = "USD per million tokens"
    meta = _meta(title, sources, data_as_of, "", price_label)
    if history is None or history.empty:
        return empty_figure("No price history for this selection.", title=title, sources=sources,
                            data_as_of=data_as_of, theme=theme, price_label=price_label)
    names = names or {}
    end = pd.Timestamp(data_as_of) if data_as_of else pd.Timestamp(history["effective_from"].max())
    traces = []  # validated one by one, then put into the figure at once (add_trace validated each again)
    models = list(dict.fromkeys(history["model_id"].astype(str)))
    for i, mid in enumerate(models):
        h = history.loc[history["model_id"].astype(str) == mid].sort_values("effective_from")
        colour = _MODEL_PALETTE[i % len(_MODEL_PALETTE)] if len(models) > 1 else None
        label = escape(names.get(mid, mid))
        for kind, col, dash, default_colour in (("input", "input_usd_per_mtok", "solid", "#4477AA"),
                                                ("output", "output_usd_per_mtok", "dash", "#EE7733")):
            c = colour or default_colour
            xs = list(pd.to_datetime(h["effective_from"]))
            ys = list(h[col].astype(float))
            last_to = pd.to_datetime(h["effective_to"].iloc[-1]) if "effective_to" in h else pd.NaT
            xs.append(last_to if pd.notna(last_to) else max(end, xs[-1]))
            ys.append(ys[-1])
            series_name = f"{label} — {kind}" if len(models) > 1 else f"{kind} price"
            # plain values in the form Plotly's validation gives them (lists stay lists, a Series becomes a
            # read-only array): the figure takes them without validating each trace (the same JSON)
            traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", name=series_name,
                               legendgroup=f"{mid}:{kind}", customdata=[[mid] for _ in xs], hoverinfo="skip",
                               line=dict(color=c, width=2.4, dash=dash, shape="hv")))
            kinds = h["date_kind"].astype(str).to_numpy()
            cd = np.column_stack([[mid] * len(h), [label] * len(h), [kind] * len(h),
                                  [("vendor-effective date" if k == "effective" else
                                    "observed in a copy: changed on or before this date") for k in kinds],
                                  [escape(s) for s in _col(h, "source_id", "")],
                                  [fmt_usd(v) for v in h[col].astype(float)]])
            traces.append(dict(
                type="scatter", x=_readonly_array(pd.to_datetime(h["effective_from"])),
                y=_readonly_array(h[col].astype(float)), mode="markers",
                name=f"{series_name} changes", legendgroup=f"{mid}:{kind}", showlegend=False,
                customdata=_readonly_array(cd),
                hovertemplate="<b>%{customdata[1]}</b> %{customdata[2]} %{customdata[5]}<br>from %{x|%Y-%m-%d}"
                              " (%{customdata[3]})<br>source: %{customdata[4]}<extra></extra>",
                marker=dict(size=10, color=[c if k == "effective" else "rgba(0,0,0,0)" for k in kinds],
                            symbol=["circle" if k == "effective" else "circle-open" for k in kinds],
                            line=dict(width=2, color=c))))
    # Legend entries that explain the two marker kinds.
    for k, sym, txt in (("effective", "circle", "vendor-effective date"),
                        ("observed", "circle-open", "observed date (change on or before)")):
        traces.append(dict(type="scatter", x=[None], y=[None], mode="markers", name=txt, hoverinfo="skip",
                           customdata=[[k]], marker=dict(size=10, symbol=sym, color=_MUTED[theme],
                                                         line=dict(width=2, color=_MUTED[theme]))))
    fig = _unvalidated_figure(go.Figure, [_in_plotly_order(t) for t in traces])
    _validating(fig)
    prices = np.r_[_num(history["input_usd_per_mtok"], len(history)), _num(history["output_usd_per_mtok"], len(history))]
    rng = _log_range(prices, pad=0.08)
    ticks = price_ticks(prices, rng)
    if lifecycle is not None and len(lifecycle) and rng:
        _add_lifecycle(fig, lifecycle, names, 10 ** rng[1], theme)
    themed_layout(fig, theme, title=dict(text=escape(title)),
                      height=height, meta=meta, hovermode="closest",
                      xaxis=dict(title=dict(text="Date")),
                      yaxis=dict(type="log", title=dict(text=price_label), range=rng,
                                 tickvals=ticks or None, ticktext=[price_tick_text(t) for t in ticks] or None,
                                 automargin=True))
    return fig


def _add_lifecycle(fig: go.Figure, events: pd.DataFrame, names: dict, top: float, theme: str) -> None:
    """Dotted vertical lines at each lifecycle event, a label at the top, and one hover marker per event."""
    ev = events.dropna(subset=["date"]).copy()
    ev["date"] = pd.to_datetime(ev["date"])
    ev = ev.sort_values("date")
    many = ev["model_id"].nunique() > 1
    muted = _MUTED[theme]
    # one line and label per date and event; on a chart of several models the label counts them (hover names them)
    for i, ((day, event), g) in enumerate(ev.groupby(["date", "event"], sort=True)):
        fig.add_shape(type="line", xref="x", yref="paper", x0=day, x1=day, y0=0, y1=1,
                      line=dict(color=muted, width=1, dash="dot"), layer="below")
        n = g["model_id"].nunique()
        text = escape(str(event)) + (f" ×{n}" if many and n > 1 else "")
        # inside the plot's top edge (above it is the title band of a slide), beside its line
        fig.add_annotation(x=day, y=1, xref="x", yref="paper", yanchor="top", xanchor="left", showarrow=False,
                           text=text, font=dict(size=10, color=muted), xshift=3, yshift=-12 - 12 * (i % 2))
    cd = np.column_stack([
        ev["model_id"].astype(str),
        [escape(names.get(m, m)) if many else "" for m in ev["model_id"].astype(str)],
        [LIFECYCLE_TEXT.get(str(e), escape(str(e))) for e in ev["event"]],
        [escape(str(k)) if pd.notna(k) else "" for k in _col(ev, "date_kind", None)],
        [escape(str(s)) for s in _col(ev, "source_id", "")],
        [escape(str(s))[:120] for s in _col(ev, "source_ref", "")],
    ]) if len(ev) else np.empty((0, 6), dtype=object)
    fig.add_trace(go.Scatter(
        x=ev["date"], y=[top] * len(ev), mode="markers", name="lifecycle events", customdata=cd,
        marker=dict(symbol="triangle-down", size=9, color=muted),
        hovertemplate="<b>%{customdata[2]}</b> %{customdata[1]} %{x|%Y-%m-%d} (%{customdata[3]})<br>"
                      "source: %{customdata[4]}<br>%{customdata[5]}<extra></extra>"))


def host_prices_figure(hosts: pd.DataFrame, *, title: str = "Price by API host", sources: Sequence[str] = (),
                       data_as_of=None, theme: str = "light", height: int = 420) -> go.Figure:
    """Each API host's blended (3:1) list price at each observation date (one dot per host, hover names it), with
    the cheapest, median and dearest host joined across dates. ``hosts``: model_id, provider, observed_date,
    input_usd_per_mtok, output_usd_per_mtok, source_id."""
    price_label = "USD per million tokens (3:1 blend)"
    meta = _meta(title, sources, data_as_of, "", price_label)
    if hosts is None or hosts.empty:
        return empty_figure("No host prices observed for this model.", title=title, sources=sources,
                            data_as_of=data_as_of, theme=theme, price_label=price_label)
    h = hosts.assign(blended=(3 * hosts["input_usd_per_mtok"].astype(float)
                              + hosts["output_usd_per_mtok"].astype(float)) / 4,
                     day=pd.to_datetime(hosts["observed_date"])).dropna(subset=["blended"])
    fig = go.Figure()
    cd = np.column_stack([[escape(str(p)) for p in h["provider"]], [fmt_usd(v) for v in h["input_usd_per_mtok"]],
                          [fmt_usd(v) for v in h["output_usd_per_mtok"]], [fmt_usd(v) for v in h["blended"]],
                          [escape(str(s)) for s in _col(h, "source_id", "")]])
    fig.add_trace(go.Scatter(
        x=h["day"], y=h["blended"], mode="markers", name="an API host", customdata=cd,
        marker=dict(size=9, color=_MUTED[theme], opacity=0.7),
        hovertemplate="<b>%{customdata[0]}</b> %{x|%Y-%m-%d}<br>input %{customdata[1]} · output %{customdata[2]}"
                      "<br>blended %{customdata[3]} per M tokens<br>source: %{customdata[4]}<extra></extra>"))
    g = h.groupby("day")["blended"]
    for stat, colour, dash in (("min", "#228833", "solid"), ("median", "#4477AA", "dash"), ("max", "#EE6677", "dot")):
        v = g.agg(stat)
        fig.add_trace(go.Scatter(x=v.index, y=v.to_numpy(), mode="lines+markers", line_shape="hv",
                                 name={"min": "cheapest host", "median": "median host", "max": "dearest host"}[stat],
                                 line=dict(color=colour, dash=dash, width=2), marker=dict(size=7, color=colour),
                                 hovertemplate=f"{stat} %{{y:$.3g}}<extra></extra>"))
    prices = h["blended"].to_numpy(float)
    rng = _log_range(prices, pad=0.1)
    ticks = price_ticks(prices, rng)
    # dates, never clock times: a few observation days (often one) get a month either side, not a 1 ms axis
    first, last = h["day"].min(), h["day"].max()
    pad = pd.Timedelta(days=30) if last - first < pd.Timedelta(days=60) else (last - first) * 0.04
    x_range = [(first - pad).strftime("%Y-%m-%d"), (last + pad).strftime("%Y-%m-%d")]
    themed_layout(fig, theme, title=dict(text=escape(title)),
                      height=height, meta=meta, hovermode="closest",
                      xaxis=dict(title=dict(text="Observed"), type="date", range=x_range, tickformat="%b %Y",
                                 dtick="M1" if last + pad - (first - pad) < pd.Timedelta(days=400) else None),
                      yaxis=dict(type="log", title=dict(text=price_label), range=rng, tickvals=ticks or None,
                                 ticktext=[price_tick_text(t) for t in ticks] or None, automargin=True))
    return fig


def price_tick_text(x: float) -> str:
    """$5 / $0.80 / $0.075: whole dollars bare, cents always with two digits, sub-cent with three significant."""
    if x >= 1 and float(x).is_integer():
        return f"${x:,.0f}"
    if x >= 0.1:
        return f"${x:,.2f}"
    return f"${x:.3g}"


def price_ticks(prices: np.ndarray, log_range: Sequence[float] | None, min_gap: float = 0.06) -> list[float]:
    """Tick values at the distinct prices a price chart draws (so every price level is labelled), dropping any
    closer than `min_gap` of the log axis to one already kept (lowest first; the highest is always kept)."""
    v = np.unique(np.round(prices[np.isfinite(prices) & (prices > 0)], 6))
    if v.size == 0 or not log_range:
        return []
    span = max(log_range[1] - log_range[0], 1e-9)
    kept: list[float] = []
    for p in v:
        if not kept or (math.log10(p) - math.log10(kept[-1])) / span >= min_gap:
            kept.append(float(p))
        elif p == v[-1]:
            kept[-1] = float(p)
    return kept


def add_effort_curves(fig: go.Figure, variants: pd.DataFrame, points: pd.DataFrame, *, theme: str = "light") -> None:
    """A model's reasoning settings as one connected line (cheapest setting → dearest) on a per-task chart:
    `variants` has model_id, variant, usd_per_task and task_score (the setting's own score on the chart's metric).
    One trace for all curves (None-separated), so the trace count stays fixed whatever the model count."""
    v = variants.dropna(subset=["usd_per_task", "task_score"])
    multi = v.groupby("model_id").filter(lambda g: len(g) > 1).sort_values(["model_id", "usd_per_task"])
    if multi.empty:
        return
    names = dict(zip(points["model_id"], points.get("name", points["model_id"])))
    xs, ys, texts = [], [], []
    for mid, g in multi.groupby("model_id", sort=True):
        xs += list(g["usd_per_task"]) + [None]
        ys += list(g["task_score"]) + [None]
        texts += [f"{escape(names.get(mid, mid))} · {escape(var)}" for var in g["variant"]] + [None]
    colour = "#6b7280" if theme != "dark" else "#9ca3af"
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name="Reasoning settings (effort curve)",
                             line=dict(color=colour, width=1, dash="dot"), marker=dict(size=4, color=colour),
                             text=texts, hovertemplate="%{text}<br>$%{x:.3f} per task · %{y}<extra></extra>",
                             showlegend=True))
