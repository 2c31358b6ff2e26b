"""The frontier change feed: known answers on a synthetic market, the Atom document parsed back against the
stored frontier, links that open the Frontier page at that view, the CLI and the Changes page."""
from __future__ import annotations

import datetime as dt
import json
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from lib import clock, feed, queries, snapshot, store
from lib.__main__ import main

A = "{http://www.w3.org/2005/Atom}"


def market(rows):
    return pd.DataFrame(rows, columns=["as_of", "model_id", "price", "quality", "release_date"]).assign(
        as_of=lambda d: pd.to_datetime(d["as_of"]), release_date=lambda d: pd.to_datetime(d["release_date"]))


SYNTH = market([
    ("2024-01-01", "old-big", 10.0, 80, "2023-01-01"),
    ("2024-01-01", "old-small", 1.0, 50, "2023-01-01"),
    ("2024-01-01", "old-mid", 5.0, 60, "2023-01-01"),     # dominated by nothing: on the frontier
    # Feb: "new" (released in Feb) beats old-mid; old-small gets cheaper
    ("2024-02-01", "old-big", 10.0, 80, "2023-01-01"),
    ("2024-02-01", "old-small", 0.5, 50, "2023-01-01"),
    ("2024-02-01", "old-mid", 5.0, 60, "2023-01-01"),
    ("2024-02-01", "new", 4.0, 70, "2024-01-15"),
    # Mar: old-big withdrawn (no price); nothing else changes
    ("2024-03-01", "old-big", np.nan, 80, "2023-01-01"),
    ("2024-03-01", "old-small", 0.5, 50, "2023-01-01"),
    ("2024-03-01", "old-mid", 5.0, 60, "2023-01-01"),
    ("2024-03-01", "new", 4.0, 70, "2024-01-15"),
])


def kinds(events, date):
    e = events.loc[events["date"] == pd.Timestamp(date)]
    return sorted(zip(e["kind"], e["model_id"], e["other_id"].fillna("")))


def test_known_changes_on_a_synthetic_market():
    ev = feed.frontier_changes(SYNTH, "m")
    assert kinds(ev, "2024-02-01") == [("beaten", "new", "old-mid"), ("entered", "new", ""),
                                       ("left", "old-mid", ""), ("price", "old-small", "")]
    r = ev.loc[(ev["kind"] == "price")].iloc[0]
    assert (r["price_before"], r["price_after"]) == (1.0, 0.5)
    assert kinds(ev, "2024-03-01") == [("left", "old-big", "")]
    assert set(ev["date"]) == {pd.Timestamp("2024-02-01"), pd.Timestamp("2024-03-01")}


def test_atom_parses_back_with_one_entry_per_event_and_stable_ids(tmp_path):
    ev = feed.frontier_changes(SYNTH, "m")
    atom, js = feed.write_feed(tmp_path, ev, {"new": "New <b>model</b>"}, hi="2024-03-15",
                               base_url="https://frontier.example.org/app")
    root = ET.parse(atom).getroot()
    assert root.tag == f"{A}feed"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{A}{tag}") is not None, tag
    entries = root.findall(f"{A}entry")
    assert len(entries) == len(ev)
    for e in entries:
        for tag in ("id", "title", "updated", "link"):
            assert e.find(f"{A}{tag}") is not None, tag
        href = e.find(f"{A}link").get("href")
        assert href.startswith("https://frontier.example.org/app/frontier?")
        assert "metric=m" in href
    titles = [e.find(f"{A}title").text for e in entries]
    assert "New model New <b>model</b> beats old-mid on the m frontier" in titles  # text, escaped by XML
    ids = [e.find(f"{A}id").text for e in entries]
    assert len(set(ids)) == len(ids)
    again = ET.fromstring(feed.atom_xml(ev, {}, hi="2024-03-15"))
    assert sorted(e.find(f"{A}id").text for e in again.findall(f"{A}entry")) == sorted(ids)
    doc = json.loads(js.read_text())
    assert sorted(e["id"] for e in doc["entries"]) == sorted(ids)
    # a link opens the month of its change; the newest month is the page's default view (no date)
    feb = [e for e in doc["entries"] if e["date"] == "2024-02-01"][0]
    assert "as_of=2024-02&" in feb["link"]
    march = [e for e in doc["entries"] if e["date"] == "2024-03-01"][0]
    assert "as_of" not in march["link"]


@pytest.fixture(scope="module")
def real(frontier_db):
    con = store.connect_readonly(frontier_db["db"])
    cov = queries.metrics(con).sort_values("models", ascending=False)
    metric_id = str(cov.iloc[0]["metric_id"])
    events = feed.changes_from_db(con, metric_id)
    yield con, metric_id, events
    con.close()


def test_stored_changes_match_the_frontier_at_each_date(real):
    con, metric_id, events = real
    assert len(events), "the best-covered metric has frontier changes"
    sample = events.drop_duplicates("date").sort_values("date")
    sample = sample.iloc[np.linspace(0, len(sample) - 1, min(6, len(sample))).astype(int)]
    for d, p in zip(sample["date"], sample["previous_date"]):
        now = snapshot.market_as_of(con, d.date(), metric_id)
        then = snapshot.market_as_of(con, p.date(), metric_id)
        on_now, on_then = set(now.loc[now["on_frontier"], "model_id"]), set(then.loc[then["on_frontier"], "model_id"])
        e = events.loc[events["date"] == d]
        assert set(e.loc[e["kind"] == "entered", "model_id"]) == on_now - on_then
        assert set(e.loc[e["kind"] == "left", "model_id"]) == on_then - on_now
        for r in e.loc[e["kind"] == "beaten"].itertuples():
            assert r.model_id in on_now and r.other_id in on_then


def test_cli_feed_writes_atom_whose_entries_are_the_stored_changes(frontier_env, real, tmp_path, capsys):
    con, metric_id, events = real
    assert main(["feed", "--out", str(tmp_path), "--metric", metric_id]) == 0
    assert "wrote" in capsys.readouterr().out
    root = ET.parse(tmp_path / "frontier-changes.atom").getroot()
    got = sorted(e.find(f"{A}id").text for e in root.findall(f"{A}entry"))
    want = sorted(feed.entry_id(r) for r in events.to_dict("records"))
    assert got == want
    doc = json.loads((tmp_path / "frontier-changes.json").read_text())
    assert len(doc["entries"]) == len(events)
    assert all(not e["link"].startswith("http") for e in doc["entries"])  # relative without --base-url
    # --limit keeps the newest changes in the Atom feed; the JSON file keeps them all
    assert main(["feed", "--out", str(tmp_path), "--metric", metric_id, "--limit", "3"]) == 0
    root = ET.parse(tmp_path / "frontier-changes.atom").getroot()
    dates = [e.find(f"{A}updated").text[:10] for e in root.findall(f"{A}entry")]
    assert len(dates) == min(3, len(events))
    assert dates[0] == events["date"].max().strftime("%Y-%m-%d") and dates == sorted(dates, reverse=True)
    assert len(json.loads((tmp_path / "frontier-changes.json").read_text())["entries"]) == len(events)


def test_cli_feed_refuses_bad_input_with_one_line(frontier_env, tmp_path, capsys):
    assert main(["feed", "--out", str(tmp_path), "--metric", "nope"]) == 2
    assert main(["feed", "--out", str(tmp_path), "--base-url", "javascript:alert(1)"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "unknown metric" in err[0] and "--base-url" in err[1]
    assert not (tmp_path / "frontier-changes.atom").exists()


def test_a_feed_link_opens_the_frontier_page_at_that_view(frontier_env, real):
    """The link's query parameters are the Frontier page's own: the page opens at that month and metric."""
    from urllib.parse import parse_qs, urlsplit

    from streamlit.testing.v1 import AppTest

    from tests.conftest import PROJECT_DIR

    con, metric_id, events = real
    hi = min(pd.Timestamp(queries.date_span(con)[1]).date(), clock.today())
    day = events["date"].iloc[len(events) // 2]
    link = feed.view_link(day, metric_id, hi)
    params = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    at = AppTest.from_file(str(PROJECT_DIR / "pages" / "1_frontier.py"), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    want = (day + pd.offsets.MonthEnd(0)).date()
    shown = dt.date.fromisoformat(at.select_slider(key=f"frontier.{feed.FRONTIER_PARAMS[0]}").value)
    assert shown == min(want, hi)
    assert at.selectbox(key=f"frontier.{feed.FRONTIER_PARAMS[1]}").value == metric_id


def test_changes_page_lists_the_stored_changes(frontier_env, real):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import PROJECT_DIR

    con, metric_id, events = real
    at = AppTest.from_file(str(PROJECT_DIR / "pages" / "9_changes.py"), default_timeout=90)
    at.query_params["metric"] = metric_id
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    table = at.dataframe[0].value
    assert len(table) == len(events)
    assert {m.label: m.value for m in at.metric}["Entered"] == str((events["kind"] == "entered").sum())
    at.multiselect(key="changes.kinds").set_value(["price"])
    at.run()
    assert set(at.dataframe[0].value["kind"]) <= {"price"}
