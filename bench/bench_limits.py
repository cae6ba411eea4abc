"""Peak memory of ``jpki`` against the size of its input: what the limits of issue 13 buy.

Each row runs one real ``python -m jpki …`` process (the built-in mock card, PINs from the
environment) on an input of the given size and prints that process's own peak resident
memory (``VmHWM``, read by the process itself as it exits — a child's ``ru_maxrss``
would include the image of the parent it was forked from) against the input size:

* ``sign`` (detached) and ``verify`` of a detached signature: the content is hashed in a
  stream, so memory stays flat however large the file;
* ``sign --attached``: the content is streamed into the signature (a 1 GB file peaked at
  6.3 GB before); past the limit (64 MiB) it is refused before it is read;
* ``verify`` of a PEM signature: read whole, up to its limit (a 256 MB PEM took 1.9 GB
  before); past it refused by its size;
* ``requests submit --content``: a document past 16 KiB is refused unread (1 GB was read
  before the check).

Inputs are sparse files (no disk) or random data where the content must be real.

    python bench/bench_limits.py [--sizes 16,64,256,1024] (MiB)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import table

ROOT = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024
SIGN_PIN = "ABCD1234"

# Runs ``jpki`` in this very process and prints its peak RSS (VmHWM, kB) on the last
# stderr line as it exits, however it exits.
_WRAPPER = """
import atexit, os, runpy, sys
def _peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            os.write(2, ("\\npeak-rss-kb " + line.split()[1] + "\\n").encode())
atexit.register(_peak)
sys.argv = ["jpki", *sys.argv[1:]]
runpy.run_module("jpki", run_name="__main__", alter_sys=True)
"""


def run_measured(
    args: list[str], env: dict[str, str], *, stdin: bytes | None = None
) -> tuple[int, float, str]:
    """``python -m jpki ARGS``: its exit code, its own peak RSS in MiB, its stderr."""
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *args],
        env=env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=600,
        check=False,
    )
    err = done.stderr.decode("utf-8", "replace")
    lines = err.rstrip().splitlines()
    peak = 0.0
    if lines and lines[-1].startswith("peak-rss-kb "):
        peak = int(lines[-1].split()[1]) / 1024
        err = "\n".join(lines[:-1])
    return done.returncode, peak, err


def environment(state: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JPKI_")}
    env.update(PYTHONPATH=str(ROOT), JPKI_MOCK_STATE=str(state), JPKI_READER="mock", **extra)
    return env


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as f:
        f.truncate(size)
    return path


def _random(path: Path, size: int) -> Path:
    block = os.urandom(MiB)
    with path.open("wb") as f:
        for _ in range(size // MiB):
            f.write(block)
    return path


def main(argv: list[str] | None = None) -> dict[str, tuple[str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="16,64,256,1024", help="input sizes in MiB")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    from cryptography.hazmat.primitives.serialization import Encoding

    from jpki.cms import sign_cms_with_key, to_pem
    from jpki.ledger import Ledger
    from mock_card import MockCard, MockPki, save_card

    rows: list[tuple[str, ...]] = []
    headline: dict[str, tuple[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="jpki-bench-limits-") as scratch:
        folder = Path(scratch)
        state = folder / "card.json"
        card = MockCard()
        save_card(card, state)
        ca = folder / "ca.pem"
        ca.write_bytes(MockPki.demo().sign_ca_cert.public_bytes(Encoding.PEM))
        signing = environment(state, JPKI_SIGN_PIN=SIGN_PIN)
        plain = environment(state)
        _, baseline, _ = run_measured(["--version"], plain)
        rows.append(("jpki --version (baseline)", "-", f"{baseline:.0f}", "-", "-", "ok"))
        ledger = folder / "ledger.sqlite3"
        Ledger.open(ledger).close()
        creds = card.credentials

        def row(what: str, size: int, args: list[str], env: dict[str, str], ok: int) -> float:
            started = time.perf_counter()
            code, peak, err = run_measured(args, env)
            seconds = time.perf_counter() - started
            status = "ok" if code == ok else f"exit {code}: {err.strip()[-80:]}"
            extra = peak - baseline
            ratio = f"{extra / (size / MiB):.2f}" if size else "-"
            rows.append((what, f"{size // MiB}", f"{peak:.0f}", ratio, f"{seconds:.1f}", status))
            return peak

        for size_mib in sizes:
            size = size_mib * MiB
            content = _random(folder / f"content-{size_mib}.bin", size)
            row("sign (detached, streamed)", size, ["sign", str(content)], signing, 0)
            peak = row(
                "verify detached (content streamed)",
                size,
                ["verify", f"{content}.p7s", str(content), "--trust", str(ca)],
                plain,
                0,
            )
            headline[f"verify detached {size_mib} MiB: peak RSS"] = (f"{peak:.0f} MiB", "flat")
            attached = folder / f"attached-{size_mib}.p7s"
            ok = 0 if size <= 64 * MiB else 2
            peak = row(
                "sign --attached" + (" (refused: > 64 MiB)" if ok else ""),
                size,
                ["sign", "--attached", str(content), "-o", str(attached)],
                signing,
                ok,
            )
            headline[f"sign --attached {size_mib} MiB: peak RSS"] = (f"{peak:.0f} MiB", "-")
            if ok == 0:
                row(
                    "verify attached (read whole)",
                    size,
                    ["verify", str(attached), "--trust", str(ca)],
                    plain,
                    0,
                )
            pem = _sparse(folder / f"sig-{size_mib}.pem", size)
            if size <= 64 * MiB:  # a real PEM signature of this size: the attached one
                der = sign_cms_with_key(
                    creds.sign_key, creds.sign_cert, content.read_bytes(), detached=False
                )
                pem.write_text(to_pem(der), encoding="ascii")
                del der
            peak = row(
                "verify PEM" + (" (refused: > 88 MiB)" if pem.stat().st_size > 88 * MiB else ""),
                pem.stat().st_size,
                ["verify", str(pem), "--trust", str(ca)],
                plain,
                0 if pem.stat().st_size <= 88 * MiB else 2,
            )
            headline[f"verify PEM {size_mib} MiB: peak RSS"] = (f"{peak:.0f} MiB", "-")
            document = _sparse(folder / f"doc-{size_mib}.json", size)
            row(
                "requests submit --content (refused unread)",
                size,
                [
                    "requests",
                    "--db",
                    str(ledger),
                    "submit",
                    str(attached),
                    "--content",
                    str(document),
                ],
                plain,
                1,
            )
            for path in (content, attached, pem, document, Path(f"{content}.p7s")):
                path.unlink(missing_ok=True)
    print("peak resident memory of one jpki process against its input (MiB; extra/size: the")
    print(f"memory above the baseline per MiB of input). Baseline: {baseline:.0f} MiB\n")
    print(table(rows, ("command", "input MiB", "peak MiB", "extra/size", "seconds", "result")))
    return headline


if __name__ == "__main__":
    main(sys.argv[1:])
