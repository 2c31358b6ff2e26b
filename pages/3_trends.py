"""Trends: the cheapest price to reach a quality level over time (Epoch AI's method) and the frontier's price at
fixed quality levels month by month."""
import streamlit as st

from lib import figures, ui, urlparams, views
from lib.errors import UsageError

db = ui.connection()
metrics = ui.load_metrics(db, db.version)
sources = ui.load_sources(db, db.version)
lo, hi = ui.load_date_span(db, db.version)

st.title("How fast is reaching a quality level getting cheaper?")
state = ui.page_state("trends")

with st.sidebar:
    st.header("Options")
    metric = ui.metric_picker(metrics, default=ui.load_default_metric(db, db.version), state=state)
    cost = ui.cost_basis_control(ui.load_task_benchmarks(db, db.version), state=state, with_hosts=False)
    basis, ratio = cost["basis"], cost["ratio"]
    per_task = dict(benchmark=cost["benchmark"], workload=cost["workload"])
    value = state.initial("price_date", lambda raw: urlparams.parse_choice(raw, ["release", "today"]), "release")
    price_date = st.radio("Price of each model", ["release", "today"], index=["release", "today"].index(value),
                          key=state.key("price_date"),
                          format_func={"release": "at its release (Epoch AI)", "today": "today (newest in data)"}.get)
    state.write("price_date", price_date, "release")
state.report()
state.follows(metric.get("metric_id") if metric else None, "levels", "threshold")

if not metric:
    ui.empty_state("The database has no quality metrics.", "")
    st.stop()

table = ui.load_trend_table(db, db.version, metric["metric_id"], price_date, basis, ratio, **per_task)
if table.empty:
    hint = ("Choose another metric." if basis not in ("per-task", "workload") else
            "Measured costs per task are recent: price each model today (sidebar), or choose another basis.")
    ui.empty_state(f"No model has both a price on this basis and a {views.metric_short(metric)} score.", hint)
    st.stop()

names = ui.load_models(db, db.version).set_index("model_id")["name"].to_dict()
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
    view = ui.chart_view(db, "trend", metric_id=metric["metric_id"], threshold=threshold,
                         threshold_model=threshold_model, price_date=price_date, basis=basis, ratio=ratio,
                         **per_task, data_as_of=ui.data_as_of(db), theme=ui.theme())
except UsageError as exc:
    st.error(ui.md_text(exc))
    st.stop()
fit = view.summary["fit"]

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

ui.chart(view.fig, view.points, "trend", sources=sources, key="trend_chart", lazy_export=True)
st.caption(f"Method: Epoch AI's — models at or above the threshold, walked in release order; each new lowest "
           f"price is a point; least squares of log10(price) on years. Prices {price_date == 'release' and 'at release' or 'today'}."
           + {"per-task": " Price = the measured cost per task (the newest measurement on or before the price date); "
                          "models without one are left out, never estimated.",
              "workload": " Price = one task of the workload at the token prices of the price date."}.get(basis, ""))

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
    levels_view = ui.chart_view(db, "frontier-price-levels", metric_id=metric["metric_id"], levels=tuple(levels),
                                dates=tuple(views.month_ends(lo, hi)), basis=basis, ratio=ratio, **per_task,
                                data_as_of=ui.data_as_of(db),
                                theme=ui.theme())
    ui.chart(levels_view.fig, levels_view.points, "frontier-price-over-time", sources=sources, key="levels_chart",
             lazy_export=True)
