"""What day it is for the dashboard: today's calendar date, or `FRONTIER_TODAY` (YYYY-MM-DD) when it is set.

Every "today" in the library, the pages and the commands comes from here, so one process that spans midnight (a
test session, a long deck export, a server and the commands run beside it) can pin the day once and agree with
itself. A malformed `FRONTIER_TODAY` is a usage error, never silently ignored.
"""
from __future__ import annotations

import datetime as dt
import os

from lib.errors import UsageError

ENV = "FRONTIER_TODAY"


def today() -> dt.date:
    raw = (os.environ.get(ENV) or "").strip()
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"{ENV} must be a date as YYYY-MM-DD, not {raw[:40]!r}") from None
