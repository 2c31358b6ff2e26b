"""Pure parsers from raw price files to price rows (one dict per validity interval).

Each returns rows with the prices.csv columns plus `raw_path`; model ids come from `aliases.normalise_id`.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd

from lib.curate import records
from lib.curate.aliases import EPOCH_AA_NAMES, NOT_CHAT, normalise_id
from lib.curate.identity import dated_target
from lib.ingest import litellm, llm_prices, openrouter
from lib.ingest.common import RowError

CHAT_EXCLUDE = NOT_CHAT  # lib.curate.aliases: the one list of non-chat ids


def _day_after(d: str) -> str:
    return (dt.date.fromisoformat(d) + dt.timedelta(days=1)).isoformat()


def _row(model_id, provider, first_party, tier, frm, to, inp, out, cache, kind, source_id, raw_path, ref, note="",
         min_prompt=None):
    """A prices.csv row. `min_prompt`: for a long-context tier, the prompt length (tokens) above which its price
    applies to the whole request."""
    return dict(model_id=model_id, provider=provider, first_party=first_party, tier=tier,
                min_prompt_tokens=min_prompt if tier == "long-context" else None, effective_from=frm,
                effective_to=to or "", input_usd_per_mtok=inp, output_usd_per_mtok=out,
                cache_read_usd_per_mtok=cache, date_kind=kind, source_id=source_id, raw_path=raw_path,
                source_ref=ref, note=note)


# ---------------------------------------------------------------- Epoch AI price records (vendor-effective)
EPOCH_VENDOR = {"OpenAI": "openai", "Anthropic": "anthropic", "Google": "google", "Amazon": "amazon-bedrock",
                "DeepInfra": "deepinfra", "Fireworks AI": "fireworks", "Together": "together", "Groq": "groq",
                "Lepton AI": "lepton", "Databricks": "databricks", "OctoAI": "octoai", "Perplexity": "perplexity",
                "Cerebras Systems": "cerebras", "Replicate": "replicate", "Mistral AI": "mistralai",
                "Cohere": "cohere", "DeepSeek": "deepseek", "Reka AI": "reka", "AI21 Labs": "ai21"}
# dated API ids in Epoch's `Model Version` that are a long-context tier of another model
# (prompts longer than the base model's context window, 8,192 and 4,096 tokens, need the long-context model)
EPOCH_VERSION_TIER = {"gpt-4-32k-0314": ("openai/gpt-4-0314", "long-context", 8192),
                      "gpt-3.5-turbo-16k-0613": ("openai/gpt-3.5-turbo-0613", "long-context", 4096)}
EPOCH_LONG_PROMPT = 128_000  # Epoch's "> 128k" price units (Gemini 1.5: prompts longer than 128K tokens)
# family records that apply to every dated version of the family (Google priced them identically)
EPOCH_FAMILY = {"Gemini 1.5 Pro": ["google/gemini-1.5-pro-001", "google/gemini-1.5-pro-002"],
                "Gemini 1.5 Flash": ["google/gemini-1.5-flash-001", "google/gemini-1.5-flash-002"]}


def _epoch_kind(unit: str) -> tuple[str, str] | None:
    u = unit.lower()
    tier = "long-context" if (">128k" in u.replace(" ", "") or "> 128k" in u) else "standard"
    if "input or output" in u:
        return "both", tier
    if "cashed tokens" in u and "per hour" not in u:
        return "cache", tier
    if "input tokens" in u:
        return "input", tier
    if "output tokens" in u:
        return "output", tier
    return None


def epoch_price_records(raw: Path) -> tuple[list[dict], list[str]]:
    rel = "epoch-llm-benchmark-efficiency/api_prices_full_view.csv"
    df = pd.read_csv(raw / rel, encoding="utf-8-sig", dtype=str).fillna("")
    skipped: list[str] = []
    groups: dict[tuple, dict] = {}
    for i, r in records(df):
        if r["Fine Tuned Model"]:
            continue
        kind = _epoch_kind(r["Price Unit"])
        if kind is None:
            continue
        version = r["Model Version"].strip()
        if version in EPOCH_VERSION_TIER:
            targets, tier, min_prompt = [EPOCH_VERSION_TIER[version][0]], *EPOCH_VERSION_TIER[version][1:]
        else:
            tier = kind[1]
            min_prompt = EPOCH_LONG_PROMPT if tier == "long-context" else None
            targets = EPOCH_FAMILY.get(r["Model"]) or []
            if not targets:
                mid = normalise_id(version) if version.startswith(("gpt-", "o1", "o3")) else None
                mid = mid or EPOCH_AA_NAMES.get(r["Model"])
                if not mid:
                    continue
                targets = [mid]
        price = float(r["Price"].replace("$", "").replace(",", ""))
        vendor_name = r["Organization (API vendor)"]
        for mid in targets:
            provider = EPOCH_VENDOR.get(vendor_name, mid.split("/")[0]) if vendor_name else mid.split("/")[0]
            key = (mid, provider, tier, r["Price date"])
            g = groups.setdefault(key, dict(link=r["Archived price link"], rows=[], model=r["Model"],
                                            min_prompt=min_prompt))
            g["rows"].append(i + 2)  # csv line number (header is line 1)
            if kind[0] == "both":
                g["input"] = g["output"] = price
            else:
                g[kind[0]] = price
    rows = []
    for (mid, provider, tier, date), g in sorted(groups.items()):
        if "input" not in g or "output" not in g:
            skipped.append(f"{rel} lines {g['rows']}: {g['model']} {provider} {date} has only one of input/output")
            continue
        first_party = provider == mid.split("/")[0]
        ref = f"{rel}#L{'+L'.join(map(str, g['rows']))} ({g['model']}, {date}); archive {g['link']}"
        note = ""
        if g["model"] in EPOCH_FAMILY:
            note = f"Epoch record for the '{g['model']}' family, applied to each dated version"
        rows.append(_row(mid, provider, first_party, tier, date, "", g["input"], g["output"], g.get("cache"),
                         "effective", "epoch_prices", rel, ref, note, g["min_prompt"]))
    return rows, skipped


def epoch_blended_launches(raw: Path, price_rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Launch prices in Epoch's `epoch_ai_price_data_not_in_aa_with_benchmarks.csv` (its "Release Date" is the
    price date, from Epoch's price database) that no Epoch price record covers.

    The file gives only the 3:1 blended price, so a row is added only when a first-party copy of the same model
    (the earliest one, from LiteLLM or another source) shows an input/output pair whose 3:1 blend equals Epoch's
    number exactly: that pair is then the launch price, dated by Epoch. Anything else is recorded, not guessed."""
    rel = "epoch-llm-benchmark-efficiency/epoch_ai_price_data_not_in_aa_with_benchmarks.csv"
    df = pd.read_csv(raw / rel, dtype=str).fillna("")
    have = {(r["model_id"], r["effective_from"]) for r in price_rows if r["source_id"] == "epoch_prices"}
    rows, notes = [], []
    for i, r in records(df):
        mid = EPOCH_AA_NAMES.get(r["Model Name"])
        date, blended = r["Release Date"], float(r["USD per 1M Tokens"])
        if not mid or (mid, date) in have:
            continue
        first = sorted((o for o in price_rows if o["model_id"] == mid and o["first_party"] and o["tier"] == "standard"
                        and o["effective_from"] > date), key=lambda o: (o["effective_from"], o["source_id"]))
        if not first:
            continue
        o = first[0]
        b = (3 * o["input_usd_per_mtok"] + o["output_usd_per_mtok"]) / 4
        line = i + 2
        if abs(b - blended) > 1e-9:
            notes.append(dict(source_id="epoch_prices", model_id=mid, raw_path=rel, what=(
                f"not used: {r['Model Name']} blended ${blended} from {date} (line {line}) does not match the "
                f"earliest first-party split {o['input_usd_per_mtok']}/{o['output_usd_per_mtok']} "
                f"({o['source_id']} {o['effective_from']}); input/output unknown")))
            continue
        rows.append(_row(mid, mid.split("/")[0], True, "standard", date, "", o["input_usd_per_mtok"],
                         o["output_usd_per_mtok"], None, "effective", "epoch_prices", rel,
                         f"{rel}#L{line} (Model Name={r['Model Name']};Release Date={date}; blended {blended})",
                         f"date and 3:1 blended price from Epoch's price data; input/output split from "
                         f"{o['source_id']} {o['effective_from']} ({o['source_ref'].split('#')[-1][:80]}), whose "
                         f"blend equals Epoch's"))
    return rows, notes


# ---------------------------------------------------------------- simonw/llm-prices (git history + HEAD)
LONG_SUFFIX = llm_prices.LONG_SUFFIX


def simonw_prices(raw: Path) -> tuple[list[dict], list[dict]]:
    rel = "simonw-llm-prices/derived_price_observations_from_git_history.csv"
    df = pd.read_csv(raw / rel, dtype=str).fillna("")
    head_date = df["last_seen_commit_date"].max()
    corrections: list[dict] = []
    rows = []
    for _, r in records(df):
        sid = r["model_id"]
        if CHAT_EXCLUDE.search(sid):
            continue
        base, tier, min_prompt = llm_prices.split_tier(sid)  # live ingest's rule for the ids
        mid = normalise_id(base, vendor_hint=r["vendor"] or None)
        if not mid:
            continue
        inp, out = float(r["input_usd_per_mtok"]), float(r["output_usd_per_mtok"])
        cache = float(r["input_cached_usd_per_mtok"]) if r["input_cached_usd_per_mtok"] else None
        note = ""
        if sid == "o3" and inp == 10 and r["first_seen_commit_date"] >= "2025-10-10":
            # SOURCE.md known error: the 2025-10-10 data migration reintroduced o3's pre-cut price
            corrections.append(dict(source_id="simonw_llm_prices", model_id=mid, what=(
                "o3 listed at $10/$40 from 2025-10-10 (HEAD) is its pre-2025-06-10 price reintroduced by the "
                "data migration (commit 51758ee303f2); kept the $2/$8 row from commit 1d6ed977bbbf instead"),
                raw_path=rel))
            continue
        if r["from_date"]:
            kind, frm = "effective", r["from_date"]
            ref = f"{rel}#model_id={sid};from_date={r['from_date']} (commit {r['first_seen_commit']})"
        else:
            kind, frm = "observed", r["first_seen_commit_date"]
            ref = f"{rel}#model_id={sid};first_seen_commit={r['first_seen_commit']}"
            note = "from_date null upstream (unknown); dated by the commit that first listed this price"
        to = r["to_date"]
        if not to and r["last_seen_commit_date"] < head_date:
            to = _day_after(r["last_seen_commit_date"])
        if to and to <= frm:
            corrections.append(dict(source_id="simonw_llm_prices", model_id=mid, raw_path=rel, what=(
                f"{sid} ${inp}/${out} ends {to} but was first listed {frm} (a past price recorded "
                "retroactively without from_date); left out, the earlier observation covers it")))
            continue
        rows.append(_row(mid, mid.split("/")[0], True, tier, frm, to, inp, out, cache, kind,
                         "simonw_llm_prices", rel, ref, note, min_prompt))
    # o3: the $2/$8 row ended when the bad migration happened; reopen it (it is still the price at HEAD)
    for row in rows:
        if row["model_id"] == "openai/o3" and row["input_usd_per_mtok"] == 2.0:
            row["effective_to"] = ""
            row["note"] = "corrected: still current at HEAD (the HEAD $10/$40 row is a known error)"
    return _merge_same_price(rows), corrections


def _merge_same_price(rows: list[dict]) -> list[dict]:
    """Merge consecutive rows of one series whose prices did not change (e.g. cached price first recorded)."""
    out: list[dict] = []
    key = lambda r: (r["model_id"], r["provider"], r["tier"], r["source_id"])  # noqa: E731
    for r in sorted(rows, key=lambda r: (key(r), r["effective_from"])):
        prev = out[-1] if out else None
        if (prev and key(prev) == key(r) and prev["date_kind"] == r["date_kind"]
                and prev["input_usd_per_mtok"] == r["input_usd_per_mtok"]
                and prev["output_usd_per_mtok"] == r["output_usd_per_mtok"]
                and (not prev["effective_to"] or prev["effective_to"] >= r["effective_from"])):
            prev["effective_to"] = r["effective_to"] if (r["effective_to"] and prev["effective_to"]) else ""
            if r["cache_read_usd_per_mtok"] is not None:
                prev["cache_read_usd_per_mtok"] = r["cache_read_usd_per_mtok"]
            continue
        out.append(dict(r))
    return out


# ---------------------------------------------------------------- pydantic/genai-prices
GENAI_FIRST_PARTY = {"anthropic": "anthropic", "openai": "openai", "google": "google", "mistral": "mistralai",
                     "deepseek": "deepseek", "x-ai": "x-ai", "moonshotai": "moonshotai", "zai": "z-ai",
                     "zhipuai": "z-ai", "minimax": "minimax", "cohere": "cohere", "perplexity": "perplexity"}
GENAI_SNAPSHOT_DATE = "2026-08-21"


def _genai_value(v):
    if isinstance(v, dict):
        tiers = v.get("tiers") or []
        return v.get("base"), (tiers[0]["price"] if len(tiers) == 1 else None), \
            (int(tiers[0]["start"]) if len(tiers) == 1 and tiers[0].get("start") else None)
    return v, None, None


def genai_prices(raw: Path) -> list[dict]:
    rel = "pydantic-genai-prices/new_data_v2/data.json"
    data = json.loads((raw / rel).read_text())
    rows = []
    for prov in data:
        vendor = GENAI_FIRST_PARTY.get(prov["id"])
        if not vendor:
            continue
        for m in prov.get("models", []):
            if CHAT_EXCLUDE.search(m["id"]) or CHAT_EXCLUDE.search(m.get("name", "")):
                continue
            mid = normalise_id(m["id"])
            if not mid or mid.split("/")[0] != vendor:
                continue
            entries = m["prices"] if isinstance(m["prices"], list) else [{"prices": m["prices"]}]
            dated = [e for e in entries if (e.get("constraint") or {}).get("start_date")]
            undated = [e for e in entries if not e.get("constraint")]
            series = []
            if not dated and undated:
                series.append(("observed", GENAI_SNAPSHOT_DATE, undated[0]["prices"],
                               "current price at snapshot (no start_date upstream)"))
            elif dated:
                first_start = min(e["constraint"]["start_date"] for e in dated)
                if undated and first_start > GENAI_SNAPSHOT_DATE:
                    # the undated entry is the price in force at the snapshot, until a scheduled change
                    series.append(("observed", GENAI_SNAPSHOT_DATE, undated[0]["prices"],
                                   f"current price at snapshot (no start_date upstream), until the scheduled "
                                   f"{first_start} price"))
                for e in sorted(dated, key=lambda e: e["constraint"]["start_date"]):
                    series.append(("effective", e["constraint"]["start_date"], e["prices"], ""))
            for kind, frm, p, note in series:
                inp, inp_long, start = _genai_value(p.get("input_mtok"))
                out, out_long, out_start = _genai_value(p.get("output_mtok"))
                cache, _, _ = _genai_value(p.get("cache_read_mtok"))
                if inp is None or out is None:
                    continue
                ref = f"{rel}#provider={prov['id']};model={m['id']}" + (f";start_date={frm}" if kind == "effective"
                                                                       else "")
                rows.append(_row(mid, vendor, True, "standard", frm, "", float(inp), float(out),
                                 None if cache is None else float(cache), kind, "genai_prices", rel, ref, note))
                if inp_long is not None and out_long is not None and start and start == (out_start or start):
                    rows.append(_row(mid, vendor, True, "long-context", frm, "", float(inp_long), float(out_long),
                                     None, kind, "genai_prices", rel, f"{ref};tier=long;start={start}", note, start))
    # one genai entry can match several ids that fold into one model: keep the first per series/date
    seen, out_rows = set(), []
    for r in sorted(rows, key=lambda r: (r["model_id"], r["tier"], r["effective_from"], r["source_ref"])):
        k = (r["model_id"], r["tier"], r["effective_from"])
        if k not in seen:
            seen.add(k)
            out_rows.append(r)
    return out_rows


# ---------------------------------------------------------------- LiteLLM changelog (observed)
# LiteLLM's rules are its live reader's (lib.ingest.litellm): the providers that are a vendor's own API, the text
# modes, the moving aliases (their price is better read from the dated ids: SOURCE.md, stale after the alias moved)
LITELLM_FIRST_PARTY = litellm.PROVIDER_VENDOR
LITELLM_MOVING = litellm.MOVING_ALIASES


LITELLM_BEFORE_002 = {"gemini/gemini-1.5-flash": "google/gemini-1.5-flash-001",
                      "gemini/gemini-1.5-pro": "google/gemini-1.5-pro-001"}


def litellm_prices(raw: Path) -> tuple[list[dict], list[dict]]:
    rel = "litellm-price-changelog/litellm_price_changelog_2023-10_to_2026-07.csv"
    df = pd.read_csv(raw / rel, dtype=str).fillna("")
    df = df[df["litellm_provider"].isin(LITELLM_FIRST_PARTY) & df["mode"].isin(litellm.MODES)]
    last_date = df["last_seen_date"].max()
    corrections: list[dict] = []
    by_model: dict[str, dict[str, list]] = {}
    for key, g in df.groupby("model_key", sort=True):
        if litellm.moving_alias(key) or CHAT_EXCLUDE.search(key):
            continue
        if "/" in key and key.split("/")[0] not in LITELLM_FIRST_PARTY:
            continue  # a host's key (`azure/…`): the changelog keeps the provider of its first span, stale for these
        vendor = LITELLM_FIRST_PARTY[g["litellm_provider"].iloc[0]]
        mid = normalise_id(key)
        if not mid or mid.split("/")[0] != vendor:
            continue
        by_model.setdefault(mid, {})[key] = g.sort_values("first_seen_date").to_dict("records")
    # undated Gemini 1.5 aliases pointed at the -001 versions until the -002 launch (2024-09-24)
    for key, mid in LITELLM_BEFORE_002.items():
        g = df[(df["model_key"] == key) & (df["first_seen_date"] < "2024-09-24")]
        if len(g):
            by_model.setdefault(mid, {})[key] = g.sort_values("first_seen_date").to_dict("records")
    rows = []
    for mid, keys in sorted(by_model.items()):
        slug = mid.split("/", 1)[1]

        def rank(k):
            recs = keys[k]
            bare = k.split("/")[-1].lower()
            return (0 if bare == slug else 1, min(r["first_seen_date"] for r in recs), k)
        key = sorted(keys, key=rank)[0]
        records = keys[key]
        # The undated Gemini 1.5 alias is the only LiteLLM record of the -001 versions before the dated key
        # appeared: keep its earlier observations in front of the dated key's own.
        for alias, alias_mid in LITELLM_BEFORE_002.items():
            if alias_mid == mid and alias in keys and alias != key:
                start = min(r["first_seen_date"] for r in records)
                records = [r for r in keys[alias] if r["first_seen_date"] < start] + records
        spans = []
        for r in records:
            inp = float(r["input_usd_per_mtok"] or "nan")
            out = float(r["output_usd_per_mtok"] or "nan")
            bad = None
            rk = r["model_key"]
            if not (inp > 0 or out > 0):
                bad = "zero or missing price (LiteLLM uses 0 for unknown / free previews)"
            elif rk == "gemini/gemini-2.0-flash" and inp == 150:
                bad = "$150/$600 for one day (2025-02-07) is a per-token/per-mtok slip in LiteLLM"
            elif rk.startswith("gemini/gemini-1.5-pro") and inp == 3.5 and r["first_seen_date"] >= "2024-10-01":
                bad = ("LiteLLM never applied Google's 2024-10-01 Gemini 1.5 Pro cut to $1.25/$5 "
                       "(SOURCE.md known error)")
            elif rk == "gemini/gemini-1.5-pro" and inp == 0.35:
                bad = "Gemini 1.5 Pro listed at Flash's $0.35/$1.05 (2024-06-17..07-01): LiteLLM slip"
            elif rk == "deepseek-chat" and inp == 0.6 and out == 1.7:
                bad = "deepseek-chat $0.60/$1.70 span 2025-09-24..2026-01-13 is wrong (SOURCE.md known error)"
            if bad:
                corrections.append(dict(source_id="litellm", model_id=mid, raw_path=rel,
                                        what=f"dropped {rk} {r['input_usd_per_mtok']}/{r['output_usd_per_mtok']} "
                                             f"{r['first_seen_date']}..{r['last_seen_date']}: {bad}"))
                spans.append(None)
                continue
            if rk.startswith("gemini/gemini-1.5-pro") and inp == 3.5 and r["last_seen_date"] >= "2024-10-01":
                # the same known error from the other side: a span that began before the cut ran on past it
                corrections.append(dict(source_id="litellm", model_id=mid, raw_path=rel,
                                        what=f"clipped {rk} 3.5/10.5 {r['first_seen_date']}..{r['last_seen_date']} "
                                             "to end 2024-09-30: Google cut Gemini 1.5 Pro to $1.25/$5 on "
                                             "2024-10-01 (SOURCE.md known error)"))
                r = {**r, "last_seen_date": "2024-09-30", "status_after": "price_changed"}
            cache = float(r["cache_read_usd_per_mtok"]) if r["cache_read_usd_per_mtok"] else None
            spans.append((r, inp, out, cache))
        # merge consecutive equal prices, close each span at the next change
        merged: list[list] = []
        for s in spans:
            if s is None:
                if merged:
                    merged[-1].append("cut")
                continue
            r, inp, out, cache = s
            if merged and merged[-1][1:3] == [inp, out] and merged[-1][-1] != "cut":
                merged[-1][4] = r
                continue
            merged.append([r, inp, out, cache, r])
        for i, m in enumerate(merged):
            first, inp, out, cache, last = m[:5]
            if i + 1 < len(merged):
                to = merged[i + 1][0]["first_seen_date"]
            elif last["status_after"] == "current_at_last_snapshot" and last["last_seen_date"] == last_date:
                to = ""
            else:
                to = _day_after(last["last_seen_date"])
            if to and to <= first["first_seen_date"]:
                continue
            ref = (f"{rel}#model_key={first['model_key']};first_seen={first['first_seen_date']} "
                   f"({first['first_seen_source']} {first['first_seen_commit']})")
            rows.append(_row(mid, mid.split("/")[0], True, "standard", first["first_seen_date"], to, inp, out, cache,
                             "observed", "litellm", rel, ref,
                             "date = first LiteLLM copy showing this price (lags the vendor)"))
    return rows, corrections


# ---------------------------------------------------------------- OpenRouter snapshots (observed, reseller)
def _openrouter_files(raw: Path) -> list[tuple[str, str, str]]:
    out = []
    for folder in ("openrouter-snapshots-solid-pile", "openrouter-snapshots-sui414"):
        for p in sorted((raw / folder / "snapshots").glob("*.json")):
            date = re.search(r"(\d{4}-\d{2}-\d{2})", p.name).group(1)
            out.append((date, f"{folder}/snapshots/{p.name}", folder))
    return sorted(out)


def openrouter_models(raw: Path) -> list[tuple[str, str, list[dict]]]:
    res = []
    for date, rel, _ in _openrouter_files(raw):
        payload = json.loads((raw / rel).read_text())
        data = payload["data"] if isinstance(payload, dict) else payload
        res.append((date, rel, data))
    return res


# moving aliases and long-context variants that would land on the wrong dated model or tier
OPENROUTER_SKIP = {"openai/gpt-4o", "openai/gpt-3.5-turbo", "openai/gpt-4", "openai/gpt-4-turbo-preview",
                   "openai/gpt-3.5-turbo-16k", "openai/gpt-4-32k", "openai/gpt-4-32k-0314", "openai/chatgpt-4o-latest",
                   "openai/gpt-4-vision-preview", "anthropic/claude-3.5-sonnet:beta", "openai/o1-preview"}


def openrouter_prices(raw: Path, snapshots=None, moves=None) -> tuple[list[dict], list[dict], dict]:
    """OpenRouter's listed prices as observed intervals, one series per model. An id that is a moving alias
    (`moves`, lib.curate.identity.load_alias_moves) counts, in each copy, for the model it pointed at that day."""
    snapshots = snapshots or openrouter_models(raw)
    corrections: list[dict] = []
    info: dict[str, dict] = {}
    open_series: dict[tuple, dict] = {}
    rows: list[dict] = []
    for date, rel, data in snapshots:
        seen, seen_series = set(), set()
        listed: set = set()  # external ids read in this copy (openrouter.read_row skips a repeated one)
        for m in data:
            # The live ingest's reader (lib.ingest.openrouter) reads every row; curation then keeps what the seed
            # wants: the standard tier of a concrete, text-output chat model with a price.
            try:
                r = openrouter.read_row(m, listed)
            except RowError:
                continue
            oid = r.external_id
            if r.tier != "standard" or oid.startswith("openrouter/") or oid in OPENROUTER_SKIP:
                continue
            outs = list(r.output_modalities)
            if (outs and outs != ["text"]) or CHAT_EXCLUDE.search(oid):
                continue
            move = dated_target(moves or {}, oid, date)
            mid = move["model_id"] if move else normalise_id(oid)
            if not mid:
                continue
            if r.input_usd_per_mtok is None or r.output_usd_per_mtok is None:
                continue
            inp, out = r.input_usd_per_mtok, r.output_usd_per_mtok
            if inp == 0 and out == 0:
                continue
            if oid.startswith("google/") and date < "2025-01-01":
                if mid not in {c["model_id"] for c in corrections}:
                    corrections.append(dict(source_id="openrouter", model_id=mid, raw_path=rel, what=(
                        f"dropped 2024 OpenRouter prices of {oid}: Google models were priced per character "
                        "on OpenRouter then (SOURCE.md caveat), not comparable per-token")))
                continue
            cache = r.cache_read_usd_per_mtok if r.cache_read_raw not in (None, "", "0") else None
            inp, out = round(inp, 6), round(out, 6)
            info.setdefault(mid, dict(name=m.get("name"), context=m.get("context_length"), created=m.get("created"),
                                      hf=m.get("hugging_face_id"), ref=f"{rel}#id={oid}"))
            if m.get("context_length"):
                info[mid]["context"] = m.get("context_length")
            if mid in seen:
                continue
            seen.add(mid)
            # a listing under a moving alias is its own series: it ends where the alias moved on, and the model's
            # own id (listed later) starts another
            key = (mid, bool(move))
            seen_series.add(key)
            cur = open_series.get(key)
            if cur and (cur["input_usd_per_mtok"], cur["output_usd_per_mtok"]) == (inp, out):
                continue
            if cur:
                cur["effective_to"] = date
                rows.append(cur)
            vendor = mid.split("/")[0]
            open_series[key] = _row(mid, "openrouter", False, "standard", date, "", inp, out, cache, "observed",
                                    "openrouter", rel, f"{rel}#id={oid}",
                                    "OpenRouter price (cheapest host for open models); date = snapshot"
                                    if vendor else "")
        for key in list(open_series):
            if key not in seen_series:
                cur = open_series.pop(key)
                cur["effective_to"] = date
                rows.append(cur)
    rows.extend(open_series.values())
    return rows, corrections, info

