"""Pure view helpers for the dashboard pages and the exports: labels, filters, frontier flags, user uploads,
workload costs, headline sentences and source credits. No Streamlit here (lib/ui.py is the only Streamlit module).
"""
from __future__ import annotations

import datetime as dt
import io
import re
import threading
from collections import OrderedDict
from typing import Sequence

import numpy as np
import pandas as pd

from lib import clock, frontier, pricing, safe_csv, trends
from lib.constants import (  # noqa: F401 - re-exported: pages and older callers read them here
    BASIS_LABELS,
    DEFAULT_METRIC,
    DEFAULT_WORKLOAD_MTOK,
    VENDOR_NAMES,
    vendor_display_name,
)

# C0/C1 controls, zero-width and bidirectional-override characters: they break exports (PNG/PDF/SVG) and can
# disguise a name; tabs and line breaks become spaces in one-line text.
_CONTROL_CHARS = safe_csv.CONTROL_CHARS
_LINE_BREAKS = re.compile("[\t\n\r\u2028\u2029]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&=\"'])")


def clean_text(text, *, one_line: bool = True) -> str:
    """Text from data, a file or a URL without control or bidi-override characters (tabs and line breaks become
    spaces unless `one_line` is false). What every display and export of such text starts from."""
    s = "" if text is None else str(text)
    if one_line:
        s = _LINE_BREAKS.sub(" ", s)
    return _CONTROL_CHARS.sub("", s)


# Streamlit's Markdown (GFM) turns bare "http://…", "www.…" and "a@b.c" into links after escapes are resolved:
# a word joiner (U+2060, invisible) inside them keeps them plain text.
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?<=@)(?=[-\w])")


def md_text(text) -> str:
    """The one escaping function for Markdown: text from data or a URL shown exactly as typed, never as
    formatting, a link (bare URLs included), an image, an icon shortcode or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _AUTOLINK.sub("\u2060", clean_text(text)))


def records(df: pd.DataFrame) -> list[dict]:
    """`df.to_dict("records")` (the same plain values, pandas' NA as None) through one object array: the few rows
    a page reads on every rerun (metrics, sources) cost ~2 ms through pandas' row-wise path, ~0.4 ms this way."""
    cols = list(df.columns)
    return [dict(zip(cols, [None if v is pd.NA else v for v in row])) for row in df.to_numpy(dtype=object).tolist()]


# How metrics are named on screen and on slides (the data keeps its ids; the URL carries ids).
METRIC_NAMES = {"livebench_if": "LiveBench Instruction Following"}


def metric_display_name(row: dict) -> str:
    """The metric's name as shown in pickers, titles and legends (never its id)."""
    mid = str(row.get("metric_id") or "")
    return METRIC_NAMES.get(mid) or metric_short(row)


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
    mid = str(row.get("metric_id") or "")
    if mid in METRIC_NAMES:
        return METRIC_NAMES[mid]
    return str(row.get("name") or row.get("metric_id") or "quality").split(" (")[0]


def metric_label(row: dict) -> str:
    unit = row.get("unit")
    return metric_short(row) + (f" ({unit})" if unit else "")


def coverage_hint(metric: dict, plotted: int, as_of, best_id: str, metrics: pd.DataFrame) -> tuple[str, str | None]:
    """What the chosen metric covers on `as_of` (priced and scored models drawn), and the best-covered metric of
    that date to offer instead (None when the chosen metric is already the best covered)."""
    day = str(as_of)[:10]
    text = f"On {day}, {metric_short(metric)} covers {plotted} priced model{'s' if plotted != 1 else ''}."
    if not best_id or best_id == metric.get("metric_id"):
        return text + " It is the best-covered metric on that date.", None
    names = dict(zip(metrics["metric_id"].tolist(), metrics["name"].tolist())) if "name" in metrics else {}
    best = metric_short({"name": names.get(best_id, best_id), "metric_id": best_id})
    return text + f" The best-covered metric on that date is {best}.", best_id


def price_label(basis: str, ratio: str = "3:1", cache_hit_rate: float = 0.0) -> str:
    if basis == "blended":
        text = f"Blended price, {ratio} input:output (USD / M tokens)"
    else:
        text = f"{BASIS_LABELS.get(basis, basis)} price (USD / M tokens)"
    if cache_hit_rate:
        text += f", {cache_hit_rate:.0%} cache hits"
    return text


def used_source_ids(df: pd.DataFrame | None,
                    columns: Sequence[str] = ("price_source_id", "quality_source_id")) -> list[str]:
    """The distinct source ids in `columns` of the rows a chart draws (what its credit line names)."""
    if df is None or not len(df):
        return []
    ids: set[str] = set()
    for c in columns:
        if c in df.columns:
            ids |= {str(x) for x in pd.unique(df[c].dropna()) if str(x) and str(x) != "nan"}
    ids.discard("your upload")
    return sorted(ids)


def credit_text(source_ids: Sequence[str], sources: pd.DataFrame | None = None, data_as_of: str = "",
                market_as_of: str = "") -> str:
    """"Sources: <attribution>; <attribution> · licences on the Data page · data as of D" for the sources a chart
    actually uses (ids not in `sources` are named as they are)."""
    names = []
    by_id: dict = {}
    if sources is not None and len(sources):
        # three columns as lists (no row-wise pandas on every rerun); the first row of a source wins
        atts = sources["attribution"].tolist() if "attribution" in sources else [None] * len(sources)
        for sid, att, name in zip(sources["source_id"].tolist(), atts,
                                  (sources["name"] if "name" in sources else sources["source_id"]).tolist()):
            by_id.setdefault(sid, str(att) if isinstance(att, str) and att.strip() else str(name))
    for sid in source_ids or []:
        names.append(by_id.get(sid, str(sid)))
    names = list(dict.fromkeys(names))
    text = "Sources: " + ("; ".join(names) if names else "none for this view")
    if names:
        text += " · licences on the Data page"
    if data_as_of:
        text += f" · data as of {data_as_of}"
    if market_as_of:
        text += f" · market as of {market_as_of}"
    return text


def newest_data_date(sources: pd.DataFrame, change_dates: Sequence, today: dt.date | None = None) -> dt.date | None:
    """The newest date the data really has: newest snapshot retrieval or price/release date, never in the future
    (a scheduled price or deprecation is not data yet)."""
    today = today or clock.today()
    cands = []
    if sources is not None and "newest_snapshot" in sources:
        cands += list(pd.to_datetime(sources["newest_snapshot"], errors="coerce").dropna())
    cands += [pd.Timestamp(d) for d in change_dates or () if d is not None and not pd.isna(d)]
    days = [c.date() for c in cands if c.date() <= today]
    return max(days) if days else None


def source_freshness(sources: pd.DataFrame, today: dt.date | None = None) -> pd.DataFrame:
    """Per source: newest snapshot date and its age in days, newest first (sources without snapshots last)."""
    today = today or clock.today()
    out = sources[["source_id", "name", "newest_snapshot", "snapshots", "price_rows", "score_rows"]].copy()
    newest = pd.to_datetime(out["newest_snapshot"], errors="coerce")
    out["newest_snapshot"] = newest.dt.date
    out["age_days"] = (pd.Timestamp(today) - newest).dt.days.astype("Int64")
    return out.sort_values(["newest_snapshot", "source_id"], ascending=[False, True], na_position="last") \
        .reset_index(drop=True)


def reviewed_only(df: pd.DataFrame) -> pd.DataFrame:
    """Hand-reviewed models only (status 'reviewed'); the user's own uploads stay."""
    keep = (_col_or(df, "status", "").astype(str).eq("reviewed")
            | _col_or(df, "is_user", False).fillna(False).astype(bool))
    return df.loc[keep]


def _col_or(df: pd.DataFrame, name: str, default) -> pd.Series:
    return df[name] if name in df.columns else pd.Series([default] * len(df), index=df.index, dtype=object)


def month_ends(lo: dt.date, hi: dt.date) -> list[dt.date]:
    """Month-end dates from lo's month to hi's month, the last one clipped to hi (the data's newest day)."""
    if lo is None or hi is None or lo > hi:
        return [hi] if hi else []
    ends = []  # the last day of each month from lo's to hi's (pandas' date_range with freq "ME", without pandas)
    y, m = lo.year, lo.month
    while True:
        end = (dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1))
        if end > hi:
            break
        if end >= lo:
            ends.append(end)
        y, m = y + m // 12, m % 12 + 1
    if not ends or ends[-1] < hi:
        ends.append(hi)
    return ends


def filter_market(df: pd.DataFrame, *, vendors: Sequence[str] = (), released: tuple | None = None,
                  open_weights: str = "all", min_context: int = 0, higher_is_better: bool = True) -> pd.DataFrame:
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
    return with_frontier(out, higher_is_better)


def frontier_points(market: pd.DataFrame, *, reviewed: bool = False, vendors: Sequence[str] = (),
                    released: tuple | None = None, open_weights: str = "all", min_context: int = 0,
                    higher_is_better: bool = True) -> pd.DataFrame:
    """The Frontier page's filters, reviewed-only first; the Pareto flag is recomputed on what is left (in the
    metric's direction: lower-is-better metrics keep the cheapest lowest scores)."""
    df = reviewed_only(market) if reviewed else market
    return filter_market(df, vendors=vendors, released=released, open_weights=open_weights, min_context=min_context,
                         higher_is_better=higher_is_better)


def with_frontier(df: pd.DataFrame, higher_is_better: bool = True, price_col: str = "price") -> pd.DataFrame:
    out = df.copy(deep=False)  # copy-on-write: the caller's frame keeps its own flag
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
        name = clean_text(r["name"]).strip()
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
                         "vendor": clean_text(r.get("vendor", "") or "").strip() or "yours",
                         "release_date": rel or None,
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
    # the rows `plottable` keeps, as a mask: only the few frontier rows are taken (not every column of every row)
    price = pd.to_numeric(points["price"], errors="coerce")
    quality = pd.to_numeric(points["quality"], errors="coerce")
    drawable = (np.isfinite(price) & (price > 0) & np.isfinite(quality)).to_numpy(dtype=bool)
    at = np.flatnonzero(drawable)
    on = points["on_frontier"].iloc[at].astype(bool).to_numpy(dtype=bool)
    fr = at[on]
    fr = fr[price.to_numpy(dtype=float)[fr].argsort(kind="quicksort")]  # `sort_values("price")`'s order, rows alone
    status = points["status"].iloc[at] if "status" in points.columns else pd.Series([""] * len(at), dtype=object)
    return {
        "models": int(len(points)),
        "plotted": int(len(at)),
        "on_frontier": int(len(fr)),
        "no_price": int(price.isna().sum()),
        "no_score": int(quality.isna().sum()),
        "unreviewed": int((status.astype(str) == "unreviewed").sum()),
        "cheapest_frontier": points.iloc[fr[0]].to_dict() if len(fr) else None,
        "best_frontier": points.iloc[fr[-1]].to_dict() if len(fr) else None,
    }


def frontier_table(points: pd.DataFrame) -> pd.DataFrame:
    fr = plottable(points)
    fr = fr.loc[fr["on_frontier"].astype(bool)].sort_values("price")
    cols = ["name", "vendor", "release_date", "price", "input_usd_per_mtok", "output_usd_per_mtok", "quality",
            "quality_source_id", "status", "model_id"]
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
    lin = dict(zip(map(pair_key, lineage["parent_id"].tolist(), lineage["child_id"].tolist()),
                   zip(lineage["relation"].tolist(), lineage["era"].tolist())))  # columns, not itertuples
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
    """Each pair's teacher and student names and the student's vendor; `models` with a model_id column or indexed
    by it (`queries.models_by_id`)."""
    m = models if "model_id" not in models.columns and models.index.name == "model_id" else models.set_index("model_id")
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


PAIR_SETS = {
    "article": "The article's pairs",
    "distilled": "All distilled pairs (lineage)",
    "lineage": "All lineage incl. successors",
}


def pair_set_rows(pair_set: str, lineage: pd.DataFrame, article_pairs: Sequence[tuple]) -> list[tuple]:
    """(teacher, student, relation, era) rows of a named pair set: the article's four pairs with their eras, the
    lineage table's distilled pairs, or every lineage edge (successors get the era "successor")."""
    rel = dict(zip(map(pair_key, lineage["parent_id"].tolist(), lineage["child_id"].tolist()),
                   lineage["relation"].tolist()))
    if pair_set == "article":
        return [(t, s, rel.get(pair_key(t, s), "distilled"), era) for t, s, era in article_pairs]
    lin = lineage if pair_set == "lineage" else lineage.loc[lineage["relation"] == "distilled"]
    rows = []
    for r in lin.itertuples():
        era = r.era if isinstance(r.era, str) and r.era else ("successor" if r.relation == "successor" else None)
        rows.append((r.parent_id, r.child_id, r.relation, era))
    return rows


def _pct(x) -> str:
    return f"{x:.0f} %"


def _cheaper_less(price_drop, quality_drop) -> str:
    p = f"{_pct(price_drop)} cheaper" if price_drop >= 0 else f"{_pct(-price_drop)} more expensive"
    if quality_drop is None or not np.isfinite(quality_drop):
        return p
    return p + (f" for {_pct(quality_drop)} less quality" if quality_drop >= 0 else
                f" for {_pct(-quality_drop)} more quality")


def article_headline(deltas: pd.DataFrame, models: pd.DataFrame) -> dict:
    """The article's headline from `lib.generations` output on its pairs: one sentence for the pre-distillation
    pair(s) and one for the distillation pairs (means), with the numbers it states. Nothing is hard-coded: names,
    years and percentages all come from the data. Pairs without prices or scores are left out and counted."""
    m = models.drop_duplicates("model_id").set_index("model_id")
    name = lambda i: str(m["name"].get(i, i))  # noqa: E731
    year = lambda i: str(m["release_date"].get(i, ""))[:4]  # noqa: E731
    d = deltas.loc[np.isfinite(deltas["price_drop_pct"].astype(float))
                   & np.isfinite(deltas["quality_drop_pct"].astype(float))]
    parts, numbers = [], {}
    for era in ("pre-distillation", "distillation"):
        e = d.loc[d["era"] == era]
        if e.empty:
            continue
        p, q = float(e["price_drop_pct"].mean()), float(e["quality_drop_pct"].mean())
        numbers[era] = {"pairs": int(len(e)), "price_drop_pct": p, "quality_drop_pct": q}
        years = "/".join(sorted({year(s) for s in e["student_id"] if year(s)}))
        pairs = ", ".join(f"{name(t)} → {name(s)}" for t, s in zip(e["teacher_id"], e["student_id"]))
        if len(e) == 1:
            parts.append(f"{pairs} ({years}): {_cheaper_less(p, q)}.")
        else:
            parts.append(f"{years} distillations ({pairs}): on average {_cheaper_less(p, q)}.")
    return {"text": " ".join(parts), "numbers": numbers, "missing": int(len(deltas) - len(d))}


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

PICKER_LIMIT = 50  # options a model picker ships to the browser at once; its search box narrows the rest


def picker_options(ids: Sequence[str], labels: dict, query: str, keep: Sequence[str] = (),
                   limit: int = PICKER_LIMIT) -> tuple[list[str], int]:
    """The options a bounded picker shows, and how many ids match: the ids whose id or label contains every word
    of `query` (case-insensitive; all ids when it is empty), the first `limit` of them in `ids`' order, with the
    `keep` ids (the current choice) always among them, in their place."""
    words = str(query or "").casefold().split()
    keep_set = {k for k in keep if k is not None}
    if words:
        hits = list(zip(ids, _search_texts(ids, labels)))
        for w in words:  # one pass per word (a generator per id costs more than the search)
            hits = [(i, text) for i, text in hits if w in text]
        matches = [i for i, _ in hits]
    else:
        matches = list(ids)
    shown = set(matches[:limit]) | (keep_set & set(ids))
    return [i for i in ids if i in shown], len(matches)


_SEARCH_TEXTS: OrderedDict = OrderedDict()  # (ids, their labels) -> the texts a search matches, a few lists
_SEARCH_LOCK = threading.Lock()


def _search_texts(ids: Sequence[str], labels: dict) -> list[str]:
    """Each id's label and id, case-folded: what `picker_options` searches, made once per list of ids and labels (a
    picker of 5,000 models searched again on every rerun: ~12 ms)."""
    ids = tuple(ids)
    key = (ids, tuple(labels.get(i, "") for i in ids))
    with _SEARCH_LOCK:
        texts = _SEARCH_TEXTS.get(key)
    if texts is None:
        texts = [f"{label} {i}".casefold() for i, label in zip(*key)]
        with _SEARCH_LOCK:
            _SEARCH_TEXTS[key] = texts
            while len(_SEARCH_TEXTS) > 4:
                _SEARCH_TEXTS.popitem(last=False)
    return texts


def compare_scores(scores: pd.DataFrame, names: dict) -> pd.DataFrame:
    """Newest score per metric (rows) and model (columns, by name) for the comparison table."""
    if scores.empty:
        return pd.DataFrame()
    newest = scores.sort_values("observed_date").groupby(["metric_name", "model_id"])["value"].last()
    return newest.unstack("model_id").rename(columns=names)


# Calculator page ----------------------------------------------------------------------------------------------

def workload_costs(market: pd.DataFrame, input_tokens: float, output_tokens: float, cache_hit_rate: float,
                   quality_bar: float | None, top_n: int = 5, higher_is_better: bool = True,
                   tasks_per_month: float | None = None) -> pd.DataFrame:
    """Monthly cost per model for a workload; `cheapest` flags the top_n cheapest that meet the quality bar
    (at or above it; at or below it for a lower-is-better metric). With `tasks_per_month`, the monthly cost is
    that many tasks at each model's `usd_per_task` (lib.costs: measured, or one task of a workload profile)."""
    df = market.copy()
    if tasks_per_month is not None:
        df["monthly_cost_usd"] = df["usd_per_task"].astype(float) * float(tasks_per_month)
    else:
        df["monthly_cost_usd"] = pricing.monthly_cost(
            df["input_usd_per_mtok"].astype(float), df["output_usd_per_mtok"].astype(float), input_tokens,
            output_tokens, cache_hit_rate,
            df["cache_read_usd_per_mtok"].astype(float) if "cache_read_usd_per_mtok" in df else None)
    df = with_frontier(df, higher_is_better, price_col="monthly_cost_usd")
    ok = plottable(df, "monthly_cost_usd")
    q = ok["quality"].astype(float)
    above = ok if quality_bar is None else ok.loc[q >= quality_bar if higher_is_better else q <= quality_bar]
    cheapest = above.sort_values(["monthly_cost_usd", "quality"], ascending=[True, not higher_is_better]).head(top_n)
    df["cheapest"] = df.index.isin(cheapest.index)
    df["cheapest_rank"] = df.index.map({i: n + 1 for n, i in enumerate(cheapest.index)})
    return df


def cheapest_table(costs: pd.DataFrame) -> pd.DataFrame:
    c = costs.loc[costs["cheapest"]].sort_values("cheapest_rank")
    cols = ["name", "vendor", "monthly_cost_usd", "usd_per_task", "quality", "input_usd_per_mtok",
            "output_usd_per_mtok", "cost_note", "model_id"]
    return c[[x for x in cols if x in c.columns]].reset_index(drop=True)


# Data page ----------------------------------------------------------------------------------------------------

def to_parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


csv_safe = safe_csv.neutralise_formulas  # the one guard (lib.safe_csv); this name is what older callers import


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV with control characters removed and formulas neutralised (lib.safe_csv, by content)."""
    return safe_csv.to_csv_bytes(df)


def host_spread(hosts: pd.DataFrame) -> pd.DataFrame:
    """Per observation date: how many hosts, and the cheapest, median and dearest blended (3:1) host price."""
    h = hosts.assign(blended=(3 * hosts["input_usd_per_mtok"] + hosts["output_usd_per_mtok"]) / 4)
    g = h.groupby("observed_date")
    out = pd.DataFrame({"hosts": g.size(), "cheapest": g["blended"].min(), "median": g["blended"].median(),
                        "dearest": g["blended"].max(),
                        "cheapest host": g.apply(lambda d: d.loc[d["blended"].idxmin(), "provider"],
                                                 include_groups=False)})
    return out.reset_index()
