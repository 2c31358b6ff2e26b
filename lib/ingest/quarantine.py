"""Price-jump quarantine: an incoming price more than FACTOR× away from the previous price of the same offering
(model, source, provider, tier) is held, not imported, until a second payload observes it again or a person
accepts it in `data/reviews/price_jumps.csv`. A per-token value in a per-million field is a 10⁶× jump.

Held rows live in the `price_quarantine` table; replaying the kept payloads (a rebuild) reaches the same state.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import os
from pathlib import Path

import pandas as pd

from lib import paths, queries, schema
from lib.errors import UsageError

DEFAULT_FACTOR = 5.0
FACTOR_ENV = "FRONTIER_MAX_PRICE_JUMP"
REVIEW_COLUMNS = ["source_id", "model_id", "provider", "tier", "input_usd_per_mtok", "output_usd_per_mtok",
                  "reviewed_by", "evidence_url"]


def review_file() -> Path:
    return Path(os.environ.get("FRONTIER_REVIEWS_DIR") or paths.DATA_DIR / "reviews") / "price_jumps.csv"


def max_factor() -> float:
    raw = os.environ.get(FACTOR_ENV)
    if not raw:
        return DEFAULT_FACTOR
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value > 1):
        raise UsageError(f"{FACTOR_ENV}: '{raw}' is not a factor above 1 (default {DEFAULT_FACTOR:g})")
    return value


def _close(a, b) -> bool:
    """Same price (both missing, or within 0.5 %)."""
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return (a is None or pd.isna(a)) and (b is None or pd.isna(b))
    return abs(float(a) - float(b)) <= 0.005 * max(abs(float(a)), abs(float(b)), 1e-12)


def _jump(new, old) -> float:
    """How many times apart two prices are (1 when either is missing or zero: no factor to speak of)."""
    if new is None or old is None or pd.isna(new) or pd.isna(old) or new <= 0 or old <= 0:
        return 1.0
    return max(new / old, old / new)


def _reviewed() -> list[dict]:
    f = review_file()
    if not f.is_file():
        return []
    with open(f, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _matches(rec: dict, row) -> bool:
    def num(v):
        return None if v in (None, "") else float(v)

    return (rec.get("source_id") == row["source_id"] and rec.get("model_id") == row["model_id"]
            and (rec.get("provider") or None) == (row["provider"] if pd.notna(row["provider"]) else None)
            and (rec.get("tier") or "standard") == row["tier"]
            and _close(num(rec.get("input_usd_per_mtok")), row["input_usd_per_mtok"])
            and _close(num(rec.get("output_usd_per_mtok")), row["output_usd_per_mtok"]))


def hold_price_jumps(con, source_id: str, prices: pd.DataFrame, *, sha256: str,
                     retrieved_at: dt.datetime) -> tuple[pd.DataFrame, list[dict]]:
    """Split incoming (resolved) prices into those to import and those held. Call inside the import transaction.

    A jump is imported when a held row of an earlier payload carries the same price (second observation) or the
    review file accepts it; otherwise it is recorded as held. Returns (prices to import, held rows as dicts).
    """
    if prices is None or prices.empty:
        return prices, []
    con.execute(schema.PRICE_QUARANTINE.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1))
    prev = con.execute(queries.LATEST_SOURCE_PRICES, [source_id]).df()
    if prev.empty:
        return prices, []
    factor = max_factor()
    keys = ["model_id", "provider", "tier"]
    inc = prices.reset_index(drop=True)
    merged = inc[keys].merge(prev, on=keys, how="left")
    held_before = queries.held_prices(con, source_id)
    held_before = held_before[held_before["status"] == "held"]
    reviewed = None
    keep = []
    held = []
    when = retrieved_at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    for i, row in inc.iterrows():
        p = merged.iloc[i]
        x = max(_jump(row.get("input_usd_per_mtok"), p["prev_input"]),
                _jump(row.get("output_usd_per_mtok"), p["prev_output"]))
        if x <= factor:
            keep.append(i)
            continue
        rec = {"source_id": source_id, "model_id": row["model_id"], "provider": row["provider"],
               "tier": row["tier"], "input_usd_per_mtok": row.get("input_usd_per_mtok"),
               "output_usd_per_mtok": row.get("output_usd_per_mtok"), "prev_input": p["prev_input"],
               "prev_output": p["prev_output"], "factor": x}
        same = held_before[(held_before["model_id"] == row["model_id"]) & (held_before["tier"] == row["tier"])
                           & (held_before["provider"].fillna("") == (row["provider"] or ""))
                           & (held_before["sha256"] != sha256)]
        seen_again = any(_close(h.input_usd_per_mtok, rec["input_usd_per_mtok"])
                         and _close(h.output_usd_per_mtok, rec["output_usd_per_mtok"]) for h in same.itertuples())
        if reviewed is None:
            reviewed = _reviewed()
        accepted = any(_matches(r, rec) for r in reviewed)
        status = "accepted" if accepted else "confirmed" if seen_again else "held"
        if status != "held":
            con.execute(queries.CONFIRM_HELD_PRICE, [status, source_id, row["model_id"], row["provider"], row["tier"]])
            keep.append(i)
        con.execute(queries.INSERT_HELD_PRICE, [
            source_id, row["model_id"], row["provider"], row["tier"], _num(rec["input_usd_per_mtok"]),
            _num(rec["output_usd_per_mtok"]), _num(rec["prev_input"]), _num(rec["prev_output"]), float(x), sha256,
            when, status])
        if status == "held":
            held.append(rec)
    return inc.loc[keep].reset_index(drop=True), held


def _num(v):
    return None if v is None or pd.isna(v) else float(v)
