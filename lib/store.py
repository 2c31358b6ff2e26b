"""Building, versioning and atomically replacing the DuckDB snapshot store.

Writers never touch the live file: they build or copy into `<db>.tmp-<pid>`, commit one transaction, close,
and `os.replace` it over the database, so readers (read-only connections) never see a lock or a half import.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import shutil
from pathlib import Path
from typing import Callable, Iterator

import duckdb

from lib import paths, schema
from lib.errors import DataError

def data_version(seed_dir: Path | None = None, snapshot_dir: Path | None = None,
                 pending: dict[Path, bytes] | None = None) -> str:
    """sha256 over the names and bytes of every seed and snapshot file: the version caches key on.

    `pending` maps snapshot files about to be written (paths under `snapshot_dir`) to their bytes, so an import
    can stamp the version its files will produce before they are moved into place.
    """
    seed_dir = Path(seed_dir or paths.seed_dir())
    snapshot_dir = Path(snapshot_dir or paths.snapshot_dir())
    h = hashlib.sha256(f"schema {schema.SCHEMA_VERSION}".encode())
    for base in (seed_dir, snapshot_dir):
        files: dict[Path, bytes | None] = {}
        if base.is_dir():
            files = {p: None for p in base.rglob("*") if p.is_file() and not p.name.startswith(".")}
        if base == snapshot_dir and pending:
            files.update({snapshot_dir / Path(p).relative_to(snapshot_dir): b for p, b in pending.items()})
        for f in sorted(files):
            data = files[f]
            h.update(str(f.relative_to(base.parent)).encode())
            h.update(hashlib.sha256(f.read_bytes() if data is None else data).digest())
    return h.hexdigest()


@contextlib.contextmanager
def writer_lock(db_path: Path) -> Iterator[None]:
    """One writer at a time (fcntl lock beside the database file)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with open(str(db_path) + ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        # Holding the lock, no other writer is running: any temp copy left is from a killed writer.
        for stale in db_path.parent.glob(f"{db_path.name}.tmp-*"):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _tmp_path(db_path: Path) -> Path:
    return db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")


def _remove(path: Path) -> None:
    for p in (path, Path(str(path) + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


NOT_NULL_SEED_COLUMNS = {"scores": ("variant",)}


def _load_seed(con, seed_dir: Path) -> None:
    for table in schema.SEED_FILES:
        f = seed_dir / f"{table}.csv"
        if not f.exists() and table in schema.OPTIONAL_SEED_FILES:
            continue
        if not f.exists():
            raise DataError(f"seed file missing: {f}")
        with open(f, encoding="utf-8") as fh:
            header = fh.readline().strip().split(",")
        # an empty cell is NULL; a column whose empty value means "the default" is filled here
        fill = ", ".join(f"COALESCE({c}, '') AS {c}" for c in NOT_NULL_SEED_COLUMNS.get(table, ()) if c in header)
        select = f"* REPLACE ({fill})" if fill else "*"
        try:
            con.execute(
                f"INSERT INTO {table} BY NAME "  # table and column names from fixed lists, never from input
                f"SELECT {select} FROM read_csv(?, header = true, all_varchar = true, nullstr = '', quote = '\"')",
                [str(f)],
            )
        except duckdb.Error as exc:
            raise DataError(f"seed file {f.name} could not be loaded: {str(exc).splitlines()[0]}") from exc
    raw_files = seed_dir / "raw_files.csv"
    if raw_files.exists():
        con.execute(
            "INSERT INTO snapshots (snapshot_id, source_id, raw_path, sha256, retrieved_at, upstream_commit,"
            " rows_total, status, note) "
            "SELECT snapshot_id, source_id, raw_path, sha256, TRY_CAST(retrieved_at AS TIMESTAMP), upstream_commit,"
            " TRY_CAST(rows AS INTEGER), 'curated', 'curated into data/seed by python -m lib curate' "
            "FROM read_csv(?, header = true, all_varchar = true, nullstr = '')",
            [str(raw_files)],
        )


def _replay_snapshots(con, snapshot_dir: Path) -> None:
    """Re-import the raw payloads kept by live ingest, oldest first (lib.ingest owns the parsing)."""
    if not snapshot_dir.is_dir() or not any(snapshot_dir.rglob("*.meta.json")):
        return
    from lib.ingest import pipeline  # only when there is something to replay

    pipeline.replay_snapshots(con, snapshot_dir)


def table_counts(con) -> dict[str, int]:
    out = {}
    for table in schema.TABLES:
        if table == "meta":
            continue
        out[table] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    return out


def build(db_path: Path | None = None, seed_dir: Path | None = None, snapshot_dir: Path | None = None) -> dict:
    """(Re)build the database from the seed and the kept snapshots into a new file, then swap it in."""
    db_path = Path(db_path or paths.default_db_path())
    seed_dir = Path(seed_dir or paths.seed_dir())
    snapshot_dir = Path(snapshot_dir or paths.snapshot_dir())
    with writer_lock(db_path):
        return _build_locked(db_path, seed_dir, snapshot_dir)


@contextlib.contextmanager
def _transaction_on_new_file(db_path: Path, copy_from: Path | None = None) -> Iterator:
    """A connection to a fresh temp file beside `db_path` (empty, or a copy of `copy_from`) inside one
    transaction. On success the transaction commits, the file is closed and atomically replaces `db_path`;
    on any failure the temp file is deleted and `db_path` is untouched. Call with the writer lock held."""
    tmp = _tmp_path(db_path)
    _remove(tmp)
    try:
        if copy_from is not None:
            shutil.copyfile(copy_from, tmp)
        con = duckdb.connect(str(tmp))
        try:
            con.execute("BEGIN")
            try:
                yield con
                schema.refresh_derived(con)  # derived tables always match what this transaction wrote
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.close()
        os.replace(tmp, db_path)
    except BaseException:
        _remove(tmp)
        raise


def _build_locked(db_path: Path, seed_dir: Path, snapshot_dir: Path) -> dict:
    version = data_version(seed_dir, snapshot_dir)
    with _transaction_on_new_file(db_path) as con:
        schema.create_schema(con)
        _load_seed(con, seed_dir)
        _replay_snapshots(con, snapshot_dir)
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")
        con.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [["data_version", version], ["built_at", now], ["seed_dir", str(seed_dir)]],
        )
        counts = table_counts(con)
    return counts


# The data version of a store not built from the seed (`write_new`): `ensure_db` never rebuilds over it.
EXTERNAL_VERSION_PREFIX = "external:"


def write_new(db_path: Path, fill: Callable, version: str) -> dict:
    """A brand-new store from `fill(con)` (which inserts into the empty schema), written like `build`: a new
    file, one transaction, derived tables refreshed, swapped in. Synthetic benchmark stores use it; the data
    version is stored as `external:<version>`."""
    db_path = Path(db_path)
    version = EXTERNAL_VERSION_PREFIX + version
    with writer_lock(db_path), _transaction_on_new_file(db_path) as con:
        schema.create_schema(con)
        fill(con)
        con.execute("INSERT INTO meta VALUES ('data_version', ?)", [version])
        counts = table_counts(con)
    return counts


def stored_version(db_path: Path) -> str | None:
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error:
        return None
    try:
        rows = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchall()
        return rows[0][0] if rows else None
    except duckdb.Error:
        return None
    finally:
        con.close()


def ensure_db(db_path: Path | None = None) -> Path:
    """Return a database that matches the committed seed and snapshots, building it when missing or stale."""
    db_path = Path(db_path or paths.default_db_path())
    version = data_version()
    stored = stored_version(db_path) if db_path.exists() else None
    if stored is not None and (stored == version or stored.startswith(EXTERNAL_VERSION_PREFIX)):
        return db_path  # current, or a store built by other means (a benchmark's): used as it is, never rebuilt over
    if not paths.seed_dir().is_dir():
        if db_path.exists():
            return db_path  # a deployed database without its seed: use it as it is
        raise DataError(f"no database at {db_path} and no seed folder at {paths.seed_dir()} to build it from")
    with writer_lock(db_path):
        if not (db_path.exists() and stored_version(db_path) == version):  # another process may have built it
            _build_locked(db_path, paths.seed_dir(), paths.snapshot_dir())
    return db_path


def connect_readonly(db_path: Path | None = None):
    """A read-only connection: what the dashboard and every query use."""
    return duckdb.connect(str(db_path or paths.default_db_path()), read_only=True)


def apply_import(write: Callable, db_path: Path | None = None, new_version: str | None = None):
    """Run `write(con)` in one transaction on a copy of the database, then swap the copy in.

    If `write` raises, the copy is discarded and the database is exactly as it was. Returns what `write` returns.
    """
    db_path = Path(db_path or paths.default_db_path())
    with writer_lock(db_path), _transaction_on_new_file(db_path, copy_from=db_path) as con:
        result = write(con)
        if new_version is not None:
            con.execute("INSERT OR REPLACE INTO meta VALUES ('data_version', ?)", [new_version])
    return result


# Columns an import may carry; parsers return DataFrames with (a subset of) these.
INCOMING_COLUMNS = {
    "models": ["model_id", "vendor", "family", "name", "release_date", "open_weights", "context_window",
               "parameters_b", "deprecation_date", "status", "source_id", "source_ref"],
    "aliases": ["source_id", "external_id", "model_id"],
    "prices": ["model_id", "provider", "first_party", "tier", "input_usd_per_mtok", "output_usd_per_mtok",
               "cache_read_usd_per_mtok", "source_ref", "note",
               # optional: a vendor-effective date the source states (else the retrieval day, `observed`)
               "effective_from", "date_kind"],
    "scores": ["model_id", "metric_id", "value", "metric_version", "source_ref"],
}


def _incoming(kind: str, df) -> "pd.DataFrame":
    import pandas as pd

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


def import_parsed(con, *, source_id: str, sha256: str, retrieved_at: dt.datetime, raw_path: str | None,
                  models=None, aliases=None, prices=None, scores=None, note: str | None = None) -> dict:
    """Append one parsed payload to the store inside the caller's transaction.

    Identical payload (same source and sha256): nothing is written. Otherwise new models and aliases are added,
    each price that differs from the newest row of its model/source/provider/tier opens a new interval dated
    the retrieval day (`observed`) — or the vendor-effective date the source states for it (`effective`) — and
    scores are added for that day.
    """
    from lib import queries as q

    if con.execute(q.SNAPSHOT_BY_SHA, [source_id, sha256]).fetchall():
        return {"status": "unchanged-payload", "snapshot_id": None, "new_models": [], "changed": [],
                "new_prices": 0, "unchanged_prices": 0, "conflicts": [], "scores": 0}
    day = retrieved_at.date()
    snapshot_id = f"{source_id}:{retrieved_at.strftime('%Y%m%dT%H%M%SZ')}:{sha256[:12]}"
    frames = {k: _incoming(k, v) for k, v in
              {"models": models, "aliases": aliases, "prices": prices, "scores": scores}.items()}
    existing = set(frames["models"]["model_id"]) & q.model_ids(con)
    new_models = sorted(set(frames["models"]["model_id"]) - existing)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    con.execute(q.INSERT_SNAPSHOT, [snapshot_id, source_id, retrieved_at.replace(tzinfo=None), sha256, raw_path,
                                    sum(len(f) for f in frames.values()), len(new_models), 0, 0, now, note])
    con.register("incoming_models", frames["models"])
    con.register("incoming_aliases", frames["aliases"])
    con.register("incoming_prices", frames["prices"])
    con.register("incoming_scores", frames["scores"])
    try:
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
        con.execute("UPDATE snapshots SET rows_prices = ?, rows_scores = ? WHERE snapshot_id = ?",
                    [len(to_apply), n_scores, snapshot_id])
    finally:
        for name in ("incoming_models", "incoming_aliases", "incoming_prices", "incoming_scores",
                     "price_changes_to_apply"):
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
    }

