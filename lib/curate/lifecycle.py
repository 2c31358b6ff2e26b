"""Model lifecycle: release dates with their kind, retirements (vendor and host), delistings — each with a reference.

Sources, best first: hand-entered vendor dates (`data/curated/lifecycle.csv`, each with the announcement's URL),
LiteLLM's `deprecation_date` (newest dated copy), Azure's retirement table (Azure's dates, kept as a host's
offering event, never as the vendor's). Pure functions over the raw folder and the curated rows.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd

from lib.ingest import litellm
from lib.ingest.common import RowError

EVENTS = ("released", "retired", "delisted")
# release date kinds: a vendor announcement, the day the API served it, or the first day any copy showed it
RELEASE_KINDS = ("announced", "api-available", "first-seen")
LITELLM_HISTORY = ("litellm-history-pypi-wheels", "litellm-history-tokencost", "litellm-history-rocry")
AZURE_FILE = "azure-openai-model-retirements/azure_openai_model_retirements_2024-06-19_and_2025-01-09.csv"
_HOSTS = (("vertex_ai", "vertex"), ("bedrock", "bedrock"), ("azure", "azure"), ("openrouter", "openrouter"))


def _copy_date(name: str) -> str:
    m = re.search(r"(\d{4}-\d{2}-\d{2})", name)
    return m.group(1) if m else ""


def _host(litellm_provider: str) -> str:
    for prefix, host in _HOSTS:
        if litellm_provider.startswith(prefix):
            return host
    return litellm_provider


def litellm_retirements(raw: Path, resolve, first_party: dict[str, str],
                        corrections: list[dict] | None = None) -> list[dict]:
    """One `retired` event per LiteLLM key with a `deprecation_date`, from the newest dated copy that has it.

    A date LiteLLM later withdrew (a newer copy still lists the key, without a `deprecation_date`) is dropped and
    recorded in `corrections`: e.g. `claude-3-haiku-20240307`'s 2025-03-01 placeholder, gone from the 2025-12-28
    copy while the model stayed listed. `resolve(key) -> model_id | None`; `first_party` maps LiteLLM providers to
    the vendor they are the own API of (a key of another provider is a host's offering: scope `host`)."""
    newest: dict[str, tuple[str, str, dict]] = {}
    last_listed: dict[str, tuple[str, str]] = {}  # key -> (day, copy) of the newest copy listing it at all
    for folder in LITELLM_HISTORY:
        for path in sorted((Path(raw) / folder / "snapshots").glob("*.json")):
            try:
                data = json.loads(path.read_text())
            except (ValueError, UnicodeDecodeError):
                continue
            day = _copy_date(path.name)
            for key, v in data.items():
                if key in litellm.RESERVED_KEYS or not isinstance(v, dict):
                    continue
                if day >= last_listed.get(key, ("", ""))[0]:
                    last_listed[key] = (day, f"{folder}/snapshots/{path.name}")
                try:
                    entry = litellm.read_entry(key, v)  # live ingest's reader: text modes, dates checked
                except RowError:
                    continue
                if entry is None or not entry.deprecation_date:
                    continue
                if key not in newest or day >= newest[key][0]:
                    newest[key] = (day, f"{folder}/snapshots/{path.name}", entry)
    out = []
    for key, (day, rel, e) in sorted(newest.items()):
        mid = resolve(key)
        if not mid:
            continue
        later_day, later_rel = last_listed[key]
        if later_day > day:
            if corrections is not None:
                corrections.append(dict(source_id="litellm", model_id=mid, raw_path=rel,
                                        what=f"retirement date {e.deprecation_date} of {key} dropped: LiteLLM "
                                             f"withdrew it ({later_rel} still lists the key without a "
                                             f"deprecation_date; last copy with it: {day})"))
            continue
        provider = e.provider or ""
        vendor = first_party.get(provider)
        own = vendor is not None and vendor == mid.split("/")[0]
        out.append(dict(model_id=mid, event="retired", date=e.deprecation_date, date_kind="shutdown",
                        provider=vendor if own else _host(provider), scope="vendor" if own else "host",
                        source_id="litellm", raw_path=rel,
                        source_ref=f"{rel}#model_key={key};deprecation_date={e.deprecation_date}",
                        note=f"LiteLLM's deprecation_date for {key} (copy of {day})"))
    return out


def _parse_date(text: str) -> str | None:
    try:
        return pd.Timestamp(text).date().isoformat()
    except (ValueError, TypeError):
        return None


def azure_retirements(raw: Path, resolve) -> list[dict]:
    """Azure OpenAI's retirement dates (newest doc version per model and version): a host's events, never the
    vendor's. 'No earlier than' projections are kept with that wording in the note."""
    path = Path(raw) / AZURE_FILE
    if not path.exists():
        return []
    df = pd.read_csv(path, dtype=str).fillna("")
    df = df.sort_values("doc_ms_date").drop_duplicates(["model", "version"], keep="last")
    out = []
    for r in df.itertuples(index=False):
        written = r.retirement_date_as_written
        day = _parse_date(re.sub(r"(?i)^no earlier than\s*", "", written))
        if not day:
            continue
        for name in [n.strip() for n in r.model.split("/")]:
            azure_id = name.replace("gpt-35", "gpt-3.5") + (f"-{r.version}" if re.fullmatch(r"\d{4}", r.version)
                                                              else "")
            mid = resolve(azure_id)
            if not mid:
                continue
            projected = written.lower().startswith("no earlier than")
            out.append(dict(model_id=mid, event="retired", date=day,
                            date_kind="scheduled" if projected else "shutdown", provider="azure", scope="host",
                            source_id="azure_retirements", raw_path=AZURE_FILE,
                            source_ref=f"{AZURE_FILE}#doc_ms_date={r.doc_ms_date};model={r.model};version={r.version}",
                            note=f"Azure OpenAI's retirement date (not OpenAI's), as written: {written}"))
    return out


def hand_events(curated: Path) -> list[dict]:
    """Vendor dates entered by hand (`data/curated/lifecycle.csv`), each with the announcement's URL."""
    path = Path(curated) / "lifecycle.csv"
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [dict(model_id=r["model_id"], event=r["event"], date=r["date"], date_kind=r["date_kind"],
                 provider=r["provider"], scope=r["scope"], source_id="curation", raw_path="",
                 source_ref=r["reference"], note=r["note"]) for r in rows]


def drop_impossible(events: list[dict], release: dict, price_rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """A vendor retirement dated before the model's announced release or before the vendor's own first price is a
    slip of the source (e.g. a version date copied into `deprecation_date`): dropped and recorded."""
    first_own: dict[str, str] = {}
    for r in price_rows:
        if r["first_party"]:
            first_own[r["model_id"]] = min(first_own.get(r["model_id"], r["effective_from"]), r["effective_from"])
    kept, corrections = [], []
    for e in events:
        if e["event"] == "retired" and e["scope"] == "vendor" and e["source_id"] != "curation":
            rel = release.get(e["model_id"])
            limit = max([x for x in ((rel[0] if rel and rel[1] != "first-seen" else ""),
                                     first_own.get(e["model_id"], "")) if x], default="")
            if limit and e["date"] <= limit:
                corrections.append(dict(source_id=e["source_id"], model_id=e["model_id"], raw_path=e["raw_path"],
                                        what=f"retirement date {e['date']} dropped: not after the model's release or "
                                             f"first own price ({limit}); {e['source_ref']}"))
                continue
        kept.append(e)
    return kept, corrections


def retirement_dates(events: list[dict]) -> dict[str, tuple[str, dict]]:
    """model_id -> (date, event) of the vendor's own retirement: a hand-entered date wins over LiteLLM's."""
    out: dict[str, tuple[str, dict]] = {}
    rank = {"curation": 0, "litellm": 1}
    for e in sorted((e for e in events if e["event"] == "retired" and e["scope"] == "vendor"),
                    key=lambda e: (rank.get(e["source_id"], 9), e["date"])):
        out.setdefault(e["model_id"], (e["date"], e))
    return out


def release_dates(model_ids, meta: dict, price_rows: list[dict], score_rows: list[dict],
                  first_seen_sources: set[str]) -> dict[str, tuple[str, str, str, str]]:
    """model_id -> (date, kind, source_id, source_ref) for every model.

    A vendor's announced date (Epoch's registry, the AA table) stays `announced`. A listing date of an automated
    source (OpenRouter's `created`) is only ever `first-seen`, and is replaced by an earlier observation of the
    model (a price or a score). Without either: the first vendor-effective first-party price is `api-available`,
    else the first observation is `first-seen`."""
    first_obs: dict[str, tuple[str, str, str]] = {}
    first_api: dict[str, tuple[str, str, str]] = {}
    for r in price_rows:
        key = (r["effective_from"], r["source_id"], r["source_ref"])
        if r["date_kind"] == "effective" and r["first_party"] and "scheduled" not in (r.get("note") or ""):
            first_api[r["model_id"]] = min(first_api.get(r["model_id"], key), key)
        first_obs[r["model_id"]] = min(first_obs.get(r["model_id"], key), key)
    for r in score_rows:
        key = (r["observed_date"], r["source_id"], r["source_ref"])
        first_obs[r["model_id"]] = min(first_obs.get(r["model_id"], key), key)
    out = {}
    for mid in model_ids:
        m = meta.get(mid, {})
        rel = m.get("release_date")
        if rel and m.get("source_id") not in first_seen_sources:
            out[mid] = (rel, "announced", m["source_id"], m["source_ref"])
            continue
        cands = []
        if mid in first_api:
            cands.append((first_api[mid][0], "api-available", first_api[mid][1], first_api[mid][2]))
        if rel:
            cands.append((rel, "first-seen", m["source_id"], m["source_ref"]))
        if mid in first_obs:
            cands.append((first_obs[mid][0], "first-seen", first_obs[mid][1], first_obs[mid][2]))
        if cands:
            out[mid] = min(cands)
    return out


def delistings(price_rows: list[dict], newest: str, retired: dict) -> list[dict]:
    """A priced model that every source stopped listing: `delisted` (observed) from the first missing observation
    (the end of its last price interval), unless the vendor retired it by then."""
    by_model: dict[str, list[dict]] = {}
    for r in price_rows:
        by_model.setdefault(r["model_id"], []).append(r)
    out = []
    for mid, rows in sorted(by_model.items()):
        if any(not r["effective_to"] for r in rows):
            continue
        last = max(rows, key=lambda r: (r["effective_to"], r["source_id"]))
        day = last["effective_to"]
        if day > newest or (mid in retired and retired[mid][0] <= day):
            continue
        out.append(dict(model_id=mid, event="delisted", date=day, date_kind="observed", provider=last["provider"],
                        scope="vendor" if last["first_party"] else "host", source_id=last["source_id"],
                        raw_path=last.get("raw_path", ""), source_ref=last["source_ref"],
                        note=f"no source lists a price after {day} (last listing: {last['source_id']})"))
    return out
