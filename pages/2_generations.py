"""Generations: teacher → student pairs (price and quality change per pair and per era), successor chains."""
import streamlit as st

from lib import ui, urlparams, views
from lib.errors import UsageError

db = ui.connection()
metrics = ui.load_metrics(db, db.version)
sources = ui.load_sources(db, db.version)
lo, hi = ui.load_date_span(db, db.version)

st.title("Generations: what a smaller student keeps of its teacher")
state = ui.page_state("generations")

with st.sidebar:
    st.header("Options")
    metric = ui.metric_picker(metrics, default=ui.load_default_metric(db, db.version), state=state)
    cost = ui.cost_basis_control(ui.load_task_benchmarks(db, db.version), state=state, with_hosts=False)
    basis, ratio = cost["basis"], cost["ratio"]
    policies = ["student-launch", "today", "a date"]
    value = state.initial("price_date", lambda raw: urlparams.parse_choice(raw, policies), "student-launch")
    # ?on=YYYY-MM-DD alone means "a date I choose"
    on = state.initial("on", lambda raw: urlparams.parse_date(raw, lo, hi), None)
    value = "a date" if on is not None and "price_date" not in st.query_params else value
    policy = st.radio("Price both models at", policies, index=policies.index(value), key=state.key("price_date"),
                      format_func={"student-launch": "the student's launch",
                                   "today": "the newest date in the data",
                                   "a date": "a date I choose"}.get)
    state.write("price_date", policy, "student-launch")
    price_date = policy
    if policy == "a date":
        chosen = st.date_input("Date", value=on or hi, min_value=lo, max_value=hi, key=state.key("on"))
        state.write("on", chosen, None, urlparams.format_date)
        price_date = chosen.isoformat()
state.report()

if not metric:
    ui.empty_state("The database has no quality metrics.", "")
    st.stop()

names, _ = ui.load_model_choices(db, db.version)
scale = metric.get("scale", "percent")
theme = ui.theme()

tab_pairs, tab_chains = st.tabs(["Teacher → student pairs", "Successor chains"], key="tab", bind="query-params")


with tab_pairs:
    value = state.initial("pairset", lambda raw: urlparams.parse_choice(raw, list(views.PAIR_SETS)), "article")
    pair_set = st.segmented_control("Pairs to compare", list(views.PAIR_SETS), default=value, required=True,
                                    format_func=views.PAIR_SETS.get, key=state.key("pairset")) or "article"
    state.write("pairset", pair_set, "article")
    set_rows = ui.load_pair_set_rows(db, db.version, pair_set)
    default_keys = [views.pair_key(t, s) for t, s, _, _ in set_rows]
    # One pair list per set (its own URL parameter), so choosing a set starts from that set's pairs and the
    # user's edits to each set are kept.
    pairs_key = f"pairs_{pair_set}"
    value = state.initial(pairs_key, lambda raw: [str(x) for x in (raw if isinstance(raw, list) else [raw]) if x],
                          default_keys, multi=True)
    keys = st.multiselect(
        "Pairs (remove with ×; add one below or type 'teacher_id → student_id')",
        list(dict.fromkeys([*default_keys, *value, *st.session_state.get(state.key(pairs_key), [])])),
        default=value, key=state.key(pairs_key), accept_new_options=True,
        format_func=lambda k: " → ".join(names.get(x.strip(), x.strip()) for x in str(k).split("→")))
    state.write(pairs_key, keys, default_keys)
    with st.popover("Add a pair", icon=":material/add:"):
        ids = ui.load_ids_by_name(db, db.version)
        t = ui.model_picker("Teacher", ids, names, ids[0], state=state, key="add_teacher")
        s = ui.model_picker("Student", ids, names, ids[0], state=state, key="add_student")
        if st.button("Add pair", disabled=t == s, key=state.key("add_pair")):
            st.session_state[state.key(pairs_key)] = list(dict.fromkeys([*keys, views.pair_key(t, s)]))
            st.rerun()
    # Pairs of the chosen set keep its eras (the article's set has its own); others come from the lineage table.
    set_eras = {views.pair_key(t, s): (rel, era) for t, s, rel, era in set_rows}
    pairs, problems = ui.load_pairs_of_keys(db, db.version, tuple(str(k) for k in keys))
    pairs = [(t, s, *set_eras.get(views.pair_key(t, s), (rel, era))) for t, s, rel, era in pairs]
    for p in problems:
        st.warning(ui.md_text(p))
    if not pairs:
        ui.empty_state("No pairs selected.", "Add a pair, or choose a pair set above to get its pairs back.")
    else:
        try:
            view = ui.chart_view(db, "generations", metric_id=metric["metric_id"], pairs=tuple(pairs),
                                 price_date=price_date, basis=basis, ratio=ratio, benchmark=cost["benchmark"],
                                 workload=cost["workload"], data_as_of=ui.data_as_of(db), theme=theme)
        except UsageError as exc:
            st.error(ui.md_text(exc))
            st.stop()
        summary, deltas = view.summary["eras"], view.points
        if basis in ("per-task", "workload"):
            unpriced = int(deltas[["teacher_price", "student_price"]].isna().any(axis=1).sum())
            what = ("a measured cost per task on or before its price date (never estimated)" if basis == "per-task"
                    else "a token price on its price date, or the prompt is longer than its context window")
            st.caption(f"Price = {ui.md_text(view.summary['price_label'])}. "
                       + (f"{unpriced} of {len(deltas)} pairs are left out of the means: a model lacks {what}."
                          if unpriced else f"All {len(deltas)} pairs are priced on this basis."))
        cols = st.columns(max(len(summary), 1))
        for col, row in zip(cols, summary.to_dict("records")):
            with col.container(border=True):
                st.caption(f"**{row['era']}** · {int(row['pairs'])} pair{'s' if row['pairs'] != 1 else ''} · "
                           f"mean, {view.summary['policy']}")
                st.markdown(f"#### {views.era_sentence(row, scale)}")
        if metric.get("drifts") and len(deltas) and not deltas[["teacher_quality", "student_quality"]].notna().all(
                axis=1).any():
            st.info(f"No pair has both models scored on {ui.md_text(views.metric_short(metric))} on its price date. "
                    "This metric changes over time, so each model's score is read as of its pair's price date, and a "
                    "new model joins the leaderboard days or weeks after its launch. Price both models at the newest "
                    "date in the data, or at a date you choose (sidebar).", icon=":material/event_busy:")
        ui.chart(view.fig, deltas, "generations", sources=sources, key="gen_arrows", lazy_export=True)
        ui.chart(view.extra["fig_drops"], deltas, "generation-drops", sources=sources, key="gen_drops",
                 lazy_export=True)
        with st.expander("Pairs table"):
            st.dataframe(deltas[["teacher_name", "student_name", "era", "teacher_price", "student_price",
                                 "price_drop_pct", "teacher_quality", "student_quality", "quality_drop_pct",
                                 "quality_delta_points", "student_price_date"]],
                         hide_index=True, width="stretch")

with tab_chains:
    try:
        chain_view = ui.chart_view(db, "successor-chains", metric_id=metric["metric_id"], price_date=price_date,
                                   basis=basis, ratio=ratio, benchmark=cost["benchmark"], workload=cost["workload"],
                                   data_as_of=ui.data_as_of(db), theme=theme)
    except UsageError as exc:
        st.error(str(exc))
        st.stop()
    if not chain_view.summary["chains"]:
        ui.empty_state("The lineage table has no successor chains.", "")
    else:
        cd = chain_view.points
        ui.chart(chain_view.fig, cd, "successor-chains", sources=sources, key="chain_arrows", lazy_export=True)
        st.dataframe(cd[["era", "teacher_name", "student_name", "teacher_price", "student_price", "price_drop_pct",
                         "teacher_quality", "student_quality", "quality_delta_points"]]
                     .rename(columns={"era": "chain starts at"}), hide_index=True, width="stretch")
