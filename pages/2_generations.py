"""Generations: teacher → student pairs (price and quality change per pair and per era), successor chains."""
import pandas as pd
import streamlit as st

from lib import figures, generations, ui
from lib.errors import UsageError

db = ui.connection()
metrics = ui.load_metrics(db, db.version)
models = ui.load_models(db, db.version)
lineage = ui.load_lineage(db, db.version)
sources = ui.load_sources(db, db.version)

st.title("Generations: what a smaller student keeps of its teacher")

with st.sidebar:
    st.header("Options")
    metric = ui.metric_picker(metrics)
    basis, ratio, _ = ui.price_basis_control()
    policy = st.radio("Price both models at", ["student-launch", "today", "a date"], key="price_date",
                      bind="query-params", format_func={"student-launch": "the student's launch",
                                                        "today": "the newest date in the data",
                                                        "a date": "a date I choose"}.get)
    price_date = policy
    if policy == "a date":
        lo, hi = ui.load_date_span(db, db.version)
        price_date = st.date_input("Date", value=hi, min_value=lo, max_value=hi, key="on",
                                   bind="query-params").isoformat()

if not metric:
    ui.empty_state("The database has no quality metrics.", "")
    st.stop()

names = models.set_index("model_id")["name"].to_dict()
known = set(models["model_id"])
distilled = lineage.loc[lineage["relation"] == "distilled"]
default_keys = [ui.pair_key(r.parent_id, r.child_id) for r in distilled.itertuples()]
m_label, p_label = ui.metric_label(metric), ui.price_label(basis, ratio)
scale = metric.get("scale", "percent")

tab_pairs, tab_chains = st.tabs(["Teacher → student pairs", "Successor chains"], key="tab", bind="query-params")

with tab_pairs:
    keys = st.multiselect(
        "Pairs (remove with ×; add one below or type 'teacher_id → student_id')", default_keys, default=default_keys,
        key="pairs", bind="query-params", accept_new_options=True,
        format_func=lambda k: " → ".join(names.get(x.strip(), x.strip()) for x in str(k).split("→")))
    with st.popover("Add a pair", icon=":material/add:"):
        ids = sorted(known, key=lambda i: names.get(i, i))
        t = st.selectbox("Teacher", ids, format_func=lambda i: f"{names.get(i, i)} ({i})", key="add_teacher")
        s = st.selectbox("Student", ids, format_func=lambda i: f"{names.get(i, i)} ({i})", key="add_student")
        if st.button("Add pair", disabled=t == s):
            st.session_state["pairs"] = list(dict.fromkeys([*keys, ui.pair_key(t, s)]))
            st.rerun()
    pairs, problems = ui.parse_pair_keys(keys, lineage, known)
    for p in problems:
        st.warning(p)
    if not pairs:
        ui.empty_state("No pairs selected.", "Add a pair, or reload the page to get the lineage table's pairs back.")
    else:
        try:
            deltas, summary = ui.load_generations(db, db.version, metric["metric_id"], tuple(pairs), price_date,
                                                  basis, ratio)
        except UsageError as exc:
            st.error(str(exc))
            st.stop()
        deltas = ui.with_pair_names(deltas, models)
        policy_text = {"student-launch": "both priced at the student's launch", "today": "both priced today"}.get(
            price_date, f"both priced on {price_date}")
        cols = st.columns(max(len(summary), 1))
        for col, row in zip(cols, summary.to_dict("records")):
            with col.container(border=True):
                st.caption(f"**{row['era']}** · {int(row['pairs'])} pair{'s' if row['pairs'] != 1 else ''} · "
                           f"mean, {policy_text}")
                st.markdown(f"#### {ui.era_sentence(row, scale)}")
        srcs = set(sources["source_id"])
        as_of = ui.load_meta(db, db.version).get("built_at", "")[:10]
        fig = figures.generations_figure(deltas, metric_label=m_label, price_label=p_label,
                                         title=f"Teacher → student on {ui.metric_short(metric)} ({policy_text})",
                                         sources=srcs, data_as_of=as_of, theme=ui.theme())
        ui.chart(fig, deltas, "generations", sources=sources, key="gen_arrows")
        fig2 = figures.generation_drops_figure(deltas, scale=scale, metric_label=ui.metric_short(metric),
                                               title="Price drop vs quality drop, by era", sources=srcs,
                                               data_as_of=as_of, theme=ui.theme())
        ui.chart(fig2, deltas, "generation-drops", sources=sources, key="gen_drops")
        with st.expander("Pairs table"):
            st.dataframe(deltas[["teacher_name", "student_name", "era", "teacher_price", "student_price",
                                 "price_drop_pct", "teacher_quality", "student_quality", "quality_drop_pct",
                                 "quality_delta_points", "student_price_date"]],
                         hide_index=True, width="stretch")

with tab_chains:
    chains = generations.successor_chains(lineage)
    if chains.empty:
        ui.empty_state("The lineage table has no successor chains.", "")
    else:
        steps = ui.chain_steps_as_pairs(chains)
        try:
            cd, _ = ui.load_generations(db, db.version, metric["metric_id"], tuple(steps), price_date, basis, ratio)
        except UsageError as exc:
            st.error(str(exc))
            st.stop()
        cd = ui.with_pair_names(cd, models).rename(columns={"era": "chain"})
        cd["era"] = cd["chain"].map(names).fillna(cd["chain"])
        fig3 = figures.generations_figure(cd, metric_label=m_label, price_label=p_label,
                                          title=f"Successor steps on {ui.metric_short(metric)}", sources=set(sources["source_id"]),
                                          data_as_of=ui.load_meta(db, db.version).get("built_at", "")[:10],
                                          theme=ui.theme())
        ui.chart(fig3, cd, "successor-chains", sources=sources, key="chain_arrows")
        st.dataframe(cd[["era", "teacher_name", "student_name", "teacher_price", "student_price", "price_drop_pct",
                         "teacher_quality", "student_quality", "quality_delta_points"]]
                     .rename(columns={"era": "chain starts at"}), hide_index=True, width="stretch")
