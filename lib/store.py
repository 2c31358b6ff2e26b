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
import threading
import uuid
from pathlib import Path
from typing import Callable, Iterable, Iterator

import duckdb

from lib import paths, queries, schema
from lib.errors import CorruptDatabase, DatabaseBusy, DataError
from lib.ingest import load


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


def _first_line(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def writable_location(db_path: Path) -> bool:
    """Whether a writer could replace the database here (its folder writable; the lock file too if present)."""
    folder = Path(db_path).parent
    lock = Path(str(db_path) + ".lock")
    return os.access(folder, os.W_OK | os.X_OK) and (not lock.exists() or os.access(lock, os.W_OK))


@contextlib.contextmanager
def writer_lock(db_path: Path) -> Iterator[None]:
    """One writer at a time (fcntl lock beside the database file)."""
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(str(db_path) + ".lock", "a+")
    except OSError as exc:
        raise DataError(f"cannot write the database in {db_path.parent}: {_first_line(exc)}") from None
    with fh:
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
    """Re-import the raw payloads kept by live ingest, oldest first (lib.ingest.load owns the parsing)."""
    if not snapshot_dir.is_dir() or not any(snapshot_dir.rglob("*.meta.json")):
        return
    load.replay_snapshots(con, snapshot_dir)


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
                # Every file a writer produces is told apart by readers (lib.store.LiveReader) by this id.
                con.execute(queries.SET_META, ["file_id", uuid.uuid4().hex])
                con.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                raise
        finally:
            con.close()
        os.replace(tmp, db_path)
    except (OSError, duckdb.IOException, duckdb.FatalException) as exc:  # disk full, read-only, size limit: one line
        _remove(tmp)
        raise DataError(f"could not write the database {db_path}: {_first_line(exc)}; it was left as it was") \
            from None
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
        return _checked_version(db_path, full=False)
    except (CorruptDatabase, DatabaseBusy):
        return None


def _is_busy(exc: BaseException) -> bool:
    """A connection refused for who holds the file, not for what is in it."""
    text = str(exc)
    return isinstance(exc, duckdb.ConnectionException) or "Could not set lock" in text or "Conflicting lock" in text


def _checked_version(db_path: Path, *, full: bool) -> str | None:
    """The data version stored in the file. Raises CorruptDatabase when the file cannot be opened or read as a
    database of this project; with `full`, every table is read in full, so DuckDB checks every block's checksum.

    Raises DatabaseBusy (not a reason to rebuild) when the file is locked by a writer in another process or open in
    this one with other settings. While a connection to `db_path` is open in this process DuckDB answers from it.
    """
    try:
        # The readers' own settings: DuckDB refuses a second connection to an open file with other settings.
        con = duckdb.connect(str(db_path), read_only=True, config=reader_config())
    except duckdb.Error as exc:
        if _is_busy(exc):
            raise DatabaseBusy(_first_line(exc)) from None
        raise CorruptDatabase(_first_line(exc)) from None
    try:
        if full:
            queries.read_every_table(con)
        return queries.meta(con).get("data_version")
    except duckdb.Error as exc:
        raise CorruptDatabase(_first_line(exc)) from None
    finally:
        con.close()


# Files this process has read in full (path, inode, mtime, size): a second check of the same file is cheap.
_VERIFIED: set[tuple] = set()


def _file_key(db_path: Path) -> tuple | None:
    try:
        st = os.stat(db_path)
    except OSError:
        return None
    return (str(db_path), st.st_ino, st.st_mtime_ns, st.st_size)


def _build_reason(db_path: Path, *, verify: bool, check_stale: bool) -> str | None:
    """Why the database must be (re)built: 'missing', 'corrupt: …', 'stale', or None when it can be used."""
    if not db_path.exists():
        return "missing"
    key = _file_key(db_path)
    full = verify and key not in _VERIFIED
    try:
        stored = _checked_version(db_path, full=full)
    except CorruptDatabase as exc:
        return f"corrupt: {exc}"
    except DatabaseBusy:
        return None  # in use, not damaged: the caller's own open reports it if it cannot read the file
    if full and key is not None:
        _VERIFIED.add(key)
    if stored is None:
        return "corrupt: it has no data version"
    if stored.startswith(EXTERNAL_VERSION_PREFIX):
        return None  # a store built by other means (a benchmark's): used as it is, never rebuilt over
    if check_stale and paths.seed_dir().is_dir() and stored != data_version():
        return "stale"
    return None


PARTIAL_MARK = ".partial-"  # an import's snapshot file before it is moved into place: `.<name>.partial-<pid>`


def partial_path(final: Path, pid: int | None = None) -> Path:
    """Where an import writes `final` before it is moved into place (hidden, named after the writing process)."""
    return final.with_name(f".{final.name}{PARTIAL_MARK}{os.getpid() if pid is None else pid}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dead_partials(folders: Iterable[Path]) -> dict[int, dict[Path, Path]]:
    """The partial files in `folders` whose writing process is gone: {pid: {final path: partial path}}."""
    by_pid: dict[int, dict[Path, Path]] = {}
    for folder in folders:
        for tmp in Path(folder).glob(f".*{PARTIAL_MARK}*"):
            name, _, pid = tmp.name[1:].rpartition(PARTIAL_MARK)
            if name and not (pid.isdigit() and _pid_alive(int(pid))):  # no pid in the name: no live writer either
                by_pid.setdefault(int(pid) if pid.isdigit() else -1, {})[tmp.with_name(name)] = tmp
    return by_pid


def finish_interrupted_imports(db_path: Path, snapshot_dir: Path | None = None) -> list[Path]:
    """Move into place the snapshot files of an import killed after its database swap and before its files were
    moved (`.<name>.partial-<pid>` of a process that is gone, in `snapshot_dir/<source>/`): the database holds that
    import and its data version counts those files, so without them the next stale check would rebuild from the
    folder and drop a whole import. Files of an import whose swap did not happen stay (the ingest deletes them).
    Returns the files moved. Call with the writer lock held."""
    snapshot_dir = Path(snapshot_dir or paths.snapshot_dir())
    by_pid = dead_partials(p for p in snapshot_dir.glob("*") if p.is_dir())
    if not by_pid or not Path(db_path).exists():
        return []
    try:
        stored = _checked_version(Path(db_path), full=False)
    except (CorruptDatabase, DatabaseBusy):
        return []
    moved: list[Path] = []
    for files in by_pid.values():
        pending = {final: tmp.read_bytes() for final, tmp in files.items()}
        if stored == data_version(snapshot_dir=snapshot_dir, pending=pending):
            for final, tmp in files.items():
                os.replace(tmp, final)
                moved.append(final)
    return moved


def ensure_db(db_path: Path | None = None, *, verify: bool = False, check_stale: bool = True,
              notices: list[str] | None = None) -> Path:
    """Return a usable database: built when missing, rebuilt when corrupt and (with `check_stale`) when older than
    the committed seed and snapshots. `verify` reads every table in full to find damaged blocks.

    Messages a user should see (a corrupt file rebuilt; a stale file served from a read-only folder) are appended
    to `notices`. Raises DataError (one line) when no usable database can be had.
    """
    db_path = Path(db_path or paths.default_db_path())
    notices = [] if notices is None else notices
    reason = _build_reason(db_path, verify=verify, check_stale=check_stale)
    if reason is None:
        return db_path
    if not paths.seed_dir().is_dir():
        raise DataError(f"the database at {db_path} is {reason} and there is no seed folder at "
                        f"{paths.seed_dir()} to build it from")
    if not writable_location(db_path):
        if reason == "stale":
            notices.append(f"the database at {db_path} is older than the seed and snapshot files, and its folder "
                           "is read-only: serving it as it is (run `python -m lib build` where it can be written)")
            return db_path
        raise DataError(f"the database at {db_path} is {reason}, and its folder {db_path.parent} is read-only: "
                        "it cannot be rebuilt here")
    with writer_lock(db_path):
        if reason == "stale":
            finish_interrupted_imports(db_path)
        reason = _build_reason(db_path, verify=verify, check_stale=check_stale)  # another process may have built it
        if reason is not None:
            _build_locked(db_path, paths.seed_dir(), paths.snapshot_dir())
    if reason and reason.startswith("corrupt"):
        notices.append(f"the database at {db_path} was corrupt ({reason[len('corrupt: '):]}); it was rebuilt from "
                       "the seed and the kept snapshots")
    return db_path


# A reader shares a small machine with the web server: DuckDB's memory (buffer pool and query working memory; a
# query that needs more spills to `<db>.tmp`) and its threads are capped. FRONTIER_DB_MEMORY / FRONTIER_DB_THREADS
# override (DuckDB's own defaults are 80 % of RAM and every core). The limit also caps the table blocks DuckDB keeps
# cached after a scan, which is most of a server's memory above its libraries' (docs/ARCHITECTURE.md, "Server
# memory at 10M intervals").
READER_MEMORY_LIMIT = "160MB"
READER_THREADS = 2


def reader_config() -> dict:
    return {"memory_limit": os.environ.get("FRONTIER_DB_MEMORY") or READER_MEMORY_LIMIT,
            "threads": int(os.environ.get("FRONTIER_DB_THREADS") or READER_THREADS)}


def connect_readonly(db_path: Path | None = None):
    """A read-only connection: what the dashboard and every query use (memory and threads capped)."""
    return duckdb.connect(str(db_path or paths.default_db_path()), read_only=True, config=reader_config())


class LiveReader:
    """One read-only connection that follows the database file across writers' swaps, for a long-running process.

    `refresh()` (cheap: one stat) notices a new file (inode, mtime or size changed) and reopens it. DuckDB hands back
    the database already open in this process for a path, so the old connection is closed first, and only once no
    cursor taken from it is in use (the last one to finish performs a pending swap). The reader never rebuilds a
    database except when the file is missing or corrupt; on its first open it also rebuilds a stale one (or, in a
    read-only folder, serves it with a warning in `notice`).
    """

    SWAP_WAIT_S = 2.0  # how long a refresh waits for running queries before serving the old file once more

    def __init__(self, db_path: Path):
        self.path = Path(db_path)
        self._lock = threading.RLock()
        self._idle = threading.Condition(self._lock)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._stamp: tuple | None = None
        self._active = 0
        self._pending = False
        self.version: str | None = None
        self.meta: dict = {}
        self.opened = 0  # how many files this reader has opened
        self.notice: str | None = None  # a lasting warning (stale database served as it is)
        self.events: list[str] = []  # one-off messages (a corrupt database rebuilt)

    def _file_stamp(self) -> tuple | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def refresh(self) -> None:
        """Open the database, or the new file a writer swapped in since the last call."""
        stamp = self._file_stamp()
        with self._lock:
            if self._con is not None and stamp is not None and stamp == self._stamp:
                return
            if self._con is not None and self._active:
                # Queries are running on the old file: wait a moment for them, else the last one out swaps.
                self._idle.wait_for(lambda: not self._active, timeout=self.SWAP_WAIT_S)
                if self._active:
                    self._pending = True
                    return
            self._swap()

    def _swap(self) -> None:
        self._pending = False
        if self._con is not None:
            self._con.close()  # first, or DuckDB would hand the old database back to the new connection
            self._con = None
        notices: list[str] = []
        ensure_db(self.path, verify=True, check_stale=self.opened == 0, notices=notices)
        stamp = self._file_stamp()
        con = connect_readonly(self.path)
        try:
            meta = queries.meta(con)
        except duckdb.Error:
            con.close()
            raise
        self._con, self._stamp, self.meta = con, stamp, meta
        self.version = meta.get("data_version") or f"{self.path}:{stamp}"
        self.opened += 1
        for n in notices:
            if "read-only" in n and "older than" in n:
                self.notice = n
            else:
                self.events.append(n)
        if self.opened > 1 and not any("older than" in n for n in notices):
            self.notice = None

    @contextlib.contextmanager
    def cursor(self) -> Iterator:
        """A cursor on the current file; the file is not closed under it."""
        with self._lock:
            if self._con is None:
                self._swap()
            self._active += 1
            con = self._con
            assert con is not None  # _swap() opened it
        try:
            cur = con.cursor()
            queries.note_cursor(con, cur)  # the connection's file id, asked once per connection (not per cursor)
            try:
                yield cur
            finally:
                cur.close()
        finally:
            with self._lock:
                self._active -= 1
                if not self._active:
                    self._idle.notify_all()
                if self._pending and not self._active:
                    with contextlib.suppress(Exception):  # the next refresh() reports what went wrong
                        self._swap()

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None


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
