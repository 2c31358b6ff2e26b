"""Switching: for a workload and a model used since a date, what moving each month to the cheapest model of at least
its quality would have saved (a replay of the stored prices)."""
import datetime as dt

import streamlit as st

from lib import insight_charts, ui, views

db = ui.connection()
metrics = ui.load_metrics(db, db.version)
models = ui.load_models(db, db.version)
sources = ui.load_sources(db, db.version)
lo, hi = ui.load_date_span(db, db.version)


@st.cache_data(ttl=ui.TTL, max_entries=32, show_spinner="Replaying the prices month by month…")
def load_switching(_db, version: str, model_id: str, since: dt.date, metric_id: str, in_tok: float, out_tok: float,
                   reviewed: bool, theme: str) -> dict:
    cur = _db.cursor()
    try:
        return insight_charts.switching_chart(cur, model_id=model_id, since=since, metric_id=metric_id,
                                              input_tokens=in_tok, output_tokens=out_tok, reviewed_only=reviewed,
                                              theme=theme)
    finally:
        cur.close()


st.title("What would switching have saved?")
st.caption("Each month: your model at its price then, against the cheapest model scoring at least as well on the "
           "metric, for your workload's own input and output tokens.")

names = models.set_index("model_id")["name"].to_dict()
with st.sidebar:
    st.header("Your use")
    metric = ui.metric_picker(metrics, key="switch_metric", default="aa_quality_2024")
    in_m = st.number_input("Input tokens per month (millions)", min_value=0.0, value=100.0, step=10.0,
                           key="switch_in_m", bind="query-params")
    out_m = st.number_input("Output tokens per month (millions)", min_value=0.0, value=20.0, step=5.0,
                            key="switch_out_m", bind="query-params")
    reviewed = st.toggle("Hand-reviewed alternatives only", value=True, key="switch_reviewed", bind="query-params",
                         help="Leave out models seen only in automated listings (their prices are less certain).")

if not metric:
    ui.empty_state("The database has no quality metrics.", "")
    st.stop()
ids = sorted(models["model_id"], key=lambda m: names.get(m, m))
default = "openai/gpt-4-turbo" if "openai/gpt-4-turbo" in ids else ids[0]
c1, c2 = st.columns([2, 1])
model_id = c1.selectbox("Model you use", ids, index=ids.index(default), key="switch_model", bind="query-params",
                        format_func=lambda m: f"{names.get(m, m)} ({m})")
since = c2.date_input("Used since", value=max(lo, dt.date(2024, 1, 1)), min_value=lo, max_value=hi,
                      key="switch_since", bind="query-params")

if in_m + out_m <= 0:
    st.warning("Enter a workload: input or output tokens per month.")
    st.stop()
view = load_switching(db, db.version, model_id, since, metric["metric_id"], in_m * 1e6, out_m * 1e6, reviewed,
                      ui.theme())
savings = view["points"]
if savings.empty:
    ui.empty_state(f"{names.get(model_id, model_id)} has no price or no {views.metric_short(metric)} score in any "
                   f"month since {since}.", "Choose another model, metric or start date.")
    st.stop()

last = savings.iloc[-1]
k1, k2, k3 = st.columns(3)
k1.metric("Saved by switching", f"${savings['saving'].sum():,.0f}",
          help=f"over {len(savings)} month(s) from {savings['month'].iloc[0]:%Y-%m} to {last['month']:%Y-%m}")
k2.metric("This month", f"${last['current_cost']:,.2f} → ${last['alternative_cost']:,.2f}")
k3.metric("Switch to now", names.get(last["alternative"], last["alternative"]))
ui.chart(view["fig"], savings, "switching", sources=sources, key="switch_chart", lazy_export=True)
ui.link_to_model(last["alternative"], f"Open {names.get(last['alternative'], last['alternative'])} on the Models page")
with st.expander("Month by month"):
    st.dataframe(savings.assign(month=savings["month"].dt.strftime("%Y-%m"),
                                alternative=savings["alternative"].map(lambda m: names.get(m, m))),
                 hide_index=True, width="stretch")
