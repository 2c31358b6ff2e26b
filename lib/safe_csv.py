"""The one guard for every CSV the project writes (dashboard downloads, exports, CLI output): control characters
are removed from text cells and a cell a spreadsheet would run as a formula gets a leading apostrophe. Decided by
each cell's content, not the column dtype (pandas 3 text columns are `str`, not `object`).
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# C0/C1 controls (tab, LF and CR excepted: CSV quoting carries them), zero-width and bidirectional-override
# characters: they break exports and can disguise a name. lib.views strips the same set from displayed text.
CONTROL_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)


def neutralise_cell(value):
    if not isinstance(value, str):
        return value
    value = CONTROL_CHARS.sub("", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells starting with = + - @ tab or CR are prefixed with an apostrophe; numbers,
    dates and booleans are left alone whatever the column's dtype."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        out[col] = s.map(neutralise_cell)
    return out


# CRLF (RFC 4180): Python's csv quotes a field holding a line-end character only if that character is in the line
# terminator, so with "\n" alone a cell with a bare CR would be written unquoted and split the row when read back.
LINE_END = "\r\n"


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV (RFC 4180 line ends), formulas neutralised."""
    return neutralise_formulas(df).to_csv(index=False, lineterminator=LINE_END).encode("utf-8")


def write_csv(df: pd.DataFrame, out) -> None:
    """`to_csv_bytes` to a text stream (the CLI's standard output)."""
    neutralise_formulas(df).to_csv(out, index=False, lineterminator=LINE_END)
