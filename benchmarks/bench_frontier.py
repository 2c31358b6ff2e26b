"""Times `lib.frontier.pareto_mask` on 1 M random points against `numpy.argsort` on the same prices.

Issue 4 target: the frontier takes at most 2x argsort. Run: `python benchmarks/bench_frontier.py [n] [repeats]`.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lib.frontier import pareto_mask  # noqa: E402


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(n: int = 1_000_000, repeats: int = 7) -> int:
    rng = np.random.default_rng(0)
    price = rng.lognormal(0.0, 2.0, n)
    quality = rng.uniform(0.0, 100.0, n)
    # 1 % NaN and a block of exact ties, so the slow paths are exercised too.
    price[rng.integers(0, n, n // 100)] = np.nan
    price[: n // 10] = np.round(price[: n // 10], 1)

    t_sort = best_of(lambda: np.argsort(price), repeats)
    t_front = best_of(lambda: pareto_mask(price, quality), repeats)
    on = int(pareto_mask(price, quality).sum())
    print(f"n={n:,} repeats={repeats} (best of)")
    print(f"numpy.argsort(price): {t_sort * 1e3:8.1f} ms")
    print(f"pareto_mask:          {t_front * 1e3:8.1f} ms   ({on} points on the frontier)")
    print(f"ratio: {t_front / t_sort:.2f}x  (target <= 2x)")
    return 0 if t_front <= 2 * t_sort else 1


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    raise SystemExit(main(*args))
