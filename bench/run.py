"""`make bench`: every benchmark in one run, one report."""

from __future__ import annotations

import importlib
import inspect
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCHMARKS = [
    "bench.bench_session",
    "bench.bench_pcsc",
    "bench.bench_cms",
    "bench.bench_ledger",
    "bench.bench_kiosk",
]


def machine() -> str:
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    import os

    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str]) -> int:
    wanted = [b for b in BENCHMARKS if not argv or any(a in b for a in argv)]
    print(f"# jpki benchmarks — {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"# machine: {machine()}\n")
    failed = 0
    for name in wanted:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            print(f"## {name}: not available ({exc})\n")
            continue
        print(f"## {name}")
        start = time.perf_counter()
        try:
            takes_argv = bool(inspect.signature(module.main).parameters)
            module.main([]) if takes_argv else module.main()
        except Exception as exc:  # keep going: one broken benchmark must not hide the rest
            failed += 1
            print(f"!! {name} failed: {type(exc).__name__}: {exc}")
        print(f"({time.perf_counter() - start:.1f} s)\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
