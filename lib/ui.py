"""The only Streamlit-aware helper module: the cached read-only connection, cached loaders keyed on the data
version, shared widgets bound to the URL, charts with their credits and export panel, and empty states.

Pure view helpers (labels, filters, costs, sentences) live in lib/views.py, which has no Streamlit import.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import streamlit as st

from lib import paths, queries, store, urlparams, views
from lib.errors import DataError, UsageError
from lib.views import BASIS_LABELS, DEFAULT_METRIC, USER_COLUMNS

TTL = "1h"
RATIOS = ["3:1", "1:1", "2:1", "4:1", "10:1", "1:3"]
CONTEXT_OPTIONS = [0, 8_000, 32_000, 128_000, 200_000, 1_000_000]
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
    """Streamlit runs a fresh server's first session in its legacy `pages/` mode (no app.py, no st.navigation)
    when that session opens a page URL directly; switch to app.py's navigation and rerun the same page."""
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
    except Exception as exc:  # noqa: BLE001 - any failure gets the same page
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


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_metrics(_db: Db, version: str) -> pd.DataFrame:
    return _q(_db, queries.metrics)


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_models(_db: Db, version: str) -> pd.DataFrame:
    return _q(_db, queries.models)


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_sources(_db: Db, version: str) -> pd.DataFrame:
    return _q(_db, queries.sources_summary)


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_lineage(_db: Db, version: str) -> pd.DataFrame:
    return _q(_db, queries.lineage)


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_meta(_db: Db, version: str) -> dict:
    return dict(_db.meta) if _db.meta else _q(_db, queries.meta)


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_date_span(_db: Db, version: str) -> tuple:
    lo, hi = _q(_db, queries.date_span)
    today = dt.date.today()
    if hi is not None and pd.Timestamp(hi).date() > today:  # a scheduled deprecation is not data from the future
        hi = today
    return (pd.Timestamp(lo).date() if lo is not None else today, pd.Timestamp(hi).date() if hi is not None else today)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_market(_db: Db, version: str, as_of: dt.date, metric_id: str, basis: str, ratio: str,
                cache_hit_rate: float = 0.0) -> pd.DataFrame:
    from lib import snapshot

    return _q(_db, snapshot.market_as_of, as_of, metric_id, basis, ratio, cache_hit_rate)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner="Replaying the market month by month…")
def load_market_series(_db: Db, version: str, dates: tuple, metric_id: str, basis: str, ratio: str) -> pd.DataFrame:
    """The market on every date of a replay, read in one SQL statement (lib.snapshot.markets_as_of)."""
    from lib import snapshot

    if not dates:
        return pd.DataFrame()
    return _q(_db, snapshot.markets_as_of, dates, metric_id, basis, ratio)


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def load_generations(_db: Db, version: str, metric_id: str, pairs: tuple, price_date: str, basis: str,
                     ratio: str) -> tuple:
    from lib import generations

    pairs_df = pd.DataFrame(list(pairs), columns=["teacher_id", "student_id", "relation", "era"])
    return _q(_db, generations.generations_from_db, metric_id, pairs_df, price_date, basis, ratio)


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def load_trend_table(_db: Db, version: str, metric_id: str, price_date: str, basis: str, ratio: str) -> pd.DataFrame:
    from lib import trends

    return _q(_db, trends.trend_table_from_db, metric_id, price_date, basis, ratio)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_price_history(_db: Db, version: str, model_id: str) -> pd.DataFrame:
    return _q(_db, queries.price_history, model_id)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_headline_history(_db: Db, version: str, model_id: str) -> pd.DataFrame:
    from lib import snapshot

    return _q(_db, snapshot.headline_price_history, model_id)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_comparison(_db: Db, version: str, model_ids: tuple[str, ...], names: dict, data_as_of, theme: str):
    """Price histories (one figure) and the newest score per metric of up to six models, cached per choice."""
    from lib import figures, snapshot

    hist = pd.concat([_q(_db, snapshot.headline_price_history, i) for i in model_ids], ignore_index=True)
    fig = figures.price_history_figure(hist, names=names, title="Price per million tokens (input solid, output dashed)",
                                       sources=set(hist["source_id"].dropna()), data_as_of=data_as_of, theme=theme)
    scores = pd.concat([_q(_db, queries.scores_for_model, i).assign(model_id=i) for i in model_ids])
    return hist, fig, (views.compare_scores(scores, names) if len(scores) else pd.DataFrame())


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_scores_for_model(_db: Db, version: str, model_id: str) -> pd.DataFrame:
    return _q(_db, queries.scores_for_model, model_id)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_aliases(_db: Db, version: str, model_id: str) -> pd.DataFrame:
    return _q(_db, queries.aliases, model_id)


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_newest_data_date(_db: Db, version: str, today: dt.date) -> dt.date | None:
    """The newest real data date (snapshot retrieved, price or release), never after `today`."""
    return views.newest_data_date(_q(_db, queries.sources_summary), _q(_db, queries.change_dates), today)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_best_metric(_db: Db, version: str, as_of: dt.date) -> str:
    """The metric with most priced and scored models at `as_of`: the Frontier page's default."""
    from lib import snapshot

    return _q(_db, snapshot.best_covered_metric, as_of)


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_article_headline(_db: Db, version: str) -> dict:
    """The article's headline (lib.generations on its pairs, metric aa_quality_2024, prices at the student's
    launch) as a sentence and its numbers."""
    from lib import generations
    from lib.curate.article import ARTICLE_PAIRS, COMPOSITE_METRIC

    rows = views.pair_set_rows("article", _q(_db, queries.lineage), ARTICLE_PAIRS)
    pairs = pd.DataFrame(rows, columns=["teacher_id", "student_id", "relation", "era"])
    try:
        deltas, _ = _q(_db, generations.generations_from_db, COMPOSITE_METRIC, pairs, "student-launch")
    except UsageError:  # the article's models or metric are missing from this database
        return {"text": "", "numbers": {}, "missing": len(pairs)}
    return views.article_headline(deltas, _q(_db, queries.models))


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def load_generations_view(_db: Db, version: str, metric_id: str, pairs: tuple, price_date: str, basis: str,
                          ratio: str, titles: tuple, labels: tuple, scale: str, as_of: str, theme_name: str) -> dict:
    """Deltas (with names), era summary, the sources used and both Generations figures, built once per data
    version and parameters: a rerun that changes nothing else only reads this cache."""
    from lib import figures

    deltas, summary = load_generations(_db, version, metric_id, pairs, price_date, basis, ratio)
    deltas = views.with_pair_names(deltas, load_models(_db, version))
    used = load_pair_sources(_db, version, metric_id, _pair_price_requests(deltas))
    m_label, p_label, short = labels
    fig = figures.generations_figure(deltas, metric_label=m_label, price_label=p_label, title=titles[0],
                                     sources=used, data_as_of=as_of, theme=theme_name)
    fig2 = figures.generation_drops_figure(deltas, scale=scale, metric_label=short, title=titles[1], sources=used,
                                           data_as_of=as_of, theme=theme_name)
    return {"deltas": deltas, "summary": summary, "fig": fig, "fig_drops": fig2, "sources": used}


def _pair_price_requests(deltas: pd.DataFrame) -> tuple:
    """(model_id, price date) for both ends of every pair drawn."""
    ok = deltas.dropna(subset=["teacher_price", "student_price", "teacher_quality", "student_quality"])
    reqs = set()
    for role in ("teacher", "student"):
        if f"{role}_price_date" in ok:
            reqs |= set(zip(ok[f"{role}_id"], ok[f"{role}_price_date"].astype(str)))
    return tuple(sorted(reqs))


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_pair_sources(_db: Db, version: str, metric_id: str | None, requests: tuple) -> list[str]:
    """Source ids of the prices (model at date) and the metric's scores a chart uses."""
    if not requests:
        return []
    req = pd.DataFrame(list(requests), columns=["model_id", "at_date"])
    req["at_date"] = pd.to_datetime(req["at_date"]).dt.date
    prices = _q(_db, queries.prices_at, req)
    ids = set(prices["price_source_id"].dropna().astype(str)) if "price_source_id" in prices else set()
    if metric_id:
        scores = _q(_db, queries.scores_for_metric, metric_id, req["at_date"].max())
        ids |= set(scores.loc[scores["model_id"].isin(set(req["model_id"])), "source_id"].dropna().astype(str))
    return sorted(ids)


def frontier_view(db: Db, *, as_of: dt.date, metric: dict, basis: str, ratio: str, filters: dict,
                  headline_pairs: tuple, replay_dates: tuple | None, theme_name: str) -> dict:
    """Points, summary and figure of the Frontier page. Built once per data version and parameters (cached);
    with the user's own models in the session it is built for this session only."""
    user = user_models()
    args = (as_of, metric["metric_id"], basis, ratio, tuple(sorted(filters.items())), headline_pairs, replay_dates,
            views.metric_label(metric), views.metric_short(metric), theme_name)
    if len(user):
        return _frontier_view.__wrapped__(db, db.version, *args, user=user)
    return _frontier_view(db, db.version, *args)


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def _frontier_view(_db: Db, version: str, as_of: dt.date, metric_id: str, basis: str, ratio: str, filters: tuple,
                   headline_pairs: tuple, replay_dates: tuple | None, m_label: str, short: str, theme_name: str,
                   user: pd.DataFrame | None = None) -> dict:
    from lib import figures

    f = dict(filters)
    market = load_market(_db, version, as_of, metric_id, basis, ratio)
    if user is not None:
        market = views.add_user_models(market, user, metric_id, basis, ratio)
    points = views.frontier_points(market, **f)
    frames = None
    if replay_dates:
        series = load_market_series(_db, version, replay_dates, metric_id, basis, ratio)
        frames = pd.concat([views.frontier_points(g, **f) for _, g in series.groupby("as_of")])
    drawn = views.plottable(points)
    fig = figures.frontier_figure(
        points, metric_label=m_label, price_label=views.price_label(basis, ratio),
        title=f"Price vs {short}, as of {as_of}", sources=views.used_source_ids(drawn), data_as_of=as_of,
        headline_pairs=headline_pairs, frames=frames, theme=theme_name)
    return {"points": points, "drawn": drawn, "summary": views.frontier_summary(points), "fig": fig}


# --- Theme and charts ------------------------------------------------------------------------------------------

def theme() -> str:
    try:
        t = st.context.theme.type
    except Exception:  # noqa: BLE001 - outside a browser session (AppTest)
        t = None
    return t if t in ("light", "dark") else "light"


def chart(fig, points: pd.DataFrame | None, name: str, *, sources: pd.DataFrame | None = None, key: str | None = None,
          on_select: str = "ignore", lazy_export: bool = False):
    """Draw a figure, credit the sources it uses under it, and add the export panel. Returns the selection.

    The toolbar's camera button saves the chart at slide size (16:9), drawn by the browser. `lazy_export` builds
    the export panel's widgets only once it is opened (the pages use it: the first chart paints sooner).
    """
    from lib import export

    event = st.plotly_chart(fig, key=key, on_select=on_select, selection_mode="points", theme=None,
                            config={**export.toolbar_config("16:9", "png", name), "scrollZoom": False})
    sources_credit(fig, sources)
    export_panel(fig, points, name, lazy=lazy_export)
    return event


def export_panel(fig, points_df: pd.DataFrame | None, name: str, *, lazy: bool = False) -> None:
    """Export panel under a chart: format, slide size, theme, title/subtitle; the footer names the sources.

    Images (PNG/SVG/PDF) are rendered on the server by kaleido + Chromium only when "Render" is pressed, and kept
    in the session until an option or the figure changes. HTML, CSV and Parquet are built when their download
    button is clicked. Without Chromium the page says so, offers the Plotly camera button set to the slide size
    (SVG, drawn by the browser) on a preview, and still offers HTML, CSV and Parquet.
    """
    from lib import export

    if fig is None:
        return
    meta = dict(fig.layout.meta or {})
    has_browser = export.chromium_available()
    key = f"export_{re.sub(r'[^A-Za-z0-9_]', '_', name)}"
    panel = st.expander("Export for slides and reports", icon=":material/download:",
                         **({"key": f"{key}_open", "on_change": "rerun"} if lazy else {}))
    if lazy and not panel.open:  # the widgets are built only once the panel is opened
        return
    with panel:
        c1, c2, c3, c4 = st.columns(4)
        formats = list(export.FORMATS) if has_browser else ["html", "csv", "parquet"]
        fmt = c1.selectbox("Format", formats, key=f"{key}_format", format_func=_EXPORT_FORMAT_LABELS.get)
        preset_name = c2.selectbox("Size", list(export.SLIDE_PRESETS), key=f"{key}_preset",
                                   format_func=lambda p: f"{p} ({export.SLIDE_PRESETS[p].width}×"
                                                         f"{export.SLIDE_PRESETS[p].height})")
        theme_name = c3.selectbox("Theme", list(export.THEMES), key=f"{key}_theme", format_func=str.capitalize)
        scale = c4.selectbox("Resolution", [1.0, 2.0], key=f"{key}_scale", disabled=fmt != "png",
                             format_func=lambda x: "1× (slide)" if x == 1 else "2× (high-DPI)")
        t1, t2 = st.columns(2)
        title = t1.text_input("Title", value=str(meta.get("title") or ""), key=f"{key}_title")
        subtitle = t2.text_input("Subtitle", value="", key=f"{key}_subtitle", placeholder="optional")
        preset = export.SLIDE_PRESETS[preset_name].with_scale(scale if fmt == "png" else 1.0)
        names = _export_source_names()
        footer = export.footer_text(meta, names)
        st.caption("Footer: " + " · ".join(footer) if footer else "This chart records no sources.")

        def prepared():
            return export.prepare_for_export(fig, preset, theme_name, title=title, subtitle=subtitle or None,
                                             source_names=names)

        file_name = export.file_name(name, fmt)
        if fmt in ("csv", "parquet"):
            points = _export_points(fig, points_df)
            st.download_button(f"Download {fmt.upper()} ({len(points)} plotted points)",
                               data=lambda: export.to_bytes(fig, fmt, points=points), file_name=file_name,
                               mime=export.MIME_TYPES[fmt], key=f"{key}_dl_{fmt}", on_click="ignore",
                               icon=":material/table:")
        elif fmt == "html":
            st.download_button("Download standalone HTML (works offline)",
                               data=lambda: export.to_bytes(prepared(), "html"), file_name=file_name,
                               mime=export.MIME_TYPES["html"], key=f"{key}_dl_html", on_click="ignore",
                               icon=":material/code:")
        else:
            _export_image_controls(prepared, _figure_signature(fig, fmt, preset, theme_name, title, subtitle, names),
                                   fmt, preset, file_name, key)
        if not has_browser:
            st.info("Server-side PNG, SVG and PDF need Chromium, which this server does not have. Use the camera "
                    "icon on the preview below: your browser saves it as an SVG at slide size. HTML, CSV and "
                    "Parquet work as usual.", icon=":material/info:")
            st.plotly_chart(prepared(), key=f"{key}_preview", theme=None,
                            config=export.toolbar_config(preset, "svg", file_name.rsplit(".", 1)[0]))


_EXPORT_FORMAT_LABELS = {"png": "PNG image", "svg": "SVG (vector)", "pdf": "PDF (vector)",
                         "html": "HTML (interactive)", "csv": "CSV (plotted points)", "parquet": "Parquet (plotted points)"}


def _export_source_names() -> dict:
    """Source id → the attribution printed in the export footer (ids as they are if the store is unreadable)."""
    try:
        db = connection()
        src = load_sources(db, db.version)
    except Exception:  # noqa: BLE001 - the footer still names the source ids
        return {}
    return {r.source_id: (r.attribution or r.name) for r in src.itertuples()}


def _export_points(fig, points_df: pd.DataFrame | None) -> pd.DataFrame:
    """The page's rows for the drawn points when it passed them (restricted to model_ids actually drawn),
    else the points read off the figure's traces."""
    from lib import export

    drawn = export.points_frame(fig)
    if points_df is None or "model_id" not in getattr(points_df, "columns", ()):
        return export.labelled_points(fig)
    ids = set(drawn["model_id"].dropna().astype(str))
    return points_df.loc[points_df["model_id"].astype(str).isin(ids)].reset_index(drop=True)


def _figure_signature(fig, *options) -> str:
    """A cheap fingerprint of what the figure draws plus the export options: a stored render is reused only
    while both are unchanged."""
    import hashlib
    import json

    h = hashlib.sha1(json.dumps([repr(o) for o in options]).encode())
    h.update(json.dumps(fig.layout.meta or {}, sort_keys=True, default=str).encode())
    for tr in fig.data:
        h.update(str(tr.name).encode())
        for attr in ("x", "y", "customdata"):
            v = getattr(tr, attr, None)
            if v is not None:
                h.update(np.asarray(v, dtype=object).astype(str).tobytes())
    return h.hexdigest()


def _export_image_controls(prepared, sig: str, fmt: str, preset, file_name: str, key: str) -> None:
    from lib import export

    state_key = f"{key}_render"
    stored = st.session_state.get(state_key)
    if st.button(f"Render {fmt.upper()}", key=f"{key}_render_btn", icon=":material/image:",
                 help="Renders on the server with Chromium; the first render of a session takes a few seconds."):
        try:
            with st.spinner(f"Rendering {fmt.upper()}…"):
                data = export.to_bytes(prepared(), fmt)
        except export.ExportError as exc:
            st.error(f"Could not render the {fmt.upper()}: {exc}. HTML and CSV still work.")
            return
        stored = {"sig": sig, "data": data, "file_name": file_name, "fmt": fmt}
        st.session_state[state_key] = stored
    if stored and stored["sig"] == sig:
        size = f"{preset.width * (preset.scale if fmt == 'png' else 1):.0f}×" \
               f"{preset.height * (preset.scale if fmt == 'png' else 1):.0f}"
        st.download_button(f"Download {fmt.upper()} ({size}, {len(stored['data']) / 1024:.0f} kB)",
                           data=stored["data"], file_name=stored["file_name"], mime=export.MIME_TYPES[fmt],
                           key=f"{key}_dl_image", on_click="ignore", type="primary", icon=":material/download:")


def sources_credit(fig, sources: pd.DataFrame | None = None) -> None:
    meta = dict(fig.layout.meta or {}) if fig is not None else {}
    st.caption(views.credit_text(meta.get("sources", []), sources, meta.get("data_as_of", "")))


PAGE_ERROR_MESSAGE = "Something went wrong on this page."


def page_error(title: str, exc: BaseException) -> None:
    """The error boundary's page: a short message and a way back, never a traceback (that goes to the log)."""
    import logging

    logging.getLogger("frontier.dashboard").error("page %r failed", title, exc_info=exc)
    st.error(f"**{PAGE_ERROR_MESSAGE}** The error was logged on the server. Resetting the page's filters "
             "usually helps.", icon=":material/error:")
    if st.button("Reset this page's filters", key="_page_error_reset", icon=":material/restart_alt:"):
        prefix = f"{st.session_state.get(_PAGE, '')}."
        for k in [k for k in st.session_state if str(k).startswith(prefix)]:
            del st.session_state[k]
        st.session_state.pop(_URL_SEEN, None)
        st.query_params.clear()
        st.rerun()


def empty_state(message: str, hint: str = "Widen the filters in the sidebar, or reset them.") -> None:
    st.info(f"**{message}** {hint}", icon=":material/filter_alt_off:")


md_text = views.md_text  # the one escaping function (lib/views.py), re-exported for the pages


def link_to_model(model_id: str, label: str | None = None) -> None:
    """A link to the Models page showing this model (works under st.navigation; plain link otherwise)."""
    link_to_page("models", md_text(label) if label else f"Open {md_text(model_id)} on the Models page",
                 {"model": model_id})


def link_to_page(page: str, label: str, query_params: dict | None = None) -> None:
    """A link to another page of the dashboard with its query parameters (plain link outside st.navigation)."""
    try:
        st.page_link(PAGE_FILES[page], label=label, icon=":material/open_in_new:", query_params=query_params or {})
    except Exception:  # noqa: BLE001 - page not registered (single-page runs, AppTest)
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
_PAGE = "_page_state"


class PageState:
    """One page's widgets. Session keys are namespaced by the page ("frontier.as_of"), so two pages never share
    a widget's state (Streamlit keeps session state across pages; a date on one page and a string on another
    crashed the second). URL parameters keep their short names (?as_of=2024-06-01), are read by one typed
    parser per kind (lib/urlparams) and written back when a widget moves off its default."""

    def __init__(self, page: str):
        self.page = page
        self.ignored: list[str] = []

    def key(self, name: str) -> str:
        return f"{self.page}.{name}"

    def initial(self, name: str, parse, default, *, multi: bool = False):
        """The value the URL asks for (parsed), else `default`. A URL value this session has not seen yet (a
        fresh link) replaces the widget's state; one the page wrote itself leaves the state alone."""
        raw = _url_raw(name, multi)
        if raw is None:
            return default
        seen = st.session_state.setdefault(_URL_SEEN, {})
        k = self.key(name)
        fresh = seen.get(k) != raw
        value = parse(raw)
        if value is None:
            if fresh:
                shown = ", ".join(raw) if isinstance(raw, list) else raw
                self.ignored.append(f"{name}={shown[:40]}")
            return default
        if fresh:
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
            return
        text = [fmt(v) for v in value] if multi else fmt(value)
        if _url_raw(name, multi) != text:
            st.query_params[name] = text
        seen[k] = text

    def report(self) -> None:
        """One line naming URL parameters that were not valid here (the page used its default instead)."""
        if self.ignored:
            st.caption(f":material/link_off: Ignored in the link: {md_text('; '.join(self.ignored))} "
                       "(not a valid value here; the default is shown).")


def _same(a, b) -> bool:
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return list(a or []) == list(b or [])
    return a == b


def _url_raw(name: str, multi: bool):
    if name not in st.query_params:
        return None
    return list(st.query_params.get_all(name)) if multi else st.query_params.get(name)


def page_state(page: str) -> PageState:
    """The page's state helper; shared widgets below use the page's namespace."""
    state = PageState(page)
    st.session_state[_PAGE] = page
    return state


def _state(state: PageState | None) -> PageState:
    return state or PageState(str(st.session_state.get(_PAGE, "page")))


# --- Shared widgets (each with its page's key and its URL parameter) ------------------------------------------

def metric_picker(metrics: pd.DataFrame, *, key: str = "metric", default: str = DEFAULT_METRIC,
                  container=None, state: PageState | None = None) -> dict:
    """Metric selectbox (metrics with scores first) shown by display name, with its unit and a one-line
    definition under it; the URL carries the metric id."""
    c = container or st.sidebar
    ps = _state(state)
    m = metrics.sort_values(["models", "metric_id"], ascending=[False, True]) if "models" in metrics else metrics
    ids = m["metric_id"].tolist()
    if not ids:
        return {}
    rows = m.set_index("metric_id")
    default = default if default in ids else ids[0]
    names = {i: views.metric_display_name(rows.loc[i].to_dict() | {"metric_id": i}) for i in ids}
    value = ps.initial(key, lambda raw: urlparams.parse_choice(raw, ids, names), default)
    metric_id = c.selectbox("Quality metric", ids, index=ids.index(value), key=ps.key(key),
                            format_func=lambda i: names.get(i, i),
                            help="Its unit and definition are shown below; the link carries its id.")
    ps.write(key, metric_id, default)
    row = rows.loc[metric_id].to_dict()
    row["metric_id"] = metric_id
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


def set_user_models(df: pd.DataFrame | None) -> None:
    st.session_state[USER_MODELS_KEY] = df


