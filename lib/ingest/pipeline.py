"""The ingest pipeline: fetch (or read a file) -> keep the raw payload -> parse -> resolve -> validate -> store.

Everything a run writes lands in one transaction (`lib.store.apply_import`); raw files are written under hidden
temporary names and moved into `data/snapshots/<source>/` only after the database swap succeeded, so a failure
leaves both the database and the snapshot folder as they were. A run killed between the swap and that move leaves
its files under their hidden names: the next writer's stale check moves them into place, since the database already
holds that import (`lib.store.finish_interrupted_imports`); a dead run's files of an import never swapped in are
deleted. Parsing and writing one payload is
`lib.ingest.load`'s, which the store also uses to replay the kept payloads when it rebuilds.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import mimetypes
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from lib import paths, queries, store
from lib.errors import DataError, UsageError
from lib.ingest import SOURCES, common, load, quarantine, source_module
from lib.ingest.artificial_analysis import MissingKey

# Test hooks: pause inside the import transaction (to SIGKILL a run deterministically), after touching a file.
HOOK_SLEEP_ENV = "FRONTIER_INGEST_HOOK_SLEEP"
HOOK_FILE_ENV = "FRONTIER_INGEST_HOOK_FILE"
MAX_LISTED = 15


class _NothingNew(Exception):
    """Raised inside the transaction when every payload was already imported: roll back, write nothing."""


def _progress(iterable, desc: str, total: int | None = None):
    from tqdm import tqdm

    return tqdm(iterable, desc=desc, total=total, file=sys.stderr, leave=False,
                disable=not sys.stderr.isatty())


def read_file(source: str, path: Path, retrieved_at: dt.datetime | None = None) -> common.Payload:
    module = source_module(source)
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"--from-file: no such file: {path}")
    cap = getattr(module, "MAX_BYTES", 64 * 1024 * 1024)
    if path.stat().st_size > cap:
        raise DataError(f"{source}: payload {path.name} of {path.stat().st_size:,} bytes exceeds the cap of "
                        f"{cap:,} bytes")
    ext = path.suffix.lstrip(".").lower() or "json"
    return common.Payload(source=source, body=path.read_bytes(), url=path.resolve().as_uri(),
                          retrieved_at=retrieved_at or dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
                          content_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream", ext=ext)


def _hook() -> None:
    seconds = os.environ.get(HOOK_SLEEP_ENV)
    if not seconds:
        return
    marker = os.environ.get(HOOK_FILE_ENV)
    if marker:
        Path(marker).write_text(str(os.getpid()))
    time.sleep(float(seconds))


def _clean_stale_partials(folder: Path) -> None:
    """Hidden temporaries left by a killed run (their pid is gone) are removed."""
    for files in store.dead_partials([folder] if folder.is_dir() else []).values():
        for tmp in files.values():
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def _meta(prep: load.Prepared, source: str) -> bytes:
    module = source_module(source)
    doc = {
        "source": source,
        "source_id": module.SOURCE_ID,
        "url": prep.payload.url,
        "retrieved_at": prep.payload.retrieved_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sha256": prep.sha256,
        "content_type": prep.payload.content_type,
        "bytes": len(prep.payload.body),
        "raw_file": prep.raw_name,
    }
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()


def run_source(source: str, *, from_file: Path | None = None, dry_run: bool = False, session=None,
               retrieved_at: dt.datetime | None = None, db_path: Path | None = None,
               snapshot_dir: Path | None = None, out=None, **fetch_options) -> dict:
    """One source end to end; returns a summary dict and prints a human summary to `out`."""
    if source not in SOURCES:
        raise UsageError(f"unknown source '{source}' (one of: {', '.join(SOURCES)}, all)")
    out = out or sys.stdout
    module = source_module(source)
    snapshot_dir = Path(snapshot_dir or paths.snapshot_dir())
    if from_file is not None:
        payloads = [read_file(source, from_file, retrieved_at)]
    else:
        payloads = module.fetch(session=session, **fetch_options)
        if retrieved_at is not None:
            for p in payloads:
                p.retrieved_at = retrieved_at
    db_path = store.ensure_db(db_path)

    con = store.connect_readonly(db_path)
    try:
        fresh, unchanged = [], 0
        for payload in _progress(payloads, f"{source}: parse", len(payloads)):
            sha = hashlib.sha256(payload.body).hexdigest()
            if con.execute(queries.SNAPSHOT_BY_SHA, [module.SOURCE_ID, sha]).fetchall():
                unchanged += 1
                continue
            fresh.append(load.prepare(con, source, payload))
    finally:
        con.close()
    summary = {"source": source, "status": "unchanged", "payloads": len(payloads), "unchanged_payloads": unchanged,
               "results": [], "skipped": [s for p in fresh for s in p.parsed.skipped], "dry_run": dry_run}
    import duckdb

    if not fresh:
        print(f"{source}: unchanged payload (already imported; same sha256) — nothing written", file=out)
        return summary

    folder = snapshot_dir / source
    finals = {folder / p.raw_name: p.payload.body for p in fresh}
    finals.update({folder / f"{p.raw_name}.meta.json": _meta(p, source) for p in fresh})

    def write(con):
        load.ensure_reference_rows(con, module)
        results = [load.import_one(con, module, p, f"{source}/{p.raw_name}") for p in fresh]
        _hook()
        if all(r["status"] != "imported" for r in results):
            raise _NothingNew()
        return results

    if dry_run:
        summary["results"] = _dry_run(db_path, write)
        summary["status"] = "dry-run"
        _print_summary(summary, fresh, out)
        return summary

    temps = {final: store.partial_path(final) for final in finals}
    moved: list[Path] = []
    try:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _clean_stale_partials(folder)
            for final, body in finals.items():
                temps[final].write_bytes(body)
        except OSError as exc:  # disk full, read-only folder: one line, nothing imported
            raise DataError(f"{source}: could not write the snapshot files in {folder}: "
                            f"{exc.strerror or exc}; nothing was imported") from None
        new_version = store.data_version(snapshot_dir=snapshot_dir, pending=finals)
        try:
            summary["results"] = store.apply_import(write, db_path, new_version=new_version)
        except duckdb.Error as exc:
            raise DataError(f"{source}: the store rejected the import: {str(exc).splitlines()[0]}") from None
        except _NothingNew:
            summary["status"] = "unchanged"
            print(f"{source}: unchanged payload (imported meanwhile by another run) — nothing written", file=out)
            return summary
        try:
            for final, tmp in temps.items():
                os.replace(tmp, final)
                moved.append(final)
        except OSError as exc:  # the database has the import; a rebuild would lose it until the files are there
            raise DataError(f"{source}: imported, but the snapshot files could not be moved into {folder}: "
                            f"{exc.strerror or exc}; run the same ingest again") from None
    finally:
        for tmp in temps.values():
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    summary["status"] = "imported"
    summary["files"] = [str(f) for f in moved if not f.name.endswith(".meta.json")]
    _print_summary(summary, fresh, out)
    return summary


def _dry_run(db_path: Path, write) -> list[dict]:
    import duckdb

    with tempfile.TemporaryDirectory(prefix="ingest-dry-run-") as tmp:
        copy = Path(tmp) / "dry.duckdb"
        shutil.copyfile(db_path, copy)
        con = duckdb.connect(str(copy))
        try:
            con.execute("BEGIN")
            try:
                return write(con)
            except _NothingNew:
                return []
            finally:
                con.execute("ROLLBACK")
        finally:
            con.close()


def _fmt(x) -> str:
    return "—" if x is None or (isinstance(x, float) and pd.isna(x)) else f"{x:g}"


def _print_summary(summary: dict, fresh: list[load.Prepared], out) -> None:
    source = summary["source"]
    verb = "would import (dry run, nothing written)" if summary["dry_run"] else "imported"
    results = summary["results"]
    new_models = sorted({m for r in results for m in r["new_models"]})
    changed = [c for r in results for c in r["changed"]]
    conflicts = [c for r in results for c in r["conflicts"]]
    print(f"{source}: {verb} {len(fresh)} payload(s)"
          + (f", {summary['unchanged_payloads']} unchanged" if summary["unchanged_payloads"] else ""), file=out)
    for r in results:
        if r.get("snapshot_id"):
            print(f"  snapshot {r['snapshot_id']}", file=out)
    print(f"  new models: {len(new_models)} (status queued: off the charts until reviewed)", file=out)
    for m in new_models[:MAX_LISTED]:
        print(f"    + {m}", file=out)
    if len(new_models) > MAX_LISTED:
        print(f"    … and {len(new_models) - MAX_LISTED} more", file=out)
    queued = sorted({e for r in results for e in r.get("queued", [])})
    print(f"  queued for review (unknown ids): {len(queued)}", file=out)
    for e in queued[:MAX_LISTED]:
        print(f"    ? {e}", file=out)
    if len(queued) > MAX_LISTED:
        print(f"    … and {len(queued) - MAX_LISTED} more", file=out)
    print(f"  prices: {len(changed)} changed, {sum(r['new_prices'] for r in results)} new, "
          f"{sum(r['unchanged_prices'] for r in results)} unchanged, {len(conflicts)} conflicts", file=out)
    for c in changed[:MAX_LISTED]:
        print(f"    ~ {c['model_id']} [{c['provider']}/{c['tier']}]: input {_fmt(c['old_input'])} → "
              f"{_fmt(c['new_input'])}, output {_fmt(c['old_output'])} → {_fmt(c['new_output'])}"
              + (f", cache read {_fmt(c['old_cache_read'])} → {_fmt(c['new_cache_read'])}"
                 if _fmt(c["old_cache_read"]) != _fmt(c["new_cache_read"]) else "")
              + " USD/Mtok", file=out)
    if len(changed) > MAX_LISTED:
        print(f"    … and {len(changed) - MAX_LISTED} more", file=out)
    for c in conflicts[:MAX_LISTED]:
        print(f"    ! {c['model_id']} [{c['provider']}/{c['tier']}]: a different price already starts on "
              f"{str(c['old_from'])[:10]}; kept the stored one", file=out)
    held = [h for r in results for h in r.get("held", [])]
    if held:

        print(f"  held for review: {len(held)} price change(s) beyond {quarantine.max_factor():g}× the previous "
              "price (imported when a later payload shows them again, or when accepted in "
              "data/reviews/price_jumps.csv)", file=out)
        for h in held[:MAX_LISTED]:
            print(f"    ? {h['model_id']} [{h['provider']}/{h['tier']}]: input {_fmt(h['prev_input'])} → "
                  f"{_fmt(h['input_usd_per_mtok'])}, output {_fmt(h['prev_output'])} → "
                  f"{_fmt(h['output_usd_per_mtok'])} USD/Mtok ({h['factor']:,.0f}×)", file=out)
    print(f"  scores: {sum(r['scores'] for r in results)}", file=out)
    skipped = summary["skipped"]
    print(f"  skipped rows: {len(skipped)}", file=out)
    for s in skipped[:MAX_LISTED]:
        print(f"    - {s.external_id} ({s.field}): {s.reason}", file=out)
    if len(skipped) > MAX_LISTED:
        print(f"    … and {len(skipped) - MAX_LISTED} more", file=out)


def run_all(*, dry_run: bool = False, out=None, err=None, **kwargs) -> dict[str, dict | Exception]:
    """Every source in turn; one failing source is reported and the others still run."""

    out, err = out or sys.stdout, err or sys.stderr
    outcomes: dict[str, dict | Exception] = {}
    for source in _progress(list(SOURCES), "ingest all"):
        try:
            outcomes[source] = run_source(source, dry_run=dry_run, out=out, **kwargs)
        except MissingKey as exc:  # not configured is not broken: report and go on
            outcomes[source] = {"source": source, "status": "skipped", "reason": str(exc)}
            print(f"{source}: skipped: {exc}", file=out)
        except DataError as exc:
            outcomes[source] = exc
            print(f"error: {exc}", file=err)
    return outcomes
