"""Small helpers shared by the benchmarks: timing with interleaved rounds, tables."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def best_rate(fn: Callable[[], int], *, rounds: int = 5, min_time: float = 0.2) -> float:
    """Operations per second of ``fn`` (which returns how many operations it did): best round."""
    rates = []
    for _ in range(rounds):
        ops, start = 0, time.perf_counter()
        while True:
            ops += fn()
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        rates.append(ops / elapsed)
    return max(rates)


def interleaved(
    fns: dict[str, Callable[[], int]], *, rounds: int = 7, min_time: float = 0.15
) -> dict[str, float]:
    """Median ops/s of each function, measured in alternating rounds so drift hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            samples[name].append(best_rate(fn, rounds=1, min_time=min_time))
    return {name: statistics.median(values) for name, values in samples.items()}


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True))  # noqa: E731
    return "\n".join([line(header), line(tuple("-" * w for w in widths)), *map(line, rows)])
