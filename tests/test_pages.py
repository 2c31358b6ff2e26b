"""One AppTest per page: drive its main widgets and check the figure's data and the numbers shown against the
library computed independently on the same database."""
from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib import clock, figures, frontier, generations, pricing, queries, snapshot, store, trends
from tests.conftest import PROJECT_DIR, plotly_array

PAGES = PROJECT_DIR / "pages"


def run_page(name: str, **params) -> AppTest:
    at = AppTest.from_file(str(PAGES / name), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


arr = plotly_array


def spec(at: AppTest, i: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def metric_values(at: AppTest) -> dict:
    return {m.label: m.value for m in at.metric}


@pytest.fixture
def con(frontier_env):
    c = store.connect_readonly(frontier_env)
    yield c
    c.close()


def newest_day(con) -> dt.date:
    hi = pd.Timestamp(queries.date_span(con)[1]).date()
    return min(hi, clock.today())


def expected_market(con, metric_id, as_of, basis="blended", ratio="3:1", vendors=None):
    m = snapshot.market_as_of(con, as_of, metric_id, basis, ratio)
    if vendors:
        m = m.loc[m["vendor"].isin(vendors)]
    ok = m.loc[np.isfinite(m["price"].astype(float)) & (m["price"].astype(float) > 0) & m["quality"].notna()]
    mask = frontier.pareto_mask(ok["price"].to_numpy(float), ok["quality"].to_numpy(float))
    return ok, set(ok.loc[mask, "model_id"])


def test_frontier_page_draws_every_priced_scored_model_and_the_frontier(con):
    at = run_page("1_frontier.py")
    metric_id = at.selectbox(key="frontier.metric").value
    as_of = dt.date.fromisoformat(at.select_slider(key="frontier.as_of").value)
    ok, on = expected_market(con, metric_id, as_of)
    s = spec(at)
    vendor_traces = [t for t in s["data"] if t["name"] != "Pareto frontier"]
    drawn = [row[0] for t in vendor_traces for row in t["customdata"]]
    assert sorted(drawn) == sorted(ok["model_id"])
    line = [t for t in s["data"] if t["name"] == "Pareto frontier"][0]
    assert {row[0] for row in line["customdata"]} == on
    assert arr(line["x"]) == sorted(arr(line["x"]))
    assert metric_values(at)["Models on the chart"] == str(len(ok))
    assert metric_values(at)["On the Pareto frontier"] == str(len(on))
    assert s["layout"]["xaxis"]["type"] == "log"


def test_frontier_vendor_filter_and_price_basis_change_the_chart(con):
    at = run_page("1_frontier.py")
    metric_id = at.selectbox(key="frontier.metric").value
    as_of = dt.date.fromisoformat(at.select_slider(key="frontier.as_of").value)
    ok, _ = expected_market(con, metric_id, as_of)
    vendor = ok["vendor"].value_counts().index[0]
    at.multiselect(key="frontier.vendors").set_value([vendor]).run()
    names = {t["name"] for t in spec(at)["data"]}
    assert names == {figures.vendor_trace_name(vendor), "Pareto frontier"}
    want, on = expected_market(con, metric_id, as_of, vendors=[vendor])
    assert metric_values(at)["Models on the chart"] == str(len(want))
    # Output-only price basis: every x is that model's output price.
    at.segmented_control(key="frontier.basis").set_value("output").run()
    t = [t for t in spec(at)["data"] if t["name"] == figures.vendor_trace_name(vendor)][0]
    out = want.set_index("model_id")["output_usd_per_mtok"]
    assert arr(t["x"]) == pytest.approx([out[r[0]] for r in t["customdata"]])


def test_frontier_narrow_filters_match_or_show_an_empty_state(con):
    # (URL → view is checked in the browser: AppTest does not feed query params to bound widgets.)
    at = run_page("1_frontier.py")
    at.segmented_control(key="frontier.weights").set_value("open").run()
    at.select_slider(key="frontier.ctx").set_value(1_000_000).run()
    assert not at.exception
    metric_id = at.selectbox(key="frontier.metric").value
    as_of = dt.date.fromisoformat(at.select_slider(key="frontier.as_of").value)
    ok, _ = expected_market(con, metric_id, as_of)
    big_open = ok.loc[ok["open_weights"].astype("boolean").fillna(False).astype(bool)
                      & (pd.to_numeric(ok["context_window"]).fillna(0) >= 1_000_000)]
    if big_open.empty:
        assert any("No model matches" in i.value for i in at.info)
        assert not at.get("plotly_chart")
    else:
        assert metric_values(at)["Models on the chart"] == str(len(big_open))


def test_frontier_replay_adds_one_frame_per_month(con):
    at = run_page("1_frontier.py")
    at.toggle(key="frontier.replay").set_value(True).run()
    s = spec(at)
    months = [m[:7] for m in at.select_slider(key="frontier.as_of").options]
    names = [f["name"] for f in s["frames"]]
    # one frame per month that has at least one priced and scored model, in order, ending at the newest month
    assert names == [m for m in months if m in names] and names[-1] == months[-1] and len(names) > 1
    assert s["layout"]["updatemenus"][0]["buttons"][0]["label"].endswith("Play")


def test_frontier_replay_frames_show_their_own_figures_and_arrows_not_todays(con):
    """Replay on the article's metric: no frame draws an arrow to a model not yet released at the frame's month, the
    last frame has the article's arrows, each frame's own counts are under its title, and the page does not show
    the chosen date's KPIs above a chart that plays other months."""
    at = run_page("1_frontier.py", metric=snapshot.default_metric(con))
    at.toggle(key="frontier.replay").set_value(True).run()
    assert not at.exception
    assert "Models on the chart" not in metric_values(at)
    s = spec(at)
    released = {m: pd.Timestamp(d) for m, d in zip(queries.models(con)["model_id"], queries.models(con)["release_date"])
                if pd.notna(d)}
    with_arrows = 0
    for f in s["frames"]:
        month_end = pd.Timestamp(f["name"]) + pd.offsets.MonthEnd(0)
        arrows = [a["name"] for a in f["layout"].get("annotations", []) if a.get("showarrow")]
        for name in arrows:
            teacher, student = name.removeprefix("headline:").split("->")
            assert released[teacher] <= month_end and released[student] <= month_end, (f["name"], name)
        with_arrows += bool(arrows)
        drawn = sum(len(arr(t.get("x"))) for t in f["data"] if "mode" not in t)  # the frontier line has a mode
        assert f["layout"]["title"]["subtitle"]["text"].startswith(f"{drawn} models"), f["name"]
    first = [a for a in s["frames"][0]["layout"].get("annotations", []) if a.get("showarrow")]
    assert with_arrows and not first  # the article's pairs appear during the replay, not from its first month


def test_frontier_shows_the_users_uploaded_models_marked_as_theirs(con):
    at = AppTest.from_file(str(PAGES / "1_frontier.py"), default_timeout=60)
    at.run()
    metric_id = at.selectbox(key="frontier.metric").value
    at.session_state["user_models"] = pd.DataFrame([{
        "model_id": "yours/my-model", "name": "My <model>", "vendor": "yours", "release_date": None,
        "input_usd_per_mtok": 0.01, "output_usd_per_mtok": 0.02, "metric_id": metric_id, "quality": 99.0}])
    at.run()
    mine = [t for t in spec(at)["data"] if t["name"] == "your models"]
    assert mine and mine[0]["customdata"][0][0] == "yours/my-model"
    assert mine[0]["customdata"][0][1] == "My &lt;model&gt;"


def _pairs_frame(rows):
    return pd.DataFrame(rows, columns=["teacher_id", "student_id", "relation", "era"])


def test_generations_page_draws_each_pair_and_states_the_era_summary(con):
    from lib import views
    from lib.curate.article import ARTICLE_PAIRS

    at = run_page("2_generations.py")
    metric_id = at.selectbox(key="generations.metric").value
    assert at.segmented_control(key="generations.pairset").value == "article"
    lin = queries.lineage(con)
    deltas, summary = generations.generations_from_db(
        con, metric_id, _pairs_frame(views.pair_set_rows("article", lin, ARTICLE_PAIRS)))
    complete = deltas.dropna(subset=["teacher_price", "student_price", "teacher_quality", "student_quality"])
    s = spec(at)
    arrows = [a for a in s["layout"].get("annotations", []) if a.get("showarrow")]
    assert len(arrows) == len(complete) == len(ARTICLE_PAIRS)
    shown = " ".join(m.value for m in at.markdown)
    scale = queries.metrics(con).set_index("metric_id").at[metric_id, "scale"]
    for row in summary.to_dict("records"):
        assert views.era_sentence(row, scale) in shown
    # the article's set reproduces its headline: ~96 % cheaper / ~7 % less quality for the three distillations
    dist = summary.set_index("era").loc["distillation"]
    assert f"{dist['mean_price_drop_pct']:.0f} % cheaper, {dist['mean_quality_drop_pct']:.0f} % less quality" in shown
    # removing every pair gives an empty state, not a traceback
    at.multiselect(key="generations.pairs_article").set_value([]).run()
    assert not at.exception
    assert any("No pairs selected" in i.value for i in at.info)


def test_generations_says_why_a_drifting_metric_scores_no_pair_at_the_students_launch(con):
    """A leaderboard metric that changes over time is read on each pair's price date, and new models join it after
    launch: on the students' launch dates no pair may be scored. The page says so and how to get the pairs (price
    both at the newest date), instead of only an empty chart beside a price-only summary."""
    from lib import views
    from lib.curate.article import ARTICLE_PAIRS

    metrics = queries.metrics(con)
    pairs = _pairs_frame(views.pair_set_rows("article", queries.lineage(con), ARTICLE_PAIRS))

    def scored(metric_id, price_date):
        d, _ = generations.generations_from_db(con, metric_id, pairs, price_date=price_date)
        return int(d[["teacher_quality", "student_quality"]].notna().all(axis=1).sum())

    found = next((m for m in metrics.loc[metrics["drifts"].fillna(False).astype(bool), "metric_id"]
                  if scored(m, "student-launch") == 0 and scored(m, "today") > 0), None)
    if found is None:
        pytest.skip("no drifting metric in this data leaves every article pair unscored at the student's launch")
    at = run_page("2_generations.py", metric=found)
    assert not at.exception
    assert any("newest date in the data" in i.value for i in at.info)
    at = run_page("2_generations.py", metric=found, price_date="today")
    assert not any("newest date in the data" in i.value for i in at.info)
    assert [a for a in spec(at)["layout"].get("annotations", []) if a.get("showarrow")]


def test_generations_pair_set_choice_changes_the_pairs_and_the_era_summary(con):
    from lib import views
    from lib.curate.article import ARTICLE_PAIRS

    at = run_page("2_generations.py")
    metric_id = at.selectbox(key="generations.metric").value
    before = [m.value for m in at.markdown if m.value.startswith("####")]
    at.segmented_control(key="generations.pairset").set_value("distilled").run()
    assert not at.exception
    lin = queries.lineage(con)
    rows = views.pair_set_rows("distilled", lin, ARTICLE_PAIRS)
    assert len(at.multiselect(key="generations.pairs_distilled").value) == len(rows) > len(ARTICLE_PAIRS)
    deltas, summary = generations.generations_from_db(con, metric_id, _pairs_frame(rows))
    after = [m.value for m in at.markdown if m.value.startswith("####")]
    scale = queries.metrics(con).set_index("metric_id").at[metric_id, "scale"]
    assert after == [f"#### {views.era_sentence(r, scale)}" for r in summary.to_dict("records")]
    assert after != before
    complete = deltas.dropna(subset=["teacher_price", "student_price", "teacher_quality", "student_quality"])
    assert len([a for a in spec(at)["layout"].get("annotations", []) if a.get("showarrow")]) == len(complete)
    # every lineage edge, successors included
    at.segmented_control(key="generations.pairset").set_value("lineage").run()
    assert not at.exception
    assert len(at.multiselect(key="generations.pairs_lineage").value) == len(lin)
    assert any("successor" in m.value for m in at.caption)


def test_trends_page_reports_the_fit_of_lib_trends(con):
    at = run_page("3_trends.py")
    metric_id = at.selectbox(key="trends.metric").value
    table = trends.trend_table_from_db(con, metric_id)
    thr = float(table["score"].median())
    at.number_input(key="trends.threshold").set_value(thr).run()
    fit = trends.price_trend(table, threshold=thr)
    shown = metric_values(at)
    assert shown["Points (new lowest price)"] == str(fit.n)
    s = spec(at)
    pts = [t for t in s["data"] if t["name"] == "new lowest price"]
    if fit.n:
        assert sorted(r[0] for r in pts[0]["customdata"]) == sorted(fit.points["model"])
    if fit.ok:
        from lib import figures
        assert shown["Cheaper per year"] == figures.fmt_factor(fit.factor_per_year)
        assert any(t["name"] == "fitted trend" for t in s["data"])


def test_trends_levels_at_one_price_are_drawn_apart_not_on_top_of_each_other(con):
    """Two close quality levels are often reached by the same cheapest model: both lines stay visible."""
    at = run_page("3_trends.py")
    scores = trends.trend_table_from_db(con, at.selectbox(key="trends.metric").value)["score"].astype(float)
    lo = float(scores.quantile(0.25).round(0))
    at.text_input(key="trends.levels").set_value(f"{lo:g}, {lo + 1:g}").run()
    assert not at.exception
    lines = [t for t in spec(at, 1)["data"] if t["name"].startswith("≥")]
    assert len(lines) == 2 and lines[0]["line"]["dash"] != lines[1]["line"]["dash"]
    by_date = [{x: (float(c[2]), float(y)) for x, y, c in zip(t["x"], arr(t["y"]), t["customdata"])} for t in lines]
    equal = [d for d in by_date[0] if d in by_date[1] and by_date[0][d][0] == by_date[1][d][0]]
    assert equal  # the two levels share their cheapest price somewhere (one model reaches both)
    assert all(by_date[0][d][1] != by_date[1][d][1] for d in equal)


def _pick_model(at, key: str, value, multi: bool = False) -> None:
    """Choose a model in a Models page picker as a user does: type it in the search box, then pick it (the picker
    lists a bounded number of models)."""
    at.text_input(key=f"{key}_search").set_value(value[-1] if multi else value).run()
    (at.multiselect if multi else at.selectbox)(key=key).set_value(value).run()


def test_models_page_shows_price_history_and_compares(con):
    models = queries.models(con)
    priced = models.dropna(subset=["first_price_date"])
    mid = priced["model_id"].iloc[0]
    at = run_page("4_models.py")
    _pick_model(at, "models.model", mid)
    assert at.selectbox(key="models.model").value == mid
    s = spec(at)
    assert {"input price", "output price"} <= {t["name"] for t in s["data"]}
    assert all(r[0] == mid for t in s["data"] if t["name"] in ("input price", "output price") for r in t["customdata"])
    two = priced["model_id"].iloc[:2].tolist()
    _pick_model(at, "models.compare", two[:1], multi=True)
    _pick_model(at, "models.compare", two, multi=True)
    s2 = spec(at, 1)
    assert {r[0] for t in s2["data"] if t.get("mode") == "lines" for r in t["customdata"]} == set(two)


def test_models_page_counts_a_models_price_rows_and_lists_them_when_opened(con):
    """A model with more price rows (every source, provider and tier) than headline steps: the table's title counts
    them; the rows are read when the table is opened, all of them."""
    ids = queries.models(con).dropna(subset=["first_price_date"])["model_id"].tolist()
    mid = next(m for m in ids if len(queries.price_history(con, m)) > len(snapshot.headline_price_history(con, m)))
    n = len(queries.price_history(con, mid))
    at = run_page("4_models.py", model=mid)
    rows = next(e for e in at.expander if "price rows" in str(e.label))
    assert rows.label.startswith(f"All {n} price rows") and not rows.dataframe
    at.session_state["price_rows"] = True
    at.run()
    rows = next(e for e in at.expander if "price rows" in str(e.label))
    assert len(rows.dataframe) == 1 and len(rows.dataframe[0].value) == n
    assert set(rows.dataframe[0].value["model_id"]) == {mid}
    # every table on the page (both tabs, the price rows too) is headed in words, not the store's column names
    raw = {h for d in at.dataframe for h in shown_headers(d) if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", h)}
    assert len(at.dataframe) >= 4 and not raw, raw


def shown_headers(el) -> list[str]:
    """The headers a user sees over an st.dataframe: each shown column's label (its name when it has none), and the
    index's unless hidden."""
    config = json.loads(el.proto.columns or "{}")
    df = el.value
    heads = [config.get(str(c), {}).get("label", str(c)) for c in df.columns if not config.get(str(c), {}).get("hidden")]
    if df.index.name and not config.get("_index", {}).get("hidden"):
        heads.append(config.get("_index", {}).get("label", df.index.name))
    return heads


def test_models_page_picker_lists_a_bounded_number_of_models_and_finds_any_by_search_or_link(con):
    """The model picker ships at most views.PICKER_LIMIT models to the browser (5,000 at scale); typing narrows the
    list to any model, and a link to a model beyond the first ones still opens on it."""
    from lib import views

    models = queries.models(con)
    assert len(models) > views.PICKER_LIMIT  # the seed has hundreds: the bounded picker is what runs
    ordered = models.sort_values(["vendor", "name"])
    at = run_page("4_models.py")
    assert len(at.selectbox(key="models.model").options) <= views.PICKER_LIMIT + 1
    far = ordered.iloc[-1]  # the last model in the list, never among the first ones listed
    at.text_input(key="models.model_search").set_value(str(far["name"])).run()
    options = at.selectbox(key="models.model").options
    assert len(options) <= views.PICKER_LIMIT + 1
    assert any(far["model_id"] in o for o in options)
    at.selectbox(key="models.model").set_value(far["model_id"]).run()
    assert not at.exception and at.query_params["model"] == far["model_id"]
    linked = run_page("4_models.py", model=far["model_id"])
    assert linked.selectbox(key="models.model").value == far["model_id"]
    assert len(linked.selectbox(key="models.model").options) <= views.PICKER_LIMIT + 1


def test_models_page_shows_the_dates_a_moving_alias_meant_the_model(con):
    moves = con.execute("SELECT alias, model_id, valid_from, valid_to FROM alias_moves WHERE valid_to IS NOT NULL"
                        " ORDER BY alias, valid_from").df()
    assert len(moves)
    mv = moves.iloc[0]
    at = run_page("4_models.py")
    _pick_model(at, "models.model", mv["model_id"])
    shown = [d.value for d in at.dataframe if "valid_from" in d.value.columns]
    assert shown, "no dated alias table on the model's page"
    row = shown[0].set_index("alias").loc[mv["alias"]]
    assert pd.Timestamp(row["valid_from"]) == pd.Timestamp(mv["valid_from"])
    assert pd.Timestamp(row["valid_to"]) == pd.Timestamp(mv["valid_to"])
    assert any("Moving aliases" in c.value for c in at.caption)


def test_calculator_page_finds_the_cheapest_model_above_the_bar(con):
    at = run_page("5_calculator.py")
    at.number_input(key="calculator.in_m").set_value(10.0).run()
    at.number_input(key="calculator.out_m").set_value(2.0).run()
    metric_id = at.selectbox(key="calculator.metric").value
    bar = at.slider(key="calculator.bar").value
    m = snapshot.market_as_of(con, newest_day(con), metric_id)
    m["cost"] = pricing.monthly_cost(m["input_usd_per_mtok"], m["output_usd_per_mtok"], 10e6, 2e6)
    ok = m.loc[np.isfinite(m["cost"]) & (m["cost"] > 0) & (m["quality"] >= bar)]
    best = ok.sort_values(["cost", "quality"], ascending=[True, False]).iloc[0]
    shown = metric_values(at)
    assert shown["Cheapest above the bar"] == best["name"]
    from lib import figures
    assert shown["Its monthly cost"] == figures.fmt_usd(best["cost"])
    ring = [t for t in spec(at)["data"] if t["name"] == "cheapest above the bar"][0]
    assert ring["customdata"][0][0] == best["model_id"]


def test_data_page_lists_sources_and_counts(con):
    at = run_page("6_data.py")
    assert metric_values(at)["Models"] == str(len(queries.models(con)))
    src = at.dataframe[0].value
    assert set(src["source_id"]) == set(queries.sources_summary(con)["source_id"])
    labels = [b.label for b in at.get("download_button")]
    assert any("CSV" in x for x in labels) and any("Parquet" in x for x in labels) and any("DuckDB" in x for x in labels)


def test_user_csv_is_validated():
    from lib import views

    metrics = pd.DataFrame({"metric_id": ["q"], "min_value": [0.0], "max_value": [100.0]})
    ok, errors = views.parse_user_csv(b"name,input_usd_per_mtok,output_usd_per_mtok,metric_id,value\nA,1,2,q,50\n", metrics)
    assert not errors and ok["model_id"].tolist() == ["yours/a"]
    bad, errors = views.parse_user_csv(b"name,input_usd_per_mtok,output_usd_per_mtok,metric_id,value\nA,-1,x,zz,500\n",
                                    metrics)
    assert bad.empty and len(errors) == 3


def test_missing_database_is_explained_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv("FRONTIER_DB", str(tmp_path / "nothing.duckdb"))
    monkeypatch.setenv("FRONTIER_SEED_DIR", str(tmp_path / "no-seed"))
    at = AppTest.from_file(str(PAGES / "1_frontier.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert at.title[0].value == "The data is not available"
    assert "python -m lib build" in " ".join(m.value for m in at.markdown)


def test_frontier_opens_on_the_default_metric_with_the_headline_arrows_and_states_the_article_headline(con):
    from lib import views
    from lib.curate.article import ARTICLE_PAIRS, COMPOSITE_METRIC

    at = run_page("1_frontier.py")
    assert at.selectbox(key="frontier.metric").value == snapshot.default_metric(con)
    # the headline pairs on the home chart: an arrow for each pair whose two models are on today's market
    drawn = {t["customdata"][i][0] for t in spec(at)["data"] if t.get("customdata")
             for i in range(len(t["customdata"]))}
    arrows = {a["name"] for a in spec(at)["layout"].get("annotations", []) if a.get("showarrow")}
    expected = {f"headline:{t}->{s}" for t, s, _ in ARTICLE_PAIRS if t in drawn and s in drawn}
    assert expected and arrows == expected
    # the callout's numbers are lib.generations' on the article's pairs, metric and price policy
    deltas, summary = generations.generations_from_db(
        con, COMPOSITE_METRIC, _pairs_frame(views.pair_set_rows("article", queries.lineage(con), ARTICLE_PAIRS)),
        "student-launch")
    # what a reader sees: Markdown escapes (data names are made inert) removed
    text = re.sub(r"\\(.)", r"\1", " ".join(m.value for m in at.markdown))
    assert "The article's headline" in text
    for era in ("pre-distillation", "distillation"):
        row = summary.set_index("era").loc[era]
        assert f"{row['mean_price_drop_pct']:.0f} % cheaper for {row['mean_quality_drop_pct']:.0f} % less quality" \
            in text
    names = queries.models(con).set_index("model_id")["name"]
    assert f"{names['openai/gpt-4o-2024-05-13']} → {names['openai/gpt-4o-mini']}" in text


def test_frontier_arrows_only_on_the_articles_metric_with_a_key_not_overlapping_labels(con):
    from lib.curate.article import COMPOSITE_METRIC

    other = next(m for m in queries.metric_coverage_as_of(con, newest_day(con))["metric_id"] if m != COMPOSITE_METRIC)
    at = run_page("1_frontier.py", metric=other)
    assert not [a for a in spec(at)["layout"].get("annotations", []) if a.get("showarrow")]
    at.selectbox(key="frontier.metric").set_value(COMPOSITE_METRIC).run()
    # on a date when the article's three 2024 pairs were all on the market (Gemini 1.5 and Claude 3 Opus have
    # since been retired, and a retired model leaves the market)
    slider = at.select_slider(key="frontier.as_of")
    slider.set_value(next(o for o in slider.options if str(o) >= "2024-12-01")).run()
    s = spec(at)
    arrows = [a for a in s["layout"]["annotations"] if a.get("showarrow")]
    tags = [a for a in s["layout"]["annotations"] if str(a.get("name", "")).startswith("headline-tag")]
    assert len(arrows) == len(tags) == 3
    key = s["layout"]["title"]["subtitle"]["text"].split("<br>")
    assert [k.split(" ")[0] for k in key] == ["1", "2", "3"] and all("% cheaper" in k for k in key)


def _credit(at, startswith="Sources:"):
    return [c.value for c in at.caption if c.value.startswith(startswith)]


def test_chart_credit_names_only_the_sources_of_the_plotted_points(con):
    at = run_page("1_frontier.py")
    metric_id = at.selectbox(key="frontier.metric").value
    ok, _ = expected_market(con, metric_id, dt.date.fromisoformat(at.select_slider(key="frontier.as_of").value))
    used = set(ok["price_source_id"].dropna()) | set(ok["quality_source_id"].dropna())
    src = queries.sources_summary(con).set_index("source_id")
    assert set(spec(at)["layout"]["meta"]["sources"]) == used
    credit = _credit(at)[0]
    for sid in src.index:
        att = src.at[sid, "attribution"] or src.at[sid, "name"]
        assert (att in credit) == (sid in used), sid
    assert "licences on the Data page" in credit


def test_reviewed_only_filter_removes_unreviewed_points(con):
    at = run_page("1_frontier.py")
    drawn = {r[0]: r[11] for t in spec(at)["data"] if t["name"] != "Pareto frontier" for r in t["customdata"]}
    assert figures.REVIEW_TEXT["unreviewed"] in drawn.values() and figures.REVIEW_TEXT["reviewed"] in drawn.values()
    at.toggle(key="frontier.reviewed").set_value(True).run()
    assert not at.exception
    status = queries.models(con).set_index("model_id")["status"]
    kept = [r[0] for t in spec(at)["data"] if t["name"] != "Pareto frontier" for r in t["customdata"]]
    assert kept and all(status[m] == "reviewed" for m in kept)
    assert set(kept) == {m for m in drawn if status[m] == "reviewed"}
    calc = run_page("5_calculator.py")
    before = [r[0] for t in spec(calc)["data"] if t["name"] != "cheapest above the bar" for r in t["customdata"]]
    calc.toggle(key="calculator.reviewed").set_value(True).run()
    assert not calc.exception
    after = [r[0] for t in spec(calc)["data"] if t["name"] != "cheapest above the bar" for r in t["customdata"]]
    assert after and set(after) < set(before) and all(status[m] == "reviewed" for m in after)


def test_data_page_shows_the_newest_real_data_date_and_freshness_per_source(con):
    at = run_page("6_data.py")
    summary = queries.sources_summary(con)
    today = clock.today()
    real = [d for d in queries.change_dates(con) if d <= today]
    real += [d.date() for d in pd.to_datetime(summary["newest_snapshot"]).dropna() if d.date() <= today]
    assert metric_values(at)["Newest date in the data"] == max(real).isoformat()
    fresh = at.dataframe[0].value
    newest = summary.set_index("source_id")["newest_snapshot"]
    for r in fresh.itertuples():
        want = newest[r.source_id]
        assert (pd.isna(want) and pd.isna(r.newest_snapshot)) or pd.Timestamp(r.newest_snapshot) == pd.Timestamp(want)
    # the build time of the file on disk now, read from a copy (for the file's own path this process hands back the
    # database it already has open, which an earlier test's rebuild may have replaced)
    import shutil
    import tempfile
    from pathlib import Path

    from lib import paths

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "copy.duckdb"
        shutil.copyfile(paths.default_db_path(), copy)
        c = store.connect_readonly(copy)
        try:
            built = queries.meta(c)["built_at"].replace("T", " ")
        finally:
            c.close()
    assert any(f"Database built {built}" in c.value for c in at.caption), (built, [c.value for c in at.caption])


def test_models_page_labels_each_price_level_on_the_y_axis(con):
    at = run_page("4_models.py")
    mid = at.selectbox(key="models.model").value
    series = snapshot.headline_price_history(con, mid)
    prices = set(series["input_usd_per_mtok"].round(6)) | set(series["output_usd_per_mtok"].round(6))
    ticks = spec(at)["layout"]["yaxis"]["tickvals"]
    assert set(arr(ticks)) <= prices and len(arr(ticks)) >= min(len(prices), 2)


def test_every_chart_saves_at_slide_size_from_the_toolbar(con):
    for page in ("1_frontier.py", "3_trends.py", "5_calculator.py"):
        at = run_page(page)
        for c in at.get("plotly_chart"):
            opts = json.loads(c.proto.config)["toImageButtonOptions"]
            assert (opts["width"], opts["height"]) == (1920, 1080)


def test_names_from_data_are_inert_in_markdown():
    from lib import ui

    hostile = "Evil [click](javascript:alert(1)) **bold** <img src=x onerror=alert(1)> $x$"
    escaped = ui.md_text(hostile)
    assert not re.search(r"(?<!\\)[\[\]()<>*$]", escaped)  # every Markdown/HTML special character escaped
    assert re.sub(r"\\(.)", r"\1", escaped) == hostile  # a reader sees exactly the name as typed


def test_frontier_tells_what_the_metric_covers_then_and_offers_the_best_covered_one(con):
    day = dt.date(2023, 6, 30)
    at = run_page("1_frontier.py")
    at.select_slider(key="frontier.as_of").set_value(day.isoformat())
    at.selectbox(key="frontier.metric").set_value("aa_intelligence_v4").run()
    assert not at.exception
    text = re.sub(r"\\(.)", r"\1", " ".join(c.value for c in at.caption))
    assert f"On {day}, AA Intelligence Index v4 covers 0 priced models." in text
    best = snapshot.best_covered_metric(con, day)
    assert best != "aa_intelligence_v4"
    at.button(key="frontier.best_metric").click().run()
    assert not at.exception
    assert at.selectbox(key="frontier.metric").value == best
    expected = expected_market(con, best, day)
    assert metric_values(at)["Models on the chart"] == str(len(expected[0])) != "0"
    text = re.sub(r"\\(.)", r"\1", " ".join(c.value for c in at.caption))
    assert "It is the best-covered metric on that date." in text


def test_models_page_price_chart_marks_lifecycle_events_and_ends_at_retirement(con):
    """Every vendor event of the model (release, retirement, delisting) is a marker on the price-history chart with
    its source, and the price line stops at the first vendor retirement."""
    life = con.execute("SELECT l.model_id, min(l.date) AS retired FROM lifecycle l JOIN prices p USING (model_id) "
                       "WHERE l.event = 'retired' AND l.scope = 'vendor' AND p.effective_from < l.date "
                       "GROUP BY l.model_id ORDER BY l.model_id").df()
    assert len(life) > 10
    mid, retired = life.iloc[0]["model_id"], pd.Timestamp(life.iloc[0]["retired"])
    at = run_page("4_models.py", model=mid)
    chart = spec(at)
    markers = [t for t in chart["data"] if t.get("name") == "lifecycle events"]
    assert len(markers) == 1
    want = queries.lifecycle(con, mid)
    want = want[want["scope"] == "vendor"]
    want = want[(want["event"] != "retired") | (pd.to_datetime(want["date"]) == retired)]  # the first retirement
    assert sorted(pd.to_datetime(markers[0]["x"]).date) == sorted(pd.to_datetime(want["date"]).dt.date)
    assert all(row[4] in set(want["source_id"]) for row in markers[0]["customdata"])
    lines = [t for t in chart["data"] if t.get("mode") == "lines"]
    assert lines and all(pd.Timestamp(max(t["x"])) <= retired for t in lines)
