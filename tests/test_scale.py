"""The as-of design at scale, checked on small real stores: the one-statement replay gives exactly the per-date
snapshots, both give what a plain pandas reading of the clean price rows gives, and the replay chart works when
vendors come and go (a synthetic store built by benchmarks/synthetic.py through the project's write path).
"""
from __future__ import annotations

import datetime as dt
import json
import pickle

import pandas as pd
import plotly.io as pio
import pytest

from benchmarks import synthetic
from lib import export, figures, queries, snapshot, store, views
from tests.conftest import plotly_array


@pytest.fixture(scope="module")
def synth_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("synth") / "scale-small.duckdb"
    synthetic.build_store(path, intervals=1_500, models=60, vendors=12)
    return path


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal values; an all-empty column may come back as None or NaN depending on its dtype. A column of the same
    dtype on both sides is compared as it is; the others as objects, missing values as None (converting every
    column took most of the comparison's time)."""
    assert list(a.columns) == list(b.columns)
    differ = [c for c in a.columns if a[c].dtype != b[c].dtype]
    norm = [df.assign(**{c: df[c].astype(object).where(df[c].notna(), None) for c in differ}) for df in (a, b)]
    pd.testing.assert_frame_equal(*norm, check_dtype=False)


def _check_replay_equals_snapshots(path, dates, metric):
    con = store.connect_readonly(path)
    try:
        series = queries.snapshots_as_of(con, dates, metric)
        assert sorted(series["as_of"].dt.date.unique()) == sorted(set(dates))
        for d in dates:
            one = queries.snapshot_as_of(con, d, metric).reset_index(drop=True)
            frame = series.loc[series["as_of"] == pd.Timestamp(d)].drop(columns="as_of").reset_index(drop=True)
            _same(one, frame)
        return series
    finally:
        con.close()


def _check_against_pandas(path, dates):
    con = store.connect_readonly(path)
    try:
        prices = con.execute("SELECT * FROM prices").df()
        priorities = dict(con.execute("SELECT source_id, priority FROM sources").fetchall())
        for d in dates:
            want = synthetic.pandas_prices_as_of(prices, priorities, d)
            got = queries.snapshot_as_of(con, d).dropna(subset=["price_source_id"])
            got = got.sort_values("model_id").reset_index(drop=True)
            # a model that is not on the market yet (or deprecated) has no row, whatever its price rows say
            want = want.loc[want["model_id"].isin(set(queries.snapshot_as_of(con, d)["model_id"]))]
            assert list(got["model_id"]) == list(want["model_id"]), d
            assert list(got["price_source_id"]) == list(want["source_id"]), d
            assert got["input_usd_per_mtok"].tolist() == pytest.approx(want["input_usd_per_mtok"].tolist(), nan_ok=True)
            assert got["output_usd_per_mtok"].tolist() == pytest.approx(want["output_usd_per_mtok"].tolist(), nan_ok=True)
    finally:
        con.close()


def test_replay_in_one_statement_equals_the_snapshot_of_each_date_on_a_synthetic_store(synth_db):
    dates = views.month_ends(dt.date(2016, 1, 1), dt.date(2026, 3, 1))[::7]
    for metric in ("synth_index", "synth_arena"):  # a fixed score, and a leaderboard rating that drifts
        series = _check_replay_equals_snapshots(synth_db, dates, metric)
        assert series["input_usd_per_mtok"].notna().sum() > 100


def test_replay_in_one_statement_equals_the_snapshot_of_each_date_on_the_seed(frontier_db):
    dates = [dt.date(2023, 3, 14), dt.date(2024, 9, 30), dt.date(2024, 10, 1), dt.date(2025, 6, 30)]
    con = store.connect_readonly(frontier_db["db"])
    metrics = queries.metrics(con)
    con.close()
    drifting = metrics.loc[metrics["drifts"].astype(bool), "metric_id"].tolist()[:1]
    fixed = metrics.loc[~metrics["drifts"].astype(bool), "metric_id"].tolist()[:1]
    for metric in drifting + fixed:
        _check_replay_equals_snapshots(frontier_db["db"], dates, metric)


def _check_replay_rows_equal_the_drawable_snapshot_rows(con, dates, metric, vendors=None):
    lean = queries.replay_rows(con, dates, metric, vendors)
    full = queries.snapshots_as_of(con, dates, metric, vendors)
    drawable = full["price_source_id"].notna() & full["quality_source_id"].notna()
    want = full.loc[drawable, queries.REPLAY_COLUMNS].reset_index(drop=True)
    assert list(lean.columns) == queries.REPLAY_COLUMNS
    _same(lean, want)
    return lean


def test_the_replays_lean_rows_are_the_snapshot_rows_a_chart_can_draw(synth_db, frontier_db):
    """The replay reads only the (date, model) rows with a price and a score, and only the columns a frame draws:
    the same values, in the same order, as the full snapshots of every date (fixed and drifting metrics, vendor
    filter, dates before any model, one date, no date)."""
    check = _check_replay_rows_equal_the_drawable_snapshot_rows
    dates = views.month_ends(dt.date(2015, 1, 1), dt.date(2026, 3, 1))[::5]
    con = store.connect_readonly(synth_db)
    try:
        for metric in ("synth_index", "synth_arena"):
            assert len(check(con, dates, metric)) > 100
        some = check(con, dates, "synth_bench")
        vendors = sorted(set(some["vendor"]))[:3]
        assert set(check(con, dates, "synth_bench", vendors)["vendor"]) == set(vendors)
        assert check(con, [dt.date(2010, 1, 31)], "synth_index").empty
        assert check(con, [], "synth_index").empty
    finally:
        con.close()
    con = store.connect_readonly(frontier_db["db"])
    try:
        lo, hi = queries.date_span(con)
        for metric in queries.metrics(con)["metric_id"]:
            check(con, views.month_ends(lo, hi)[::3], metric)
    finally:
        con.close()


def test_the_replay_chart_is_the_same_from_the_lean_rows(frontier_db, synth_db, monkeypatch):
    """The Frontier chart with its replay, built from the lean replay rows and from the full snapshots: the same
    JSON (points, hovers, frontier, frames, slider)."""
    from lib import charts

    cases = [(frontier_db["db"], None, {}), (synth_db, "synth_index", {"reviewed": True}),
             (synth_db, "synth_arena", {"open_weights": "open"})]
    for path, metric, filters in cases:
        con = store.connect_readonly(path)
        try:
            metric = metric or snapshot.default_metric(con)
            lo, hi = queries.date_span(con)
            months = views.month_ends(lo, hi)[-40:]
            kw = dict(as_of=months[-5], metric_id=metric, filters=filters, replay_dates=months)
            lean = charts.frontier(con, **kw).fig
            with monkeypatch.context() as m:
                m.setattr(snapshot, "replay_markets_as_of", snapshot.markets_as_of)
                full = charts.frontier(con, **kw).fig
        finally:
            con.close()
        assert len(lean.frames) > 10
        assert pio.to_json(lean, validate=False) == pio.to_json(full, validate=False), path


def test_as_of_prices_equal_a_plain_pandas_reading_of_the_price_rows(synth_db, frontier_db):
    _check_against_pandas(synth_db, [dt.date(2016, 6, 30), dt.date(2019, 2, 28), dt.date(2025, 12, 31)])
    _check_against_pandas(frontier_db["db"], [dt.date(2023, 6, 1), dt.date(2024, 10, 1), dt.date(2025, 6, 30)])


def test_pandas_merge_asof_baseline_agrees_on_a_synthetic_store(synth_db):
    con = store.connect_readonly(synth_db)
    try:
        intervals = con.execute("SELECT * FROM price_intervals WHERE tier = 'standard' ORDER BY effective_from").df()
        prices = con.execute("SELECT * FROM prices").df()
        priorities = dict(con.execute("SELECT source_id, priority FROM sources").fetchall())
    finally:
        con.close()
    for d in (dt.date(2018, 1, 31), dt.date(2024, 12, 31)):
        a = synthetic.pandas_merge_asof(intervals, d)
        b = synthetic.pandas_prices_as_of(prices, priorities, d)
        _same(a, b)


def test_replay_chart_keeps_vendors_that_have_no_point_on_the_chosen_date(synth_db):
    """The Replay crash: a vendor with points in other months but none at the chosen date."""
    con = store.connect_readonly(synth_db)
    try:
        months = views.month_ends(dt.date(2016, 1, 1), dt.date(2025, 12, 31))
        series = snapshot.markets_as_of(con, months, "synth_index")
        as_of = dt.date(2016, 6, 30)
        points = snapshot.market_as_of(con, as_of, "synth_index")
    finally:
        con.close()
    drawn_now = set(views.plottable(points)["vendor"])
    drawn_ever = set(views.plottable(series)["vendor"])
    assert drawn_ever - drawn_now, "the store should have vendors that appear only later"
    fig = figures.frontier_figure(points, metric_label="Synthetic index", title=f"as of {as_of}", frames=series)
    assert len(fig.frames) == len(months)
    # every vendor ever drawn keeps a trace: its own, or the legend's "other vendors" beyond the top ten
    names = {t.name for t in fig.data}
    missing = {v for v in drawn_ever if figures.vendor_trace_name(v) not in names}
    assert not missing or figures.vendor_trace_name(figures.OTHER_VENDOR) in names
    # the last frame draws every model priced and scored then
    last = fig.frames[-1]
    drawn_last = sum(len(t.x) for t, i in zip(last.data, last.traces) if getattr(fig.data[i], "meta", None) != "frontier-line")
    assert drawn_last == len(views.plottable(series.loc[series["as_of"] == series["as_of"].max()]))


def _drawn_points(fig, frame=None) -> tuple[dict, list]:
    """model_id → (x, y, hover row, marker size, outline width) of every vendor point, and the frontier line's
    (x, y, label) steps, of the figure or of one of its replay frames (plain dicts or Plotly objects alike; a frame
    also as its `to_plotly_json()`: reading a frame's Plotly `layout` builds it, ~15 ms a frame)."""
    def get(t, key):
        v = t.get(key) if isinstance(t, dict) else getattr(t, key)
        if isinstance(v, dict) and "bdata" in v:  # a typed array, as a pickled figure keeps it
            return plotly_array(v)
        return [] if v is None else v

    frame_data = frame["data"] if isinstance(frame, dict) else None if frame is None else frame.data
    data = list(fig.data) if frame is None else [t.to_plotly_json() if hasattr(t, "to_plotly_json") else t
                                                 for t in frame_data]
    points, line = {}, []
    for i, t in enumerate(data):
        x, y = list(get(t, "x")), list(get(t, "y"))
        if getattr(fig.data[i], "meta", None) == "frontier-line":
            text = list(get(t, "text")) or [None] * len(x)
            line = [(float(a), float(b), c) for a, b, c in zip(x, y, text)]
            continue
        marker = get(t, "marker") or {}
        marker = marker if isinstance(marker, dict) else marker.to_plotly_json()
        sizes, widths = marker.get("size", []), marker.get("line", {}).get("width", [])
        for j, (a, b, cd) in enumerate(zip(x, y, get(t, "customdata"))):
            size = sizes[j] if isinstance(sizes, (list, tuple)) else sizes
            width = widths[j] if isinstance(widths, (list, tuple)) else widths
            points[cd[0]] = (float(a), float(b), [str(c) for c in cd], size, width)
    return points, line


def _seed_month_end_markets(frontier_db) -> pd.DataFrame:
    """The seed's market at every month end on its first metric, with frontier flags: the replay's series."""
    con = store.connect_readonly(frontier_db["db"])
    try:
        lo, hi = queries.date_span(con)
        series = snapshot.markets_as_of(con, views.month_ends(lo, hi), queries.metrics(con)["metric_id"].iloc[0])
    finally:
        con.close()
    return pd.concat([views.frontier_points(g) for _, g in series.groupby("as_of")])


def test_each_replay_frame_draws_what_the_chart_of_that_month_draws_on_the_seed(frontier_db):
    """Playing the replay to a month shows the same points, hovers, frontier markers and frontier line as the
    chart built for that month alone (the frames are cut from the whole series at once, unvalidated)."""
    series = _seed_month_end_markets(frontier_db)
    fig = figures.frontier_figure(series.loc[series["as_of"] == series["as_of"].max()].drop(columns="as_of"),
                                  metric_label="Q", title="as of", frames=series)
    by_name = {f.name: f.to_plotly_json() for f in fig.frames}
    assert len(by_name) == figures._drawable(series, "price")["as_of"].nunique()
    checked = 0
    for day, month in series.groupby("as_of"):
        if not len(views.plottable(month)):
            continue
        frame = by_name[str(day.date())[:7]]
        still = figures.frontier_figure(month.drop(columns="as_of"), metric_label="Q", title="as of")
        assert _drawn_points(fig, frame) == _drawn_points(still), day
        assert f"({len(figures._drawable(month, 'price'))} models," in frame["layout"]["title"]["text"]
        checked += 1
    assert checked >= 6
    # a cache hit (the chart pickled and back) gives the same chart, frames included, and stays cheap to pickle
    again = pickle.loads(pickle.dumps(fig))
    assert json.loads(pio.to_json(again, validate=False)) == json.loads(pio.to_json(fig, validate=False))
    assert type(pickle.loads(pickle.dumps(again))) is type(fig)
    assert _drawn_points(again, again.frames[-1])[0].keys() == _drawn_points(fig, fig.frames[-1])[0].keys()
    # an export is the current view: no frames, same traces
    out = export.prepare_for_export(fig)
    assert not out.frames and [t.name for t in out.data] == [t.name for t in fig.data]


def test_the_replay_slider_starts_on_the_month_the_chart_shows(frontier_db):
    """The chart before playing is the chosen date's market: the slider under it names that month, not the newest."""
    series = _seed_month_end_markets(frontier_db)
    series = series.loc[series["as_of"] >= series["as_of"].max() - pd.DateOffset(months=8)]  # a short replay is enough
    labels = sorted({str(d.date())[:7] for d in figures._drawable(series, "price")["as_of"]})
    assert len(labels) >= 3
    for chosen in (labels[len(labels) // 2], labels[0], labels[-1]):
        day = pd.Timestamp(chosen + "-15")
        month = series.loc[series["as_of"].dt.strftime("%Y-%m") == chosen].drop(columns="as_of")
        fig = figures.frontier_figure(month, metric_label="Q", title="as of", frames=series,
                                      market_as_of=day.date())
        slider = fig.layout.sliders[0]
        assert slider.steps[slider.active].label == chosen
    # a date before the first frame starts at the first; no chosen date, at the newest
    fig = figures.frontier_figure(month, metric_label="Q", title="as of", frames=series)
    assert fig.layout.sliders[0].steps[fig.layout.sliders[0].active].label == labels[-1]
    assert figures._active_step(labels, dt.date(1999, 1, 1)) == 0


def test_a_charts_data_date_is_the_newest_observation_up_to_today(synth_db):
    """The one-statement "data as of" of every chart gives what the Data page's rule (newest snapshot per source,
    price start or release date, never after today) gives from the sources summary and the change dates."""
    from lib import charts

    con = store.connect_readonly(synth_db)
    try:
        lo, hi = queries.date_span(con)
        for today in [lo, dt.date(2019, 5, 17), dt.date(2025, 12, 30), hi, dt.date(2031, 1, 1)]:
            rule = views.newest_data_date(queries.sources_summary(con), queries.change_dates(con), today)
            assert charts.newest_observation(con, today) == (rule or charts.newest_data_date(con, today)), today
    finally:
        con.close()


# Every date on which one of a model's standard-tier intervals starts or ends, from its start on (its release date;
# without one, its first such date), and that start: where the long way asks the as-of answer.
_BOUNDS = """
WITH iv AS (SELECT model_id, effective_from, effective_to_resolved FROM price_intervals
            WHERE tier = 'standard' AND list_contains(?, model_id)),
b AS (SELECT model_id, effective_from AS d FROM iv
      UNION SELECT model_id, effective_to_resolved FROM iv WHERE effective_to_resolved IS NOT NULL),
s AS (SELECT b.model_id, COALESCE(any_value(m.release_date), min(b.d)) AS start
      FROM b JOIN models m USING (model_id) GROUP BY b.model_id)
SELECT model_id, d FROM b JOIN s USING (model_id) WHERE d >= start
UNION SELECT model_id, start FROM s
ORDER BY model_id, d"""


def _headline_histories_at_bounds(con, model_ids) -> pd.DataFrame:
    """The Models page's price line the long way, for all of `model_ids` at once (one frame, sorted by model): the
    as-of answer over `price_intervals` (`queries.PRICES_AT_INTERVALS`: the winning covering interval) at every
    bound of `_BOUNDS`, each answer holding until the next bound (the last: until its interval's end); no price
    left out; consecutive rows of a model merged when they continue each other at the same price."""
    asked = con.execute(_BOUNDS, [list(model_ids)]).df()
    p = queries.prices_at(con, pd.DataFrame({"model_id": asked["model_id"], "at_date": asked["d"]}),
                          queries.PRICES_AT_INTERVALS)
    out = pd.DataFrame({
        "model_id": asked["model_id"].to_numpy(),
        "effective_from": pd.to_datetime(asked["d"]).astype("datetime64[s]"),
        "input_usd_per_mtok": p["input_usd_per_mtok"].to_numpy(float),
        "output_usd_per_mtok": p["output_usd_per_mtok"].to_numpy(float),
        "date_kind": p["price_date_kind"].to_numpy(),
        "source_id": p["price_source_id"].to_numpy(),
        "source_ref": p["price_source_ref"].to_numpy(),
    })
    nxt = out.groupby("model_id", sort=False)["effective_from"].shift(-1)
    last = out["model_id"].ne(out["model_id"].shift(-1))
    out["effective_to"] = nxt.where(~last, pd.to_datetime(p["price_effective_to"]).astype("datetime64[s]"))
    out = out[out["input_usd_per_mtok"].notna() | out["output_usd_per_mtok"].notna()].reset_index(drop=True)
    prev = out.shift()
    same = (out["model_id"].eq(prev["model_id"]) & out["input_usd_per_mtok"].eq(prev["input_usd_per_mtok"])
            & out["output_usd_per_mtok"].eq(prev["output_usd_per_mtok"])
            & out["effective_from"].eq(prev["effective_to"]))
    run_ends = ~same.shift(-1, fill_value=False).to_numpy()  # each run's last row: its end is the merged row's
    out = out[~same].assign(effective_to=out["effective_to"].to_numpy()[run_ends])
    return out[snapshot.HISTORY_COLUMNS].reset_index(drop=True)


def test_a_models_headline_history_read_from_its_spans_is_the_as_of_answer_at_every_change(synth_db, frontier_db):
    """The Models page's price line, read from `headline_spans` one model at a time, equals the as-of query asked at
    every date one of the model's intervals starts or ends (the way it was read before, here for all the chosen
    models at once): on every model of the synthetic store, and on the seed's models where precedence and interval
    bounds decide the answer (standard-tier prices from two or more sources, or three or more intervals) plus every
    tenth other model (one interval or none)."""
    tricky = """SELECT model_id FROM price_intervals WHERE tier = 'standard' GROUP BY model_id
                HAVING count(DISTINCT source_id) >= 2 OR count(*) >= 3"""
    for path, every in ((synth_db, True), (frontier_db["db"], False)):
        con = store.connect_readonly(path)
        try:
            ids = [r[0] for r in con.execute("SELECT model_id FROM models ORDER BY model_id").fetchall()]
            hard = {r[0] for r in con.execute(tricky).fetchall()}
            chosen = ids if every else [m for i, m in enumerate(ids) if m in hard or i % 10 == 0]
            assert every or len(hard) >= 50  # the seed has many models whose answer the bounds decide
            got = {m: snapshot.headline_price_history(con, m) for m in chosen}
            want = _headline_histories_at_bounds(con, chosen)
        finally:
            con.close()
        priced = [m for m in chosen if len(got[m])]
        assert len(priced) > len(chosen) / 2
        assert sorted(set(want["model_id"])) == sorted(priced), path  # the same models have a price line
        both = pd.concat([got[m] for m in sorted(priced)], ignore_index=True)
        try:
            pd.testing.assert_frame_equal(both, want)
        except AssertionError:  # name the first model whose line differs
            for m in sorted(priced):
                pd.testing.assert_frame_equal(got[m], want[want["model_id"] == m].reset_index(drop=True))
            raise


def _traces_and_arrows_json(fig, validate: bool) -> str:
    """The JSON of a figure's traces and annotations as they are, or rebuilt with Plotly's validation of every
    property (the order of the layout's own keys follows the calls that set them, so it is left out)."""
    import plotly.graph_objects as go

    spec = fig.to_dict()
    if validate:
        spec = go.Figure(spec).to_dict()
    return pio.to_json({"data": spec["data"], "annotations": spec["layout"].get("annotations", [])}, validate=False)


@pytest.mark.parametrize("webgl_threshold", [0, 10_000])
def test_figures_built_without_validation_write_the_json_a_validated_figure_writes(synth_db, frontier_db,
                                                                                   webgl_threshold):
    # the Frontier and Generations figures take their traces as plain dicts (no validation: most of a new chart's
    # time at scale) and spec_json reads the props without a deep copy: both write exactly Plotly's own JSON
    from lib import charts
    from lib.curate.article import ARTICLE_PAIRS

    for path, metric, day in ((synth_db, "synth_index", dt.date(2024, 6, 30)),
                              (frontier_db["db"], "aa_quality_2024", dt.date(2025, 1, 31))):
        con = store.connect_readonly(path)
        try:
            market = snapshot.market_as_of(con, day, metric)
            fig = figures.frontier_figure(views.plottable(market), metric_label="Q", webgl_threshold=webgl_threshold,
                                          headline_pairs=charts.article_headline_pairs())
            assert len(fig.data) > 2
            assert figures.spec_json(fig) == pio.to_json(fig.to_dict(), validate=False)
            assert _traces_and_arrows_json(fig, False) == _traces_and_arrows_json(fig, True)
            rows = views.pair_set_rows("lineage", queries.lineage(con), ARTICLE_PAIRS)
            gen = charts.generations_chart(con, metric_id=metric, pairs=tuple(rows))
            assert len(gen.fig.layout.annotations) >= 3
            assert figures.spec_json(gen.fig) == pio.to_json(gen.fig.to_dict(), validate=False)
            assert _traces_and_arrows_json(gen.fig, False) == _traces_and_arrows_json(gen.fig, True)
        finally:
            con.close()


def test_hover_texts_formatted_in_one_pass_equal_the_per_value_formatters():
    import numpy as np

    values = [None, float("nan"), 0.0, -0.0, 1e-9, 0.123456, 0.9995, 1.0, 1.005, 99.995, 100.0, 1234567.5, -5.0,
              -0.5, -150.0, float("inf")]
    assert list(figures.fmt_usd_each(np.array(values, dtype=float))) == [figures.fmt_usd(v) for v in values]
    assert list(figures.fmt_usd_each(values)) == [figures.fmt_usd(v) for v in values]
    names = pd.Series(["a & b <i>", None, "plain", "x>y"], dtype="str")
    assert figures.escape_each(names) == [figures.escape(v) for v in names]
    # scores: remembered texts (a second chart), a memory emptied when full, a replay's long series
    scores = np.array([0.0, -0.0, 1e-9, 12.3456789, 99.99999, 1234.5, 1e21, -3.25], dtype=float)
    for _ in range(2):
        assert figures.score_texts(scores) == [f"{v:.4g}" for v in scores.tolist()]
    many = np.random.default_rng(1).lognormal(0, 3, figures._SCORE_TEXTS_MAX + 10)
    assert figures.score_texts(many[:20_000]) == [f"{v:.4g}" for v in many[:20_000].tolist()]
    assert len(figures._SCORE_TEXTS) <= figures._SCORE_TEXTS_MAX
    series = np.tile(scores, 4000)  # over _FORMAT_ONCE_ABOVE: each distinct value formatted once
    assert figures.score_texts(series) == [f"{v:.4g}" for v in series.tolist()]


def test_price_rule_texts_filled_by_column_equal_the_rule_of_each_row():
    """The hover's price line, filled column-wise for the common cases: the same text as `_price_rule` row by row for
    every combination of rule, host, first-party flag, host count and upload flag (missing values of each kind,
    escaped host names), with and without the optional columns."""
    import itertools

    import numpy as np

    values = {
        "price_rule": [None, np.nan, "cheapest of hosts", "median of hosts", "headline", ""],
        "price_provider": [None, np.nan, "", "openrouter", "<b>x</b> & co", pd.NA],
        "price_first_party": [None, np.nan, True, False, 1, 0, pd.NA],
        "hosts": [None, np.nan, 3, 2.0],
        "is_user": [None, np.nan, True, False, 1, 0.0],
    }
    df = pd.DataFrame(list(itertools.product(*values.values())), columns=list(values), dtype=object)
    for cols in (list(values), ["price_provider", "price_first_party"], ["price_provider", "price_first_party",
                                                                          "is_user"], []):
        sub = df[cols] if cols else pd.DataFrame(index=df.index)
        by_row = [figures._price_rule(tuple(sub[c].iloc[i] if c in sub else None for c in values))
                  for i in range(len(sub))]
        assert figures.price_rule_text(sub) == by_row
    said = set(figures.price_rule_text(df))
    assert {"price: your upload", "price: the vendor's own API", "price: cheapest of 3 API host(s) (openrouter)",
            "price: host &lt;b&gt;x&lt;/b&gt; &amp; co (no vendor price in force)", ""} <= said
    assert figures.price_rule_text(df.iloc[0:0]) == []


def test_speed_read_from_the_kept_days_equals_the_query_on_every_observation_day(synth_db, frontier_db):
    """A chart's measured speed (the newest day on or before the date, medians over its providers), read from the
    per-day rows kept per store file: SPEED_AS_OF's rows and types, the day before, of and after each observation
    day, and before any (no rows; the synthetic store has none at all)."""
    for path in (synth_db, frontier_db["db"]):
        con = store.connect_readonly(path)
        try:
            days = [r[0] for r in con.execute("SELECT DISTINCT observed_date FROM speed ORDER BY 1").fetchall()]
            dates = [dt.date(2015, 1, 1)] + [d + dt.timedelta(k) for d in days for k in (-1, 0, 1)]
            for day in dates:
                kept = queries.speed_as_of(con, day)
                ref = queries.speed_as_of(con, day, sql=queries.SPEED_AS_OF + " ")  # another text: the query itself
                assert kept.dtypes.equals(ref.dtypes), day
                assert kept.equals(ref), day
            assert path == synth_db or len(kept) > 0
        finally:
            con.close()


def test_the_frontier_markets_speed_columns_equal_the_left_join(synth_db, frontier_db):
    """The Frontier chart's measured speed, looked up by model id instead of a join of every column: the frame
    `market.merge(speed, how="left")` gives (values, types, order), with speeds and without (the synthetic store)."""
    from lib import charts

    for path, metric in ((frontier_db["db"], None), (synth_db, "synth_index")):
        con = store.connect_readonly(path)
        try:
            metric = metric or snapshot.default_metric(con)
            days = [r[0] for r in con.execute("SELECT DISTINCT observed_date FROM speed ORDER BY 1").fetchall()]
            for day in [dt.date(2020, 6, 30), *days, dt.date(2026, 11, 29)]:
                market = snapshot.market_as_of(con, day, metric)
                speed = queries.speed_as_of(con, day)[["model_id", "output_tokens_per_s", "ttft_s",
                                                       "speed_observed_date"]]
                pd.testing.assert_frame_equal(charts._with_speed(market, speed),
                                              market.merge(speed, on="model_id", how="left"))
        finally:
            con.close()


def test_prices_at_read_from_the_headline_spans_equal_the_winning_interval(synth_db, frontier_db):
    for path in (synth_db, frontier_db["db"]):
        con = store.connect_readonly(path)
        try:
            # each price change, the day before and the day after, of 150 price rows; a date in a gap; an unknown id
            rows = con.execute("SELECT model_id, effective_from FROM prices ORDER BY hash(model_id, effective_from)"
                               " LIMIT 150").fetchall()
            ids = [m for m, _ in rows for _ in range(3)] + ["no-such/model", rows[0][0]]
            days = [pd.Timestamp(d) + pd.Timedelta(days=k) for _, d in rows for k in (-1, 0, 1)]
            days += [pd.Timestamp("2020-01-01"), pd.Timestamp("1990-01-01")]
            req = pd.DataFrame({"model_id": ids, "at_date": days})
            got = queries.prices_at(con, req)
            assert got["input_usd_per_mtok"].notna().sum() > 150
            pd.testing.assert_frame_equal(got, queries.prices_at(con, req, queries.PRICES_AT_INTERVALS))
            # the same requests again are answered from the kept rows: the same rows, and a copy of them
            again = queries.prices_at(con, req)
            pd.testing.assert_frame_equal(again, got)
            again.loc[:, "input_usd_per_mtok"] = -1.0
            pd.testing.assert_frame_equal(queries.prices_at(con, req), got)
        finally:
            con.close()


def test_metric_coverage_read_from_the_timelines_equals_the_count_over_every_interval_and_score(synth_db,
                                                                                                 frontier_db):
    for path in (synth_db, frontier_db["db"]):
        con = store.connect_readonly(path)
        try:
            # month ends over the data's span, a release and a retirement day, and before any data
            days = views.month_ends(dt.date(2016, 1, 1), dt.date(2026, 3, 1))[::5]
            days += [d for row in con.execute("SELECT min(release_date), max(deprecation_date) FROM models")
                     .fetchall() for d in row if d is not None] + [dt.date(1990, 1, 1)]
            counted = 0
            for day in days:
                got = queries.metric_coverage_as_of(con, day)  # counted in NumPy
                pd.testing.assert_frame_equal(got, queries.metric_coverage_as_of(
                    con, day, queries.METRIC_COVERAGE_AS_OF_INTERVALS))
                pd.testing.assert_frame_equal(got, con.execute(queries.METRIC_COVERAGE_AS_OF, {"as_of": day}).df())
                counted += int(got["models"].sum())
            assert counted > 100
        finally:
            con.close()


def test_generations_on_a_drifting_metric_score_each_pair_as_of_its_price_date_in_one_read(synth_db, frontier_db):
    # the scores as of every pair's date, read at once, equal one query per date (the way it was read before)
    from lib import generations
    from lib.curate.article import ARTICLE_PAIRS

    scored = 0
    for path, metric, policy in ((synth_db, "synth_arena", "student-launch"), (synth_db, "synth_arena", "2024-01-31"),
                                 (frontier_db["db"], "lmarena_text", "student-launch"),
                                 (frontier_db["db"], "lmarena_text", "2025-06-30")):
        con = store.connect_readonly(path)
        try:
            rows = views.pair_set_rows("lineage", queries.lineage(con), ARTICLE_PAIRS)
            pairs = pd.DataFrame(rows, columns=["teacher_id", "student_id", "relation", "era"])
            deltas, _ = generations.generations_from_db(con, metric, pairs, policy)
            scored += int(deltas["student_quality"].notna().sum())
            released = queries.models(con).set_index("model_id")["release_date"]
            for r in deltas.itertuples():  # scored as of the pair's date (its price may be read later: first price)
                day = pd.Timestamp(released[r.student_id] if policy == "student-launch" else policy).date()
                scores = queries.scores_for_metric(con, metric, as_of=day).set_index("model_id")["value"]
                for model_id, quality in ((r.teacher_id, r.teacher_quality), (r.student_id, r.student_quality)):
                    want = scores.get(model_id)
                    assert (pd.isna(quality) and want is None) or quality == want, (model_id, day)
        finally:
            con.close()
    assert scored > 10


def test_a_replay_over_its_point_budget_draws_the_frontier_and_a_fixed_sample_and_says_so(synth_db):
    con = store.connect_readonly(synth_db)
    try:
        months = views.month_ends(dt.date(2016, 1, 1), dt.date(2025, 12, 31))
        series = snapshot.markets_as_of(con, months, "synth_index")
        points = snapshot.market_as_of(con, months[-1], "synth_index")
    finally:
        con.close()
    frames_df = views.plottable(series)
    total = len(frames_df)
    assert total > 600
    by_month = dict(tuple(frames_df.groupby(frames_df["as_of"].dt.strftime("%Y-%m"))))
    fig = figures.frontier_figure(points, metric_label="Q", frames=series, replay_max_points=total // 4)
    frames = [f.to_plotly_json() for f in fig.frames]
    drawn = {f["name"]: _drawn_points(fig, f) for f in frames}
    drawn_total, sampled_ids, seen_ids = 0, set(), set()
    for frame in frames:
        month = by_month.get(frame["name"], frames_df.iloc[:0])
        pts, line = drawn[frame["name"]]
        drawn_total += len(pts)
        frontier = set(month.loc[month["on_frontier"].astype(bool), "model_id"])
        assert frontier <= set(pts), frame["name"]  # every frontier point is drawn
        assert len(line) == len(frontier)
        sampled_ids |= set(pts) - frontier
        seen_ids |= set(month["model_id"]) - frontier
        subtitle = frame["layout"]["title"]["subtitle"]["text"]
        assert f"{len(month)} models" in subtitle  # the frame's own figures count every model
        if len(pts) < len(month):
            assert f"Drawn: {len(pts)} of {len(month)} models" in subtitle
    assert drawn_total < total / 2  # bounded (about the budget, plus the frontier)
    # the same models every month: a sampled model is drawn in every frame it is on the market
    for frame in frames:
        month = by_month.get(frame["name"], frames_df.iloc[:0])
        assert set(month["model_id"]) & sampled_ids <= set(drawn[frame["name"]][0]), frame["name"]
    assert 0 < len(sampled_ids) < len(seen_ids)
    # within the budget nothing is left out and nothing is said
    whole = figures.frontier_figure(points, metric_label="Q", frames=series, replay_max_points=total)
    whole_frames = [f.to_plotly_json() for f in whole.frames]
    assert sum(len(_drawn_points(whole, f)[0]) for f in whole_frames) == total
    assert not any("Drawn:" in f["layout"]["title"]["subtitle"]["text"] for f in whole_frames)
