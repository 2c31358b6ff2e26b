"""The distillation index: known answers on a synthetic market, invariants on the real store, the CLI's JSON
shape, and the page's chart against the library."""
from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import numpy as np
import pandas as pd
import pytest

from lib import distillation, generations, queries, snapshot, store, views
from lib.__main__ import main
from lib.curate.article import ARTICLE_PAIRS, COMPOSITE_METRIC
from lib.errors import UsageError


def market(rows):
    return pd.DataFrame(rows, columns=["as_of", "model_id", "vendor", "price", "quality"]).assign(
        as_of=lambda d: pd.to_datetime(d["as_of"]))


SYNTH = market([
    # 2024-01: vendor a has a flagship at $20 and two cheap models; vendor b has nothing 10x cheaper.
    ("2024-01-31", "a/big", "a", 20.0, 80.0),
    ("2024-01-31", "a/mid", "a", 2.5, 70.0),     # only 8x cheaper: not a student at K = 10
    ("2024-01-31", "a/small", "a", 2.0, 56.0),   # exactly 10x cheaper: counts
    ("2024-01-31", "a/tiny", "a", 0.5, 40.0),
    ("2024-01-31", "b/big", "b", 10.0, 60.0),
    ("2024-01-31", "b/mid", "b", 5.0, 50.0),
    ("2024-01-31", "a/free", "a", 0.0, 79.0),    # a zero price is not a price: left out
    # 2024-02: a's small model gets better (a new student), b gets one at 20x cheaper
    ("2024-02-29", "a/big", "a", 20.0, 80.0),
    ("2024-02-29", "a/small2", "a", 1.0, 76.0),
    ("2024-02-29", "b/big", "b", 10.0, 60.0),
    ("2024-02-29", "b/small", "b", 0.5, 30.0),
    ("2024-02-29", "b/old", "b", 30.0, 55.0),    # older, pricier, worse
])


def row(series, period, scope, vendor):
    hit = series.loc[(series["period_end"] == pd.Timestamp(period)) & (series["scope"] == scope)
                     & (series["vendor"] == vendor)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_known_answers_on_a_synthetic_market():
    s = distillation.distillation_index(SYNTH, ratio=10)
    r = row(s, "2024-01-31", "vendor", "a")
    assert (r["flagship"], r["student"]) == ("a/big", "a/small")
    assert r["price_ratio"] == pytest.approx(10.0)
    assert r["quality_kept"] == pytest.approx(0.70)
    # b has no model 10x cheaper in January: no row, and the median is a's alone
    assert s.loc[(s["period_end"] == "2024-01-31") & (s["scope"] == "vendor"), "vendor"].tolist() == ["a"]
    r = row(s, "2024-02-29", "vendor", "a")
    assert r["student"] == "a/small2" and r["quality_kept"] == pytest.approx(0.95)
    r = row(s, "2024-02-29", "vendor", "b")
    assert (r["flagship"], r["student"], r["price_ratio"]) == ("b/big", "b/small", 20.0)
    assert r["quality_kept"] == pytest.approx(0.5)
    med = distillation.median_by_period(s).set_index("period_end")
    assert med.loc["2024-01-31", "quality_kept"] == pytest.approx(0.70)
    assert med.loc["2024-02-29", "quality_kept"] == pytest.approx((0.95 + 0.5) / 2)
    assert med.loc["2024-02-29", "vendors"] == 2
    # market scope: the market's best model and the best of any vendor at <= 1/10 of its price
    m = row(s, "2024-01-31", "market", "a")
    assert (m["flagship"], m["student"], m["quality_kept"]) == ("a/big", "a/small", pytest.approx(0.7))
    # K = 5: a/mid (8x) becomes a's student; b/mid is only 2x cheaper
    s5 = distillation.distillation_index(SYNTH, ratio=5)
    assert row(s5, "2024-01-31", "vendor", "a")["student"] == "a/mid"


def test_the_priciest_rule_takes_the_most_expensive_model_as_flagship():
    s = distillation.distillation_index(SYNTH, ratio=10, flagship="priciest")
    r = row(s, "2024-02-29", "vendor", "b")
    assert r["flagship"] == "b/old" and r["student"] == "b/small"
    assert r["quality_kept"] == pytest.approx(30 / 55)


@pytest.mark.parametrize("kwargs, message", [
    ({"ratio": 0.5}, "ratio"), ({"ratio": float("nan")}, "ratio"), ({"scopes": ("planet",)}, "scope"),
    ({"flagship": "loudest"}, "flagship"),
])
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(UsageError, match=message):
        distillation.distillation_index(SYNTH, **kwargs)


def test_period_ends_are_month_or_quarter_ends_clipped_to_the_newest_day():
    import datetime as dt

    d = distillation.period_ends(dt.date(2024, 1, 15), dt.date(2024, 5, 10), "month")
    assert d == [dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31), dt.date(2024, 4, 30),
                 dt.date(2024, 5, 10)]
    assert distillation.period_ends(dt.date(2024, 1, 15), dt.date(2024, 5, 10), "quarter") == [
        dt.date(2024, 3, 31), dt.date(2024, 5, 10)]


# --- the real store ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real(frontier_db):
    con = store.connect_readonly(frontier_db["db"])
    series, median = distillation.distillation_from_db(con, COMPOSITE_METRIC, 10, period="quarter")
    yield con, series, median
    con.close()


def test_real_index_rows_keep_their_definition(real):
    con, series, _ = real
    assert len(series), "the article's metric has an index"
    vendor_of = queries.models(con).set_index("model_id")["vendor"]
    v = series.loc[series["scope"] == "vendor"]
    assert (v["student"].map(vendor_of) == v["vendor"]).all()
    assert (v["flagship"].map(vendor_of) == v["vendor"]).all()
    assert (series["price_ratio"] >= 10 - 1e-9).all()
    assert ((v["quality_kept"] > 0) & (v["quality_kept"] <= 1)).all()
    m = series.loc[series["scope"] == "market"]
    assert ((m["quality_kept"] > 0) & (m["quality_kept"] <= 1)).all()
    assert m["period_end"].is_unique


def test_real_flagship_and_student_are_the_best_the_market_offered_then(real):
    con, series, _ = real
    when = sorted(series["period_end"].unique())[len(series["period_end"].unique()) // 2]
    mk = snapshot.market_as_of(con, pd.Timestamp(when).date(), COMPOSITE_METRIC)
    mk = mk.loc[np.isfinite(mk["price"].astype(float)) & (mk["price"] > 0) & mk["quality"].notna()]
    for r in series.loc[(series["period_end"] == when) & (series["scope"] == "vendor")].itertuples():
        own = mk.loc[mk["vendor"] == r.vendor]
        assert r.flagship_quality == own["quality"].max()
        cheap = own.loc[own["price"] <= r.flagship_price / 10 * (1 + 1e-9)]
        assert r.student_quality == cheap["quality"].max()


def test_an_article_pair_that_is_flagship_and_student_reads_the_same_on_the_index(frontier_db):
    """Where an article pair is a vendor's flagship and best >= 10x-cheaper model at the period end after the
    student's launch, the index shows exactly the quality loss `generations` reports for the pair."""
    con = store.connect_readonly(frontier_db["db"])
    try:
        rows = views.pair_set_rows("article", queries.lineage(con), ARTICLE_PAIRS)
        deltas, _ = generations.generations_from_db(con, COMPOSITE_METRIC,
                                                    pd.DataFrame(rows, columns=generations.PAIR_COLUMNS))
        series, _ = distillation.distillation_from_db(con, COMPOSITE_METRIC, 10, scopes=("vendor",))
    finally:
        con.close()
    matched = 0
    for d in deltas.itertuples():
        hit = series.loc[(series["flagship"] == d.teacher_id) & (series["student"] == d.student_id)]
        if len(hit):
            matched += 1
            assert 100 * (1 - hit["quality_kept"].iloc[0]) == pytest.approx(d.quality_drop_pct)
    assert matched >= 1, "no article pair appears on the index"


def test_points_scale_metrics_are_refused_with_one_line(real):
    con, _, _ = real
    points = queries.metrics(con)
    points = points.loc[points["scale"] == "points", "metric_id"].tolist()
    if not points:
        pytest.skip("no points-scale metric in this seed")
    with pytest.raises(UsageError, match="points scale"):
        distillation.distillation_from_db(con, points[0])


# --- CLI and page ------------------------------------------------------------------------------------------------

def run_cli(args) -> tuple[int, str]:
    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(args)
    return code, buf.getvalue()


def test_cli_json_has_the_issue_shape(frontier_env, real):
    _, series, _ = real
    code, out = run_cli(["distillation", "--metric", COMPOSITE_METRIC, "--ratio", "10", "--period", "quarter",
                         "--format", "json"])
    assert code == 0
    doc = json.loads(out)
    assert len(doc["series"]) == len(series)
    keys = {"period_end", "scope", "vendor", "flagship", "student", "price_ratio", "quality_kept"}
    for r in doc["series"]:
        assert set(r) == keys
        assert r["scope"] in ("market", "vendor")
        pd.Timestamp(r["period_end"])
    code, out = run_cli(["distillation", "--scope", "market", "--period", "quarter", "--format", "csv"])
    assert code == 0
    csv = pd.read_csv(io.StringIO(out))
    assert set(csv["scope"]) == {"market"}


def test_cli_refuses_a_bad_ratio_with_exit_2(frontier_env, capsys):
    assert main(["distillation", "--ratio", "0"]) == 2
    assert "ratio" in capsys.readouterr().err


def test_page_chart_draws_the_library_median_and_the_article_pairs(frontier_env, real):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import PROJECT_DIR
    from tests.test_pages import arr, spec

    at = AppTest.from_file(str(PROJECT_DIR / "pages" / "7_distillation.py"), default_timeout=60)
    at.query_params["period"] = "quarter"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    _, _, median = real
    s = spec(at)
    line = [t for t in s["data"] if t.get("meta") == "median-line"][0]
    assert np.allclose(arr(line["y"]), 100 * (1 - median.sort_values("period_end")["quality_kept"].to_numpy()))
    stars = [t for t in s["data"] if t.get("meta") == "article-pairs"]
    assert stars and len(arr(stars[0]["y"])) >= 1
    eras = {sh.get("name") for sh in s["layout"].get("shapes", [])}
    assert {"era:pre-distillation", "era:distillation"} <= eras
    # a larger K can only make the cheap model cheaper: the median line changes with it
    at.select_slider(key="distillation.k").set_value(50)
    at.run()
    assert not at.exception
    line50 = [t for t in spec(at)["data"] if t.get("meta") == "median-line"]
    assert not line50 or arr(line50[0]["y"]) != arr(line["y"])
