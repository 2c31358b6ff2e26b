"""Alias resolution: external ids of a parsed payload -> canonical `vendor/slug` model ids.

The database's `aliases` table wins (including the ids the registry retired, under source `curation`), then the
curation normaliser (lib.curate.aliases). An id that resolves to no model of the registry goes to the review queue
(`review_queue`, shown on the Data page): its model row is stored with status `queued`, which keeps it off every
chart and market query until a reviewed decision maps it.
"""
from __future__ import annotations

import re

import pandas as pd

from lib import queries
from lib.constants import VENDOR_SLUGS
from lib.curate.aliases import EXPLICIT, alias_key, normalise_id  # the curation's normaliser
from lib.ingest.common import ParseResult, Skipped


def is_explicit(external_id: str) -> bool:
    """True when the curated alias list (not a rule) names the model of `external_id`."""
    k = alias_key(external_id)
    return k in EXPLICIT or k.rpartition("/")[2] in EXPLICIT


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9.:_-]+", "-", str(text).strip().lower()).strip("-")
    return s or "unnamed"


def _fallback(external_id: str, hint: str | None) -> str:
    vendor = (VENDOR_SLUGS.get(hint.strip().lower()) or _slug(hint)) if hint else "unknown"
    return f"{vendor}/{_slug(external_id.rpartition('/')[2] if '/' in external_id else external_id)}"


def resolve_ids(con, parsed: ParseResult, key_fn=None, by_name: bool = False) -> dict[str, str]:
    """external_id -> model_id for every model row of a parsed payload. `key_fn`: the source's own clean-up of an
    id or name before the normaliser (its `display_key`); `by_name`: the name is tried before the id (a source
    whose ids are lossy slugs)."""
    alias_table = {(s, e): m for s, e, m in con.execute(queries.ALIASES).fetchall()}
    existing = queries.model_ids(con)
    out: dict[str, str] = {}
    names = dict(zip(parsed.models["external_id"], parsed.models["name"]))
    for ext_id in parsed.models["external_id"]:
        name = names.get(ext_id)
        hit = alias_table.get((parsed.source_id, ext_id)) or (name and alias_table.get((parsed.source_id, name)))
        if hit:
            out[ext_id] = hit
            continue
        hint = parsed.vendor_hints.get(ext_id)
        candidates = []
        order = [name, ext_id] if by_name else [ext_id, name]
        for raw in dict.fromkeys(r for r in order if r):
            key = key_fn(raw) if key_fn else raw
            mid = normalise_id(key, hint)
            if mid:
                # an id the registry merged into another model (a host deployment, a spelling twin)
                mid = alias_table.get(("curation", mid), mid)
                candidates.append((is_explicit(key), mid))
        # a model the store knows beats a curated explicit mapping, which beats a rule-based guess
        ranked = sorted(candidates, key=lambda c: (c[1] not in existing, not c[0]))
        out[ext_id] = ranked[0][1] if ranked else _fallback(ext_id, hint)
    return out


def apply(con, parsed: ParseResult, module) -> ParseResult:
    """Resolve ids, fill vendors, drop rows that collide after resolution (recorded as skipped)."""
    ids = resolve_ids(con, parsed, getattr(module, "display_key", None), getattr(module, "RESOLVE_BY_NAME", False))
    skipped = list(parsed.skipped)

    models = parsed.models.copy()
    models["model_id"] = models["external_id"].map(ids)
    models["vendor"] = models["model_id"].str.split("/").str[0]
    models["name"] = models["name"].fillna(models["external_id"])
    models["status"] = "unreviewed"
    # unknown ids go to the review queue instead of becoming models on the charts
    known = queries.model_ids(con)
    unknown = models[~models["model_id"].isin(known)]
    queue = pd.DataFrame({"source_id": parsed.source_id, "external_id": unknown["external_id"],
                          "proposed_model_id": unknown["model_id"], "name": unknown["name"],
                          "reason": "no model of the registry has this id or alias"})
    models.loc[~models["model_id"].isin(known), "status"] = "queued"
    aliases = pd.DataFrame({"source_id": parsed.source_id, "external_id": models["external_id"],
                            "model_id": models["model_id"], "rule": "ingest"})
    # exact ids first, so `gpt-4o-2024-08-06` keeps its row over the moving alias `gpt-4o`
    models["_exact"] = [str(e).lower().rpartition("/")[2] == str(m).rpartition("/")[2]
                        for e, m in zip(models["external_id"], models["model_id"])]
    exact = dict(zip(models["external_id"], models["_exact"]))
    models = models.drop_duplicates("model_id").drop(columns="_exact")

    prices = parsed.prices.copy()
    prices["model_id"] = prices["external_id"].map(ids)
    finish = getattr(module, "finish_first_party", None)
    if finish is not None and len(prices):
        finish(prices)
    prices, dropped = _dedupe(prices, ["model_id", "provider", "tier"], exact)
    skipped += dropped
    scores = parsed.scores.copy()
    scores["model_id"] = scores["external_id"].map(ids)
    scores, dropped = _dedupe(scores, ["model_id", "metric_id"], exact)
    skipped += dropped
    return ParseResult(parsed.source_id, models, prices, scores, skipped, parsed.rows_seen, aliases,
                       parsed.vendor_hints, queue.reset_index(drop=True))


def _dedupe(df: pd.DataFrame, key: list[str], exact: dict[str, bool]) -> tuple[pd.DataFrame, list[Skipped]]:
    if df.empty:
        return df, []
    df = df.assign(_order=range(len(df)), _exact=df["external_id"].map(exact).fillna(False).astype(bool))
    df = df.sort_values(["_exact", "_order"], ascending=[False, True], kind="stable")
    dup = df.duplicated(key, keep="first")
    kept = df[~dup].set_index(key)["external_id"]
    skipped = []
    for row in df[dup].itertuples(index=False):
        k = tuple(getattr(row, c) for c in key)
        skipped.append(Skipped(row.external_id, "id",
                               f"same {'/'.join(key)} as '{kept.loc[k] if len(key) > 1 else kept.loc[k[0]]}' "
                               f"after alias resolution ({', '.join(map(str, k))}); first kept"))
    return df[~dup].sort_values("_order").drop(columns=["_order", "_exact"]), skipped
