"""Data-quality report of the seed (markdown): coverage, source disagreements over 5 %, corrections.

Pure over the loaded tables; the precedence used to say which value was kept mirrors the store's rule.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from lib.curate.article import ARTICLE_PAIRS, COMPOSITE_METRIC
from lib.curate.coverage import coverage_section
from lib.curate.hygiene import JUMP_FACTOR, price_jumps
from lib.curate.identity import candidate_groups, junk_reason, load_identity, variant_candidates
from lib.curate.validate import newest_retrieval, validate_seed


def _blended(inp, out):
    return (3 * inp + out) / 4


def _covering(prices: pd.DataFrame, model_id: str, day: str) -> pd.DataFrame:
    p = prices[(prices["model_id"] == model_id) & (prices["effective_from"] <= day)
               & (prices["effective_to"].isna() | (prices["effective_to"] > day))]
    return p


def _rank(p: pd.DataFrame, priority: dict) -> pd.DataFrame:
    p = p.assign(_k=(p["date_kind"] != "effective").astype(int), _fp=(p["first_party"] != "true").astype(int),
                 _pr=p["source_id"].map(priority), _neg=p["effective_from"])
    p = p.sort_values(["_k", "_fp", "_pr", "_neg", "input_usd_per_mtok"], ascending=[True, True, True, False, True])
    return p


def price_as_of(tables: dict, model_id: str, day: str) -> dict | None:
    prices = tables["prices"]
    prices = prices[prices["tier"] == "standard"]
    priority = dict(zip(tables["sources"]["source_id"], tables["sources"]["priority"]))
    p = _rank(_covering(prices, model_id, day), priority)
    return None if p.empty else p.iloc[0].to_dict()


def disagreements(tables: dict, threshold: float = 0.05) -> pd.DataFrame:
    """Per model and per date at which any source's price starts: sources whose blended price differs > 5 %."""
    prices = tables["prices"]
    prices = prices[prices["tier"] == "standard"]
    priority = dict(zip(tables["sources"]["source_id"], tables["sources"]["priority"]))
    out = []
    for mid, g in prices.groupby("model_id", sort=True):
        if g["source_id"].nunique() < 2:
            continue
        for day in sorted(set(g["effective_from"])):
            cov = _rank(_covering(g, mid, day), priority)
            if cov["source_id"].nunique() < 2:
                continue
            kept = cov.iloc[0]
            kb = _blended(kept["input_usd_per_mtok"], kept["output_usd_per_mtok"])
            for _, r in cov.drop_duplicates("source_id").iloc[1:].iterrows():
                rb = _blended(r["input_usd_per_mtok"], r["output_usd_per_mtok"])
                if kb == rb or abs(rb - kb) / max(kb, rb) <= threshold:
                    continue
                why = ("effective date beats observed" if kept["date_kind"] != r["date_kind"] else
                       "first-party beats reseller" if kept["first_party"] != r["first_party"] else
                       "lower source priority number" if priority[kept["source_id"]] != priority[r["source_id"]]
                       else "newer effective_from")
                out.append(dict(model_id=mid, date=day, kept_source=kept["source_id"],
                                kept=f"{kept['input_usd_per_mtok']:g}/{kept['output_usd_per_mtok']:g}",
                                other_source=f"{r['source_id']} ({r['provider']})",
                                other=f"{r['input_usd_per_mtok']:g}/{r['output_usd_per_mtok']:g}",
                                diff_pct=round(100 * (rb - kb) / kb, 1), why=why))
    df = pd.DataFrame(out)
    if df.empty:
        return df
    # the same disagreement repeats on every later change date of a model: keep its first date
    return df.drop_duplicates(["model_id", "kept_source", "kept", "other_source", "other"]).reset_index(drop=True)


def article_pairs(tables: dict) -> pd.DataFrame:
    models = tables["models"].set_index("model_id")
    scores = tables["scores"]
    comp = scores[scores["metric_id"] == COMPOSITE_METRIC].sort_values("observed_date").groupby("model_id").last()
    rows = []
    for teacher, student, era in ARTICLE_PAIRS:
        day = models.loc[student, "release_date"]
        std = tables["prices"][(tables["prices"]["model_id"] == student) & (tables["prices"]["tier"] == "standard")]
        if price_as_of(tables, student, day) is None and len(std):
            day = std["effective_from"].min()  # announced before API availability (Claude 3.5 Haiku)
        pt, ps = price_as_of(tables, teacher, day), price_as_of(tables, student, day)
        bt = _blended(pt["input_usd_per_mtok"], pt["output_usd_per_mtok"]) if pt else None
        bs = _blended(ps["input_usd_per_mtok"], ps["output_usd_per_mtok"]) if ps else None
        qt = comp["value"].get(teacher)
        qs = comp["value"].get(student)
        rows.append(dict(teacher=teacher, student=student, era=era, student_launch=day, teacher_blended=None if bt is None else round(bt, 4),
                         student_blended=None if bs is None else round(bs, 4), price_drop_pct=None if not (bt and bs) else round(100 * (1 - bs / bt), 1),
                         teacher_quality=qt, student_quality=qs,
                         quality_drop_pct=None if qt is None or qs is None else round(100 * (1 - qs / qt), 1)))
    return pd.DataFrame(rows)


def _md(df: pd.DataFrame) -> str:
    if df.empty:
        return "_none_\n"
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in df.itertuples(index=False):
        lines.append("| " + " | ".join("" if v is None or (isinstance(v, float) and v != v) else str(v) for v in r)
                     + " |")
    return "\n".join(lines) + "\n"


def _corrections(seed_dir: Path) -> pd.DataFrame:
    path = Path(seed_dir) / "corrections.csv"
    return pd.read_csv(path, dtype=str).fillna("") if path.exists() else pd.DataFrame({"what": []}, dtype=str)


# The seed as it was before the model registry (main at e97e526, counted with the same functions): the baseline
# of the before/after table.
REGISTRY_BASELINE = {"models": 1207, "duplicate-candidate groups": 141, "unreviewed duplicate-candidate groups": 141,
                     "redundant ids in those groups": 202, "junk ids": 31, "reasoning-configuration ids as models": 127,
                     "retired models (with a retirement date)": 0, "priced models": 667,
                     "priced models with a release date": 420}


def registry_figures(tables: dict, identity: list[dict]) -> dict:
    """Counts of the model registry: duplicates left, junk, variants, lifecycle coverage."""
    models = tables["models"]
    groups = candidate_groups(models["model_id"], identity)
    priced = set(tables["prices"].loc[tables["prices"]["tier"] == "standard", "model_id"])
    mp = models[models["model_id"].isin(priced)]
    return {"models": len(models), "duplicate-candidate groups": len(groups),
            "unreviewed duplicate-candidate groups": sum(not g["reviewed"] for g in groups),
            "redundant ids in those groups": sum(len(g["models"].split(", ")) - 1 for g in groups
                                                 if not g["reviewed"]),
            "junk ids": sum(1 for m in models["model_id"] if junk_reason(m)),
            "reasoning-configuration ids as models": len(variant_candidates(models["model_id"], identity)),
            "retired models (with a retirement date)": int(models["deprecation_date"].notna().sum()),
            "priced models": len(mp), "priced models with a release date": int(mp["release_date"].notna().sum())}


def _lifecycle_lines(tables: dict) -> list[str]:
    life, models = tables["lifecycle"], tables["models"]
    if life.empty:
        return []
    retired = life[life["event"] == "retired"]
    kinds = models["release_date_kind"].value_counts()
    return [
        "- release dates by kind: " + ", ".join(f"{k} {v}" for k, v in kinds.items())
        + " (a listing date is only ever `first-seen`)",
        "- retirement dates: " + ", ".join(f"{scope}/{src} {n}" for (scope, src), n in
                                             retired.groupby(["scope", "source_id"]).size().items())
        + " (`vendor` dates take models off the market; `host` dates such as Azure's are the host's offering)",
        f"- delisted (observed: no source lists a price any more): {int((life['event'] == 'delisted').sum())}"]


def registry_section(tables: dict) -> list[str]:
    """The `check` section on entity resolution: before/after counts, unreviewed groups and junk ids listed."""
    identity = load_identity()
    now = registry_figures(tables, identity)
    models = tables["models"]
    groups = pd.DataFrame(candidate_groups(models["model_id"], identity), columns=["key", "models", "reviewed"])
    junk = pd.DataFrame([dict(model_id=m, reason=junk_reason(m)) for m in models["model_id"] if junk_reason(m)],
                        columns=["model_id", "reason"])
    scores = tables["scores"]
    variants = scores[scores["variant"].fillna("") != ""]
    aliases = tables["aliases"]
    decisions = pd.Series([r["decision"] for r in identity], dtype=str).value_counts()
    return [
        "## Model registry (entity resolution)", "",
        "One canonical model per real model: every id a source used resolves through `aliases` (with the rule that "
        "matched: `by hand` = a reviewed decision in `data/curated/model_identity.csv`, `alias list` = the curated "
        "names in `lib/curate/aliases.py`, `normaliser` = the id rules, `dated alias` = a moving alias of "
        "`data/curated/alias_moves.csv`, whose observations go to the snapshot it pointed at on their date). "
        "Host deployments (`-maas`, "
        "`-global-standard`, `-tput`, `@version`, Fireworks' `3p1`), spelling twins and app names are merged or "
        "rejected; reasoning-effort and thinking-budget configurations are *variants* of one model (their scores "
        "carry a `variant`; they share the model's price).", "",
        "| figure | before | now |", "|---|---|---|",
        *[f"| {k} | {REGISTRY_BASELINE.get(k, '')} | {v} |" for k, v in now.items()], "",
        f"- reviewed decisions: {len(identity)} ("
        + ", ".join(f"{k} {v}" for k, v in decisions.items()) + ")",
        "- aliases by rule: " + ", ".join(f"{k} {v}" for k, v in aliases["rule"].value_counts().items()),
        f"- variant scores: {len(variants)} rows on {variants['model_id'].nunique()} models "
        f"({variants['variant'].nunique()} configurations)",
        *_lifecycle_lines(tables), "",
        f"### Unreviewed duplicate-candidate groups: {now['unreviewed duplicate-candidate groups']}", "",
        "Groups of ids that the duplicate normaliser (`lib.curate.identity.duplicate_key`) puts together and that no "
        "reviewed decision covers. Reviewed groups (every member kept as a distinct model, with its reason): "
        f"{int(groups['reviewed'].sum()) if len(groups) else 0}.", "",
        _md(groups[~groups["reviewed"].astype(bool)].drop(columns="reviewed").reset_index(drop=True)),
        f"### Junk ids: {len(junk)}", "", _md(junk), ""]


def quality_report(seed_dir: Path) -> str:
    t = validate_seed(seed_dir)
    prices, scores, models = t["prices"], t["scores"], t["models"]
    std = prices[prices["tier"] == "standard"]
    priced = set(std["model_id"])
    scored = set(scores["model_id"])
    vendors = {m.split("/")[0] for m in priced}
    rel = models["release_date"].dropna()
    newest = newest_retrieval(t)
    sched = std[(std["effective_from"] > newest)]
    in_data = std[std["effective_from"] <= newest]
    newest_data = max(in_data["effective_from"].max(), scores["observed_date"].max(), rel.max())
    lines = ["# Data quality report", "",
             "Generated by `python -m lib check --out data/QUALITY.md` from `data/seed/` (validated with pandera).",
             "", "## Coverage", "",
             f"- models: {len(models)} ({(models['status'] == 'reviewed').sum()} reviewed)",
             f"- models with a standard-tier price: {len(priced)}, from {len(vendors)} vendors",
             f"- models with at least one quality score: {len(scored)}",
             f"- models with both price and quality: {len(priced & scored)}",
             f"- price dates: {std['effective_from'].min()} .. {std['effective_from'].max()} (incl. scheduled) "
             f"(effective rows: {(std['date_kind'] == 'effective').sum()}, observed: "
             f"{(std['date_kind'] == 'observed').sum()})",
             f"- release dates: {rel.min()} .. {rel.max()}",
             f"- score dates: {scores['observed_date'].min()} .. {scores['observed_date'].max()}",
             f"- newest raw retrieval: {newest}",
             f"- **newest data date (excluding scheduled future prices): {newest_data}** (prices "
             f"{in_data['effective_from'].max()}, scores {scores['observed_date'].max()}, releases {rel.max()})",
             f"- scheduled future prices (vendor-announced, effective after the newest retrieval): {len(sched)} rows"
             f" for {sched['model_id'].nunique()} models", "",
             "", *coverage_section(Path(seed_dir), newest),
             "### Scheduled future prices", "",
             "Kept as `effective` because the source dates them from a vendor announcement; not yet in force "
             "when the data was collected. Any other date after the newest retrieval fails validation.", "",
             _md(sched[["model_id", "source_id", "effective_from", "input_usd_per_mtok", "output_usd_per_mtok",
                        "source_ref"]].sort_values(["model_id", "source_id"]).reset_index(drop=True)), "",
             "### Curation notes", "",
             "- **Display names** come from the best-named source (simonw/llm-prices, then OpenRouter without its "
             "\"Vendor: \" prefix, genai-prices, Artificial Analysis, Epoch's registry) and must name every word of "
             "the id; the API version of a dated id is shown in parentheses, dates in ISO form (\"GPT-4o "
             "(2024-05-13)\", \"GPT-4 (0613)\", \"Gemini 1.5 Flash (002)\", \"Claude 3.5 Sonnet (2024-06-20)\"). "
             f"Names are unique ({models['name'].str.lower().nunique()} distinct names for {len(models)} models).",
             "- **vendor** is the model's creator: where OpenRouter's own prefix names another creator than the id's "
             "rule (perplexity/llama-3-sonar-*, nvidia/llama-3.1-nemotron-*, writer/palmyra-x5), the vendor column "
             "follows OpenRouter; model ids are unchanged.",
             "- **Non-API variants** (local Ollama runs, GGUF/q4/q8 quantisations, FP8 host deployments named as "
             "models) are not models: their scores are dropped and listed under corrections ("
             f"{int(_corrections(seed_dir)['what'].str.contains('scores of').sum())} external ids); Bedrock ids and "
             "bf16/fp16 reference weights resolve to the vendor's model.",
             "- **Scheduled prices**: a vendor-announced price dated after the newest raw retrieval is kept as "
             "`effective` with a `scheduled:` note (see above); validation rejects any other date after it.", "",
             "### Rows per source", "",
             _md(pd.concat([prices.groupby("source_id").size().rename("price rows"),
                            scores.groupby("source_id").size().rename("score rows")], axis=1)
                 .fillna(0).astype(int).reset_index()),
             "### Scores per metric", "",
             _md(scores.groupby("metric_id").agg(rows=("value", "size"), models=("model_id", "nunique")).reset_index()),
             "## Article pairs (at the student's launch; blended 3:1 $/Mtok, quality = aa_quality_2024)", "",
             _md(article_pairs(t)),
             "## Disagreements over 5 % between sources (standard tier, same model and date)", "",
             "Kept value = the store's precedence: effective date before observed, first party before reseller, "
             "lower source priority, newest effective_from. `diff_pct` is the other source's blended price "
             "relative to the kept one.", ""]
    d = disagreements(t)
    lines += [f"{len(d)} disagreements.", "", _md(d)]
    lines += registry_section(t)
    jumps = price_jumps(t["prices"])
    fees = t.get("fees")
    lines += [f"## Price changes over {JUMP_FACTOR:g}x between consecutive intervals of one offering (for review)", "",
              "One offering = model, provider and tier, any source, in date order; the blended 3:1 price changing "
              "by more than this factor is more often a unit slip (per 1K vs per 1M, per character) or a swapped "
              "row than a real cut. Reviewed fixes go to `data/curated/price_fixes.csv`.", "",
              f"{len(jumps)} changes.", "", _md(jumps),
              "## Non-token fees", "",
              "Per-request (search) fees that a source stored as a token price are kept here, never as token "
              "prices.", "", _md(fees if fees is not None else pd.DataFrame()), ""]
    corr_path = Path(seed_dir) / "corrections.csv"
    if corr_path.exists():
        corr = pd.read_csv(corr_path, dtype=str).fillna("")
        lines += ["## Corrections and exclusions applied during curation", "", _md(corr)]
    return "\n".join(lines)
