"""verify_cms throughput against a loop of ``openssl cms -verify`` over the same files.

Two sets of N certificate requests (~1 KB content each, detached CMS), signed in software
under the demo signature CA, with a CRL of that CA revoking 1,000 other serial numbers:

* "one card": all signed with ``MockCard().credentials`` (sign key and certificate);
* "N cards": each request by its own signature certificate (a different holder each, as at
  a kiosk), so jpki.trust meets every certificate for the first time (parsing it and
  checking the CA's signature on it) — the slower, realistic case.

* jpki: ``verify_cms(..., policy=RevocationPolicy.REQUIRE)`` in one process, one thread
  (= per core), reading each file; the rate is files / wall time (CPU time shown too).
* openssl: a bash loop running ``openssl cms -verify -binary -inform DER -in F -content C
  -CAfile ca+crl.pem -purpose any -crl_check -out /dev/null`` once per file, as a shell user
  would (OpenSSL 3.0's cms has no -CRLfile, so the CRL sits in the CAfile).

Goals: >= 1,000 verifications/s per core and >= 2x the openssl loop.

    python bench/bench_cms.py [-n 1000] [--openssl-files 300] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.serialization import Encoding

from bench.common import table
from jpki.cms import sign_cms_with_key, verify_cms
from jpki.trust import CrlStore, RevocationPolicy, TrustStore
from mock_card import MockCard, MockPki

REVOKED_SERIALS = 1000
CONTENT_SIZE = 1024


def make_files(folder: Path, n: int, *, one_card: bool = False) -> list[tuple[Path, Path]]:
    """``n`` (signature, content) file pairs, the CA and the CRL files."""
    pki = MockPki.demo()
    now = datetime.now(UTC).replace(microsecond=0)
    card = MockCard().credentials
    pairs = []
    for i in range(n):
        creds = card if one_card else pki.issue_card()  # a fresh certificate: pool keys, fast
        content = (f"request {i:06d} ".encode() + secrets.token_hex(CONTENT_SIZE).encode())[
            :CONTENT_SIZE
        ]
        sig = sign_cms_with_key(creds.sign_key, creds.sign_cert, content)
        tag = "one" if one_card else "many"
        sig_path, content_path = folder / f"{tag}{i:06d}.p7s", folder / f"{tag}{i:06d}.txt"
        sig_path.write_bytes(sig)
        content_path.write_bytes(content)
        pairs.append((sig_path, content_path))
    revoked = [
        (1 + secrets.randbelow(2**63 - 1), now - timedelta(days=1)) for _ in range(REVOKED_SERIALS)
    ]
    crl = pki.crl(
        "sign", revoked, this_update=now - timedelta(hours=1), next_update=now + timedelta(days=1)
    )
    ca_pem = pki.sign_ca_cert.public_bytes(Encoding.PEM)
    crl_pem = crl.public_bytes(Encoding.PEM)
    (folder / "ca.pem").write_bytes(ca_pem)
    (folder / "crl.pem").write_bytes(crl_pem)
    (folder / "ca+crl.pem").write_bytes(ca_pem + crl_pem)
    return pairs


def jpki_pass(
    pairs: list[tuple[Path, Path]], store: TrustStore, crls: CrlStore
) -> tuple[float, float]:
    """Wall and CPU seconds for one verification of every file; every result must be valid
    with revocation checked."""
    start, cpu = time.perf_counter(), time.process_time()
    for sig_path, content_path in pairs:
        result = verify_cms(
            sig_path.read_bytes(),
            content_path.read_bytes(),
            trust_store=store,
            crls=crls,
            policy=RevocationPolicy.REQUIRE,
        )
        if not result.valid or result.checks["revocation"] != "ok":
            raise SystemExit(f"{sig_path.name}: {result.reason}: {result.message}")
    return time.perf_counter() - start, time.process_time() - cpu


def openssl_loop(pairs: list[tuple[Path, Path]], folder: Path) -> tuple[float, int]:
    """Seconds for a bash loop of one openssl process per file, and how many it refused."""
    listing = folder / "files.txt"
    listing.write_text("".join(f"{s} {c}\n" for s, c in pairs))
    script = (
        'fail=0; while read -r sig content; do openssl cms -verify -binary -inform DER -in "$sig" '
        f'-content "$content" -CAfile {folder / "ca+crl.pem"} -purpose any -crl_check '
        "-out /dev/null 2>/dev/null || fail=$((fail+1)); "
        f"done < {listing}; echo $fail"
    )
    start = time.perf_counter()
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    return time.perf_counter() - start, int(done.stdout.strip())


def row(label: str, files: int, wall: float, cpu: float | None = None) -> tuple[str, ...]:
    return (
        label,
        str(files),
        f"{wall:.3f}",
        f"{files / wall:,.0f}",
        f"{wall / files * 1e6:,.0f}",
        f"{files / cpu:,.0f}" if cpu else "-",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="CMS files per set (default 1000)")
    parser.add_argument("--openssl-files", type=int, default=300, help="files for the openssl loop")
    parser.add_argument(
        "--profile", action="store_true", help="profile a pass over the N-cards set"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_cms_") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        one = make_files(folder, args.n, one_card=True)
        many = make_files(folder, args.n)
        print(
            f"made 2 x {args.n} signed requests and a CRL of {REVOKED_SERIALS} serials "
            f"in {time.perf_counter() - t0:.1f} s; {os.cpu_count()} cores, one used"
        )
        store = TrustStore.from_paths([folder / "ca.pem"])
        crls = CrlStore.from_paths([folder / "crl.pem"])

        jpki_pass(one[:1], store, crls)  # warm up: imports, the CA and the CRL's signature
        rows = []
        wall, cpu = min(jpki_pass(one, store, crls) for _ in range(3))
        rows.append(row("jpki, one card (best of 3)", len(one), wall, cpu))
        one_rate = len(one) / wall
        wall, cpu = jpki_pass(many, store, crls)
        rows.append(row("jpki, N cards, first sight", len(many), wall, cpu))
        many_rate = len(many) / wall
        wall, cpu = min(jpki_pass(many, store, crls) for _ in range(3))
        rows.append(row("jpki, N cards again (best of 3)", len(many), wall, cpu))

        openssl_rate = None
        if shutil.which("openssl") and shutil.which("bash"):
            subset = (one + many)[:: max(1, (2 * len(one)) // max(1, args.openssl_files))]
            subset = subset[: args.openssl_files]
            seconds, refused = openssl_loop(subset, folder)
            if refused:
                raise SystemExit(f"openssl refused {refused} of {len(subset)} files")
            openssl_rate = len(subset) / seconds
            rows.append(row("openssl cms -verify, 1 process/file", len(subset), seconds))
        else:
            print("openssl or bash not found: no comparison")

        print()
        header = (
            "verifier (REQUIRE, CRL of 1,000)",
            "files",
            "wall s",
            "per s",
            "µs each",
            "per CPU s",
        )
        print(table(rows, header))
        print()
        worst = min(one_rate, many_rate)
        print(
            f"goal >= 1,000/s per core: {one_rate:,.0f}/s one card, {many_rate:,.0f}/s N cards "
            f"-> {'met' if worst >= 1000 else 'NOT met'}"
        )
        if openssl_rate:
            print(
                f"goal >= 2x the openssl loop: {one_rate / openssl_rate:,.1f}x one card, "
                f"{many_rate / openssl_rate:,.1f}x N cards -> "
                f"{'met' if worst / openssl_rate >= 2 else 'NOT met'}"
            )

        if args.profile:
            fresh = make_files(folder, args.n)  # new certificates: the first-sight path
            profiler = cProfile.Profile()
            profiler.enable()
            jpki_pass(fresh, store, crls)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
