"""The committed seed: validation, the aa_quality_2024 composite, lineage, and hand-checked price history.

Price facts were checked against the vendor-effective sources named next to each one.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from lib.curate.article import ARTICLE_MODELS, ARTICLE_PAIRS
from lib.curate.report import article_pairs, price_as_of
from lib.curate.validate import validate_seed
from tests.conftest import run_cli

PROJECT = Path(__file__).resolve().parent.parent
SEED = PROJECT / "data" / "seed"


@pytest.fixture(scope="module")
def seed():
    return validate_seed(SEED)


def test_committed_seed_validates_and_meets_coverage_targets(seed):
    std = seed["prices"][seed["prices"]["tier"] == "standard"]
    priced = set(std["model_id"])
    assert len(priced) >= 300
    assert len({m.split("/")[0] for m in priced}) >= 25
    assert len(set(seed["scores"]["model_id"])) >= 150
    assert std["effective_from"].min() <= "2021-12-31"  # GPT-3 davinci from Epoch's archived price records
    assert set(ARTICLE_MODELS) <= set(seed["models"]["model_id"])
    assert set(ARTICLE_MODELS) <= priced


def test_composite_is_the_mean_of_its_four_parts(seed):
    s = seed["scores"]
    parts = s[s["metric_id"].isin(["mmlu", "gpqa_diamond", "humaneval", "math_500"])]
    wide = parts.pivot_table(index="model_id", columns="metric_id", values="value", aggfunc="last").dropna()
    comp = s[s["metric_id"] == "aa_quality_2024"].set_index("model_id")["value"]
    assert set(comp.index) == set(wide.index)
    expected = wide.mean(axis=1)
    for mid, v in comp.items():
        assert v == pytest.approx(expected[mid], abs=1e-6), mid
    assert comp["openai/gpt-4-turbo"] == pytest.approx(75.75)
    assert comp["openai/gpt-3.5-turbo-1106"] == pytest.approx(53.25)
    assert "google/gemini-1.5-flash-001" not in comp.index  # May '24 Flash has no HumanEval


def test_every_lineage_row_resolves_to_two_models_and_has_evidence(seed):
    models = set(seed["models"]["model_id"])
    lin = seed["lineage"]
    assert set(lin["parent_id"]) <= models and set(lin["child_id"]) <= models
    assert lin["evidence_url"].str.startswith("http").all()
    pairs = {(r.parent_id, r.child_id, r.era) for r in lin.itertuples() if r.relation == "distilled"}
    assert set(ARTICLE_PAIRS) <= pairs


def test_article_pairs_reproduce_the_expected_drops(seed):
    t = article_pairs(seed).set_index("student")
    assert t.loc["openai/gpt-3.5-turbo-1106", "quality_drop_pct"] == pytest.approx(29.7, abs=0.1)
    distilled = t[t["era"] == "distillation"]
    assert distilled["price_drop_pct"].between(93, 98).all()
    assert distilled["quality_drop_pct"].mean() == pytest.approx(7, abs=1.5)


# (model, day, input, output, vendor-effective source checked against); None = no price that day
PRICE_FACTS = [
    ("openai/davinci", "2022-08-31", 60, 60, "Epoch record, archive 2022-09-05 of openai.com/api/pricing"),
    ("openai/davinci", "2022-09-01", 20, 20, "Epoch record: OpenAI's 2022-09-01 GPT-3 price cut"),
    ("openai/gpt-4-0314", "2023-03-14", 30, 60, "Epoch record, archive 2023-03-23 of openai.com/pricing"),
    ("openai/gpt-4-0613", "2023-06-13", 30, 60, "Epoch price data (blended 37.5 from 2023-06-13), split as LiteLLM"),
    ("openai/gpt-4-turbo", "2023-11-06", 10, 30, "Epoch record, OpenAI DevDay post"),
    ("openai/gpt-3.5-turbo-1106", "2023-11-06", 1, 2, "Epoch record, archive 2023-11-22 of openai.com/pricing"),
    ("openai/gpt-3.5-turbo-0125", "2024-01-25", 0.5, 1.5, "Epoch record of the 0125 cut"),
    ("openai/gpt-4o-2024-05-13", "2024-05-13", 5, 15, "Epoch record, archive 2024-08-12 of openai.com/api/pricing"),
    ("openai/gpt-4o-mini", "2024-07-18", 0.15, 0.6, "Epoch record, archive 2024-08-12"),
    ("openai/gpt-4o-2024-08-06", "2024-08-06", 2.5, 10, "Epoch record, archive 2024-08-12"),
    ("google/gemini-1.5-flash-001", "2024-08-12", 0.075, 0.3, "Epoch record: Flash cut effective 2024-08-12"),
    ("google/gemini-1.5-pro-002", "2024-09-30", 3.5, 10.5, "Epoch record, archive 2024-08-12 of ai.google.dev"),
    ("google/gemini-1.5-pro-002", "2024-10-01", 1.25, 5, "Epoch record: Pro cut effective 2024-10-01"),
    ("anthropic/claude-3.5-haiku", "2024-11-04", 1, 5, "Epoch record, archive of anthropic.com/news"),
    ("openai/o1-mini", "2025-01-30", 3, 12, "Epoch record, archive 2024-09-18"),
    ("openai/o1-mini", "2025-01-31", 1.1, 4.4, "Epoch record, archive.ph/VE95w"),
    ("openai/o3", "2025-06-10", 2, 8, "genai-prices start_date 2025-06-10 (simonw HEAD $10/$40 is a known error)"),
]
NOT_YET = [("openai/gpt-4-turbo", "2023-11-05"), ("openai/gpt-4-0613", "2023-06-12"), ("openai/gpt-3.5-turbo-0125", "2024-01-24"),
           ("openai/gpt-4o-mini", "2024-07-17")]


@pytest.mark.parametrize("model_id,day,inp,out,checked", PRICE_FACTS)
def test_price_facts_in_seed(seed, model_id, day, inp, out, checked):
    p = price_as_of(seed, model_id, day)
    assert p is not None, checked
    assert (p["input_usd_per_mtok"], p["output_usd_per_mtok"]) == pytest.approx((inp, out)), checked


@pytest.fixture(scope="module")
def snapshot(frontier_db):
    if frontier_db["seed"] != SEED:
        pytest.skip("the session database is not built from data/seed")
    env = {"FRONTIER_DB": str(frontier_db["db"]), "FRONTIER_SEED_DIR": str(frontier_db["seed"]),
           "FRONTIER_SNAPSHOT_DIR": str(frontier_db["snapshots"])}

    @lru_cache(maxsize=None)
    def at(day: str) -> dict:
        res = run_cli("snapshot", "--as-of", day, "--format", "json", env=env)
        assert res.returncode == 0, res.stderr
        return {r["model_id"]: r for r in json.loads(res.stdout)}
    return at


@pytest.mark.parametrize("model_id,day,inp,out,checked", PRICE_FACTS)
def test_price_facts_through_snapshot_cli(snapshot, model_id, day, inp, out, checked):
    row = snapshot(day).get(model_id)
    assert row is not None, f"{model_id} missing on {day}"
    assert (row["input_usd_per_mtok"], row["output_usd_per_mtok"]) == pytest.approx((inp, out)), checked


@pytest.mark.parametrize("model_id,day", NOT_YET)
def test_no_price_before_launch(snapshot, model_id, day):
    row = snapshot(day).get(model_id)
    assert row is None or row["input_usd_per_mtok"] is None


def _priced(seed):
    std = seed["prices"][seed["prices"]["tier"] == "standard"]
    return set(std["model_id"])


def test_display_names_are_unique_among_priced_models(seed):
    m = seed["models"][seed["models"]["model_id"].isin(_priced(seed))]
    dup = m[m["name"].str.lower().duplicated(keep=False)].sort_values("name")
    assert dup.empty, dup[["model_id", "name"]].to_string()


def test_article_model_names_are_human_readable(seed):
    import re
    names = seed["models"].set_index("model_id")["name"]
    for mid in ARTICLE_MODELS:
        n = names[mid]
        assert not re.search(r"[A-Za-z]-20\d\d-\d\d", n), f"{mid}: Epoch table key {n!r}"
        assert ": " not in n and " " in n, f"{mid}: {n!r}"
    assert names["openai/gpt-4o-2024-05-13"] == "GPT-4o (2024-05-13)"
    assert names["google/gemini-1.5-flash-001"] == "Gemini 1.5 Flash (001)"
    assert names["anthropic/claude-3.5-sonnet-20240620"] == "Claude 3.5 Sonnet (2024-06-20)"
    assert names["anthropic/claude-3.5-haiku"] == "Claude 3.5 Haiku"
    assert len({names[m] for m in ARTICLE_MODELS}) == len(ARTICLE_MODELS)


def test_no_reseller_prefix_in_priced_names(seed):
    m = seed["models"][seed["models"]["model_id"].isin(_priced(seed))]
    bad = m[m["name"].str.match(r"^[A-Z][\w. ]*: ")]
    assert bad.empty, bad[["model_id", "name"]].to_string()


def test_only_scheduled_prices_after_the_newest_retrieval(seed):
    from lib.curate.validate import newest_retrieval
    newest = newest_retrieval(seed)
    p = seed["prices"]
    late = p[p["effective_from"] > newest]
    assert (late["date_kind"] == "effective").all()
    assert late["note"].str.contains("scheduled").all()
    # a scheduled price is a vendor's announcement: it names where it was announced
    assert late["source_ref"].fillna("").str.len().gt(0).all(), late[["model_id", "source_id"]].to_string()
    assert seed["scores"]["observed_date"].max() <= newest


def test_check_reports_the_newest_data_date(seed):
    """QUALITY.md states the newest date the seed really has (newest price in force by the newest retrieval, score
    or release), recomputed here from the seed, so a data refresh moves both together."""
    import re

    from lib.curate.validate import newest_retrieval

    std = seed["prices"][seed["prices"]["tier"] == "standard"]
    in_data = std.loc[std["effective_from"] <= newest_retrieval(seed), "effective_from"]
    expected = max(in_data.max(), seed["scores"]["observed_date"].max(), seed["models"]["release_date"].dropna().max())
    text = (PROJECT / "data" / "QUALITY.md").read_text()
    found = re.search(r"newest data date \(excluding scheduled future prices\): (\d{4}-\d{2}-\d{2})", text)
    assert found, "QUALITY.md does not state the newest data date"
    assert found.group(1) == str(expected)


def test_local_and_quantised_runs_are_not_models(seed):
    from lib.curate.aliases import non_api_reason
    ids = seed["models"]["model_id"]
    scored_only = set(ids) - _priced(seed)
    bad = sorted(m for m in scored_only if non_api_reason(m.split("/", 1)[1]) or m.startswith("ollama/"))
    assert not bad, bad
    corr = pd.read_csv(SEED / "corrections.csv", dtype=str).fillna("")
    assert corr["what"].str.contains("yi-coder:9b-chat-fp16").any()
    assert "mistralai/codestral" not in set(seed["scores"][seed["scores"]["source_id"] == "aider"]["model_id"])


def test_vendor_column_names_the_creator_not_the_id_rule(seed):
    v = seed["models"].set_index("model_id")["vendor"]
    assert v["google/palmyra-x5"] == "writer"
    assert v["meta-llama/llama-3.1-sonar-large-128k-online"] == "perplexity"
    assert v["meta-llama/llama-3.1-nemotron-70b-instruct"] == "nvidia"
    assert v["haotian-liu/llava-13b"] == "liuhaotian"
