"""Live ingest on recorded real payloads: parsers, alias resolution, the pipeline, replay and the CLI."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from lib import queries, store
from lib.__main__ import main
from lib.ingest import artificial_analysis, litellm, llm_prices, lmarena, openrouter, pipeline

FIX = Path(__file__).parent / "fixtures" / "ingest"
SEED = Path(__file__).parent / "fixtures" / "seed_small"
DAY = dt.datetime(2026, 8, 8, tzinfo=dt.timezone.utc)


@pytest.fixture
def env(tmp_path, monkeypatch, build_db):
    db, snaps = tmp_path / "x.duckdb", tmp_path / "snaps"
    monkeypatch.setenv("FRONTIER_DB", str(db))
    monkeypatch.setenv("FRONTIER_SNAPSHOT_DIR", str(snaps))
    monkeypatch.setenv("FRONTIER_SEED_DIR", str(SEED))
    monkeypatch.delenv("AA_API_KEY", raising=False)
    build_db(db, SEED, snaps)
    return db, snaps


def ingest(*args) -> int:
    return main(["ingest", *map(str, args)])


def counts(db):
    con = store.connect_readonly(db)
    try:
        return store.table_counts(con)
    finally:
        con.close()


# --- parsers ---------------------------------------------------------------------------------------------------

def test_openrouter_prices_are_per_million_tokens_and_routers_are_skipped():
    r = openrouter.parse((FIX / "openrouter_2026-08-08_slice.json").read_bytes(), DAY)
    p = r.prices.set_index("external_id")
    assert p.loc["openai/gpt-4o", "input_usd_per_mtok"] == 2.5      # "0.0000025" per token
    assert p.loc["openai/gpt-4o", "output_usd_per_mtok"] == 10.0
    assert not p["first_party"].any()                                 # OpenRouter resells every model
    assert p.loc["poolside/laguna-s-2.1:free", "tier"] == "free"      # free variants never become the headline
    assert p.loc["anthropic/claude-opus-5:batch", "tier"] == "batch"
    skipped = {s.external_id: s for s in r.skipped}
    assert "variable price" in skipped["openrouter/auto"].reason
    assert skipped["~x-ai/grok-latest"].field == "id"
    assert r.models["release_date"].isna().all()                      # `created` is a listing date
    assert p.loc["openai/gpt-4o", "note"].startswith("listed on OpenRouter")


def test_openrouter_2024_wrapped_payload_parses():
    r = openrouter.parse((FIX / "openrouter_2024-09-27_slice.json").read_bytes(), DAY)
    assert r.prices.set_index("external_id").loc["openai/gpt-4o", "input_usd_per_mtok"] == 5.0


def test_litellm_keeps_chat_modes_and_marks_first_party_by_provider(env):
    r = litellm.parse((FIX / "litellm_2026-07-24_slice.json").read_bytes(), DAY)
    ids = set(r.prices["external_id"])
    assert "text-embedding-3-small" not in ids and "dall-e-3" not in ids and "sample_spec" not in ids
    con = store.connect_readonly(env[0])
    from lib.ingest import resolve
    res = resolve.apply(con, r, litellm)
    con.close()
    p = res.prices.set_index(["external_id"])
    assert bool(p.loc["vertex_ai/claude-3-haiku", "first_party"]) is False  # a host's offering of a known model
    assert bool(p.loc["gpt-4o-mini", "first_party"]) is True
    assert p.loc["gpt-4o-mini", "input_usd_per_mtok"] == 0.15
    # a model the (small) registry does not have is queued for review
    assert "azure/gpt-4o" in set(res.queue["external_id"])
    assert res.models.set_index("external_id").loc["azure/gpt-4o", "status"] == "queued"


def test_llm_prices_takes_the_row_in_force_on_the_retrieval_day():
    r = llm_prices.parse((FIX / "llm_prices_openai.json").read_bytes(), DAY)
    p = r.prices.set_index("external_id")
    assert p.loc["gpt-4o", "input_usd_per_mtok"] == 2.5
    assert p.loc["gpt-4o", "cache_read_usd_per_mtok"] == 1.25


def test_artificial_analysis_records_index_version_with_every_score():
    r = artificial_analysis.parse((FIX / "aa_language_models_free_page1_2026-06-27.json").read_bytes(), DAY)
    assert set(r.scores["metric_id"]) == {"aa_intelligence_v4"}
    assert set(r.scores["metric_version"]) == {"4.1"}
    s = r.scores.set_index("external_id")
    assert s.loc["gpt-35-turbo", "value"] == pytest.approx(3.6) if "gpt-35-turbo" in s.index else True
    legacy = artificial_analysis.parse((FIX / "aa_legacy_docs_example.json").read_bytes(), DAY)
    assert legacy.scores.iloc[0]["metric_id"] == "aa_intelligence_v2"
    assert "inferred" in legacy.scores.iloc[0]["metric_version"]
    assert legacy.prices.iloc[0]["input_usd_per_mtok"] == 1.1


def test_lmarena_reads_both_score_column_names():
    new = lmarena.parse((FIX / "lmarena_text_2025-08-04_slice.csv").read_bytes(), DAY)
    old = lmarena.parse((FIX / "lmarena_text_2024-06-19_slice.csv").read_bytes(), DAY)  # `arena_elo`
    assert new.scores.set_index("external_id").loc["Claude 3 Opus", "value"] == 1265
    assert old.scores.set_index("external_id").loc["GPT-4o-2024-05-13", "value"] == 1287
    assert set(new.scores["metric_id"]) == {"lmarena_text"}


# --- pipeline ---------------------------------------------------------------------------------------------------

def test_import_resolves_aliases_keeps_raw_and_is_a_no_op_when_repeated(env, capsys):
    db, snaps = env
    before = counts(db)
    assert ingest("openrouter", "--from-file", FIX / "openrouter_2024-09-27_slice.json",
                  "--retrieved-at", "2024-09-27") == 0
    out = capsys.readouterr().out
    assert "new models:" in out and "openrouter/auto" in out
    assert "queued for review (unknown ids): 16" in out
    con = store.connect_readonly(db)
    # a known model resolves to its canonical id; an unknown one goes to the review queue, not onto the charts
    haiku = queries.price_history(con, "anthropic/claude-3-haiku")
    assert ((haiku["source_id"] == "openrouter") & (haiku["input_usd_per_mtok"] == 0.25)).any()
    models = queries.models(con).set_index("model_id")
    assert models.loc["qwen/qwen-2.5-72b-instruct", "status"] == "queued"
    market = queries.snapshot_as_of(con, "2024-09-28")
    assert "qwen/qwen-2.5-72b-instruct" not in set(market["model_id"])  # held off the charts
    assert "anthropic/claude-3-haiku" in set(market["model_id"])
    queue = queries.review_queue(con).set_index("external_id")
    assert queue.loc["qwen/qwen-2.5-72b-instruct", "source_id"] == "openrouter"
    assert str(queue.loc["qwen/qwen-2.5-72b-instruct", "first_seen"])[:10] == "2024-09-27"
    assert queries.registry_counts(con)["review_queue"] == len(queue)
    assert models.loc["anthropic/claude-3-haiku", "status"] == "reviewed"   # existing rows are never rewritten
    summary = queries.sources_summary(con).set_index("source_id")
    assert str(summary.loc["openrouter", "newest_snapshot"])[:10] == "2024-09-27"
    con.close()
    raw = sorted((snaps / "openrouter").glob("*.json"))
    body = (FIX / "openrouter_2024-09-27_slice.json").read_bytes()
    data = [f for f in raw if not f.name.endswith(".meta.json")]
    assert len(data) == 1 and data[0].read_bytes() == body                   # kept exactly as it arrived
    meta = json.loads((snaps / "openrouter" / (data[0].name + ".meta.json")).read_text())
    assert meta["sha256"] == hashlib.sha256(body).hexdigest() and meta["retrieved_at"] == "2024-09-27T00:00:00Z"
    assert data[0].name == f"20240927T000000Z_{meta['sha256'][:12]}.json"
    # the stamped version matches the files, so the dashboard does not rebuild
    assert store.stored_version(db) == store.data_version()
    mid = counts(db)
    assert mid["snapshots"] == before["snapshots"] + 1
    db_bytes = db.read_bytes()
    assert ingest("openrouter", "--from-file", FIX / "openrouter_2024-09-27_slice.json") == 0
    assert "unchanged payload" in capsys.readouterr().out
    assert db.read_bytes() == db_bytes and len(list((snaps / "openrouter").iterdir())) == 2


def test_changed_price_prints_old_to_new_and_opens_a_new_interval(env, capsys):
    db, _ = env
    ingest("openrouter", "--from-file", FIX / "openrouter_2024-09-27_slice.json", "--retrieved-at", "2024-09-27")
    capsys.readouterr()
    assert ingest("openrouter", "--from-file", FIX / "openrouter_2026-08-08_slice.json",
                  "--retrieved-at", "2026-08-08") == 0
    out = capsys.readouterr().out
    assert "input 5 → 2.5, output 15 → 10" in out
    con = store.connect_readonly(db)
    hist = queries.price_history(con, "openai/gpt-4o-2024-08-06")
    hist = hist[(hist.source_id == "openrouter") & (hist.tier == "standard")]
    assert list(hist["input_usd_per_mtok"]) == [5.0, 2.5]
    assert str(hist.iloc[0]["effective_to"])[:10] == "2026-08-08"          # closed by the new row
    con.close()


def test_dry_run_writes_nothing(env, capsys):
    db, snaps = env
    before = db.read_bytes()
    assert ingest("lmarena", "--from-file", FIX / "lmarena_text_2025-08-04_slice.csv", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "would import (dry run, nothing written)" in out and "scores: 34" in out
    assert db.read_bytes() == before and not snaps.exists()


def test_rebuild_replays_kept_snapshots_to_the_same_database(env):
    db, snaps = env
    steps = [("lmarena", "lmarena_text_2024-06-19_slice.csv", "2024-06-19"),
             ("openrouter", "openrouter_2024-09-27_slice.json", "2024-09-27"),
             ("lmarena", "lmarena_text_2025-08-04_slice.csv", "2025-08-04"),
             ("artificial_analysis", "aa_language_models_free_page1_2026-06-27.json", "2026-06-27"),
             ("litellm", "litellm_2026-07-24_slice.json", "2026-07-24"),
             ("llm_prices", "llm_prices_anthropic.json", "2026-08-05"),
             ("openrouter", "openrouter_2026-08-08_slice.json", "2026-08-08")]
    for source, name, day in steps:
        assert ingest(source, "--from-file", FIX / name, "--retrieved-at", day) == 0
    con = store.connect_readonly(db)
    live = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
            for t in ("models", "aliases", "prices", "scores", "metrics", "sources")}
    con.close()
    store.build(db)  # from seed + data/snapshots only
    con = store.connect_readonly(db)
    rebuilt = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in live}
    summary = queries.sources_summary(con).set_index("source_id")
    con.close()
    assert rebuilt == live
    assert str(summary.loc["openrouter", "newest_snapshot"])[:10] == "2026-08-08"
    assert str(summary.loc["lmarena", "newest_snapshot"])[:10] == "2025-08-04"


def test_lmarena_snapshots_are_dated_and_drift(env):
    db, _ = env
    ingest("lmarena", "--from-file", FIX / "lmarena_text_2024-06-19_slice.csv", "--retrieved-at", "2024-06-19")
    ingest("lmarena", "--from-file", FIX / "lmarena_text_2025-08-04_slice.csv", "--retrieved-at", "2025-08-04")
    con = store.connect_readonly(db)
    opus = queries.scores_for_model(con, "anthropic/claude-3-opus")
    opus = opus[opus.source_id == "lmarena"]
    assert [(str(d)[:10], v) for d, v in zip(opus.observed_date, opus.value)] == [
        ("2024-06-19", 1249.0), ("2025-08-04", 1265.0)]
    con.close()


def test_usage_errors_exit_2(env, capsys):
    assert ingest("nope") == 2
    assert ingest("all", "--from-file", FIX / "lmarena_text_2024-06-19_slice.csv") == 2
    assert ingest("openrouter", "--from-file", FIX / "missing.json") == 2
    assert ingest("openrouter", "--from-file", FIX / "openrouter_2024-09-27_slice.json",
                  "--retrieved-at", "yesterday") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 4 and "unknown source 'nope'" in err


def test_all_reports_a_failing_source_and_runs_the_others(env, monkeypatch, capsys):
    calls = []

    def fake(source, **kw):
        calls.append(source)
        if source == "litellm":
            from lib.errors import DataError
            raise DataError("litellm: HTTP 503 Service Unavailable (https://example)")
        return {"source": source, "status": "unchanged"}

    monkeypatch.setattr(pipeline, "run_source", fake)
    assert ingest("all") == 1
    captured = capsys.readouterr()
    assert calls == ["openrouter", "litellm", "llm_prices", "artificial_analysis", "lmarena"]
    assert "litellm: HTTP 503" in captured.err and "1 source(s) failed: litellm" in captured.err


def test_all_skips_artificial_analysis_without_a_key(env, monkeypatch, capsys):
    for name in ("openrouter", "litellm", "llm_prices", "lmarena"):
        monkeypatch.setattr(pipeline.source_module(name), "fetch",
                            lambda session=None, **kw: (_ for _ in ()).throw(AssertionError("no network")))
    monkeypatch.setattr(pipeline, "SOURCES", {"artificial_analysis": "lib.ingest.artificial_analysis"})
    assert ingest("all") == 0
    assert "artificial_analysis: skipped: artificial_analysis: no API key" in capsys.readouterr().out


def test_llm_prices_from_date_is_stored_as_a_vendor_effective_date(env, tmp_path):
    """llm-prices states when a price took effect (`from_date`): that date is kept and marked `effective`;
    a price without one is only known on the retrieval day (`observed`)."""
    db, _ = env
    body = (FIX / "llm_prices_anthropic.json").read_bytes()
    assert ingest("llm_prices", "--from-file", FIX / "llm_prices_anthropic.json", "--retrieved-at", "2026-08-05") == 0
    later = tmp_path / "llm_prices_anthropic_refetched.json"
    later.write_text(json.dumps(json.loads(body), indent=1))  # the same file fetched again, different bytes
    assert ingest("llm_prices", "--from-file", later, "--retrieved-at", "2026-09-05") == 0
    con = store.connect_readonly(db)
    try:
        hist = queries.price_history(con, "anthropic/claude-sonnet-5")
        mine = hist[hist["source_id"] == "simonw_llm_prices"].sort_values("effective_from")
        rows = [(str(r.effective_from)[:10], r.date_kind, r.input_usd_per_mtok, r.output_usd_per_mtok)
                for r in mine.itertuples()]
        assert rows == [("2026-08-05", "observed", 2.0, 10.0), ("2026-09-01", "effective", 3.0, 15.0)]
        # (a model the small registry lacks is queued, off the market: its headline price is asked directly)
        asked = queries.prices_at(con, pd.DataFrame({"model_id": ["anthropic/claude-sonnet-5"] * 2,
                                                     "at_date": ["2026-08-31", "2026-09-01"]}))
        on = dict(zip(("2026-08-31", "2026-09-01"), (r for _, r in asked.iterrows())))
        assert (on["2026-08-31"].input_usd_per_mtok, on["2026-09-01"].input_usd_per_mtok) == (2.0, 3.0)
        assert on["2026-09-01"].price_date_kind == "effective"
    finally:
        con.close()


def test_live_ingest_corrects_known_upstream_errors_the_way_curation_does(env, capsys):
    """LiteLLM's 2023-12-14 copy has Claude Instant 1.2 at a tenth of its price and Perplexity's per-request fee
    stored as a per-output-token price. A live ingest of that copy applies curation's reviewed fix
    (data/curated/price_fixes.csv) and its per-request-fee rule: the wrong prices never reach the charts, the report
    says why with the reference, the fee is kept as a fee (the same value the seed's fees.csv has from the same copy),
    and the copy's other prices are stored as they are."""
    db, _ = env
    assert ingest("litellm", "--from-file", FIX / "litellm_2023-12-14_slice.json", "--retrieved-at", "2023-12-14") == 0
    out = capsys.readouterr().out
    assert "a LiteLLM decimal slip" in out and "api_prices_full_view.csv" in out
    assert "per-request fee" in out
    con = store.connect_readonly(db)
    try:
        prices = con.execute("SELECT model_id, input_usd_per_mtok, output_usd_per_mtok FROM prices "
                             "WHERE source_id = 'litellm' ORDER BY model_id").fetchall()
        fees = con.execute("SELECT model_id, fee_kind, usd, effective_from::VARCHAR FROM fees "
                           "WHERE source_id = 'litellm' ORDER BY model_id").fetchall()
    finally:
        con.close()
    stored = {m: (i, o) for m, i, o in prices}
    assert "anthropic/claude-instant-1.2" not in stored
    assert not [m for m in stored if m.startswith("perplexity/")]
    # GPT-4 Turbo (1106), GPT-3.5 Turbo 1106 and Claude 2.1 at the copy's prices, per million tokens
    assert sorted(stored.values()) == [(1.0, 2.0), (8.0, 24.0), (10.0, 30.0)]
    seed_fees = pd.read_csv(Path(__file__).parent.parent / "data" / "seed" / "fees.csv")
    curated = {(r.model_id, r.fee_kind, r.usd, r.effective_from) for r in seed_fees.itertuples()
               if r.source_id == "litellm" and r.effective_from == "2023-12-14"}
    assert set(fees) == curated and len(fees) == 2
    # the same payload again is a no-op: no second fee row
    assert ingest("litellm", "--from-file", FIX / "litellm_2023-12-14_slice.json", "--retrieved-at", "2023-12-14") == 0
    con = store.connect_readonly(db)
    try:
        assert con.execute("SELECT count(*) FROM fees WHERE source_id = 'litellm'").fetchall()[0][0] == 2
    finally:
        con.close()
