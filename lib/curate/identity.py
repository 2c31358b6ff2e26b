"""Entity resolution as reviewed data: which normalised id is which canonical model (or variant, or junk).

`data/curated/model_identity.csv` holds one reviewed decision per id; curation applies it, `check` lists the
duplicate-candidate groups and junk ids that no decision covers. Pure functions apart from reading the file.
"""
from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

from lib import paths
from lib.curate.aliases import alias_key
from lib.errors import DataError

IDENTITY_FILE = "model_identity.csv"
CREATORS_FILE = "creators.csv"
IDENTITY_COLUMNS = ["from_id", "source_id", "decision", "model_id", "variant", "reason"]
DECISIONS = {"merge", "variant", "reject", "keep"}

# host deployments and serving tiers that name where a model runs, not which model it is
HOST_SUFFIX = re.compile(r"-(maas|global-standard|global|tput|8192)$")
# the id forms a normaliser folds together when looking for duplicate candidates
_KEY_DROP = re.compile(r"(-maas|-global-standard|-global|-tput|-fast|-8192|-latest|-v\d+(:\d+)?|-1\.0|-instruct|-chat"
                       r"|-it|-hf|-preview)$")
# reasoning-effort / thinking-budget configurations of one model
EFFORT_SUFFIX = re.compile(
    r"(?:-\((?P<paren>thinking(?:-\d+k)?)\)"
    r"|-(?P<think>(?:thinking|nothinking|highthinking|non-reasoning|reasoning)"
    r"(?:-(?:auto|\d+k))*(?:-(?:minimal|low|medium|high|xhigh)(?:-effort)?)?)"
    r"|-(?P<effort>minimal|low|medium|high|xhigh)(?:-effort)?)$")


def curated_dir() -> Path:
    return paths.DATA_DIR / "curated"


def duplicate_key(model_id: str) -> str:
    """The normaliser used to find duplicate candidates: vendor word, host suffix, instruct/chat/preview and
    punctuation dropped (`amazon/amazon-nova-pro-1.0` and `amazon/nova-pro-v1` share `novapro`)."""
    vendor, _, slug = model_id.partition("/")
    slug = slug.lower()
    slug = re.sub(r"^(amazon-|meta-|nvidia-|models/)", "", slug)
    slug = re.sub(r"@.*$", "", slug)  # Vertex's `claude-opus-4-5@20251101`
    slug = re.sub(r"(?<=\d)p(?=\d)", ".", slug)  # Fireworks' `kimi-k2p5`
    for _ in range(2):
        slug = _KEY_DROP.sub("", slug)
    slug = re.sub(r"(?<=\d)\.0$", "", slug)  # `claude-opus-4.0`
    return re.sub(r"[^a-z0-9+]", "", slug)


def junk_reason(model_id: str) -> str | None:
    """Why an id cannot be a model id as it stands (else None)."""
    vendor, _, slug = model_id.partition("/")
    if vendor in {"versions", "models"}:
        return f"'{vendor}/' is a path of a host's deployment, not a vendor"
    if re.fullmatch(r"[0-9a-f]{16,}", slug):
        return "a deployment hash, not a model name"
    if re.search(r"[()'\"]", slug):
        return "a display name with parentheses or quotes, not an id"
    if slug.endswith("-") or "--" in slug:
        return "a malformed id (trailing or doubled hyphen)"
    return None


def split_variant(model_id: str) -> tuple[str, str] | None:
    """`openai/o3-mini-2025-01-31-high` -> ('openai/o3-mini-2025-01-31', 'high'): the configuration suffix."""
    m = EFFORT_SUFFIX.search(model_id)
    if not m:
        return None
    label = m.group("paren") or m.group("think") or m.group("effort")
    label = label.replace("-effort", "").replace("highthinking", "thinking-high")
    return model_id[: m.start()], label


def load_identity(folder: Path | None = None) -> list[dict]:
    path = Path(folder or curated_dir()) / IDENTITY_FILE
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        rows = [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]
    for r in rows:
        if r["decision"] not in DECISIONS:
            raise DataError(f"{path.name}: unknown decision {r['decision']!r} for {r['from_id']}")
    return rows


def load_creators(folder: Path | None = None) -> list[tuple[re.Pattern, str, str]]:
    """(pattern on model_id, creator vendor, reason) rows of data/curated/creators.csv."""
    path = Path(folder or curated_dir()) / CREATORS_FILE
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return [(re.compile(r["pattern"]), r["vendor"], r["reason"]) for r in csv.DictReader(fh)]


def creator_for(model_id: str, creators) -> str | None:
    for rx, vendor, _ in creators:
        if rx.search(model_id):
            return vendor
    return None


def _lookup(identity: list[dict]):
    by_source = {(r["source_id"], r["from_id"]): r for r in identity if r["source_id"] and r["decision"] != "keep"}
    general = {r["from_id"]: r for r in identity if not r["source_id"] and r["decision"] != "keep"}

    def find(source_id: str, mid: str):
        return by_source.get((source_id, mid)) or general.get(mid)
    return find


def resolver(identity: list[dict]):
    """model_id -> canonical model_id (None when rejected), by the decisions that hold for every source."""
    general = {r["from_id"]: r for r in identity if not r["source_id"] and r["decision"] != "keep"}

    def canonical(mid: str) -> str | None:
        d = general.get(mid)
        if d is None:
            return mid
        return None if d["decision"] == "reject" else d["model_id"]
    return canonical


def apply_identity(price_rows: list[dict], score_rows: list[dict], identity: list[dict]):
    """Move rows to their canonical model (and variant); drop rows of rejected ids.

    Returns (price_rows, score_rows, corrections). Every moved row keeps `from_id` (the id before review) for the
    alias table; two rows that land on one key keep the one whose id was already canonical."""
    find = _lookup(identity)
    corrections: list[dict] = []
    rejected: dict[tuple, int] = defaultdict(int)

    def move(rows, kind):
        out = []
        for r in rows:
            r = dict(r, from_id=r["model_id"])
            r.setdefault("variant", "") if kind == "scores" else None
            d = find(r["source_id"], r["model_id"])
            if d is None:
                out.append(r)
                continue
            if d["decision"] == "reject":
                rejected[(r["source_id"], r["model_id"], d["reason"], kind)] += 1
                continue
            r["model_id"] = d["model_id"]
            if kind == "scores" and d["decision"] == "variant":
                r["variant"] = d["variant"]
            out.append(r)
        return out

    prices = move(price_rows, "prices")
    scores = move(score_rows, "scores")
    for (src, mid, reason, kind), n in sorted(rejected.items()):
        corrections.append(dict(source_id=src, model_id=mid, raw_path="",
                                what=f"rejected id ({n} {kind} rows dropped): {reason}"))
    prices, c1 = _dedupe(prices, ["model_id", "source_id", "provider", "tier", "effective_from"], "price")
    scores, c2 = _dedupe(scores, ["model_id", "variant", "metric_id", "source_id", "observed_date"], "score")
    return prices, scores, corrections + c1 + c2


def remap_rows(rows: list[dict], identity: list[dict], key: list[str], kind: str, default_variant: str = ""):
    """The same decisions for another table of per-model rows (cost per task, speed, host prices): rows move to
    their canonical model (a variant decision sets the row's variant where it has none), rejected ids drop."""
    find = _lookup(identity)
    out, corrections = [], []
    for r in rows:
        r = dict(r, from_id=r["model_id"])
        d = find(r["source_id"], r["model_id"])
        if d is not None:
            if d["decision"] == "reject":
                continue
            r["model_id"] = d["model_id"]
            if d["decision"] == "variant" and "variant" in r and r["variant"] in ("", default_variant):
                r["variant"] = d["variant"]
        out.append(r)
    out, corrections = _dedupe(out, key, kind)
    for r in out:
        r.pop("from_id", None)
    return out, corrections


def _dedupe(rows: list[dict], key: list[str], kind: str):
    """After merging, keep one row per key: the canonical id's own row first, then the first by reference."""
    rows = sorted(rows, key=lambda r: (tuple(str(r[k]) for k in key), r["from_id"] != r["model_id"],
                                       r.get("source_ref", "")))
    out, corrections, seen = [], [], {}
    for r in rows:
        k = tuple(r[c] for c in key)
        if k in seen:
            kept = seen[k]
            corrections.append(dict(source_id=r["source_id"], model_id=r["model_id"], raw_path=r.get("raw_path", ""),
                                    what=f"merged duplicate {kind} row from {r['from_id']} dropped "
                                         f"({r.get('source_ref', '')}); kept {kept.get('source_ref', '')}"))
            continue
        seen[k] = r
        out.append(r)
    return out, corrections


ALIAS_MOVES_FILE = "alias_moves.csv"
# the keys of a source reference's fragment that name the model as the source wrote it
_NAME_KEYS = ("model_key", "model_id", "id", "model", "Model version", "Model Name", "Model", "name")


def load_alias_moves(folder: Path | None = None) -> dict[str, list[dict]]:
    """Dated targets of moving aliases (`data/curated/alias_moves.csv`): alias key -> rows sorted by valid_from.

    Each row says which snapshot the alias pointed at from `valid_from` (inclusive) to `valid_to` (exclusive,
    empty = still), with the announcement it rests on."""
    path = Path(folder or curated_dir()) / ALIAS_MOVES_FILE
    if not path.exists():
        return {}
    out: dict[str, list[dict]] = defaultdict(list)
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            r = {k: (v or "").strip() for k, v in r.items()}
            if not r["reference"] or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["valid_from"]):
                raise DataError(f"{path.name}: {r['alias']} -> {r['model_id']} needs a valid_from date and a reference")
            out[r["alias"]].append(r)
    for rows in out.values():
        rows.sort(key=lambda r: r["valid_from"])
        for a, b in zip(rows, rows[1:]):
            if not a["valid_to"] or a["valid_to"] > b["valid_from"]:
                raise DataError(f"{path.name}: {a['alias']} has overlapping targets from {b['valid_from']}")
    return dict(out)


def dated_target(moves: dict[str, list[dict]], external_id: str, day: str) -> dict | None:
    """The move row that says which model a moving alias meant on `day` (None: not a moving alias, or a day
    outside every dated span)."""
    for r in moves.get(alias_key(external_id).rpartition("/")[2], ()):
        if r["valid_from"] <= day and (not r["valid_to"] or day < r["valid_to"]):
            return r
    return None


def observed_names(source_ref: str) -> list[str]:
    """The model names a row's reference records, as the source wrote them (`...#id=78;name=Claude 3.5 Sonnet`
    -> ['78', 'Claude 3.5 Sonnet']); a trailing '(commit …)' or '(first listed …)' is not part of the name."""
    frag = source_ref.split("#", 1)[1] if "#" in source_ref else ""
    frag = re.sub(r" \((?:commit|first listed) [^)]*\)$", "", frag)
    out = []
    for part in frag.split(";"):
        key, eq, value = part.partition("=")
        if eq and key.strip() in _NAME_KEYS and value.strip():
            out.append(value.strip())
    return out


def apply_alias_moves(rows: list[dict], moves: dict[str, list[dict]], date_col: str) -> tuple[list[dict], list[dict]]:
    """Attribute rows observed under a moving alias to the snapshot it pointed at on the observation date.

    A score is a point in time (`observed_date`). A price interval observed under the alias belongs to the target
    of its start date and ends at the alias's next move: what the alias cost after a move is the next target's
    price, known only from an observation after it. An interval still open (the source listed that price in its
    newest copy, after the move) was such an observation: from the move it is the next target's. Returns (rows,
    corrections)."""
    out, corrections = [], []
    for r in rows:
        move = None
        name = ""
        for name in observed_names(r["source_ref"]):
            move = dated_target(moves, name, r[date_col])
            if move:
                break
        if move is None:
            out.append(r)
            continue
        new = dict(r, model_id=move["model_id"])
        what = []
        if move["model_id"] != r["model_id"]:
            what.append(f"moved from {r['model_id']} to {move['model_id']}: '{name}' pointed at it on {r[date_col]}")
        if date_col == "effective_from" and move["valid_to"] and (not r["effective_to"]
                                                                  or r["effective_to"] > move["valid_to"]):
            new["effective_to"] = move["valid_to"]
            what.append(f"interval ended at {move['valid_to']}, when '{name}' moved on")
            note = f"observed under the moving alias '{name}', which pointed here until {move['valid_to']}"
            new["note"] = "; ".join(x for x in (r.get("note", ""), note) if x)
            nxt = dated_target(moves, name, move["valid_to"])
            if not r["effective_to"] and nxt:
                note = (f"observed under the moving alias '{name}' in the source's newest copy; the alias pointed "
                        f"here from {move['valid_to']}")
                out.append(dict(r, model_id=nxt["model_id"], effective_from=move["valid_to"],
                                note="; ".join(x for x in (r.get("note", ""), note) if x)))
                what.append(f"from {move['valid_to']} on {nxt['model_id']} (still listed in the newest copy)")
        if what:
            corrections.append(dict(source_id=r["source_id"], model_id=move["model_id"], raw_path=r.get("raw_path", ""),
                                    what="dated alias: " + "; ".join(what) + f" ({move['reference']})"))
        out.append(new)
    return out, corrections


def candidate_groups(model_ids, identity: list[dict]) -> list[dict]:
    """Duplicate-candidate groups among `model_ids` (same `duplicate_key`) and whether a decision covers them.

    A group is reviewed when every member has a `keep` decision (reviewed as a distinct model)."""
    kept = {r["from_id"] for r in identity if r["decision"] == "keep"}
    groups: dict[str, list[str]] = defaultdict(list)
    for mid in sorted(model_ids):
        groups[duplicate_key(mid)].append(mid)
    out = []
    for key, mids in sorted(groups.items()):
        if len(mids) < 2:
            continue
        out.append(dict(key=key, models=", ".join(mids), reviewed=all(m in kept for m in mids)))
    return out


def variant_candidates(model_ids, identity: list[dict]) -> list[str]:
    """Models whose id still ends in a reasoning-effort / thinking suffix and that no `keep` decision covers."""
    kept = {r["from_id"] for r in identity if r["decision"] == "keep"}
    return sorted(m for m in model_ids if split_variant(m) and m not in kept)


def alias_rule(external_key_is_listed: bool, moved_by_review: bool) -> str:
    """Which rule resolved an external id: a reviewed decision, the curated alias list, or the normaliser."""
    if moved_by_review:
        return "by hand"
    return "alias list" if external_key_is_listed else "normaliser"
