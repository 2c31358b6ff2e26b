"""`python -m lib export`: one chart to PNG/SVG/PDF/HTML/CSV/Parquet, or `--deck DIR` for the standard slide set.

Charts are built by the same lib.figures builders as the dashboard, from the read-only store, then laid out for
slides by lib.export (preset, theme, sources footer).
"""
from __future__ import annotations

import contextlib
import sys

# The calculator's default workload in millions of tokens a month (input, output): the same as the Calculator
# page's (lib.views.DEFAULT_WORKLOAD_MTOK; tests/test_pages.py checks that they agree).
DEFAULT_WORKLOAD_MTOK = (100.0, 20.0)

CHARTS = ("frontier", "generations", "trend", "price-history", "calculator")
FORMATS = ("png", "svg", "pdf", "html", "csv", "parquet")
PRESETS = ("16:9", "4:3", "square")
THEMES = ("light", "dark", "print")


def add_arguments(parser) -> None:
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--chart", choices=CHARTS, help="the chart to export")
    what.add_argument("--deck", metavar="DIR",
                      help="render the standard set (frontier now and a year earlier, the article's generations, "
                           "the cost-to-reach trend, the article models' price histories) into DIR with an index")
    parser.add_argument("--as-of", default=None, metavar="YYYY-MM-DD",
                        help="market date of the frontier/calculator (default: the newest date in the data, "
                             "at most today)")
    parser.add_argument("--metric", default=None, help="quality metric id (default: aa_quality_2024)")
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
                        help="output format (required with --chart; with --deck the image format, default png)")
    parser.add_argument("--out", default=None, metavar="PATH",
                        help="output file (required with --chart); '-' writes to standard output")


# --- chart specs: data from the store → a lib.figures figure ----------------------------------------------------

def _names(sources_df) -> dict:
    return {r.source_id: (r.attribution or r.name) for r in sources_df.itertuples()}


def _metric(con, metric_id):
    from lib import snapshot

    import re

    row = snapshot.metric_row(con, metric_id)
    unit = row.get("unit")
    label = f"{row['name']}" + (f" ({unit})" if unit else "")
    # Titles use the name without its parenthetical definition; the footer and axis carry the full label.
    row = {**row, "short_name": re.sub(r"\s*\(.*\)\s*$", "", str(row["name"])) or str(row["name"])}
    return row, label


def _price_label(basis: str, ratio: str) -> str:
    if basis == "blended":
        return f"Blended price, {ratio} input:output (USD / M tokens)"
    return f"{basis.capitalize()} price (USD / M tokens)"


def _default_as_of(con):
    import datetime as dt

    from lib import queries

    _, hi = queries.date_span(con)
    today = dt.date.today()
    return min(hi, today) if hi is not None else today


def _score_sources(con, metric_id, model_ids) -> set:
    from lib import queries

    s = queries.scores_for_metric(con, metric_id)
    return set(s.loc[s["model_id"].isin(set(model_ids)), "source_id"].dropna())


def _price_sources(con, model_ids, dates) -> set:
    import pandas as pd

    from lib import queries

    if not len(model_ids):
        return set()
    p = queries.prices_at(con, pd.DataFrame({"model_id": list(model_ids), "at_date": list(dates)}))
    return set(p["price_source_id"].dropna())


def frontier_chart(con, *, as_of, metric_id, basis="blended", ratio="3:1", theme="light"):
    """The frontier chart exactly as the Frontier page draws it (no filters). Returns (figure, points)."""
    import pandas as pd

    from lib import figures, snapshot
    from lib.curate.article import ARTICLE_PAIRS

    row, m_label = _metric(con, metric_id)
    market = snapshot.market_as_of(con, as_of, metric_id, basis, ratio)  # on_frontier over the whole market
    price = pd.to_numeric(market["price"], errors="coerce")
    quality = pd.to_numeric(market["quality"], errors="coerce")
    points = market.loc[(price > 0) & quality.notna()].reset_index(drop=True)
    pairs = [(t, s) for t, s, era in ARTICLE_PAIRS if era == "distillation"]
    sources = set(points["price_source_id"].dropna()) | set(points["quality_source_id"].dropna())
    fig = figures.frontier_figure(points, metric_label=m_label, price_label=_price_label(basis, ratio),
                                  title=f"Price vs {row['short_name']}, as of {as_of}", sources=sources,
                                  data_as_of=as_of, headline_pairs=pairs, theme=theme)
    return fig, points


def generations_chart(con, *, metric_id, basis="blended", ratio="3:1", theme="light", pairs=None):
    """The article's teacher → student pairs, priced at each student's launch. Returns (figure, deltas)."""
    import pandas as pd

    from lib import figures, generations, queries
    from lib.curate.article import ARTICLE_PAIRS

    row, m_label = _metric(con, metric_id)
    pairs = ARTICLE_PAIRS if pairs is None else pairs
    pairs_df = pd.DataFrame([(t, s, "distilled" if era == "distillation" else "successor", era)
                             for t, s, era in pairs], columns=["teacher_id", "student_id", "relation", "era"])
    known = queries.model_ids(con)
    pairs_df = pairs_df.loc[pairs_df["teacher_id"].isin(known) & pairs_df["student_id"].isin(known)]
    deltas, _ = generations.generations_from_db(con, metric_id, pairs=pairs_df, price_date="student-launch",
                                                basis=basis, ratio=ratio)
    models = queries.models(con).set_index("model_id")
    deltas = deltas.assign(teacher_name=deltas["teacher_id"].map(models["name"]),
                           student_name=deltas["student_id"].map(models["name"]),
                           vendor=deltas["student_id"].map(models["vendor"]))
    ids = list(deltas["teacher_id"]) + list(deltas["student_id"])
    dates = list(deltas["teacher_price_date"]) + list(deltas["student_price_date"])
    sources = _price_sources(con, ids, dates) | _score_sources(con, metric_id, ids)
    as_of = max(dates) if dates else None
    fig = figures.generations_figure(deltas, metric_label=m_label, price_label=_price_label(basis, ratio),
                                     title=f"Teacher → student: price and {row['short_name']} at each student's launch",
                                     sources=sources, data_as_of=as_of, theme=theme)
    return fig, deltas


def trend_chart(con, *, metric_id, threshold=None, threshold_model=None, basis="blended", ratio="3:1",
                theme="light"):
    """Cheapest price to reach a quality level over time, with the fitted decline. Returns (figure, table)."""
    from lib import figures, queries, trends
    from lib.curate.article import ARTICLE_MODELS
    from lib.errors import UsageError

    row, m_label = _metric(con, metric_id)
    table = trends.trend_table_from_db(con, metric_id, price_date="release", basis=basis, ratio=ratio)
    if threshold is None and threshold_model is None:
        scored = set(table["model"])
        threshold_model = next((m for m in ARTICLE_MODELS if m in scored), None)
        if threshold_model is None:
            raise UsageError(f"no article model has a {metric_id} score; give --threshold X")
    if threshold_model is not None and threshold_model not in set(table["model"]):
        raise UsageError(f"model '{threshold_model}' has no {metric_id} score with a price")
    fit = trends.price_trend(table, threshold=threshold, threshold_model=threshold_model)
    models = queries.models(con).set_index("model_id")
    table = table.assign(name=table["model"].map(models["name"]), vendor=table["model"].map(models["vendor"]))
    shown = table.loc[table["score"] >= fit.threshold]
    sources = _price_sources(con, shown["model"], shown["price_date"]) | \
        _score_sources(con, metric_id, shown["model"])
    by = f" ({models['name'].get(threshold_model, threshold_model)}'s score)" if threshold_model else ""
    as_of = shown["price_date"].max() if len(shown) else None
    fig = figures.trend_figure(table, fit, metric_label=m_label, price_label=_price_label(basis, ratio),
                               title=f"Cheapest price to reach {row['short_name']} ≥ {fit.threshold:g}{by}",
                               sources=sources, data_as_of=as_of, theme=theme)
    return fig, table


def price_history_chart(con, *, model_ids, as_of=None, theme="light", title=None):
    """Input and output list price over time of up to six models. Returns (figure, resolved series)."""
    import pandas as pd

    from lib import figures, queries, snapshot

    models = queries.models(con).set_index("model_id")
    frames = [snapshot.headline_price_history(con, m) for m in model_ids]
    frames = [f for f in frames if len(f)]
    history = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    names = {m: models["name"].get(m, m) for m in model_ids}
    title = title or (f"Price history: {names[model_ids[0]]}" if len(model_ids) == 1
                      else "Price history: " + ", ".join(names[m] for m in model_ids))
    sources = set(history["source_id"].dropna()) if len(history) else set()
    fig = figures.price_history_figure(history, names=names, title=title, sources=sources,
                                       data_as_of=as_of or _default_as_of(con), theme=theme)
    return fig, history


def calculator_chart(con, *, as_of, metric_id, input_tokens, output_tokens, cache_hit_rate=0.0, quality_bar=None,
                     theme="light"):
    """Monthly cost of a workload against quality, cheapest models above the bar ringed. Returns (fig, costs)."""
    from lib import figures, snapshot, views  # views: the dashboard's pure helpers, no Streamlit import

    row, m_label = _metric(con, metric_id)
    market = snapshot.market_as_of(con, as_of, metric_id, "blended", "3:1", cache_hit_rate)
    costs = views.workload_costs(market, input_tokens, output_tokens, cache_hit_rate, quality_bar)
    costs = views.plottable(costs, "monthly_cost_usd").reset_index(drop=True)
    sources = set(costs["price_source_id"].dropna()) | set(costs["quality_source_id"].dropna())
    workload = (f"{input_tokens / 1e6:g}M input + {output_tokens / 1e6:g}M output tokens a month"
                + (f", {cache_hit_rate:.0%} cache hits" if cache_hit_rate else ""))
    fig = figures.calculator_figure(costs, metric_label=m_label, quality_bar=quality_bar,
                                    title=f"Monthly cost vs {row['short_name']}, as of {as_of}", sources=sources,
                                    data_as_of=as_of, workload_label=workload, theme=theme)
    return fig, costs


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
            raise UsageError("--format is required with --chart (png, svg, pdf, html, csv or parquet)")
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


def build_chart(con, chart: str, args):
    """(figure, points) for one `--chart` invocation."""
    from lib.commands.common import check_metric, check_model
    from lib.errors import UsageError

    metric_id = args.metric or DEFAULT_METRIC
    if chart != "price-history":
        check_metric(con, metric_id)
    for m in args.model or []:
        check_model(con, m)
    as_of = args.as_of or _default_as_of(con)
    if chart == "frontier":
        return frontier_chart(con, as_of=as_of, metric_id=metric_id, basis=args.price, ratio=args.ratio,
                              theme=_page_theme(args.theme))
    if chart == "generations":
        return generations_chart(con, metric_id=metric_id, basis=args.price, ratio=args.ratio,
                                 theme=_page_theme(args.theme))
    if chart == "trend":
        model = args.model[0] if args.model else None
        return trend_chart(con, metric_id=metric_id, threshold=args.threshold, threshold_model=model,
                           basis=args.price, ratio=args.ratio, theme=_page_theme(args.theme))
    if chart == "price-history":
        if not args.model:
            raise UsageError("price-history needs --model ID (repeat for up to six)")
        return price_history_chart(con, model_ids=list(args.model), as_of=args.as_of, theme=_page_theme(args.theme))
    if chart == "calculator":
        return calculator_chart(con, as_of=as_of, metric_id=metric_id, input_tokens=args.input_tokens,
                                output_tokens=args.output_tokens, cache_hit_rate=args.cache_hit_rate,
                                quality_bar=args.quality_bar, theme=_page_theme(args.theme))
    raise UsageError(f"unknown chart {chart!r}")


DEFAULT_METRIC = "aa_quality_2024"


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


def _export_one(fig, fmt: str, path, args, source_names: dict):
    from lib import export

    if fmt in ("csv", "parquet"):
        data = export.to_bytes(fig, fmt)
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

    from lib import queries
    from lib.curate.article import ARTICLE_MODELS, COMPOSITE_METRIC

    metric_id = args.metric or COMPOSITE_METRIC
    as_of = args.as_of or _default_as_of(con)
    year_ago = as_of - dt.timedelta(days=365)
    theme = _page_theme(args.theme)
    specs = [
        {"slug": f"frontier-{as_of}", "build": lambda: frontier_chart(con, as_of=as_of, metric_id=metric_id,
                                                                        theme=theme)},
        {"slug": f"frontier-{year_ago}", "build": lambda: frontier_chart(con, as_of=year_ago, metric_id=metric_id,
                                                                           theme=theme)},
        {"slug": "generations-article", "build": lambda: generations_chart(con, metric_id=metric_id, theme=theme)},
        {"slug": "trend-cost-to-reach", "build": lambda: trend_chart(con, metric_id=metric_id, theme=theme)},
    ]
    models = queries.models(con).set_index("model_id")
    for vendor, ids, part, parts in price_history_groups([m for m in ARTICLE_MODELS if m in models.index],
                                                         models["vendor"]):
        title = f"{VENDOR_NAMES.get(vendor, vendor)} list prices" + (f" ({part}/{parts})" if parts > 1 else "")
        specs.append({"slug": f"price-history-{vendor}" + (f"-{part}" if parts > 1 else ""),
                      "build": (lambda ids=ids, title=title: price_history_chart(
                          con, model_ids=ids, as_of=as_of, theme=theme, title=title))})
    return specs


VENDOR_NAMES = {"openai": "OpenAI", "google": "Google", "anthropic": "Anthropic", "meta": "Meta",
                "mistral": "Mistral", "deepseek": "DeepSeek"}


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

    from lib import export, queries

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    names = _names(queries.sources_summary(con))
    fmt = args.format or "png"
    entries = []
    for spec in deck_specs(con, args):
        fig, _ = spec["build"]()
        image = f"{spec['slug']}.{fmt}"
        data = f"{spec['slug']}.csv"
        out = _export_one(fig, fmt, directory / image, args, names)
        _export_one(fig, "csv", directory / data, args, names)
        meta = dict(out.layout.meta or {})
        entries.append({"file": image, "data": data, "title": args.title or meta.get("title", spec["slug"]),
                        "sources": list(meta.get("sources") or []), "data_as_of": meta.get("data_as_of", ""),
                        "metric": meta.get("metric_label", ""), "price": meta.get("price_label", "")})
    _write(directory / "index.md", index_markdown(entries).encode("utf-8"))
    _write(directory / "index.html", index_html(entries, fmt).encode("utf-8"))
    return entries


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
    if (args.deck or args.format in ("png", "svg", "pdf")) and export.chromium_available():
        export.warm_up_in_background()  # Chromium starts while the data loads and the figure is built
    con = open_db()
    try:
        if args.deck:
            entries = render_deck(con, args.deck, args)
            print(f"wrote {len(entries)} charts (+ CSV each), index.html and index.md to {args.deck}")
            return 0
        fig, _ = build_chart(con, args.chart, args)
        names = _names(queries.sources_summary(con))
    finally:
        con.close()
    try:
        _export_one(fig, args.format, args.out, args, names)
    except export.ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.out != STDOUT:
        print(args.out)
    return 0
