"""`make bench`: every benchmark in one run, one report, ending with a summary of the headline
figures.

Each module's ``main()`` prints its own tables. For the summary, a module's ``main()`` may return
its headline figures as ``{figure: (value, goal)}`` (bench_soak does); for the others the figures
are read from what they printed (the parsers below). ``python bench/run.py kiosk soak`` runs the
benchmarks whose names contain one of the words.
"""

from __future__ import annotations

import importlib
import inspect
import io
import os
import platform
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import table

BENCHMARKS = [
    "bench.bench_session",
    "bench.bench_pcsc",
    "bench.bench_cms",
    "bench.bench_ledger",
    "bench.bench_office",
    "bench.bench_limits",
    "bench.bench_kiosk",
    "bench.bench_apdus",
    "bench.bench_soak",
]

Figure = tuple[str, str, str]  # figure, value, goal ("-": none)


def machine() -> str:
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


# -- the headline figures of the modules that only print them ---------------------------------


def _session(text: str) -> list[Figure]:
    out: list[Figure] = []
    budgets = re.findall(r"^\S.*?\s(\d+)\s+(\d+)\s+(ok|OVER)\s*$", text, flags=re.M)
    if budgets:
        within = sum(1 for _used, _budget, verdict in budgets if verdict == "ok")
        out.append(("APDUs per operation within budget", f"{within} of {len(budgets)}", "all"))
    for label, name in (
        ("PC/SC (pcscd + vpcd, mock card)", "library/raw APDU time, PC/SC (vpcd)"),
        ("in-process mock card", "library/raw APDU time, in-process card"),
    ):
        m = re.search(rf"^{re.escape(label)}\s+\S+ ms\s+\S+ ms\s+([\d.]+)", text, flags=re.M)
        if m:  # the goal is for a card (PC/SC); in process the card's own cost is tiny
            out.append((name, m.group(1), "<= 1.10" if "PC/SC" in label else "-"))
    return out


def _pcsc(text: str) -> list[Figure]:
    out: list[Figure] = []
    m = re.search(r"^ours\s+([\d,]+)", text, flags=re.M)
    if m:
        out.append(("APDU/s through pcscd + vpcd (PcscTransport)", m.group(1), "-"))
    for ours, raw in (("ours", "scard"), ("ours", "pyscard"), ("channel", "scard")):
        m = re.search(rf"^\s*{ours}/{raw}: ([\d.]+)", text, flags=re.M)
        if m:
            name = {"ours": "PcscTransport", "channel": "ApduChannel"}[ours]
            other = {"scard": "raw SCardTransmit", "pyscard": "pyscard CardConnection"}[raw]
            out.append((f"APDU rate {name} / {other}", m.group(1), ">= 0.90"))
    return out


def _cms(text: str) -> list[Figure]:
    out: list[Figure] = []
    m = re.search(r"per core: ([\d,]+)/s one card, ([\d,]+)/s N cards", text)
    if m:
        out.append(("verify_cms per core, one card", f"{m.group(1)}/s", ">= 1,000/s"))
        out.append(("verify_cms per core, N cards (first sight)", f"{m.group(2)}/s", ">= 1,000/s"))
    m = re.search(r"openssl loop: ([\d.,]+)x one card, ([\d.,]+)x N cards", text)
    if m:
        out.append(("verify_cms vs openssl cms loop, N cards", f"{m.group(2)}x", ">= 2x"))
    return out


def _ledger(text: str) -> list[Figure]:
    out: list[Figure] = []
    for backend, processes, rate in re.findall(
        r"^(verification only.*?|SQLite.*?|PostgreSQL.*?)\s{2,}(\d|-)\s{2,}(\d+)\s*$",
        text,
        flags=re.M,
    ):
        out.append((f"ledger submissions/s: {backend} (x{processes})", rate, "-"))
    return out


def _kiosk(text: str) -> list[Figure]:
    out: list[Figure] = []
    start = text.split("== kiosk start", 1)[-1]
    m = re.search(r"^([\d.]+ s)\s+[\d.]+ s\s+[\d.]+ s\s*$", start, flags=re.M)
    if m:
        out.append(("kiosk start to screen 1 (median)", m.group(1), "<= 1.5 s"))
    pin = text.split("== insert -> PIN prompt", 1)[-1]
    m = re.search(r"^(\d+ ms)\s+(\d+ ms)\s+\d+ ms\s*$", pin, flags=re.M)
    if m:
        out.append(("kiosk insert -> PIN prompt (median, contact latency)", m.group(2), "-"))
    memory = text.split("== resident memory", 1)[-1]
    rows = re.findall(r"^(\d+)\s+([\d.]+ MiB)\s+\d+ ms\s*$", memory, flags=re.M)
    if rows:
        summary = ", ".join(f"{rss} at {n}" for n, rss in (rows[0], rows[-1]))
        out.append(("kiosk RSS over complete sessions", summary, "-"))
    return out


PARSERS: dict[str, Callable[[str], list[Figure]]] = {
    "bench.bench_session": _session,
    "bench.bench_pcsc": _pcsc,
    "bench.bench_cms": _cms,
    "bench.bench_ledger": _ledger,
    "bench.bench_kiosk": _kiosk,
}


def figures_of(name: str, returned: Any, printed: str) -> list[Figure]:
    """The headline figures of one benchmark: what its main() returned, else its output parsed."""
    if isinstance(returned, dict) and returned:
        out: list[Figure] = []
        for figure, value in returned.items():
            if isinstance(value, tuple):
                out.append((str(figure), str(value[0]), str(value[1]) if len(value) > 1 else "-"))
            else:
                out.append((str(figure), str(value), "-"))
        return out
    parser = PARSERS.get(name)
    return parser(printed) if parser is not None else []


# -- running ----------------------------------------------------------------------------------


class _Tee(io.TextIOBase):
    """Writes go to the terminal and are kept (for the summary)."""

    def __init__(self, target: TextIO) -> None:
        self.target = target
        self.kept = io.StringIO()

    def write(self, text: str) -> int:
        self.kept.write(text)
        return self.target.write(text)

    def flush(self) -> None:
        self.target.flush()


def run_one(name: str, module: Any) -> tuple[Any, str]:
    """Run ``module.main()`` with its own argv (no options: its defaults), output teed."""
    tee = _Tee(sys.stdout)
    argv, stdout = sys.argv, sys.stdout
    sys.argv = [str(Path(module.__file__ or name).name)]
    sys.stdout = tee
    try:
        takes_argv = bool(inspect.signature(module.main).parameters)
        returned = module.main([]) if takes_argv else module.main()
    finally:
        sys.argv, sys.stdout = argv, stdout
    return returned, tee.kept.getvalue()


def main(argv: list[str]) -> int:
    wanted = [b for b in BENCHMARKS if not argv or any(a in b for a in argv)]
    print(f"# jpki benchmarks — {time.strftime('%Y-%m-%d %H:%M %Z')}")
    where = machine()
    print(f"# machine: {where}\n")
    failed = 0
    summary: list[tuple[str, str, str, str]] = []
    for name in wanted:
        short = name.rsplit(".", 1)[-1].removeprefix("bench_")
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            print(f"## {name}: not available ({exc})\n")
            summary.append((short, "(not available)", "-", "-"))
            continue
        print(f"## {name}", flush=True)
        start = time.perf_counter()
        try:
            returned, printed = run_one(name, module)
        except Exception as exc:  # keep going: one broken benchmark must not hide the rest
            failed += 1
            print(f"!! {name} failed: {type(exc).__name__}: {exc}")
            summary.append((short, "(failed)", f"{type(exc).__name__}", "-"))
        else:
            found = figures_of(name, returned, printed)
            summary.extend((short, *f) for f in found)
            if not found:
                summary.append((short, "(no headline figures found)", "-", "-"))
        print(f"({time.perf_counter() - start:.1f} s)\n", flush=True)
    print("## summary")
    print(f"# machine: {where}")
    print(table(summary, ("bench", "figure", "value", "goal")))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
