"""Two service instances on one PostgreSQL, simulated kiosks over loopback, one instance killed
(-9) in the middle of the load: nothing lost, nothing stored twice, every request re-verifies,
the audit chain verifies. (Small here; ``make bench`` runs it bigger.)"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

from gui.office_link import OfficeSink
from gui.outbox import Outbox
from jpki.ledger import AuditAction, Ledger
from jpki.officeapi import KioskClient
from office.config import load_config
from office.server import build_service
from tests.office_fixtures import prepare_database
from tests.office_kit import (
    ServerProcess,
    free_port,
    ledger_config,
    make_tls,
    signed_request,
    write_config,
)

KIOSKS = 8
EACH = 25


def test_two_instances_one_killed_mid_load_lose_nothing(tmp_path: Path) -> None:
    admin_url, url, cleanup = prepare_database("postgresql", tmp_path)
    tls = make_tls(tmp_path / "tls")
    config_path = write_config(tmp_path, url, tls)
    service = build_service(load_config(config_path))
    tokens = {
        f"kiosk-{k:02d}": service.add_kiosk("admin:test", f"kiosk-{k:02d}") for k in range(KIOSKS)
    }
    service.ledger.close()
    plans = {kiosk: [signed_request(kiosk) for _ in range(EACH)] for kiosk in tokens}
    servers = [
        ServerProcess(config_path, free_port(), tmp_path / f"office-{i}.log").start()
        for i in range(2)
    ]
    acknowledged: dict[str, list[str]] = {k: [] for k in tokens}
    errors: list[BaseException] = []
    sinks: list[OfficeSink] = []
    half = threading.Barrier(KIOSKS + 1)

    def kiosk(index: int, kiosk_id: str) -> None:
        try:
            urls = [s.url for s in servers]
            if index % 2:
                urls.reverse()  # half the kiosks prefer each instance
            client = KioskClient(urls, ca=tls.ca, token=tokens[kiosk_id], timeout=5.0)
            sink = OfficeSink(client, Outbox(tmp_path / "outboxes" / kiosk_id), retry_interval=0.1)
            sinks.append(sink)
            for n, (signature, document, rid) in enumerate(plans[kiosk_id]):
                if n == EACH // 2:
                    half.wait(30)
                sink.submit(signature, document, request_id=rid)
                acknowledged[kiosk_id].append(rid)
        except BaseException as exc:
            errors.append(exc)
            half.abort()

    threads = [
        threading.Thread(target=kiosk, args=(i, k), daemon=True) for i, k in enumerate(tokens)
    ]
    try:
        for t in threads:
            t.start()
        half.wait(60)  # every kiosk is half-way: kill the first instance under load
        time.sleep(0.05)
        servers[0].kill()
        for t in threads:
            t.join(120)
        assert not errors, errors
        deadline = time.monotonic() + 60
        while any(s.waiting for s in sinks) and time.monotonic() < deadline:
            for s in sinks:
                s.flush()
            time.sleep(0.05)
        assert not any(s.waiting for s in sinks)
        assert not any(s.outbox.refused() for s in sinks)
    finally:
        for s in sinks:
            s.close()
        for server in servers:
            server.stop()
    offered = {rid for plan in plans.values() for _, _, rid in plan}
    acked = {rid for rids in acknowledged.values() for rid in rids}
    assert acked == offered
    try:
        with Ledger.open(admin_url, config=ledger_config(), migrate_schema=False) as ledger:
            records = ledger.list_requests()
            assert {r.request_id for r in records} == offered  # 0 lost
            submits = Counter(
                e.request_id for e in ledger.audit_trail() if e.action is AuditAction.SUBMIT
            )
            assert set(submits.values()) == {1}  # 0 stored twice
            for record in records:  # every one re-verifies (CMS, columns, audit entry)
                assert not ledger.check(record.request_id).problems
            report = ledger.verify_audit()
            assert report.ok and report.key_checked, report.breaks
            assert report.entries >= len(offered)
    finally:
        cleanup()
