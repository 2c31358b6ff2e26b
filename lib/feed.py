"""The frontier change feed: models entering and leaving the price–quality frontier of a metric, price changes of
frontier models, and new models that beat a frontier point; as rows, an Atom feed and a JSON file.

Pure core (``frontier_changes`` on a market series) plus a DB-backed entry and the writers. No Streamlit here.

Events, between two consecutive change dates P < D of the store (a price starts, a model is released or
deprecated), on one metric, with the frontier computed at each date exactly as the Frontier page does (all
priced and scored models; lib.frontier):
- ``entered``: on the frontier at D, not at P;
- ``left``: on the frontier at P, not at D (its price rose, it was withdrawn, or something beat it);
- ``price``: on the frontier at P or D, its price at D differs from its price at P;
- ``beaten``: a model released in (P, D] that is on the frontier at D and dominates a model that was on the
  frontier at P (``other`` names the beaten model).
"""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

from lib import clock, distillation, frontier, queries, snapshot

__all__ = ["KINDS", "EVENT_COLUMNS", "frontier_changes", "changes_from_db", "view_link", "atom_xml",
           "json_doc", "write_feed", "FRONTIER_PAGE", "FRONTIER_PARAMS", "ATOM_NS", "scored_metrics", "feed_dates",
           "entry_id", "entry_title", "display_rows"]

KINDS = ("entered", "left", "price", "beaten")
EVENT_COLUMNS = ["date", "previous_date", "metric_id", "kind", "model_id", "other_id", "price_before",
                 "price_after", "quality", "other_quality"]
ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_LIMIT = 500  # entries in the Atom document (a 2,000-entry feed is over 1 MB; readers want the newest)
FRONTIER_PAGE = "frontier"  # the dashboard's url_path of the Frontier page (dashboard.py)
FRONTIER_PARAMS = ("as_of", "metric")  # its query parameters for the date and the metric (pages/1_frontier.py)


def frontier_changes(series: pd.DataFrame, metric_id: str, higher_is_better: bool = True) -> pd.DataFrame:
    """Events between consecutive dates of ``series`` (``as_of, model_id, price, quality, release_date``)."""
    s = series[["as_of", "model_id", "price", "quality", "release_date"]]
    as_of = pd.to_datetime(s["as_of"]).to_numpy()
    order = np.argsort(as_of, kind="stable")
    as_of = as_of[order]
    ids = s["model_id"].to_numpy(dtype=object)[order]
    price = pd.to_numeric(s["price"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)[order]
    quality = pd.to_numeric(s["quality"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)[order]
    release = pd.to_datetime(s["release_date"], errors="coerce").to_numpy()[order]
    bounds = np.flatnonzero(np.r_[True, as_of[1:] != as_of[:-1], True])
    rows = []
    prev = None  # (date, frontier set, {id: price}, {id: quality})
    for i, j in zip(bounds[:-1], bounds[1:]):
        d = pd.Timestamp(as_of[i])
        p, q = price[i:j], quality[i:j]
        ok = np.isfinite(p) & (p > 0) & np.isfinite(q)
        mask = np.zeros(j - i, dtype=bool)
        mask[ok] = frontier.pareto_mask(p[ok], q[ok], higher_is_better=higher_is_better)
        front = set(ids[i:j][mask])
        prices = dict(zip(ids[i:j], p))
        quals = dict(zip(ids[i:j], q))
        if prev is not None:
            pd_, pfront, pprices, pquals = prev

            def ev(kind, model, other=None):
                rows.append({"date": d, "previous_date": pd_, "metric_id": metric_id, "kind": kind,
                             "model_id": model, "other_id": other, "price_before": pprices.get(model, np.nan),
                             "price_after": prices.get(model, np.nan),
                             "quality": quals.get(model, pquals.get(model, np.nan)),
                             "other_quality": pquals.get(other, np.nan) if other else np.nan})

            entered = sorted(front - pfront)
            for m in entered:
                ev("entered", m)
            for m in sorted(pfront - front):
                ev("left", m)
            for m in sorted(front | pfront):
                a, b = pprices.get(m, np.nan), prices.get(m, np.nan)
                if np.isfinite(a) and np.isfinite(b) and not np.isclose(a, b, rtol=1e-9, atol=0):
                    ev("price", m)
            rel = dict(zip(ids[i:j], release[i:j]))
            for m in entered:
                r = rel.get(m)
                if r is None or pd.isna(r) or not (pd_ < pd.Timestamp(r) <= d):
                    continue
                pn, qn = prices[m], quals[m]
                for f in sorted(pfront):
                    pf, qf = pprices.get(f, np.nan), pquals.get(f, np.nan)
                    better = qn >= qf if higher_is_better else qn <= qf
                    if pn <= pf and better and (pn < pf or qn != qf):
                        ev("beaten", m, f)
        prev = (d, front, prices, quals)
    out = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    return out.sort_values(["date", "kind", "model_id", "other_id"], kind="stable", na_position="first") \
        .reset_index(drop=True)


def scored_metrics(con) -> list[str]:
    """Metrics that have at least one score (the feed's default)."""

    m = queries.metrics(con)
    return sorted(m.loc[m["models"] > 0, "metric_id"]) if "models" in m else sorted(m["metric_id"])


def feed_dates(con, today: dt.date | None = None) -> list[dt.date]:
    """The store's change dates (prices starting, releases) plus deprecations, up to today."""

    today = today or clock.today()
    dates = set(queries.change_dates(con))
    dep = pd.to_datetime(queries.models(con).get("deprecation_date"), errors="coerce")
    if dep is not None:
        dates |= {d.date() for d in dep.dropna()}
    return sorted(d for d in dates if d is not None and d <= today)


def changes_from_db(con, metric_id: str, basis: str = "blended", ratio="3:1", since=None) -> pd.DataFrame:
    """Frontier events of one metric from the store (one SQL statement over every change date)."""

    metric = snapshot.metric_row(con, metric_id)
    dates = feed_dates(con)
    if since is not None:  # keep the date before `since` so the first change after it has a "before"
        since = pd.Timestamp(since).date()
        before = [d for d in dates if d < since]
        dates = before[-1:] + [d for d in dates if d >= since]
    if len(dates) < 2:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    series = distillation.market_series(con, dates, metric_id, basis, ratio)
    series = series.loc[series["quality"].notna()]  # only scored models can be on the frontier
    return frontier_changes(series, metric_id, bool(metric.get("higher_is_better", True)))


def view_link(date, metric_id: str, hi=None, base_url: str = "") -> str:
    """The Frontier page at the month of ``date`` and the metric. The page's date slider holds month ends and
    puts its shown label in the URL: ``YYYY-MM``; the newest month is the page's default ("today"), so a change
    in it links without a date."""
    from urllib.parse import urlencode

    d = pd.Timestamp(date)
    month_end = (d + pd.offsets.MonthEnd(0)).date()
    params = {}
    if hi is None or month_end < (pd.Timestamp(hi) + pd.offsets.MonthEnd(0)).date():
        params[FRONTIER_PARAMS[0]] = month_end.strftime("%Y-%m")
    params[FRONTIER_PARAMS[1]] = metric_id
    base = base_url.rstrip("/") + "/" if base_url else ""
    return f"{base}{FRONTIER_PAGE}?{urlencode(params)}"


def _usd(x) -> str:
    return "no price" if x is None or not np.isfinite(x) else f"${x:,.4g}"


def entry_title(e: dict, names: dict) -> str:
    n = names.get(e["model_id"], e["model_id"])
    m = e["metric_id"]
    if e["kind"] == "entered":
        return f"{n} joined the {m} frontier at {_usd(e['price_after'])}"
    if e["kind"] == "left":
        return f"{n} left the {m} frontier"
    if e["kind"] == "price":
        return f"{n} (on the {m} frontier): price {_usd(e['price_before'])} → {_usd(e['price_after'])}"
    o = names.get(e["other_id"], e["other_id"])
    return f"New model {n} beats {o} on the {m} frontier"


def entry_id(e: dict) -> str:
    """A stable id (tag URI) per event: the same change always gets the same id across feed rebuilds."""
    d = pd.Timestamp(e["date"]).strftime("%Y-%m-%d")
    other = f"/{e['other_id']}" if isinstance(e.get("other_id"), str) and e["other_id"] else ""
    return f"tag:llm-frontier-dashboard,2024:{e['metric_id']}/{d}/{e['kind']}/{e['model_id']}{other}"


def _entries(events: pd.DataFrame, names: dict, hi, base_url: str) -> list[dict]:
    out = []
    for e in events.sort_values(["date", "metric_id", "kind", "model_id"], ascending=[False, True, True, True],
                                kind="stable").to_dict("records"):
        e = {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in e.items()}
        e["other_id"] = e["other_id"] if isinstance(e.get("other_id"), str) else None
        out.append({"id": entry_id(e), "date": pd.Timestamp(e["date"]).strftime("%Y-%m-%d"),
                    "previous_date": pd.Timestamp(e["previous_date"]).strftime("%Y-%m-%d"),
                    "metric_id": e["metric_id"], "kind": e["kind"], "model_id": e["model_id"],
                    "other_id": e["other_id"], "price_before": e["price_before"], "price_after": e["price_after"],
                    "quality": e["quality"], "title": entry_title(e, names),
                    "link": view_link(e["date"], e["metric_id"], hi, base_url)})
    return out


def json_doc(events: pd.DataFrame, names: dict, *, hi=None, base_url: str = "", generated=None) -> dict:
    return {"generated": pd.Timestamp(generated or dt.datetime.now(dt.timezone.utc)).isoformat(),
            "entries": _entries(events, names, hi, base_url)}


def atom_xml(events: pd.DataFrame, names: dict, *, hi=None, base_url: str = "", title: str = "", generated=None,
             self_href: str = "frontier-changes.atom", limit: int | None = None) -> bytes:
    """The events as an Atom 1.0 document (RFC 4287): one entry per event, newest first; at most ``limit``
    entries (feed readers poll the newest; the JSON file keeps every change)."""
    ET.register_namespace("", ATOM_NS)

    def el(parent, tag, text=None, **attrs):
        e = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: str(v) for k, v in attrs.items()})
        if text is not None:
            e.text = str(text)
        return e

    entries = _entries(events, names, hi, base_url)
    if limit:
        entries = entries[:limit]
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    if base_url:
        feed.set("{http://www.w3.org/XML/1998/namespace}base", base_url.rstrip("/") + "/")
    el(feed, "title", title or "LLM price–quality frontier: changes")
    el(feed, "id", "tag:llm-frontier-dashboard,2024:frontier-changes")
    updated = entries[0]["date"] if entries else pd.Timestamp(generated or clock.today()).strftime("%Y-%m-%d")
    el(feed, "updated", f"{updated}T00:00:00Z")
    el(feed, "link", rel="self", href=self_href)
    el(feed, "link", rel="alternate", href=(base_url.rstrip("/") + "/" if base_url else "") + FRONTIER_PAGE)
    author = el(feed, "author")
    el(author, "name", "LLM price–quality frontier dashboard")
    el(feed, "generator", "python -m lib feed")
    for e in entries:
        x = el(feed, "entry")
        el(x, "id", e["id"])
        el(x, "title", e["title"])
        el(x, "updated", f"{e['date']}T00:00:00Z")
        el(x, "link", rel="alternate", href=e["link"])
        el(x, "category", term=e["kind"], label=e["kind"])
        el(x, "category", term=e["metric_id"], scheme="metric")
        el(x, "summary", f"{e['title']} (between {e['previous_date']} and {e['date']}; prices in USD per million "
                         "tokens, blended 3:1).")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def write_feed(out_dir, events: pd.DataFrame, names: dict, *, hi=None, base_url: str = "",
               limit: int | None = ATOM_LIMIT) -> tuple[Path, Path]:
    """Write ``frontier-changes.atom`` (the newest ``limit`` changes) and ``frontier-changes.json`` (all of
    them) into ``out_dir``, each atomically."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    atom, js = out_dir / "frontier-changes.atom", out_dir / "frontier-changes.json"
    for path, data in ((atom, atom_xml(events, names, hi=hi, base_url=base_url, limit=limit)),
                       (js, json.dumps(json_doc(events, names, hi=hi, base_url=base_url), indent=1).encode())):
        tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return atom, js


def display_rows(events: pd.DataFrame, names: dict, *, hi=None, base_url: str = "") -> pd.DataFrame:
    """Events as the Changes page lists them, newest first: date, what happened, link to the Frontier view."""
    entries = _entries(events, names, hi, base_url)
    return pd.DataFrame({"date": [e["date"] for e in entries], "kind": [e["kind"] for e in entries],
                         "change": [e["title"] for e in entries], "view": [e["link"] for e in entries]})
