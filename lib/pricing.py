"""Price bases for comparing models: blended (input:output ratio), input only, output only, with cache hits.

Also the monthly cost of a workload for the calculator. Pure and vectorised: scalars, numpy arrays or pandas
Series in, the same kind out (a Series keeps its index). All prices are USD per million tokens.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lib.errors import UsageError

__all__ = [
    "DEFAULT_RATIO", "BASES", "parse_ratio", "effective_input_price", "blended_price", "input_price",
    "output_price", "price_basis", "monthly_cost",
]

# Artificial Analysis's blend: (3 * input + output) / 4.
DEFAULT_RATIO = (3.0, 1.0)
BASES = ("blended", "input", "output")

_RATIO_RE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*:\s*(\d+(?:\.\d*)?|\.\d+)\s*$")


def parse_ratio(ratio) -> tuple[float, float]:
    """``"3:1"`` → ``(3.0, 1.0)``. Accepts a (input, output) pair too. Raises UsageError when malformed.

    Both parts must be non-negative numbers and not both zero ("0:1" = output only, "1:0" = input only).
    """
    if isinstance(ratio, str):
        m = _RATIO_RE.match(ratio)
        if not m:
            raise UsageError(f"malformed input:output ratio {ratio!r}; expected e.g. '3:1'")
        a, b = float(m.group(1)), float(m.group(2))
    else:
        try:
            a, b = (float(x) for x in ratio)
        except (TypeError, ValueError):
            raise UsageError(f"malformed input:output ratio {ratio!r}; expected e.g. '3:1'") from None
    if not (np.isfinite(a) and np.isfinite(b)) or a < 0 or b < 0 or a + b == 0:
        raise UsageError(f"input:output ratio {ratio!r} must be two non-negative numbers, not both zero")
    return a, b


def _check_rate(cache_hit_rate) -> None:
    rate = np.asarray(cache_hit_rate, dtype=float)
    if np.any(~np.isfinite(rate)) or np.any((rate < 0) | (rate > 1)):
        raise UsageError(f"cache-hit rate must be between 0 and 1, got {cache_hit_rate!r}")


def _as_float(x):
    if isinstance(x, pd.Series):
        return x.astype(float)
    return np.asarray(x, dtype=float)


def _wrap(values, *likes):
    """Return a Series on the first Series input's index, else a numpy value (0-d → float)."""
    for like in likes:
        if isinstance(like, pd.Series):
            return pd.Series(np.asarray(values, dtype=float), index=like.index)
    arr = np.asarray(values, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


def effective_input_price(input_usd_per_mtok, cache_hit_rate=0.0, cache_read_usd_per_mtok=None):
    """Average input price when a share ``cache_hit_rate`` of input tokens hits the prompt cache.

    Cached tokens are billed at the cache-read price where it is known; where it is missing (None or NaN)
    they are billed at the ordinary input price, i.e. no discount is assumed.
    """
    _check_rate(cache_hit_rate)
    inp = np.asarray(input_usd_per_mtok, dtype=float)
    rate = np.asarray(cache_hit_rate, dtype=float)
    if cache_read_usd_per_mtok is None:
        cached = inp
    else:
        cr = np.asarray(cache_read_usd_per_mtok, dtype=float)
        cached = np.where(np.isnan(cr), inp, cr)
    return _wrap((1.0 - rate) * inp + rate * cached, input_usd_per_mtok, cache_read_usd_per_mtok)


def blended_price(input_usd_per_mtok, output_usd_per_mtok, ratio=DEFAULT_RATIO, cache_hit_rate=0.0,
                  cache_read_usd_per_mtok=None):
    """Token-weighted price: ``(a * input + b * output) / (a + b)`` for ratio ``a:b`` (default 3:1).

    Example: input 5, output 15 at 3:1 → (15 + 15) / 4 = 7.5. NaN in either price gives NaN, except that a
    zero weight ignores that side ("1:0" is input only even where output is unknown).
    """
    a, b = parse_ratio(ratio)
    inp = np.asarray(effective_input_price(input_usd_per_mtok, cache_hit_rate, cache_read_usd_per_mtok), dtype=float)
    out = np.asarray(output_usd_per_mtok, dtype=float)
    with np.errstate(invalid="ignore"):
        num = (inp * a if a else 0.0) + (out * b if b else 0.0)
    return _wrap(num / (a + b), input_usd_per_mtok, output_usd_per_mtok)


def input_price(input_usd_per_mtok, cache_hit_rate=0.0, cache_read_usd_per_mtok=None):
    """Input-only price basis (with the optional cache-hit discount)."""
    return effective_input_price(input_usd_per_mtok, cache_hit_rate, cache_read_usd_per_mtok)


def output_price(output_usd_per_mtok):
    """Output-only price basis."""
    return _wrap(np.asarray(output_usd_per_mtok, dtype=float), output_usd_per_mtok)


def price_basis(df: pd.DataFrame, basis: str = "blended", ratio=DEFAULT_RATIO, cache_hit_rate: float = 0.0) -> pd.Series:
    """The chosen price basis for each row of a frame with the store's price columns.

    Columns used: ``input_usd_per_mtok``, ``output_usd_per_mtok`` and, if present, ``cache_read_usd_per_mtok``.
    """
    if basis not in BASES:
        raise UsageError(f"unknown price basis {basis!r}; choose one of {', '.join(BASES)}")
    inp = df["input_usd_per_mtok"].astype(float)
    out = df["output_usd_per_mtok"].astype(float)
    cr = df["cache_read_usd_per_mtok"].astype(float) if "cache_read_usd_per_mtok" in df else None
    if basis == "input":
        return input_price(inp, cache_hit_rate, cr)
    if basis == "output":
        return output_price(out)
    return blended_price(inp, out, ratio, cache_hit_rate, cr)


def monthly_cost(input_usd_per_mtok, output_usd_per_mtok, input_tokens_per_month, output_tokens_per_month,
                 cache_hit_rate=0.0, cache_read_usd_per_mtok=None):
    """USD per month for a workload of input and output tokens (absolute counts, not millions).

    Example: 10 M input at $5 and 2 M output at $15 → 50 + 30 = $80.
    """
    tin = np.asarray(input_tokens_per_month, dtype=float)
    tout = np.asarray(output_tokens_per_month, dtype=float)
    if np.any(tin < 0) or np.any(tout < 0):
        raise UsageError("token counts must be non-negative")
    inp = np.asarray(effective_input_price(input_usd_per_mtok, cache_hit_rate, cache_read_usd_per_mtok), dtype=float)
    out = np.asarray(output_usd_per_mtok, dtype=float)
    with np.errstate(invalid="ignore"):
        cost = (tin * inp + tout * out) / 1e6
    return _wrap(cost, input_usd_per_mtok, output_usd_per_mtok, cache_read_usd_per_mtok)
