"""URL parameters of the dashboard: one typed parser per kind (date, month, choice, list, bool, number, range)
and the matching formatter. Pure (no Streamlit); lib/ui.py reads and writes `st.query_params` through these.

Each parser takes the raw text from the URL and returns the value, or None when the text is not valid for the
widget (the page then keeps its default and says which parameter it ignored).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Sequence

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _text(raw) -> str | None:
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else None
    if raw is None:
        return None
    text = str(raw).strip()
    return text or None


def parse_date(raw, lo: dt.date | None = None, hi: dt.date | None = None) -> dt.date | None:
    """YYYY-MM-DD (also with a trailing label, e.g. "2024-06-01 (today)") or YYYY-MM (the month's last day,
    clipped to `hi`); None outside [lo, hi] or when not a date."""
    text = _text(raw)
    if text is None:
        return None
    m = re.match(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ].*)?$", text)
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    try:
        if m.group(3):
            day = dt.date(year, month, int(m.group(3)))
        else:
            first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
            day = first_next - dt.timedelta(days=1)
            if hi is not None and day > hi and dt.date(year, month, 1) <= hi:
                day = hi  # the current month: its newest day in the data
    except ValueError:
        return None
    if (lo is not None and day < lo) or (hi is not None and day > hi):
        return None
    return day


def parse_month_option(raw, options: Sequence[dt.date]) -> dt.date | None:
    """A date or month in the URL → the option (a month-end date) of the same month; dates before the first or
    after the last option are not valid."""
    if not options:
        return None
    day = parse_date(raw)
    if day is None:
        return None
    for opt in options:
        if (opt.year, opt.month) == (day.year, day.month):
            return opt
    return None


def format_date(value) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)


def format_month(value) -> str:
    return format_date(value)[:7]


def parse_choice(raw, options: Sequence, labels: dict | None = None):
    """One of `options`, by its id or its shown label (case-insensitive)."""
    text = _text(raw)
    if text is None:
        return None
    low = text.lower()
    for opt in options:
        if str(opt).lower() == low:
            return opt
    for opt, label in (labels or {}).items():
        if opt in options and str(label).lower() == low:
            return opt
    return None


def parse_list(raw, options: Sequence, labels: dict | None = None) -> list | None:
    """A repeated parameter (or one comma-separated value) → the valid options in it, in order; None if the
    parameter names none of them."""
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    parts = [p for item in items if item is not None for p in str(item).split(",") if p.strip()]
    out = [v for v in (parse_choice(p, options, labels) for p in parts) if v is not None]
    return list(dict.fromkeys(out)) if out else None


def parse_bool(raw) -> bool | None:
    text = _text(raw)
    if text is None:
        return None
    low = text.lower()
    return True if low in _TRUE else False if low in _FALSE else None


def format_bool(value) -> str:
    return "true" if value else "false"


def parse_number(raw, lo: float | None = None, hi: float | None = None) -> float | None:
    text = _text(raw)
    if text is None:
        return None
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        return None
    if not math.isfinite(value) or (lo is not None and value < lo) or (hi is not None and value > hi):
        return None
    return value


def format_number(value) -> str:
    return f"{float(value):g}"


def parse_date_range(raw, lo: dt.date | None = None, hi: dt.date | None = None) -> tuple | None:
    """Two dates (repeated parameter, or "from,to" / "from..to") → (from, to) in order, clipped to [lo, hi]."""
    items = list(raw) if isinstance(raw, (list, tuple)) else [raw]
    parts = [p for item in items if item is not None for p in re.split(r",|\.\.", str(item)) if p.strip()]
    if len(parts) != 2:
        return None
    a, b = parse_date(parts[0]), parse_date(parts[1])
    if a is None or b is None:
        return None
    a, b = min(a, b), max(a, b)
    if lo is not None:
        a, b = max(a, lo), max(b, lo)
    if hi is not None:
        a, b = min(a, hi), min(b, hi)
    return (a, b)
