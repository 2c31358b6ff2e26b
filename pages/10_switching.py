"""Switching: for a workload and a model used since a date, what moving each month to the cheapest model of at least
its quality would have saved (a replay of the stored prices)."""
import datetime as dt

import streamlit as st

from lib import insight_charts, ui, urlparams, views

db = ui.connection()
metrics = ui.load_metrics(db, db.version)
models = ui.load_models(db, db.version)
sources = ui.load_sources(db, db.version)
lo, hi = ui.load_date_span(db, db.version)


@st.cache_data(ttl=ui.TTL, max_entries=32, show_spinner="Replaying the prices month by month…")
def load_switching(_db, version: str, model_id: str, since: dt.date, metric_id: str, in_tok: float, out_tok: float,
                   reviewed: bool, theme: str) -> dict:
    with _db.cursor() as cur:
        return insight_charts.switching_chart(cur, model_id=model_id, since=since, metric_id=metric_id,
                                              input_tokens=in_tok, output_tokens=out_tok, reviewed_only=reviewed,
                                              theme=theme)


st.title("What would switching have saved?")
st.caption("Each month: your model at its price then, against the cheapest model scoring at least as well on the "
           "metric, for your workload's own input and output tokens.")

names = models.set_index("model_id")["name"].to_dict()
state = ui.page_state("switching")
with st.sidebar:
    st.header("Your use")
    metric = ui.metric_picker(metrics, default=ui.load_default_metric(db, db.version), state=state)
    value = state.initial("in_m", lambda raw: urlparams.parse_number(raw, 0.0), 100.0)
    in_m = st.number_input("Input tokens per month (millions)", min_value=0.0, value=value, step=10.0,
                           key=state.key("in_m"))
    state.write("in_m", in_m, 100.0, urlparams.format_number)
    value = state.initial("out_m", lambda raw: urlparams.parse_number(raw, 0.0), 20.0)
    out_m = st.number_input("Output tokens per month (millions)", min_value=0.0, value=value, step=5.0,
                            key=state.key("out_m"))
    state.write("out_m", out_m, 20.0, urlparams.format_number)
    value = state.initial("reviewed", urlparams.parse_bool, True)
    reviewed = st.toggle("Hand-reviewed alternatives only", value=value, key=state.key("reviewed"),
                         help="Leave out models seen only in automated listings (their prices are less certain).")
    state.write("reviewed", reviewed, True, urlparams.format_bool)

if not metric:
    ui.empty_state("The database has no quality metrics.", "")
    st.stop()
ids = sorted(models["model_id"], key=lambda m: names.get(m, m))
default = "openai/gpt-4-turbo" if "openai/gpt-4-turbo" in ids else ids[0]
c1, c2 = st.columns([2, 1])
value = state.initial("model", lambda raw: urlparams.parse_choice(raw, ids), default)
model_id = ui.model_picker("Model you use", ids, names, value, state=state, key="model", container=c1)
state.write("model", model_id, default)
default_since = min(max(lo, dt.date(2024, 1, 1)), hi)
value = state.initial("since", lambda raw: urlparams.parse_date(raw, lo, hi), default_since)
since = c2.date_input("Used since", value=value, min_value=lo, max_value=hi, key=state.key("since"))
state.write("since", since, default_since, urlparams.format_date)
state.report()

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
ui.chart(view["fig"], savings, "switching", sources=sources, key=state.key("chart"), lazy_export=True)
ui.link_to_model(last["alternative"], f"Open {names.get(last['alternative'], last['alternative'])} on the Models page")
with st.expander("Month by month"):
    st.dataframe(savings.assign(month=savings["month"].dt.strftime("%Y-%m"),
                                alternative=savings["alternative"].map(lambda m: names.get(m, m))),
                 hide_index=True, width="stretch")
