"""Frontier changes: which models entered or left the price–quality frontier of a metric, price changes of
frontier models and new models that beat a frontier point, newest first, each linking to the Frontier view.
The same events are published as an Atom feed and a JSON file by `python -m lib feed --out DIR`."""
import streamlit as st

from lib import feed, ui, urlparams, views

db = ui.connection()
metrics = ui.load_metrics(db, db.version)
models = ui.load_models(db, db.version)
lo, hi = ui.load_date_span(db, db.version)


@st.cache_data(ttl=ui.TTL, max_entries=16, show_spinner="Replaying every change date…")
def load_changes(_db, version: str, metric_id: str):
    with _db.cursor() as cur:
        return feed.changes_from_db(cur, metric_id)


st.title("What changed on the frontier")

state = ui.page_state("changes")
KIND_LABELS = {"entered": "entered the frontier", "left": "left the frontier",
               "price": "price change of a frontier model", "beaten": "new model beats a frontier point"}
with st.sidebar:
    st.header("Options")
    metric = ui.metric_picker(metrics, default=ui.load_default_metric(db, db.version), state=state)
    value = state.initial("kinds", lambda raw: urlparams.parse_list(raw, list(feed.KINDS)), list(feed.KINDS),
                          multi=True)
    kinds = st.multiselect("Changes", list(feed.KINDS), default=value, key=state.key("kinds"),
                           format_func=KIND_LABELS.get)
    state.write("kinds", kinds, list(feed.KINDS))
state.report()

if not metric:
    ui.empty_state("The database has no quality metrics.", "")
    st.stop()

events = load_changes(db, db.version, metric["metric_id"])
shown = events.loc[events["kind"].isin(kinds)]
if shown.empty:
    ui.empty_state(f"No frontier change on {views.metric_short(metric)} of the chosen kinds.",
                   "Choose more kinds of change or another metric.")
    st.stop()

counts = shown["kind"].value_counts()
cols = st.columns(len(feed.KINDS))
for col, k in zip(cols, feed.KINDS):
    col.metric(k.capitalize(), int(counts.get(k, 0)))
names = models.set_index("model_id")["name"].to_dict()
st.dataframe(feed.display_rows(shown, names, hi=hi), hide_index=True, width="stretch",
             column_config={"view": st.column_config.LinkColumn("Frontier view", display_text="open")})
st.caption("Between two consecutive dates on which a price started, a model was released or one was withdrawn; "
           "the frontier at each date is the Frontier page's (every priced and scored model). Subscribe: "
           "`python -m lib feed --out DIR` writes `frontier-changes.atom` and `frontier-changes.json` for a host "
           "to serve.")
