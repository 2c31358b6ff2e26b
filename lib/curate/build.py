"""Curation entry point: read the raw folder, resolve ids, apply precedence inputs and write data/seed/*.csv.

Deterministic: rows sorted, floats formatted with `fmt`, no wall-clock dates.
"""
from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pandas as pd

from lib.curate import history as HX
from lib.curate import hygiene as H
from lib.curate import identity as I
from lib.curate import lifecycle as L
from lib.curate import prices as P
from lib.curate import records
from lib.curate import scores as S
from lib.curate import task_costs as T
from lib.curate.aliases import EPOCH_AA_NAMES, EXPLICIT, alias_key, normalise_id
from lib.curate.article import ARTICLE_MODELS
from lib.curate.lineage import LINEAGE
from lib.curate.names import choose_names
from lib.curate.prices import GENAI_FIRST_PARTY, LITELLM_FIRST_PARTY, LONG_SUFFIX
from lib.curate.sources import RAW_FOLDERS, SOURCES
from lib.ingest import litellm, llm_prices

COLUMNS = {
    "sources": ["source_id", "name", "home_url", "licence", "attribution", "priority"],
    "raw_files": ["snapshot_id", "source_id", "raw_path", "sha256", "retrieved_at", "upstream_commit", "rows"],
    "models": ["model_id", "vendor", "family", "name", "release_date", "open_weights", "context_window",
               "parameters_b", "deprecation_date", "status", "source_id", "source_ref", "release_date_kind"],
    "aliases": ["source_id", "external_id", "model_id", "variant", "rule"],
    "prices": ["model_id", "provider", "first_party", "tier", "effective_from", "effective_to",
               "input_usd_per_mtok", "output_usd_per_mtok", "cache_read_usd_per_mtok", "date_kind", "source_id",
               "snapshot_id", "source_ref", "note", "min_prompt_tokens"],
    "metrics": ["metric_id", "name", "unit", "higher_is_better", "min_value", "max_value", "scale", "drifts",
                "version", "description", "source_id"],
    "scores": ["model_id", "metric_id", "value", "observed_date", "metric_version", "source_id", "snapshot_id",
               "source_ref", "variant"],
    "lineage": ["parent_id", "child_id", "relation", "era", "evidence", "evidence_url"],
    "lifecycle": ["model_id", "event", "date", "date_kind", "provider", "scope", "source_id", "source_ref", "note"],
    "fees": ["model_id", "provider", "fee_kind", "usd", "effective_from", "effective_to", "source_id", "snapshot_id",
             "source_ref", "note"],
    "corrections": ["source_id", "model_id", "raw_path", "what"],
    "task_benchmarks": ["benchmark_id", "name", "metric_id", "source_id", "description"],
    "task_costs": ["model_id", "variant", "benchmark_id", "observed_date", "usd_per_task", "tasks", "usd_total",
                   "input_tokens", "output_tokens", "score", "provider", "source_id", "snapshot_id", "source_ref"],
    "speed": ["model_id", "variant", "provider", "observed_date", "output_tokens_per_s", "ttft_s", "source_id",
              "snapshot_id", "source_ref"],
    "batch_discounts": ["vendor", "discount_share", "effective_from", "source_id", "source_ref"],
    "host_prices": ["model_id", "provider", "observed_date", "input_usd_per_mtok", "output_usd_per_mtok",
                    "cache_read_usd_per_mtok", "source_id", "snapshot_id", "source_ref"],
    "alias_moves": ["alias", "model_id", "valid_from", "valid_to", "source_ref", "note"],
}
SORT_KEYS = {
    "sources": ["source_id"], "raw_files": ["snapshot_id"], "models": ["model_id"],
    "aliases": ["source_id", "external_id"],
    "prices": ["model_id", "tier", "source_id", "provider", "effective_from"],
    "metrics": ["metric_id"], "scores": ["model_id", "metric_id", "variant", "observed_date", "source_id"],
    "lineage": ["relation", "parent_id", "child_id"], "corrections": ["source_id", "model_id", "what"],
    "task_benchmarks": ["benchmark_id"],
    "task_costs": ["model_id", "benchmark_id", "variant", "observed_date", "source_id"],
    "speed": ["model_id", "variant", "provider", "observed_date"],
    "batch_discounts": ["vendor", "effective_from"],
    "host_prices": ["model_id", "provider", "observed_date"],
    "lifecycle": ["model_id", "date", "event", "scope", "provider", "source_id"],
    "fees": ["model_id", "provider", "fee_kind", "effective_from", "source_id"],
    "alias_moves": ["alias", "valid_from"],
}
OPEN_WEIGHT_VENDORS = {"meta-llama", "qwen", "deepseek", "microsoft", "nousresearch", "01-ai"}


HAND_MAINTAINED_PRICE_SOURCES = {"epoch_prices", "simonw_llm_prices", "genai_prices"}


def fmt(v) -> str:
    """Stable text for a CSV cell: '' for None/NaN, true/false, floats with at most 6 decimals."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v != v:
            return ""
        s = f"{v:.6f}".rstrip("0").rstrip(".")
        return "0" if s in ("-0", "") else s
    return str(v)


def snapshot_id(raw_path: str) -> str:
    return "raw:" + raw_path


def _write(out_dir: Path, name: str, rows: list[dict]) -> None:
    cols = COLUMNS[name]
    text_rows = [[fmt(r.get(c)) for c in cols] for r in rows]
    idx = [cols.index(k) for k in SORT_KEYS[name]]
    text_rows.sort(key=lambda t: ([t[i] for i in idx], t))
    with open(out_dir / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        w.writerows(text_rows)


def _close_overlaps(rows: list[dict]) -> list[dict]:
    """Within one model/source/provider/tier series, an interval ends where the next begins."""
    out = []
    key = lambda r: (r["model_id"], r["source_id"], r["provider"], r["tier"])  # noqa: E731
    rows = sorted(rows, key=lambda r: (key(r), r["effective_from"]))
    for i, r in enumerate(rows):
        if out and key(out[-1]) == key(r) and out[-1]["effective_from"] == r["effective_from"]:
            continue  # same start twice: keep the first
        nxt = None  # the next later start in this series: rows are sorted, so the series ends where the key changes
        for j in range(i + 1, len(rows)):
            if key(rows[j]) != key(r):
                break
            if rows[j]["effective_from"] > r["effective_from"]:
                nxt = rows[j]
                break
        if nxt and (not r["effective_to"] or r["effective_to"] > nxt["effective_from"]):
            r = dict(r, effective_to=nxt["effective_from"])
        out.append(r)
    return out


def _close_open_effective(rows: list[dict]) -> list[dict]:
    """An open-ended vendor-effective price only says when it started. If a first-party copy later shows a
    different price, the effective interval ends at that first observation (else it would mask the change)."""
    out = []
    for r in rows:
        if r["date_kind"] == "effective" and not r["effective_to"]:
            later = sorted((o for o in rows if o["model_id"] == r["model_id"] and o["tier"] == r["tier"]
                            and o["first_party"] and o["date_kind"] == "observed"
                            and o["effective_from"] > r["effective_from"]
                            and abs(o["input_usd_per_mtok"] - r["input_usd_per_mtok"]) + abs(
                                o["output_usd_per_mtok"] - r["output_usd_per_mtok"]) > 1e-9),
                           key=lambda o: (o["effective_from"], o["source_id"]))
            if later:
                o = later[0]
                note = (f"open end closed at {o['effective_from']}, when {o['source_id']} first showed "
                        f"{fmt(o['input_usd_per_mtok'])}/{fmt(o['output_usd_per_mtok'])}")
                r = dict(r, effective_to=o["effective_from"], note="; ".join(x for x in (r["note"], note) if x))
        out.append(r)
    return out


def _model_meta(raw: Path, or_info: dict) -> dict[str, dict]:
    """Release dates and names from Epoch (AA table, ECI, model_versions) and OpenRouter, first source wins."""
    meta: dict[str, dict] = {}

    def put(mid, source_id, ref, **kw):
        m = meta.setdefault(mid, {})
        for k, v in kw.items():
            if v not in (None, "") and not (isinstance(v, float) and v != v) and k not in m:
                m[k] = v
                m.setdefault("source_id", source_id)
                m.setdefault("source_ref", ref)

    rel = "epoch-llm-benchmark-efficiency/aa_data_with_math5.csv"
    for _, r in records(pd.read_csv(raw / rel)):
        mid = EPOCH_AA_NAMES.get(r["Model Name"])
        if mid:
            put(mid, "epoch_aa_benchmarks", f"{rel}#Model Name={r['Model Name']}", release_date=r["Release Date"],
                name=r["Model Name"])
    rel = "epoch-benchmark-stitching/model_versions.csv"
    mv = pd.read_csv(raw / rel, dtype=str)
    for _, r in records(mv):
        mid = normalise_id(str(r["id"]))
        if mid and isinstance(r["Version release date"], str):
            put(mid, "epoch_benchmark_stitching", f"{rel}#id={r['id']}",
                release_date=r["Version release date"][:10], name=r.get("Display name"))
    rel = "epoch-benchmark-stitching/epoch_capabilities_index.csv"
    for _, r in records(pd.read_csv(raw / rel, dtype=str)):
        mid = normalise_id(re.sub(r"_[^_]+$", "", str(r["Model version"])) if "_" in str(r["Model version"])
                           else str(r["Model version"]), vendor_hint=str(r["Organization"]).split("\n")[0])
        if mid and isinstance(r["Release date"], str):
            put(mid, "epoch_benchmark_stitching", f"{rel}#Model version={r['Model version']}",
                release_date=r["Release date"][:10], name=r.get("Model name"),
                open_weights=str(r.get("Model accessibility", "")).startswith("Open weights") or None)
    for mid, i in sorted(or_info.items()):
        created = ""
        if i.get("created"):
            created = pd.Timestamp(int(i["created"]), unit="s").date().isoformat()
        put(mid, "openrouter", i["ref"], name=i.get("name"), context_window=i.get("context"),
            release_date=created, open_weights=bool(i.get("hf")) or None)
    return meta


# vendor slugs that name the same vendor (the model_id keeps its own prefix; only the vendor column is unified)
VENDOR_FIX = {"haotian-liu": "liuhaotian", "bytedance-seed": "bytedance", "meta": "meta-llama", "rekaai": "reka",
              "codellama": "meta-llama"}


def _openrouter_vendors(or_snaps) -> dict[str, str]:
    """model_id -> the model's creator as OpenRouter names it, where the id's prefix says otherwise.

    The id rules put every `llama-*` slug under meta-llama and `palm*` under google; OpenRouter's own prefix
    tells the real creator (perplexity/llama-3-sonar-*, nvidia/llama-3.1-nemotron-*, neversleep/llama-3-lumimaid-*,
    writer/palmyra-x5)."""
    out: dict[str, str] = {}
    for _date, _rel, data in or_snaps:
        for m in data:
            oid = m.get("id", "")
            if ":" in oid or oid.startswith("~") or "/" not in oid:
                continue
            mid = normalise_id(oid)
            if not mid:
                continue
            head = VENDOR_FIX.get(oid.split("/")[0], oid.split("/")[0])
            if head != VENDOR_FIX.get(mid.split("/")[0], mid.split("/")[0]):
                out.setdefault(mid, head)
    return out


def _name_candidates(raw: Path, or_snaps, score_rows, meta) -> dict[str, list[tuple[str, str]]]:
    """model_id -> [(source kind, name)] from every source that names models (see lib.curate.names)."""
    import json

    cands: dict[str, dict[str, tuple]] = {}

    def put(mid, src, name, exact, order):
        if not mid or not isinstance(name, str) or not name.strip():
            return
        cur = cands.setdefault(mid, {}).get(src)
        key = (0 if exact else 1, order)
        if cur is None or key < cur[0]:
            cands[mid][src] = (key, name.strip())

    rel = "simonw-llm-prices/derived_price_observations_from_git_history.csv"
    df = pd.read_csv(raw / rel, dtype=str).fillna("")
    for _, r in records(df):
        sid = r["model_id"]
        if LONG_SUFFIX.search(sid):
            continue
        mid = normalise_id(llm_prices.split_tier(sid)[0], vendor_hint=r["vendor"] or None)
        if mid:  # newest name of the id that is the model's own slug first
            put(mid, "simonw_llm_prices", r["name"], sid == mid.split("/", 1)[1],
                "~" + str(99999999 - int(r["last_seen_commit_date"].replace("-", ""))))
    for date, _rel, data in or_snaps:
        for m in data:
            oid = m.get("id", "")
            if ":" in oid or oid.startswith(("~", "openrouter/")):
                continue
            mid = normalise_id(oid)
            if mid:
                put(mid, "openrouter", m.get("name"), oid.split("/")[-1] == mid.split("/", 1)[1],
                    str(99999999 - int(date.replace("-", ""))))
    data = json.loads((raw / "pydantic-genai-prices/new_data_v2/data.json").read_text())
    for prov in data:
        if prov["id"] not in GENAI_FIRST_PARTY:
            continue
        for m in prov.get("models", []):
            mid = normalise_id(m["id"])
            if mid:
                put(mid, "genai_prices", m.get("name"), m["id"] == mid.split("/", 1)[1], m["id"])
    for r in score_rows:
        if r["source_id"] == "artificial_analysis":
            mm = re.search(r"(?:Model|name)=(.+)$", r["source_ref"])
            if mm:
                put(r["model_id"], "artificial_analysis", mm.group(1), True, r["source_ref"])
    for mid, m in meta.items():
        if m.get("name") and m.get("source_id") == "epoch_benchmark_stitching":
            put(mid, "epoch_benchmark_stitching", m["name"], True, "")
    return {mid: [(src, v[1]) for src, v in sorted(d.items())] for mid, d in cands.items()}


def _raw_files(raw: Path, used: set[str], row_counts: dict[str, int]) -> list[dict]:
    out = []
    for rel in sorted(used):
        if rel.startswith(HX.CURATED_PREFIX):
            out.append(HX.curated_raw_file(rel, row_counts.get(rel, 0)))
            continue
        folder = rel.split("/")[0]
        source_id, commit, retrieved = {**RAW_FOLDERS, **HX.RAW_FOLDERS}[folder]
        m = re.search(r"(\d{4}-\d{2}-\d{2})", rel) or re.search(r"(\d{4})_(\d{2})_(\d{2})", rel)
        if m:
            retrieved = "-".join(m.groups()) if len(m.groups()) == 3 else m.group(1)
        sha = hashlib.sha256((raw / rel).read_bytes()).hexdigest()
        out.append(dict(snapshot_id=snapshot_id(rel), source_id=source_id, raw_path=rel, sha256=sha,
                        retrieved_at=retrieved, upstream_commit=commit, rows=row_counts.get(rel, 0)))
    return out


def curate(raw: Path, out_dir: Path, curated: Path | None = None) -> dict[str, int]:
    """Build every seed table from `raw` (and the reviewed files in `curated`, default data/curated) into
    `out_dir`; returns row counts per table."""
    raw, out_dir = Path(raw), Path(out_dir)
    curated = Path(curated) if curated else I.curated_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    corrections: list[dict] = []

    price_rows, skipped = P.epoch_price_records(raw)
    for s in skipped:
        corrections.append(dict(source_id="epoch_prices", model_id="", raw_path=s.split(" ")[0],
                                what="skipped: " + s))
    rows, corr = P.simonw_prices(raw)
    price_rows += rows
    corrections += corr
    price_rows += P.genai_prices(raw)
    rows, corr = P.litellm_prices(raw)
    price_rows += rows
    corrections += corr
    or_snaps = P.openrouter_models(raw)
    moves = I.load_alias_moves(curated)  # reviewed dated targets of moving aliases (gpt-4o, Claude 3.5 Sonnet)
    rows, corr, or_info = P.openrouter_prices(raw, or_snaps, moves)
    price_rows += rows
    corrections += corr
    rows, corr = P.epoch_blended_launches(raw, price_rows)
    price_rows += rows
    corrections += corr
    rows, corr = HX.litellm_wheel_prices(raw)  # the market before mid-2024 (lib/curate/history.py)
    price_rows += rows + HX.curated_prices() + HX.litellm_host_prices(raw, price_rows)
    price_rows, corr2 = HX.drop_litellm_errors(price_rows)
    corrections += corr + corr2
    S.reset_excluded()
    score_rows = (S.epoch_aa_scores(raw) + S.aa_scrape_scores(raw) + S.lmarena_scores(raw) + S.eci_scores(raw)
                  + S.livebench_scores(raw) + S.aider_scores(raw) + HX.lmsys_table_scores(raw) + HX.arena_copy_scores(raw)
                  + HX.evalplus_scores(raw))
    score_rows += HX.epoch_mmlu_scores(raw, {r["model_id"] for r in score_rows if r["metric_id"] == "mmlu_5shot"},
                                      {r["model_id"] for r in price_rows})
    corrections += S.excluded_corrections()
    # an observation under a moving alias belongs to the snapshot the alias pointed at on that date
    price_rows, corr = I.apply_alias_moves(price_rows, moves, "effective_from")
    corrections += corr
    score_rows, corr = I.apply_alias_moves(score_rows, moves, "observed_date")
    corrections += corr
    # reviewed entity resolution (data/curated/model_identity.csv): duplicates, host deployments, variants, junk
    price_rows, score_rows, corr = I.apply_identity(price_rows, score_rows, I.load_identity(curated))
    corrections += corr
    # reviewed fixes (data/curated/price_fixes.csv) and non-token fees, then interval ends
    price_rows, fee_rows, corr = H.apply_fixes(price_rows, H.load_fixes(curated))
    corrections += corr
    price_rows = _close_overlaps(price_rows)
    price_rows = _close_open_effective(price_rows)
    price_rows = H.close_by_later_observation(price_rows)

    # models: every id that has a price, a score or (when it also has data) a lineage row
    meta = _model_meta(raw, or_info)
    identity = I.load_identity(curated)
    for d in identity:  # a merged id's release date (with its reference) serves a canonical model that has none
        if d["decision"] in ("merge", "variant") and not d["source_id"] and d["from_id"] in meta:
            tgt = meta.setdefault(d["model_id"], {})
            if not tgt.get("source_ref"):
                tgt.update(meta[d["from_id"]])
            else:
                tgt.setdefault("context_window", meta[d["from_id"]].get("context_window"))
    priced_or_scored = {r["model_id"] for r in price_rows} | {r["model_id"] for r in score_rows}
    lineage = [r for r in LINEAGE if r["parent_id"] in priced_or_scored and r["child_id"] in priced_or_scored]
    for r in LINEAGE:
        if r not in lineage:
            corrections.append(dict(source_id="curation", model_id=f"{r['parent_id']} -> {r['child_id']}",
                                    raw_path="", what="lineage row left out: a model has no price or score"))
    models = []
    first_ref = {}
    for r in sorted(price_rows + score_rows, key=lambda r: (r["model_id"], r["source_id"], r["source_ref"])):
        first_ref.setdefault(r["model_id"], (r["source_id"], r["source_ref"]))
    names = choose_names(_name_candidates(raw, or_snaps, score_rows, meta), sorted(priced_or_scored),
                         {r["model_id"] for r in price_rows})
    or_vendor = _openrouter_vendors(or_snaps)
    creators = I.load_creators(curated)
    # "reviewed": checked by a person, here or upstream: the article's models (checked by hand in this project)
    # and every model a hand-maintained price list carries (Epoch AI's archived records, llm-prices,
    # genai-prices). Models seen only in automated listings or leaderboards stay "unreviewed".
    hand_listed = {r["model_id"] for r in price_rows if r["source_id"] in HAND_MAINTAINED_PRICE_SOURCES}
    events, release, retired = _lifecycle(raw, curated, identity, priced_or_scored, meta, price_rows,
                                           score_rows, corrections)
    HX.apply_model_dates(events, release, retired, corrections)  # vendor-announced dates of the 2020-24 market
    for mid in sorted(priced_or_scored):
        m = meta.get(mid, {})
        vendor, slug = mid.split("/", 1)
        vendor = I.creator_for(mid, creators) or or_vendor.get(mid, VENDOR_FIX.get(vendor, vendor))
        src, ref = (m["source_id"], m["source_ref"]) if m.get("source_ref") else first_ref[mid]
        ow = m.get("open_weights")
        if ow is None:
            ow = True if vendor in OPEN_WEIGHT_VENDORS else (False if vendor in {"openai", "anthropic"} else None)
        models.append(dict(model_id=mid, vendor=vendor, family=_family(slug), name=names[mid],
                           release_date=release.get(mid, ("",))[0], open_weights=ow,
                           release_date_kind=release.get(mid, ("", ""))[1],
                           context_window=int(m["context_window"]) if m.get("context_window") else None,
                           parameters_b=None, deprecation_date=retired.get(mid, ("",))[0] or None,
                           status="reviewed" if mid in ARTICLE_MODELS or mid in hand_listed else "unreviewed",
                           source_id=src, source_ref=ref))

    aliases = _aliases(raw, price_rows, score_rows, or_snaps, moves)
    # measured cost per task and speed attach to a model that has a price or a score; others are listed
    task_rows, speed_rows, host_rows = [], [], []
    for rows_in, rows_out, what in ((T.task_cost_rows(raw), task_rows, "cost per task"),
                                    (T.aa_speed(raw), speed_rows, "speed"),
                                    (T.aa_host_prices(raw), host_rows, "host price")):
        table = {"cost per task": "task_costs", "speed": "speed", "host price": "host_prices"}[what]
        rows_in, corr = I.remap_rows(rows_in, I.load_identity(curated), SORT_KEYS[table] + ["source_id"], what,
                                     default_variant="default")
        corrections += corr
        for r in rows_in:
            if r["model_id"] in priced_or_scored:
                rows_out.append(r)
            else:
                corrections.append(dict(source_id=r["source_id"], model_id=r["model_id"], raw_path=r["raw_path"],
                                        what=f"{what} left out: the model has no price or score"))
    fee_rows = [r for r in fee_rows if r["model_id"] in priced_or_scored]
    measured = price_rows + score_rows + task_rows + speed_rows + host_rows + fee_rows
    used = {r["raw_path"] for r in measured + events if r.get("raw_path")}
    counts: dict[str, int] = {}
    for r in measured:
        counts[r["raw_path"]] = counts.get(r["raw_path"], 0) + 1
    for r in measured:
        r["snapshot_id"] = snapshot_id(r["raw_path"])

    raw_files = _raw_files(raw, used, counts)
    price_rows, score_rows = _check_future(price_rows, score_rows, raw_files, corrections)
    newest = newest_retrieval(raw_files)
    events += L.delistings(price_rows, newest, retired)
    tables = dict(sources=SOURCES + HX.SOURCES, raw_files=raw_files, models=models, aliases=aliases,
                  prices=price_rows, metrics=S.METRICS + HX.METRICS, scores=score_rows, lineage=lineage, lifecycle=events,
                  corrections=corrections, task_benchmarks=T.BENCHMARKS, task_costs=task_rows, speed=speed_rows,
                  batch_discounts=T.BATCH_DISCOUNTS, host_prices=host_rows, fees=fee_rows,
                  alias_moves=[dict(r, source_ref=r["reference"]) for rows in moves.values() for r in rows
                               if r["model_id"] in priced_or_scored])
    for name, rows in tables.items():
        _write(out_dir, name, rows)
    return {k: len(v) for k, v in tables.items()}


def _lifecycle(raw, curated, identity, model_ids, meta, price_rows, score_rows, corrections):
    """Lifecycle events of the registry's models (releases, retirements), the release date and kind per model and
    the vendor's retirement date per model."""
    canonical = I.resolver(identity)

    def resolve(external_id):
        mid = normalise_id(external_id)
        return canonical(mid) if mid else None

    def resolve_litellm(key):
        # a moving alias (or a preview folded into its GA model) retires on its own date, not its target's
        bare = key.split("/")[-1]
        if litellm.moving_alias(key) or litellm.moving_alias(bare) or bare in FOLDED_KEYS:
            return None
        return resolve(key)
    events = L.hand_events(curated)
    events += L.litellm_retirements(raw, resolve_litellm, LITELLM_FIRST_PARTY, corrections)
    events += L.azure_retirements(raw, resolve)
    events = [e for e in events if e["model_id"] in model_ids]
    release = L.release_dates(sorted(model_ids), meta, price_rows, score_rows, FIRST_SEEN_SOURCES)
    events, dropped = L.drop_impossible(events, release, price_rows)
    corrections += dropped
    retired = L.retirement_dates(events)
    for mid, (day, kind, src, ref) in sorted(release.items()):
        events.append(dict(model_id=mid, event="released", date=day, date_kind=kind, provider=mid.split("/")[0],
                           scope="vendor", source_id=src, raw_path="", source_ref=ref, note=""))
    return events, release, retired


# LiteLLM keys that the price curation folds into another model (gpt-4-1106-preview -> gpt-4-turbo)
FOLDED_KEYS = {"gpt-4-1106-preview"}
# sources whose model dates are listing dates, never release dates (OpenRouter's `created`)
FIRST_SEEN_SOURCES = {"openrouter"}


SCHEDULED_NOTE = "scheduled"


def newest_retrieval(raw_files: list[dict]) -> str:
    return max(r["retrieved_at"] for r in raw_files if r["retrieved_at"])


def _check_future(price_rows, score_rows, raw_files, corrections):
    """Dates after the newest raw retrieval: a vendor-effective price is a scheduled, announced change (kept and
    noted); an observed price or a score cannot be dated after the data was retrieved (dropped, recorded)."""
    newest = newest_retrieval(raw_files)
    prices = []
    for r in price_rows:
        if r["effective_from"] > newest:
            if r["date_kind"] != "effective":
                corrections.append(dict(source_id=r["source_id"], model_id=r["model_id"], raw_path=r["raw_path"],
                                        what=f"dropped observed price dated {r['effective_from']}, after the newest "
                                             f"raw retrieval {newest}"))
                continue
            note = (f"{SCHEDULED_NOTE}: vendor-announced price from {r['effective_from']}, after the newest raw "
                    f"retrieval ({newest}); not yet in force when the data was collected")
            r = dict(r, note="; ".join(x for x in (r["note"], note) if x))
        prices.append(r)
    scores = []
    for r in score_rows:
        if r["observed_date"] > newest:
            corrections.append(dict(source_id=r["source_id"], model_id=r["model_id"], raw_path=r["raw_path"],
                                    what=f"dropped score dated {r['observed_date']}, after the newest raw retrieval"))
            continue
        scores.append(r)
    return prices, scores


def _family(slug: str) -> str:
    s = re.sub(r"-(20\d\d-?\d\d-?\d\d|\d{4}|\d{3}|preview.*|latest|instruct|chat|it)$", "", slug)
    s = re.sub(r"-(20\d\d-?\d\d-?\d\d|\d{4}|\d{3}|preview.*|latest|instruct|chat|it)$", "", s)
    return s


def _aliases(raw: Path, price_rows, score_rows, or_snaps, moves=None) -> list[dict]:
    """(source_id, external_id) -> model_id (and variant) for every id a source used, with the rule that resolved
    it: `by hand` (a reviewed decision in data/curated/model_identity.csv), `alias list` (the curated explicit
    names of lib.curate.aliases), `normaliser` (the id rules) or `dated alias` (a moving alias of
    data/curated/alias_moves.csv: a source's row names the target of its newest observation, the `curation` row
    the current target, which live ingest resolves to today)."""
    out: dict[tuple[str, str], tuple[str, str, str]] = {}
    newest: dict[tuple[str, str], str] = {}  # a moving alias's row names the target of its newest observation
    for r in price_rows + score_rows:
        ref = r["source_ref"].split("#", 1)[1] if "#" in r["source_ref"] else ""
        ref = re.sub(r" \((?:commit|first listed) [^)]*\)$", "", ref)  # where the copy came from, not the name
        m = re.match(r"(?:provider=[^;]*;)?(?:model_key|model_id|id|model|Model version|Model Name|Model|name)="
                     r"([^;]+)", ref)
        if m:
            ext = m.group(1).strip()
            if ext.count("(") != ext.count(")"):  # an id followed by a note: `recXXXX (Claude 3.5 Sonnet (…)`
                ext = ext.split(" (", 1)[0]
            day = r.get("observed_date") or r.get("effective_from") or ""
            if ext in I.observed_names(r["source_ref"]) and I.dated_target(moves or {}, ext, day):
                if day >= newest.get((r["source_id"], ext), ""):
                    newest[(r["source_id"], ext)] = day
                    out[(r["source_id"], ext)] = (r["model_id"], r.get("variant", ""), "dated alias")
                continue
            by_hand = r.get("from_id", r["model_id"]) != r["model_id"]
            listed = alias_key(ext) in EXPLICIT or alias_key(ext).rpartition("/")[2] in EXPLICIT or ext in EPOCH_AA_NAMES
            out[(r["source_id"], ext)] = (r["model_id"], r.get("variant", ""), I.alias_rule(listed, by_hand))
    for name, mid in EPOCH_AA_NAMES.items():
        out.setdefault(("epoch_aa_benchmarks", name), (mid, "", "alias list"))
    for key, mid in EXPLICIT.items():
        out.setdefault(("curation", key), (mid, "", "alias list"))
    for r in price_rows + score_rows:  # ids retired by review still resolve (live ingest, old links)
        if r.get("from_id", r["model_id"]) != r["model_id"]:
            out.setdefault(("curation", r["from_id"]), (r["model_id"], r.get("variant", ""), "by hand"))
    for mid in sorted({r["model_id"] for r in price_rows + score_rows}):
        out.setdefault(("curation", mid), (mid, "", "normaliser"))
        out.setdefault(("curation", mid.split("/", 1)[1]), (mid, "", "normaliser"))
    for (src, ext), (_mid, variant, _rule) in list(out.items()):  # live ingest resolves a moving alias to today
        now = I.dated_target(moves or {}, ext, "9999-12-31") if src == "curation" else None
        if now:
            out[(src, ext)] = (now["model_id"], variant, "dated alias")
    return [dict(source_id=s, external_id=e, model_id=m, variant=v, rule=rule)
            for (s, e), (m, v, rule) in sorted(out.items())]
