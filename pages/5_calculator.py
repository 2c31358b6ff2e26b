"""Calculator: a monthly workload → what each model would cost against its quality; the cheapest above a bar."""
import pandas as pd
import streamlit as st

from lib import figures, ui, views

db = ui.connection()
metrics = ui.load_metrics(db, db.version)
sources = ui.load_sources(db, db.version)
_, hi = ui.load_date_span(db, db.version)

st.title("What would my workload cost?")

with st.sidebar:
    st.header("Workload")
    in_m = st.number_input("Input tokens per month (millions)", min_value=0.0, value=100.0, step=10.0, key="in_m",
                           bind="query-params")
    out_m = st.number_input("Output tokens per month (millions)", min_value=0.0, value=20.0, step=5.0, key="out_m",
                            bind="query-params")
    cache = st.slider("Cache-hit rate on input", 0.0, 1.0, 0.0, 0.05, key="cache", bind="query-params",
                      help="Share of input tokens billed at the cache-read price where the model has one.")
    metric = ui.metric_picker(metrics)
    vendors = ui.vendor_filter(sorted(ui.load_models(db, db.version)["vendor"].dropna().unique()))
    reviewed = ui.reviewed_filter()

if not metric:
    ui.empty_state("The database has no quality metrics.", "")
    st.stop()

market = ui.load_market(db, db.version, hi, metric["metric_id"], "blended", "3:1")
market = views.add_user_models(market, ui.user_models(), metric["metric_id"], "blended", "3:1")
if vendors:
    market = market.loc[market["vendor"].isin(vendors)]
if reviewed:
    market = views.reviewed_only(market)
scored = views.plottable(market)
if scored.empty:
    ui.empty_state(f"No model has both a price and a {views.metric_short(metric)} score.", "Choose another metric or vendor.")
    st.stop()

q = scored["quality"].astype(float)
bar = st.slider(f"Quality bar: {views.metric_short(metric)} at least", float(q.min()), float(q.max()),
                float(q.quantile(0.75).round(1)), key="bar", bind="query-params")
costs = views.workload_costs(market, in_m * 1e6, out_m * 1e6, cache, bar)
best = views.cheapest_table(costs)

k1, k2, k3 = st.columns(3)
if len(best):
    top = best.iloc[0]
    k1.metric("Cheapest above the bar", top["name"])
    k2.metric("Its monthly cost", figures.fmt_usd(top["monthly_cost_usd"]))
    k3.metric(f"Its {views.metric_short(metric)}", f"{top['quality']:.4g}")
else:
    k1.metric("Cheapest above the bar", "none")
    st.info("No model reaches this quality bar; lower it.")

workload = f"{in_m:g} M in + {out_m:g} M out / month" + (f", {cache:.0%} cached" if cache else "")
drawn = views.plottable(costs, "monthly_cost_usd")
fig = figures.calculator_figure(costs, metric_label=views.metric_label(metric), quality_bar=bar,
                                title=f"Monthly cost vs {views.metric_short(metric)} — {workload}",
                                workload_label=workload, sources=views.used_source_ids(drawn), data_as_of=hi,
                                theme=ui.theme())
ui.chart(fig, drawn, "calculator", sources=sources, key="calc_chart", lazy_export=True)
st.markdown("#### Cheapest models above the bar")
st.dataframe(best, hide_index=True, width="stretch",
             column_config={"monthly_cost_usd": st.column_config.NumberColumn("monthly cost", format="$%.2f"),
                            "input_usd_per_mtok": st.column_config.NumberColumn("input $/M", format="$%.3f"),
                            "output_usd_per_mtok": st.column_config.NumberColumn("output $/M", format="$%.3f")})
st.caption(f"Prices in force today ({hi}); models without a price then are left out."
           + ("" if reviewed else " Unreviewed models (only in automated listings or "
                                  "leaderboards) are included; the sidebar can limit the chart to reviewed ones."))
