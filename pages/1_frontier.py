"""Frontier: price (log) vs quality of every model on the market as of a date, with the Pareto frontier."""
import pandas as pd
import streamlit as st

from lib import figures, ui
from lib.curate.article import ARTICLE_PAIRS

db = ui.connection()
metrics = ui.load_metrics(db, db.version)
models = ui.load_models(db, db.version)
sources = ui.load_sources(db, db.version)
lo, hi = ui.load_date_span(db, db.version)

st.title("LLM price–quality frontier")

with st.sidebar:
    st.header("Filters")
    metric = ui.metric_picker(metrics)
    basis, ratio, _ = ui.price_basis_control()
    vendors = ui.vendor_filter(sorted(models["vendor"].dropna().unique()))
    rel = pd.to_datetime(models["release_date"]).dropna()
    rel_lo, rel_hi = (rel.min().date(), rel.max().date()) if len(rel) else (lo, hi)
    released = st.slider("Released between", rel_lo, rel_hi, (rel_lo, rel_hi), format="YYYY-MM", key="released",
                         bind="query-params")
    weights = st.segmented_control("Weights", ["all", "open", "closed"], default="all", required=True,
                                   format_func=str.capitalize, key="weights", bind="query-params")
    min_ctx = st.select_slider("Context window at least", ui.CONTEXT_OPTIONS, value=0, key="ctx", bind="query-params",
                               format_func=lambda n: "any" if n == 0 else f"{n // 1000:,}k tokens")
    annotate = st.toggle("Annotate the article's distilled pairs", value=True, key="headline", bind="query-params")

if not metric:
    ui.empty_state("The database has no quality metrics.", "Rebuild it from the seed (python -m lib build).")
    st.stop()

months = [d.isoformat() for d in ui.month_ends(lo, hi)]
c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
as_of = c1.select_slider("Market as of", months, value=months[-1], key="as_of", bind="query-params",
                         format_func=lambda d: d[:7] if d != months[-1] else f"{d} (newest)")
replay = c2.toggle("Replay ▶", value=False, key="replay", bind="query-params",
                   help="Adds a play button that replays the frontier month by month from the stored snapshots.")

market = ui.load_market(db, db.version, pd.Timestamp(as_of).date(), metric["metric_id"], basis, ratio)
market = ui.add_user_models(market, ui.user_models(), metric["metric_id"], basis, ratio)
points = ui.filter_market(market, vendors=vendors, released=released, open_weights=weights or "all",
                          min_context=min_ctx)
summary = ui.frontier_summary(points)
m_label, p_label = ui.metric_label(metric), ui.price_label(basis, ratio)

k1, k2, k3, k4 = st.columns(4)
k1.metric("Models on the chart", summary["plotted"], help="Models with both a price and a score on this metric")
k2.metric("On the Pareto frontier", summary["on_frontier"])
cheap = summary["cheapest_frontier"]
k3.metric("Cheapest frontier model", figures.fmt_usd(cheap["price"]) if cheap else "–",
          help=None if not cheap else f"{cheap['name']} · {m_label} {cheap['quality']:.4g}")
best = summary["best_frontier"]
k4.metric("Best quality", f"{best['quality']:.4g}" if best else "–",
          help=None if not best else f"{best['name']} at {figures.fmt_usd(best['price'])}")
if summary["no_price"] or summary["no_score"]:
    st.caption(f"Not drawn: {summary['no_price']} model(s) with no price on {as_of}, "
               f"{summary['no_score']} with no {ui.metric_short(metric)} score.")

if summary["plotted"] == 0:
    ui.empty_state("No model matches these filters.")
    st.stop()

frames = None
if replay:
    series = ui.load_market_series(db, db.version, tuple(pd.Timestamp(m).date() for m in months),
                                   metric["metric_id"], basis, ratio)
    frames = pd.concat([ui.filter_market(g, vendors=vendors, released=released, open_weights=weights or "all",
                                         min_context=min_ctx) for _, g in series.groupby("as_of")])
pairs = [(t, s) for t, s, era in ARTICLE_PAIRS if era == "distillation"] if annotate else []
fig = figures.frontier_figure(
    points, metric_label=m_label, price_label=p_label, title=f"Price vs {ui.metric_short(metric)}, as of {as_of}",
    sources=set(points["price_source_id"].dropna()) | set(points["quality_source_id"].dropna()),
    data_as_of=as_of, headline_pairs=pairs, frames=frames, theme=ui.theme())
event = ui.chart(fig, ui.plottable(points), "frontier", sources=sources, key="frontier_chart", on_select="rerun")

clicked = ui.selected_model_id(event)
if clicked:
    row = points.loc[points["model_id"] == clicked]
    if len(row):
        r = row.iloc[0]
        with st.container(border=True):
            st.subheader(r["name"], anchor=False)
            d1, d2, d3, d4 = st.columns(4)
            d1.metric("Vendor", r["vendor"])
            d2.metric("Released", str(r["release_date"])[:10] if pd.notna(r["release_date"]) else "–")
            d3.metric(p_label.split(" (")[0], figures.fmt_usd(r["price"]),
                      help=f"input {figures.fmt_usd(r['input_usd_per_mtok'])} · "
                           f"output {figures.fmt_usd(r['output_usd_per_mtok'])} per M tokens")
            d4.metric(metric["name"], f"{r['quality']:.4g}", help=f"source: {r.get('quality_source_id')}")
            st.caption("On the Pareto frontier." if r["on_frontier"] else "Dominated: a cheaper model scores as high.")
            if not bool(r.get("is_user", False)):
                ui.link_to_model(clicked, f"Price history and scores of {r['name']}")
else:
    st.caption("Click a point to see that model's details.")

with st.expander(f"Frontier models ({summary['on_frontier']})"):
    st.dataframe(ui.frontier_table(points), hide_index=True, width="stretch",
                 column_config={"price": st.column_config.NumberColumn(p_label, format="$%.3f")})
