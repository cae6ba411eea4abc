"""The long fuzz run (``make fuzz``): every target of ``fuzz/targets.py``, over a million inputs.

With atheris installed (``.venv/bin/pip install atheris``) each target runs in its own
process under libFuzzer, coverage-guided, seeded from valid inputs, with its corpus kept in
``fuzz/.work/corpus/<target>`` and any crashing input saved in ``fuzz/.work/crashes``.
Without atheris, hypothesis draws the inputs (random bytes and mutated seeds, derandomized)
and a seed for 99 cheap variants of each: no coverage feedback, but the same budget.

    .venv/bin/python fuzz/run.py                         # ~1.3 M inputs, ≤ 60 s per target
    .venv/bin/python fuzz/run.py --inputs 200000 --targets der-reader,cms-verify
    .venv/bin/python fuzz/run.py --engine hypothesis

Prints inputs/second per target and the totals; exits 1 if any target found a bug.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(__file__).resolve().parent / ".work"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_INPUTS = 1_300_000
DEFAULT_SECONDS = 60.0
INSTRUMENTED = ["apdu", "jpki", "mock_card"]


@dataclass
class Outcome:
    target: str
    inputs: int
    seconds: float
    bug: str = ""

    @property
    def rate(self) -> float:
        return self.inputs / self.seconds if self.seconds > 0 else 0.0


def have_atheris() -> bool:
    try:
        import atheris  # noqa: F401
    except ImportError:
        return False
    return True


# -- atheris: one child process per target ------------------------------------------------------


def _child(name: str, libfuzzer_args: list[str]) -> None:
    """In the child: instrument the project's packages, then let libFuzzer drive ``name``."""
    import atheris

    with atheris.instrument_imports(include=INSTRUMENTED):
        import apdu  # noqa: F401
        import jpki
        import jpki.certs
        import jpki.cms
        import jpki.cms._der
        import jpki.ledger
        import jpki.requests
        import jpki.textap  # noqa: F401
        import mock_card  # noqa: F401
    from fuzz.targets import targets

    target = targets()[name]
    corpus = WORK / "corpus" / name
    if not corpus.exists():
        corpus.mkdir(parents=True)
        for i, seed in enumerate(target.seeds()):
            (corpus / f"seed-{i}").write_bytes(seed)
    target.seeds()  # build the fixtures before the clock starts

    def one_input(data: bytes) -> None:
        target.one_input(data)

    atheris.Setup([sys.argv[0], *libfuzzer_args, str(corpus)], one_input)
    (WORK / f"{name}.started").write_text(repr(time.time()), encoding="utf-8")
    atheris.Fuzz()


def run_atheris(name: str, inputs: int, seconds: float) -> Outcome:
    crashes = WORK / "crashes"
    crashes.mkdir(parents=True, exist_ok=True)
    from fuzz.targets import targets

    args = [
        f"-runs={inputs}",
        f"-max_total_time={max(1, int(seconds))}",
        f"-max_len={targets()[name].max_size}",
        "-timeout=20",
        "-rss_limit_mb=4096",
        "-print_final_stats=1",
        f"-artifact_prefix={crashes}/{name}-",
    ]
    started = WORK / f"{name}.started"
    started.unlink(missing_ok=True)
    scratch = WORK / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, __file__, "--child", name, "--", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={**os.environ, "JPKI_FUZZ_TMP": str(scratch)},
    )
    for leftover in scratch.iterdir():
        shutil.rmtree(leftover, ignore_errors=True)
    ended = time.time()
    try:  # the fuzzing time, without the child's start-up (imports, seeds)
        elapsed = ended - float(started.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        elapsed = 0.0
    log = proc.stderr
    (WORK / f"{name}.log").write_text(log + proc.stdout, encoding="utf-8")
    executed = re.search(r"stat::number_of_executed_units:\s*(\d+)", log)
    done = re.search(r"Done (\d+) runs in (\d+) second", log)
    count = int(executed.group(1)) if executed else int(done.group(1)) if done else 0
    bug = ""
    if proc.returncode != 0:
        artifact = re.search(r"Test unit written to (\S+)", log)
        where = artifact.group(1) if artifact else f"see {WORK / (name + '.log')}"
        tail = "\n".join(
            line for line in log.splitlines() if "Error" in line or "Exception" in line
        )[-2000:]
        bug = f"exit {proc.returncode}: {tail or 'crash'} (input: {where})"
    return Outcome(name, count, elapsed, bug)


# -- hypothesis ---------------------------------------------------------------------------------


class _OutOfTime(BaseException):
    """Stops a hypothesis run at its time budget (a BaseException: hypothesis lets it pass)."""


def _variants(data: bytes, rng: random.Random, count: int, max_size: int) -> Iterator[bytes]:
    """``data``, then ``count - 1`` random variants of it (byte changes, insertions, cuts,
    splices of random bytes): cheap inputs between hypothesis's own."""
    yield data
    for _ in range(count - 1):
        out = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            how = rng.randrange(5)
            where = rng.randint(0, len(out))
            if how == 0 and out:
                out[where % len(out)] = rng.randrange(256)
            elif how == 1:
                out[where:where] = rng.randbytes(rng.randint(1, 8))
            elif how == 2:
                del out[where : where + rng.randint(1, 16)]
            elif how == 3:
                out[where:] = b""
            else:
                out[where : where + 2] = rng.choice([b"\x00", b"\xff", b"\x80", b"\x81\xff"])
        yield bytes(out[:max_size])


def run_hypothesis(name: str, inputs: int, seconds: float, batch: int = 100) -> Outcome:
    """Hypothesis draws an input (random bytes or a mutated seed) and a random seed; the
    target runs on the input and ``batch - 1`` variants derived from it with that seed."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    from fuzz.targets import targets

    target = targets()[name]
    seeds = target.seeds()

    @st.composite
    def mutated(draw: st.DrawFn) -> bytes:
        data = bytearray(draw(st.sampled_from(seeds)))
        for _ in range(draw(st.integers(1, 6))):
            how = draw(st.integers(0, 3))
            where = draw(st.integers(0, len(data)))
            if how == 0 and data:
                data[where % len(data)] = draw(st.integers(0, 255))
            elif how == 1:
                data[where:where] = draw(st.binary(min_size=1, max_size=8))
            elif how == 2:
                del data[where : where + draw(st.integers(1, 16))]
            else:
                data[where:] = b""
        return bytes(data)

    count = 0
    deadline = time.monotonic() + seconds
    failing: list[bytes] = []

    @settings(
        max_examples=max(1, inputs // batch),
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.one_of(st.binary(max_size=target.max_size), mutated()), st.integers(0, 2**64))
    def run(data: bytes, seed: int) -> None:
        nonlocal count
        if time.monotonic() > deadline:
            raise _OutOfTime
        rng = random.Random(seed)  # noqa: S311 - reproducible test inputs
        for variant in _variants(data, rng, batch, target.max_size):
            count += 1
            try:
                target.one_input(variant)
            except Exception:
                failing.append(variant)
                raise

    start = time.monotonic()
    bug = ""
    try:
        run()
    except _OutOfTime:
        pass
    except Exception as exc:
        first = failing[0] if failing else b""
        crash = WORK / "crashes" / f"{name}-hypothesis-{hashlib.sha256(first).hexdigest()[:12]}"
        crash.parent.mkdir(parents=True, exist_ok=True)
        crash.write_bytes(first)
        bug = f"{type(exc).__name__}: {exc} (input: {crash if failing else '?'})"
    return Outcome(name, count, time.monotonic() - start, bug)


# -- the run --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        _child(argv[1], argv[3:] if argv[2:3] == ["--"] else argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["auto", "atheris", "hypothesis"], default="auto")
    parser.add_argument(
        "--inputs",
        type=int,
        default=int(os.environ.get("FUZZ_INPUTS", DEFAULT_INPUTS)),
        help=f"inputs over all targets, shared by weight (default {DEFAULT_INPUTS})",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(os.environ.get("FUZZ_SECONDS", DEFAULT_SECONDS)),
        help=f"time limit per target (default {DEFAULT_SECONDS:g})",
    )
    parser.add_argument("--targets", default="", help="comma-separated names (default: all)")
    args = parser.parse_args(argv)

    from fuzz.targets import targets

    available = targets()
    chosen = [t for t in args.targets.split(",") if t] or list(available)
    unknown = [t for t in chosen if t not in available]
    if unknown:
        parser.error(f"unknown targets {unknown}; known: {', '.join(available)}")
    engine = args.engine
    if engine == "auto":
        engine = "atheris" if have_atheris() else "hypothesis"
    if engine == "atheris" and not have_atheris():
        parser.error("atheris is not installed (.venv/bin/pip install atheris)")
    runner = run_atheris if engine == "atheris" else run_hypothesis
    weights = sum(available[t].weight for t in chosen)

    print(f"fuzzing {len(chosen)} targets with {engine}: {args.inputs} inputs, ", end="")
    print(f"at most {args.seconds:g} s per target", flush=True)
    outcomes: list[Outcome] = []
    started = time.monotonic()
    for name in chosen:
        share = max(1, round(args.inputs * available[name].weight / weights))
        outcome = runner(name, share, args.seconds)
        outcomes.append(outcome)
        status = f"BUG {outcome.bug}" if outcome.bug else "ok"
        print(
            f"  {name:<18} {outcome.inputs:>9} inputs {outcome.seconds:7.1f} s "
            f"{outcome.rate:>9.0f}/s  {status}",
            flush=True,
        )
    total = sum(o.inputs for o in outcomes)
    wall = time.monotonic() - started
    print(f"total: {total} inputs in {wall:.0f} s ({total / wall:.0f} inputs/s overall)")
    bugs = [o for o in outcomes if o.bug]
    if bugs:
        print(f"{len(bugs)} target(s) found bugs: {', '.join(o.target for o in bugs)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
