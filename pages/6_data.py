"""Data: sources with licences and freshness, downloads of the filtered rows and the database, your own models."""
from pathlib import Path

import pandas as pd
import streamlit as st

from lib import clock, ui, urlparams, views

db = ui.connection()
metrics = ui.load_metrics(db, db.version)
models = ui.load_models(db, db.version)
sources = ui.load_sources(db, db.version)
meta = ui.load_meta(db, db.version)
lo, hi = ui.load_date_span(db, db.version)

st.title("Data: where every number comes from")
state = ui.page_state("data")

today = clock.today()
newest = ui.load_newest_data_date(db, db.version, today)
fresh = views.source_freshness(sources, today)
k = st.columns(4)
k[0].metric("Models", len(models))
k[1].metric("Vendors", models["vendor"].nunique())
k[2].metric("Newest date in the data", newest.isoformat() if newest else "–",
            help="The newest snapshot retrieved, price date or release date that is not in the future "
                 "(scheduled prices and deprecations are left out).")
k[3].metric("Sources", len(sources), help="Each is listed below with its licence and attribution.")
built = meta.get("built_at", "–").replace("T", " ")
st.caption(f"Database built {built} · data version `{db.version[:12]}` · dates span {lo} to "
           f"{newest or hi}.")

st.subheader("Freshness: newest snapshot per source", anchor=False)
st.dataframe(fresh[["source_id", "newest_snapshot", "age_days", "snapshots", "price_rows", "score_rows", "name"]],
             hide_index=True, width="stretch", height=36 * (len(fresh) + 1) + 2,
             column_config={"source_id": st.column_config.TextColumn("source"),
                            "newest_snapshot": st.column_config.DateColumn("newest snapshot"),
                            "age_days": st.column_config.ProgressColumn(
                                "age", format="%d days", min_value=0,
                                max_value=int(max(fresh["age_days"].max(skipna=True) or 1, 1))),
                            "snapshots": st.column_config.NumberColumn("snapshots", width="small"),
                            "price_rows": st.column_config.NumberColumn("price rows", width="small"),
                            "score_rows": st.column_config.NumberColumn("score rows", width="small"),
                            "name": st.column_config.TextColumn("name")})
no_snapshot = fresh.loc[fresh["newest_snapshot"].isna(), "source_id"].tolist()
if no_snapshot:
    st.caption(f"No snapshot recorded for {', '.join(no_snapshot)}: their rows carry their own observed dates.")

st.subheader("Model registry and review queue", anchor=False)
registry, queue = ui.load_registry(db, db.version)
r = st.columns(6)
for col, (label, key) in zip(r, [("models", "models"), ("aliases", "aliases"), ("variants", "variants"),
                                 ("offerings", "offerings"), ("retired", "retired"), ("queued ids", "review_queue")]):
    col.metric(label, f"{registry[key]:,}")
st.caption("One canonical model per real model: every id a source uses is an alias; reasoning-effort settings are "
           "variants; an offering is a model sold by one provider. Ids from live ingest that match no model wait "
           "in the review queue, off the charts.")
if queue.empty:
    st.caption("Review queue: empty.")
else:
    st.dataframe(queue, hide_index=True, width="stretch",
                 column_config={"first_seen": st.column_config.DateColumn("first seen")})

st.subheader("Sources, licences and attribution", anchor=False)
st.dataframe(sources[["source_id", "licence", "attribution", "home_url"]],
             hide_index=True, width="stretch", height=36 * (len(sources) + 1) + 2,
             column_config={"home_url": st.column_config.LinkColumn("home"),
                            "licence": st.column_config.TextColumn("licence", width="large"),
                            "attribution": st.column_config.TextColumn("attribution", width="large")})

st.subheader("Download", anchor=False)
with st.container(border=True):
    c1, c2, c3 = st.columns(3)
    metric = ui.metric_picker(metrics, container=c1, default=ui.load_default_metric(db, db.version), state=state)
    value = state.initial("as_of", lambda raw: urlparams.parse_date(raw, lo, hi), hi)
    as_of = c2.date_input("As of", value=value, min_value=lo, max_value=hi, key=state.key("as_of"))
    state.write("as_of", as_of, hi, urlparams.format_date)
    vendors = ui.vendor_filter(ui.load_vendors(db, db.version), container=c3, state=state)
    state.report()
    rows = ui.load_market(db, db.version, as_of, metric["metric_id"], "blended", "3:1") if metric else pd.DataFrame()
    if vendors and len(rows):
        rows = rows.loc[rows["vendor"].isin(vendors)]
    st.caption(f"{len(rows)} rows: every model existing on {as_of} with its price then and its "
               f"{metric.get('name', '')} score (blended at 3:1), with the source of each.")
    if rows.empty:
        ui.empty_state("No rows for these filters.", "")
    else:
        d1, d2, d3 = st.columns(3)
        stem = f"frontier-{metric['metric_id']}-{as_of}"
        d1.download_button("Rows as CSV", views.to_csv_bytes(rows), f"{stem}.csv", "text/csv", icon=":material/download:")
        d2.download_button("Rows as Parquet", views.to_parquet_bytes(rows), f"{stem}.parquet",
                           "application/vnd.apache.parquet", icon=":material/download:")
        db_file = Path(db.path)
        d3.download_button(f"DuckDB file ({db_file.stat().st_size / 1e6:.1f} MB)", db_file.read_bytes,
                           "frontier.duckdb", "application/octet-stream", icon=":material/download:")
        dates = {c: st.column_config.DateColumn(c) for c in rows.columns
                 if c.endswith("_date") or c in ("price_effective_from", "price_effective_to")}
        st.dataframe(rows.head(200), hide_index=True, width="stretch", column_config=dates)

st.subheader("Your own models", anchor=False)
st.markdown("Upload a CSV with columns `name, input_usd_per_mtok, output_usd_per_mtok, metric_id, value` "
            "(optional `release_date`, `vendor`). They stay in this browser session only — nothing is written to "
            "the shared database — and appear on the Frontier and Calculator charts as ★ *your models*.")
st.download_button("Template CSV", "name,input_usd_per_mtok,output_usd_per_mtok,metric_id,value,release_date\n"
                   f"My fine-tune,0.5,1.5,{views.DEFAULT_METRIC},60,{hi}\n", "my-models.csv", "text/csv")
up = st.file_uploader("Your models (CSV)", type=["csv"], key=state.key("upload"))
if up is not None:
    parsed, errors = views.parse_user_csv(up.getvalue(), metrics)
    if errors:
        st.error("The file was not loaded:\n\n" + "\n".join(f"- {ui.md_text(e)}" for e in errors))
    else:
        ui.set_user_models(parsed)
        st.success(f"Loaded {len(parsed)} model(s) for this session.")
mine = ui.user_models()
if len(mine):
    st.dataframe(mine, hide_index=True, width="stretch")
    if st.button("Remove my models", key=state.key("remove_mine")):
        ui.set_user_models(None)
        st.rerun()
