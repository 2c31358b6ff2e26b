"""Error types shared by the CLI, the store and the pages.

UsageError: a bad argument (the CLI prints one line and exits 2). DataError: bad input data (nothing is written).
"""


class UsageError(Exception):
    """A bad argument from the user: unknown metric or model, malformed date, ..."""


class DataError(Exception):
    """Input data that cannot be imported; the database is left as it was."""


class CorruptDatabase(DataError):
    """The database file cannot be opened or read (damaged blocks, not a DuckDB file)."""


class DatabaseBusy(DataError):
    """The database file is fine but cannot be opened right now: another process holds the writer's lock, or this
    process already has it open with other settings. Never a reason to rebuild it."""
