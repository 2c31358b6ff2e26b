"""Outlook: why published rates of price decline differ (three methods, one table), and a forecast shown only with
its 90 % interval and the backtest score of the same method on the same metric."""
import datetime as dt

import streamlit as st

from lib import forecast, insight_charts, trend_methods, ui, urlparams, views

db = ui.connection()
metrics = ui.load_metrics(db, db.version)
sources = ui.load_sources(db, db.version)
lo, hi = ui.load_date_span(db, db.version)


def _cursor_call(_db, fn, *args, **kwargs):
    with _db.cursor() as cur:
        return fn(cur, *args, **kwargs)


@st.cache_data(ttl=ui.TTL, max_entries=32, show_spinner="Comparing the three methods…")
def load_methods(_db, version: str, metric_id: str, thresholds: tuple):
    return _cursor_call(_db, trend_methods.compare_from_db, metric_id, list(thresholds))


@st.cache_data(ttl=ui.TTL, max_entries=32, show_spinner="Fitting the trend and backtesting it…")
def load_forecast(_db, version: str, metric_id: str, threshold: float, price: float, cutoff: dt.date, theme: str):
    return _cursor_call(_db, lambda con: insight_charts.forecast_chart(
        con, metric_id=metric_id, threshold=threshold, price=price, cutoff=cutoff, theme=theme))


@st.cache_data(ttl=ui.TTL, max_entries=8, show_spinner="Finding a metric the forecast can be backtested on…")
def load_outlook_metric(_db, version: str, cutoff: dt.date, preferred: str) -> str:
    return _cursor_call(_db, forecast.backtestable_metric, cutoff, preferred)


@st.cache_data(ttl=ui.TTL, max_entries=16, show_spinner=False)
def load_scores_summary(_db, version: str, metric_id: str):
    from lib import trends

    return _cursor_call(_db, trends.trend_table_from_db, metric_id)


st.title("Outlook: how fast, measured how, and what next")
state = ui.page_state("outlook")

# The forecast is shown only with its backtest: the page opens on the dashboard's default metric when the method
# can be backtested on it at the default cut-off, else on the best-covered metric where it can.
default_cut = min(max(dt.date(2024, 6, 30), lo), hi)
dashboard_default = ui.load_default_metric(db, db.version)
opening_metric = load_outlook_metric(db, db.version, default_cut, dashboard_default)
with st.sidebar:
    st.header("Options")
    metric = ui.metric_picker(metrics, default=opening_metric, state=state)
    if metric and metric["metric_id"] == opening_metric != dashboard_default:
        names = {r["metric_id"]: views.metric_display_name(r) for r in metrics.to_dict("records")}
        st.caption(f"Opens on {names.get(opening_metric, opening_metric)}: the forecast method cannot be "
                   f"backtested on the dashboard's default, {names.get(dashboard_default, dashboard_default)}, "
                   f"with the cut-off {default_cut}.")
state.report()
state.follows(metric.get("metric_id") if metric else None, "levels", "threshold")

if not metric:
    ui.empty_state("The database has no quality metrics.", "")
    st.stop()
table = load_scores_summary(db, db.version, metric["metric_id"])
if table.empty:
    ui.empty_state(f"No model has both a price and a {views.metric_short(metric)} score.", "Choose another metric.")
    st.stop()
scores = table["score"].astype(float)
short = views.metric_short(metric)

st.subheader("Three ways to measure the same decline", anchor=False)
st.caption("Published rates range from about 5× to about 900× cheaper per year. Much of that range is the method: "
           "the same data, three definitions.")
default_levels = ", ".join(f"{x:g}" for x in scores.quantile([0.5, 0.75]).round(0).tolist())
value = state.initial("levels", lambda raw: str(raw).strip() or None, default_levels)
level_text = st.text_input(f"{short} levels (comma-separated)", value=value, key=state.key("levels"))
state.write("levels", level_text, default_levels)
try:
    levels = tuple(sorted({float(x) for x in level_text.replace(";", ",").split(",") if x.strip()}))
except ValueError:
    st.error("Levels must be numbers separated by commas.")
    levels = ()
if levels:
    st.dataframe(trend_methods.display_rows(load_methods(db, db.version, metric["metric_id"], levels)),
                 hide_index=True, width="stretch")
    st.caption(" · ".join(f"**{k}**: {v}" for k, v in trend_methods.METHODS.items()))

st.subheader("When will it cost that?", anchor=False)
c1, c2, c3 = st.columns(3)
default_thr = float(scores.quantile(0.5).round(1))
value = state.initial("threshold", lambda raw: urlparams.parse_number(raw, float(scores.min()), float(scores.max())),
                      default_thr)
threshold = c1.number_input(f"{short} at least", value=value, min_value=float(scores.min()),
                            max_value=float(scores.max()), step=1.0, key=state.key("threshold"))
state.write("threshold", threshold, default_thr, urlparams.format_number)
value = state.initial("price", lambda raw: urlparams.parse_number(raw, 0.000001), 0.05)
price = c2.number_input("Costs at most (USD / M tokens, blended 3:1)", value=value, min_value=0.000001,
                        format="%g", key=state.key("price"))
state.write("price", price, 0.05, urlparams.format_number)
value = state.initial("cutoff", lambda raw: urlparams.parse_date(raw, lo, hi), default_cut)
cutoff = c3.date_input("Backtest: fit on models released up to", value=value, min_value=lo, max_value=hi,
                       key=state.key("cutoff"))
state.write("cutoff", cutoff, default_cut, urlparams.format_date)

view = load_forecast(db, db.version, metric["metric_id"], float(threshold), float(price), cutoff, ui.theme())
bt, fc = view["backtest"], view["forecast"]
if view["message"]:
    st.warning(view["message"])
elif fc and fc["method"] == "observed":
    st.success(f"Already happened: {fc['model']} (released {fc['date']}) scores at least {threshold:g} and costs at "
               f"most ${price:g}.")
elif not bt["n"]:
    st.warning(f"No forecast: the method cannot be backtested on {short} with the cut-off {cutoff} (no score level "
               "has enough points before it and a new lowest price after it). A forecast is shown only with its "
               "backtest score; move the cut-off or choose another metric.")
else:
    k1, k2, k3 = st.columns(3)
    k1.metric("Forecast date", fc["date"] or "never on this trend")
    k2.metric("90 % interval", f"{(fc['low'] or 'open')[:7]} – {(fc['high'] or 'open')[:7]}",
              help=f"{fc['low'] or 'open'} to {fc['high'] or 'open'}")
    k3.metric("Backtest: inside the 90 % interval", f"{bt['coverage_90']:.0%} of {bt['n']}",
              help=f"{bt['n']} held-out points after {bt['cutoff']}; median error "
                   f"{bt['median_abs_error_days']:.0f} days")
    if fc.get("overdue"):
        newest = table["release_date"].max()
        st.info(f"The trend's date has passed and no model scoring ≥ {threshold:g} costs ${price:g} or less: the "
                f"decline has slowed, or the metric stopped covering new models (its newest scored model was "
                f"released {newest:%Y-%m-%d}).")
    st.caption(f"Backtest of the same method on {short}: fitted on models released up to {bt['cutoff']}, "
               f"{bt['n']} later new lowest prices, {bt['coverage_90']:.0%} inside the 90 % interval (a calibrated "
               f"interval would hold 90 %), median error {bt['median_abs_error_days']:.0f} days.")
    ui.chart(view["fig"], view["points"], "forecast", sources=sources, key=state.key("chart"), lazy_export=True)
if bt["n"]:
    with st.expander(f"Backtest points ({bt['n']})"):
        st.dataframe(forecast.display_rows(bt["points"]), hide_index=True, width="stretch")
