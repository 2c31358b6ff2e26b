"""Models: one model's price history, scores, aliases and lineage; side-by-side comparison of up to six."""
import pandas as pd
import streamlit as st

from lib import ui, urlparams, views
from lib.curate.article import ARTICLE_MODELS, ARTICLE_PAIRS

db = ui.connection()
models = ui.load_models(db, db.version)
lineage = ui.load_lineage(db, db.version)
sources = ui.load_sources(db, db.version)
_, hi = ui.load_date_span(db, db.version)

st.title("Models")
state = ui.page_state("models")
if models.empty:
    ui.empty_state("The database has no models.", "")
    st.stop()

names, ids = ui.load_model_choices(db, db.version)
by_id = models.set_index("model_id")

tab_one, tab_compare = st.tabs(["One model", "Compare (up to six)"], key="view", bind="query-params")

with tab_one:
    default_id = next((i for i in ARTICLE_MODELS[::-1] if i in names), ids[0])
    # ids as options: a bound widget writes its shown label into the URL (?model=vendor/slug)
    value = state.initial("model", lambda raw: urlparams.parse_choice(raw, ids), default_id)
    model_id = ui.model_picker("Model", ids, names, value, state=state, key="model",
                               placeholder="Type to search by name or id")
    state.write("model", model_id, default_id)
    state.report()
    if model_id is None:
        ui.empty_state("Choose a model.", "Or click a point on the Frontier page.")
    else:
        m = by_id.loc[model_id]
        st.subheader(ui.md_text(m["name"]), anchor=False)
        c = st.columns(5)
        c[0].metric("Vendor", views.vendor_display_name(m["vendor"]))
        c[1].metric("Released", str(m["release_date"])[:10] if pd.notna(m["release_date"]) else "–")
        c[2].metric("Weights", "–" if pd.isna(m["open_weights"]) else "open" if bool(m["open_weights"]) else "closed")
        c[3].metric("Context window", f"{int(m['context_window']):,}" if pd.notna(m["context_window"]) else "–")
        c[4].metric("Status", m["status"])
        n_rows = ui.load_price_row_count(db, db.version, model_id)
        view = ui.chart_view(db, "price-history", model_ids=(model_id,), data_as_of=ui.data_as_of(db), theme=ui.theme())
        series = view.points
        ui.chart(view.fig, series, f"price-history-{model_id.replace('/', '_')}", sources=sources, key="history_chart",
                 lazy_export=True)
        if n_rows > len(series):
            rows = st.expander(f"All {n_rows} price rows (every source, provider and tier)", key="price_rows",
                               on_change="rerun")
            if rows.open:  # read only when opened: every price row of the model is a scan of every interval
                with rows:
                    price_rows = ui.load_price_history(db, db.version, model_id)
                    st.dataframe(price_rows, hide_index=True, width="stretch",
                                 column_config=ui.column_labels(price_rows))
        st.markdown("#### Scores")
        sc = ui.load_scores_for_model(db, db.version, model_id)
        if sc.empty:
            st.caption("No scores recorded for this model.")
        else:
            shown = sc[["metric_name", "variant", "value", "unit", "observed_date", "metric_version", "source_id",
                        "source_ref"]]
            st.dataframe(shown, hide_index=True, width="stretch",
                         column_config=ui.column_labels(shown, value="Score"))
        task_costs, hosts = ui.load_model_costs(db, db.version, model_id)
        if len(task_costs) or len(hosts):
            st.markdown("#### Cost per task and hosts")
            if len(task_costs):
                st.caption("Measured cost of one task of a benchmark, per reasoning setting (the run's own score "
                           "beside it); never estimated.")
                shown = task_costs[["benchmark_id", "variant", "observed_date", "usd_per_task", "score", "tasks",
                                    "usd_total", "provider", "source_id", "source_ref"]]
                st.dataframe(shown, hide_index=True, width="stretch", column_config=ui.column_labels(
                    shown, variant="Reasoning setting", observed_date=st.column_config.DateColumn("Measured"),
                    usd_per_task=st.column_config.NumberColumn("USD per task", format="$%.4f"),
                    usd_total=st.column_config.NumberColumn("USD, all tasks", format="$%.2f")))
            if len(hosts):
                host_view = ui.chart_view(db, "host-prices", model_id=model_id, data_as_of=ui.data_as_of(db),
                                          theme=ui.theme())
                ui.chart(host_view.fig, host_view.points, f"host-prices-{model_id.replace('/', '_')}",
                         sources=sources, key="host_chart", lazy_export=True)
                spread = views.host_spread(hosts)
                n_hosts = hosts["provider"].nunique()
                st.caption(f"List prices of the API hosts Artificial Analysis observed ({n_hosts} "
                           f"host{'' if n_hosts == 1 else 's'}): cheapest, median and dearest per date, USD per M "
                           "tokens at the 3:1 blend.")
                st.dataframe(spread, hide_index=True, width="stretch", column_config=ui.column_labels(spread))
                with st.expander(f"All {len(hosts)} host prices"):
                    st.dataframe(hosts, hide_index=True, width="stretch", column_config=ui.column_labels(hosts))
        st.markdown("#### Lifecycle")
        life = ui.load_lifecycle(db, db.version, model_id)
        if life.empty:
            st.caption("No release or retirement recorded.")
        else:
            st.caption("Release (announced, API-available or first seen), retirements (the vendor's own take the "
                       "model off the market; a host's, such as Azure's, end only that offering) and delistings.")
            st.dataframe(life, hide_index=True, width="stretch", column_config=ui.column_labels(life))
        a, b = st.columns(2)
        with a:
            st.markdown("#### Aliases")
            al = ui.load_aliases(db, db.version, model_id)
            if len(al):
                st.dataframe(al, hide_index=True, width="stretch", column_config=ui.column_labels(al))
            else:
                st.caption("No aliases.")
            moves = ui.load_alias_moves(db, db.version, model_id)
            if len(moves):
                st.caption("Moving aliases that meant this model for a while: a price or score observed under "
                           "one of them counts here only between these dates (to: exclusive, empty = still).")
                st.dataframe(moves, hide_index=True, width="stretch", column_config=ui.column_labels(moves))
        with b:
            st.markdown("#### Lineage")
            lin = lineage.loc[(lineage["parent_id"] == model_id) | (lineage["child_id"] == model_id)]
            if lin.empty:
                st.caption("No recorded teacher, student, predecessor or successor.")
            else:
                shown = lin[["parent_name", "child_name", "relation", "era", "evidence", "evidence_url"]]
                st.dataframe(shown, hide_index=True, width="stretch", column_config=ui.column_labels(shown))

with tab_compare:
    # default: the article's three 2024 distillations, teacher beside student
    article_six = [m for t, s_, era in ARTICLE_PAIRS if era == "distillation" for m in (t, s_) if m in names][:6]
    value = state.initial("compare", lambda raw: (urlparams.parse_list(raw, ids) or [])[:6] or None, article_six,
                          multi=True)
    chosen = ui.model_picker("Models to compare", ids, names, value, state=state, key="compare", multi=True,
                             max_selections=6)
    state.write("compare", chosen, article_six)
    if not chosen:
        ui.empty_state("Choose up to six models to compare.", "")
    else:
        compare = ui.chart_view(db, "price-history", model_ids=tuple(chosen), data_as_of=ui.data_as_of(db), theme=ui.theme())
        ui.chart(compare.fig, compare.points, "price-history-compare", sources=sources, key="compare_chart",
                 lazy_export=True)
        newest_scores = ui.load_compare_scores(db, db.version, tuple(chosen), names)
        m = by_id.loc[chosen]
        shown = m[["name", "vendor", "release_date", "open_weights", "context_window"]]
        st.dataframe(shown, width="stretch", column_config=ui.column_labels(shown))
        if len(newest_scores):
            st.markdown("#### Newest score per metric")
            st.dataframe(newest_scores, width="stretch", column_config=ui.column_labels(newest_scores))
