"""Price interval hygiene: reviewed fixes of wrong rows, non-token fees kept apart, intervals closed by any later
observation of the same offering, and the >5x jumps flagged for review. Pure functions over price rows.
"""
from __future__ import annotations

import csv
from pathlib import Path

from lib.errors import DataError

FIXES_FILE = "price_fixes.csv"
ACTIONS = {"drop", "swap", "per_request_fee", "per_character"}
JUMP_FACTOR = 5.0
# an output "token" price this high with a zero input price is a per-request (search) fee stored per token
PER_REQUEST_OUTPUT_MIN = 100.0


def load_fixes(curated: Path) -> list[dict]:
    path = Path(curated) / FIXES_FILE
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        rows = [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]
    bad = [r for r in rows if r["action"] not in ACTIONS]
    if bad:
        raise DataError(f"{FIXES_FILE}: unknown action {bad[0]['action']!r} for {bad[0]['model_id']}")
    return rows


def _fee(r: dict, kind: str, usd: float, note: str) -> dict:
    return dict(model_id=r["model_id"], provider=r["provider"], fee_kind=kind, usd=usd,
                effective_from=r["effective_from"], effective_to=r["effective_to"], source_id=r["source_id"],
                raw_path=r.get("raw_path", ""), source_ref=r["source_ref"], note=note)


def fix_for(r: dict, fixes: list[dict]) -> dict | None:
    """The reviewed fix of one price row (matched on source, model and interval start; an empty start matches every
    row of that source and model), else the automatic per-request-fee rule, else None. Curation and live ingest
    both ask this, so a known upstream error is corrected the same way on either path."""
    fix = next((f for f in fixes if f["source_id"] == r["source_id"] and f["model_id"] == r["model_id"]
                and f["effective_from"] in ("", r["effective_from"])), None)
    if fix is None and r["input_usd_per_mtok"] == 0 and r["output_usd_per_mtok"] >= PER_REQUEST_OUTPUT_MIN:
        fix = dict(action="per_request_fee", reason="a zero input price with an output price of "
                   f"${r['output_usd_per_mtok']:g}/M is a per-request fee stored as a per-token price",
                   reference=r["source_ref"])
    return fix


def apply_fix(r: dict, fix: dict) -> tuple[dict | None, dict | None, str]:
    """One fix applied to one price row: (the price row kept, or None; a fee row, or None; what was done, with the
    fix's reason and reference)."""
    price = f"{r['input_usd_per_mtok']:g}/{r['output_usd_per_mtok']:g}"
    where = f"{r['effective_from']}..{r['effective_to'] or 'open'} ({r['source_ref']})"
    action, why = fix["action"], f"{fix['reason']} [{fix['reference']}]"
    if action == "swap":
        kept = dict(r, input_usd_per_mtok=r["output_usd_per_mtok"], output_usd_per_mtok=r["input_usd_per_mtok"],
                    note="; ".join(x for x in (r.get("note"), "input and output swapped back") if x))
        return kept, None, f"swapped input/output {price} {where}: {why}"
    if action == "per_request_fee":
        fee = _fee(r, "per_request", r["output_usd_per_mtok"] / 1e6,
                   "value as the source stored it per output token; it is a per-request fee, not a token price")
        return None, fee, f"per-request fee kept as a fee, not as token price {price} {where}: {why}"
    if action == "per_character":
        return None, None, f"dropped per-character price {price} {where}: {why}"
    return None, None, f"dropped {price} {where}: {why}"


def apply_fixes(rows: list[dict], fixes: list[dict]) -> tuple[list[dict], list[dict], list[dict]]:
    """Returns (price rows, fee rows, corrections)."""
    out, fees, corrections = [], [], []
    for r in rows:
        fix = fix_for(r, fixes)
        if fix is None:
            out.append(r)
            continue
        kept, fee, what = apply_fix(r, fix)
        if kept is not None:
            out.append(kept)
        if fee is not None:
            fees.append(fee)
        corrections.append(dict(source_id=r["source_id"], model_id=r["model_id"], raw_path=r.get("raw_path", ""),
                                what=what))
    return out, fees, corrections


def close_by_later_observation(rows: list[dict]) -> list[dict]:
    """An observed interval ends where any later observation of the same offering (model, provider, tier) from any
    source shows another price: a copy that lags the vendor cannot keep an old price in force past a newer one."""
    by_offering: dict[tuple, list[dict]] = {}
    for r in rows:
        by_offering.setdefault((r["model_id"], r["provider"], r["tier"]), []).append(r)
    out = []
    for r in rows:
        if r["date_kind"] != "observed":
            out.append(r)
            continue
        later = sorted((o for o in by_offering[(r["model_id"], r["provider"], r["tier"])]
                        if o["source_id"] != r["source_id"] and o["effective_from"] > r["effective_from"]
                        and (not r["effective_to"] or o["effective_from"] < r["effective_to"])
                        and abs(o["input_usd_per_mtok"] - r["input_usd_per_mtok"])
                        + abs(o["output_usd_per_mtok"] - r["output_usd_per_mtok"]) > 1e-9
                        and "scheduled" not in (o.get("note") or "")),
                       key=lambda o: (o["effective_from"], o["source_id"]))
        if later:
            o = later[0]
            note = (f"closed at {o['effective_from']}, when {o['source_id']} showed "
                    f"{o['input_usd_per_mtok']:g}/{o['output_usd_per_mtok']:g} for the same offering")
            r = dict(r, effective_to=o["effective_from"], note="; ".join(x for x in (r.get("note"), note) if x))
        out.append(r)
    return out


def price_jumps(prices, factor: float = JUMP_FACTOR):
    """Consecutive intervals of one offering (model, provider, tier; any source) whose blended 3:1 price changes
    by more than `factor`: listed for review (a real cut is rarely that steep; a unit slip usually is)."""
    import pandas as pd
    p = prices[prices["tier"] == "standard"].copy()
    p["blended"] = (3 * p["input_usd_per_mtok"] + p["output_usd_per_mtok"]) / 4
    p = p[p["blended"] > 0].sort_values(["model_id", "provider", "effective_from", "source_id"])
    out = []
    for (mid, prov), g in p.groupby(["model_id", "provider"], sort=True):
        prev = None
        for r in g.itertuples(index=False):
            if prev is not None and prev.blended != r.blended:
                ratio = max(prev.blended, r.blended) / min(prev.blended, r.blended)
                if ratio > factor:
                    out.append(dict(model_id=mid, provider=prov, from_date=prev.effective_from,
                                    from_price=f"{prev.input_usd_per_mtok:g}/{prev.output_usd_per_mtok:g} "
                                               f"({prev.source_id})",
                                    to_date=r.effective_from,
                                    to_price=f"{r.input_usd_per_mtok:g}/{r.output_usd_per_mtok:g} ({r.source_id})",
                                    factor=round(ratio, 1)))
            prev = r
    return pd.DataFrame(out, columns=["model_id", "provider", "from_date", "from_price", "to_date", "to_price",
                                      "factor"])
