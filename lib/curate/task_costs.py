"""Measured cost per task and measured speed, as dated facts with provenance: pure parsers from raw files to rows.

Sources: Artificial Analysis's "cost per task" of running its Intelligence Index (leaderboard scrape and API
payload), Aider's leaderboard runs (`total_cost` / `test_cases`), AA's measured output speed and first-token time.
"""
from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

import pandas as pd
import yaml

from lib.curate import records
from lib.curate.aliases import normalise_id
from lib.curate.scores import YAML_LOADER, _aa_model_id, _excluded, _pct
from lib.ingest import artificial_analysis
from lib.ingest.common import RowError

# A benchmark whose runs have a measured cost; `metric_id` is the score the same run produced.
BENCHMARKS: list[dict] = [
    dict(benchmark_id="aa_index", name="Artificial Analysis Intelligence Index (cost per task)",
         metric_id="aa_intelligence_v4", source_id="artificial_analysis",
         description="USD per task of running Artificial Analysis's Intelligence Index evaluations at the "
                     "provider's list prices (AA's 'Cost per Task'; total cost of the run divided by its tasks)"),
    dict(benchmark_id="aider_polyglot", name="Aider polyglot (cost per exercise)", metric_id="aider_polyglot",
         source_id="aider",
         description="USD per exercise of an Aider polyglot leaderboard run: the run's total_cost at that date's "
                     "API prices divided by its test_cases (225 exercises)"),
    dict(benchmark_id="aider_edit", name="Aider code editing (cost per exercise)", metric_id="aider_edit",
         source_id="aider",
         description="USD per exercise of an Aider code-editing leaderboard run: total_cost / test_cases (133 "
                     "Python exercises); runs with total_cost 0 (unknown) are left out"),
]

DEFAULT_VARIANT = "default"

# A parenthesised reasoning setting in an AA model name: the same model at another effort (a variant).
_EFFORT = re.compile(r"\((max|xhigh|high|medium|low|minimal|reasoning|non-reasoning|thinking|"
                     r"adaptive reasoning|non-reasoning, [\w ]+|reasoning, [\w ]+)\)", re.I)


def variant_of(name: str) -> str:
    """The reasoning setting an AA display name carries ('default' where it names none)."""
    m = _EFFORT.search(str(name))
    return m.group(1).lower() if m else DEFAULT_VARIANT


def _usd(v) -> float | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    s = str(v).strip().replace("$", "").replace(",", "")
    try:
        x = float(s)
    except ValueError:
        return None
    return x if x == x and x >= 0 and x != float("inf") else None


def _row(model_id, variant, benchmark_id, date, usd_per_task, tasks, usd_total, input_tokens, output_tokens,
         score, provider, source_id, raw_path, ref):
    return dict(model_id=model_id, variant=variant, benchmark_id=benchmark_id, observed_date=date,
                usd_per_task=round(float(usd_per_task), 6), tasks=tasks, usd_total=usd_total,
                input_tokens=input_tokens, output_tokens=output_tokens, score=score, provider=provider,
                source_id=source_id, raw_path=raw_path, source_ref=ref)


AA_COST_FILES = [("artificialanalysis-scrapes/howhungryisai/artificialanalysis_2026-08-22.csv", "2026-08-22")]
AA_API_FILE = ("artificialanalysis-api/recorded_language_models_free_page1_2026-06-27.json", "2026-06-27")


def aa_task_costs(raw: Path) -> list[dict]:
    """AA cost per task per (model, reasoning setting); where several API providers serve it, the median of
    their costs (the rule is written in each row's reference) with the first-party provider noted."""
    rows: list[dict] = []
    for rel, date in AA_COST_FILES:
        df = pd.read_csv(raw / rel, low_memory=False)
        cost_col = next(c for c in df.columns if c.replace(" ", "").lower().startswith("costpertask"))
        idx_col = next(c for c in df.columns if "intelligence" in c.lower().replace(" ", "") and "index" in c.lower())
        prov_col = next(c for c in df.columns if c.replace(" ", "").lower() == "apiprovider")
        api_col = next((c for c in df.columns if c.replace(" ", "").lower() == "apiid"), None)
        groups: dict[tuple, list] = {}
        for i, r in records(df):
            cost = _usd(r[cost_col])
            if not cost:
                continue  # the table rounds to cents: "$0.00" means below half a cent, not a measured zero
            mid = _aa_model_id(r[api_col] if api_col else None, r["Model"], rel)
            if not mid:
                continue
            groups.setdefault((mid, variant_of(r["Model"])), []).append((cost, _pct(r[idx_col]), str(r[prov_col]),
                                                                          i + 2, str(r["Model"])))
        for (mid, var), obs in sorted(groups.items()):
            costs = [o[0] for o in obs]
            med = statistics.median(costs)
            scores = [o[1] for o in obs if o[1] is not None]
            providers = sorted({o[2] for o in obs})
            ref = (f"{rel}#Model={obs[0][4]};rows={','.join(str(o[3]) for o in obs)};"
                   f"rule=median of {len(costs)} provider row(s) ({', '.join(providers)})")
            rows.append(_row(mid, var, "aa_index", date, med, None, None, None, None,
                             max(scores) if scores else None, "median of hosts" if len(providers) > 1 else providers[0],
                             "artificial_analysis", rel, ref))
    # the recorded API page: a cost per task for models the scrape may not carry
    rel, date = AA_API_FILE
    have = {(r["model_id"], r["variant"]) for r in rows}
    rows += [r for r in aa_api_task_costs(json.loads((raw / rel).read_text()), rel, date)
             if (r["model_id"], r["variant"]) not in have]
    return rows


def aa_api_task_costs(payload: dict, rel: str, date: str) -> list[dict]:
    """Rows from one AA API page (`/api/v2/language/models`): `artificial_analysis_intelligence_index_cost`'s
    cost per task, with the same model's index; models without a measured cost give no row."""
    rows, seen = [], set()
    for item in payload.get("data", []) if isinstance(payload, dict) else []:
        try:
            r = artificial_analysis.read_row(item, seen)  # live ingest's reader of the format
        except RowError:
            continue
        if not r.cost_per_task:
            continue
        mid = _aa_model_id(None, r.name, rel)
        if not mid:
            continue
        rows.append(_row(mid, variant_of(r.name), "aa_index", date, r.cost_per_task, None, r.cost_total, None, None,
                         r.index, "AA default provider", "artificial_analysis", rel,
                         f"{rel}#id={item.get('id')};slug={r.slug}"))
    return rows


AIDER_FILES = [("aider/polyglot_leaderboard.yml", "aider_polyglot"), ("aider/edit_leaderboard.yml", "aider_edit")]


def aider_task_costs(raw: Path) -> list[dict]:
    """Per (model, reasoning effort): the best-scoring Aider run with a known cost, as USD per exercise."""
    rows: list[dict] = []
    for rel, bench in AIDER_FILES:
        best: dict[tuple, dict] = {}
        for run in yaml.load((raw / rel).read_text(), Loader=YAML_LOADER):
            name = str(run.get("model", ""))
            cost, cases, score = _usd(run.get("total_cost")), run.get("test_cases"), run.get("pass_rate_2")
            if "+" in name or " and " in name or not cost or not cases or score is None:
                continue  # mixed-model (architect) runs and runs without a recorded cost say nothing per model
            if _excluded("aider", name, rel):
                continue
            mid = normalise_id(re.sub(r"-hf$", "", re.sub(r"\s*\(.*\)$", "", name).strip(), flags=re.I))
            if not mid:
                continue
            var = str(run.get("reasoning_effort") or DEFAULT_VARIANT).lower()
            k = (mid, var)
            if k not in best or float(score) > best[k]["score"]:
                best[k] = dict(score=float(score), run=run)
        for (mid, var), b in sorted(best.items()):
            run = b["run"]
            cost, cases = _usd(run["total_cost"]), int(run["test_cases"])
            toks_in, toks_out = run.get("prompt_tokens"), run.get("completion_tokens")
            rows.append(_row(mid, var, bench, str(run.get("date")), cost / cases, cases, cost,
                             int(toks_in) if toks_in else None, int(toks_out) if toks_out else None, b["score"],
                             None, "aider", rel,
                             f"{rel}#dirname={run.get('dirname')};rule=total_cost {cost} / test_cases {cases}"))
    return rows


SPEED_FILES = [("artificialanalysis-scrapes/howhungryisai/artificialanalysis_2026-05-18.csv", "2026-05-18"),
               ("artificialanalysis-scrapes/howhungryisai/artificialanalysis_2026-08-22.csv", "2026-08-22")]


def aa_speed(raw: Path) -> list[dict]:
    """AA's measured median output tokens/s and time to first token, per model and API provider (the
    medium-prompt rows where the file has several prompt sizes)."""
    rows: list[dict] = []
    for rel, date in SPEED_FILES:
        df = pd.read_csv(raw / rel, low_memory=False)
        if "query_size" in df.columns and (df["query_size"] == "medium").any():
            df = df[df["query_size"] == "medium"]
        tps_col = next(c for c in df.columns if c.replace(" ", "").lower() == "mediantokens/s")
        ttft_col = next(c for c in df.columns if c.replace(" ", "").lower() == "medianfirstchunk(s)")
        prov_col = next(c for c in df.columns if c.replace(" ", "").lower() == "apiprovider")
        api_col = next((c for c in df.columns if c.replace(" ", "").lower() == "apiid"), None)
        seen: set[tuple] = set()
        for i, r in records(df):
            tps, ttft = _usd(r[tps_col]), _usd(r[ttft_col])
            if tps is None and ttft is None:
                continue
            mid = _aa_model_id(r[api_col] if api_col else None, r["Model"], rel)
            if not mid:
                continue
            k = (mid, variant_of(r["Model"]), str(r[prov_col]))
            if k in seen:
                continue
            seen.add(k)
            rows.append(dict(model_id=mid, variant=k[1], provider=k[2], observed_date=date,
                             output_tokens_per_s=tps, ttft_s=ttft, source_id="artificial_analysis", raw_path=rel,
                             source_ref=f"{rel}#row={i + 2};Model={r['Model']};API Provider={r[prov_col]}"))
    return rows


def task_cost_rows(raw: Path) -> list[dict]:
    return aa_task_costs(raw) + aider_task_costs(raw)


# Vendor-announced batch-API discounts (a share of the list price), entered by hand with the announcement or the
# vendor's documentation as reference. A vendor not listed has no known batch price: a batch workload leaves its
# models out rather than assume one.
BATCH_DISCOUNTS: list[dict] = [
    dict(vendor="openai", discount_share=0.5, effective_from="2024-04-15", source_id="curation",
         source_ref="https://platform.openai.com/docs/guides/batch (Batch API: 50% lower costs; launched "
                    "2024-04-15); archive: https://web.archive.org/web/2024/https://platform.openai.com/docs/guides/batch"),
    dict(vendor="anthropic", discount_share=0.5, effective_from="2024-10-08", source_id="curation",
         source_ref="https://www.anthropic.com/news/message-batches-api (Message Batches API, 2024-10-08: "
                    "50% less than standard API calls)"),
    dict(vendor="google", discount_share=0.5, effective_from="2025-07-07", source_id="curation",
         source_ref="https://ai.google.dev/gemini-api/docs/batch-mode (Gemini API Batch Mode, announced "
                    "2025-07-07: 50% of the standard price)"),
]


def aa_host_prices(raw: Path) -> list[dict]:
    """Each API provider's list price per model as Artificial Analysis observed it (per-host prices of the same
    model; one row per model, provider and date, the first row where a provider serves several settings)."""
    rows: list[dict] = []
    for rel, date in SPEED_FILES:
        df = pd.read_csv(raw / rel, low_memory=False)
        if "query_size" in df.columns:
            df = df[df["query_size"] == df["query_size"].iloc[0]]
        norm = {c.replace(" ", "").lower(): c for c in df.columns}
        inp_col, out_col = norm["inputpriceusd/1mtokens"], norm["outputpriceusd/1mtokens"]
        cache_col = norm.get("cachehitpriceusd/1mtokens")
        prov_col, api_col = norm["apiprovider"], norm.get("apiid")
        seen: set[tuple] = set()
        for i, r in records(df):
            inp, out = _usd(r[inp_col]), _usd(r[out_col])
            if inp is None or out is None:
                continue
            mid = _aa_model_id(r[api_col] if api_col else None, r["Model"], rel)
            if not mid or (mid, str(r[prov_col])) in seen:
                continue
            seen.add((mid, str(r[prov_col])))
            rows.append(dict(model_id=mid, provider=str(r[prov_col]), observed_date=date, input_usd_per_mtok=inp,
                             output_usd_per_mtok=out, cache_read_usd_per_mtok=_usd(r[cache_col]) if cache_col else None,
                             source_id="artificial_analysis", raw_path=rel,
                             source_ref=f"{rel}#row={i + 2};Model={r['Model']};API Provider={r[prov_col]}"))
    return rows
