"""Small helpers every benchmark shares: timing and a plain-text table."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Sequence


def measure_all(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> list[float]:
    """Wall-clock milliseconds of ``repeat`` calls (after ``warmup`` untimed calls)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return times


def measure(fn: Callable[[], object], repeat: int = 5) -> float:
    """Best (minimum) milliseconds of ``repeat`` calls: the least noisy figure on a busy box."""
    return min(measure_all(fn, repeat))


def median_ms(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median milliseconds of ``repeat`` calls."""
    return statistics.median(measure_all(fn, repeat))


def measure_interleaved(
    fns: Sequence[Callable[[], object]], repeat: int = 5, warmup: int = 1
) -> list[float]:
    """Best milliseconds of each function, run in turn ``repeat`` times.

    Alternating the candidates exposes them to the same background load, which makes
    their ratio fair on a shared machine.
    """
    for _ in range(warmup):
        for fn in fns:
            fn()
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            gc.collect()
            start = time.perf_counter()
            fn()
            best[i] = min(best[i], (time.perf_counter() - start) * 1000.0)
    return best


def print_table(title: str, rows: Sequence[Sequence[object]], headers: Sequence[str]) -> None:
    """Print ``rows`` under ``headers`` as an aligned text table."""
    cells = [[str(h) for h in headers]] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    print(title)
    line = "  ".join("-" * w for w in widths)
    for n, row in enumerate(cells):
        print(
            "  ".join(
                v.rjust(w) if n and i else v.ljust(w)
                for i, (v, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print(line)
    print()


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)
