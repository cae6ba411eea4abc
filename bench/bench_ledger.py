"""The request ledger: submissions per second, each fully re-verified, on SQLite and PostgreSQL.

A submission = CMS verification (chain to the mock CA, key usage, revocation
policy if-available without CRLs), schema validation of the request document,
the identity check, and one transaction storing the request and its audit
entry. Requests are signed beforehand with software keys (not measured).

SQLite is a file in a temporary folder (WAL; synchronous FULL — the ledger's
default — and NORMAL). PostgreSQL is a throwaway cluster started here
(tests/postgres.py) with durable settings (fsync and synchronous_commit on),
over its Unix socket. "x8" runs 8 processes submitting at once (aggregate rate).

    .venv/bin/python bench/bench_ledger.py [--requests N] [--no-postgres]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import table
from jpki.ledger import Ledger, LedgerConfig
from jpki.requests import Applicant, CertificateRequest, DigitalPdfDelivery, sign_request_with_key
from jpki.trust import TrustStore
from mock_card import MockCard, MockPki

PKI = MockPki.demo()
CONFIG = LedgerConfig(
    trust_store=TrustStore.from_certificates([PKI.sign_ca_cert, PKI.auth_ca_cert])
)
Item = tuple[bytes, bytes | None]


def signed_requests(n: int) -> list[Item]:
    creds = MockCard().credentials
    applicant = Applicant.from_certificate(creds.sign_cert)
    items: list[Item] = []
    for i in range(n):
        request = CertificateRequest.create(
            kiosk_id="bench",
            kind="transcript-ja",
            language="ja",
            copies=1 + i % 10,
            delivery=DigitalPdfDelivery("株式会社見本"),
            purpose="benchmark",
            applicant=applicant,
        )
        signed = sign_request_with_key(creds.sign_key, creds.sign_cert, request)
        items.append((signed.signature, signed.document))
    return items


def sequential(url: str, items: list[Item], config: LedgerConfig = CONFIG) -> float:
    with Ledger.open(url, config=config) as ledger:
        ledger.submit(*items[0])  # warm up (connection, caches)
        start = time.perf_counter()
        for signature, content in items[1:]:
            ledger.submit(signature, content)
        elapsed = time.perf_counter() - start
    return (len(items) - 1) / elapsed


def verify_only(items: list[Item]) -> float:
    ledger = Ledger(Ledger.open("sqlite://", config=CONFIG).engine, CONFIG)
    start = time.perf_counter()
    for signature, content in items:
        ledger.verify(signature, content)
    return len(items) / (time.perf_counter() - start)


def _worker(url: str, items: list[Item], barrier: Any, done: Any) -> None:
    ledger = Ledger.open(url, config=CONFIG)
    ledger.verify(*items[0])
    barrier.wait()
    for signature, content in items:
        ledger.submit(signature, content)
    ledger.close()
    done.put(len(items))


def parallel(url: str, items: list[Item], processes: int = 8) -> float:
    Ledger.open(url, config=CONFIG).close()
    ctx = multiprocessing.get_context("forkserver")
    barrier = ctx.Barrier(processes + 1)
    done = ctx.Queue()
    shares = [items[k::processes] for k in range(processes)]
    children = [ctx.Process(target=_worker, args=(url, share, barrier, done)) for share in shares]
    for child in children:
        child.start()
    barrier.wait()
    start = time.perf_counter()
    total = sum(done.get(timeout=300) for _ in children)
    elapsed = time.perf_counter() - start
    for child in children:
        child.join()
    return total / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="per measurement")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    n = args.requests
    print(f"signing {n * 4} requests (software key, not measured)...", file=sys.stderr)
    batches = [signed_requests(n) for _ in range(4)]
    rows: list[tuple[str, ...]] = []
    rows.append(("verification only (no database)", "1", f"{verify_only(batches[0]):.0f}"))
    with tempfile.TemporaryDirectory(prefix="jpki-bench-") as tmp:
        full = f"sqlite:///{tmp}/full.sqlite3"
        rows.append(("SQLite, synchronous=FULL", "1", f"{sequential(full, batches[0]):.0f}"))
        normal = LedgerConfig(trust_store=CONFIG.trust_store, sqlite_synchronous="NORMAL")
        rate = sequential(f"sqlite:///{tmp}/normal.sqlite3", batches[1], normal)
        rows.append(("SQLite, synchronous=NORMAL", "1", f"{rate:.0f}"))
        rate = parallel(f"sqlite:///{tmp}/par.sqlite3", batches[2])
        rows.append(("SQLite, synchronous=FULL", "8", f"{rate:.0f}"))
    if args.no_postgres:
        pass
    else:
        from tests.postgres import PostgresCluster, missing_requirements

        reason = missing_requirements()
        if reason:
            rows.append(("PostgreSQL", "-", f"skipped: {reason}"))
        else:
            with PostgresCluster.start(fast=False) as cluster:
                rows.append(
                    (
                        "PostgreSQL 15, fsync+sync commit on",
                        "1",
                        f"{sequential(cluster.create_database('seq'), batches[0]):.0f}",
                    )
                )
                rate = parallel(cluster.create_database("par"), batches[3])
                rows.append(("PostgreSQL 15, fsync+sync commit on", "8", f"{rate:.0f}"))
    print(
        f"ledger submissions per second (each fully verified), {n} requests each, "
        f"{os.cpu_count()} CPU(s)"
    )
    print(table(rows, ("backend", "processes", "submissions/s")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
