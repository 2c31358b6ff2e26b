"""The only Streamlit-aware helper module: the cached read-only connection, cached loaders keyed on the data
version, shared widgets bound to the URL, sources credits, empty states, and the dashboard's small view helpers.

Pure helpers (no `st.` inside) sit at the bottom so tests can call them directly.
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

from lib import frontier, paths, pricing, queries, store
from lib.errors import DataError, UsageError

TTL = "1h"
DEFAULT_METRIC = "aa_quality_2024"
RATIOS = ["3:1", "1:1", "2:1", "4:1", "10:1", "1:3"]
BASIS_LABELS = {"blended": "Blended", "input": "Input", "output": "Output"}
CONTEXT_OPTIONS = [0, 8_000, 32_000, 128_000, 200_000, 1_000_000]
PAGE_FILES = {
    "frontier": "pages/1_frontier.py", "generations": "pages/2_generations.py", "trends": "pages/3_trends.py",
    "models": "pages/4_models.py", "calculator": "pages/5_calculator.py", "data": "pages/6_data.py",
}
USER_MODELS_KEY = "user_models"


# --- Connection ------------------------------------------------------------------------------------------------

@st.cache_resource(ttl=60, max_entries=4, show_spinner="Checking the database against the seed…")
def _ensured_db(db_path: str) -> str:
    """Build the database from the seed if it is missing or stale (at most once a minute per process)."""
    return str(store.ensure_db(Path(db_path)))


@st.cache_resource(max_entries=2, show_spinner=False)
def _readonly_connection(db_path: str, stamp: tuple):
    """One read-only DuckDB connection per database file version; each query takes its own cursor."""
    return store.connect_readonly(Path(db_path))


class Db:
    """What a page needs from the store: a cursor factory and the data version that keys every cache."""

    def __init__(self, con, version: str, path: str):
        self._con = con
        self.version = version
        self.path = path

    def cursor(self):
        return self._con.cursor()


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
    """The read-only database, rebuilt from the seed when needed; a friendly explanation (and stop) otherwise."""
    _leave_legacy_pages_mode()
    db_path = str(paths.default_db_path())
    try:
        path = _ensured_db(db_path)
        stat = os.stat(path)
        con = _readonly_connection(path, (stat.st_ino, stat.st_mtime_ns, stat.st_size))
        version = _data_version(con, path, (stat.st_ino, stat.st_mtime_ns))
        return Db(con, version, path)
    except (DataError, UsageError, OSError, Exception) as exc:  # noqa: BLE001 - any failure gets the same page
        _db_problem_page(db_path, exc)
        st.stop()


@st.cache_data(ttl=TTL, max_entries=4, show_spinner=False)
def _data_version(_con, path: str, stamp: tuple) -> str:
    cur = _con.cursor()
    try:
        return queries.meta(cur).get("data_version", f"{path}:{stamp}")
    finally:
        cur.close()


def _db_problem_page(db_path: str, exc: Exception) -> None:
    st.title("The data is not available")
    st.error(f"The dashboard could not open its database at `{db_path}`.\n\n**Reason:** {exc}")
    st.markdown(
        "The database is built automatically from the committed seed in `data/seed/`. "
        "If this persists, rebuild it from a terminal in the project folder:\n\n"
        "```\npython -m lib build\n```\n\nthen reload this page. Set `FRONTIER_DB` to use a database elsewhere."
    )


# --- Cached loaders (every one takes the data version; `_db` is not hashed) -----------------------------------

def _q(db: Db, fn, *args, **kwargs):
    cur = db.cursor()
    try:
        return fn(cur, *args, **kwargs)
    finally:
        cur.close()


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
    return _q(_db, queries.meta)


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
    from lib import snapshot

    frames = []
    for d in dates:
        m = _q(_db, snapshot.market_as_of, d, metric_id, basis, ratio)
        m.insert(0, "as_of", pd.Timestamp(d))
        frames.append(m)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


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
def load_scores_for_model(_db: Db, version: str, model_id: str) -> pd.DataFrame:
    return _q(_db, queries.scores_for_model, model_id)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_aliases(_db: Db, version: str, model_id: str) -> pd.DataFrame:
    return _q(_db, queries.aliases, model_id)


# --- Theme and charts ------------------------------------------------------------------------------------------

def theme() -> str:
    try:
        t = st.context.theme.type
    except Exception:  # noqa: BLE001 - outside a browser session (AppTest)
        t = None
    return t if t in ("light", "dark") else "light"


def chart(fig, points: pd.DataFrame | None, name: str, *, sources: pd.DataFrame | None = None, key: str | None = None,
          on_select: str = "ignore"):
    """Draw a figure, credit its sources under it, and leave the export panel's slot. Returns the selection."""
    event = st.plotly_chart(fig, key=key, on_select=on_select, selection_mode="points", theme=None,
                            config={"displaylogo": False, "scrollZoom": False,
                                    "toImageButtonOptions": {"filename": name}})
    sources_credit(fig, sources)
    # >>> EXPORT PANEL SLOT (issue 6): the export engineer fills `export_panel`; every chart passes through here.
    export_panel(fig, points, name)
    return event


def export_panel(fig, points_df: pd.DataFrame | None, name: str) -> None:
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
    with st.expander("Export for slides and reports", icon=":material/download:"):
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
    st.caption(credit_text(meta.get("sources", []), sources, meta.get("data_as_of", "")))


def empty_state(message: str, hint: str = "Widen the filters in the sidebar, or reset them.") -> None:
    st.info(f"**{message}** {hint}", icon=":material/filter_alt_off:")


def link_to_model(model_id: str, label: str | None = None) -> None:
    """A link to the Models page showing this model (works under st.navigation; plain link otherwise)."""
    label = label or f"Open {model_id} on the Models page"
    try:
        st.page_link(PAGE_FILES["models"], label=label, icon=":material/open_in_new:",
                     query_params={"model": model_id})
    except Exception:  # noqa: BLE001 - page not registered (single-page runs, AppTest)
        st.markdown(f"[{label}](models?model={model_id})")


# --- Shared widgets (each bound to the URL through its key) -------------------------------------------------

def metric_picker(metrics: pd.DataFrame, *, key: str = "metric", default: str = DEFAULT_METRIC,
                  container=None) -> dict:
    """Metric selectbox (metrics with scores first) with its unit and a one-line definition under it."""
    c = container or st.sidebar
    m = metrics.sort_values(["models", "metric_id"], ascending=[False, True]) if "models" in metrics else metrics
    ids = m["metric_id"].tolist()
    if not ids:
        return {}
    rows = m.set_index("metric_id")
    default = default if default in ids else ids[0]
    # Options are the ids themselves: a bound widget writes its shown label into the URL, and ids stay stable.
    metric_id = c.selectbox("Quality metric", ids, index=ids.index(default), key=key, bind="query-params",
                            help="Metric id; its name, unit and definition are shown below.")
    row = rows.loc[metric_id].to_dict()
    row["metric_id"] = metric_id
    n = f" · {int(row['models'])} models" if "models" in row and pd.notna(row["models"]) else ""
    c.caption(f"**{row.get('name', metric_id)}**{n} · " + metric_caption(row))
    return row


def price_basis_control(*, key_prefix: str = "", container=None, with_cache: bool = False) -> tuple[str, str, float]:
    """Price basis (blended with an input:output ratio, input, output). Returns (basis, ratio, cache_hit_rate)."""
    c = container or st.sidebar
    basis = c.segmented_control("Price basis", list(BASIS_LABELS), default="blended", required=True,
                                format_func=BASIS_LABELS.get, key=f"{key_prefix}basis", bind="query-params")
    basis = basis or "blended"
    ratio = "3:1"
    if basis == "blended":
        ratio = c.selectbox("Input:output token ratio", RATIOS, index=0, key=f"{key_prefix}ratio",
                            bind="query-params", help="3:1 is Artificial Analysis's blend: (3 × input + output) / 4")
    rate = 0.0
    if with_cache:
        rate = c.slider("Cache-hit rate on input", 0.0, 1.0, 0.0, 0.05, key=f"{key_prefix}cache",
                        bind="query-params")
    return basis, ratio, float(rate)


def vendor_filter(vendors: Sequence[str], *, key: str = "vendors", container=None) -> list[str]:
    c = container or st.sidebar
    return c.multiselect("Vendors", list(vendors), default=[], key=key, bind="query-params",
                         placeholder="All vendors")


def user_models() -> pd.DataFrame:
    """Models the user uploaded in this session (never written to the database)."""
    df = st.session_state.get(USER_MODELS_KEY)
    return df if isinstance(df, pd.DataFrame) else pd.DataFrame(columns=USER_COLUMNS)


def set_user_models(df: pd.DataFrame | None) -> None:
    st.session_state[USER_MODELS_KEY] = df


# ===============================================================================================================
# Pure view helpers (no Streamlit calls below this line)
# ===============================================================================================================

def metric_caption(row: dict) -> str:
    unit = row.get("unit") or ""
    desc = str(row.get("description") or "").strip()
    first = re.split(r"(?<=[.;])\s", desc, maxsplit=1)[0] if desc else ""
    bits = [f"Unit: {unit}" if unit else "", first]
    if row.get("scale") == "points":
        bits.append("Point scale: compare differences, not percentages.")
    return " · ".join(b for b in bits if b)


def metric_short(row: dict) -> str:
    """The metric's name without its parenthesised detail, for titles and axes (the caption has the rest)."""
    return str(row.get("name") or row.get("metric_id") or "quality").split(" (")[0]


def metric_label(row: dict) -> str:
    unit = row.get("unit")
    return metric_short(row) + (f" ({unit})" if unit else "")


def price_label(basis: str, ratio: str = "3:1", cache_hit_rate: float = 0.0) -> str:
    if basis == "blended":
        text = f"Blended price, {ratio} input:output (USD / M tokens)"
    else:
        text = f"{BASIS_LABELS.get(basis, basis)} price (USD / M tokens)"
    if cache_hit_rate:
        text += f", {cache_hit_rate:.0%} cache hits"
    return text


def credit_text(source_ids: Sequence[str], sources: pd.DataFrame | None = None, data_as_of: str = "") -> str:
    names = []
    by_id = sources.set_index("source_id") if sources is not None and len(sources) else None
    for sid in source_ids or []:
        if by_id is not None and sid in by_id.index:
            r = by_id.loc[sid]
            names.append(str(r["name"]))
        else:
            names.append(str(sid))
    text = "Sources: " + ("; ".join(names) if names else "none for this view")
    if names:
        text += " (licences and attribution on the Data page)"
    if data_as_of:
        text += f" · data as of {data_as_of}"
    return text


def month_ends(lo: dt.date, hi: dt.date) -> list[dt.date]:
    """Month-end dates from lo's month to hi's month, the last one clipped to hi (the data's newest day)."""
    if lo is None or hi is None or lo > hi:
        return [hi] if hi else []
    ends = [d.date() for d in pd.date_range(pd.Timestamp(lo), pd.Timestamp(hi), freq="ME")]
    if not ends or ends[-1] < hi:
        ends.append(hi)
    return ends


def filter_market(df: pd.DataFrame, *, vendors: Sequence[str] = (), released: tuple | None = None,
                  open_weights: str = "all", min_context: int = 0) -> pd.DataFrame:
    """Apply the Frontier page's filters; the Pareto flag is recomputed on what is left."""
    out = df
    if vendors:
        out = out.loc[out["vendor"].isin(list(vendors))]
    if released:
        rd = pd.to_datetime(out["release_date"])
        lo, hi = (pd.Timestamp(released[0]), pd.Timestamp(released[1]))
        out = out.loc[rd.isna() | ((rd >= lo) & (rd <= hi))]
    if open_weights in ("open", "closed"):
        ow = out["open_weights"].astype("boolean")
        out = out.loc[ow.fillna(False)] if open_weights == "open" else out.loc[~ow.fillna(True)]
    if min_context:
        cw = pd.to_numeric(out["context_window"], errors="coerce")
        out = out.loc[cw >= min_context]
    return with_frontier(out)


def with_frontier(df: pd.DataFrame, higher_is_better: bool = True, price_col: str = "price") -> pd.DataFrame:
    out = df.copy()
    out["on_frontier"] = frontier.pareto_mask(pd.to_numeric(out[price_col], errors="coerce").to_numpy(float),
                                              pd.to_numeric(out["quality"], errors="coerce").to_numpy(float),
                                              higher_is_better=higher_is_better) if len(out) else []
    return out


def plottable(df: pd.DataFrame, price_col: str = "price") -> pd.DataFrame:
    p = pd.to_numeric(df[price_col], errors="coerce")
    q = pd.to_numeric(df["quality"], errors="coerce")
    return df.loc[np.isfinite(p) & (p > 0) & np.isfinite(q)]


# User uploads ---------------------------------------------------------------------------------------------------

USER_COLUMNS = ["model_id", "name", "vendor", "release_date", "input_usd_per_mtok", "output_usd_per_mtok",
                "metric_id", "quality"]
USER_REQUIRED = ["name", "input_usd_per_mtok", "output_usd_per_mtok", "metric_id", "value"]
MAX_UPLOAD_ROWS = 500
MAX_UPLOAD_BYTES = 1_000_000


def parse_user_csv(data: bytes, metrics: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Validate an uploaded CSV of the user's own models. Returns (rows, errors); rows is empty on any error.

    Columns: name, input_usd_per_mtok, output_usd_per_mtok, metric_id, value; optional release_date, vendor.
    """
    errors: list[str] = []
    if len(data) > MAX_UPLOAD_BYTES:
        return pd.DataFrame(columns=USER_COLUMNS), [f"file is larger than {MAX_UPLOAD_BYTES // 1000} kB"]
    try:
        raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - any parse failure is reported as text
        return pd.DataFrame(columns=USER_COLUMNS), [f"not a readable CSV: {str(exc).splitlines()[0]}"]
    raw.columns = [c.strip().lower() for c in raw.columns]
    missing = [c for c in USER_REQUIRED if c not in raw.columns]
    if missing:
        return pd.DataFrame(columns=USER_COLUMNS), [f"missing column(s): {', '.join(missing)}"]
    if raw.empty:
        return pd.DataFrame(columns=USER_COLUMNS), ["the file has no rows"]
    if len(raw) > MAX_UPLOAD_ROWS:
        return pd.DataFrame(columns=USER_COLUMNS), [f"at most {MAX_UPLOAD_ROWS} rows, got {len(raw)}"]
    mrows = metrics.set_index("metric_id")
    out_rows = []
    for i, r in raw.iterrows():
        line = i + 2
        name = r["name"].strip()
        if not name:
            errors.append(f"line {line}: name is empty")
        nums = {}
        for c in ("input_usd_per_mtok", "output_usd_per_mtok", "value"):
            try:
                v = float(r[c])
                if not np.isfinite(v):
                    raise ValueError
                nums[c] = v
            except ValueError:
                errors.append(f"line {line}: {c} must be a number, got {r[c]!r}")
        for c in ("input_usd_per_mtok", "output_usd_per_mtok"):
            if c in nums and nums[c] < 0:
                errors.append(f"line {line}: {c} must be ≥ 0")
        mid = r["metric_id"].strip()
        if mid not in mrows.index:
            errors.append(f"line {line}: unknown metric_id {mid!r}")
        elif "value" in nums:
            lo, hi = mrows.at[mid, "min_value"], mrows.at[mid, "max_value"]
            if (pd.notna(lo) and nums["value"] < lo) or (pd.notna(hi) and nums["value"] > hi):
                errors.append(f"line {line}: value {nums['value']:g} outside {mid}'s range {lo:g}–{hi:g}")
        rel = r.get("release_date", "").strip() if "release_date" in raw.columns else ""
        if rel:
            try:
                rel = dt.date.fromisoformat(rel)
            except ValueError:
                errors.append(f"line {line}: release_date must be YYYY-MM-DD, got {rel!r}")
                rel = None
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or f"model-{line}"
        out_rows.append({"model_id": f"yours/{slug}", "name": name,
                         "vendor": (r.get("vendor", "") or "").strip() or "yours", "release_date": rel or None,
                         "input_usd_per_mtok": nums.get("input_usd_per_mtok"),
                         "output_usd_per_mtok": nums.get("output_usd_per_mtok"), "metric_id": mid,
                         "quality": nums.get("value")})
    if errors:
        return pd.DataFrame(columns=USER_COLUMNS), errors[:20]
    return pd.DataFrame(out_rows, columns=USER_COLUMNS), []


def add_user_models(market: pd.DataFrame, user: pd.DataFrame, metric_id: str, basis: str, ratio: str,
                    cache_hit_rate: float = 0.0, higher_is_better: bool = True) -> pd.DataFrame:
    """The market plus the user's models scored on this metric (marked `is_user`), frontier recomputed."""
    market = market.assign(is_user=False)
    mine = user.loc[user["metric_id"] == metric_id] if len(user) else user
    if mine is None or mine.empty:
        return market
    mine = mine.drop(columns=["metric_id"]).assign(is_user=True, quality_source_id="your upload",
                                                   cache_read_usd_per_mtok=np.nan)
    ratio_t = pricing.parse_ratio(ratio)
    mine["blended_usd_per_mtok"] = pricing.price_basis(mine, "blended", ratio_t, cache_hit_rate)
    mine["price"] = pricing.price_basis(mine, basis, ratio_t, cache_hit_rate)
    both = pd.concat([market, mine], ignore_index=True)
    return with_frontier(both, higher_is_better)


# Frontier page ------------------------------------------------------------------------------------------------

def frontier_summary(points: pd.DataFrame) -> dict:
    """Numbers shown above the frontier chart."""
    drawable = plottable(points)
    fr = drawable.loc[drawable["on_frontier"].astype(bool)].sort_values("price")
    return {
        "models": int(len(points)),
        "plotted": int(len(drawable)),
        "on_frontier": int(len(fr)),
        "no_price": int(pd.to_numeric(points["price"], errors="coerce").isna().sum()),
        "no_score": int(pd.to_numeric(points["quality"], errors="coerce").isna().sum()),
        "cheapest_frontier": fr.iloc[0].to_dict() if len(fr) else None,
        "best_frontier": fr.iloc[-1].to_dict() if len(fr) else None,
    }


def frontier_table(points: pd.DataFrame) -> pd.DataFrame:
    fr = plottable(points)
    fr = fr.loc[fr["on_frontier"].astype(bool)].sort_values("price")
    cols = ["name", "vendor", "release_date", "price", "input_usd_per_mtok", "output_usd_per_mtok", "quality",
            "quality_source_id", "model_id"]
    return fr[[c for c in cols if c in fr.columns]].reset_index(drop=True)


def selected_model_id(event) -> str | None:
    """The model_id of the first clicked point in a `st.plotly_chart(on_select="rerun")` event."""
    try:
        points = event.selection.points if hasattr(event, "selection") else event["selection"]["points"]
    except (AttributeError, KeyError, TypeError):
        return None
    for p in points or []:
        cd = p.get("customdata") if isinstance(p, dict) else None
        if cd:
            return str(cd[0] if isinstance(cd, (list, tuple)) else cd)
    return None


# Generations page ---------------------------------------------------------------------------------------------

PAIR_SEP = " → "


def pair_key(teacher_id: str, student_id: str) -> str:
    return f"{teacher_id}{PAIR_SEP}{student_id}"


def parse_pair_keys(keys: Sequence[str], lineage: pd.DataFrame, known_ids: set[str]) -> tuple[list[tuple], list[str]]:
    """Pair keys ("teacher → student") to (teacher, student, relation, era) rows; unknown ids are reported."""
    lin = {pair_key(r.parent_id, r.child_id): (r.relation, r.era) for r in lineage.itertuples()}
    rows, problems = [], []
    for k in keys:
        parts = [p.strip() for p in re.split(r"\s*(?:→|->|>)\s*", str(k)) if p.strip()]
        if len(parts) != 2:
            problems.append(f"not a pair: {k!r} (expected 'teacher → student')")
            continue
        t, s = parts
        bad = [x for x in (t, s) if x not in known_ids]
        if bad:
            problems.append(f"unknown model(s) in {k!r}: {', '.join(bad)}")
            continue
        rel, era = lin.get(pair_key(t, s), ("custom", "your pairs"))
        rows.append((t, s, rel, era if isinstance(era, str) else None))
    return rows, problems


def with_pair_names(deltas: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    m = models.set_index("model_id")
    out = deltas.copy()
    out["teacher_name"] = out["teacher_id"].map(m["name"])
    out["student_name"] = out["student_id"].map(m["name"])
    out["vendor"] = out["student_id"].map(m["vendor"])
    return out


def era_sentence(row: dict, scale: str = "percent") -> str:
    """"95 % cheaper, 7 % less quality" for one era-summary row (means), from the data."""
    p = row.get("mean_price_drop_pct")
    parts = []
    if p is not None and np.isfinite(p):
        parts.append(f"{p:.0f} % cheaper" if p >= 0 else f"{-p:.0f} % more expensive")
    if scale == "percent":
        q = row.get("mean_quality_drop_pct")
        if q is not None and np.isfinite(q):
            parts.append(f"{q:.0f} % less quality" if q >= 0 else f"{-q:.0f} % more quality")
    else:
        q = row.get("mean_quality_delta_points")
        if q is not None and np.isfinite(q):
            parts.append(f"{q:+.0f} points of quality")
    return ", ".join(parts) if parts else "no priced and scored pair"


def chain_steps_as_pairs(chains: pd.DataFrame) -> list[tuple]:
    seen, rows = set(), []
    for r in chains.itertuples():
        k = (r.teacher_id, r.student_id)
        if k not in seen:
            seen.add(k)
            rows.append((r.teacher_id, r.student_id, "successor", r.chain_id))
    return rows


# Trends page --------------------------------------------------------------------------------------------------

def frontier_price_by_month(series: pd.DataFrame, levels: Sequence[float]) -> pd.DataFrame:
    """Cheapest price at each quality level at each month-end snapshot (uses lib.trends.frontier_price_at_levels).

    Each snapshot row is valid from its `as_of` until the next snapshot, so the as-of semantics of the store
    (price cuts, deprecations) carry through.
    """
    from lib import trends

    if series.empty or not len(levels):
        return pd.DataFrame(columns=["date", "level", "price", "model"])
    dates = sorted(series["as_of"].unique())
    nxt = dict(zip(dates[:-1], dates[1:]))
    s = plottable(series)
    s = s.assign(valid_to=s["as_of"].map(nxt))
    return trends.frontier_price_at_levels(s, dates, levels, price_col="price", quality_col="quality",
                                           from_col="as_of", to_col="valid_to", model_col="model_id")


def trend_table_with_names(table: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    m = models.set_index("model_id")
    return table.assign(name=table["model"].map(m["name"]), vendor=table["model"].map(m["vendor"]))


# Models page --------------------------------------------------------------------------------------------------

def headline_price_series(history: pd.DataFrame) -> pd.DataFrame:
    """One price per interval of the standard tier, by the store's precedence (effective > observed, first party,
    source priority), so the step chart shows the price the rest of the dashboard uses."""
    if history is None or history.empty:
        return pd.DataFrame(columns=["model_id", "effective_from", "effective_to", "input_usd_per_mtok",
                                     "output_usd_per_mtok", "date_kind", "source_id"])
    h = history.loc[history["tier"] == "standard"].copy()
    h["_eff"] = (h["date_kind"] != "effective").astype(int)
    h["_fp"] = (~h["first_party"].astype(bool)).astype(int)
    h = h.sort_values(["effective_from", "_eff", "_fp", "source_priority"])
    h = h.drop_duplicates("effective_from", keep="first")
    # Drop rows that repeat the previous price (a copy re-observing an unchanged price is not a change).
    same = (h["input_usd_per_mtok"].eq(h["input_usd_per_mtok"].shift())
            & h["output_usd_per_mtok"].eq(h["output_usd_per_mtok"].shift()))
    h = h.loc[~same]
    nxt = h["effective_from"].shift(-1)
    h["effective_to"] = pd.to_datetime(h["effective_to"]).where(pd.to_datetime(h["effective_to"]).notna(),
                                                                pd.to_datetime(nxt))
    return h.drop(columns=["_eff", "_fp"]).reset_index(drop=True)


def compare_scores(scores: pd.DataFrame, names: dict) -> pd.DataFrame:
    """Newest score per metric (rows) and model (columns, by name) for the comparison table."""
    if scores.empty:
        return pd.DataFrame()
    newest = scores.sort_values("observed_date").groupby(["metric_name", "model_id"])["value"].last()
    return newest.unstack("model_id").rename(columns=names)


# Calculator page ----------------------------------------------------------------------------------------------

def workload_costs(market: pd.DataFrame, input_tokens: float, output_tokens: float, cache_hit_rate: float,
                   quality_bar: float | None, top_n: int = 5) -> pd.DataFrame:
    """Monthly cost per model for a workload; `cheapest` flags the top_n cheapest at or above the quality bar."""
    df = market.copy()
    df["monthly_cost_usd"] = pricing.monthly_cost(
        df["input_usd_per_mtok"].astype(float), df["output_usd_per_mtok"].astype(float), input_tokens,
        output_tokens, cache_hit_rate,
        df["cache_read_usd_per_mtok"].astype(float) if "cache_read_usd_per_mtok" in df else None)
    df = with_frontier(df, price_col="monthly_cost_usd")
    ok = plottable(df, "monthly_cost_usd")
    above = ok if quality_bar is None else ok.loc[ok["quality"].astype(float) >= quality_bar]
    cheapest = above.sort_values(["monthly_cost_usd", "quality"], ascending=[True, False]).head(top_n)
    df["cheapest"] = df.index.isin(cheapest.index)
    df["cheapest_rank"] = df.index.map({i: n + 1 for n, i in enumerate(cheapest.index)})
    return df


def cheapest_table(costs: pd.DataFrame) -> pd.DataFrame:
    c = costs.loc[costs["cheapest"]].sort_values("cheapest_rank")
    cols = ["name", "vendor", "monthly_cost_usd", "quality", "input_usd_per_mtok", "output_usd_per_mtok", "model_id"]
    return c[[x for x in cols if x in c.columns]].reset_index(drop=True)


# Data page ----------------------------------------------------------------------------------------------------

def to_parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV with cells a spreadsheet would run as formulas neutralised (leading = + - @)."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or str(out[c].dtype).startswith("string"):
            out[c] = out[c].map(lambda v: "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v)
    return out.to_csv(index=False).encode()
