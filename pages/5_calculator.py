"""Calculator: a monthly workload → what each model would cost against its quality; the cheapest above a bar."""
import streamlit as st

from lib import figures, ui, urlparams, views

# What a month of work is counted in: tokens at list prices, or tasks at a cost per task (measured, or a profile).
CALCULATOR_BASES = {"blended": "Tokens", "per-task": "Tasks, measured", "workload": "Tasks, profile"}
DEFAULT_TASKS = 10_000

db = ui.connection()
metrics = ui.load_metrics(db, db.version)
sources = ui.load_sources(db, db.version)
_, hi = ui.load_date_span(db, db.version)

st.title("What would my workload cost?")
state = ui.page_state("calculator")

with st.sidebar:
    st.header("Workload")
    cost = ui.cost_basis_control(ui.load_task_benchmarks(db, db.version), state=state, with_hosts=False,
                                 labels=CALCULATOR_BASES)
    basis = cost["basis"]
    d_in, d_out = views.DEFAULT_WORKLOAD_MTOK
    in_m, out_m, cache, tasks = d_in, d_out, 0.0, DEFAULT_TASKS
    if basis == "blended":
        value = state.initial("in_m", lambda raw: urlparams.parse_number(raw, 0.0), d_in)
        in_m = st.number_input("Input tokens per month (millions)", min_value=0.0, value=value, step=10.0,
                               key=state.key("in_m"))
        state.write("in_m", in_m, d_in, urlparams.format_number)
        value = state.initial("out_m", lambda raw: urlparams.parse_number(raw, 0.0), d_out)
        out_m = st.number_input("Output tokens per month (millions)", min_value=0.0, value=value, step=5.0,
                                key=state.key("out_m"))
        state.write("out_m", out_m, d_out, urlparams.format_number)
        value = state.initial("cache", lambda raw: urlparams.parse_number(raw, 0.0, 1.0), 0.0)
        cache = st.slider("Cache-hit rate on input", 0.0, 1.0, float(value), 0.05, key=state.key("cache"),
                          help="Share of input tokens billed at the cache-read price where the model has one.")
        state.write("cache", cache, 0.0, urlparams.format_number)
    else:
        value = state.initial("tasks", lambda raw: urlparams.parse_number(raw, 0, 1e9), DEFAULT_TASKS)
        tasks = st.number_input("Tasks per month", min_value=0, max_value=1_000_000_000, value=int(value),
                                step=1_000, key=state.key("tasks"))
        state.write("tasks", tasks, DEFAULT_TASKS, urlparams.format_number)
    metric = ui.metric_picker(metrics, default=ui.load_default_metric(db, db.version), state=state)
    vendors = ui.vendor_filter(ui.load_vendors(db, db.version), state=state)
    reviewed = ui.reviewed_filter(state=state)
state.report()
state.follows(metric.get("metric_id") if metric else None, "bar")

if not metric:
    ui.empty_state("The database has no quality metrics.", "")
    st.stop()

user = ui.user_models_or_none()
per_task = dict(basis=basis, benchmark=cost["benchmark"], workload=cost["workload"])
market = ui.chart_market(db, as_of=hi, metric_id=metric["metric_id"], vendors=tuple(vendors), reviewed=reviewed,
                         user=user, **per_task)
scored = views.plottable(market)
if scored.empty:
    ui.empty_state(f"No model has both a price and a {views.metric_short(metric)} score.", "Choose another metric or vendor.")
    st.stop()

q = scored["quality"].astype(float)
default_bar = float(q.quantile(0.75).round(1))
value = state.initial("bar", lambda raw: urlparams.parse_number(raw, float(q.min()), float(q.max())), default_bar)
bar = st.slider(f"Quality bar: {views.metric_short(metric)} at least", float(q.min()), float(q.max()), value,
                key=state.key("bar"))
state.write("bar", bar, default_bar, urlparams.format_number)
view = ui.chart_view(db, "calculator", as_of=hi, metric_id=metric["metric_id"], input_tokens=in_m * 1e6,
                     output_tokens=out_m * 1e6, cache_hit_rate=cache, quality_bar=bar, vendors=tuple(vendors),
                     reviewed=reviewed, user=user, theme=ui.theme(), tasks_per_month=float(tasks), **per_task)
best = view.summary["cheapest"]

k1, k2, k3 = st.columns(3)
if len(best):
    top = best.iloc[0]
    k1.metric("Cheapest above the bar", top["name"])
    k2.metric("Its monthly cost", figures.fmt_usd(top["monthly_cost_usd"]))
    k3.metric(f"Its {views.metric_short(metric)}", f"{top['quality']:.4g}")
else:
    k1.metric("Cheapest above the bar", "none")
    st.info("No model reaches this quality bar; lower it.")

ui.chart(view.fig, view.points, "calculator", sources=sources, key="calc_chart", lazy_export=True)
st.markdown("#### Cheapest models above the bar")
st.dataframe(best, hide_index=True, width="stretch",
             column_config={"monthly_cost_usd": st.column_config.NumberColumn("monthly cost", format="$%.2f"),
                            "usd_per_task": st.column_config.NumberColumn("per task", format="$%.4f"),
                            "cost_note": st.column_config.TextColumn("cost per task from"),
                            "input_usd_per_mtok": st.column_config.NumberColumn("input $/M", format="$%.3f"),
                            "output_usd_per_mtok": st.column_config.NumberColumn("output $/M", format="$%.3f")})
if basis != "blended":
    st.caption(f"Monthly cost = {tasks:,.0f} tasks × each model's cost per task: "
               + ("its newest measurement on or before today (never estimated); "
                  if basis == "per-task" else "one task of the workload at today's token prices (cached input at the "
                  "cache-read price, reasoning models' output × the multiplier, long-context tiers, batch discounts); ")
               + f"{view.summary['left_out']} scored models without one are left out. Uploaded models have token "
                 "prices only and show on the Tokens basis.")
st.caption(f"Prices in force today ({hi}); models without a price then are left out."
           + ("" if reviewed else " Unreviewed models (only in automated listings or "
                                  "leaderboards) are included; the sidebar can limit the chart to reviewed ones."))
