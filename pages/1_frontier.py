"""Frontier: price (log) vs quality of every model on the market as of a date, with the Pareto frontier."""
import pandas as pd
import streamlit as st

from lib import figures, ui, urlparams, views
from lib.curate.article import COMPOSITE_METRIC

db = ui.connection()
metrics = ui.load_metrics(db, db.version)
sources = ui.load_sources(db, db.version)
lo, hi = ui.load_date_span(db, db.version)

st.title("LLM price–quality frontier")
state = ui.page_state("frontier")
ui.headline_callout(ui.load_article_headline(db, db.version))

with st.sidebar:
    st.header("Filters")
    metric = ui.metric_picker(metrics, default=ui.load_default_metric(db, db.version), state=state)
    cost = ui.cost_basis_control(ui.load_task_benchmarks(db, db.version), state=state)
    basis, ratio = cost["basis"], cost["ratio"]
    vendors = ui.vendor_filter(ui.load_vendors(db, db.version), state=state)
    rel_lo, rel_hi = ui.load_release_span(db, db.version) or (lo, hi)
    value = state.initial("released", lambda raw: urlparams.parse_date_range(raw, rel_lo, rel_hi),
                          (rel_lo, rel_hi), multi=True)
    released = st.slider("Released between", rel_lo, rel_hi, value, format="YYYY-MM", key=state.key("released"))
    state.write("released", tuple(released), (rel_lo, rel_hi), urlparams.format_date)
    weight_options = ["all", "open", "closed"]
    value = state.initial("weights", lambda raw: urlparams.parse_choice(raw, weight_options), "all")
    weights = st.segmented_control("Weights", weight_options, default=value, required=True,
                                   format_func=str.capitalize, key=state.key("weights")) or "all"
    state.write("weights", weights, "all")
    value = state.initial("ctx", lambda raw: urlparams.parse_choice(raw, ui.CONTEXT_OPTIONS), 0)
    min_ctx = st.select_slider("Context window at least", ui.CONTEXT_OPTIONS, value=value, key=state.key("ctx"),
                               format_func=lambda n: "any" if n == 0 else f"{n // 1000:,}k tokens")
    state.write("ctx", min_ctx, 0)
    reviewed = ui.reviewed_filter(state=state)
    value = state.initial("headline", urlparams.parse_bool, True)
    annotate = st.toggle("Annotate the article's distilled pairs", value=value, key=state.key("headline"),
                         help=f"Arrows teacher → student, drawn on {COMPOSITE_METRIC} (the article's metric).")
    state.write("headline", annotate, True, urlparams.format_bool)

if not metric:
    ui.empty_state("The database has no quality metrics.", "Rebuild it from the seed (python -m lib build).")
    st.stop()

month_dates = views.month_ends(lo, hi)
months = [d.isoformat() for d in month_dates]
c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
value = state.initial("as_of", lambda raw: urlparams.parse_month_option(raw, month_dates), month_dates[-1])
as_of = c1.select_slider("Market as of", months, value=value.isoformat(), key=state.key("as_of"),
                         format_func=lambda d: d[:7] if d != months[-1] else f"{d} (today)")
state.write("as_of", as_of, months[-1], urlparams.format_month)
value = state.initial("replay", urlparams.parse_bool, False)
replay = c2.toggle("Replay ▶", value=value, key=state.key("replay"),
                   help="Adds a play button that replays the frontier month by month from the stored snapshots.")
state.write("replay", replay, False, urlparams.format_bool)
state.report()


view = ui.chart_view(
    db, "frontier", as_of=pd.Timestamp(as_of).date(), metric_id=metric["metric_id"], basis=basis, ratio=ratio,
    filters={"reviewed": reviewed, "vendors": tuple(vendors), "released": tuple(released),
             "open_weights": weights or "all", "min_context": min_ctx},
    headline_pairs=None if annotate else (),  # None: the article's distilled pairs, on its metric only
    replay_dates=tuple(pd.Timestamp(m).date() for m in months) if replay else None,
    user=ui.user_models_or_none(), theme=ui.theme(), host=cost["host"], benchmark=cost["benchmark"],
    workload=cost["workload"], min_speed=cost["min_speed"])
points, summary = view.points, view.summary
m_label, p_label = views.metric_label(metric), summary.get("price_label") or views.price_label(basis, ratio)
if basis == "per-task":
    st.caption(f"Price = measured USD per task on {ui.md_text(summary['benchmark'])} (newest measurement on or before "
               f"{as_of}; a model's best-scoring reasoning setting). {summary['measured']} models have one; "
               f"{summary['left_out']} without one are left out, never estimated."
               + (f" Dotted lines join a model's reasoning settings ({view.extra.get('effort_models', 0)} models)."
                  if view.extra.get("effort_models") else ""))
elif basis == "workload":
    st.caption(f"Price = USD per task of workload {ui.md_text(summary['workload'])} {summary['workload_json']}, from "
               f"the token prices in force on {as_of}: cached input at the cache-read price where known, output × "
               f"the reasoning multiplier for the {summary['reasoning_models']} models with a measured reasoning "
               "setting." + (f" {summary['no_batch_price']} models left out for want of a known batch discount."
                             if summary.get("no_batch_price") else "")
               + (f" {summary['long_context']} models billed at their long-context tier (the prompt is longer "
                  "than the tier's threshold; the whole request at the tier's prices)."
                  if summary.get("long_context") else "")
               + (f" {summary['over_context']} models left out: the prompt is longer than their context window."
                  if summary.get("over_context") else ""))
if cost["host"] != "vendor":
    st.caption(f"{summary.get('host_priced', 0)} models priced at the {ui.HOST_LABELS[cost['host']].lower()} "
               "Artificial Analysis observed; the rest keep their headline price (see the hover's source).")
hint, best_id = views.coverage_hint(metric, summary["plotted"], as_of,
                                    ui.load_best_metric(db, db.version, pd.Timestamp(as_of).date()), metrics)
h1, h2 = st.columns([3, 1], vertical_alignment="center")
h1.caption(ui.md_text(hint))
if best_id:  # one click: the metric selectbox takes the best-covered metric of that date on the next run
    h2.button(f"Use {views.metric_short(views.records(metrics[metrics['metric_id'] == best_id])[0])}",
              key=state.key("best_metric"), on_click=st.session_state.update,
              kwargs={state.key("metric"): best_id})

if figures.has_frames(view.fig):  # replaying: the figures of the frame on show are under the chart's title, not today's here
    st.caption("Replay: each month's figures (models, frontier, cheapest frontier price, best quality) and its pair "
               "arrows are under the chart's title and change with the frame.")
else:
    k1, k2, k3, k4 = st.columns(4)
    k1.metric("Models on the chart", summary["plotted"], help="Models with both a price and a score on this metric")
    k2.metric("On the Pareto frontier", summary["on_frontier"])
    cheap = summary["cheapest_frontier"]
    k3.metric("Cheapest frontier model", figures.fmt_usd(cheap["price"]) if cheap else "–",
              help=None if not cheap else f"{ui.md_text(cheap['name'])} · {m_label} {cheap['quality']:.4g}")
    best = summary["best_frontier"]
    k4.metric("Best quality", f"{best['quality']:.4g}" if best else "–",
              help=None if not best else f"{ui.md_text(best['name'])} at {figures.fmt_usd(best['price'])}")
if summary["no_price"] or summary["no_score"]:
    st.caption(f"Not drawn: {summary['no_price']} model(s) with no price on {as_of}, "
               f"{summary['no_score']} with no {views.metric_short(metric)} score."
               + ("" if reviewed else f" {summary['unreviewed']} of the {summary['plotted']} drawn are unreviewed "
                                      "(only in automated listings or leaderboards; see the hover)."))

if summary["plotted"] == 0:
    ui.empty_state("No model matches these filters.")
    st.stop()

event = ui.chart(view.fig, points, "frontier", sources=sources, key="frontier_chart", on_select="rerun",
                 lazy_export=True)

clicked = views.selected_model_id(event)
if clicked:
    row = points.loc[points["model_id"] == clicked]
    if len(row):
        r = row.iloc[0]
        with st.container(border=True):
            st.subheader(ui.md_text(r["name"]), anchor=False)
            d1, d2, d3, d4 = st.columns(4)
            d1.metric("Vendor", r["vendor"])
            d2.metric("Released", str(r["release_date"])[:10] if pd.notna(r["release_date"]) else "–")
            d3.metric(p_label.split(" (")[0], figures.fmt_usd(r["price"]),
                      help=f"input {figures.fmt_usd(r['input_usd_per_mtok'])} · "
                           f"output {figures.fmt_usd(r['output_usd_per_mtok'])} per M tokens")
            d4.metric(metric["name"], f"{r['quality']:.4g}", help=f"source: {r.get('quality_source_id')}")
            st.caption(("On the Pareto frontier." if r["on_frontier"] else "Dominated: a cheaper model scores as high.")
                       + (" Unreviewed: only in automated listings or leaderboards."
                          if r.get("status") == "unreviewed" else ""))
            if not bool(r.get("is_user", False)):
                ui.link_to_model(clicked, f"Price history and scores of {r['name']}")
else:
    st.caption("Click a point to see that model's details.")

rev = view.extra.get("reversals")
if rev is not None and len(rev):
    with st.expander(f"Price reversals: {len(rev)} pairs where the cheaper model per token costs more per task"):
        names = dict(zip(points["model_id"], points["name"]))
        st.dataframe(rev.assign(cheaper_list_price=rev["cheaper_list_price"].map(names),
                                cheaper_per_task=rev["cheaper_per_task"].map(names)).rename(columns={
                         "cheaper_list_price": "Cheaper per token", "cheaper_per_task": "Cheaper per task",
                         "list_price_a": "its list $/M", "list_price_b": "other's list $/M",
                         "usd_per_task_a": "its $/task", "usd_per_task_b": "other's $/task",
                         "factor": "× dearer per task"}), hide_index=True, width="stretch")

table = st.expander(f"Frontier models ({summary['on_frontier']})", key="frontier_table", on_change="rerun")
if table.open:  # built only when opened: the first load draws the chart sooner
    with table:
        st.dataframe(views.frontier_table(points), hide_index=True, width="stretch",
                     column_config={"price": st.column_config.NumberColumn(p_label, format="$%.3f")})
