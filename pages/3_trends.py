"""Trends: the cheapest price to reach a quality level over time (Epoch AI's method) and the frontier's price at
fixed quality levels month by month."""
import pandas as pd
import streamlit as st

from lib import figures, trends, ui, urlparams, views
from lib.errors import UsageError

db = ui.connection()
metrics = ui.load_metrics(db, db.version)
models = ui.load_models(db, db.version)
sources = ui.load_sources(db, db.version)
lo, hi = ui.load_date_span(db, db.version)

st.title("How fast is reaching a quality level getting cheaper?")
state = ui.page_state("trends")

with st.sidebar:
    st.header("Options")
    metric = ui.metric_picker(metrics, state=state)
    basis, ratio, _ = ui.price_basis_control(state=state)
    value = state.initial("price_date", lambda raw: urlparams.parse_choice(raw, ["release", "today"]), "release")
    price_date = st.radio("Price of each model", ["release", "today"], index=["release", "today"].index(value),
                          key=state.key("price_date"),
                          format_func={"release": "at its release (Epoch AI)", "today": "today (newest in data)"}.get)
    state.write("price_date", price_date, "release")
state.report()

if not metric:
    ui.empty_state("The database has no quality metrics.", "")
    st.stop()

table = views.trend_table_with_names(
    ui.load_trend_table(db, db.version, metric["metric_id"], price_date, basis, ratio), models)
if table.empty:
    ui.empty_state(f"No model has both a price and a {views.metric_short(metric)} score.", "Choose another metric.")
    st.stop()

m_label, p_label = views.metric_label(metric), views.price_label(basis, ratio)
names = models.set_index("model_id")["name"].to_dict()
c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
value = state.initial("by", lambda raw: urlparams.parse_choice(raw, ["score", "model"]), "score")
mode = c1.segmented_control("Threshold", ["score", "model"], default=value, required=True, key=state.key("by"),
                            format_func={"score": "a score", "model": "a model's score"}.get) or "score"
state.write("by", mode, "score")
scores = table["score"].astype(float)
threshold, threshold_model = None, None
if mode == "model":
    candidates = table.sort_values("score", ascending=False)["model"].tolist()
    value = state.initial("model", lambda raw: urlparams.parse_choice(raw, candidates), candidates[0])
    threshold_model = c2.selectbox("Model whose score to reach (best first)", candidates,
                                   index=candidates.index(value), key=state.key("model"),
                                   format_func=lambda m: f"{names.get(m, m)} ({m})")
    state.write("model", threshold_model, candidates[0])
else:
    default = float(scores.quantile(0.5).round(1))
    value = state.initial("threshold", lambda raw: urlparams.parse_number(raw, float(scores.min()),
                                                                         float(scores.max())), default)
    threshold = c2.number_input(f"Score to reach ({metric.get('unit') or 'score'})", value=value,
                                min_value=float(scores.min()), max_value=float(scores.max()), step=1.0,
                                key=state.key("threshold"))
    state.write("threshold", threshold, default, urlparams.format_number)
try:
    fit = trends.price_trend(table, threshold=threshold, threshold_model=threshold_model)
except UsageError as exc:
    st.error(ui.md_text(exc))
    st.stop()

k1, k2, k3, k4 = st.columns(4)
if fit.ok:
    k1.metric("Cheaper per year", figures.fmt_factor(fit.factor_per_year), help="10^-slope of log10(price) on years")
    k2.metric("90 % interval", f"{figures.fmt_factor(fit.ci90[0])} – {figures.fmt_factor(fit.ci90[1])}")
else:
    k1.metric("Cheaper per year", "–")
    k2.metric("90 % interval", "–")
    st.warning(fit.message or "Too few points for a fit.")
k3.metric("Points (new lowest price)", fit.n)
k4.metric("R²", f"{fit.r_squared:.2f}" if fit.ok else "–")

as_of = hi.isoformat()
drawn = table.loc[table["score"].astype(float) >= fit.threshold]
used = ui.load_pair_sources(db, db.version, metric["metric_id"],
                            tuple(sorted(zip(drawn["model"], drawn["price_date"].astype(str).str[:10]))))
fig = figures.trend_figure(table, fit, metric_label=m_label, price_label=p_label, sources=used,
                           data_as_of=as_of, theme=ui.theme(),
                           title=f"Cheapest price to reach {views.metric_short(metric)} ≥ {fit.threshold:.4g}"
                                 + (f" ({names.get(threshold_model, threshold_model)})" if threshold_model else ""))
ui.chart(fig, fit.points, "trend", sources=sources, key="trend_chart", lazy_export=True)
st.caption(f"Method: Epoch AI's — models at or above the threshold, walked in release order; each new lowest "
           f"price is a point; least squares of log10(price) on years. Prices {price_date == 'release' and 'at release' or 'today'}.")

st.subheader("The frontier's price at fixed quality levels", anchor=False)
q = scores.quantile([0.25, 0.5, 0.75]).round(0).tolist()
default_levels = ", ".join(f"{x:g}" for x in q)
value = state.initial("levels", lambda raw: str(raw)[:200], default_levels)
level_text = st.text_input("Quality levels (comma-separated)", value=value, key=state.key("levels"))
state.write("levels", level_text, default_levels)
try:
    levels = sorted({float(x) for x in level_text.replace(";", ",").split(",") if x.strip()})
except ValueError:
    st.error("Quality levels must be numbers separated by commas.")
    levels = []
if levels:
    months = tuple(views.month_ends(lo, hi))
    series = ui.load_market_series(db, db.version, months, metric["metric_id"], basis, ratio)
    at_levels = views.frontier_price_by_month(series, levels)
    on_chart = at_levels.dropna(subset=["price", "model"])
    used2 = ui.load_pair_sources(db, db.version, metric["metric_id"], tuple(sorted(
        zip(on_chart["model"], pd.to_datetime(on_chart["date"]).dt.strftime("%Y-%m-%d")))))
    fig2 = figures.frontier_price_over_time_figure(at_levels, metric_label=views.metric_short(metric),
                                                   price_label=p_label, names=names, sources=used2,
                                                   data_as_of=as_of, theme=ui.theme())
    ui.chart(fig2, at_levels, "frontier-price-over-time", sources=sources, key="levels_chart",
             lazy_export=True)
