"""One "today" per process (lib.clock): FRONTIER_TODAY pins it, so a test run, a server and the commands beside it
that span midnight agree on the date; a malformed value is a one-line usage error."""
from __future__ import annotations

import datetime as dt
import os

from lib import clock
from tests.conftest import run_cli


def test_the_session_pins_one_today_that_every_command_reads(frontier_env):
    # conftest pins FRONTIER_TODAY once for the session: the page, the command and the test read the same day
    assert clock.today().isoformat() == os.environ["FRONTIER_TODAY"]


def test_a_pinned_today_decides_what_is_in_the_future(frontier_env):
    day = "2024-07-15"
    pinned = run_cli("snapshot", "--as-of", day, "--format", "csv", env={"FRONTIER_TODAY": "2024-06-30"})
    assert pinned.returncode == 0, pinned.stderr
    assert "future" in pinned.stderr and day in pinned.stderr
    real = run_cli("snapshot", "--as-of", day, "--format", "csv",
                   env={"FRONTIER_TODAY": dt.date.today().isoformat()})
    assert real.returncode == 0 and "future" not in real.stderr
    assert pinned.stdout == real.stdout  # the day only moves the warning, never the data at a given as-of date


def test_a_malformed_today_is_a_one_line_usage_error(frontier_env):
    out = run_cli("snapshot", "--as-of", "2024-07-15", env={"FRONTIER_TODAY": "29/11/2026"})
    assert out.returncode == 2
    lines = [x for x in out.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "FRONTIER_TODAY" in lines[0] and "YYYY-MM-DD" in lines[0]
