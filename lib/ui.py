"""The only Streamlit-aware helper module: the cached read-only connection, cached loaders keyed on the data
version, shared widgets bound to the URL, charts with their credits and export panel, and empty states.

Pure view helpers (labels, filters, costs, sentences) live in lib/views.py, which has no Streamlit import.
"""
from __future__ import annotations

import copy
import datetime as dt
import functools
import inspect
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Sequence

import duckdb
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitAPIException

from lib import charts, clock, figures, generations, paths, queries, snapshot, store, urlparams, views
from lib.constants import BASIS_LABELS, CONTEXT_OPTIONS, DEFAULT_METRIC, RATIOS  # noqa: F401 - pages read them here
from lib.curate.article import ARTICLE_PAIRS, COMPOSITE_METRIC
from lib.errors import DataError, UsageError
from lib.views import USER_COLUMNS

TTL = 3600.0  # seconds (a number: Streamlit parses a "1h" string again on every cached call)
PAGE_FILES = {
    "frontier": "pages/1_frontier.py", "generations": "pages/2_generations.py", "trends": "pages/3_trends.py",
    "models": "pages/4_models.py", "calculator": "pages/5_calculator.py", "data": "pages/6_data.py",
    "distillation": "pages/7_distillation.py", "outlook": "pages/8_outlook.py",
    "changes": "pages/9_changes.py", "switching": "pages/10_switching.py",
}
USER_MODELS_KEY = "user_models"


# --- Connection ------------------------------------------------------------------------------------------------

@st.cache_resource(max_entries=4, show_spinner="Opening the database…")
def _reader(db_path: str) -> store.LiveReader:
    """One read-only connection per database path and process, following the file when a writer swaps it."""
    return store.LiveReader(Path(db_path))


class Db:
    """What a page needs from the store: a cursor factory and the data version that keys every cache."""

    def __init__(self, reader: store.LiveReader):
        self._reader = reader
        self.version = reader.version
        self.path = str(reader.path)
        self.meta = dict(reader.meta)

    def cursor(self):
        """A context manager: a cursor on the database file in use (not closed under the query)."""
        return self._reader.cursor()


def _leave_legacy_pages_mode() -> None:
    """Streamlit runs a fresh server's first session in its legacy `pages/` mode (no dashboard.py, no st.navigation)
    when that session opens a page URL directly; switch to dashboard.py's navigation and rerun the same page."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # internal module moved: nothing to fix
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def connection() -> Db:
    """The read-only database, reopened when a writer swapped in a new file (one stat per rerun); built from the
    seed only when missing or corrupt. A friendly explanation (and stop) when it cannot be had."""
    _leave_legacy_pages_mode()
    db_path = str(paths.default_db_path())
    try:
        reader = _reader(db_path)
        reader.refresh()
        db = Db(reader)
    except (DataError, UsageError, OSError, duckdb.Error) as exc:  # a code bug is not "data not available"
        _db_problem_page(db_path, exc)
        st.stop()
    if reader.notice:
        st.warning(views.md_text(reader.notice), icon=":material/history:")
    for event in reader.events:
        if st.session_state.get(f"_db_event_{hash(event)}") is None:
            st.session_state[f"_db_event_{hash(event)}"] = True
            st.warning(views.md_text(event), icon=":material/build:")
    return db


def _db_problem_page(db_path: str, exc: Exception) -> None:
    st.title("The data is not available")
    st.error(f"The dashboard could not open its database at {md_text(db_path)}.\n\n**Reason:** {md_text(exc)}")
    st.markdown(
        "The database is built automatically from the committed seed in `data/seed/`. "
        "If this persists, rebuild it from a terminal in the project folder:\n\n"
        "```\npython -m lib build\n```\n\nthen reload this page. Set `FRONTIER_DB` to use a database elsewhere."
    )


# --- Cached loaders (every one takes the data version; `_db` is not hashed) -----------------------------------

def _q(db: Db, fn, *args, **kwargs):
    with db.cursor() as cur:
        return fn(cur, *args, **kwargs)


_AS_IS = (str, bytes, int, float, bool, type(None), dt.date, dt.datetime, pd.Timestamp)


def _fresh(value):
    """A copy of a cached value that the caller may change freely without changing the cache (what st.cache_data
    gives by unpickling): frames and series as shallow copies (pandas' copy-on-write, always on from pandas 3, copies
    what a caller changes; a deep copy of a 4,500-point chart's rows took a few ms), containers rebuilt (a list or
    dict of plain values at once), immutable scalars as they are."""
    if isinstance(value, (pd.DataFrame, pd.Series)):  # copy-on-write (pandas 3): a change copies what it changes
        return value.copy(deep=False)
    if isinstance(value, _AS_IS):
        return value
    if isinstance(value, tuple):
        return value if _plain(value) else tuple(_fresh(v) for v in value)
    if isinstance(value, list):  # a list of texts or numbers (5,000 model ids): copied at once
        return list(value) if _plain(value) else [_fresh(v) for v in value]
    if isinstance(value, dict):
        return dict(value) if _plain(value.values()) else {k: _fresh(v) for k, v in value.items()}
    if isinstance(value, charts.Chart):
        return charts.Chart(_fresh(value.fig), _fresh(value.points), _fresh(value.summary), list(value.sources),
                            _fresh(value.extra))
    if isinstance(value, _FIGURE):  # drawn from the same stored JSON; its own Plotly objects if it is changed
        return figures.figure_from_state(figures.figure_state(value), shared=True)
    return copy.deepcopy(value)


# Bound once: plotly.graph_objects resolves each name lazily, with an import per lookup (~0.1 ms; a list of 250 pair
# rows from a loader looked it up once per row, on every rerun).
_FIGURE = go.Figure


_PLAIN = frozenset((str, int, float, bool, type(None)))


def _plain(values) -> bool:
    """Whether every value is an immutable scalar (a shallow copy is then a fresh copy)."""
    return set(map(type, values)) <= _PLAIN


def loader(max_entries: int, ttl: float = TTL):
    """Cache a loader `fn(_db, version, ...)` (the other arguments hashable) in this process: computed once per data
    version and arguments, kept as it came for `ttl` seconds (least recently used dropped beyond `max_entries`),
    and each call gets a fresh copy. Streamlit's st.cache_data hashes the arguments, inspects the function's
    signature, parses its TTL and unpickles the value on every hit (~1 ms per frame, about ten loaders per page run:
    ~15 % of a rerun's CPU). The data version keys the cache, so a swapped-in database is read anew; an exception
    is not cached."""

    def wrap(fn):
        signature = inspect.signature(fn)
        values: OrderedDict = OrderedDict()
        lock = threading.Lock()

        @functools.wraps(fn)
        def cached(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            _db, *rest = bound.arguments.values()
            key = tuple(rest)
            now = time.monotonic()
            with lock:
                entry = values.get(key)
                if entry is not None and now - entry[1] < ttl:
                    values.move_to_end(key)
                    return _fresh(entry[0])
            value = fn(*args, **kwargs)  # two sessions missing at once both compute it: the same value
            with lock:
                values[key] = (value, now)
                values.move_to_end(key)
                while len(values) > max_entries:
                    values.popitem(last=False)
            return _fresh(value)

        cached.clear = values.clear  # type: ignore[attr-defined]  # as st.cache_data's .clear()
        return cached

    return wrap


@loader(max_entries=8)
def load_metrics(_db: Db, version: str) -> pd.DataFrame:
    return _q(_db, queries.metrics)


@loader(max_entries=8)
def load_models(_db: Db, version: str) -> pd.DataFrame:
    return _q(_db, queries.models)


@loader(max_entries=8)
def load_vendors(_db: Db, version: str) -> tuple[str, ...]:
    """Every vendor with a model, sorted (the vendor filter's choices)."""
    return tuple(sorted(load_models(_db, version)["vendor"].dropna().unique()))


@loader(max_entries=8)
def load_release_span(_db: Db, version: str) -> tuple[dt.date, dt.date] | None:
    """The first and last release date of a model (the release filter's range); None when no model has one."""
    released = pd.to_datetime(load_models(_db, version)["release_date"]).dropna()
    return (released.min().date(), released.max().date()) if len(released) else None


@loader(max_entries=8)
def load_model_choices(_db: Db, version: str) -> tuple[dict, list]:
    """Model names by id and the ids in picker order (vendor, then name): the Models page's pickers, built once per
    data version (over 5,000 models, building them took ~0.1 s of every rerun)."""
    models = _q(_db, queries.models)
    return models.set_index("model_id")["name"].to_dict(), models.sort_values(["vendor", "name"])["model_id"].tolist()


@loader(max_entries=8)
def load_ids_by_name(_db: Db, version: str) -> list[str]:
    """Every model id, sorted by its name (the Generations page's teacher and student pickers), once per version."""
    names, _ = load_model_choices(_db, version)
    return sorted(names, key=lambda i: names.get(i, i))


@loader(max_entries=8)
def load_pair_set_rows(_db: Db, version: str, pair_set: str) -> list[tuple]:
    """A named pair set's (teacher, student, relation, era) rows (lib.views.pair_set_rows on the lineage table),
    once per data version: 250 distilled pairs at 1M intervals were rebuilt on every rerun of the Generations page."""
    return views.pair_set_rows(pair_set, load_lineage(_db, version), ARTICLE_PAIRS)


@loader(max_entries=16)
def load_pairs_of_keys(_db: Db, version: str, keys: tuple[str, ...]) -> tuple[list[tuple], list[str]]:
    """lib.views.parse_pair_keys of the Generations page's pair keys against this version's lineage and models."""
    names, _ = load_model_choices(_db, version)
    return views.parse_pair_keys(list(keys), load_lineage(_db, version), set(names))


@loader(max_entries=8)
def load_sources(_db: Db, version: str) -> pd.DataFrame:
    return _q(_db, queries.sources_summary)


@loader(max_entries=8)
def load_lineage(_db: Db, version: str) -> pd.DataFrame:
    return _q(_db, queries.lineage)


def load_meta(_db: Db, version: str) -> dict:
    """The open file's own meta (build time, data version), read when the reader opened it. Not cached by data
    version: a rebuild from the same seed keeps the version but has a new build time."""
    return dict(_db.meta) if _db.meta else _q(_db, queries.meta)


@loader(max_entries=8)
def load_date_span(_db: Db, version: str) -> tuple:
    lo, hi = _q(_db, queries.date_span)
    today = clock.today()
    if hi is not None and pd.Timestamp(hi).date() > today:  # a scheduled deprecation is not data from the future
        hi = today
    return (pd.Timestamp(lo).date() if lo is not None else today, pd.Timestamp(hi).date() if hi is not None else today)


@loader(max_entries=64)
def load_market(_db: Db, version: str, as_of: dt.date, metric_id: str, basis: str, ratio: str,
                cache_hit_rate: float = 0.0) -> pd.DataFrame:
    return _q(_db, snapshot.market_as_of, as_of, metric_id, basis, ratio, cache_hit_rate)


@loader(max_entries=32)
def load_trend_table(_db: Db, version: str, metric_id: str, price_date: str, basis: str, ratio: str,
                     benchmark: str | None = None, workload: str | None = None) -> pd.DataFrame:
    """Every scored and priced model of the metric (the Trends page's threshold choices)."""
    return _q(_db, charts.trend_table, metric_id=metric_id, price_date=price_date, basis=basis, ratio=ratio,
              benchmark=benchmark, workload=workload)


@loader(max_entries=64)
def load_price_history(_db: Db, version: str, model_id: str) -> pd.DataFrame:
    return _q(_db, queries.price_history, model_id)


@loader(max_entries=64)
def load_price_row_count(_db: Db, version: str, model_id: str) -> int:
    return _q(_db, queries.price_row_count, model_id)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_compare_scores(_db: Db, version: str, model_ids: tuple[str, ...], names: dict) -> pd.DataFrame:
    """The newest score per metric (rows) of up to six models (columns, by name)."""
    scores = pd.concat([_q(_db, queries.scores_for_model, i).assign(model_id=i) for i in model_ids])
    return views.compare_scores(scores, names) if len(scores) else pd.DataFrame()


@loader(max_entries=8)
def load_task_benchmarks(_db: Db, version: str) -> pd.DataFrame:
    return _q(_db, queries.task_benchmarks)


@loader(max_entries=64)
def load_model_costs(_db: Db, version: str, model_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One model's measured costs per task and its per-host prices (for the Models page)."""
    return _q(_db, queries.task_costs_for_model, model_id), _q(_db, queries.host_prices_for_model, model_id)


@loader(max_entries=64)
def load_scores_for_model(_db: Db, version: str, model_id: str) -> pd.DataFrame:
    return _q(_db, queries.scores_for_model, model_id)


@loader(max_entries=64)
def load_lifecycle(_db: Db, version: str, model_id: str) -> pd.DataFrame:
    return _q(_db, queries.lifecycle, model_id)


@loader(max_entries=8)
def load_registry(_db: Db, version: str) -> tuple[dict, pd.DataFrame]:
    """The model registry's counts and the review queue of unknown ids from live ingest."""
    return _q(_db, queries.registry_counts), _q(_db, queries.review_queue)


@loader(max_entries=64)
def load_aliases(_db: Db, version: str, model_id: str) -> pd.DataFrame:
    return _q(_db, queries.aliases, model_id)


@loader(max_entries=64)
def load_alias_moves(_db: Db, version: str, model_id: str) -> pd.DataFrame:
    return _q(_db, queries.alias_moves, model_id)


@loader(max_entries=8)
def load_newest_data_date(_db: Db, version: str, today: dt.date) -> dt.date | None:
    """The newest real data date (snapshot retrieved, price or release), never after `today`."""
    return views.newest_data_date(_q(_db, queries.sources_summary), _q(_db, queries.change_dates), today)


def data_as_of(db: Db) -> dt.date | None:
    """The newest observation in the store (what a chart's "data as of" says; never a scheduled future date)."""
    return load_newest_data_date(db, db.version, clock.today())


@loader(max_entries=16)
def load_best_metric(_db: Db, version: str, as_of: dt.date) -> str:
    """The metric with most priced and scored models at `as_of`: the Frontier page's default."""
    return _q(_db, snapshot.best_covered_metric, as_of)


@loader(max_entries=8)
def load_default_metric(_db: Db, version: str) -> str:
    """The metric every page opens on, the CLI's default too (lib.snapshot.default_metric: the one that scores
    the article's headline pairs)."""
    return _q(_db, snapshot.default_metric)


@loader(max_entries=8)
def load_article_headline(_db: Db, version: str) -> dict:
    """The article's headline (lib.generations on its pairs, metric aa_quality_2024, prices at the student's
    launch) as a sentence and its numbers."""
    rows = _q(_db, charts.article_pair_rows)
    pairs = pd.DataFrame(rows, columns=["teacher_id", "student_id", "relation", "era"])
    try:
        deltas, _ = _q(_db, generations.generations_from_db, COMPOSITE_METRIC, pairs, "student-launch")
    except UsageError:  # the article's models or metric are missing from this database
        return {"text": "", "numbers": {}, "missing": len(pairs)}
    return views.article_headline(deltas, _q(_db, queries.models))


# --- Charts: lib.charts through one cache ----------------------------------------------------------------------

def _hashable(value):
    """Lists and dicts as tuples, so that a chart's parameters key the cache (DataFrames hash as they are)."""
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    return value


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def _chart(_db: Db, version: str, name: str, params: tuple) -> charts.Chart:
    return _q(_db, CHART_FUNCTIONS[name], **dict(params))


CHART_FUNCTIONS = {**charts.CHARTS, "successor-chains": charts.successor_chains,
                   "frontier-price-levels": charts.frontier_price_levels, "host-prices": charts.host_prices}


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def _calculator_market(_db: Db, version: str, params: tuple) -> pd.DataFrame:
    return _q(_db, charts.calculator_market, **dict(params))


def chart_market(db: Db, **params) -> pd.DataFrame:
    """lib.charts.calculator_market (the models the Calculator weighs), cached like the charts."""
    return _calculator_market(db, db.version, tuple(sorted((k, _hashable(v)) for k, v in params.items())))


@loader(max_entries=32)  # kept unpickled: ~4.8 MB for a 1M-interval Frontier chart (2.75 MB pickled; was 64 pickles)
def _chart_in_memory(_db: Db, version: str, name: str, params: tuple) -> charts.Chart:
    return _q(_db, CHART_FUNCTIONS[name], **dict(params))


def chart_view(db: Db, name: str, **params) -> charts.Chart:
    """The lib.charts function `name` on this database with these parameters, built once per data version and
    parameters (a rerun that changes nothing only copies it from the cache). `user` (the session's uploads) is
    part of the key, so one session's models never show in another's chart: with uploads (a frame) the chart goes
    through st.cache_data, which hashes the frame's content."""
    key = tuple(sorted((k, _hashable(v)) for k, v in params.items()))
    try:
        hash(key)
    except TypeError:
        return _chart(db, db.version, name, key)
    return _chart_in_memory(db, db.version, name, key)


# --- Theme and charts ------------------------------------------------------------------------------------------

def theme() -> str:
    try:
        t = st.context.theme.type
    except (AttributeError, RuntimeError):  # outside a browser session (AppTest)
        t = None
    return t if t in ("light", "dark") else "light"


def chart(fig, points: pd.DataFrame | None, name: str, *, sources: pd.DataFrame | None = None, key: str | None = None,
          on_select: str = "ignore", lazy_export: bool = False):
    """Draw a figure, credit the sources it uses under it, and add the export panel. Returns the selection.

    The toolbar's camera button saves the chart at slide size (16:9), drawn by the browser. `lazy_export` builds
    the export panel's widgets only once it is opened (the pages use it: the first chart paints sooner).
    """
    from lib import export, export_panel, share_panel

    target = share_panel.embed_target()
    if target is not None:  # the chart-only view of an embed: this chart alone, or nothing
        if target == name:
            meta = figures.figure_meta(fig)
            share_panel.chart_only(fig, name, views.credit_text(meta.get("sources", []), sources,
                                                                meta.get("data_as_of", "")), key=key)
        return None
    event = st.plotly_chart(_as_drawn(fig), key=key, on_select=on_select, selection_mode="points", theme=None,
                            config={**export.toolbar_config("16:9", "png", name), "scrollZoom": False})
    sources_credit(fig, sources)
    export_panel.export_panel(fig, points, name, sources=sources, lazy=lazy_export)
    return event


class _SpecDict(dict):
    """What `_JsonFigure.to_dict()` gives `st.plotly_chart`: the layout's size (Streamlit reads it) and, for
    `plotly.io.to_json` (orjson engine: it asks an object for `to_plotly_json()` first), the JSON as built."""

    def __init__(self, spec: str, layout: dict):
        super().__init__(data=[], layout=layout)
        self._spec = spec

    def to_plotly_json(self):
        import orjson

        return orjson.Fragment(self._spec)  # written as it is: the same JSON, not serialised again


def _as_drawn(fig):
    """The figure for `st.plotly_chart`: one read back from the chart cache goes as the JSON it carries
    (`figures.drawn_spec`; Streamlit would copy and serialise the whole figure again on every rerun, ~0.3 s at 1M
    intervals); any other figure, or without orjson's fragments as Plotly's JSON engine, as it is."""
    import plotly.io as pio

    spec = figures.drawn_spec(fig)
    if spec is None or pio.json.config.default_engine not in ("auto", "orjson"):
        return fig
    try:
        import orjson

        orjson.Fragment  # noqa: B018 - orjson >= 3.9
    except (ImportError, AttributeError):
        return fig
    layout = figures.layout_props(fig)
    return _JsonFigure(spec, {k: layout[k] for k in ("width", "height") if k in layout})


class _JsonFigure(go.Figure):
    """A figure whose `to_dict()` is the JSON of the figure it stands for (see `_as_drawn`). Streamlit reads only
    that (plotly.tools.return_figure_from_figure_or_data), so no Plotly object is built (~1 ms a rerun)."""

    def __init__(self, spec: str, layout: dict):  # not go.Figure.__init__, on purpose
        self.__dict__["_drawn"] = _SpecDict(spec, layout)

    def to_dict(self):
        return self._drawn


def sources_credit(fig, sources: pd.DataFrame | None = None) -> None:
    meta = figures.figure_meta(fig) if fig is not None else {}
    st.caption(views.credit_text(meta.get("sources", []), sources, meta.get("data_as_of", ""),
                                 meta.get("market_as_of", "")))


PAGE_ERROR_MESSAGE = "Something went wrong on this page."


def page_error(title: str, exc: BaseException) -> None:
    """The error boundary's page: a short message and a way back, never a traceback (that goes to the log)."""
    import logging

    logging.getLogger("frontier.dashboard").error("page %r failed", title, exc_info=exc)
    st.error(f"**{PAGE_ERROR_MESSAGE}** The error was logged on the server. Resetting the page's filters "
             "usually helps.", icon=":material/error:")
    if st.button("Reset this page's filters", key="_page_error_reset", icon=":material/restart_alt:"):
        page = st.session_state.get(_PAGE)
        for k in [k for k in st.session_state if page and str(k).startswith(f"{page}.")]:
            del st.session_state[k]
        st.session_state.pop(_URL_SEEN, None)
        st.session_state.pop(_URL_WRITTEN, None)
        st.session_state.get(_KEPT, {}).pop(page, None)
        st.query_params.clear()
        st.rerun()


def empty_state(message: str, hint: str = "Widen the filters in the sidebar, or reset them.") -> None:
    st.info(f"**{message}** {hint}", icon=":material/filter_alt_off:")


md_text = views.md_text  # the one escaping function (lib/views.py), re-exported for the pages

# Table headers in words for the store's column names (what a page's st.dataframe shows over a query's columns).
COLUMN_LABELS = {
    "model_id": "Model id", "name": "Name", "vendor": "Vendor", "release_date": "Released",
    "open_weights": "Open weights", "context_window": "Context window", "metric_name": "Metric",
    "metric_version": "Metric version", "variant": "Variant", "unit": "Unit", "benchmark_id": "Benchmark",
    "observed_date": "Observed", "provider": "Host", "input_usd_per_mtok": "Input $/M tokens",
    "output_usd_per_mtok": "Output $/M tokens", "cache_read_usd_per_mtok": "Cached input $/M tokens",
    "source_id": "Source", "snapshot_id": "Snapshot", "source_ref": "Reference", "date": "Date", "event": "Event",
    "date_kind": "Date kind", "scope": "Scope", "note": "Note", "external_id": "Id at the source",
    "parent_name": "From", "child_name": "To", "relation": "Relation", "era": "Era", "evidence": "Evidence",
    "evidence_url": "Evidence link", "valid_from": "From", "valid_to": "To", "tasks": "Tasks", "score": "Score",
    "effective_from": "From", "effective_to": "To (exclusive)", "first_party": "Vendor's own", "tier": "Tier",
    "min_prompt_tokens": "Prompts from (tokens)", "source_priority": "Source rank",
}


def column_labels(df: pd.DataFrame, **config) -> dict:
    """`column_config` for `st.dataframe(df)`: each known column (and a named index) headed in words, dates as
    dates, links as links; `config` (a label or a column type per column) overrides."""
    out: dict = {}
    for c in df.columns:
        label = COLUMN_LABELS.get(c)
        if label is None:
            continue
        if c.endswith("_date") or c in ("date", "valid_from", "valid_to", "effective_from", "effective_to"):
            out[c] = st.column_config.DateColumn(label)
        elif c.endswith("_url"):
            out[c] = st.column_config.LinkColumn(label)
        elif c == "source_ref":
            out[c] = st.column_config.TextColumn(label)
        else:
            out[c] = label
    if df.index.name in COLUMN_LABELS:
        out["_index"] = COLUMN_LABELS[df.index.name]
    out.update(config)
    return out


def link_to_model(model_id: str, label: str | None = None) -> None:
    """A link to the Models page showing this model (works under st.navigation; plain link otherwise)."""
    link_to_page("models", md_text(label) if label else f"Open {md_text(model_id)} on the Models page",
                 {"model": model_id})


def link_to_page(page: str, label: str, query_params: dict | None = None) -> None:
    """A link to another page of the dashboard with its query parameters (plain link outside st.navigation)."""
    try:
        st.page_link(PAGE_FILES[page], label=label, icon=":material/open_in_new:", query_params=query_params or {})
    except StreamlitAPIException:  # page not registered (single-page runs, AppTest)
        from urllib.parse import urlencode

        qs = f"?{urlencode(query_params)}" if query_params else ""
        st.markdown(f"[{label}]({page}{qs})")


def headline_callout(headline: dict) -> None:
    """The article's headline, computed from the data, with a link to the Generations page that shows its pairs."""
    if not headline.get("text"):
        return
    with st.container(border=True):
        st.markdown(":material/campaign: **The article's headline, from this data:** " + md_text(headline["text"]))
        link_to_page("generations", "Every pair, era by era, on the Generations page")


# --- Page state: widget keys namespaced per page, URL parameters parsed by type --------------------------------

_URL_SEEN = "_url_seen"
_URL_WRITTEN = "_url_written"  # widget key -> the URL values this session's pages wrote for it (the last 64)
_PAGE = "_page_state"
_KEPT = "_kept_views"  # page -> the URL parameters its widgets last wrote (the view to come back to)


class PageState:
    """One page's widgets. Session keys are namespaced by the page ("frontier.as_of"), so two pages never share
    a widget's state (Streamlit keeps session state across pages; a date on one page and a string on another
    crashed the second). URL parameters keep their short names (?as_of=2024-06-01), are read by one typed
    parser per kind (lib/urlparams) and written back when a widget moves off its default. The parameters a page
    last wrote are also kept in the session: coming back to the page through the sidebar (which drops the URL's
    parameters, and Streamlit the state of widgets the pages in between did not draw) shows the view it was left
    in, read back through the same parsers (`page_state`)."""

    def __init__(self, page: str):
        self.page = page
        self.ignored: list[str] = []

    def key(self, name: str) -> str:
        return f"{self.page}.{name}" if self.page else name

    def initial(self, name: str, parse, default, *, multi: bool = False):
        """The value the URL asks for (parsed), else `default`. A URL value this session has not seen yet (a
        fresh link) replaces the widget's state; one the page wrote itself leaves the state alone."""
        raw = _url_raw(name, multi)
        if raw is None:
            return default
        seen = st.session_state.setdefault(_URL_SEEN, {})
        k = self.key(name)
        fresh = _is_link(k, raw)
        value = parse(raw)
        if value is None:
            if fresh:
                shown = ", ".join(raw) if isinstance(raw, list) else raw
                self.ignored.append(f"{name}={shown[:40]}")
            return default
        if fresh:
            _remember(k, raw)
            seen[k] = raw
            st.session_state.pop(k, None)  # the link wins over what this session had on the page
        return value

    def write(self, name: str, value, default, fmt=str) -> None:
        """Put the widget's value in the URL (removed when it is the default), so the URL reproduces the view."""
        seen = st.session_state.setdefault(_URL_SEEN, {})
        k = self.key(name)
        multi = isinstance(value, (list, tuple))
        if value is None or _same(value, default) or (multi and not len(value)):
            if name in st.query_params:
                del st.query_params[name]
            seen[k] = None
            self._forget(name)
            return
        text = [fmt(v) for v in value] if multi else fmt(value)
        _remember(k, text)  # before the URL: a rerun asked for meanwhile can stop this run at that call
        if _url_raw(name, multi) != text:
            st.query_params[name] = text
        seen[k] = text
        if self.page:
            st.session_state.setdefault(_KEPT, {}).setdefault(self.page, {})[name] = text

    def _forget(self, name: str) -> None:
        """The widget is back at its default: nothing of it to bring back to the URL."""
        if self.page:
            st.session_state.get(_KEPT, {}).get(self.page, {}).pop(name, None)

    def follows(self, value, *names: str) -> None:
        """Widgets whose defaults come from another control (score levels on a metric's scale): when that control
        changes, they go back to their new defaults and leave the URL, unless a link this session has not seen yet
        sets them. Without this a text box keeps "65, 74" from a percentage metric after a switch to an Elo one."""
        k = self.key("follows." + ".".join(names))
        prev, st.session_state[k] = st.session_state.get(k), value
        if prev is None or prev == value:
            return
        seen = st.session_state.setdefault(_URL_SEEN, {})
        for name in names:
            raw = _url_raw(name, False)
            if raw is not None and _is_link(self.key(name), raw):
                continue  # a fresh link sets it
            st.session_state.pop(self.key(name), None)
            if name in st.query_params:
                del st.query_params[name]
            seen[self.key(name)] = None
            self._forget(name)

    def report(self) -> None:
        """One line naming URL parameters that were not valid here (the page used its default instead)."""
        if self.ignored:
            st.caption(f":material/link_off: Ignored in the link: {md_text('; '.join(self.ignored))} "
                       "(not a valid value here; the default is shown).")


def _is_link(k: str, raw) -> bool:
    """Whether the URL's value for widget `k` comes from a link: one this session has neither seen last nor written.
    A value a page wrote earlier is the browser's URL lagging behind the page's newest write (a rerun asked for
    before that write reached the browser: quick slider keys on a busy server); taking it for a link would move the
    widget back to it."""
    if st.session_state.get(_URL_SEEN, {}).get(k) == raw:
        return False
    return _hashable(raw) not in st.session_state.get(_URL_WRITTEN, {}).get(k, ())


def _remember(k: str, text) -> None:
    written = st.session_state.setdefault(_URL_WRITTEN, {}).setdefault(k, [])
    h = _hashable(text)
    if h in written:
        written.remove(h)
    written.append(h)
    del written[:-64]


def _hashable(raw):
    return tuple(raw) if isinstance(raw, list) else raw


def _same(a, b) -> bool:
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return list(a or []) == list(b or [])
    return a == b


def _url_raw(name: str, multi: bool):
    if name not in st.query_params:
        return None
    return list(st.query_params.get_all(name)) if multi else st.query_params.get(name)


def page_state(page: str) -> PageState:
    """The page's state helper; shared widgets below use the page's namespace.

    Arriving on the page from another one with a bare URL (the sidebar, a page link): the URL parameters the page
    last wrote in this session come back, so its widgets start where the user left them (each value parsed and
    checked again: a month the data no longer has falls back to the default). A link with parameters of its own
    sets the view instead."""
    state = PageState(page)
    arriving = st.session_state.get(_PAGE) != page
    st.session_state[_PAGE] = page
    if arriving and page and not len(st.query_params):
        for name, text in st.session_state.get(_KEPT, {}).get(page, {}).items():
            st.query_params[name] = text
    return state


def _state(state: PageState | None) -> PageState:
    """A page without its own PageState passes keys that are unique already (e.g. "distill_metric")."""
    return state or PageState("")


# --- Shared widgets (each with its page's key and its URL parameter) ------------------------------------------

def metric_picker(metrics: pd.DataFrame, *, key: str = "metric", default: str = DEFAULT_METRIC,
                  container=None, state: PageState | None = None) -> dict:
    """Metric selectbox (metrics with scores first) shown by display name, with its unit and a one-line
    definition under it; the URL carries the metric id."""
    c = container or st.sidebar
    ps = _state(state)
    recs = views.records(metrics)  # plain dicts, not a .loc per metric (nor a pandas sort) on every rerun
    if "models" in metrics:  # most models first (none counted: last), then by id
        recs.sort(key=lambda r: (-r["models"] if pd.notna(r["models"]) else float("inf"), r["metric_id"]))
    ids = [r["metric_id"] for r in recs]
    if not ids:
        return {}
    rows = {r["metric_id"]: r for r in recs}
    default = default if default in ids else ids[0]
    names = {i: views.metric_display_name(rows[i]) for i in ids}
    value = ps.initial(key, lambda raw: urlparams.parse_choice(raw, ids, names), default)
    metric_id = c.selectbox("Quality metric", ids, index=ids.index(value), key=ps.key(key),
                            format_func=lambda i: names.get(i, i),
                            help="Its unit and definition are shown below; the link carries its id.")
    ps.write(key, metric_id, default)
    row = dict(rows[metric_id])
    n = f" · {int(row['models'])} models" if "models" in row and pd.notna(row["models"]) else ""
    c.caption(f"**{md_text(row.get('name', metric_id))}**{n} · `{metric_id}` · " + views.metric_caption(row))
    return row


def price_basis_control(*, key_prefix: str = "", container=None, with_cache: bool = False,
                        state: PageState | None = None) -> tuple[str, str, float]:
    """Price basis (blended with an input:output ratio, input, output). Returns (basis, ratio, cache_hit_rate)."""
    c = container or st.sidebar
    ps = _state(state)
    bk, rk, ck = f"{key_prefix}basis", f"{key_prefix}ratio", f"{key_prefix}cache"
    basis = ps.initial(bk, lambda raw: urlparams.parse_choice(raw, list(BASIS_LABELS), BASIS_LABELS), "blended")
    basis = c.segmented_control("Price basis", list(BASIS_LABELS), default=basis, required=True,
                                format_func=BASIS_LABELS.get, key=ps.key(bk)) or "blended"
    ps.write(bk, basis, "blended", BASIS_LABELS.get)
    ratio = "3:1"
    if basis == "blended":
        value = ps.initial(rk, lambda raw: urlparams.parse_choice(raw, RATIOS), "3:1")
        ratio = c.selectbox("Input:output token ratio", RATIOS, index=RATIOS.index(value), key=ps.key(rk),
                            help="3:1 is Artificial Analysis's blend: (3 × input + output) / 4")
        ps.write(rk, ratio, "3:1")
    rate = 0.0
    if with_cache:
        value = ps.initial(ck, lambda raw: urlparams.parse_number(raw, 0.0, 1.0), 0.0)
        rate = c.slider("Cache-hit rate on input", 0.0, 1.0, float(value), 0.05, key=ps.key(ck))
        ps.write(ck, rate, 0.0, urlparams.format_number)
    return basis, ratio, float(rate)


COST_BASIS_LABELS = {**BASIS_LABELS, "per-task": "Per task", "workload": "Workload"}
HOST_LABELS = {"vendor": "Vendor's own", "cheapest-host": "Cheapest host", "median-host": "Median host"}


def cost_basis_control(benchmarks: pd.DataFrame, *, state: PageState | None = None, container=None,
                       with_hosts: bool = True, labels: dict[str, str] | None = None) -> dict:
    """Price basis with the cost bases: per token (blended with a ratio, input, output), per task (measured on a
    benchmark) or per task of a workload (preset or edited, all in the URL); plus (`with_hosts`) the host price
    choice and a minimum measured speed. Returns basis, ratio, host, benchmark, workload (JSON), min_speed."""
    from lib import costs

    c = container or st.sidebar
    ps = _state(state)
    names = labels or COST_BASIS_LABELS  # `labels`: the bases offered, in order, with their names
    basis = ps.initial("basis", lambda raw: urlparams.parse_choice(raw, list(names), names), "blended")
    basis = c.segmented_control("Price basis", list(names), default=basis, required=True,
                                format_func=names.get, key=ps.key("basis"),
                                help="Per token (list prices), per task (measured cost of a benchmark's task; "
                                     "unmeasured models are left out), or per task of your workload") or "blended"
    ps.write("basis", basis, "blended", names.get)
    out = dict(basis=basis, ratio="3:1", host="vendor", benchmark=None, workload=None, min_speed=None)
    if basis == "blended" and labels is None:
        value = ps.initial("ratio", lambda raw: urlparams.parse_choice(raw, RATIOS), "3:1")
        out["ratio"] = c.selectbox("Input:output token ratio", RATIOS, index=RATIOS.index(value), key=ps.key("ratio"),
                                   help="3:1 is Artificial Analysis's blend: (3 × input + output) / 4")
        ps.write("ratio", out["ratio"], "3:1")
    elif basis == "per-task":
        ids = list(benchmarks["benchmark_id"]) or [costs.DEFAULT_BENCHMARK]
        default = costs.DEFAULT_BENCHMARK if costs.DEFAULT_BENCHMARK in ids else ids[0]
        names = dict(zip(benchmarks["benchmark_id"], benchmarks["name"]))
        value = ps.initial("bench", lambda raw: urlparams.parse_choice(raw, ids, names), default)
        out["benchmark"] = c.selectbox("Measured on", ids, index=ids.index(value), key=ps.key("bench"),
                                       format_func=lambda b: names.get(b, b))
        ps.write("bench", out["benchmark"], default)
    elif basis == "workload":
        presets = list(costs.PRESETS)
        preset = ps.initial("wl", lambda raw: urlparams.parse_choice(raw, presets), presets[0])
        preset = c.selectbox("Workload", presets, index=presets.index(preset), key=ps.key("wl"),
                             help="Illustrative profiles (assumptions, edit them): tokens per task") or presets[0]
        ps.write("wl", preset, presets[0])
        p = costs.PRESETS[preset]
        with c.container(border=True):
            def number(name, label, default, lo, hi, step, widget="number"):
                v = ps.initial(name, lambda raw: urlparams.parse_number(raw, lo, hi), default)
                if widget == "slider":
                    got = st.slider(label, float(lo), float(hi), float(v), float(step), key=ps.key(name))
                else:
                    got = st.number_input(label, min_value=lo, max_value=hi, value=type(lo)(v), step=step,
                                          key=ps.key(name))
                ps.write(name, got, default, urlparams.format_number)
                return got

            w = dict(input_tokens=number("wl_in", "Input tokens per task", int(p.input_tokens), 0, 10_000_000, 500),
                     cached_input_share=number("wl_cache", "Share of input from the prompt cache",
                                               float(p.cached_input_share), 0.0, 1.0, 0.05, "slider"),
                     output_tokens=number("wl_out", "Output tokens per task", int(p.output_tokens), 0, 10_000_000,
                                          100),
                     reasoning_multiplier=number("wl_mult", "Reasoning multiplier (models that reason)",
                                                 float(p.reasoning_multiplier), 1.0, 50.0, 0.5))
            v = ps.initial("wl_batch", urlparams.parse_bool, p.batch)
            w["batch"] = st.toggle("Batch API", value=v, key=ps.key("wl_batch"),
                                   help="The vendor's announced batch discount; vendors without one are left out")
            ps.write("wl_batch", w["batch"], p.batch, urlparams.format_bool)
        out["workload"] = costs.workload_from_dict(w, preset).to_json(with_name=True)
    if not with_hosts:
        return out
    hosts = list(HOST_LABELS)
    value = ps.initial("host", lambda raw: urlparams.parse_choice(raw, hosts, HOST_LABELS), "vendor")
    out["host"] = c.selectbox("Price where several hosts sell a model", hosts, index=hosts.index(value),
                              format_func=HOST_LABELS.get, key=ps.key("host"),
                              help="Hosts as Artificial Analysis observed them; models without host observations "
                                   "keep their headline price")
    ps.write("host", out["host"], "vendor", HOST_LABELS.get)
    value = ps.initial("speed", lambda raw: urlparams.parse_number(raw, 0, 5_000), 0)
    speed = c.number_input("Output speed at least (tokens/s, measured)", min_value=0, max_value=5_000,
                           value=int(value), step=10, key=ps.key("speed"),
                           help="0 = any; a positive value keeps only models with a measurement")
    ps.write("speed", speed, 0, urlparams.format_number)
    out["min_speed"] = float(speed) if speed else None
    return out


def vendor_filter(vendors: Sequence[str], *, key: str = "vendors", container=None,
                  state: PageState | None = None) -> list[str]:
    c = container or st.sidebar
    ps = _state(state)
    options = list(vendors)
    value = ps.initial(key, lambda raw: urlparams.parse_list(raw, options), [], multi=True)
    chosen = c.multiselect("Vendors", options, default=value, key=ps.key(key), placeholder="All vendors",
                           format_func=views.vendor_display_name)
    ps.write(key, chosen, [])
    return chosen


def reviewed_filter(*, key: str = "reviewed", container=None, state: PageState | None = None) -> bool:
    """"Only reviewed models" (default off): models a hand-maintained price list carries, or checked here."""
    c = container or st.sidebar
    ps = _state(state)
    value = ps.initial(key, urlparams.parse_bool, False)
    on = bool(c.toggle("Only reviewed models", value=value, key=ps.key(key),
                       help="'Reviewed' models are on a hand-maintained price list (Epoch AI's archived records, "
                            "llm-prices, genai-prices) or were checked by hand for the article; the others come "
                            "only from automated listings (OpenRouter, LiteLLM) or leaderboards."))
    ps.write(key, on, False, urlparams.format_bool)
    return on


def user_models() -> pd.DataFrame:
    """Models the user uploaded in this session (never written to the database)."""
    df = st.session_state.get(USER_MODELS_KEY)
    return df if isinstance(df, pd.DataFrame) else pd.DataFrame(columns=USER_COLUMNS)


def user_models_or_none() -> pd.DataFrame | None:
    """The session's uploaded models, or None when there are none (then every session shares the cached chart)."""
    df = st.session_state.get(USER_MODELS_KEY)  # not user_models(): no empty frame built on every rerun
    return df if isinstance(df, pd.DataFrame) and len(df) else None


def set_user_models(df: pd.DataFrame | None) -> None:
    st.session_state[USER_MODELS_KEY] = df


def model_picker(label: str, ids: list[str], names: dict, value, *, state: PageState, key: str,
                 multi: bool = False, max_selections: int | None = None, placeholder: str | None = None,
                 container=None):
    """A selectbox (or multiselect) of models that ships at most `views.PICKER_LIMIT` options however many models
    the store has: a search box above it (name or id, every word) narrows the list; the current choice always
    stays an option, so a link to any model works. With few models, the plain widget. `container`: a column or
    popover to draw in (default: the page)."""
    c = container or st

    def fmt(i):
        return f"{names.get(i, i)} ({i})"

    options, matches = ids, len(ids)
    if len(ids) > views.PICKER_LIMIT:
        current = st.session_state.get(state.key(key), value)
        keep = list(current or []) if multi else [current]
        query = c.text_input(f"Search {label[:1].lower()}{label[1:]}", key=state.key(f"{key}_search"),
                             placeholder=f"Name or id: {len(ids):,} models")
        options, matches = views.picker_options(ids, names, query, keep)
        if matches > views.PICKER_LIMIT:
            c.caption(f"{matches:,} models match; the first {views.PICKER_LIMIT} are listed: type to narrow.")
    if multi:
        return c.multiselect(label, options, default=[v for v in value if v in options], key=state.key(key),
                             max_selections=max_selections, format_func=fmt, placeholder=placeholder)
    return c.selectbox(label, options, index=options.index(value) if value in options else None,
                       key=state.key(key), format_func=fmt, placeholder=placeholder)
