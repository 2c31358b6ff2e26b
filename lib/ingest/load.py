"""One parsed payload into an open store transaction: prepare (parse, resolve, validate), import, and the replay
of the kept snapshots when the store is rebuilt.

Nothing here opens, locks or swaps a database file: `lib.store` owns the files and calls `replay_snapshots` while it
builds; `lib.ingest.pipeline` drives a live run (fetch, keep the raw file, `lib.store.apply_import`) with `prepare`
and `import_one`. So the store depends on the parsers, never the other way round.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd

from lib import paths, queries
from lib.curate.hygiene import apply_fix, fix_for, load_fixes
from lib.errors import DataError, UsageError
from lib.ingest import SOURCES, common, quarantine, resolve, source_module


@dataclasses.dataclass
class Prepared:
    payload: common.Payload
    sha256: str
    parsed: common.ParseResult
    stem: str  # <YYYYmmddTHHMMSSZ>_<sha12>
    # per-request fees a price row turned out to be (curation's rule, lib.curate.hygiene); kept apart from prices
    fees: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)

    @property
    def raw_name(self) -> str:
        return f"{self.stem}.{self.payload.ext}"


def prepare(con, source: str, payload: common.Payload, fixes: list[dict] | None = None) -> Prepared:
    """Parse, resolve, correct and validate one payload (pure apart from reading aliases and model ids from `con` and
    the reviewed price fixes from `data/curated/price_fixes.csv`, unless `fixes` is given)."""
    module = source_module(source)
    sha = hashlib.sha256(payload.body).hexdigest()
    retrieved = payload.retrieved_at.astimezone(dt.timezone.utc)
    try:
        parsed = module.parse(payload.body, retrieved)
    except (DataError, UsageError):
        raise
    except (ValueError, TypeError, ArithmeticError, LookupError, AttributeError, RecursionError, MemoryError) as exc:
        # A parser bug on hostile input: one line naming the source, never a traceback; nothing is written.
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise DataError(f"{source}: payload could not be parsed ({type(exc).__name__}: {reason})") from None
    parsed = resolve.apply(con, parsed, module)
    if fixes is None:
        fixes = load_fixes(paths.DATA_DIR / "curated")
    parsed, fees = correct_prices(parsed, retrieved.date(), fixes)
    validate(source, parsed)
    return Prepared(payload, sha, parsed, f"{retrieved.strftime('%Y%m%dT%H%M%SZ')}_{sha[:12]}", fees)


def correct_prices(parsed: common.ParseResult, day: dt.date, fixes: list[dict]):
    """Curation's corrections of known upstream errors, on a live payload: the reviewed fixes of
    `data/curated/price_fixes.csv` (matched on source, model and the row's start: its stated date, else the
    retrieval day) and the per-request-fee rule, through the same `lib.curate.hygiene` functions the seed build uses.
    A corrected row is listed among the payload's skipped rows with the fix's reason and reference (a swap keeps the
    row, swapped back). Returns (parsed with the corrected prices, the fee rows)."""
    p = parsed.prices
    fees: list[dict] = []
    if p.empty:
        return parsed, pd.DataFrame(fees)
    keep: list[dict] = []
    skipped = list(parsed.skipped)
    for rec in p.to_dict("records"):
        start = rec.get("effective_from")
        start = str(start)[:10] if start is not None and not pd.isna(start) else day.isoformat()
        row = dict(
            rec,
            source_id=parsed.source_id,
            effective_from=start,
            effective_to="",
            input_usd_per_mtok=float(rec["input_usd_per_mtok"] or 0),
            output_usd_per_mtok=float(rec["output_usd_per_mtok"] or 0),
        )
        fix = fix_for(row, fixes)
        if fix is None:
            keep.append(rec)
            continue
        kept, fee, what = apply_fix(row, fix)
        if kept is not None:
            keep.append({k: kept[k] for k in rec})
        if fee is not None:
            fees.append(fee)
        skipped.append(common.Skipped(str(rec["external_id"]), "price", f"corrected: {what}"))
    prices = pd.DataFrame(keep, columns=p.columns)
    return dataclasses.replace(parsed, prices=prices, skipped=skipped), pd.DataFrame(fees)


def validate(source: str, parsed: common.ParseResult) -> None:
    """Last checks before a write: the store's constraints, stated as clear messages instead of SQL errors."""
    for kind, df, required in (
        ("models", parsed.models, ["model_id", "vendor", "name"]),
        ("prices", parsed.prices, ["model_id", "provider", "tier", "source_ref"]),
        ("scores", parsed.scores, ["model_id", "metric_id", "value", "source_ref"]),
    ):
        for col in required:
            if len(df) and df[col].isna().any():
                bad = df.loc[df[col].isna(), "external_id"].astype(str).tolist()[:3]
                raise DataError(f"{source}: field '{col}' is empty for {kind} rows {bad}")
    p = parsed.prices
    if len(p):
        cols = ["input_usd_per_mtok", "output_usd_per_mtok", "cache_read_usd_per_mtok"]
        vals = p[cols].apply(pd.to_numeric, errors="coerce")
        if (vals < 0).any().any() or (vals > common.MAX_USD_PER_MTOK).any().any():
            raise DataError(f"{source}: a price outside [0, {common.MAX_USD_PER_MTOK:g}] USD/Mtok reached validation")


def ensure_reference_rows(con, module) -> None:
    con.execute(queries.INSERT_SOURCE_IF_MISSING, module.SOURCE_ROW)
    for metric in getattr(module, "METRIC_ROWS", []):
        con.execute(queries.INSERT_METRIC_IF_MISSING, metric)


def import_one(con, module, prep: Prepared, raw_path: str | None) -> dict:

    p = prep.parsed
    prices, held = quarantine.hold_price_jumps(
        con, p.source_id, p.prices, sha256=prep.sha256, retrieved_at=prep.payload.retrieved_at
    )
    result = import_parsed(
        con,
        source_id=p.source_id,
        sha256=prep.sha256,
        retrieved_at=prep.payload.retrieved_at,
        raw_path=raw_path,
        models=p.models,
        aliases=p.aliases,
        prices=prices,
        scores=p.scores,
        queue=p.queue,
        fees=prep.fees,
        note=f"live ingest from {prep.payload.url}; {len(p.skipped)} rows skipped"
        + (f"; {len(held)} price jump(s) held" if held else ""),
    )
    result["held"] = held
    return result


def replay_snapshots(con, snapshot_dir: Path) -> None:
    """Re-import every kept payload, oldest first, inside the caller's (build) transaction."""
    snapshot_dir = Path(snapshot_dir)
    metas = []
    fixes = load_fixes(paths.DATA_DIR / "curated")  # read once for every kept payload, not once per payload
    for meta_path in snapshot_dir.glob("*/*.meta.json"):
        if meta_path.name.startswith("."):
            continue
        try:
            meta = json.loads(meta_path.read_text())
            retrieved = dt.datetime.strptime(meta["retrieved_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
            source = meta["source"]
        except (ValueError, KeyError, TypeError) as exc:
            raise DataError(f"snapshot sidecar {meta_path} is unreadable: {exc}") from None
        if source not in SOURCES:
            raise DataError(f"snapshot sidecar {meta_path}: unknown source '{source}'")
        metas.append((retrieved, str(meta_path), meta_path, meta, source))
    for retrieved, _, meta_path, meta, source in sorted(metas, key=lambda t: (t[0], t[1])):
        raw = meta_path.with_name(meta.get("raw_file") or meta_path.name[: -len(".meta.json")])
        if not raw.is_file():
            raise DataError(f"snapshot {meta_path}: raw file {raw.name} is missing")
        body = raw.read_bytes()
        if hashlib.sha256(body).hexdigest() != meta.get("sha256"):
            raise DataError(f"snapshot {raw}: sha256 does not match its sidecar (file edited?)")
        payload = common.Payload(
            source=source,
            body=body,
            url=meta.get("url", ""),
            retrieved_at=retrieved,
            content_type=meta.get("content_type", ""),
            ext=raw.suffix.lstrip("."),
        )
        module = source_module(source)
        try:
            prep = prepare(con, source, payload, fixes)
        except DataError as exc:
            raise DataError(f"replaying {raw.relative_to(snapshot_dir)}: {exc}") from None
        ensure_reference_rows(con, module)
        import_one(con, module, prep, str(raw.relative_to(snapshot_dir)))


# Columns an import may carry; parsers return DataFrames with (a subset of) these.
INCOMING_COLUMNS = {
    "models": [
        "model_id",
        "vendor",
        "family",
        "name",
        "release_date",
        "open_weights",
        "context_window",
        "parameters_b",
        "deprecation_date",
        "status",
        "source_id",
        "source_ref",
    ],
    "aliases": ["source_id", "external_id", "model_id", "rule"],
    "queue": ["source_id", "external_id", "proposed_model_id", "name", "reason"],
    "prices": [
        "model_id",
        "provider",
        "first_party",
        "tier",
        "input_usd_per_mtok",
        "output_usd_per_mtok",
        "cache_read_usd_per_mtok",
        "source_ref",
        "note",
        # optional: a vendor-effective date the source states (else the retrieval day, `observed`)
        "effective_from",
        "date_kind",
        # long-context tier only: the prompt length above which its price bills the whole request
        "min_prompt_tokens",
    ],
    "scores": ["model_id", "metric_id", "value", "metric_version", "source_ref"],
}


def _incoming(kind: str, df) -> pd.DataFrame:
    cols = INCOMING_COLUMNS[kind]
    df = pd.DataFrame(columns=cols) if df is None else df.copy()
    for c in cols:
        if c not in df.columns:
            df[c] = None
    df = df[cols]
    if kind == "prices":
        df["tier"] = df["tier"].fillna("standard")
        for c in ("input_usd_per_mtok", "output_usd_per_mtok", "cache_read_usd_per_mtok"):
            df[c] = pd.to_numeric(df[c]).astype("float64")
        df["first_party"] = df["first_party"].astype(bool)
        df["min_prompt_tokens"] = pd.to_numeric(df["min_prompt_tokens"]).astype("Int64")
        df["effective_from"] = pd.to_datetime(df["effective_from"], errors="coerce").astype("datetime64[us]")
        df["date_kind"] = df["date_kind"].astype("string").where(df["effective_from"].notna(), pd.NA)
    if kind == "scores":
        df["value"] = pd.to_numeric(df["value"]).astype("float64")
    if kind == "models":
        for c in ("release_date", "deprecation_date"):
            df[c] = pd.to_datetime(df[c]).dt.date
        df["open_weights"] = df["open_weights"].astype("boolean")
        df["context_window"] = pd.to_numeric(df["context_window"]).astype("Int64")
        df["parameters_b"] = pd.to_numeric(df["parameters_b"]).astype("Float64")
        df["status"] = df["status"].fillna("unreviewed")
    return df.astype({c: "string" for c in cols if df[c].dtype == object})


def import_parsed(
    con,
    *,
    source_id: str,
    sha256: str,
    retrieved_at: dt.datetime,
    raw_path: str | None,
    models=None,
    aliases=None,
    prices=None,
    scores=None,
    note: str | None = None,
    queue=None,
    fees=None,
) -> dict:
    """Append one parsed payload to the store inside the caller's transaction.

    Identical payload (same source and sha256): nothing is written. Otherwise new models and aliases are added,
    each price that differs from the newest row of its model/source/provider/tier opens a new interval dated
    the retrieval day (`observed`) — or the vendor-effective date the source states for it (`effective`) — and
    scores are added for that day.
    """
    q = queries
    if con.execute(q.SNAPSHOT_BY_SHA, [source_id, sha256]).fetchall():
        return {
            "status": "unchanged-payload",
            "snapshot_id": None,
            "new_models": [],
            "changed": [],
            "new_prices": 0,
            "unchanged_prices": 0,
            "conflicts": [],
            "scores": 0,
            "queued": [],
        }
    day = retrieved_at.date()
    snapshot_id = f"{source_id}:{retrieved_at.strftime('%Y%m%dT%H%M%SZ')}:{sha256[:12]}"
    frames = {
        k: _incoming(k, v)
        for k, v in {"models": models, "aliases": aliases, "prices": prices, "scores": scores, "queue": queue}.items()
    }
    existing = set(frames["models"]["model_id"]) & q.model_ids(con)
    new_models = sorted(set(frames["models"]["model_id"]) - existing)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    con.execute(
        q.INSERT_SNAPSHOT,
        [
            snapshot_id,
            source_id,
            retrieved_at.replace(tzinfo=None),
            sha256,
            raw_path,
            sum(len(f) for f in frames.values()),
            len(new_models),
            0,
            0,
            now,
            note,
        ],
    )
    con.register("incoming_models", frames["models"])
    con.register("incoming_aliases", frames["aliases"])
    con.register("incoming_prices", frames["prices"])
    con.register("incoming_scores", frames["scores"])
    con.register("incoming_queue", frames["queue"])
    try:
        con.execute(q.INSERT_REVIEW_QUEUE, {"day": day, "snapshot": snapshot_id})
        con.execute(q.INSERT_NEW_MODELS)
        con.execute(q.INSERT_NEW_ALIASES)
        params = {"source": source_id, "day": day}
        changes = con.execute(q.PRICE_CHANGES, params).df()
        to_apply = changes[changes["change"].isin(["new", "changed"])][["model_id", "provider", "tier"]]
        con.register("price_changes_to_apply", to_apply)
        con.execute(q.INSERT_PRICES, {**params, "snapshot": snapshot_id})
        before = con.execute("SELECT count(*) FROM scores").fetchall()[0][0]
        con.execute(q.INSERT_SCORES, {**params, "snapshot": snapshot_id})
        n_scores = con.execute("SELECT count(*) FROM scores").fetchall()[0][0] - before
        for fee in [] if fees is None or fees.empty else fees.to_dict("records"):
            con.execute(
                q.INSERT_FEE_IF_NEW,
                {
                    "model_id": fee["model_id"],
                    "provider": fee["provider"],
                    "fee_kind": fee["fee_kind"],
                    "usd": fee["usd"],
                    "day": day,
                    "source": source_id,
                    "snapshot": snapshot_id,
                    "source_ref": fee["source_ref"],
                    "note": fee["note"],
                },
            )
        con.execute(
            "UPDATE snapshots SET rows_prices = ?, rows_scores = ? WHERE snapshot_id = ?",
            [len(to_apply), n_scores, snapshot_id],
        )
    finally:
        for name in (
            "incoming_models",
            "incoming_aliases",
            "incoming_prices",
            "incoming_scores",
            "incoming_queue",
            "price_changes_to_apply",
        ):
            with contextlib.suppress(Exception):
                con.unregister(name)
    changed = changes[changes["change"] == "changed"]
    return {
        "status": "imported",
        "snapshot_id": snapshot_id,
        "new_models": new_models,
        "changed": changed.to_dict("records"),
        "new_prices": int((changes["change"] == "new").sum()),
        "unchanged_prices": int((changes["change"] == "unchanged").sum()),
        "conflicts": changes[changes["change"] == "conflict"].to_dict("records"),
        "scores": int(n_scores),
        "queued": sorted(set(frames["queue"]["external_id"])),
    }
