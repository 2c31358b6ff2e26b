"""One parser per upstream format: the same recorded payload read by curation (the path that replays dated raw
copies into data/seed) and by live ingest (parse, then alias resolution) gives the same clean rows.

The ingest path runs against a real, empty DuckDB store, so both paths resolve ids with the same normaliser and
no reviewed decision of the seed decides for them. Where the paths differ on purpose, the test states the rule:
an id the normaliser does not know is left out by curation and queued for review by live ingest."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from lib import schema
from lib.curate.aliases import normalise_id
from lib.ingest import resolve
from lib.paths import default_raw_dir
from tests.conftest import PROJECT_DIR

FIX = PROJECT_DIR / "tests" / "fixtures" / "ingest"
RAW = default_raw_dir()


@pytest.fixture(scope="module")
def empty_store():
    con = duckdb.connect()
    schema.create_schema(con)
    yield con
    con.close()


def _live(con, module, body: bytes, day: str):
    """The live ingest path short of writing: parse, resolve ids, drop collisions (lib.ingest.resolve.apply)."""
    parsed = module.parse(body, dt.datetime.fromisoformat(day).replace(tzinfo=dt.timezone.utc))
    return resolve.apply(con, parsed, module)


# the recorded slices, and one whole dated copy that lists a quantised run (`Meta-Llama-3.1-405B-Instruct-fp8`)
LMARENA_COPIES = [
    *sorted(FIX.glob("lmarena_text_*.csv")),
    RAW / "lmarena" / "snapshots" / "lmarena_text_2024-09-28.csv",
]


@pytest.mark.parametrize("path", LMARENA_COPIES, ids=lambda p: p.stem)
def test_curation_and_live_ingest_read_lmarena_the_same(path, empty_store):
    from lib.curate import scores as curate_scores
    from lib.ingest import lmarena

    day = path.stem.split("_")[2]
    body = path.read_bytes()
    curated = curate_scores.lmarena_snapshot_scores(body, day, path.name)
    live = _live(empty_store, lmarena, body, day)
    assert curated and len(live.scores)

    got = dict(zip(live.scores["model_id"], live.scores["value"]))
    want = {r["model_id"]: r["value"] for r in curated}
    # every rating curation keeps, live ingest stores for the same model with the same value
    assert {m: got.get(m) for m in want} == want
    assert {r["observed_date"] for r in curated} == {day}  # both date a rating by the snapshot's day
    # what live ingest has beyond it are ids the normaliser does not know (queued for review there)
    names = dict(zip(live.scores["model_id"], live.scores["external_id"]))
    for mid in set(got) - set(want):
        ext = names[mid]
        assert normalise_id(lmarena.display_key(ext), live.vendor_hints.get(ext)) is None, ext
        assert ext in set(live.queue["external_id"]), ext
    # a local or quantised run is skipped by both, with the reason
    fp8 = [s for s in live.skipped if s.external_id.lower().endswith("-fp8")]
    assert len(fp8) == body.lower().count(b"-fp8,")
    assert all("quantised" in s.reason for s in fp8)
    assert not any(r["source_ref"].split("#model=")[1].lower().endswith("-fp8") for r in curated)


# LiteLLM: curation reads the changelog of spans derived from the dated copies (and the copies themselves for the
# 2023 wheels and the retirement dates, through live ingest's reader); a copy read by live ingest must give, key by
# key, the price curation has in force on the copy's day, under the same model id.
LITELLM_COPIES = [
    FIX / "litellm_2026-07-24_slice.json",
    RAW / "litellm-history-rocry" / "snapshots" / "model_prices_and_context_window_2025-09-30_72e074a4.json",
    RAW / "litellm-history-rocry" / "snapshots" / "model_prices_and_context_window_2025-02-06_b094ffea.json",
]


@pytest.fixture(scope="module")
def litellm_curated():
    from lib.curate import prices as curate_prices

    return curate_prices.litellm_prices(RAW)


@pytest.mark.parametrize("path", LITELLM_COPIES, ids=lambda p: p.stem)
def test_curation_and_live_ingest_read_litellm_the_same(path, empty_store, litellm_curated):
    import re

    from lib.ingest import litellm

    day = re.search(r"\d{4}-\d{2}-\d{2}", path.name).group(0)
    rows, corrections = litellm_curated
    corrected = {re.match(r"(?:dropped|clipped) (\S+)", c["what"]).group(1) for c in corrections}
    in_force = {}
    for r in rows:
        key = r["source_ref"].split("model_key=", 1)[1].split(";", 1)[0]
        if r["effective_from"] <= day and (not r["effective_to"] or day < r["effective_to"]):
            in_force[key] = r
    parsed = litellm.parse(path.read_bytes(), dt.datetime.fromisoformat(day).replace(tzinfo=dt.timezone.utc))
    ids = resolve.resolve_ids(empty_store, parsed)
    live = parsed.prices.set_index("external_id")
    compared = 0
    for key, r in in_force.items():
        if key not in live.index or key in corrected:
            continue  # not in this copy (a slice), or a known upstream error curation corrected
        compared += 1
        assert ids[key] == r["model_id"], key
        assert live.loc[key, "input_usd_per_mtok"] == pytest.approx(r["input_usd_per_mtok"], abs=1e-6), key
        assert live.loc[key, "output_usd_per_mtok"] == pytest.approx(r["output_usd_per_mtok"], abs=1e-6), key
        assert litellm.is_first_party(ids[key].split("/")[0], live.loc[key, "provider"]), key
    assert compared >= 5, f"only {compared} keys of {path.name} compared"
    # a moving alias is read by neither path: curation reads the dated keys, live ingest skips it with the reason
    skipped = {s.external_id: s.reason for s in parsed.skipped}
    for key in litellm.MOVING_ALIASES & set(ids) | {k for k in skipped if k.endswith("-latest")}:
        assert key not in in_force
    assert "gpt-4o" not in live.index and "moving alias" in skipped.get("gpt-4o", "moving alias")


# llm-prices: curation reads the git history of the per-vendor files (a derived table of their price_history rows);
# the files at HEAD, read by live ingest on the HEAD day, give the rows curation has in force that day.
LLM_PRICES_HEAD = "2026-08-05"  # the commit date of the raw copy (raw/simonw-llm-prices/SOURCE.md)
LLM_PRICES_FILES = sorted((RAW / "simonw-llm-prices" / "data").glob("*.json"))


@pytest.fixture(scope="module")
def llm_prices_curated():
    from lib.curate import prices as curate_prices

    return curate_prices.simonw_prices(RAW)


@pytest.mark.parametrize("path", LLM_PRICES_FILES, ids=lambda p: p.stem)
def test_curation_and_live_ingest_read_llm_prices_the_same(path, empty_store, llm_prices_curated):
    import json

    from lib.ingest import llm_prices

    rows, corrections = llm_prices_curated
    corrected = {c["model_id"] for c in corrections}  # known upstream errors curation replaced (o3's HEAD price)
    ids_here = {m["id"] for m in json.loads(path.read_text())["models"]}
    live = _live(empty_store, llm_prices, path.read_bytes(), LLM_PRICES_HEAD)
    got = {(p["model_id"], p["tier"]): p for p in live.prices.to_dict("records") if p["model_id"] not in corrected}
    live_models = {m for m, _ in got}
    want = {}
    for r in rows:
        sid = r["source_ref"].split("model_id=", 1)[1].split(";", 1)[0]  # the first id of a renamed model
        in_force = r["effective_from"] <= LLM_PRICES_HEAD and (
            not r["effective_to"] or LLM_PRICES_HEAD < r["effective_to"]
        )
        if (sid in ids_here or r["model_id"] in live_models) and in_force and r["model_id"] not in corrected:
            want[(r["model_id"], r["tier"])] = r
    assert set(got) == set(want)  # same models, same tiers (`-200k` ids are the long-context tier of the base id)
    for key, r in want.items():
        p = got[key]
        assert (p["input_usd_per_mtok"], p["output_usd_per_mtok"]) == pytest.approx(
            (r["input_usd_per_mtok"], r["output_usd_per_mtok"])
        ), key
        if r["tier"] == "long-context":
            assert p["min_prompt_tokens"] == r["min_prompt_tokens"], key
        # dates: a from_date is the vendor-effective date in both; without one, each path dates the price by the
        # first copy it saw showing it (curation: the first commit; live ingest: the retrieval day)
        if r["date_kind"] == "effective":
            assert (p["effective_from"], p["date_kind"]) == (r["effective_from"], "effective"), key
        else:
            assert not isinstance(p["effective_from"], str), key
    # non-chat ids (images) are left out by both
    assert not any(llm_prices.NOT_CHAT.search(str(e)) for e in live.prices["external_id"])


# Artificial Analysis: curation reads the recorded API page for the measured cost per task (and the scraped tables
# for scores, another format); live ingest reads the same page for index scores and prices. Both read a row with
# one reader and resolve a model from its display name without the effort or host qualifier.
AA_PAGES = [FIX / "aa_language_models_free_page1_2026-06-27.json"]


@pytest.mark.parametrize("path", AA_PAGES, ids=lambda p: p.stem)
def test_curation_and_live_ingest_read_artificial_analysis_the_same(path, empty_store):
    import json

    from lib.curate import scores as curate_scores
    from lib.curate import task_costs
    from lib.ingest import artificial_analysis as aa

    day = "2026-06-27"
    body = path.read_bytes()
    live = _live(empty_store, aa, body, day)
    parsed = aa.parse(body, dt.datetime.fromisoformat(day).replace(tzinfo=dt.timezone.utc))
    ids = resolve.resolve_ids(empty_store, parsed, aa.display_key, aa.RESOLVE_BY_NAME)
    index = dict(zip(parsed.scores["external_id"], parsed.scores["value"]))
    compared = 0
    for row in json.loads(body)["data"]:
        curated = curate_scores._aa_model_id(None, row["name"], path.name)
        if curated is None:
            continue  # a name curation's normaliser does not know: live ingest queues it for review
        compared += 1
        slug = row["slug"]
        # the same model; live ingest may only differ by taking a reviewed alias of the slug over the name's guess
        assert ids[slug] == curated or (ids[slug] == normalise_id(slug) and resolve.is_explicit(slug)), slug
    assert compared >= 100
    # the measured cost per task curation keeps carries the index live ingest stores for the same row
    costs = task_costs.aa_api_task_costs(json.loads(body), path.name, day)
    assert costs
    for r in costs:
        slug = r["source_ref"].split(";slug=", 1)[1]
        assert r["model_id"] == ids[slug] or resolve.is_explicit(slug), slug
        assert r["score"] == pytest.approx(index[slug]), slug
        assert r["variant"] == task_costs.variant_of(parsed.models.set_index("external_id").loc[slug, "name"])
    # efforts of one model ("GPT-5 nano (minimal)", "GPT-5 nano (high)") are one model: live ingest keeps one row
    assert live.scores["model_id"].is_unique
