"""Cost per task: billing arithmetic against hand computations, measured per-task costs from recorded payloads,
price reversals, and the per-task / workload bases through the CLI on the real seed."""
from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib import clock, costs, queries, store
from lib.__main__ import main
from lib.curate import task_costs
from lib.errors import UsageError

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
AA_PAYLOAD = FIXTURES / "aa_language_models_free_page1_2026-06-27.json"


# --- billing arithmetic ----------------------------------------------------------------------------------------

def test_workload_cost_matches_a_hand_computation_with_cache_and_reasoning():
    w = costs.Workload(input_tokens=10_000, cached_input_share=0.6, output_tokens=1_000, reasoning_multiplier=4)
    # input $3/M, cache read $0.30/M, output $15/M; a reasoning model:
    # 4,000 × 3 + 6,000 × 0.30 = 12,000 + 1,800 = 13,800 µ$; output 1,000 × 4 × 15 = 60,000 µ$ → $0.0738
    got = costs.workload_cost(3.0, 15.0, 0.30, w, reasoning=True)
    assert got == pytest.approx(0.0738)
    # the same model not known to reason: output 1,000 × 15 = 15,000 µ$ → $0.0288
    assert costs.workload_cost(3.0, 15.0, 0.30, w, reasoning=False) == pytest.approx(0.0288)


def test_cached_input_without_a_cache_price_is_billed_at_the_input_price():
    w = costs.Workload(input_tokens=1_000_000, cached_input_share=0.9, output_tokens=0)
    assert costs.workload_cost(2.0, 8.0, np.nan, w) == pytest.approx(2.0)


def test_batch_discount_halves_the_cost_and_an_unknown_discount_leaves_the_model_out():
    w = costs.Workload(input_tokens=4_000, output_tokens=300, batch=True)
    # (4,000 × 2.5 + 300 × 10) / 1e6 = 0.013; half of it with a 50 % batch discount
    got = costs.workload_cost(np.array([2.5, 2.5]), np.array([10.0, 10.0]), np.array([np.nan, np.nan]), w,
                              reasoning=np.array([False, False]), batch_discount=np.array([0.5, np.nan]))
    assert got[0] == pytest.approx(0.0065)
    assert np.isnan(got[1])


def test_long_context_tier_bills_the_whole_request_above_its_threshold():
    # base $3 / $15 per M with a $0.30 cache read; the tier above 200,000 prompt tokens bills $6 / $22.50 and has no
    # cache price of its own (cached input then at the tier's input price)
    tier = (np.array([200_000.0]), np.array([6.0]), np.array([22.5]), np.array([np.nan]))
    long = costs.Workload(input_tokens=250_000, cached_input_share=0.2, output_tokens=2_000)
    # 200,000 × 6 + 50,000 × 6 = 1,500,000 µ$; 2,000 × 22.5 = 45,000 µ$ → $1.545
    assert costs.workload_cost(3.0, 15.0, 0.30, long, long_context=tier)[0] == pytest.approx(1.545)
    short = costs.Workload(input_tokens=150_000, cached_input_share=0.2, output_tokens=2_000)
    # 120,000 × 3 + 30,000 × 0.30 = 369,000 µ$; 2,000 × 15 = 30,000 µ$ → $0.399 (the tier does not apply)
    assert costs.workload_cost(3.0, 15.0, 0.30, short, long_context=tier)[0] == pytest.approx(0.399)
    at = costs.Workload(input_tokens=200_000, output_tokens=0)  # "longer than" the threshold: not at it
    assert costs.workload_cost(3.0, 15.0, 0.30, at, long_context=tier)[0] == pytest.approx(0.6)
    none = (np.array([np.nan]), np.array([np.nan]), np.array([np.nan]), np.array([np.nan]))
    assert costs.workload_cost(3.0, 15.0, 0.30, long, long_context=none)[0] == pytest.approx(
        (200_000 * 3 + 50_000 * 0.30 + 2_000 * 15) / 1e6)


@pytest.mark.parametrize("spec, fragment", [
    ('{"input_tokens": 100}', "needs input_tokens and output_tokens"),
    ('{"input_tokens": -1, "output_tokens": 5}', "non-negative"),
    ('{"input_tokens": 1, "output_tokens": 5, "cached_input_share": 1.5}', "between 0 and 1"),
    ('{"input_tokens": 1, "output_tokens": 5, "batch": "yes"}', "true or false"),
    ('{"input_tokens": 1, "output_tokens": 5, "tokens": 3}', "unknown workload field"),
    ("{not json", "not valid JSON"),
    ("no-such-preset", "unknown workload"),
])
def test_bad_workloads_get_one_clear_message(spec, fragment):
    with pytest.raises(UsageError, match=fragment):
        costs.parse_workload(spec)


def test_a_workload_file_and_its_json_round_trip(tmp_path):
    f = tmp_path / "support-bot.json"
    f.write_text(json.dumps({"input_tokens": 2500, "cached_input_share": 0.5, "output_tokens": 700,
                             "reasoning_multiplier": 2, "batch": False}))
    w = costs.parse_workload(str(f))
    assert (w.name, w.input_tokens, w.cached_input_share, w.output_tokens, w.reasoning_multiplier, w.batch) == \
        ("support-bot", 2500, 0.5, 700, 2, False)
    assert costs.parse_workload(w.to_json()) == costs.Workload(2500, 0.5, 700, 2, False, "custom")
    assert all(costs.parse_workload(name) == p for name, p in costs.PRESETS.items())


# --- measured cost per task from a recorded payload, and reversals -----------------------------------------------

def test_reversal_found_in_a_recorded_artificial_analysis_payload():
    payload = json.loads(AA_PAYLOAD.read_text())
    rows = task_costs.aa_api_task_costs(payload, "aa.json", "2026-06-27")
    measured = [d for d in payload["data"] if (d.get("artificial_analysis_intelligence_index_cost") or {})]
    assert 0 < len(rows) <= len(measured)
    assert all(r["usd_per_task"] > 0 and r["source_ref"].startswith("aa.json#id=") for r in rows)
    # the list price (3:1 blend) from the same payload, per model
    by_slug = {d["slug"]: d for d in measured}
    listed = []
    for r in rows:
        slug = r["source_ref"].split("slug=")[1]
        p = by_slug[slug]["pricing"]
        listed.append(dict(model_id=r["model_id"], usd_per_task=r["usd_per_task"],
                           list_price=(3 * p["price_1m_input_tokens"] + p["price_1m_output_tokens"]) / 4))
    df = pd.DataFrame(listed)
    rev = costs.reversals(df)
    assert not rev.empty
    # every reversal is one: cheaper per token, dearer per task, factor = ratio of the per-task costs
    assert (rev["list_price_a"] < rev["list_price_b"]).all()
    assert (rev["usd_per_task_a"] > rev["usd_per_task_b"]).all()
    assert np.allclose(rev["factor"], rev["usd_per_task_a"] / rev["usd_per_task_b"])
    # a hand-checked one: Qwen3.5 397B (0.6/3.6 → $1.35/M blended, $0.3331 per task) against Kimi K2.6
    # (0.95/4 → $1.7125/M, $0.2595 per task): cheaper per token, 1.28× dearer per task
    hit = rev[rev["cheaper_list_price"].str.contains("qwen3.5-397b") & rev["cheaper_per_task"].str.contains("kimi")]
    assert len(hit) == 1
    assert hit["factor"].iloc[0] == pytest.approx(0.3331 / 0.2595)
    # and no pair that is not reversed is listed
    pairs = set(zip(rev["cheaper_list_price"], rev["cheaper_per_task"]))
    for a in df.itertuples():
        for b in df.itertuples():
            reversed_ = a.list_price < b.list_price * (1 - 1e-9) and a.usd_per_task > b.usd_per_task
            assert ((a.model_id, b.model_id) in pairs) == reversed_


def test_equal_list_prices_are_no_reversal_even_with_float_noise():
    df = pd.DataFrame({"model_id": ["a", "b"], "list_price": [(3 * 0.15 + 0.15) / 4, (3 * 0.1 + 0.3) / 4],
                       "usd_per_task": [0.18, 0.01]})
    assert df["list_price"][0] != df["list_price"][1]  # 0.15000000000000002 vs 0.15
    assert costs.reversals(df).empty


def test_aa_variant_names_are_reasoning_settings_not_models():
    assert task_costs.variant_of("Claude Opus 5 (max)") == "max"
    assert task_costs.variant_of("Qwen3.5 397B A17B (Reasoning)") == "reasoning"
    assert task_costs.variant_of("GPT-4o (May '24)") == task_costs.DEFAULT_VARIANT


# --- on the real seed ----------------------------------------------------------------------------------------------

def _cli(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def con(frontier_env):
    c = store.connect_readonly(frontier_env)
    yield c
    c.close()


def test_every_measured_cost_names_its_benchmark_date_and_source(con):
    tc = con.execute("SELECT * FROM task_costs").df()
    assert len(tc) > 50
    assert tc["usd_per_task"].gt(0).all()
    assert tc["source_ref"].str.len().gt(10).all()
    assert set(tc["benchmark_id"]) <= set(queries.task_benchmarks(con)["benchmark_id"])
    # Aider's cost per exercise is the run's total cost over its exercises, as the reference says
    aider = tc[tc["benchmark_id"].str.startswith("aider")]
    assert np.allclose(aider["usd_per_task"], aider["usd_total"] / aider["tasks"], rtol=0, atol=1e-6)


def test_per_task_basis_leaves_unmeasured_models_out_with_a_count(frontier_env):
    code, out, err = _cli("snapshot", "--as-of", "2026-09-01", "--metric", "aa_intelligence_v4",
                          "--price", "per-task", "--benchmark", "aa_index", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert rows and all(r["usd_per_task"] > 0 and r["task_source_id"] and r["task_observed_date"] for r in rows)
    n_measured = int(err.split(" models with a measured cost")[0])
    assert n_measured == len(rows)
    assert "left out (never estimated)" in err
    # the frontier is recomputed on the per-task price: no frontier model is dominated per task
    df = pd.DataFrame(rows).dropna(subset=["quality"])
    for f in df[df["on_frontier"]].itertuples():
        assert not ((df["usd_per_task"] < f.usd_per_task) & (df["quality"] > f.quality)).any()


def test_a_model_cheaper_per_token_moves_right_of_one_it_beats_per_token(frontier_env):
    """The reversal table lists pairs whose order on the price axis flips between the two bases."""
    code, out, err = _cli("reversals", "--as-of", "2026-09-01", "--benchmark", "aider_polyglot", "--format", "json")
    assert code == 0, err
    rev = pd.DataFrame(json.loads(out))
    assert not rev.empty
    code, out, _ = _cli("snapshot", "--as-of", "2026-09-01", "--metric", "aider_polyglot", "--price", "per-task",
                        "--benchmark", "aider_polyglot", "--format", "json")
    snap = pd.DataFrame(json.loads(out)).set_index("model_id")
    top = rev.iloc[0]
    a, b = snap.loc[top["cheaper_list_price"]], snap.loc[top["cheaper_per_task"]]
    assert a["blended_usd_per_mtok"] < b["blended_usd_per_mtok"]
    assert a["usd_per_task"] > b["usd_per_task"]
    assert top["factor"] == pytest.approx(a["usd_per_task"] / b["usd_per_task"], rel=1e-4)


def test_workload_basis_prices_from_token_prices_and_states_batch_gaps(frontier_env):
    code, out, err = _cli("snapshot", "--as-of", "2025-01-15", "--metric", "aa_quality_2024",
                          "--price", "workload", "--workload", "batch-summarisation", "--format", "json")
    assert code == 0, err
    rows = pd.DataFrame(json.loads(out))
    assert "want of a known batch discount" in err
    # only vendors with an announced batch discount in force on the date are priced
    assert set(rows["vendor"]) <= {"openai", "anthropic"}
    w = costs.PRESETS["batch-summarisation"]
    expect = (w.input_tokens * rows["input_usd_per_mtok"] + w.output_tokens * rows["output_usd_per_mtok"]) / 1e6 * 0.5
    assert np.allclose(rows["usd_per_task"], expect, rtol=1e-4, atol=1e-6)


def test_a_long_prompt_is_billed_at_each_stored_long_context_tier_or_left_out(con):
    """Every model whose own provider sells a long-context tier below the prompt length is billed at that tier's
    stored prices; a model whose context window the prompt exceeds, with no such tier, is left out and counted."""
    as_of = "2026-09-01"
    w = costs.Workload(input_tokens=300_000, output_tokens=1_000, name="long-prompt")
    df, summary = costs.market_on_basis(con, as_of, "lmarena_text", "workload", workload=w)
    tiers = queries.long_context_prices_as_of(con, as_of)
    assert not tiers.empty and tiers["min_prompt_tokens"].gt(0).all()
    tiers = tiers.set_index(["model_id", "provider"])
    billed = df[df["long_context_applied"]]
    assert len(billed) == summary["long_context"] > 0
    for r in billed.itertuples():
        t = tiers.loc[(r.model_id, r.price_provider)]
        assert t["min_prompt_tokens"] < w.input_tokens
        assert r.usd_per_task == pytest.approx((300_000 * t["input_usd_per_mtok"] + 1_000 * t["output_usd_per_mtok"])
                                               / 1e6)
    # a tier above the prompt length, or another provider's tier, never applies
    short = costs.Workload(input_tokens=100_000, output_tokens=1_000)
    df_short, s_short = costs.market_on_basis(con, as_of, "lmarena_text", "workload", workload=short)
    assert s_short["long_context"] == int(
        (df_short["long_context_min_prompt_tokens"] < 100_000).sum())
    small = df[pd.to_numeric(df["context_window"], errors="coerce").lt(300_000) & ~df["long_context_applied"]
               & df["input_usd_per_mtok"].notna()]
    assert len(small) == summary["over_context"] > 0 and small["usd_per_task"].isna().all()
    assert not df[df["on_frontier"]]["model_id"].isin(small["model_id"]).any()
    code, out, err = _cli("snapshot", "--as-of", as_of, "--metric", "lmarena_text", "--price", "workload",
                          "--workload", w.to_json(), "--format", "json")
    assert code == 0, err
    assert f"{summary['long_context']} billed at their long-context tier" in err
    assert f"{summary['over_context']} left out as the prompt is longer than their context window" in err
    rows = pd.DataFrame(json.loads(out)).set_index("model_id")
    assert rows.loc[billed["model_id"], "long_context_applied"].all()


@pytest.mark.parametrize("argv, fragment", [
    (["--price", "per-task", "--benchmark", "nope"], "unknown benchmark"),
    (["--price", "workload"], "needs --workload"),
    (["--price", "blended", "--benchmark", "aa_index"], "--benchmark goes with --price per-task"),
    (["--price", "workload", "--workload", "{bad"], "not valid JSON"),
])
def test_bad_basis_arguments_exit_2_with_one_line(frontier_env, argv, fragment):
    code, out, err = _cli("snapshot", "--as-of", "2026-09-01", *argv)
    assert code == 2
    assert fragment in err and len(err.strip().splitlines()) == 1


def test_host_price_choice_uses_observed_hosts_and_keeps_the_rest(con):
    from lib import snapshot

    as_of = "2026-09-01"
    base = snapshot.market_as_of(con, as_of, "aa_intelligence_v4").set_index("model_id")
    spread = queries.host_prices_as_of(con, as_of).set_index("model_id")
    cheap, s1 = costs.with_host_price(base.reset_index(), con, as_of, "cheapest-host")
    med, s2 = costs.with_host_price(base.reset_index(), con, as_of, "median-host")
    assert s1["host_priced"] == s2["host_priced"] > 20
    cheap, med = cheap.set_index("model_id"), med.set_index("model_id")
    hosted = cheap.index[cheap["price_rule"] != "headline"]
    assert set(hosted) <= set(spread.index)
    # the cheapest host's blend is never above the median host's, and both come from the observed hosts
    b = lambda d: (3 * d["input_usd_per_mtok"] + d["output_usd_per_mtok"]) / 4  # noqa: E731
    assert (b(cheap.loc[hosted]) <= b(med.loc[hosted]) + 1e-9).all()
    assert np.allclose(b(cheap.loc[hosted]), spread.loc[hosted, "min_blended_usd_per_mtok"])
    # a model no host was observed for keeps its headline price
    others = cheap.index[cheap["price_rule"] == "headline"]
    assert cheap.loc[others, "input_usd_per_mtok"].equals(base.loc[others, "input_usd_per_mtok"])


def test_speed_filter_keeps_only_measured_fast_models(frontier_env):
    code, out, err = _cli("snapshot", "--as-of", "2026-09-01", "--metric", "aa_intelligence_v4",
                          "--min-speed", "150", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert rows and all(r["output_tokens_per_s"] >= 150 for r in rows)


# --- the Frontier page on the cost bases (AppTest, real database) -------------------------------------------------

def _frontier_page(**params):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import PROJECT_DIR, plotly_array

    at = AppTest.from_file(str(PROJECT_DIR / "pages" / "1_frontier.py"), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    points = {row[0]: x for t in spec["data"] if t.get("legendgroup") and t.get("customdata")
              for row, x in zip(t["customdata"], plotly_array(t["x"]))}
    return at, spec, points


def test_frontier_per_task_basis_draws_measured_costs_effort_curves_and_reversals(con):
    bench = queries.task_benchmarks(con).set_index("benchmark_id").loc["aa_index"]
    at, spec, points = _frontier_page(basis="Per task", bench=bench["name"], metric=bench["metric_id"])
    assert spec["layout"]["xaxis"]["title"]["text"].startswith("USD per task, measured")
    newest = max(pd.Timestamp(queries.date_span(con)[1]).date(), pd.Timestamp("2026-08-22").date())
    tc = queries.task_costs_as_of(con, newest, "aa_index").set_index("model_id")["usd_per_task"]
    assert points and set(points) <= set(tc.index)
    assert all(points[m] == pytest.approx(tc[m]) for m in points)
    curves = [t for t in spec["data"] if t.get("name", "").startswith("Reasoning settings")]
    assert len(curves) == 1 and len([x for x in curves[0]["x"] if x is None]) >= 2  # several models' curves
    assert any("left out, never estimated" in c.value for c in at.caption)
    assert any(e.label.startswith("Price reversals") for e in at.expander)


def test_a_workload_in_the_url_reproduces_the_view(con):
    params = dict(basis="Workload", wl="agentic-coding", wl_in="12000", wl_cache="0.5", wl_out="900",
                  wl_mult="2.5", metric="aa_intelligence_v4")
    at, spec, points = _frontier_page(**params)
    assert "workload 'agentic-coding'" in spec["layout"]["xaxis"]["title"]["text"]
    w = {"input_tokens": 12000, "cached_input_share": 0.5, "output_tokens": 900, "reasoning_multiplier": 2.5,
         "batch": False}
    # the same workload through the CLI, independently of the page
    as_of = [c.value for c in at.select_slider if c.key.endswith("as_of")][0]
    code, out, err = _cli("snapshot", "--as-of", as_of, "--metric", "aa_intelligence_v4", "--price", "workload",
                          "--workload", json.dumps(w), "--format", "json")
    assert code == 0, err
    cli = {r["model_id"]: r["usd_per_task"] for r in json.loads(out) if r["quality"] is not None}
    assert points and set(points) == set(cli)
    assert all(points[m] == pytest.approx(cli[m], rel=1e-4, abs=1e-6) for m in points)
    # and a second load of the same URL draws the same points
    _, _, again = _frontier_page(**params)
    assert again == points


def test_models_page_shows_measured_costs_and_host_prices(con):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import PROJECT_DIR

    mid = con.execute("SELECT model_id FROM task_costs JOIN host_prices USING (model_id) "
                      "GROUP BY model_id ORDER BY count(DISTINCT variant) DESC, model_id LIMIT 1").fetchall()[0][0]
    at = AppTest.from_file(str(PROJECT_DIR / "pages" / "4_models.py"), default_timeout=60)
    at.query_params["model"] = mid
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Cost per task and hosts" in m.value for m in at.markdown)
    tables = [d.value for d in at.dataframe]
    tc = next(t for t in tables if "usd_per_task" in t.columns)
    assert sorted(tc["usd_per_task"]) == pytest.approx(sorted(queries.task_costs_for_model(con, mid)["usd_per_task"]))
    spread = next(t for t in tables if "cheapest host" in t.columns)
    hosts = queries.host_prices_for_model(con, mid)
    assert spread["hosts"].sum() == len(hosts)
    assert (spread["cheapest"] <= spread["median"]).all() and (spread["median"] <= spread["dearest"]).all()


# --- Generations on the cost bases ----------------------------------------------------------------------------------

def test_generations_on_a_workload_basis_price_both_models_of_each_pair_at_its_date(con):
    """Each pair's two prices are one task of the workload at the token prices of the pair's price date (a hand
    computation from the stored prices); a model whose context window the prompt exceeds leaves its pair out,
    and the CLI says how many."""
    w = {"input_tokens": 2000, "cached_input_share": 0.0, "output_tokens": 500, "reasoning_multiplier": 1.0,
         "batch": False}
    code, out, err = _cli("generations", "--pair-set", "article", "--metric", "mmlu", "--price", "workload",
                          "--workload", json.dumps(w), "--format", "csv")
    assert code == 0, err
    pairs = pd.read_csv(io.StringIO(out))
    assert len(pairs) >= 4
    for role in ("teacher", "student"):
        p = queries.prices_at(con, pd.DataFrame({"model_id": pairs[f"{role}_id"],
                                                 "at_date": pd.to_datetime(pairs[f"{role}_price_date"])}))
        hand = (2000 * p["input_usd_per_mtok"] + 500 * p["output_usd_per_mtok"]).to_numpy(float) / 1e6
        assert np.allclose(pairs[f"{role}_price"].astype(float), hand, rtol=1e-6, equal_nan=True)
    drop = 100 * (1 - pairs["student_price"].astype(float) / pairs["teacher_price"].astype(float))
    assert np.allclose(pairs["price_drop_pct"].astype(float), drop, rtol=1e-6, equal_nan=True)
    # a prompt longer than a student's context window: that pair has no price, and the CLI counts it
    windows = queries.models(con).set_index("model_id")["context_window"]
    small = pairs[pairs["student_id"].map(windows).astype(float) < 30_000]
    assert not small.empty
    long_w = dict(w, input_tokens=30_000)
    code, out, err = _cli("generations", "--pair-set", "article", "--metric", "mmlu", "--price", "workload",
                          "--workload", json.dumps(long_w), "--format", "csv")
    assert code == 0, err
    long_pairs = pd.read_csv(io.StringIO(out))
    unpriced = long_pairs[["teacher_price", "student_price"]].isna().any(axis=1)
    assert set(long_pairs.loc[unpriced, "student_id"]) >= set(small["student_id"])
    assert f"note: {int(unpriced.sum())} of {len(long_pairs)} pairs have no price on this basis" in err


def test_generations_page_on_a_cost_basis_names_it_and_counts_unpriced_pairs(con):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import PROJECT_DIR

    at = AppTest.from_file(str(PROJECT_DIR / "pages" / "2_generations.py"), default_timeout=60)
    for k, v in dict(basis="Workload", wl="agentic-coding", metric="mmlu").items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "workload 'agentic-coding'" in spec["layout"]["xaxis"]["title"]["text"]
    captions = " ".join(c.value for c in at.caption)
    assert "Price = USD per task of workload" in captions
    assert "pairs are left out of the means" in captions or "pairs are priced on this basis" in captions
    # the per-task basis on the same page: every drawn price is a stored measurement
    at.segmented_control(key="generations.basis").set_value("per-task").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("never estimated" in c.value or "priced on this basis" in c.value for c in at.caption)


# --- Trends on the cost bases -------------------------------------------------------------------------------------

def test_trend_table_on_a_workload_basis_is_one_task_at_each_models_release_price(con):
    from lib import trends

    w = costs.Workload(input_tokens=1_000, output_tokens=400, name="hand")
    table = trends.trend_table_from_db(con, "mmlu", price_date="release", basis="workload", workload=w)
    blended = trends.trend_table_from_db(con, "mmlu", price_date="release").set_index("model")
    assert len(table) > 20 and set(table["model"]) <= set(blended.index)
    p = queries.prices_at(con, pd.DataFrame({"model_id": table["model"], "at_date": table["price_date"]}))
    hand = (1_000 * p["input_usd_per_mtok"] + 400 * p["output_usd_per_mtok"]).to_numpy(float) / 1e6
    assert np.allclose(table["price"], hand, rtol=1e-9)
    # the vectorised pricing agrees with the one-date market entry (reasoning, batch and long-context rules)
    day = "2026-09-01"
    for wl in (costs.PRESETS["agentic-coding"], costs.PRESETS["batch-summarisation"],
               costs.Workload(300_000, 0.1, 1_000, 3.0, False, "long")):
        m, _ = costs.market_on_basis(con, day, "lmarena_text", "workload", workload=wl)
        v = costs.workload_prices_at(con, m.assign(at_date=pd.Timestamp(day)), wl)
        assert np.allclose(m["usd_per_task"].to_numpy(float), v.to_numpy(float), equal_nan=True)


def test_trends_page_on_cost_bases_names_the_basis_and_draws_measured_costs_only(con):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import PROJECT_DIR

    at = AppTest.from_file(str(PROJECT_DIR / "pages" / "3_trends.py"), default_timeout=90)
    for k, v in dict(basis="Workload", wl="chat", metric="mmlu").items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(specs) == 2 and all("workload 'chat'" in s["layout"]["xaxis"]["title"]["text"] or
                                   "workload 'chat'" in s["layout"]["yaxis"]["title"]["text"] for s in specs)
    assert any("one task of the workload" in c.value for c in at.caption)
    at.segmented_control(key="trends.basis").set_value("per-task").run()
    at.radio(key="trends.price_date").set_value("today").run()
    assert not at.exception, [e.message for e in at.exception]
    text = " ".join(c.value for c in at.caption) + " ".join(i.value for i in at.info)
    assert "never estimated" in text or "Measured costs per task are recent" in text
    if at.get("plotly_chart"):  # every drawn model has a measured cost on or before today
        tc = queries.task_costs_as_of(con, clock.today(), costs.DEFAULT_BENCHMARK)
        drawn = {row[0] for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
                 for row in (t.get("customdata") or []) if isinstance(row, list)}
        assert drawn <= set(tc["model_id"]) | {None}


# --- the hover names each per-task measurement and the measured speed ----------------------------------------------

def _hover_rows(chart) -> dict:
    return {r[0]: r for t in chart.fig.data if t.customdata is not None and len(t.customdata)
            and len(t.customdata[0]) == 15 for r in t.customdata}


def test_hover_shows_measured_speed_and_how_each_per_task_price_was_had(con):
    import datetime as dt

    from lib import charts

    day = dt.date(2026, 9, 1)
    rows = _hover_rows(charts.frontier(con, as_of=day, metric_id="aa_intelligence_v4"))
    speed = queries.speed_as_of(con, day).set_index("model_id")
    measured = [m for m in rows if m in speed.index]
    assert measured and all(rows[m][14].startswith(f"speed {speed.at[m, 'output_tokens_per_s']:.0f} tokens/s")
                            for m in measured)
    assert all(rows[m][14] == "" for m in rows if m not in speed.index)
    per_task = _hover_rows(charts.frontier(con, as_of=day, metric_id="aa_intelligence_v4", basis="per-task",
                                           benchmark="aa_index"))
    tc = queries.task_costs_as_of(con, day, "aa_index").set_index("model_id")
    assert per_task and all(str(tc.at[m, "task_observed_date"])[:10] in per_task[m][13]
                            and tc.at[m, "task_source_id"] in per_task[m][13] for m in per_task)
    w = costs.Workload(300_000, 0.0, 1_000, 1.0, True, "long-batch")
    wl = _hover_rows(charts.frontier(con, as_of=day, metric_id="lmarena_text", basis="workload",
                                     workload=w.to_json(with_name=True)))
    assert wl and all(r[13].startswith("one task of workload long-batch") and "batch discount" in r[13]
                      for r in wl.values())
    tiers = queries.long_context_prices_as_of(con, day)
    assert all(("long-context tier" in r[13]) == (m in set(tiers["model_id"])) for m, r in wl.items())


def test_replay_frames_are_on_the_views_basis(con):
    """Per task, each frame's points are the measurements in force on that frame's date; per workload, one task
    at that date's token prices (no frame silently falls back to the per-token price)."""
    import datetime as dt

    from lib import charts
    from tests.conftest import plotly_array

    def xs(trace):
        return plotly_array(trace["x"] if isinstance(trace, dict) else trace.x)

    # Aider's polyglot runs are dated 2024-12 → 2025-10: frames in that span each hold the runs published by then
    dates = (dt.date(2025, 1, 31), dt.date(2025, 4, 30), dt.date(2025, 8, 31))
    chart = charts.frontier(con, as_of=dates[-1], metric_id="aider_polyglot", basis="per-task",
                            benchmark="aider_polyglot", replay_dates=dates)
    by_month = {d.isoformat()[:7]: d for d in dates}
    assert len(chart.fig.frames) == len(dates) and all(f.name in by_month for f in chart.fig.frames)
    counts = []
    for frame in chart.fig.frames:
        day = by_month[frame.name]
        tc = queries.task_costs_as_of(con, day, "aider_polyglot").set_index("model_id")["usd_per_task"]
        pts = {r[0]: x for t in frame.data if t.customdata is not None and len(t.customdata)
               and len(t.customdata[0]) == 15 for r, x in zip(t.customdata, xs(t))}
        assert pts and set(pts) <= set(tc.index)
        assert all(pts[m] == pytest.approx(tc[m]) for m in pts)
        counts.append(len(pts))
    assert counts[0] < counts[-1]  # later frames hold runs published later
    w = costs.Workload(2_000, 0.0, 500, 1.0, False, "hand")
    chart = charts.frontier(con, as_of=dates[-1], metric_id="lmarena_text", basis="workload",
                            workload=w.to_json(with_name=True), replay_dates=dates)
    assert len(chart.fig.frames) == len(dates)
    for frame in chart.fig.frames:
        day = by_month[frame.name]
        m, _ = costs.market_on_basis(con, day, "lmarena_text", "workload", workload=w)
        want = m.set_index("model_id")["usd_per_task"]
        pts = {r[0]: x for t in frame.data if t.customdata is not None and len(t.customdata)
               and len(t.customdata[0]) == 15 for r, x in zip(t.customdata, xs(t))}
        assert pts and all(pts[k] == pytest.approx(want[k], rel=1e-6) for k in pts)


# --- the Calculator counts a month in tasks ------------------------------------------------------------------------

def test_calculator_in_tasks_is_tasks_times_each_models_cost_per_task(con):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import PROJECT_DIR

    def page(**params):
        at = AppTest.from_file(str(PROJECT_DIR / "pages" / "5_calculator.py"), default_timeout=90)
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    at = page(basis="Tasks, profile", wl="agentic-coding", tasks="5000", metric="aa_intelligence_v4")
    table = at.dataframe[0].value
    day = clock.today()
    m, _ = costs.market_on_basis(con, day, "aa_intelligence_v4", "workload", workload=costs.PRESETS["agentic-coding"])
    want = m.set_index("model_id")["usd_per_task"]
    assert len(table) and np.allclose(table["monthly_cost_usd"], 5000 * want.loc[table["model_id"]].to_numpy())
    assert (table["monthly_cost_usd"].diff().dropna() >= 0).all()  # cheapest first
    assert "workload 'agentic-coding'" in json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    at = page(basis="per-task", metric="aa_intelligence_v4")
    table = at.dataframe[0].value
    tc = queries.task_costs_as_of(con, day, costs.DEFAULT_BENCHMARK).set_index("model_id")["usd_per_task"]
    assert len(table) and np.allclose(table["usd_per_task"], tc.loc[table["model_id"]].to_numpy())
    assert np.allclose(table["monthly_cost_usd"], 10_000 * table["usd_per_task"])
    assert any("never estimated" in c.value and "left out" in c.value for c in at.caption)


def test_models_page_draws_each_hosts_price_and_the_spread(con):
    from streamlit.testing.v1 import AppTest

    from lib import views
    from tests.conftest import PROJECT_DIR

    mid = con.execute("SELECT model_id FROM host_prices GROUP BY model_id ORDER BY count(*) DESC, model_id "
                      "LIMIT 1").fetchall()[0][0]
    at = AppTest.from_file(str(PROJECT_DIR / "pages" / "4_models.py"), default_timeout=90)
    at.query_params["model"] = mid
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    host = [s for s in specs if "price by API host" in s["layout"]["title"]["text"]]
    assert len(host) == 1
    traces = {t["name"]: t for t in host[0]["data"]}
    hosts = queries.host_prices_for_model(con, mid)
    assert len(traces["an API host"]["customdata"]) == len(hosts)
    assert {r[0] for r in traces["an API host"]["customdata"]} == set(hosts["provider"])
    spread = views.host_spread(hosts)

    from tests.conftest import plotly_array

    def ys(t):
        return np.asarray(plotly_array(t["y"]), dtype=float)
    assert np.allclose(ys(traces["cheapest host"]), spread["cheapest"])
    assert np.allclose(ys(traces["median host"]), spread["median"])
    assert np.allclose(ys(traces["dearest host"]), spread["dearest"])


def test_host_price_chart_of_one_observation_day_has_a_date_axis_not_milliseconds():
    """A model seen on one day at one host (most of them): the axis shows months around that day, not clock times."""
    from lib import figures

    hosts = pd.DataFrame({"model_id": ["m"], "provider": ["Google Vertex"], "observed_date": [pd.Timestamp("2026-05-18")],
                          "input_usd_per_mtok": [1.0], "output_usd_per_mtok": [4.0], "source_id": ["artificial_analysis"]})
    x = figures.host_prices_figure(hosts).layout.xaxis
    lo, hi = (pd.Timestamp(v) for v in x.range)
    assert x.type == "date" and "%H" not in (x.tickformat or "") and "%S" not in (x.tickformat or "")
    assert lo <= pd.Timestamp("2026-04-18") and hi >= pd.Timestamp("2026-06-17")
    assert x.dtick == "M1"  # one tick per month: "%b %Y" on weekly ticks would repeat each month


def test_replay_frames_show_the_speed_measured_by_their_date(con):
    """Played to the chosen month, the replay's hovers name the same measured speeds as the chart of that date; a
    month before any speed measurement names none."""
    from lib import charts, views

    lo, hi = queries.date_span(con)
    first_speed = con.execute("SELECT min(observed_date) FROM speed").fetchall()[0][0]
    months = [m for m in views.month_ends(lo, hi) if m <= clock.today()][-30:]
    assert months[0] < first_speed <= months[-1]  # the span covers months before and after the first measurement
    chart = charts.frontier(con, as_of=months[-1], metric_id="aa_intelligence_v4", replay_dates=months)

    def speeds(traces):
        return {row[0]: row[14] for t in traces if t.customdata is not None and len(t.customdata)
                and len(t.customdata[0]) > 14 for row in t.customdata}

    last, still = speeds(chart.fig.frames[-1].data), speeds(chart.fig.data)
    assert last == still and sum("tokens/s" in v for v in still.values()) > 0
    before = [f for f in chart.fig.frames if f.name < str(first_speed)[:7]]
    assert before and all(not any(speeds(f.data).values()) for f in before)
