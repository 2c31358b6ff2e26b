"""The market before mid-2024 stays believable: the quarterly floors, references on every price in force, the
2023 Arena ratings as displayed, the article's 2023 pair priced from OpenAI's DevDay announcement, retirements."""
from __future__ import annotations

import pandas as pd
import pytest

from lib import paths, queries, store
from lib.curate import coverage, history


@pytest.fixture(scope="module")
def con(tmp_path_factory, build_db):
    tmp = tmp_path_factory.mktemp("history")
    db = tmp / "seed.duckdb"
    build_db(db, paths.seed_dir(), tmp / "no-snapshots")
    c = store.connect_readonly(db)
    yield c
    c.close()


@pytest.fixture(scope="module")
def cov(con):
    day, *_ = coverage.BROAD_FLOOR
    return coverage.coverage(con, sorted(set(coverage.FLOORS) | {day})).set_index("date")


@pytest.mark.parametrize("day", sorted(coverage.FLOORS))
def test_priced_models_in_force_keep_their_floor(cov, day):
    models, vendors = coverage.FLOORS[day]
    assert cov.loc[day, "priced"] >= models
    assert cov.loc[day, "priced_vendors"] >= vendors


def test_the_mid_2023_market_has_a_broad_knowledge_frontier(cov):
    day, metric, (models, points), _ = coverage.BROAD_FLOOR
    assert cov.loc[day, metric] >= models
    assert cov.loc[day, metric + "_frontier"] >= points


@pytest.mark.parametrize("day", sorted(coverage.FLOORS))
def test_every_price_in_force_names_its_source_and_reference(con, day):
    snap = queries.snapshot_as_of(con, day)
    priced = snap[snap["input_usd_per_mtok"].notna()]
    assert len(priced) > 0
    assert priced["price_source_ref"].fillna("").str.len().gt(10).all()
    assert set(priced["price_source_id"]) <= set(queries.sources_summary(con)["source_id"])


def test_the_article_2023_pair_is_priced_from_the_devday_announcement_at_launch(con):
    snap = queries.snapshot_as_of(con, "2023-11-06").set_index("model_id")
    for model, (inp, out) in {"openai/gpt-4-turbo": (10, 30), "openai/gpt-3.5-turbo-1106": (1, 2)}.items():
        row = snap.loc[model]
        assert (row["input_usd_per_mtok"], row["output_usd_per_mtok"]) == (inp, out)
        assert row["price_source_id"] == history.VENDOR_SOURCE and row["price_date_kind"] == "effective"
        assert "new-models-and-developer-products-announced-at-devday" in row["price_source_ref"]


def test_2023_arena_ratings_are_the_displayed_ones_not_the_online_elo(con):
    june = queries.scores_for_metric(con, "lmarena_text", as_of="2023-06-30").set_index("model_id")["value"]
    # the LMSYS table of 2023-06-19 (SOURCE.md): GPT-4 1227, Claude-v1 1178, Claude-instant-v1 1156
    assert june["openai/gpt-4-0314"] == 1227 and june["anthropic/claude-1"] == 1178
    assert june["anthropic/claude-instant-v1"] == 1156
    scores = pd.read_csv(paths.seed_dir() / "scores.csv")
    dates = pd.to_datetime(scores.loc[scores["source_id"] == history.ARENA_COPIES, "observed_date"])
    assert len(dates) > 100
    online_elo_era = (dates >= "2023-06-19") & (dates <= "2024-03-26") & ~dates.isin(
        pd.to_datetime(["2024-01-25", "2024-02-15"]))
    assert not online_elo_era.any()


def test_retired_models_leave_the_market(con):
    before = set(queries.snapshot_as_of(con, "2024-01-03")["model_id"])
    after = set(queries.snapshot_as_of(con, "2024-01-04")["model_id"])
    assert "openai/text-davinci-003" in before and "openai/text-davinci-003" not in after
    assert "openai/davinci-002" in after


@pytest.mark.parametrize("value, unit, rule, expected", [
    ("0.002", "usd_per_1k_tokens", "USD per 1K tokens x 1000 = USD per 1M tokens", 2.0),
    ("0.001", "usd_per_1k_characters", "USD per 1K characters x 1000 x 4 characters per token = ...", 4.0),
    ("2.9", "usd_per_1m_characters", "USD per 1M characters x 3.8 characters per token", 11.02),
    ("11.02", "usd_per_1m_tokens", "as quoted", 11.02),
])
def test_prices_quoted_per_1k_tokens_or_per_character_convert_by_the_rule_in_the_row(value, unit, rule, expected):
    assert history._to_mtok(value, unit, rule) == pytest.approx(expected)


def test_a_per_character_price_without_a_rule_is_refused():
    with pytest.raises(ValueError, match="characters per token"):
        history._to_mtok("0.001", "usd_per_1k_characters", "converted somehow")


def test_a_known_litellm_slip_is_dropped_and_recorded():
    row = dict(model_id="openai/text-davinci-003", source_id="litellm", input_usd_per_mtok=2.0,
               output_usd_per_mtok=2.0, effective_from="2023-10-31", raw_path="x.csv",
               source_ref="x.csv#model_key=text-davinci-003;first_seen=2023-10-31")
    kept, notes = history.drop_litellm_errors([row, dict(row, input_usd_per_mtok=20.0, output_usd_per_mtok=20.0)])
    assert [r["input_usd_per_mtok"] for r in kept] == [20.0]
    assert "text-davinci-003" in notes[0]["what"] and "$20" in notes[0]["what"]
