"""`python -m lib export`: one chart to PNG/SVG/PDF/HTML/CSV/Parquet/PPTX, or `--deck DIR` for the standard slide set
(images with an index, or one PowerPoint deck with native charts: `--format pptx`).

Charts come from lib.charts, the functions the dashboard pages call, on the read-only store; lib.export lays them
out for slides (preset, theme, sources footer). This module only parses arguments and writes files.
"""
from __future__ import annotations

import contextlib
import sys

from lib.constants import DEFAULT_WORKLOAD_MTOK, vendor_display_name
from lib.constants import EXPORT_FORMATS as FORMATS
from lib.constants import EXPORT_THEMES as THEMES
from lib.constants import SLIDE_PRESET_NAMES as PRESETS

CHARTS = ("frontier", "generations", "trend", "price-history", "calculator")  # the keys of lib.charts.CHARTS
FORMATS = FORMATS + ("pptx",)  # PowerPoint: lib.pptx_export, native charts (no browser needed)


def add_arguments(parser) -> None:
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--chart", choices=CHARTS, help="the chart to export")
    what.add_argument("--deck", metavar="DIR",
                      help="render the standard set (frontier now and a year earlier, the article's generations, "
                           "the cost-to-reach trend, the article models' price histories) into DIR with an index")
    parser.add_argument("--as-of", default=None, metavar="YYYY-MM-DD",
                        help="market date of the frontier/calculator (default: the newest date in the data, "
                             "at most today)")
    parser.add_argument("--metric", default=None,
                        help="quality metric id (default: the one scoring the article's headline pairs)")
    parser.add_argument("--model", action="append", default=None, metavar="ID",
                        help="price-history: model id (repeat for up to six); trend: the model whose score is the "
                             "threshold")
    parser.add_argument("--threshold", type=float, default=None, metavar="X",
                        help="trend: the minimum score (default: GPT-4's score on the metric)")
    parser.add_argument("--price", choices=["blended", "input", "output"], default="blended",
                        help="price basis (default: blended)")
    parser.add_argument("--ratio", default="3:1", help="input:output ratio of the blended price (default 3:1)")
    parser.add_argument("--input-tokens", type=float, default=DEFAULT_WORKLOAD_MTOK[0] * 1e6, metavar="N",
                        help=f"calculator: input tokens per month (default {DEFAULT_WORKLOAD_MTOK[0]:g}M, as the page)")
    parser.add_argument("--output-tokens", type=float, default=DEFAULT_WORKLOAD_MTOK[1] * 1e6, metavar="N",
                        help=f"calculator: output tokens per month (default {DEFAULT_WORKLOAD_MTOK[1]:g}M, as the page)")
    parser.add_argument("--cache-hit-rate", type=float, default=0.0, metavar="R",
                        help="calculator: share of input tokens read from cache (default 0)")
    parser.add_argument("--quality-bar", type=float, default=None, metavar="X",
                        help="calculator: minimum quality for the cheapest-models ring")
    parser.add_argument("--preset", choices=PRESETS, default="16:9", help="slide size (default 16:9, 1920×1080)")
    parser.add_argument("--scale", type=float, default=1.0, help="pixel multiplier for PNG (default 1; 2 = HiDPI)")
    parser.add_argument("--theme", choices=THEMES, default="light")
    parser.add_argument("--title", default=None, help="replace the chart's title")
    parser.add_argument("--subtitle", default=None, help="a subtitle under the title")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="output format (required with --chart; with --deck the image format, default png, or pptx for "
                             "one PowerPoint deck with native charts)")
    parser.add_argument("--out", default=None, metavar="PATH",
                        help="output file (required with --chart); '-' writes to standard output")


# --- charts: lib.charts, the functions the dashboard pages call ---------------------------------------------------

def _names(sources_df) -> dict:
    return {r.source_id: (r.attribution or r.name) for r in sources_df.itertuples()}


# --- writing ----------------------------------------------------------------------------------------------------

def _check_args(args) -> None:
    from lib import pricing
    from lib.commands.common import parse_date
    from lib.errors import UsageError

    if args.as_of is not None:
        args.as_of = parse_date(args.as_of)
    pricing.parse_ratio(args.ratio)
    if args.chart:
        if not args.format:
            raise UsageError("--format is required with --chart (png, svg, pdf, html, csv, parquet or pptx)")
        if not args.out:
            raise UsageError("--out PATH is required with --chart")
    elif args.format in ("csv", "parquet"):
        raise UsageError("--deck writes CSV beside every chart already; --format picks the image format")
    elif args.out:
        raise UsageError("--out is for --chart; --deck writes into its directory")
    if not 0 < args.scale <= 4:
        raise UsageError(f"--scale must be in (0, 4], got {args.scale:g}")
    if not 0 <= args.cache_hit_rate <= 1:
        raise UsageError(f"--cache-hit-rate must be between 0 and 1, got {args.cache_hit_rate:g}")
    if args.model and len(args.model) > 6:
        raise UsageError("--model: at most six models on one price-history chart")
    if args.threshold is not None and args.model and args.chart == "trend":
        raise UsageError("trend: give either --threshold or --model (the threshold model), not both")


def chart_params(con, chart: str, args) -> dict:
    """The lib.charts parameters of one `--chart` invocation (defaults as the dashboard's)."""
    from lib import charts, snapshot
    from lib.commands.common import check_metric, check_model
    from lib.errors import UsageError

    metric_id = args.metric or snapshot.default_metric(con)
    if chart != "price-history":
        check_metric(con, metric_id)
    for m in args.model or []:
        check_model(con, m)
    as_of = args.as_of or charts.newest_data_date(con)
    theme = _page_theme(args.theme)
    if chart == "frontier":
        return dict(as_of=as_of, metric_id=metric_id, basis=args.price, ratio=args.ratio, theme=theme)
    if chart == "generations":
        return dict(metric_id=metric_id, basis=args.price, ratio=args.ratio, theme=theme)
    if chart == "trend":
        return dict(metric_id=metric_id, threshold=args.threshold, threshold_model=args.model[0] if args.model else None,
                    basis=args.price, ratio=args.ratio, theme=theme)
    if chart == "price-history":
        if not args.model:
            raise UsageError("price-history needs --model ID (repeat for up to six)")
        return dict(model_ids=list(args.model), data_as_of=args.as_of, theme=theme)
    if chart == "calculator":
        return dict(as_of=as_of, metric_id=metric_id, input_tokens=args.input_tokens, output_tokens=args.output_tokens,
                    cache_hit_rate=args.cache_hit_rate, quality_bar=args.quality_bar, theme=theme)
    raise UsageError(f"unknown chart {chart!r}")


def build_chart(con, chart: str, args):
    """The lib.charts.Chart of one `--chart` invocation (unpacks as (figure, points))."""
    from lib import charts

    return charts.CHARTS[chart](con, **chart_params(con, chart, args))


def _page_theme(theme: str) -> str:
    return "dark" if theme == "dark" else "light"


STDOUT = "-"


def check_out_path(path, *, directory: bool = False) -> None:
    """Refuse, in one line and before any work, an output path that is not a place for a new regular file:
    a directory (for a file), a symlink, a FIFO or other special file (never replaced), a read-only folder."""
    import os
    import stat
    from pathlib import Path

    from lib.errors import UsageError

    if not directory and str(path) == STDOUT:
        return
    p = Path(path)
    flag = "--deck" if directory else "--out"
    if p.is_symlink():
        raise UsageError(f"{flag}: {p} is a symbolic link; it is not replaced (give another path)")
    if p.exists():
        mode = os.stat(p).st_mode
        if directory:
            if not stat.S_ISDIR(mode):
                raise UsageError(f"{flag}: {p} exists and is not a directory")
        elif stat.S_ISDIR(mode):
            raise UsageError(f"{flag}: {p} is a directory; give a file name")
        elif not stat.S_ISREG(mode):
            raise UsageError(f"{flag}: {p} is a special file (FIFO, device or socket); it is not replaced")
    folder = p if directory and p.exists() else p.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{flag}: cannot write in {folder} (read-only or no permission)")


def _write(path, data: bytes) -> None:
    import os
    from pathlib import Path

    from lib.errors import DataError

    if str(path) == STDOUT:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    path = Path(path)
    check_out_path(path)  # again just before writing: the path may have changed since the start
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "xb") as fh:  # exclusive: never follows a link planted under the temp name
            fh.write(data)
        os.replace(tmp, path)  # no half-written file if rendering fails mid-way
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        reason = exc.strerror or str(exc)
        raise DataError(f"could not write {path}: {reason}") from None


def _export_one(fig, fmt: str, path, args, source_names: dict, points=None):
    from lib import export

    if fmt in ("csv", "parquet"):
        data = export.to_bytes(fig, fmt, points=export.plotted_rows(fig, points))
        out = fig
    else:
        out = export.prepare_for_export(fig, export.SLIDE_PRESETS[args.preset].with_scale(args.scale), args.theme,
                                        title=args.title, subtitle=args.subtitle, source_names=source_names)
        data = export.to_bytes(out, fmt)
    _write(path, data)
    return out


def deck_specs(con, args) -> list[dict]:
    """The standard slide set: (slug, builder) pairs, built lazily so one failure names its chart."""
    import datetime as dt

    from lib import charts, queries, snapshot
    from lib.curate.article import ARTICLE_MODELS

    metric_id = args.metric or snapshot.default_metric(con)
    as_of = args.as_of or charts.newest_data_date(con)
    year_ago = as_of - dt.timedelta(days=365)
    theme = _page_theme(args.theme)
    specs = [
        {"slug": f"frontier-{as_of}", "build": lambda: charts.frontier(con, as_of=as_of, metric_id=metric_id,
                                                                         theme=theme)},
        {"slug": f"frontier-{year_ago}", "build": lambda: charts.frontier(con, as_of=year_ago, metric_id=metric_id,
                                                                            theme=theme)},
        {"slug": "generations-article", "build": lambda: charts.generations_chart(con, metric_id=metric_id,
                                                                                  theme=theme)},
        {"slug": "trend-cost-to-reach", "build": lambda: charts.trend(con, metric_id=metric_id, theme=theme)},
    ]
    models = queries.models(con).set_index("model_id")
    for vendor, ids, part, parts in price_history_groups([m for m in ARTICLE_MODELS if m in models.index],
                                                         models["vendor"]):
        title = f"{vendor_display_name(vendor)} list prices" + (f" ({part}/{parts})" if parts > 1 else "")
        specs.append({"slug": f"price-history-{vendor}" + (f"-{part}" if parts > 1 else ""),
                      "build": (lambda ids=ids, title=title: charts.price_history(
                          con, model_ids=ids, data_as_of=as_of, theme=theme, title=title))})
    return specs


def price_history_groups(model_ids: list[str], vendor_of, per_chart: int = 4):
    """The article's models by vendor, in the article's order, split evenly into charts of at most `per_chart`
    (a slide with more than four models' input and output lines is unreadable)."""
    import math

    by_vendor: dict[str, list[str]] = {}
    for m in model_ids:
        by_vendor.setdefault(str(vendor_of.get(m, m.split("/")[0])), []).append(m)
    for vendor, ids in by_vendor.items():
        parts = math.ceil(len(ids) / per_chart)
        size = math.ceil(len(ids) / parts)
        for i in range(parts):
            yield vendor, ids[i * size:(i + 1) * size], i + 1, parts


def render_deck(con, directory, args) -> list[dict]:
    """Render every chart of the deck into `directory` (image + CSV each) and write index.html and index.md."""
    from pathlib import Path

    from lib import queries

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    names = _names(queries.sources_summary(con))
    fmt = args.format or "png"
    entries = []
    for spec in deck_specs(con, args):
        fig, points = spec["build"]()
        image = f"{spec['slug']}.{fmt}"
        data = f"{spec['slug']}.csv"
        out = _export_one(fig, fmt, directory / image, args, names)
        _export_one(fig, "csv", directory / data, args, names, points)
        meta = dict(out.layout.meta or {})
        entries.append({"file": image, "data": data, "title": args.title or meta.get("title", spec["slug"]),
                        "sources": list(meta.get("sources") or []), "data_as_of": meta.get("data_as_of", ""),
                        "metric": meta.get("metric_label", ""), "price": meta.get("price_label", "")})
    _write(directory / "index.md", index_markdown(entries).encode("utf-8"))
    _write(directory / "index.html", index_html(entries, fmt).encode("utf-8"))
    return entries


def pptx_deck(con, args) -> tuple[bytes, list[dict]]:
    """The standard deck as one PowerPoint file: a title slide, one native-chart slide per chart of
    `deck_specs` (the same figures as the image deck), and a sources slide. Returns (bytes, slide list)."""
    from lib import charts, pptx_export, queries

    slides, listing = [], []
    for spec in deck_specs(con, args):
        fig, _ = spec["build"]()
        slides.append(pptx_export.ChartSlide(fig, title=args.title, subtitle=args.subtitle))
        listing.append({"slug": spec["slug"], "title": str((fig.layout.meta or {}).get("title") or spec["slug"]),
                        "kind": pptx_export.chart_kind(fig)})
    as_of = args.as_of or charts.newest_data_date(con)
    data = pptx_export.deck_bytes(
        slides, preset=args.preset, theme=args.theme, sources=queries.sources_summary(con),
        metrics=queries.metrics(con),
        subtitle=f"What intelligence costs: the market as of {as_of}, from the dashboard's data. "
                 f"{len(slides)} charts; sources, metric definitions and price basis in the speaker notes.")
    return data, listing


def pptx_chart(con, fig, args) -> bytes:
    from lib import pptx_export, queries

    return pptx_export.chart_bytes(fig, preset=args.preset, theme=args.theme, title=args.title,
                                   subtitle=args.subtitle, sources=queries.sources_summary(con),
                                   metrics=queries.metrics(con))


def index_markdown(entries: list[dict]) -> str:
    lines = ["# Chart deck", "", f"{len(entries)} charts; each image has the plotted points beside it as CSV.", ""]
    for e in entries:
        lines += [f"## {e['title']}", "", f"- image: [{e['file']}]({e['file']})",
                  f"- data: [{e['data']}]({e['data']})"]
        if e["data_as_of"]:
            lines.append(f"- data as of: {e['data_as_of']}")
        if e["metric"]:
            lines.append(f"- quality: {e['metric']}")
        if e["price"]:
            lines.append(f"- price: {e['price']}")
        lines.append("- sources: " + ("; ".join(e["sources"]) if e["sources"] else "none recorded"))
        lines.append("")
    return "\n".join(lines)


def index_html(entries: list[dict], fmt: str) -> str:
    from html import escape
    from urllib.parse import quote

    items = []
    for e in entries:
        src = quote(e["file"])
        preview = (f'<a href="{src}"><img src="{src}" alt="{escape(e["title"])}" loading="lazy"></a>'
                   if fmt in ("png", "svg") else f'<a href="{src}">{escape(e["file"])}</a>')
        facts = " · ".join(escape(x) for x in (f"data as of {e['data_as_of']}" if e["data_as_of"] else "",
                                                e["metric"], e["price"]) if x)
        items.append(f"<section><h2>{escape(e['title'])}</h2>{preview}<p>{facts}</p>"
                     f"<p>Sources: {escape('; '.join(e['sources']) or 'none recorded')}</p>"
                     f'<p><a href="{src}">{escape(e["file"])}</a> · <a href="{quote(e["data"])}">'
                     f"{escape(e['data'])}</a> (plotted points)</p></section>")
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Chart deck</title><style>"
            "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1f2328}"
            "img{max-width:100%;border:1px solid #d0d7de}section{margin-bottom:3em}p{margin:.3em 0}"
            "</style></head><body><h1>Chart deck</h1>" + "".join(items) + "</body></html>\n")


def run(args) -> int:
    from lib import export, queries
    from lib.commands.common import open_db

    _check_args(args)
    if args.deck:
        check_out_path(args.deck, directory=True)
    elif args.out:
        check_out_path(args.out)
    if (args.deck and args.format != "pptx" or args.format in ("png", "svg", "pdf")) and export.chromium_available():
        export.warm_up_in_background()  # Chromium starts while the data loads and the figure is built
    con = open_db()
    try:
        if args.deck and args.format == "pptx":
            from pathlib import Path

            data, listing = pptx_deck(con, args)
            path = Path(args.deck) / "deck.pptx"
            _write(path, data)
            print(f"wrote {path}: title slide, {len(listing)} chart slides (native PowerPoint charts), sources slide")
            return 0
        if args.deck:
            entries = render_deck(con, args.deck, args)
            print(f"wrote {len(entries)} charts (+ CSV each), index.html and index.md to {args.deck}")
            return 0
        fig, points = build_chart(con, args.chart, args)
        names = _names(queries.sources_summary(con))
        if args.format == "pptx":
            _write(args.out, pptx_chart(con, fig, args))
            if args.out != STDOUT:
                print(args.out)
            return 0
    finally:
        con.close()
    try:
        _export_one(fig, args.format, args.out, args, names, points)
    except export.ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.out != STDOUT:
        print(args.out)
    return 0
