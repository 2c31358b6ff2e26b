"""PowerPoint export: a figure of lib.figures becomes a slide with a native, editable PowerPoint chart.

The chart is read off the figure's own traces (the points the dashboard draws, filtered as `export.points_frame`
filters them), so a slide never has a second filtering path. Title, subtitle and footer are editable text; the
sources, metric definition and price basis go in the speaker notes. No Streamlit, no browser.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib import export, figures

__all__ = ["SLIDE_SIZES_IN", "MIME_TYPE", "ChartSlide", "deck_bytes", "chart_bytes", "chart_kind",
           "native_series", "step_points", "NATIVE_NOTE"]

MIME_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# Slide sizes in inches (PowerPoint's own "Widescreen" and "Standard"; square for social posts).
SLIDE_SIZES_IN = {"16:9": (13.333, 7.5), "4:3": (10.0, 7.5), "square": (7.5, 7.5)}
FONT = "Calibri"
MAX_POINT_LABELS = 20  # more data labels than this pile up on a slide; the chart's data sheet still names all

NATIVE_NOTE = {
    "xy": "Native PowerPoint chart (XY scatter): right-click → Edit Data to see or change the points.",
    "generations": ("Native PowerPoint chart (clustered bars) of each pair's price drop and quality drop. The "
                    "dashboard draws the same pairs as teacher → student arrows in price–quality space; a "
                    "PowerPoint chart cannot anchor arrows to data points, so the slide shows the drops as bars."),
}


@dataclass
class ChartSlide:
    """One chart slide: the figure the dashboard draws, with optional title/subtitle overrides and extra notes."""

    fig: object
    title: str | None = None
    subtitle: str | None = None
    notes: list[str] = field(default_factory=list)


# --- reading the figure ------------------------------------------------------------------------------------------

def _plain(text) -> str:
    """Plotly's HTML subset (escaped data, <b>, <br>) as plain slide text."""
    text = re.sub(r"<br\s*/?>", "\n", str(text or ""))
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def _meta(fig) -> dict:
    meta = fig.layout.meta
    return dict(meta) if isinstance(meta, dict) else {}


def _trace_points(tr) -> pd.DataFrame:
    """The points one trace draws, filtered exactly as `export.points_frame` filters a figure's points."""
    return export.trace_points(tr).reset_index(drop=True).infer_objects()


def chart_kind(fig) -> str:
    """'generations' (teacher/student pairs: drawn as bars), 'xy' (any other scatter), or 'empty'."""
    names = [str(tr.name or "") for tr in fig.data]
    if any(n.endswith(" teacher") for n in names) and any(n.endswith(" student") for n in names):
        return "generations"
    if any(len(_trace_points(tr)) for tr in fig.data):
        return "xy"
    return "empty"


def _is_date_axis(fig, axis: str, values) -> bool:
    ax = fig.layout[f"{axis}axis"]
    if ax is not None and ax.type == "date":
        return True
    v = next((x for x in values if x is not None), None)
    return isinstance(v, (dt.date, dt.datetime, pd.Timestamp, np.datetime64)) or (
        isinstance(v, str) and re.match(r"^\d{4}-\d{2}-\d{2}", v) is not None)


_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def _excel_date(value) -> float:
    """A date as PowerPoint's (Excel's) serial day number, so the axis formats it as a date."""
    return (pd.Timestamp(value) - _EXCEL_EPOCH) / pd.Timedelta(days=1)


def step_points(xs: list, ys: list) -> tuple[list, list]:
    """A horizontal-then-vertical step line (Plotly's line_shape='hv') as plain XY points: every change
    repeats the previous y at the new x. n points become 2n − 1."""
    if len(xs) < 2:
        return list(xs), list(ys)
    sx, sy = [xs[0]], [ys[0]]
    for x, y in zip(xs[1:], ys[1:]):
        sx += [x, x]
        sy += [sy[-1], y]
    return sx, sy


def _colour(value, default: str | None = None) -> str | None:
    """'#4477AA' / 'rgba(…)' / 'rgb(…)' → 'RRGGBB'; None for transparent or unknown."""
    if value is None or isinstance(value, (list, tuple, np.ndarray)):
        return default
    s = str(value).strip()
    if re.fullmatch(r"#[0-9A-Fa-f]{6}", s):
        return s[1:].upper()
    if re.fullmatch(r"#[0-9A-Fa-f]{3}", s):
        return "".join(c * 2 for c in s[1:]).upper()
    m = re.fullmatch(r"rgba?\(([^)]*)\)", s)
    if m:
        parts = [float(p) for p in m.group(1).split(",")]
        if len(parts) == 4 and parts[3] == 0:
            return None
        return "".join(f"{int(round(p)):02X}" for p in parts[:3])
    return default


_SYMBOLS = {"circle": "CIRCLE", "square": "SQUARE", "diamond": "DIAMOND", "triangle-up": "TRIANGLE",
            "triangle-down": "TRIANGLE", "x": "X", "cross": "PLUS", "star": "STAR", "pentagon": "DIAMOND",
            "hexagon": "CIRCLE", "star-square": "STAR", "hourglass": "X", "bowtie": "X"}


# Plotly's textposition → PowerPoint's data-label position (an XY chart has no corner positions).
_LABEL_POSITIONS = {"top left": "LEFT", "middle left": "LEFT", "bottom left": "LEFT", "top right": "RIGHT",
                    "middle right": "RIGHT", "bottom right": "RIGHT", "top center": "ABOVE",
                    "bottom center": "BELOW", "middle center": "CENTER"}


def native_series(fig) -> list[dict]:
    """The XY series a slide draws for `fig`: one per trace with points, in the figure's order.

    Each: name, x, y (the trace's drawn points; dates as Excel serial days), step (the line is a step: x/y are
    expanded by `step_points` when written), lines, markers, colour, line_colour, symbol, marker_size, dash,
    labels (data-label text per point or None), per_point_colours, legend (False for a trace hidden from the
    legend), date_x.
    """
    out = []
    x_is_date = None
    for tr in fig.data:
        pts = _trace_points(tr)
        if not len(pts):
            continue
        if x_is_date is None:
            x_is_date = _is_date_axis(fig, "x", list(pts["x"]))
        xs = [_excel_date(x) if x_is_date else float(x) for x in pts["x"]]
        ys = [float(y) for y in pts["y"]]
        mode = str(getattr(tr, "mode", None) or "markers")
        line = getattr(tr, "line", None)
        marker = getattr(tr, "marker", None)
        mcolour = export.plain_array(getattr(marker, "color", None)) if marker is not None else None
        per_point = None
        if isinstance(mcolour, (list, tuple, np.ndarray)) and len(mcolour) >= len(pts):
            per_point = [_colour(c) for c in list(mcolour)[:len(pts)]]
        mline = getattr(marker, "line", None) if marker is not None else None
        labels = positions = None
        if "text" in mode and "label" in pts and len(pts) <= MAX_POINT_LABELS:
            labels = [_plain(t) if t is not None else "" for t in pts["label"]]
            where = getattr(tr, "textposition", None) or "top center"
            where = list(where) if isinstance(where, (list, tuple)) else [where] * len(labels)
            positions = [_LABEL_POSITIONS.get(str(w), "ABOVE") for w in (where + [where[-1]] * len(labels))[:len(labels)]]
        size = export.plain_array(getattr(marker, "size", None)) if marker is not None else None
        size = float(np.median(size)) if size is not None and np.ndim(size) else (float(size) if size else 8.0)
        out.append({
            "name": _plain(tr.name) or "series",
            "x": xs, "y": ys,
            "step": "lines" in mode and line is not None and line.shape == "hv",
            "lines": "lines" in mode, "markers": "markers" in mode,
            "colour": _colour(mcolour),
            "marker_line": _colour(getattr(mline, "color", None)) if mline is not None else None,
            "line_colour": _colour(getattr(line, "color", None)) if line is not None else None,
            "symbol": _SYMBOLS.get(str(getattr(marker, "symbol", "") or "circle").replace("-open", ""), "CIRCLE"),
            "open": str(getattr(marker, "symbol", "") or "").endswith("-open"),
            "marker_size": size, "dash": getattr(line, "dash", None) if line is not None else None,
            "labels": labels, "label_positions": positions, "per_point_colours": per_point,
            "legend": tr.showlegend is not False, "date_x": bool(x_is_date),
        })
    return out


def generation_bars(fig) -> pd.DataFrame:
    """One row per teacher → student pair the generations figure draws: pair, price_drop_pct,
    quality_drop_pct (both 100 · (1 − student / teacher), as lib.generations defines them)."""
    teachers, students = {}, []
    for tr in fig.data:
        name = str(tr.name or "")
        if not (name.endswith(" teacher") or name.endswith(" student")):
            continue
        pts = _trace_points(tr)
        cd = export.plain_array(tr.customdata)
        cd = np.asarray(cd, dtype=object) if cd is not None else None
        if cd is None or not len(pts):
            continue
        # customdata: [model_id, pair id, teacher name, student name, …] (lib.figures._pair_customdata)
        by_model = {}
        for row in cd:
            by_model.setdefault(str(row[0]), row)
        for p in pts.itertuples():
            row = by_model.get(str(p.model_id))
            key = str(row[1]) if row is not None else str(p.model_id)
            if name.endswith(" teacher"):
                teachers[key] = (float(p.x), float(p.y))
            else:
                label = f"{_plain(row[2])} → {_plain(row[3])}" if row is not None else key
                students.append((key, label, float(p.x), float(p.y)))
    rows = []
    for key, label, sp, sq in students:
        if key not in teachers:
            continue
        tp, tq = teachers[key]
        rows.append({"pair": label, "pair_id": key, "price_drop_pct": 100.0 * (1.0 - sp / tp),
                     "quality_drop_pct": 100.0 * (1.0 - sq / tq) if tq else float("nan")})
    return pd.DataFrame(rows, columns=["pair", "pair_id", "price_drop_pct", "quality_drop_pct"])


# --- writing -----------------------------------------------------------------------------------------------------

def _rgb(hexstr: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hexstr)


def _theme(theme: str) -> dict:
    th = export.THEMES.get(theme)
    if th is None:
        raise ValueError(f"unknown theme {theme!r}; expected one of {', '.join(export.THEMES)}")
    return {k: v.lstrip("#").upper() for k, v in th.items() if isinstance(v, str) and v.startswith("#")}


def _qn(tag: str):
    from pptx.oxml.ns import qn

    return qn(tag)


def _set_log_scale(axis, values) -> None:
    """Logarithmic axis (base 10) spanning whole decades around the values (OOXML c:logBase)."""
    from lxml import etree

    scaling = axis._element.find(_qn("c:scaling"))
    for old in scaling.findall(_qn("c:logBase")):
        scaling.remove(old)
    log = etree.SubElement(scaling, _qn("c:logBase"))
    log.set("val", "10")
    scaling.remove(log)
    scaling.insert(0, log)  # schema order: logBase, orientation, max, min
    v = np.asarray([x for x in values if x is not None and np.isfinite(x) and x > 0], dtype=float)
    if v.size:
        axis.minimum_scale = 10.0 ** math.floor(math.log10(v.min()))
        axis.maximum_scale = 10.0 ** math.ceil(math.log10(v.max()) + 1e-9)


def _no_fill(parent, before_tags=()) -> None:
    """A transparent background and no border on a chart element (the slide's background shows through)."""
    from lxml import etree

    spPr = parent.find(_qn("c:spPr"))
    if spPr is None:
        spPr = etree.Element(_qn("c:spPr"))
        anchor = next((parent.find(_qn(t)) for t in before_tags if parent.find(_qn(t)) is not None), None)
        if anchor is not None:
            anchor.addprevious(spPr)
        else:
            parent.append(spPr)
    for child in list(spPr):
        spPr.remove(child)
    etree.SubElement(spPr, _qn("a:noFill"))
    ln = etree.SubElement(spPr, _qn("a:ln"))
    etree.SubElement(ln, _qn("a:noFill"))


def _hide_legend_entries(chart, indexes) -> None:
    from lxml import etree

    legend = chart._chartSpace.chart.find(_qn("c:legend"))
    if legend is None or not indexes:
        return
    pos = legend.find(_qn("c:legendPos"))
    for idx in sorted(indexes, reverse=True):
        entry = etree.Element(_qn("c:legendEntry"))
        etree.SubElement(entry, _qn("c:idx")).set("val", str(idx))
        etree.SubElement(entry, _qn("c:delete")).set("val", "1")
        if pos is not None:
            pos.addnext(entry)
        else:
            legend.insert(0, entry)


def _style_axis(axis, th: dict, title: str, size_pt: float) -> None:
    from pptx.util import Pt

    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = _rgb(th["grid"])
    axis.format.line.color.rgb = _rgb(th["line"])
    axis.tick_labels.font.size = Pt(size_pt)
    axis.tick_labels.font.color.rgb = _rgb(th["text"])
    if title:
        axis.has_title = True
        tf = axis.axis_title.text_frame
        tf.text = title
        for p in tf.paragraphs:
            for r in p.runs:
                r.font.size = Pt(size_pt)
                r.font.bold = False
                r.font.color.rgb = _rgb(th["text"])


def _frame_chart(chart, th: dict, size_pt: float) -> None:
    from pptx.enum.chart import XL_LEGEND_POSITION
    from pptx.util import Pt

    chart.font.name = FONT
    chart.font.size = Pt(size_pt)
    chart.font.color.rgb = _rgb(th["text"])
    chart.has_title = False
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.RIGHT
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(size_pt)
    chart.legend.font.color.rgb = _rgb(th["text"])
    cs = chart._chartSpace
    _no_fill(cs, before_tags=("c:txPr", "c:externalData", "c:printSettings", "c:userShapes", "c:extLst"))
    _no_fill(cs.chart.plotArea, before_tags=("c:extLst",))


def _axis_title(fig, axis: str) -> str:
    ax = fig.layout[f"{axis}axis"]
    return _plain(ax.title.text) if ax is not None and ax.title is not None and ax.title.text else ""


def _xy_chart_data(columns: list[tuple[str, list, list]]):
    """XyChartData in Excel's classic scatter layout: one shared x column (A) holding every series' points one
    block after another, and one y column per series, blank outside its own block. Returns (data, offsets):
    offsets[k] is the row (point index) where series k starts.

    Why: python-pptx stacks every series in columns A:B with its own x range, which LibreOffice (and anything
    that converts through it) reads as one table and then draws only the last series. With one x column every
    reader draws every series; PowerPoint's "Edit Data" shows the familiar table."""
    from pptx.chart.data import XyChartData
    from pptx.chart.xlsx import XyWorkbookWriter
    from xlsxwriter.utility import xl_col_to_name

    offsets, all_x = [], []
    for _, xs, _ in columns:
        offsets.append(len(all_x))
        all_x += list(xs)
    n = len(all_x)

    class SharedXWriter(XyWorkbookWriter):
        def series_name_ref(self, series):
            return f"Sheet1!${xl_col_to_name(series.index + 1)}$1"

        def x_values_ref(self, series):
            return f"Sheet1!$A$2:$A${n + 1}"

        def y_values_ref(self, series):
            col = xl_col_to_name(series.index + 1)
            return f"Sheet1!${col}$2:${col}${n + 1}"

        def _populate_worksheet(self, workbook, worksheet):
            num = workbook.add_format({"num_format": self._chart_data.number_format})
            worksheet.write(0, 0, "x")
            worksheet.write_column(1, 0, all_x, num)
            for series in self._chart_data:
                worksheet.write(0, series.index + 1, series.name)
                for row, y in enumerate(series.y_values):
                    if y is not None:
                        worksheet.write_number(row + 1, series.index + 1, y, num)

    class SharedXChartData(XyChartData):
        @property
        def _workbook_writer(self):
            return SharedXWriter(self)

    data = SharedXChartData(number_format="General")
    for (name, _, ys), start in zip(columns, offsets):
        ser = data.add_series(name, number_format="General")
        column = [None] * n
        column[start:start + len(ys)] = ys
        for x, y in zip(all_x, column):
            ser.add_data_point(x, y)
    return data, offsets


def _add_xy_chart(slide, fig, box, th: dict, size_pt: float):
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_MARKER_STYLE
    from pptx.enum.dml import MSO_LINE_DASH_STYLE
    from pptx.util import Pt

    series = native_series(fig)
    data, offsets = _xy_chart_data([(s["name"], *(step_points(s["x"], s["y"]) if s["step"] else (s["x"], s["y"])))
                                    for s in series])
    gframe = slide.shapes.add_chart(XL_CHART_TYPE.XY_SCATTER, *box, data)
    chart = gframe.chart
    _frame_chart(chart, th, size_pt)
    hidden = []
    for i, (s, ser, start) in enumerate(zip(series, chart.plots[0].series, offsets)):
        colour = s["colour"] or s["line_colour"] or s["marker_line"] or th["text"]
        line_colour = s["line_colour"] or colour
        if s["lines"]:
            ser.format.line.color.rgb = _rgb(line_colour)
            ser.format.line.width = Pt(2.25)
            if s["dash"] in ("dash", "longdash", "dashdot"):
                ser.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
            elif s["dash"] == "dot":
                ser.format.line.dash_style = MSO_LINE_DASH_STYLE.ROUND_DOT
        else:
            ser.format.line.fill.background()
        if s["markers"]:
            ser.marker.style = getattr(XL_MARKER_STYLE, s["symbol"])
            ser.marker.size = int(max(3, min(14, round(s["marker_size"] * 0.7))))
            if s["colour"] and not s["open"]:
                ser.marker.format.fill.solid()
                ser.marker.format.fill.fore_color.rgb = _rgb(s["colour"])
            else:
                ser.marker.format.fill.background()
            # Plotly draws an open symbol's outline in the marker colour (its marker.line colour is unused)
            outline = s["colour"] if s["open"] and s["colour"] else s["marker_line"] or colour
            ser.marker.format.line.color.rgb = _rgb(outline)
            if s["per_point_colours"]:
                for j, c in enumerate(s["per_point_colours"]):
                    if c:
                        pt = ser.points[start + j]
                        pt.marker.format.fill.solid()
                        pt.marker.format.fill.fore_color.rgb = _rgb(c)
                        # LibreOffice colours a scatter symbol from the point's own fill, PowerPoint from the
                        # marker's: set both (the point fill means nothing else on a scatter).
                        pt.format.fill.solid()
                        pt.format.fill.fore_color.rgb = _rgb(c)
        else:
            ser.marker.style = XL_MARKER_STYLE.NONE
        if s["labels"]:
            # Step lines repeat points: label the real points (every second one after the first).
            idx = [0] + [2 * k for k in range(1, len(s["labels"]))] if s["step"] else range(len(s["labels"]))
            for j, text, where in zip(idx, s["labels"], s["label_positions"]):
                if not text:
                    continue
                dl = ser.points[start + j].data_label
                dl.has_text_frame = True
                dl.text_frame.text = text
                dl.position = getattr(XL_LABEL_POSITION, where)
                dl.font.size = Pt(max(8, size_pt - 3))
                dl.font.color.rgb = _rgb(th["muted"])
        if not s["legend"]:
            hidden.append(i)
    _hide_legend_entries(chart, hidden)
    x_axis, y_axis = chart.category_axis, chart.value_axis
    _style_axis(x_axis, th, _axis_title(fig, "x"), size_pt)
    _style_axis(y_axis, th, _axis_title(fig, "y"), size_pt)
    all_x = [x for s in series for x in s["x"]]
    all_y = [y for s in series for y in s["y"]]
    if fig.layout.xaxis.type == "log":
        _set_log_scale(x_axis, all_x)
        x_axis.tick_labels.number_format, x_axis.tick_labels.number_format_is_linked = '"$"General', False
    elif series and series[0]["date_x"]:
        _date_range(x_axis, all_x)
    else:
        _linear_range(x_axis, all_x)
    if fig.layout.yaxis.type == "log":
        _set_log_scale(y_axis, all_y)
        y_axis.tick_labels.number_format, y_axis.tick_labels.number_format_is_linked = '"$"General', False
    else:
        _linear_range(y_axis, all_y)
    return chart


def _date_range(axis, serials) -> None:
    """A date axis from the first of a month to the first of a month, a tick every 1, 3, 6 or 12 months."""
    lo, hi = pd.Timestamp(_EXCEL_EPOCH + pd.Timedelta(days=min(serials))), \
        pd.Timestamp(_EXCEL_EPOCH + pd.Timedelta(days=max(serials)))
    months = (hi.year - lo.year) * 12 + hi.month - lo.month + 1
    step = next((m for m in (1, 3, 6, 12) if months / m <= 8), 24)
    start = pd.Timestamp(lo.year, ((lo.month - 1) // step * step) % 12 + 1 if step < 12 else 1, 1)
    end = start
    while end <= hi:
        end += pd.DateOffset(months=step)
    axis.minimum_scale, axis.maximum_scale = _excel_date(start), _excel_date(end)
    # A value axis has a fixed major unit in days: month lengths differ, so ticks drift by a day or two;
    # labels show the month only.
    axis.major_unit = round(step * 30.4375, 4)
    axis.tick_labels.number_format = "yyyy" if step >= 12 else "mmm yyyy"
    axis.tick_labels.number_format_is_linked = False


def _linear_range(axis, values) -> None:
    v = np.asarray([x for x in values if np.isfinite(x)], dtype=float)
    if not v.size:
        return
    lo, hi = float(v.min()), float(v.max())
    span = max(hi - lo, 1e-9)
    step = 10 ** math.floor(math.log10(span))
    axis.minimum_scale = math.floor((lo - 0.05 * span) / step) * step
    axis.maximum_scale = math.ceil((hi + 0.05 * span) / step) * step


def _add_generation_bars(slide, fig, box, th: dict, size_pt: float):
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
    from pptx.util import Pt

    bars = generation_bars(fig)
    data = CategoryChartData(number_format='0"%"')
    data.categories = list(bars["pair"])
    data.add_series("Price drop (%)", [round(v, 1) for v in bars["price_drop_pct"]])
    data.add_series("Quality drop (%)", [None if not np.isfinite(v) else round(v, 1)
                                         for v in bars["quality_drop_pct"]])
    chart = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, *box, data).chart
    _frame_chart(chart, th, size_pt)
    for ser, colour in zip(chart.plots[0].series, ("4477AA", "EE7733")):
        ser.format.fill.solid()
        ser.format.fill.fore_color.rgb = _rgb(colour)
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.has_data_labels = True
    plot.data_labels.number_format, plot.data_labels.number_format_is_linked = '0"%"', False
    plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    plot.data_labels.font.size = Pt(max(8, size_pt - 2))
    plot.data_labels.font.color.rgb = _rgb(th["text"])
    cat, val = chart.category_axis, chart.value_axis
    cat.reverse_order = True  # first pair at the top, as listed
    _style_axis(cat, th, "", size_pt)
    cat.has_major_gridlines = False
    _style_axis(val, th, "Drop from teacher to student (%)", size_pt)
    val.minimum_scale = min(0.0, math.floor(np.nanmin(bars[["price_drop_pct", "quality_drop_pct"]].to_numpy(float)) / 10) * 10)
    val.maximum_scale = 100.0
    return chart


def _text_box(slide, box, lines, *, size_pt, colour, bold=False, name=None):
    from pptx.enum.text import MSO_ANCHOR
    from pptx.util import Pt

    tb = slide.shapes.add_textbox(*box)
    if name:
        tb.name = name
    tf = tb.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = MSO_ANCHOR.TOP
    for i, line in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        run = p.add_run()
        run.text = line
        run.font.size, run.font.bold, run.font.name = Pt(size_pt), bold, FONT
        run.font.color.rgb = _rgb(colour)
    return tb


def _set_title(slide, text: str, box, th: dict, size_pt: float) -> None:
    """The slide's title placeholder (so outlines, screen readers and Google Slides see a title), restyled."""
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Pt

    title = slide.shapes.title
    title.left, title.top, title.width, title.height = box
    tf = title.text_frame
    tf.text = text
    tf.word_wrap = True
    for p in tf.paragraphs:
        p.alignment = PP_ALIGN.LEFT
        for r in p.runs:
            r.font.size, r.font.bold, r.font.name = Pt(size_pt), True, FONT
            r.font.color.rgb = _rgb(th["text"])


def _background(slide, th: dict) -> None:
    fill = slide.background.fill
    fill.solid()
    fill.fore_color.rgb = _rgb(th["paper"])


def _layout(prs, name: str):
    return next(lay for lay in prs.slide_layouts if lay.name == name)


def _source_lines(source_ids, sources: pd.DataFrame | None) -> list[str]:
    """"Name — licence — credit — URL" for each source id (ids not in `sources` are listed as they are)."""
    by_id = sources.drop_duplicates("source_id").set_index("source_id") if sources is not None and len(sources) \
        else None
    lines = []
    for sid in dict.fromkeys(str(s) for s in source_ids):
        if by_id is None or sid not in by_id.index:
            lines.append(sid)
            continue
        r = by_id.loc[sid]
        parts = [str(r.get("name") or sid)]
        for col, label in (("licence", "licence: "), ("attribution", "credit: "), ("home_url", "")):
            v = r.get(col)
            if isinstance(v, str) and v.strip():
                parts.append(label + v.strip())
        lines.append(" — ".join(parts))
    return lines


def _metric_definition(metric_label: str, metrics: pd.DataFrame | None) -> str:
    if not metric_label or metrics is None or not len(metrics) or "name" not in metrics:
        return ""
    match = metrics.loc[[metric_label.startswith(str(n)) for n in metrics["name"]]]
    if not len(match):
        return ""
    row = match.loc[match["name"].astype(str).str.len().idxmax()]
    desc = row.get("description")
    scale = row.get("scale")
    text = f"{row['name']} ({row.get('metric_id', '')})"
    if isinstance(desc, str) and desc.strip():
        text += f": {desc.strip()}"
    if isinstance(scale, str) and scale:
        text += f" Scale: {scale}" + (" (differences are meaningful as %)" if scale == "percent"
                                      else " (differences are points, not %)") + "."
    return text


def _price_definition(price_label: str) -> str:
    if not price_label:
        return ""
    m = re.search(r"(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)", price_label)
    if price_label.lower().startswith("blended") and m:
        a, b = m.group(1), m.group(2)
        return (f"{price_label}. Blended price = ({a} × input + {b} × output) / ({a} + {b}) USD per million "
                "tokens; 3:1 is Artificial Analysis's definition. Each model's list price in force on the date "
                "shown (its standard, shortest-context tier).")
    return f"{price_label}. List prices in force on the dates shown (standard, shortest-context tier)."


def _notes(slide, lines: list[str]) -> None:
    slide.notes_slide.notes_text_frame.text = "\n".join(line for line in lines if line is not None)


def _geometry(prs):
    from pptx.util import Inches

    W, H = prs.slide_width, prs.slide_height
    m = Inches(0.4)
    return W, H, m


def _chart_slide(prs, spec: ChartSlide, th: dict, sources: pd.DataFrame | None, metrics: pd.DataFrame | None,
                 source_names: dict) -> None:
    from pptx.util import Inches


    fig = figures.apply_theme(__import__("plotly.graph_objects", fromlist=["Figure"]).Figure(spec.fig),
                              "dark" if th["paper"] != "FFFFFF" else "light")
    meta = _meta(fig)
    title = spec.title if spec.title is not None else _plain(meta.get("title") or (
        fig.layout.title.text if fig.layout.title else "") or "Chart")
    subtitle = spec.subtitle if spec.subtitle is not None else _plain(meta.get("subtitle") or meta.get("headline")
                                                                         or "")
    kind = chart_kind(fig)
    slide = prs.slides.add_slide(_layout(prs, "Title Only"))
    _background(slide, th)
    W, H, m = _geometry(prs)
    small = W < Inches(11)
    title_pt, sub_pt, foot_pt, chart_pt = (24, 13, 10, 11) if small else (28, 14, 10, 12)
    title_h = Inches(0.55 if len(title) < (55 if small else 75) else 0.95)
    _set_title(slide, title, (m, Inches(0.25), W - 2 * m, title_h), th, title_pt)
    top = Inches(0.25) + title_h
    if subtitle:
        sub_lines = subtitle.split(" · ") if len(subtitle) > 110 else [subtitle]
        sub_h = Inches(0.08 + 0.25 * len(sub_lines))
        _text_box(slide, (m, top, W - 2 * m, sub_h), sub_lines, size_pt=sub_pt, colour=th["muted"],
                  name="Subtitle")
        top += sub_h
    foot = export.footer_text(meta, source_names)
    foot_h = Inches(0.12 + 0.2 * max(1, len(foot)) * (1.6 if small else 1.2))
    _text_box(slide, (m, H - foot_h - Inches(0.1), W - 2 * m, foot_h), foot, size_pt=foot_pt, colour=th["muted"],
              name="Footer: sources and data as of")
    box = (m, top + Inches(0.1), W - 2 * m, H - top - foot_h - Inches(0.3))
    if kind == "xy":
        _add_xy_chart(slide, fig, box, th, chart_pt)
    elif kind == "generations":
        _add_generation_bars(slide, fig, box, th, chart_pt)
    else:
        message = next((_plain(a.text) for a in fig.layout.annotations if a.text), "No data for this view.")
        _text_box(slide, box, [message], size_pt=18, colour=th["muted"], name="No data")
    notes = [title]
    if subtitle:
        notes.append(subtitle)
    notes.append(NATIVE_NOTE.get(kind, "No chart: this view has no data."))
    if meta.get("data_as_of"):
        notes.append(f"Data as of {meta['data_as_of']}.")
    definition = _metric_definition(str(meta.get("metric_label") or ""), metrics)
    if definition:
        notes.append("Quality metric: " + definition)
    elif meta.get("metric_label"):
        notes.append(f"Quality metric: {meta['metric_label']}.")
    price = _price_definition(str(meta.get("price_label") or ""))
    if price:
        notes.append("Price: " + price)
    notes += list(spec.notes)
    notes.append("Sources:")
    notes += ["- " + s for s in _source_lines(meta.get("sources") or [], sources)] or ["- none recorded"]
    _notes(slide, notes)


def _title_slide(prs, title: str, subtitle: str, th: dict) -> None:
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

    slide = prs.slides.add_slide(_layout(prs, "Title Slide"))
    _background(slide, th)
    W, H, m = _geometry(prs)
    _set_title(slide, title, (m, int(H * 0.30), W - 2 * m, Inches(1.4)), th, 36)
    sub = slide.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = m, int(H * 0.30) + Inches(1.5), W - 2 * m, Inches(1.6)
    tf = sub.text_frame
    tf.text = subtitle
    for p in tf.paragraphs:
        p.alignment = PP_ALIGN.LEFT
        for r in p.runs:
            r.font.size, r.font.name = Pt(16), FONT
            r.font.color.rgb = _rgb(th["muted"])
    _notes(slide, [title, subtitle])


def _sources_slide(prs, source_ids, sources: pd.DataFrame | None, th: dict) -> None:
    from pptx.util import Inches

    slide = prs.slides.add_slide(_layout(prs, "Title Only"))
    _background(slide, th)
    W, H, m = _geometry(prs)
    _set_title(slide, "Sources, licences and credit", (m, Inches(0.25), W - 2 * m, Inches(0.6)), th, 28)
    lines = _source_lines(sorted(set(source_ids)), sources) or ["No sources recorded."]
    size = 12 if len(lines) <= 8 else (10 if len(lines) <= 14 else 8)
    _text_box(slide, (m, Inches(1.0), W - 2 * m, H - Inches(1.4)), lines, size_pt=size, colour=th["text"],
              name="Sources")
    _notes(slide, ["Every source the charts in this file use, with its licence and the credit it asks for."]
           + lines)


def _presentation(preset: str):
    from pptx import Presentation
    from pptx.util import Inches

    try:
        w, h = SLIDE_SIZES_IN[preset]
    except KeyError:
        raise ValueError(f"unknown preset {preset!r}; expected one of {', '.join(SLIDE_SIZES_IN)}") from None
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(w), Inches(h)
    return prs


def deck_bytes(slides: list[ChartSlide], *, preset: str = "16:9", theme: str = "light",
               sources: pd.DataFrame | None = None, metrics: pd.DataFrame | None = None,
               title: str | None = "LLM price–quality frontier", subtitle: str = "",
               closing: bool = True) -> bytes:
    """A .pptx: an optional title slide, one native-chart slide per figure, and a closing slide listing every
    source the charts use with its licence and credit. `sources` is `queries.sources_summary`, `metrics`
    `queries.metrics` (for the definitions in the notes)."""
    th = _theme(theme)
    prs = _presentation(preset)
    names = {r.source_id: (r.attribution or r.name) for r in sources.itertuples()} \
        if sources is not None and len(sources) else {}
    if title:
        _title_slide(prs, title, subtitle, th)
    used = []
    for spec in slides:
        _chart_slide(prs, spec, th, sources, metrics, names)
        used += list(_meta(spec.fig).get("sources") or [])
    if closing:
        _sources_slide(prs, used, sources, th)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def chart_bytes(fig, *, preset: str = "16:9", theme: str = "light", title: str | None = None,
                subtitle: str | None = None, sources: pd.DataFrame | None = None,
                metrics: pd.DataFrame | None = None) -> bytes:
    """One chart as a .pptx: its slide and the closing sources slide."""
    return deck_bytes([ChartSlide(fig, title=title or None, subtitle=subtitle or None)], preset=preset,
                      theme=theme, sources=sources, metrics=metrics, title=None)
