"""The market as it was (2020 → mid-2024): hand-entered vendor announcements, early LiteLLM copies, host prices,
2023–early-2024 Arena ratings, MMLU and MT-bench from the LMSYS tables, release and retirement dates.

Pure parsers from `../shared/data/raw` and `data/curated/history_*.csv` to seed rows; `lib.curate.build` calls them.
"""
from __future__ import annotations

import csv
import glob
import hashlib
import json
import re
from pathlib import Path

import pandas as pd

from lib import paths
from lib.curate import records
from lib.curate.aliases import normalise_id
from lib.ingest import litellm

CURATED_PREFIX = "data/curated/"
PRICES_FILE = CURATED_PREFIX + "history_prices.csv"
MODELS_FILE = CURATED_PREFIX + "history_models.csv"
VENDOR_SOURCE = "vendor_announcements"
ARENA_TABLES = "lmsys_leaderboard"
ARENA_COPIES = "arena_history_copies"
# host and early first-party prices from LiteLLM copies are trusted up to this day (LiteLLM kept many of these
# entries unchanged for years; later prices come from OpenRouter snapshots, llm-prices and genai-prices)
HOST_WINDOW_END = "2024-07-01"

SOURCES: list[dict] = [
    dict(source_id=VENDOR_SOURCE, name="Vendor price announcements and pricing pages (hand-entered)",
         home_url="https://github.com/", licence="facts from vendor pages; rows are this project's curation",
         attribution="OpenAI, Anthropic and Google pricing pages and announcements; every row cites its URL "
                     "and archive link (data/curated/history_prices.csv)", priority=0),
    dict(source_id=ARENA_TABLES, name="LMSYS Chatbot Arena leaderboard tables (2023-06 → 2024)",
         home_url="https://huggingface.co/spaces/lmarena-ai/chatbot-arena-leaderboard",
         licence="Apache-2.0 (Space card); mirror utterstep/chatbot-arena-leaderbord-vis",
         attribution="LMSYS / LMArena; table history mirrored by utterstep/chatbot-arena-leaderbord-vis",
         priority=8),
    dict(source_id=ARENA_COPIES, name="Chatbot Arena rating history (extracted from the leaderboard pickles)",
         home_url="https://github.com/jasontrigg0/chatbot-arena-history",
         licence="no licence stated (jasontrigg0/chatbot-arena-history, ukitako1030/EVAL); numbers are LMSYS's "
                 "(Apache-2.0)",
         attribution="LMSYS / LMArena; extracted by jasontrigg0/chatbot-arena-history and ukitako1030/EVAL",
         priority=8),
]
RAW_FOLDERS = {
    # folder: (source_id, upstream_commit, retrieved_at)
    "lmsys-arena-hf-space-tables": (ARENA_TABLES, "a21b32417b845e940ab1a16cf11cedf5bb7e0b38", "2025-05-12"),
    "chatbot-arena-history-jasontrigg": (ARENA_COPIES, "8862846ca4d3f121124b4737de25d2d6d7876187", "2025-05-24"),
    "arena-legacy-bt-2024q1-eval": (ARENA_COPIES, "1fca05359d3cc94b0155f18cdd164607ee72c9bb", "2024-02-15"),
    "litellm-history-wheels-2023-08": ("litellm", "", ""),
}
METRICS: list[dict] = [
    dict(metric_id="mmlu_5shot", name="MMLU 5-shot (reported)", unit="%", higher_is_better=True, min_value=0,
         max_value=100, scale="percent", drifts=False, version="5-shot, as reported",
         description="MMLU 5-shot accuracy as reported by model makers and papers: the LMSYS leaderboard table's "
                     "MMLU column (dated by the first table listing it), else Epoch AI's benchmark-hub compilation "
                     "(paper values first, Stanford HELM where no paper value). Not AA's own MMLU run.",
         source_id=ARENA_TABLES),
    dict(metric_id="mt_bench", name="MT-Bench score", unit="score (1-10)", higher_is_better=True, min_value=1,
         max_value=10, scale="points", drifts=False, version="GPT-4 judge",
         description="MT-Bench multi-turn score judged by GPT-4, from the LMSYS leaderboard tables (dated by the "
                     "first table listing it)", source_id=ARENA_TABLES),
]

# names in the 2023-2024 arena tables, LiteLLM and host listings that the general rules get wrong
HISTORY_IDS: dict[str, str] = {
    "gpt-4": "openai/gpt-4-0314",  # the arena key `gpt-4` of 2023 was renamed `gpt-4-0314`
    "gpt-3.5-turbo": "openai/gpt-3.5-turbo-0301",  # arena key renamed `gpt-3.5-turbo-0314` (sic) = 0301
    "gpt-3.5-turbo-0314": "openai/gpt-3.5-turbo-0301",
    "claude-v1": "anthropic/claude-1", "claude-1": "anthropic/claude-1",
    "claude-instant-v1": "anthropic/claude-instant-v1",  # versions 1.0/1.1, before Claude Instant 1.2
    "claude-instant-1.1": "anthropic/claude-instant-v1", "claude-1.3": "anthropic/claude-1",
    "palm-chat-bison-001": "google/palm-2-chat-bison", "palm-2": "google/palm-2-chat-bison",
    "anthropic.claude-v1": "anthropic/claude-1", "anthropic.claude-v2": "anthropic/claude-2.0",
    "anthropic.claude-v2:1": "anthropic/claude-2.1", "anthropic.claude-instant-v1": "anthropic/claude-instant-1.2",
    "meta.llama2-13b-chat-v1": "meta-llama/llama-2-13b-chat", "meta.llama2-70b-chat-v1": "meta-llama/llama-2-70b-chat",
    "amazon.titan-text-express-v1": "amazon/titan-text-express", "amazon.titan-text-lite-v1": "amazon/titan-text-lite",
    "cohere.command-text-v14": "cohere/command",
    "ai21.j2-mid-v1": "ai21/j2-mid", "ai21.j2-ultra-v1": "ai21/j2-ultra",
    "j2-light": "ai21/j2-light", "j2-mid": "ai21/j2-mid", "j2-ultra": "ai21/j2-ultra",
    "claude-2": "anthropic/claude-2.0",
}
# the model makers whose host listings this module takes (the 2023-24 open models and the vendors above)
HOST_VENDORS = {"meta-llama", "mistralai", "huggingfaceh4", "amazon", "ai21", "aleph-alpha", "cohere", "anthropic",
                "nousresearch", "gryphe", "jondurbin", "mancer", "pygmalionai", "undi95"}
HOST_PROVIDERS = {"bedrock": "amazon-bedrock", "anyscale": "anyscale", "deepinfra": "deepinfra",
                  "openrouter": "openrouter", "aleph_alpha": "aleph-alpha", "ai21": "ai21"}
# LiteLLM copies whose figure the raw SOURCE.md files or a vendor page show to be wrong (model_key, input, output)
LITELLM_ERRORS = {
    ("text-davinci-003", 2.0, 2.0): "text-davinci-003 cost $0.02 per 1K tokens ($20 per 1M), not $2 (Epoch AI's "
                                    "2022-11-30 record and OpenAI's pricing page)",
    ("text-babbage-001", 0.4, 0.4): "text-babbage-001 cost $0.0005 per 1K tokens ($0.50 per 1M) after the "
                                    "2022-09-01 cut; $0.40 is Ada's price",
    ("claude-instant-1.2", 0.163, 0.551): "Claude Instant 1.2 $0.163/$0.551 is a factor-10 slip for Anthropic's "
                                          "$0.80/$2.40 (or the older $1.63/$5.51)",
}


def _key(name: str) -> str:
    return re.sub(r"[\s_]+", "-", str(name).strip().lower())


def history_id(name: str, vendor_hint: str | None = None) -> str | None:
    """A 2023-era name (arena key or display name, LiteLLM or host key) -> seed model id."""
    k = _key(name)
    if k in HISTORY_IDS:
        return HISTORY_IDS[k]
    bare = k.rsplit("/", 1)[-1] if k.count("/") >= 1 else k
    if bare in HISTORY_IDS:
        return HISTORY_IDS[bare]
    k = re.sub(r"-hf$", "", k)
    return normalise_id(k, vendor_hint=vendor_hint)


def curated_dir() -> Path:
    return paths.PROJECT_DIR / CURATED_PREFIX


# ---------------------------------------------------------------- hand-entered vendor prices and dates
_UNIT_FACTOR = {"usd_per_1k_tokens": 1000.0, "usd_per_1m_tokens": 1.0}


def _to_mtok(value: str, unit: str, rule: str) -> float:
    """Apply the conversion rule the row states: per 1K tokens x 1000; per characters x the stated chars/token."""
    v = float(value)
    if unit in _UNIT_FACTOR:
        return v * _UNIT_FACTOR[unit]
    m = re.search(r"x ([\d.]+) characters per token", rule)
    if not m:
        raise ValueError(f"unit {unit} needs a 'x N characters per token' rule, got: {rule}")
    per_m_chars = v * (1000.0 if unit == "usd_per_1k_characters" else 1.0)
    if unit not in ("usd_per_1k_characters", "usd_per_1m_characters"):
        raise ValueError(f"unknown price unit {unit}")
    return round(per_m_chars * float(m.group(1)), 6)


def _read(rel: str) -> list[dict]:
    with open(paths.PROJECT_DIR / rel, newline="", encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]


def curated_prices() -> list[dict]:
    """Rows of data/curated/history_prices.csv as vendor-effective price rows (USD per 1M tokens)."""
    out = []
    for i, r in enumerate(_read(PRICES_FILE)):
        inp = _to_mtok(r["input_price"], r["unit"], r["rule"])
        outp = _to_mtok(r["output_price"], r["unit"], r["rule"])
        ref = f"{PRICES_FILE}#L{i + 2} ({r['reference']}" + (f"; archive {r['archive']}" if r["archive"] else "") + ")"
        note = f"{r['input_price']}/{r['output_price']} {r['unit']}; {r['rule']}" + (f"; {r['note']}" if r["note"]
                                                                                        else "")
        out.append(dict(model_id=r["model_id"], provider=r["provider"], first_party=r["provider"] ==
                        r["model_id"].split("/")[0], tier=r["tier"],
                        min_prompt_tokens=r.get("min_prompt_tokens") or None, effective_from=r["effective_from"],
                        effective_to=r["effective_to"], input_usd_per_mtok=inp, output_usd_per_mtok=outp,
                        cache_read_usd_per_mtok=None, date_kind="effective", source_id=VENDOR_SOURCE,
                        raw_path=PRICES_FILE, source_ref=ref, note=note))
    return out


def curated_model_dates() -> dict[str, dict]:
    """model_id -> {release_date, retirement_date, ref} from data/curated/history_models.csv."""
    out = {}
    for i, r in enumerate(_read(MODELS_FILE)):
        out[r["model_id"]] = dict(release_date=r["release_date"], retirement_date=r["retirement_date"],
                                  ref=f"{MODELS_FILE}#L{i + 2} ({r['reference']})", note=r["note"])
    return out


def apply_model_dates(events: list[dict], release: dict, retired: dict, corrections: list[dict]) -> None:
    """Vendor-announced release dates of data/curated/history_models.csv win over the registries' (a difference
    is recorded); its retirement dates fill in where the lifecycle has none (`data/curated/lifecycle.csv` and
    LiteLLM's dates come first). Updates the lifecycle structures of `lib.curate.lifecycle` in place."""
    for mid, d in sorted(curated_model_dates().items()):
        if mid not in release:
            continue  # not a model of the seed (no price or score)
        if d["release_date"]:
            old = release[mid]
            if old[0] != d["release_date"]:
                corrections.append(dict(source_id=VENDOR_SOURCE, model_id=mid, raw_path=MODELS_FILE, what=(
                    f"release date {d['release_date']} (vendor announcement) instead of {old[0]} ({old[1]}, "
                    f"{old[2]})")))
            release[mid] = (d["release_date"], "announced", VENDOR_SOURCE, d["ref"])
            for e in events:
                if e["model_id"] == mid and e["event"] == "released":
                    e.update(date=d["release_date"], date_kind="announced", source_id=VENDOR_SOURCE,
                             source_ref=d["ref"], note=d["note"])
        if d["retirement_date"] and mid not in retired:
            e = dict(model_id=mid, event="retired", date=d["retirement_date"], date_kind="shutdown",
                     provider=mid.split("/")[0], scope="vendor", source_id=VENDOR_SOURCE, raw_path="",
                     source_ref=d["ref"], note=d["note"])
            events.append(e)
            retired[mid] = (d["retirement_date"], e)


def curated_raw_file(rel: str, rows: int) -> dict:
    sha = hashlib.sha256((paths.PROJECT_DIR / rel).read_bytes()).hexdigest()
    return dict(snapshot_id="raw:" + rel, source_id=VENDOR_SOURCE, raw_path=rel, sha256=sha, retrieved_at="",
                upstream_commit="", rows=rows)


# ---------------------------------------------------------------- LiteLLM: Aug 2023 wheels, 2023-24 host listings
WHEEL_KEYS = {"gpt-3.5-turbo-0613": "openai/gpt-3.5-turbo-0613", "claude-2": "anthropic/claude-2.0",
              "command-nightly": "cohere/command-nightly", "babbage-002": "openai/babbage-002",
              "davinci-002": "openai/davinci-002", "gpt-4-0613": "openai/gpt-4-0613"}
WHEEL_ERRORS = {"gpt-4-0613": "input $3/M is a missing zero (OpenAI charged $30/M; SOURCE.md known error)"}


def litellm_wheel_prices(raw: Path) -> tuple[list[dict], list[dict]]:
    """LiteLLM's first price table (Aug 2023), observed on the wheel's upload day; known errors left out."""
    rows, notes = [], []
    for p in sorted((raw / "litellm-history-wheels-2023-08").glob("*_model_cost.json")):
        rel = f"litellm-history-wheels-2023-08/{p.name}"
        date = re.search(r"(\d{4}-\d{2}-\d{2})", p.name).group(1)
        data = json.loads(p.read_text())
        for key, mid in WHEEL_KEYS.items():
            if key not in data:
                continue
            if key in WHEEL_ERRORS:
                notes.append(dict(source_id="litellm", model_id=mid, raw_path=rel,
                                  what=f"not used: {key} in {p.name}: {WHEEL_ERRORS[key]}"))
                continue
            e = litellm.read_entry(key, data[key])  # live ingest's reader of the format
            if e is None or e.input_usd_per_mtok is None or e.output_usd_per_mtok is None:
                continue
            inp, out = round(e.input_usd_per_mtok, 6), round(e.output_usd_per_mtok, 6)
            rows.append(dict(model_id=mid, provider=mid.split("/")[0], first_party=True, tier="standard",
                             effective_from=date, effective_to="", input_usd_per_mtok=inp, output_usd_per_mtok=out,
                             cache_read_usd_per_mtok=None, date_kind="observed", source_id="litellm", raw_path=rel,
                             source_ref=f"{rel}#model={key}",
                             note="date = upload of the LiteLLM wheel carrying this price (lags the vendor)"))
    return rows, notes


def _openrouter_first_dates(price_rows: list[dict]) -> dict[str, str]:
    first: dict[str, str] = {}
    for r in price_rows:
        if r["source_id"] == "openrouter":
            first[r["model_id"]] = min(first.get(r["model_id"], "9999"), r["effective_from"])
    return first


def litellm_host_prices(raw: Path, price_rows: list[dict]) -> list[dict]:
    """2023 to mid-2024 LiteLLM listings of hosts of open models (Bedrock, Anyscale, DeepInfra, OpenRouter's
    open-model listings) and of vendors the main parser cannot name (AI21 Jurassic-2, Aleph Alpha Luminous).

    Observed rows, first seen before HOST_WINDOW_END and clipped there; a row also ends where a recorded OpenRouter
    snapshot of the same model starts (LiteLLM's copy of OpenRouter prices went stale)."""
    rel = "litellm-price-changelog/litellm_price_changelog_2023-10_to_2026-07.csv"
    df = pd.read_csv(raw / rel, dtype=str).fillna("")
    df = df[df["litellm_provider"].isin(HOST_PROVIDERS) & (df["first_seen_date"] < HOST_WINDOW_END)
            & df["mode"].isin(["chat", "completion"])]
    or_first = _openrouter_first_dates(price_rows)
    have = {(r["model_id"], r["provider"]) for r in price_rows if r["source_id"] == "litellm"}
    rows = []
    for _, r in records(df.sort_values(["model_key", "first_seen_date"])):
        key, provider = r["model_key"], HOST_PROVIDERS[r["litellm_provider"]]
        if provider == "openrouter" and not re.match(
                r"^openrouter/(meta-llama|mistralai|gryphe|nousresearch|jondurbin|mancer|pygmalionai|undi95)/", key):
            continue  # vendors' own models come from first-party sources; Google's were priced per character
        if provider == "ai21" and not key.startswith("j2-"):
            continue
        bare = key.split("/", 1)[1] if provider in ("anyscale", "deepinfra", "openrouter") else key
        mid = history_id(bare) if "/" not in bare or provider != "openrouter" else history_id(bare)
        if provider == "aleph-alpha":
            mid = f"aleph-alpha/{key}"
        if not mid or (mid, provider) in have or mid.split("/")[0] not in HOST_VENDORS:
            continue
        inp, out = float(r["input_usd_per_mtok"] or 0), float(r["output_usd_per_mtok"] or 0)
        if inp <= 0 and out <= 0:
            continue
        vendor = mid.split("/")[0]
        first_party = provider == vendor or (vendor == "amazon" and provider == "amazon-bedrock")
        to = r["last_seen_date"] if r["status_after"] != "current_at_last_snapshot" else ""
        ends = [d for d in (to, HOST_WINDOW_END, or_first.get(mid) if not first_party else None) if d]
        to = min(ends)
        if to <= r["first_seen_date"]:
            continue
        note = "date = first LiteLLM copy showing this price (lags the vendor); clipped at " + to
        if provider == "aleph-alpha":
            note += "; Aleph Alpha priced in euro credits: LiteLLM's figure, currency as LiteLLM gives it"
        rows.append(dict(model_id=mid, provider=provider, first_party=first_party, tier="standard",
                         effective_from=r["first_seen_date"], effective_to=to, input_usd_per_mtok=inp,
                         output_usd_per_mtok=out, cache_read_usd_per_mtok=None, date_kind="observed",
                         source_id="litellm", raw_path=rel,
                         source_ref=f"{rel}#model_key={key};first_seen={r['first_seen_date']} "
                                    f"({r['first_seen_source']} {r['first_seen_commit']})", note=note))
    # one series per model/provider: consecutive rows of the same key close at the next start
    return rows


def drop_litellm_errors(price_rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Leave out LiteLLM rows whose figure is a known error (they would close a correct vendor-effective price)."""
    keep, notes = [], []
    for r in price_rows:
        m = re.search(r"model_key=([^;]+);", r["source_ref"]) if r["source_id"] == "litellm" else None
        why = m and LITELLM_ERRORS.get((m.group(1), r["input_usd_per_mtok"], r["output_usd_per_mtok"]))
        if why:
            notes.append(dict(source_id="litellm", model_id=r["model_id"], raw_path=r["raw_path"],
                              what=f"dropped {m.group(1)} {r['input_usd_per_mtok']:g}/{r['output_usd_per_mtok']:g} "
                                   f"from {r['effective_from']}: {why}"))
            continue
        keep.append(r)
    return keep, notes


# ---------------------------------------------------------------- Arena ratings, MMLU and MT-bench
def _s(model_id, metric_id, value, date, version, source_id, raw_path, ref):
    return dict(model_id=model_id, metric_id=metric_id, value=float(value), observed_date=date,
                metric_version=version, source_id=source_id, raw_path=raw_path, source_ref=ref)


def _num(v):
    try:
        return float(str(v).strip().rstrip("%"))
    except ValueError:
        return None


def lmsys_table_scores(raw: Path, until: str = "2024-06-30") -> list[dict]:
    """Displayed Arena ratings of the 2023 tables (lmarena_text), MMLU and MT-bench first listed up to `until`."""
    rows, first_mmlu, first_mt = [], {}, {}
    for f in sorted(glob.glob(str(raw / "lmsys-arena-hf-space-tables/tables/leaderboard_table_*.csv"))):
        d = re.search(r"(\d{8})", f).group(1)
        date = f"{d[:4]}-{d[4:6]}-{d[6:]}"
        if date > until:
            break
        rel = f"lmsys-arena-hf-space-tables/tables/{Path(f).name}"
        df = pd.read_csv(f, dtype=str).fillna("")
        seen = set()
        for _, r in records(df):
            name = r["key"] if r.get("key") else r["Model"]
            mid = history_id(name, vendor_hint=r.get("Organization") or None)
            if not mid or mid in seen:
                continue
            seen.add(mid)
            ref = f"{rel}#Model={r['Model']}"
            elo = _num(r.get("Arena Elo rating", "-"))
            if elo is not None:
                rows.append(_s(mid, "lmarena_text", elo, date, f"displayed {date}", ARENA_TABLES, rel, ref))
            mmlu = _num(r.get("MMLU", "-"))
            if mmlu is not None and mid not in first_mmlu:
                first_mmlu[mid] = _s(mid, "mmlu_5shot", round(mmlu * 100, 1), date, "5-shot, as reported",
                                     ARENA_TABLES, rel, ref)
            mt = _num(r.get("MT-bench (score)", "-"))
            if mt is not None and mid not in first_mt:
                first_mt[mid] = _s(mid, "mt_bench", mt, date, "GPT-4 judge", ARENA_TABLES, rel, ref)
    return rows + list(first_mmlu.values()) + list(first_mt.values())


def arena_copy_scores(raw: Path, lmarena_start: str = "2024-06-19") -> list[dict]:
    """Published Arena ratings the tables lack: 2023-05 and 2024-03-27 → before `lmarena_start` (jasontrigg, the
    last pickle of each month) and 2024-01-25 / 2024-02-15 (arena-legacy). jasontrigg's 2023-06-19 → 2024-03-26
    rows are another statistic (SOURCE.md) and are not used."""
    rows = []
    rel = "chatbot-arena-history-jasontrigg/alltime.csv"
    df = pd.read_csv(raw / rel, dtype=str)
    df["date"] = df["date"].str[:4] + "-" + df["date"].str[4:6] + "-" + df["date"].str[6:]
    ok = df[(df["date"] <= "2023-05-22") | ((df["date"] >= "2024-03-27") & (df["date"] < lmarena_start))]
    ok = ok.assign(month=ok["date"].str[:7])
    last = ok.groupby("month")["date"].max()
    ok = ok[ok["date"].isin(set(last))]
    for date, g in ok.groupby("date", sort=True):
        seen = set()
        for _, r in records(g):
            mid = history_id(r["key"], vendor_hint=r.get("Organization") or None)
            if not mid or mid in seen:
                continue
            seen.add(mid)
            rows.append(_s(mid, "lmarena_text", round(float(r["rating"]), 1), date, f"displayed {date}",
                           ARENA_COPIES, rel, f"{rel}#key={r['key']};date={date.replace('-', '')}"))
    rel = "arena-legacy-bt-2024q1-eval/arena_legacy_2024-01-25_2024-02-15_excerpt.jsonl"
    seen = set()
    for i, line in enumerate((raw / rel).read_text().splitlines()):
        line = line.strip().rstrip(",")
        if not line:
            continue
        r = json.loads(line)
        mid = history_id(r["model"], vendor_hint=r.get("org") or None)
        if not mid or (mid, r["date"]) in seen:
            continue
        seen.add((mid, r["date"]))
        rows.append(_s(mid, "lmarena_text", r["value"], r["date"], f"displayed {r['date']}", ARENA_COPIES, rel,
                       f"{rel}#L{i + 1} (model={r['model']})"))
    return rows


# Epoch's benchmark hub: model versions it filed wrongly for this metric (the paper value is GPT-3 davinci's)
EPOCH_MMLU_IDS = {"text-davinci-001": "openai/davinci"}
# rows without a model version, by Epoch's display name (HELM ran PaLM 2 Bison as Vertex AI's text-bison@001)
EPOCH_MMLU_NAMES = {"PaLM-2 (Bison)": "google/palm-2-text-bison"}


def epoch_mmlu_scores(raw: Path, have: set[str], priced: set[str]) -> list[dict]:
    """5-shot MMLU from Epoch AI's compilation for priced models the LMSYS tables lack (paper before HELM)."""
    rel = "epoch-benchmark-stitching/external_benchmark_mmlu.csv"
    df = pd.read_csv(raw / rel, dtype=str, encoding="utf-8-sig").fillna("")
    df = df[df["Shots"].isin(["5", "5.0"]) & ((df["Model version"] != "") | df["Name"].isin(EPOCH_MMLU_NAMES))]
    best: dict[str, tuple] = {}
    for _, r in records(df):
        ver = r["Model version"].strip()
        mid = EPOCH_MMLU_NAMES.get(r["Name"].strip()) or EPOCH_MMLU_IDS.get(ver) or (history_id(ver) if ver else None)
        v = _num(r["EM"])
        if not mid or mid in have or mid not in priced or v is None:
            continue
        rank = 1 if "HELM" in r["Source"] or "CRFM" in r["Source"] else 0
        cand = (rank, r["id"], v, r["Source"], r["Name"])
        if mid not in best or cand < best[mid]:
            best[mid] = cand
    return [_s(mid, "mmlu_5shot", v, "2025-12-03", "5-shot, as reported", "epoch_benchmark_stitching", rel,
               f"{rel}#id={rid} ({name}; {src})") for mid, (_, rid, v, src, name) in sorted(best.items())]


# ---------------------------------------------------------------- HumanEval (EvalPlus), dated by first listing
EVALPLUS = "evalplus"
# EvalPlus display names of API models -> seed ids; the month is when EvalPlus queried the API, which fixes the
# version behind an alias (GPT-4 in May 2023 was gpt-4-0314). `claude-2 (Mar 2024)` is left out: which version the
# alias served then is not recorded.
EVALPLUS_IDS = {
    "GPT-4 (May 2023)": "openai/gpt-4-0314", "GPT-3.5 (May 2023)": "openai/gpt-3.5-turbo-0301",
    "GPT-4-Turbo (Nov 2023)": "openai/gpt-4-turbo", "GPT-3.5-Turbo (Nov 2023)": "openai/gpt-3.5-turbo-1106",
    "Gemini Pro 1.0": "google/gemini-1.0-pro", "claude-instant-1 (Mar 2024)": "anthropic/claude-instant-1.2",
    "claude-3-opus (Mar 2024)": "anthropic/claude-3-opus", "claude-3-sonnet (Mar 2024)": "anthropic/claude-3-sonnet",
    "claude-3-haiku (Mar 2024)": "anthropic/claude-3-haiku", "Mistral Large (Mar 2024)": "mistralai/mistral-large-2402",
    "Mixtral-8x7B-Instruct-v0.1": "mistralai/mixtral-8x7b-instruct-v0.1",
    "Mistral-7B-Instruct-v0.2": "mistralai/mistral-7b-instruct-v0.2",
    "Llama3-70B-instruct": "meta-llama/llama-3-70b-instruct", "Llama3-8B-instruct": "meta-llama/llama-3-8b-instruct",
    "CodeLlama-70B-Instruct": "meta-llama/codellama-70b-instruct", "Command-R+": "cohere/command-r-plus",
    "Qwen1.5-72B-Chat": "qwen/qwen1.5-72b-chat", "databricks/dbrx-instruct": "databricks/dbrx-instruct",
    "GPT 4o (Aug 2024)": "openai/gpt-4o-2024-08-06", "GPT 4o Mini (July 2024)": "openai/gpt-4o-mini",
    "Claude Sonnet 3.5 (June 2024)": "anthropic/claude-3.5-sonnet-20240620", "O1 Mini (Sept 2024)": "openai/o1-mini",
    "O1 Preview (Sept 2024)": "openai/o1-preview", "Gemini 1.5 Pro 002": "google/gemini-1.5-pro-002",
    "Gemini 1.5 Flash 002": "google/gemini-1.5-flash-002", "Grok Beta": "x-ai/grok-beta",
}
SOURCES.append(dict(source_id=EVALPLUS, name="EvalPlus leaderboard (HumanEval / HumanEval+)",
                    home_url="https://evalplus.github.io/leaderboard.html", licence="Apache-2.0",
                    attribution="EvalPlus (Liu et al., NeurIPS 2023), evalplus/evalplus.github.io", priority=10))
RAW_FOLDERS["evalplus-leaderboard"] = (EVALPLUS, "87418456d3a8c2bc6265f24ff91d2dd0e7993f4b", "2024-12-26")
METRICS.append(dict(metric_id="humaneval_evalplus", name="HumanEval (EvalPlus)", unit="%", higher_is_better=True,
                    min_value=0, max_value=100, scale="percent", drifts=False, version="HumanEval base tests, pass@1",
                    description="HumanEval pass@1 (original tests) as run by EvalPlus, the value at the leaderboard's "
                                "HEAD, dated by the commit that first listed the model", source_id=EVALPLUS))


def evalplus_scores(raw: Path) -> list[dict]:
    """HumanEval pass@1 of the API models EvalPlus ran: HEAD value, dated by first listing (SOURCE.md)."""
    folder = "evalplus-leaderboard"
    first = pd.read_csv(raw / folder / "derived_model_first_seen.csv", dtype=str).set_index("model")
    values: dict[str, tuple] = {}
    rel = f"{folder}/humaneval_2024-03-10.csv"
    for _, r in records(pd.read_csv(raw / rel, dtype=str)):
        if _num(r["pass@1_base"]) is not None:
            values[r["Model"]] = (_num(r["pass@1_base"]), rel)
    rel = f"{folder}/results_2024-12-26.json"
    for name, e in json.loads((raw / rel).read_text()).items():
        v = (e.get("pass@1") or {}).get("humaneval")
        if v is not None:
            values[name] = (float(v), rel)  # HEAD wins (scores were corrected after first listing)
    rows, seen = [], set()
    for name, mid in EVALPLUS_IDS.items():
        if name not in values or name not in first.index or mid in seen:
            continue
        seen.add(mid)
        v, path = values[name]
        date = first.loc[name, "first_seen_commit_date"]
        rows.append(_s(mid, "humaneval_evalplus", v, date, "HumanEval base tests, pass@1", EVALPLUS, path,
                       f"{path}#Model={name} (first listed {date}, commit {first.loc[name, 'first_seen_commit'][:12]})"))
    return rows
