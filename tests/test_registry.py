"""The model registry: reviewed entity resolution (duplicates, host deployments, variants, junk) on the seed and
in the store, as a user of the charts and of `python -m lib check` sees it."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lib.curate import identity as I
from lib.curate.report import registry_figures
from lib.curate.validate import validate_seed

PROJECT = Path(__file__).resolve().parent.parent
SEED = PROJECT / "data" / "seed"


@pytest.fixture(scope="module")
def seed():
    return validate_seed(SEED)


def _price(mid, src="openrouter", frm="2025-01-01", inp=1.0, out=2.0, provider="openrouter"):
    return dict(model_id=mid, provider=provider, first_party=False, tier="standard", effective_from=frm,
                effective_to="", input_usd_per_mtok=inp, output_usd_per_mtok=out, cache_read_usd_per_mtok=None,
                date_kind="observed", source_id=src, raw_path="x", source_ref=f"x#id={mid}", note="")


def _score(mid, src="artificial_analysis", value=50.0, date="2025-08-14"):
    return dict(model_id=mid, metric_id="aa_intelligence_v2", value=value, observed_date=date, metric_version="2",
                source_id=src, raw_path="x", source_ref=f"x#Model={mid}")


DECISIONS = [
    dict(from_id="deepseek/deepseek-r1-0528-maas", source_id="", decision="merge", model_id="deepseek/deepseek-r1-0528",
         variant="", reason="Vertex deployment"),
    dict(from_id="openai/gpt-5-high", source_id="", decision="variant", model_id="openai/gpt-5", variant="high",
         reason="effort"),
    dict(from_id="versions/abc", source_id="", decision="reject", model_id="", variant="", reason="a hash"),
    dict(from_id="meta-llama/llama-3-70b", source_id="artificial_analysis", decision="merge",
         model_id="meta-llama/llama-3-70b-instruct", variant="", reason="AA evaluates the instruct model"),
]


def test_reviewed_decisions_move_rows_to_one_model_variant_or_drop_them_with_a_reason():
    prices = [_price("deepseek/deepseek-r1-0528"), _price("deepseek/deepseek-r1-0528-maas", provider="vertex"),
              _price("meta-llama/llama-3-70b")]
    scores = [_score("deepseek/deepseek-r1-0528", value=68), _score("deepseek/deepseek-r1-0528-maas", value=67),
              _score("openai/gpt-5", value=60), _score("openai/gpt-5-high", value=68), _score("versions/abc"),
              _score("meta-llama/llama-3-70b")]
    p, s, corr = I.apply_identity(prices, scores, DECISIONS)
    # the host deployment's price is an offering of the canonical model; its duplicate score is dropped, recorded
    assert sorted((r["model_id"], r["provider"]) for r in p) == [
        ("deepseek/deepseek-r1-0528", "openrouter"), ("deepseek/deepseek-r1-0528", "vertex"),
        ("meta-llama/llama-3-70b", "openrouter")]  # the base model's own OpenRouter price stays on the base id
    r1 = [r for r in s if r["model_id"] == "deepseek/deepseek-r1-0528"]
    assert [r["value"] for r in r1] == [68]  # the canonical id's own row wins
    assert any("merged duplicate score row from deepseek/deepseek-r1-0528-maas" in c["what"] for c in corr)
    # the effort setting is a variant of the model, not a model
    gpt5 = sorted((r["variant"], r["value"]) for r in s if r["model_id"] == "openai/gpt-5")
    assert gpt5 == [("", 60), ("high", 68)]
    assert not any(r["model_id"].startswith("versions/") for r in s)
    assert any(c["model_id"] == "versions/abc" and c["what"].startswith("rejected id") for c in corr)
    # a source-specific decision moves only that source's rows
    assert ("meta-llama/llama-3-70b-instruct", "artificial_analysis") in {(r["model_id"], r["source_id"]) for r in s}


def test_duplicate_key_and_junk_rules_catch_the_kinds_of_ids_the_issue_lists():
    nova = ["amazon/amazon-nova-pro", "amazon/amazon-nova-pro-1.0", "amazon/nova-pro", "amazon/nova-pro-v1"]
    assert len({I.duplicate_key(m) for m in nova}) == 1
    assert I.duplicate_key("qwen/qwen3-235b-a22b-instruct-2507-tput") == I.duplicate_key(
        "qwen/qwen-3-235b-a22b-instruct-2507")
    assert I.duplicate_key("cohere/command-r+") != I.duplicate_key("cohere/command-r")
    for junk in ["versions/770a9a1af221402dac8977b0186f4604", "google/bard-(gemini-pro)", "google/gemini-2.5-pro-",
                 "x-ai/chocolate-(early-grok-3)"]:
        assert I.junk_reason(junk), junk
    assert I.junk_reason("openai/gpt-4o-2024-05-13") is None
    assert I.split_variant("openai/o3-mini-2025-01-31-high") == ("openai/o3-mini-2025-01-31", "high")
    assert I.split_variant("anthropic/claude-3.7-sonnet-(thinking-32k)") == ("anthropic/claude-3.7-sonnet",
                                                                            "thinking-32k")
    assert I.split_variant("openai/gpt-4o") is None


def test_the_committed_seed_has_no_unreviewed_duplicates_no_junk_and_one_id_per_real_model(seed):
    figures = registry_figures(seed, I.load_identity())
    assert figures["unreviewed duplicate-candidate groups"] == 0
    assert figures["junk ids"] == 0
    assert figures["reasoning-configuration ids as models"] == 0
    aliases = seed["aliases"]
    # Amazon Nova Pro: every id any source used resolves to one model, which has both a price and scores
    nova = aliases[aliases["external_id"].str.lower().str.contains("nova-pro|nova pro", regex=True)
                   & ~aliases["external_id"].str.lower().str.contains("premier")]
    assert nova["model_id"].nunique() == 1
    (nova_id,) = set(nova["model_id"])
    assert nova_id in set(seed["prices"]["model_id"]) and nova_id in set(seed["scores"]["model_id"])
    # a retired id still resolves (old links, live ingest) to its canonical model, marked as a reviewed decision
    retired = aliases[(aliases["source_id"] == "curation") & (aliases["external_id"] == "amazon/amazon-nova-pro-1.0")]
    assert retired[["model_id", "rule"]].values.tolist() == [[nova_id, "by hand"]]


def test_creator_is_the_vendor_not_the_base_model_or_the_host(seed):
    m = seed["models"].set_index("model_id")
    vendors = m["vendor"]
    assert (vendors[vendors.index.str.contains("nemotron")] == "nvidia").all()
    assert (vendors[vendors.index.str.contains("tulu")] == "allenai").all()
    assert (vendors[vendors.index.str.contains("palmyra")] == "writer").all()
    assert not {"lightning-ai", "xiaomimimo", "meituan-longcat"} & set(vendors)


def test_a_model_point_uses_its_default_configuration_and_names_a_variant_when_only_variants_exist(tmp_path):
    from lib import queries, store
    seed = tmp_path / "seed"
    seed.mkdir()
    src = PROJECT / "tests" / "fixtures" / "seed_small"
    for f in src.glob("*.csv"):
        (seed / f.name).write_text(f.read_text())
    scores = pd.read_csv(seed / "scores.csv", dtype=str)
    mid = scores["model_id"].iloc[0]
    metric = scores["metric_id"].iloc[0]
    base = scores[(scores["model_id"] == mid) & (scores["metric_id"] == metric)].iloc[[0]]
    high = base.assign(value=str(float(base["value"].iloc[0]) + 1), variant="high")
    other = scores[scores["model_id"] != mid]["model_id"].iloc[0]
    only_high = base.assign(model_id=other, value="42", variant="high")
    scores = pd.concat([scores[~((scores["model_id"] == other) & (scores["metric_id"] == metric))]
                        .assign(variant=""), high, only_high])
    scores.to_csv(seed / "scores.csv", index=False)
    db = tmp_path / "f.duckdb"
    store.build(db, seed, tmp_path / "none")
    con = store.connect_readonly(db)
    got = queries.scores_for_metric(con, metric).set_index("model_id")
    con.close()
    assert got.loc[mid, "variant"] == "" and got.loc[mid, "value"] == float(base["value"].iloc[0])
    assert got.loc[other, "variant"] == "high" and got.loc[other, "value"] == 42


@pytest.fixture(scope="module")
def built(tmp_path_factory, build_db):
    from lib import store
    db = tmp_path_factory.mktemp("registry") / "f.duckdb"
    build_db(db, SEED, tmp_path_factory.mktemp("no-snapshots"))
    con = store.connect_readonly(db)
    yield con
    con.close()


def test_a_retired_model_leaves_the_market_on_its_retirement_date(built, seed):
    from lib import queries
    models = seed["models"]
    retired = models[models["deprecation_date"].notna() & models["release_date"].notna()
                     & (models["release_date"] < models["deprecation_date"])]
    assert len(retired) >= 20
    dates = sorted(set(retired["deprecation_date"]) | {
        (pd.Timestamp(d) - pd.Timedelta(days=1)).date().isoformat() for d in retired["deprecation_date"]})
    snaps = queries.snapshots_as_of(built, [pd.Timestamp(d).date() for d in dates])
    snaps["as_of"] = pd.to_datetime(snaps["as_of"]).dt.date.astype(str)
    present = set(zip(snaps["as_of"], snaps["model_id"]))
    for r in retired.itertuples():
        eve = (pd.Timestamp(r.deprecation_date) - pd.Timedelta(days=1)).date().isoformat()
        assert (eve, r.model_id) in present, r.model_id
        assert (r.deprecation_date, r.model_id) not in present, r.model_id
    # every vendor retirement carries its reference, and Azure's dates never stand for the vendor's
    life = seed["lifecycle"]
    vend = life[(life["event"] == "retired") & (life["scope"] == "vendor")]
    assert set(retired["model_id"]) <= set(vend["model_id"])
    assert not (vend["source_id"] == "azure_retirements").any()
    assert (life[life["source_id"] == "azure_retirements"]["scope"] == "host").all()


def test_every_priced_model_has_a_release_date_and_a_listing_date_is_never_called_a_release(seed):
    models = seed["models"].set_index("model_id")
    priced = set(seed["prices"].loc[seed["prices"]["tier"] == "standard", "model_id"])
    assert models.loc[sorted(priced), "release_date"].notna().all()
    life = seed["lifecycle"]
    rel = life[life["event"] == "released"]
    assert not ((rel["source_id"] == "openrouter") & (rel["date_kind"] != "first-seen")).any()
    assert set(models["release_date_kind"].dropna()) <= {"announced", "api-available", "first-seen"}


def test_an_observed_interval_ends_when_another_source_later_sees_another_price():
    from lib.curate import hygiene as H
    stale = dict(_price("openai/o3", src="litellm", frm="2025-04-16", inp=10, out=40, provider="openai"),
                 first_party=True)
    cut = dict(_price("openai/o3", src="genai_prices", frm="2025-06-10", inp=2, out=8, provider="openai"),
               first_party=True)
    same = dict(_price("openai/o3", src="simonw_llm_prices", frm="2025-05-01", inp=10, out=40, provider="openai"),
                first_party=True)
    host = _price("openai/o3", src="openrouter", frm="2025-05-01", inp=3, out=9)  # another offering: no effect
    rows = {r["source_id"]: r for r in H.close_by_later_observation([stale, cut, same, host])}
    assert rows["litellm"]["effective_to"] == "2025-06-10"
    assert "genai_prices showed 2/8" in rows["litellm"]["note"]
    assert rows["simonw_llm_prices"]["effective_to"] == "2025-06-10"
    assert rows["genai_prices"]["effective_to"] == "" and rows["openrouter"]["effective_to"] == ""


def test_a_per_request_fee_never_becomes_a_token_price(seed):
    from lib.curate import hygiene as H
    fee_row = dict(_price("perplexity/pplx-70b-online", src="litellm", inp=0.0, out=500.0,
                          provider="perplexity"), first_party=True)
    ok_row = dict(_price("perplexity/sonar", src="litellm", inp=1.0, out=1.0, provider="perplexity"),
                  first_party=True)
    prices, fees, corr = H.apply_fixes([fee_row, ok_row], [])
    assert [r["model_id"] for r in prices] == ["perplexity/sonar"]
    assert [(f["model_id"], f["fee_kind"]) for f in fees] == [("perplexity/pplx-70b-online", "per_request")]
    assert "per-request fee" in corr[0]["what"]
    # on the committed seed: no token price is a disguised per-request fee, and the fees are kept
    p = seed["prices"]
    assert not ((p["input_usd_per_mtok"] == 0) & (p["output_usd_per_mtok"] >= H.PER_REQUEST_OUTPUT_MIN)).any()
    assert (seed["fees"]["fee_kind"] == "per_request").any()


def test_reviewed_price_fixes_hold_in_the_seed(seed):
    p = seed["prices"]
    std = p[p["tier"] == "standard"]
    # Command R7B: input is the cheap side, in every interval of every source
    r7b = std[std["model_id"].str.startswith("cohere/command-r7b")]
    assert len(r7b) and (r7b["input_usd_per_mtok"] < r7b["output_usd_per_mtok"]).all()
    # Claude Instant 1.2: no first-party interval at a tenth of the list price
    ci = std[(std["model_id"] == "anthropic/claude-instant-1.2") & (std["first_party"] == "true")]
    assert len(ci) and (ci["input_usd_per_mtok"] >= 0.8).all()


def test_an_observation_under_a_moving_alias_lands_on_the_snapshot_it_pointed_at_that_day():
    moves = I.load_alias_moves()  # the reviewed file data/curated/alias_moves.csv, each move with its reference
    before = dict(_score("openai/gpt-4o-2024-08-06", src="lmarena", date="2024-09-28"),
                  source_ref="lmarena/snapshots/x.csv#model=GPT-4o (commit abc)")
    after = dict(before, observed_date="2024-10-29")
    scores, corr = I.apply_alias_moves([before, after], moves, "observed_date")
    assert [r["model_id"] for r in scores] == ["openai/gpt-4o-2024-05-13", "openai/gpt-4o-2024-08-06"]
    assert "https://platform.openai.com/docs/models/gpt-4o" in corr[0]["what"]
    # a price interval seen under the alias before the move ends at the move; still listed after it (open end in
    # the newest copy), the rest is the next snapshot's price
    price = dict(_price("anthropic/claude-3.5-sonnet", src="simonw_llm_prices", frm="2024-10-16", inp=3, out=15,
                        provider="anthropic"), source_ref="x.csv#model_id=claude-3.5-sonnet;first_seen_commit=1")
    rows, _ = I.apply_alias_moves([price], moves, "effective_from")
    assert sorted((r["model_id"], r["effective_from"], r["effective_to"]) for r in rows) == [
        ("anthropic/claude-3.5-sonnet", "2024-10-22", ""),
        ("anthropic/claude-3.5-sonnet-20240620", "2024-10-16", "2024-10-22")]
    # a dated id is never re-read as the alias, and an AA row names the model after its numeric id
    dated = dict(before, source_ref="x#model=GPT-4o-2024-05-13 (commit abc)", model_id="openai/gpt-4o-2024-05-13")
    aa = dict(_score("anthropic/claude-3.5-sonnet", date="2024-10-13"), source_ref="x#id=78;name=Claude 3.5 Sonnet")
    out, _ = I.apply_alias_moves([dated, aa], moves, "observed_date")
    assert [r["model_id"] for r in out] == ["openai/gpt-4o-2024-05-13", "anthropic/claude-3.5-sonnet-20240620"]


def test_no_score_of_a_moving_alias_target_predates_the_model(seed):
    """LMArena's 'Claude 3.5 Sonnet' of July–September 2024 is the June model: the October one did not exist yet.
    LiveBench is left out: its date is the question set's release, and later models join old tables (SOURCE.md)."""
    moves = I.load_alias_moves()
    targets = {r["model_id"] for rows in moves.values() for r in rows}
    models = seed["models"].set_index("model_id")
    s = seed["scores"]
    s = s[s["model_id"].isin(targets) & (s["source_id"] != "livebench")]
    early = s[s["observed_date"] < s["model_id"].map(models["release_date"])]
    assert early.empty, early[["model_id", "metric_id", "observed_date", "source_id"]].to_string()
    arena = s[(s["source_id"] == "lmarena") & s["source_ref"].str.contains("#model=Claude 3.5 Sonnet (commit",
                                                                           regex=False)]
    assert len(arena) >= 3
    assert (arena["model_id"] == "anthropic/claude-3.5-sonnet-20240620").all()
    assert (arena["observed_date"] < "2024-10-22").all()
    # a price interval under the alias never runs past the alias's move onto the model it no longer meant
    p = seed["prices"]
    june = p[p["model_id"] == "anthropic/claude-3.5-sonnet-20240620"]
    via_alias = june[june["source_ref"].str.contains("id=anthropic/claude-3.5-sonnet$|model_id=claude-3.5-sonnet;")]
    assert len(via_alias) and (via_alias["effective_to"] <= "2024-10-22").all()
    oct_ = p[p["model_id"] == "anthropic/claude-3.5-sonnet"]
    assert (oct_["effective_from"] >= "2024-10-22").all()


def test_a_retirement_date_litellm_later_withdrew_is_dropped_and_a_vendor_date_wins(tmp_path, seed):
    import json

    from lib.curate import lifecycle as L
    snaps = tmp_path / "litellm-history-rocry" / "snapshots"
    snaps.mkdir(parents=True)
    entry = {"litellm_provider": "anthropic", "mode": "chat", "input_cost_per_token": 2.5e-7}
    (snaps / "model_prices_and_context_window_2025-09-30_a.json").write_text(json.dumps(
        {"claude-3-haiku-20240307": dict(entry, deprecation_date="2025-03-01"),
         "claude-3-opus-20240229": dict(entry, deprecation_date="2025-03-01")}))
    (snaps / "model_prices_and_context_window_2025-12-28_b.json").write_text(json.dumps(
        {"claude-3-haiku-20240307": entry, "claude-3-opus-20240229": dict(entry, deprecation_date="2026-05-01")}))
    corrections: list[dict] = []
    events = L.litellm_retirements(tmp_path, lambda k: "anthropic/" + k.rsplit("-", 1)[0], {"anthropic": "anthropic"},
                                   corrections)
    assert [(e["model_id"], e["date"]) for e in events] == [("anthropic/claude-3-opus", "2026-05-01")]
    assert "withdrew" in corrections[0]["what"] and "claude-3-haiku-20240307" in corrections[0]["what"]
    # on the committed seed: Anthropic's own dates (deprecations page) win over LiteLLM's placeholders
    models = seed["models"].set_index("model_id")
    life = seed["lifecycle"]
    for mid in ("anthropic/claude-3.5-sonnet-20240620", "anthropic/claude-3.5-sonnet", "anthropic/claude-3-opus"):
        own = life[(life["model_id"] == mid) & (life["event"] == "retired") & (life["source_id"] == "curation")]
        assert len(own) == 1 and "docs.anthropic.com" in own["source_ref"].iloc[0]
        assert models.loc[mid, "deprecation_date"] == own["date"].iloc[0]
    assert pd.isna(models.loc["anthropic/claude-3-haiku", "deprecation_date"])


def test_every_frontier_point_says_whose_price_it_is(built):
    """The headline price is the vendor's own offering where one is in force; otherwise the hover names the host."""
    import datetime as dt
    import json

    from lib import charts
    chart = charts.frontier(built, as_of=dt.date(2025, 6, 1))
    spec = json.loads(chart.fig.to_json())
    said = {r[0]: r[12] for t in spec["data"] if t.get("name") != "Pareto frontier" for r in t.get("customdata") or []}
    pts = chart.points.set_index("model_id")
    assert said and set(said) == set(pts.index)
    for mid, text in said.items():
        if bool(pts.loc[mid, "price_first_party"]):
            assert text == "price: the vendor's own API", mid
        else:
            assert text == f"price: host {pts.loc[mid, 'price_provider']} (no vendor price in force)", mid
    assert any(t.startswith("price: host") for t in said.values())
    # the user's host rule, on a date with and one without host observations (the headline price then stands)
    for day in (dt.date(2025, 6, 1), dt.date(2026, 6, 1)):
        chart = charts.frontier(built, as_of=day, host="cheapest-host")
        spec = json.loads(chart.fig.to_json())
        said = {r[0]: r[12] for t in spec["data"] if t.get("name") != "Pareto frontier"
                for r in t.get("customdata") or []}
        rule = chart.points.set_index("model_id")["price_rule"]
        assert said and all(said[m].startswith("price: cheapest") == (rule[m] == "cheapest of hosts") for m in said)


def test_an_alias_row_keeps_the_name_the_source_wrote(seed):
    """`Claude 3.5 Sonnet (20241022)` and `Claude 3.7 Sonnet (thinking-32k)` are LMArena's names, not
    `Claude 3.5 Sonnet` / `Claude 3.7 Sonnet`: cutting the date or the budget off would point the plain name at
    the wrong model or make the base model a thinking variant."""
    al = seed["aliases"]
    arena = al[al["source_id"] == "lmarena"]
    assert not arena["external_id"].str.contains("(commit", regex=False).any()
    budget = arena["external_id"].str.contains(r"\(thinking-\d+k\)")
    assert budget.any() and (arena.loc[budget, "variant"].fillna("") != "").all()
    named = arena["external_id"].str.contains("thinking", case=False)
    assert not arena.loc[~named, "variant"].fillna("").str.contains("thinking").any()
    dated = arena[arena["external_id"].str.fullmatch(r"Claude 3\.5 Sonnet \(\d{8}\)")]
    assert dict(zip(dated["external_id"], dated["model_id"])) == {
        "Claude 3.5 Sonnet (20240620)": "anthropic/claude-3.5-sonnet-20240620",
        "Claude 3.5 Sonnet (20241022)": "anthropic/claude-3.5-sonnet"}
