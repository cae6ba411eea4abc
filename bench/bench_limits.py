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


def _pdf(path: Path, size: int) -> Path:
    """A one-page PDF of about ``size`` bytes: the page and a random stream of the rest
    (an image the page draws), written with its cross-reference table."""
    filler = max(size - 1024, 0)
    with path.open("wb") as f:
        offsets: list[int] = []

        def obj(body: bytes) -> None:
            offsets.append(f.tell())
            f.write(b"%d 0 obj\n" % len(offsets) + body + b"\nendobj\n")

        f.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        obj(b"<< /Type /Catalog /Pages 2 0 R >>")
        obj(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        obj(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /XObject << /Im0 5 0 R >> >> >>"
        )
        draw = b"q 100 0 0 100 50 700 cm /Im0 Do Q"
        obj(b"<< /Length %d >>\nstream\n" % len(draw) + draw + b"\nendstream")
        side = max(int((filler // 3) ** 0.5), 1)
        data = side * side * 3
        offsets.append(f.tell())
        f.write(
            b"5 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d "
            b"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d >>\nstream\n"
            % (side, side, data)
        )
        block = os.urandom(MiB)
        left = data
        while left:
            f.write(block[: min(left, MiB)])
            left -= min(left, MiB)
        f.write(b"\nendstream\nendobj\n")
        xref = f.tell()
        f.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
        for offset in offsets:
            f.write(b"%010d 00000 n \n" % offset)
        f.write(
            b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(offsets) + 1, xref)
        )
    return path


def _measure_pdf(
    folder: Path, sizes: list[int], env: dict[str, str], headline: dict[str, tuple[str, str]]
) -> list[tuple[str, ...]]:
    """``sign --pdf`` (pyHanko reads the PDF whole) on PDFs of ``sizes`` MiB, the limit
    raised to fit: the peak memory a large PDF costs, against a 1 KiB-page baseline."""
    rows: list[tuple[str, ...]] = []
    baseline = None
    for size_mib in [0, *sizes]:
        pdf = _pdf(folder / "big.pdf", size_mib * MiB)
        real = pdf.stat().st_size
        out = folder / "big-signed.pdf"
        limit = f"{size_mib + 16}M"
        started = time.perf_counter()
        code, peak, err = run_measured(
            ["sign", "--pdf", str(pdf), "-o", str(out), "--max-size", limit, "--force"], env
        )
        seconds = time.perf_counter() - started
        status = "ok" if code == 0 else f"exit {code}: {err.strip()[-80:]}"
        if baseline is None:
            baseline = peak
            rows.append(
                ("sign --pdf", "~1 KiB", f"{peak:.0f}", "(baseline)", f"{seconds:.1f}", status)
            )
        else:
            ratio = f"{(peak - baseline) / (real / MiB):.2f}"
            rows.append(
                ("sign --pdf", f"{real / MiB:.0f}", f"{peak:.0f}", ratio, f"{seconds:.1f}", status)
            )
            headline[f"sign --pdf, {size_mib} MiB: peak RSS (extra per MiB)"] = (
                f"{peak:.0f} MiB ({ratio})",
                "read whole: a small multiple",
            )
        for path in (pdf, out):
            path.unlink(missing_ok=True)
    return rows


def main(argv: list[str] | None = None) -> dict[str, tuple[str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="16,60,256,1024", help="input sizes in MiB")
    parser.add_argument(
        "--pdf-sizes",
        default="1,50,200",
        type=lambda text: [int(s) for s in text.split(",")],
        help="PDF sizes in MiB for 'sign --pdf' (read whole: --max-size raised to fit)",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    from cryptography.hazmat.primitives.serialization import Encoding

    from jpki.cms import sign_cms_with_key, to_pem
    from jpki.ledger import Ledger
    from mock_card import MockCard, MockPki, save_card

    rows: list[tuple[str, ...]] = []
    headline: dict[str, tuple[str, str]] = {}
    baselines: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="jpki-bench-limits-") as scratch:
        folder = Path(scratch)
        state = folder / "card.json"
        card = MockCard()
        save_card(card, state)
        ca = folder / "ca.pem"
        ca.write_bytes(MockPki.demo().sign_ca_cert.public_bytes(Encoding.PEM))
        signing = environment(state, JPKI_SIGN_PIN=SIGN_PIN)
        plain = environment(state)
        ledger = folder / "ledger.sqlite3"
        Ledger.open(ledger).close()
        creds = card.credentials

        def measure(size: int) -> None:
            """Every command on an input of ``size`` bytes (the first call, 1 KiB: the
            baselines the others are compared with)."""
            content = _random(folder / "content.bin", size) if size >= MiB else folder / "c.bin"
            if size < MiB:
                content.write_bytes(os.urandom(size))
            attached, pem = folder / "attached.p7s", folder / "sig.pem"
            fits = size <= 64 * MiB - 64 * 1024
            _sparse(pem, size)
            if fits:  # a real PEM signature of about this size: the attached one
                der = sign_cms_with_key(
                    creds.sign_key, creds.sign_cert, content.read_bytes(), detached=False
                )
                pem.write_text(to_pem(der), encoding="ascii")
                del der
            pem_ok = pem.stat().st_size <= 88 * MiB
            document = _sparse(folder / "doc.json", size)
            submit = ["requests", "--db", str(ledger), "submit", f"{content}.p7s"]
            cases: list[tuple[str, list[str], dict[str, str], int, int]] = [
                ("sign (detached, streamed)", ["sign", str(content)], signing, 0, size),
                (
                    "verify detached (content streamed)",
                    ["verify", f"{content}.p7s", str(content), "--trust", str(ca)],
                    plain,
                    0,
                    size,
                ),
                (
                    "sign --attached" + ("" if fits else " (refused: > 64 MiB)"),
                    ["sign", "--attached", str(content), "-o", str(attached)],
                    signing,
                    0 if fits else 2,
                    size,
                ),
            ]
            if fits:
                cases.append(
                    (
                        "verify attached (read whole)",
                        ["verify", str(attached), "--trust", str(ca)],
                        plain,
                        0,
                        size,
                    )
                )
            cases += [
                (
                    "verify PEM" + ("" if pem_ok else " (refused: > 88 MiB)"),
                    ["verify", str(pem), "--trust", str(ca)],
                    plain,
                    0 if pem_ok else 2,
                    pem.stat().st_size,
                ),
                (
                    "requests submit --content" + (" (refused unread)" if size > 16384 else ""),
                    [*submit, "--content", str(document)],
                    plain,
                    1,
                    size,
                ),
            ]
            for label, args, env, ok, shown_size in cases:
                started = time.perf_counter()
                code, peak, err = run_measured(args, env)
                seconds = time.perf_counter() - started
                status = "ok" if code == ok else f"exit {code}: {err.strip()[-80:]}"
                kind = label.split(" (")[0]
                if size < MiB:
                    baselines[kind] = peak
                    rows.append(
                        (label, "1 KiB", f"{peak:.0f}", "(baseline)", f"{seconds:.1f}", status)
                    )
                    continue
                extra = peak - baselines.get(kind, peak)
                ratio = f"{extra / (shown_size / MiB):.2f}"
                rows.append(
                    (
                        label,
                        f"{shown_size / MiB:.0f}",
                        f"{peak:.0f}",
                        ratio,
                        f"{seconds:.1f}",
                        status,
                    )
                )
                headline[f"{kind}, {size // MiB} MiB: peak RSS (extra per MiB)"] = (
                    f"{peak:.0f} MiB ({ratio})",
                    "flat" if "streamed" in label or "refused" in label else "small multiple",
                )
            for path in (content, attached, pem, document, Path(f"{content}.p7s")):  # disk
                path.unlink(missing_ok=True)

        measure(1024)
        for size_mib in sizes:
            measure(size_mib * MiB)
        rows.extend(_measure_pdf(folder, args.pdf_sizes, signing, headline))
    print("peak resident memory of one jpki process against its input (MiB). extra/size: the")
    print("memory above the same command on 1 KiB, per MiB of input\n")
    print(table(rows, ("command", "input MiB", "peak MiB", "extra/size", "seconds", "result")))
    return headline


if __name__ == "__main__":
    main(sys.argv[1:])
