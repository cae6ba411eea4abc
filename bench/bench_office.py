"""The office service under load: simulated kiosks over loopback HTTPS, two service instances on
one PostgreSQL with fsync on.

Set-up: a throwaway PostgreSQL cluster with durable settings (fsync,
synchronous_commit, full_page_writes on), the office's owner and service roles
(``jpki-office db init``), two ``jpki-office serve`` processes (TLS), one kiosk
token per simulated kiosk. Requests are signed beforehand with the mock card's
software keys (not measured). The kiosks are asyncio connections in one load
process (uvloop, hand-written HTTP/1.1 over TLS, keep-alive) — on the same two
cores as the service and the database, as they would be on this machine.

* **verification only** — :meth:`Ledger.verify` (CMS, chain, schema, identity) in
  a loop, one process and two processes: the ceiling of a fully verified submission
  on this machine.
* **throughput** — 200 kiosk connections, each sending its next request as soon as
  the last was answered (closed loop): fully verified, stored submissions per second,
  and the ratio to the verification-only rate of two processes.
* **latency at the goal's load** — 200 kiosk connections sending 300 requests/s
  between them (Poisson arrivals, open loop): p50 / p99 / max.
* **kill -9** — the same load, one instance killed half-way; the kiosks go on to the
  other (as behind a load balancer): lost, stored twice, re-verified, chain.

    .venv/bin/python bench/bench_office.py [--kiosks 200] [--seconds 10] [--rate 300]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing
import random
import socket
import ssl
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import table
from jpki.ledger import AuditAction, Ledger
from office.config import load_config
from office.database import init_database, service_url
from office.server import build_service
from tests.office_kit import (
    ServerProcess,
    free_port,
    ledger_config,
    make_tls,
    signed_request,
    write_config,
)
from tests.postgres import PostgresCluster, missing_requirements

Item = tuple[str, bytes, str]  # kiosk id, JSON body, request id


# -- preparing -----------------------------------------------------------------------------------


def _sign_batch(args: tuple[list[str], int]) -> list[Item]:
    kiosks, count = args
    out = []
    for i in range(count):
        kiosk = kiosks[i % len(kiosks)]
        signature, document, rid = signed_request(kiosk)
        body = json.dumps(
            {
                "signature": base64.b64encode(signature).decode(),
                "document": base64.b64encode(document).decode() if document else None,
                "holder": None,
            }
        ).encode()
        out.append((kiosk, body, rid))
    return out


def sign_items(kiosks: list[str], count: int) -> list[Item]:
    """``count`` signed requests spread over ``kiosks`` (in two processes)."""
    with multiprocessing.get_context("fork").Pool(2) as pool:
        halves = pool.map(_sign_batch, [(kiosks, count // 2), (kiosks, count - count // 2)])
    return halves[0] + halves[1]


def verification_rate(items: list[Item], processes: int) -> float:
    """Fully verified submissions per second, ``processes`` processes, no storing."""
    bodies = [json.loads(body) for _, body, _ in items[:600]]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes) as pool:
        start = time.perf_counter()
        counts = pool.map(_verify_all, [bodies] * processes)
        elapsed = time.perf_counter() - start
    return sum(counts) / elapsed


def _verify_all(bodies: list[dict[str, Any]]) -> int:
    """What the service does with a body before storing it: decode, verify everything."""
    from datetime import UTC, datetime

    from jpki.ledger.verification import verify_submission

    config = ledger_config()
    assert config.trust_store is not None
    for body in bodies:
        verify_submission(
            base64.b64decode(body["signature"]),
            base64.b64decode(body["document"]),
            config=config,
            trust_store=config.trust_store,
            now=datetime.now(UTC),
        )
    return len(bodies)


# -- the kiosks ------------------------------------------------------------------------------------


@dataclass
class Kiosk:
    kiosk_id: str
    token: str
    ports: list[int]
    items: list[Item] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    answered: set[str] = field(default_factory=set)
    failovers: int = 0


class Connection:
    """One kiosk's keep-alive HTTPS connection; on a broken connection it moves to the next
    instance and sends again (a resubmission is idempotent)."""

    def __init__(self, kiosk: Kiosk, context: ssl.SSLContext) -> None:
        self.kiosk = kiosk
        self.context = context
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.port_index = 0

    async def _connect(self) -> None:
        port = self.kiosk.ports[self.port_index % len(self.kiosk.ports)]
        self.reader, self.writer = await asyncio.open_connection(
            "127.0.0.1", port, ssl=self.context, server_hostname="127.0.0.1"
        )
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    async def send(self, body: bytes) -> int:
        for attempt in range(20):
            try:
                if self.writer is None:
                    await self._connect()
                assert self.reader is not None and self.writer is not None
                head = (
                    f"POST /v1/kiosk/requests HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"Authorization: Bearer {self.kiosk.token}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode()
                self.writer.write(head + body)
                await self.writer.drain()
                status_line = await self.reader.readuntil(b"\r\n")
                status = int(status_line.split()[1])
                length = 0
                while True:
                    line = await self.reader.readuntil(b"\r\n")
                    if line == b"\r\n":
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                await self.reader.readexactly(length)
                if status in (502, 503, 504):
                    raise ConnectionError(f"HTTP {status}")
                return status
            except (
                OSError,
                ConnectionError,
                asyncio.IncompleteReadError,
                ssl.SSLError,
                ValueError,
            ):
                self.close()
                self.port_index += 1
                self.kiosk.failovers += 1
                await asyncio.sleep(min(0.05 * (attempt + 1), 0.5))
        raise RuntimeError(f"{self.kiosk.kiosk_id}: no instance answered")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _closed_loop(kiosk: Kiosk, context: ssl.SSLContext, deadline: float) -> None:
    connection = Connection(kiosk, context)
    try:
        for _, body, rid in kiosk.items:
            if time.perf_counter() > deadline:
                break
            start = time.perf_counter()
            status = await connection.send(body)
            kiosk.latencies.append(time.perf_counter() - start)
            kiosk.statuses[status] += 1
            if status in (200, 201):
                kiosk.answered.add(rid)
    finally:
        connection.close()


async def _open_loop(
    kiosk: Kiosk, context: ssl.SSLContext, rate: float, deadline: float, seed: int
) -> None:
    """Poisson arrivals at ``rate``/s; a request waits while the kiosk's previous one is out."""
    rng = random.Random(seed)
    connection = Connection(kiosk, context)
    await connection._connect()
    next_at = time.perf_counter() + rng.expovariate(rate)
    try:
        for _, body, rid in kiosk.items:
            now = time.perf_counter()
            if next_at > deadline:
                break
            if next_at > now:
                await asyncio.sleep(next_at - now)
            start = next_at  # latency from when the request was due
            status = await connection.send(body)
            kiosk.latencies.append(time.perf_counter() - start)
            kiosk.statuses[status] += 1
            if status in (200, 201):
                kiosk.answered.add(rid)
            next_at += rng.expovariate(rate)
    finally:
        connection.close()


def run_load(kiosks: list[Kiosk], ca: Path, seconds: float, *, rate: float | None = None) -> float:
    """Run every kiosk for ``seconds`` (closed loop, or ``rate`` requests/s in all); elapsed."""
    import uvloop

    context = ssl.create_default_context(cafile=str(ca))

    async def main() -> float:
        start = time.perf_counter()
        deadline = start + seconds
        if rate is None:
            tasks = [_closed_loop(k, context, deadline) for k in kiosks]
        else:
            each = rate / len(kiosks)
            tasks = [_open_loop(k, context, each, deadline, i) for i, k in enumerate(kiosks)]
        await asyncio.gather(*tasks)
        return time.perf_counter() - start

    return uvloop.run(main())


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


# -- the office --------------------------------------------------------------------------------------


@dataclass
class Office:
    cluster: PostgresCluster
    admin_url: str
    config: Path
    tls: Any
    tokens: dict[str, str]
    servers: list[ServerProcess]
    folder: Path

    def stop(self) -> None:
        for server in self.servers:
            server.stop()

    def start(self) -> None:
        self.servers = [
            ServerProcess(self.config, free_port(), self.folder / f"office-{i}.log").start()
            for i in range(2)
        ]


def make_office(cluster: PostgresCluster, folder: Path, kiosks: int) -> Office:
    admin_url = cluster.create_database()
    init_database(admin_url, ledger_config(), owner="jpki_owner", service="jpki_service")
    tls = make_tls(folder / "tls")
    config = write_config(
        folder,
        service_url(admin_url, "jpki_service"),
        tls,
        extra_limits="max_batch = 512\ntoken_cache_seconds = 30",
    )
    service = build_service(load_config(config))
    tokens = {
        f"kiosk-{k:03d}": service.add_kiosk("admin:bench", f"kiosk-{k:03d}") for k in range(kiosks)
    }
    service.ledger.close()
    office = Office(cluster, admin_url, config, tls, tokens, [], folder)
    office.start()
    return office


def warm_up(office: Office, items: list[Item]) -> None:
    """A few requests through each instance first (connections, caches, compiled statements):
    a new instance's first second is not what it does after."""
    for port in [s.port for s in office.servers]:
        chosen: dict[str, Kiosk] = {}
        for _ in range(40):
            item = items.pop()
            kiosk = chosen.setdefault(item[0], Kiosk(item[0], office.tokens[item[0]], [port]))
            kiosk.items.append(item)
        run_load(list(chosen.values()), office.tls.ca, 30)


def deal(items: list[Item], office: Office, *, both: bool = True) -> list[Kiosk]:
    ports = [s.port for s in office.servers]
    kiosks = {
        k: Kiosk(k, t, ports if i % 2 == 0 else ports[::-1])
        for i, (k, t) in enumerate(office.tokens.items())
    }
    if not both:
        for k in kiosks.values():
            k.ports = k.ports[:1]
    for item in items:
        kiosks[item[0]].items.append(item)
    return list(kiosks.values())


def check_ledger(office: Office, answered: set[str]) -> dict[str, Any]:
    with Ledger.open(office.admin_url, config=ledger_config(), migrate_schema=False) as ledger:
        records = ledger.list_requests(limit=None)
        stored = {r.request_id for r in records}
        submits = Counter(
            e.request_id for e in ledger.audit_trail() if e.action is AuditAction.SUBMIT
        )
        start = time.perf_counter()
        bad = sum(1 for r in records if ledger.check(r.request_id).problems)
        reverify = time.perf_counter() - start
        report = ledger.verify_audit()
    return {
        "stored": len(stored),
        "lost": len(answered - stored),
        "twice": sum(1 for n in submits.values() if n > 1),
        "not re-verified": bad,
        "re-verify s": reverify,
        "chain": "verifies" if report.ok and report.key_checked else f"BROKEN {report.breaks[:2]}",
        "entries": report.entries,
    }


# -- main -------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> dict[str, tuple[str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--kiosks", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=300.0)
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    figures: dict[str, tuple[str, str]] = {}
    reason = missing_requirements()
    if reason is not None:
        print(f"skipped: {reason}")
        return figures
    kiosk_ids = [f"kiosk-{k:03d}" for k in range(args.kiosks)]
    budget = int(args.seconds * 1600)  # more than the service can take in that time
    print(
        f"signing {budget * 2 + int(args.rate * args.seconds * 1.2)} requests (not measured)…",
        flush=True,
    )
    closed_items = sign_items(kiosk_ids, budget)
    open_items = sign_items(kiosk_ids, int(args.rate * args.seconds * 1.2) + args.kiosks + 100)
    kill_items = sign_items(kiosk_ids, budget)

    v1 = verification_rate(closed_items, 1)
    v2 = verification_rate(closed_items, 2)
    print(
        table(
            [
                ("verification only, 1 process", f"{v1:,.0f}/s"),
                ("verification only, 2 processes", f"{v2:,.0f}/s"),
            ],
            ("what", "rate"),
        )
    )

    cluster = PostgresCluster.start(fast=False, settings={"max_connections": "200"})
    folder = Path(tempfile.mkdtemp(prefix="jpki-bench-office-"))
    rows = []
    try:
        # -- throughput: closed loop --------------------------------------------------------
        office = make_office(cluster, folder / "a", args.kiosks)
        warm_up(office, closed_items)
        kiosks = deal(closed_items, office)
        elapsed = run_load(kiosks, office.tls.ca, args.seconds)
        office.stop()
        latencies = [x for k in kiosks for x in k.latencies]
        statuses = sum((k.statuses for k in kiosks), Counter())
        created = statuses[201]
        throughput = created / elapsed
        answered = {rid for k in kiosks for rid in k.answered}
        rows.append(
            (
                f"closed loop, {args.kiosks} connections",
                f"{throughput:,.0f}/s",
                f"{percentile(latencies, 50) * 1000:.0f} ms",
                f"{percentile(latencies, 99) * 1000:.0f} ms",
                f"{max(latencies) * 1000:.0f} ms",
                " ".join(f"{s}:{n}" for s, n in sorted(statuses.items())),
            )
        )
        checked = check_ledger(office, answered)
        print(f"closed loop: {checked}")

        # -- latency at the goal's rate: open loop ------------------------------------------
        office = make_office(cluster, folder / "b", args.kiosks)
        warm_up(office, open_items)
        kiosks = deal(open_items, office)
        elapsed = run_load(kiosks, office.tls.ca, args.seconds, rate=args.rate)
        office.stop()
        latencies = [x for k in kiosks for x in k.latencies]
        statuses = sum((k.statuses for k in kiosks), Counter())
        offered = sum(statuses.values()) / elapsed
        p99 = percentile(latencies, 99)
        rows.append(
            (
                f"open loop, {args.rate:.0f}/s offered over {args.kiosks} connections",
                f"{statuses[201] / elapsed:,.0f}/s",
                f"{percentile(latencies, 50) * 1000:.0f} ms",
                f"{p99 * 1000:.0f} ms",
                f"{max(latencies) * 1000:.0f} ms",
                " ".join(f"{s}:{n}" for s, n in sorted(statuses.items())),
            )
        )

        # -- kill -9 of one instance half-way -----------------------------------------------
        office = make_office(cluster, folder / "c", args.kiosks)
        warm_up(office, kill_items)
        kiosks = deal(kill_items, office)
        killer_done: list[float] = []

        def killer() -> None:
            time.sleep(args.seconds / 2)
            office.servers[0].kill()
            killer_done.append(time.perf_counter())

        import threading

        thread = threading.Thread(target=killer)
        thread.start()
        elapsed = run_load(kiosks, office.tls.ca, args.seconds)
        thread.join()
        office.stop()
        statuses = sum((k.statuses for k in kiosks), Counter())
        answered = {rid for k in kiosks for rid in k.answered}
        latencies = [x for k in kiosks for x in k.latencies]
        rows.append(
            (
                "closed loop, instance 1 killed -9 half-way",
                f"{statuses[201] / elapsed:,.0f}/s",
                f"{percentile(latencies, 50) * 1000:.0f} ms",
                f"{percentile(latencies, 99) * 1000:.0f} ms",
                f"{max(latencies) * 1000:.0f} ms",
                " ".join(f"{s}:{n}" for s, n in sorted(statuses.items()))
                + f" failovers:{sum(k.failovers for k in kiosks)}",
            )
        )
        kill = check_ledger(office, answered)
    finally:
        cluster.stop()
    print()
    print(table(rows, ("load", "stored", "p50", "p99", "max", "answers")))
    print()
    print(
        f"kill -9 run: {len(answered)} acknowledged, {kill['stored']} stored, lost {kill['lost']}, "
        f"stored twice {kill['twice']}, not re-verified {kill['not re-verified']}, "
        f"audit chain {kill['chain']} ({kill['entries']} entries)"
    )
    print(
        f"fully verified submissions/s: {throughput:,.0f} (goal >= 300); ratio to verification "
        f"only: {throughput / v2:.2f} of 2 processes ({throughput / v1:.2f} of 1); p99 at "
        f"{offered:,.0f}/s over {args.kiosks} connections: {p99 * 1000:.0f} ms (goal <= 200 ms)"
    )
    figures["office: fully verified submissions/s (2 instances, PostgreSQL fsync on)"] = (
        f"{throughput:,.0f}",
        ">= 300",
    )
    figures[f"office: p99 latency at {args.rate:.0f}/s, {args.kiosks} kiosk connections"] = (
        f"{p99 * 1000:.0f} ms",
        "<= 200 ms",
    )
    figures["office: throughput / verification-only rate (2 processes)"] = (
        f"{throughput / v2:.2f}",
        "-",
    )
    figures["office: kill -9 of one instance: lost / stored twice / chain"] = (
        f"{kill['lost']} / {kill['twice']} / {kill['chain']}",
        "0 / 0 / verifies",
    )
    return figures


if __name__ == "__main__":
    main()
