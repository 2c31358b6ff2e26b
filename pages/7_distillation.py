"""Distillation index: month by month, how much of its flagship's quality the best model at least K× cheaper keeps,
per vendor, across the market, and the market-wide median; the article's two eras marked."""
import streamlit as st

from lib import distillation, insight_charts, ui, urlparams, views

db = ui.connection()
metrics = ui.load_metrics(db, db.version)
sources = ui.load_sources(db, db.version)


@st.cache_data(ttl=ui.TTL, max_entries=16, show_spinner="Replaying the market period by period…")
def load_distillation(_db, version: str, metric_id: str, ratio: float, flagship: str, period: str, basis: str,
                      price_ratio: str, theme: str) -> dict:
    with _db.cursor() as cur:
        return insight_charts.distillation_chart(cur, metric_id=metric_id, ratio=ratio, flagship=flagship,
                                                 period=period, basis=basis, price_ratio=price_ratio, theme=theme)


st.title("Does a 90 % price cut still cost quality?")
st.caption("For each vendor and each period: its flagship, the best model at least K× cheaper, and the share of "
           "the flagship's score that model keeps. The thick line is the median over vendors.")

percent_metrics = metrics.loc[metrics["scale"] == "percent"] if "scale" in metrics else metrics
state = ui.page_state("distillation")
K_OPTIONS = [2, 3, 5, 10, 20, 50, 100]
with st.sidebar:
    st.header("Options")
    metric = ui.metric_picker(percent_metrics, default=ui.load_default_metric(db, db.version), state=state)
    value = state.initial("k", lambda raw: urlparams.parse_choice(raw, K_OPTIONS, {k: str(k) for k in K_OPTIONS}),
                          10)
    ratio = st.select_slider("At least K× cheaper", K_OPTIONS, value=value, key=state.key("k"),
                             help="10 = a price cut of at least 90 %")
    state.write("k", ratio, 10)
    rules = list(distillation.FLAGSHIP_RULES)
    value = state.initial("flagship", lambda raw: urlparams.parse_choice(raw, rules), "best")
    flagship = st.radio("A vendor's flagship is", rules, index=rules.index(value), key=state.key("flagship"),
                        format_func={"best": "its best-scoring model", "priciest": "its most expensive model"}.get)
    state.write("flagship", flagship, "best")
    periods = list(distillation.PERIODS)
    value = state.initial("period", lambda raw: urlparams.parse_choice(raw, periods), "month")
    period = st.segmented_control("Period", periods, default=value, required=True,
                                  key=state.key("period")) or "month"
    state.write("period", period, "month")
    basis, price_ratio, _ = ui.price_basis_control(state=state)
state.report()

if not metric:
    ui.empty_state("The database has no percent-scale quality metric.", "")
    st.stop()

view = load_distillation(db, db.version, metric["metric_id"], float(ratio), flagship or "best", period, basis,
                         price_ratio, ui.theme())
series, median, summary = view["points"], view["median"], view["summary"]
if series.empty:
    ui.empty_state(f"No vendor has a model {ratio}× cheaper than its flagship on {views.metric_short(metric)}.",
                   "Lower K or choose another metric.")
    st.stop()

cols = st.columns(max(len(summary), 1) + 1)
for col, row in zip(cols, summary.to_dict("records")):
    col.metric(f"Median loss, {row['era']} era", f"{row['last_loss_pct']:.0f} %",
               help=f"Market-wide median at {row['last_period']:%Y-%m-%d} (the era's last period end); "
                    f"{row['first_loss_pct']:.0f} % at {row['first_period']:%Y-%m-%d}")
newest = median.sort_values("period_end").iloc[-1] if len(median) else None
if newest is not None:
    cols[-1].metric("Median loss, newest", f"{100 * (1 - newest['quality_kept']):.0f} %",
                    help=f"{newest['period_end']:%Y-%m-%d}, over {int(newest['vendors'])} vendor(s)")

ui.chart(view["fig"], series, "distillation-index", sources=sources, key=state.key("chart"), lazy_export=True)

st.subheader("Newest period", anchor=False)
last = series.loc[series["period_end"] == series["period_end"].max()]
st.dataframe(distillation.display_rows(last), hide_index=True, width="stretch")
st.caption("Prices are the ones in force at each period end; scores are each model's newest. A metric whose "
           "benchmark stopped adding models freezes the index at its last new model: read the end of the line "
           "with the metric's coverage in mind (Data page).")
