"""Pure parsers from raw benchmark and leaderboard files to score rows, plus the metric definitions.

Every benchmark is its own metric; index versions that change scale are separate metrics.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import yaml

from lib.curate import records
from lib.curate.aliases import EPOCH_AA_NAMES, non_api_reason, normalise_id
from lib.ingest import artificial_analysis, lmarena
from lib.ingest.common import NotAnApiModel, RowError

# PyYAML's safe loader, in C (libyaml) when the installed PyYAML has it: the same documents, ten times faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

METRICS: list[dict] = [
    dict(metric_id="mmlu", name="MMLU (AA-reported)", unit="%", higher_is_better=True, min_value=0, max_value=100,
         scale="percent", drifts=False, version="AA early-2025",
         description="MMLU accuracy as reported by Artificial Analysis, from Epoch AI's copy",
         source_id="epoch_aa_benchmarks"),
    dict(metric_id="gpqa_diamond", name="GPQA Diamond (AA-reported)", unit="%", higher_is_better=True, min_value=0,
         max_value=100, scale="percent", drifts=False, version="AA early-2025",
         description="GPQA Diamond accuracy as reported by Artificial Analysis, from Epoch AI's copy",
         source_id="epoch_aa_benchmarks"),
    dict(metric_id="humaneval", name="HumanEval (AA-reported)", unit="%", higher_is_better=True, min_value=0,
         max_value=100, scale="percent", drifts=False, version="AA early-2025",
         description="HumanEval pass@1 as reported by Artificial Analysis, from Epoch AI's copy",
         source_id="epoch_aa_benchmarks"),
    dict(metric_id="math_500", name="MATH-500 (AA-reported)", unit="%", higher_is_better=True, min_value=0,
         max_value=100, scale="percent", drifts=False, version="AA early-2025",
         description="MATH-500 accuracy as reported by Artificial Analysis, from Epoch AI's copy",
         source_id="epoch_aa_benchmarks"),
    dict(metric_id="aa_quality_2024", name="AA 2024 quality composite (mean of MMLU, GPQA Diamond, HumanEval, "
         "MATH-500)", unit="%", higher_is_better=True, min_value=0, max_value=100, scale="percent", drifts=False,
         version="1", description="Composite defined by this project: the mean of the Artificial Analysis-reported "
         "MMLU, GPQA Diamond, HumanEval and MATH-500 (as published in Epoch AI's copy), only where all four exist. "
         "It approximates, but is not, AA's own 2024 Quality Index.", source_id="epoch_aa_benchmarks"),
    dict(metric_id="mmlu_pro", name="MMLU-Pro (AA-reported)", unit="%", higher_is_better=True, min_value=0,
         max_value=100, scale="percent", drifts=False, version="AA 2025-08",
         description="MMLU-Pro accuracy from the AA leaderboard scrape of 2025-08-14", source_id="artificial_analysis"),
    dict(metric_id="aa_quality_index_2024_10", name="AA Quality Index (Oct 2024)", unit="index",
         higher_is_better=True, min_value=0, max_value=100, scale="points", drifts=False, version="2024-10",
         description="Artificial Analysis's October 2024 Quality Index as scraped by demianarc/model-selector "
                     "(normalised so the top model is 100)", source_id="artificial_analysis"),
    dict(metric_id="aa_intelligence_v2", name="AA Intelligence Index v2", unit="index", higher_is_better=True,
         min_value=0, max_value=100, scale="points", drifts=False, version="2",
         description="Artificial Analysis Intelligence Index, v2 era (2025-08-14 scrape)",
         source_id="artificial_analysis"),
    dict(metric_id="aa_intelligence_v3", name="AA Intelligence Index v3", unit="index", higher_is_better=True,
         min_value=0, max_value=100, scale="points", drifts=False, version="3",
         description="Artificial Analysis Intelligence Index, v3 era (2025-09 .. 2025-12 scrapes)",
         source_id="artificial_analysis"),
    dict(metric_id="aa_intelligence_v4", name="AA Intelligence Index v4", unit="index", higher_is_better=True,
         min_value=0, max_value=100, scale="points", drifts=False, version="4",
         description="Artificial Analysis Intelligence Index, v4 era (2026-03 .. 2026-08 scrapes)",
         source_id="artificial_analysis"),
    dict(metric_id="lmarena_text", name="LMArena text score", unit="Elo", higher_is_better=True, min_value=0,
         max_value=3000, scale="points", drifts=True, version="default view (no style control)",
         description="LMArena (Chatbot Arena) text leaderboard rating; refit at every snapshot, one row per "
                     "snapshot (the last snapshot of each month)", source_id="lmarena"),
    dict(metric_id="epoch_eci", name="Epoch Capabilities Index", unit="ECI", higher_is_better=True, min_value=0,
         max_value=300, scale="points", drifts=False, version="website 2025-11-07",
         description="Epoch AI Capabilities Index, a latent capability fitted across ~40 benchmarks",
         source_id="epoch_benchmark_stitching"),
    dict(metric_id="aider_polyglot", name="Aider polyglot pass rate", unit="%", higher_is_better=True, min_value=0,
         max_value=100, scale="percent", drifts=False, version="polyglot 225 exercises",
         description="Aider polyglot benchmark pass_rate_2 (best run per model)", source_id="aider"),
    dict(metric_id="aider_edit", name="Aider code-editing pass rate", unit="%", higher_is_better=True, min_value=0,
         max_value=100, scale="percent", drifts=False, version="edit 133 Python exercises",
         description="Aider code-editing benchmark pass_rate_2 (best run per model)", source_id="aider"),
]
LIVEBENCH_CATEGORIES = ["Reasoning", "Coding", "Agentic Coding", "Mathematics", "Data Analysis", "Language", "IF"]
for _cat in LIVEBENCH_CATEGORIES + ["Global"]:
    _id = "livebench_" + _cat.lower().replace(" ", "_")
    METRICS.append(dict(metric_id=_id, name=f"LiveBench {_cat}" + (" average" if _cat == "Global" else ""),
                        unit="score", higher_is_better=True, min_value=0, max_value=100, scale="percent",
                        drifts=True, version="per question release (metric_version)",
                        description=f"LiveBench {_cat} (mean of its tasks"
                                    + ("; global = mean of categories" if _cat == "Global" else "")
                                    + "); each release is a new question set, so observed_date is the release "
                                      "date and values compare only within one release",
                        source_id="livebench"))


# (source_id, external id, raw_path, reason) of score rows left out as non-API variants; reset by `reset_excluded`
EXCLUDED: dict[tuple[str, str], tuple[str, str]] = {}


def reset_excluded() -> None:
    EXCLUDED.clear()


def _excluded(source_id: str, external: str, rel: str) -> bool:
    """True (and logged) when `external` names a local or quantised run, not an API model."""
    why = non_api_reason(external)
    if why:
        EXCLUDED.setdefault((source_id, str(external)), (rel, why))
    return why is not None


def excluded_corrections() -> list[dict]:
    return [dict(source_id=src, model_id=normalise_id(ext) or "", raw_path=rel, what=f"scores of '{ext}' dropped: {why}")
            for (src, ext), (rel, why) in sorted(EXCLUDED.items())]


def _s(model_id, metric_id, value, date, version, source_id, raw_path, ref):
    return dict(model_id=model_id, metric_id=metric_id, value=float(value), observed_date=date,
                metric_version=version, source_id=source_id, raw_path=raw_path, source_ref=ref)


def epoch_aa_scores(raw: Path) -> list[dict]:
    rows = []
    files = [("epoch-llm-benchmark-efficiency/aa_data_with_math5.csv", "2025-03-04"),
             ("epoch-llm-benchmark-efficiency/epoch_ai_price_data_not_in_aa_with_benchmarks.csv", "2025-03-13")]
    cols = {"MMLU": "mmlu", "GPQA Diamond": "gpqa_diamond", "HumanEval": "humaneval", "MATH-500": "math_500"}
    seen = set()
    for rel, date in files:
        df = pd.read_csv(raw / rel)
        df = df.sort_values(["Model Name", "Release Date"], kind="stable")
        for _, r in records(df):
            mid = EPOCH_AA_NAMES.get(r["Model Name"])
            if not mid or mid in seen:  # keep the earliest row of a model (later rows repeat or are successors)
                continue
            seen.add(mid)
            ref = f"{rel}#Model Name={r['Model Name']};Release Date={r['Release Date']}"
            vals = {}
            for col, metric in cols.items():
                if pd.notna(r[col]):
                    vals[metric] = float(r[col])
                    rows.append(_s(mid, metric, r[col], date, "AA early-2025", "epoch_aa_benchmarks", rel, ref))
            if len(vals) == 4:
                rows.append(_s(mid, "aa_quality_2024", sum(vals.values()) / 4, date, "1", "epoch_aa_benchmarks", rel,
                               ref + ";mean of MMLU, GPQA Diamond, HumanEval, MATH-500"))
    return rows


def _pct(v):
    if pd.isna(v):
        return None
    s = str(v).strip().rstrip("%")
    try:
        return float(s)
    except ValueError:
        return None


def _aa_model_id(api_id, name, rel=""):
    # the first id present decides: a quantised host deployment (api id `...-fp8`) is dropped; a clean api id
    # (e.g. `Qwen/Qwen3.5-0.8B`) keeps the row even when the display name notes the host's precision
    first = next((c.strip() for c in (api_id, name) if isinstance(c, str) and c.strip()), None)
    if first is None or _excluded("artificial_analysis", first, rel):
        return None
    for cand in (api_id, name):
        if isinstance(cand, str) and cand.strip():
            c = cand.strip()
            if _excluded("artificial_analysis", c, rel):
                continue  # a host-precision name ("Qwen3 235B (FP8)") must not become a model of its own
            mid = normalise_id(artificial_analysis.display_key(c))  # live ingest's rule: qualifiers stripped
            if mid:
                return mid
    return None


def aa_scrape_scores(raw: Path) -> list[dict]:
    rows: list[dict] = []
    base = "artificialanalysis-scrapes"
    # Oct 2024 Quality Index (drop rows the repository author added for Nebius: not AA measurements)
    for f, date in (("aa_models_2024-10-13.csv", "2024-10-13"), ("aa_models_2024-10-18.csv", "2024-10-18")):
        rel = f"{base}/demianarc-model-selector/{f}"
        df = pd.read_csv(raw / rel)
        df = df[~df["provider"].astype(str).str.startswith("Nebius") & df["qualityIndex"].notna()]
        best: dict[str, tuple] = {}
        for _, r in records(df):
            mid = _aa_model_id(None, r["name"], rel)
            if mid and mid not in best:
                best[mid] = (r["qualityIndex"], f"{rel}#id={r['id']};name={r['name']}")
        for mid, (v, ref) in best.items():
            rows.append(_s(mid, "aa_quality_index_2024_10", v, date, "2024-10", "artificial_analysis", rel, ref))
    # 2025-08-14 leaderboard: Intelligence Index v2 and MMLU-Pro
    rel = f"{base}/deyil-leaderboard-scraper/aa_leaderboard_2025-08-14.csv"
    df = pd.read_csv(raw / rel)
    rows += _aa_table(df, rel, "2025-08-14", {"Artificial Analysis Intelligence Index": "aa_intelligence_v2",
                                              "MMLU-Pro (Reasoning & Knowledge)": "mmlu_pro"})
    for f, date, metric in (("artificialanalysis_environmental_2025-09-10.csv", "2025-09-10", "aa_intelligence_v3"),
                            ("artificialanalysis_environmental_2025-12-31.csv", "2025-12-31", "aa_intelligence_v3"),
                            ("artificialanalysis_environmental_2026-03-31.csv", "2026-03-31", "aa_intelligence_v4"),
                            ("artificialanalysis_2026-05-18.csv", "2026-05-18", "aa_intelligence_v4"),
                            ("artificialanalysis_2026-08-22.csv", "2026-08-22", "aa_intelligence_v4")):
        rel = f"{base}/howhungryisai/{f}"
        df = pd.read_csv(raw / rel, low_memory=False)
        col = next(c for c in df.columns if "intelligence" in c.lower().replace(" ", "") and "index" in c.lower())
        rows += _aa_table(df, rel, date, {col: metric})
    return rows


def _aa_table(df, rel, date, colmap):
    api_col = next((c for c in df.columns if c.replace(" ", "").lower() == "apiid"), None)
    best: dict[tuple, tuple] = {}
    for i, r in records(df):
        mid = _aa_model_id(r[api_col] if api_col else None, r["Model"], rel)
        if not mid:
            continue
        for col, metric in colmap.items():
            v = _pct(r[col])
            if v is None:
                continue
            k = (mid, metric)
            # several rows per model (providers, prompt sizes, reasoning efforts): keep the highest value
            if k not in best or v > best[k][0]:
                best[k] = (v, f"{rel}#row={i + 2};Model={r['Model']}")
    return [_s(mid, metric, v, date, metric.rsplit("_", 1)[-1] if metric.startswith("aa_int") else "AA 2025-08",
               "artificial_analysis", rel, ref) for (mid, metric), (v, ref) in sorted(best.items())]


def lmarena_scores(raw: Path) -> list[dict]:
    """The last snapshot of each month, read by live ingest's reader (lib.ingest.lmarena.read_row)."""
    idx = pd.read_csv(raw / "lmarena/snapshots_index.csv", dtype=str)
    idx["month"] = idx["snapshot_date"].str[:7]
    picks = idx.sort_values("snapshot_date").groupby("month").tail(1)
    rows = []
    for _, s in records(picks.sort_values("snapshot_date")):
        rel = f"lmarena/{s['file']}"
        rows += lmarena_snapshot_scores((raw / rel).read_bytes(), s["snapshot_date"], rel, s["commit"])
    return rows


def lmarena_snapshot_scores(body: bytes, date: str, rel: str, commit: str = "") -> list[dict]:
    """One dated LMArena snapshot -> score rows observed on `date`: each row read as live ingest reads it, its
    display name mapped by the normaliser with LMArena's organisation as the vendor hint (the first row of a
    model wins); names the normaliser does not know are left out (live ingest queues them for review)."""
    rows, seen_rows, seen = [], set(), set()
    for row in lmarena.records(body):
        try:
            r = lmarena.read_row(row, seen_rows)
        except NotAnApiModel as exc:
            EXCLUDED.setdefault(("lmarena", str(exc.external_id)), (rel, exc.reason))
            continue
        except RowError:
            continue
        mid = normalise_id(lmarena.display_key(r.external_id), vendor_hint=r.organization)
        if not mid or mid in seen:
            continue
        seen.add(mid)
        ref = f"{rel}#model={r.external_id}" + (f" (commit {commit[:12]})" if commit else "")
        rows.append(_s(mid, "lmarena_text", r.value, date, date, "lmarena", rel, ref))
    return rows


def eci_scores(raw: Path) -> list[dict]:
    rel = "epoch-benchmark-stitching/epoch_capabilities_index.csv"
    df = pd.read_csv(raw / rel)
    df = df[df["ECI Score"].notna()]
    best: dict[str, tuple] = {}
    for _, r in records(df):
        ver = str(r["Model version"])
        if _excluded("epoch_benchmark_stitching", ver, rel):
            continue
        base = re.sub(r"_(high|medium|low|minimal|\d+K|thinking|reasoning|none)$", "", ver, flags=re.I)
        base = re.sub(r"-hf$", "", base, flags=re.I)  # Hugging Face repository name of the same weights
        mid = normalise_id(base, vendor_hint=str(r["Organization"]).split("\n")[0])
        if not mid:
            continue
        plain = base == ver
        cand = (plain, float(r["ECI Score"]), f"{rel}#Model version={ver}")
        if mid not in best or cand[:2] > best[mid][:2]:
            best[mid] = cand
    return [_s(mid, "epoch_eci", v, "2025-11-07", "website 2025-11-07", "epoch_benchmark_stitching", rel, ref)
            for mid, (_, v, ref) in sorted(best.items())]


def livebench_scores(raw: Path) -> list[dict]:
    rows = []
    for p in sorted((raw / "livebench").glob("table_*.csv")):
        date = p.stem.replace("table_", "").replace("_", "-")
        cats = json.loads((raw / "livebench" / f"categories_{p.stem[6:]}.json").read_text())
        rel = f"livebench/{p.name}"
        df = pd.read_csv(p)
        for _, r in records(df):
            if _excluded("livebench", str(r["model"]), rel):
                continue
            mid = normalise_id(re.sub(r"-hf$", "", str(r["model"]), flags=re.I))
            if not mid:
                continue
            cat_means = {}
            for cat, tasks in cats.items():
                vals = [r[t] for t in tasks if t in df.columns and pd.notna(r[t])]
                if len(vals) == len(tasks) and vals:
                    cat_means[cat] = sum(vals) / len(vals)
            ref = f"{rel}#model={r['model']}"
            for cat, v in cat_means.items():
                if cat in LIVEBENCH_CATEGORIES:
                    rows.append(_s(mid, "livebench_" + cat.lower().replace(" ", "_"), v, date, date, "livebench", rel,
                                   ref))
            if cat_means and len(cat_means) == len(cats):
                rows.append(_s(mid, "livebench_global", sum(cat_means.values()) / len(cat_means), date, date,
                               "livebench", rel, ref))
    # an id can appear twice in a table (e.g. dated and undated): keep the first
    seen, out = set(), []
    for r in rows:
        k = (r["model_id"], r["metric_id"], r["observed_date"])
        if k not in seen:
            seen.add(k)
            out.append(r)
    return out


def aider_scores(raw: Path) -> list[dict]:
    rows = []
    for f, metric in (("polyglot_leaderboard.yml", "aider_polyglot"), ("edit_leaderboard.yml", "aider_edit")):
        rel = f"aider/{f}"
        runs = yaml.load((raw / rel).read_text(), Loader=YAML_LOADER)
        best: dict[str, tuple] = {}
        for run in runs:
            name = str(run.get("model", ""))
            if "+" in name or " and " in name or run.get("pass_rate_2") is None:
                continue
            if _excluded("aider", name, rel):
                continue
            name = re.sub(r"\s*\(.*\)$", "", name).strip()
            mid = normalise_id(re.sub(r"-hf$", "", name, flags=re.I))
            if not mid:
                continue
            v = float(run["pass_rate_2"])
            if mid not in best or v > best[mid][0]:
                best[mid] = (v, str(run.get("date")), f"{rel}#dirname={run.get('dirname')}")
        rows += [_s(mid, metric, v, d, metric.split("_")[1], "aider", rel, ref)
                 for mid, (v, d, ref) in sorted(best.items())]
    return rows
