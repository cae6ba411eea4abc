"""The kiosk's store and forward: nothing lost, nothing stored twice — with the office away,
with the kiosk process killed (-9) at any moment, with the office killed (-9) at any moment.

The office is the real service over TLS (in this process, or ``jpki-office serve`` as
a child to kill); the kiosk is :class:`gui.office_link.OfficeSink` (in this process,
or ``tests/kiosk_child.py`` as a child to kill).
"""

from __future__ import annotations

import base64
import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from gui.config import parse_config
from gui.flow import RequestForm, initial
from gui.mock_panel import mock_card_opener
from gui.office_link import OfficeSink
from gui.outbox import Outbox, OutboxError
from gui.services import KioskServices
from jpki.authn import authenticate
from jpki.card import JpkiCard
from jpki.ledger import AuditAction, Ledger, SubmissionRejected
from jpki.officeapi import HolderProof, KioskClient
from jpki.requests import DeliveryMethod
from office.database import init_database
from tests.office_fixtures import Office
from tests.office_kit import (
    ROOT,
    ServerProcess,
    free_port,
    ledger_config,
    make_tls,
    signed_request,
    write_config,
)

# -- the outbox on its own ------------------------------------------------------------------------


def test_the_outbox_keeps_requests_privately_and_in_order(tmp_path: Path) -> None:
    folder = tmp_path / "outbox"
    outbox = Outbox(folder)
    items = [signed_request() for _ in range(3)]
    entries = [outbox.put(rid, sig, doc) for sig, doc, rid in items]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(e.path.stat().st_mode) == 0o600 for e in entries)
    assert [e.request_id for e in outbox.pending()] == [rid for _, _, rid in items]
    assert outbox.pending()[0].signature == items[0][0]
    with pytest.raises(OutboxError, match="another kiosk process"):
        Outbox(folder)
    outbox.done(entries[0])
    outbox.refuse(entries[1], "403 forbidden")
    assert [e.request_id for e in outbox.pending()] == [items[2][2]]
    (refused,) = outbox.refused()
    assert "403 forbidden" in refused.with_suffix(".reason.txt").read_text()
    # a write cut short, a file that is not ours, a corrupt file
    (folder / ".tmp-000000000099").write_bytes(b"{half")
    (folder / ("000000000050-" + "0" * 36 + ".json")).write_bytes(b"garbage")
    outbox.close()
    again = Outbox(folder)
    assert [e.request_id for e in again.pending()] == [items[2][2]]
    assert not (folder / ".tmp-000000000099").exists()
    assert list((folder / "broken").glob("*.json"))
    new = again.put(items[0][2], items[0][0], items[0][1])
    assert new.seq > 50  # numbering goes on after what was there
    again.close()


# -- against the office ------------------------------------------------------------------------


def _sink(office: Office, folder: Path, urls: Any = None, token: str | None = None) -> OfficeSink:
    client = KioskClient(
        urls or office.url, ca=office.tls.ca, token=token or office.kiosk("kiosk-01").token
    )
    return OfficeSink(client, Outbox(folder), retry_interval=0.1)


def _submit(sink: OfficeSink, item: tuple[bytes, bytes | None, str]) -> Any:
    signature, document, rid = item
    return sink.submit(signature, document, request_id=rid)


def test_requests_wait_while_the_office_is_away_then_go_in_order(
    office: Office, tmp_path: Path
) -> None:
    token = office.kiosk("kiosk-01").token
    away = f"https://127.0.0.1:{free_port()}"
    sink = _sink(office, tmp_path / "outbox", urls=away, token=token)
    items = [signed_request() for _ in range(4)]
    outcomes = [_submit(sink, item) for item in items]
    assert all(o.queued and not o.stored for o in outcomes)
    assert sink.waiting == 4
    sink.close()
    back = _sink(office, tmp_path / "outbox", token=token)  # the kiosk restarted, office back
    deadline = time.monotonic() + 20
    while back.waiting and time.monotonic() < deadline:
        time.sleep(0.05)
    assert back.waiting == 0
    trail = [
        e.request_id for e in office.service.ledger.audit_trail() if e.action is AuditAction.SUBMIT
    ]
    assert trail == [rid for _, _, rid in items]  # in the order they were put in
    fresh = _submit(back, signed_request())
    assert fresh.stored and fresh.receipt is not None and fresh.receipt.created
    back.close()


def test_a_request_the_office_refuses_is_put_aside(office: Office, tmp_path: Path) -> None:
    sink = _sink(office, tmp_path / "outbox")
    with pytest.raises(SubmissionRejected, match="kiosk-02"):
        _submit(sink, signed_request("kiosk-02"))  # not this kiosk's
    assert len(sink.outbox.refused()) == 1 and sink.waiting == 0
    assert _submit(sink, signed_request()).stored
    sink.close()


def test_a_refused_token_keeps_the_requests_waiting(office: Office, tmp_path: Path) -> None:
    """A revoked (or mistyped) token is the kiosk's problem, not the requests': they wait."""
    sink = _sink(office, tmp_path / "outbox")
    office.service.revoke_kiosk("admin:test", "kiosk-01")
    outcome = _submit(sink, signed_request())
    assert outcome.queued and sink.waiting == 1 and not sink.outbox.refused()
    sink.close()


def test_the_kiosk_flow_stores_at_the_office_and_the_applicant_finds_it(
    office: Office, tmp_path: Path
) -> None:
    """The kiosk's services with an [office] configuration: the request goes through the
    outbox to the office, linked to the card that authenticated; the applicant lists it."""
    from tests.test_kiosk_services import AUTH_PIN, MOCK_TRUST, Kiosk, new_card

    token_file = tmp_path / "kiosk.token"
    fd = os.open(token_file, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, office.kiosk("kiosk-01").token.encode())
    os.close(fd)
    roots = tmp_path / "mock-roots.pem"
    roots.write_bytes(b"".join(c.public_bytes(Encoding.PEM) for c in MOCK_TRUST.anchors))
    config = parse_config(
        f'[security]\ntrust = ["{roots}"]\n'
        f'[office]\nurl = "{office.url}"\ntoken_file = "{token_file}"\n'
        f'ca = "{office.tls.ca}"\noutbox = "{tmp_path / "outbox"}"\n'
    )
    card = new_card()
    services = KioskServices.from_config(config, mock_card_opener(card))
    sink = services.sink
    assert isinstance(sink, OfficeSink)
    kiosk = Kiosk(services, initial(config))
    kiosk.to_receipt(RequestForm("transcript-ja", copies=2, delivery=DeliveryMethod.COUNTER))
    assert kiosk.model.receipt is not None, kiosk.model
    rid = kiosk.model.receipt.request_id
    assert services._ledger is None  # the kiosk opened no database
    record = office.service.ledger.get(rid)
    assert record.copies == 2 and record.auth_cert_sha256 is not None and not record.tampered
    challenge = sink.holder_challenge()
    answer = authenticate(JpkiCard(card), challenge, AUTH_PIN)
    proof = HolderProof(answer.certificate.public_bytes(Encoding.DER), challenge, answer.signature)
    assert [r.request_id for r in sink.holder_requests(proof)] == [rid]
    services.close()


# -- kill -9 ------------------------------------------------------------------------------------


def _plan(
    folder: Path, urls: list[str], ca: Path, token: str, items: Path, start: int, pace: float = 0
) -> Path:
    plan = folder / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "urls": urls,
                "ca": str(ca),
                "token": token,
                "outbox": str(folder / "outbox"),
                "items": str(items),
                "start": start,
                "pace": pace,
            }
        )
    )
    return plan


def _items_file(folder: Path, n: int, kiosk_id: str = "kiosk-01") -> tuple[Path, list[str]]:
    items = [signed_request(kiosk_id) for _ in range(n)]
    path = folder / f"items-{kiosk_id}.json"
    path.write_text(
        json.dumps(
            [
                [
                    base64.b64encode(sig).decode(),
                    base64.b64encode(doc).decode() if doc else None,
                    rid,
                ]
                for sig, doc, rid in items
            ]
        )
    )
    return path, [rid for _, _, rid in items]


def _child(plan: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.kiosk_child", str(plan)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _check_once_each(ledger: Ledger, acknowledged: set[str], offered: list[str]) -> None:
    """Every acknowledged request is stored, once; nothing else is there."""
    stored = {r.request_id for r in ledger.list_requests()}
    submits = Counter(e.request_id for e in ledger.audit_trail() if e.action is AuditAction.SUBMIT)
    assert acknowledged <= stored, f"lost: {sorted(acknowledged - stored)}"
    assert stored <= set(offered)
    assert set(submits.values()) == {1}, "a request was stored twice"
    assert all(not r.tampered for r in ledger.list_requests())
    assert ledger.verify_audit().ok


def test_a_kiosk_killed_at_any_moment_loses_nothing(office: Office, tmp_path: Path) -> None:
    token = office.kiosk("kiosk-01").token
    items, offered = _items_file(tmp_path, 100)
    rng = random.Random(14)
    acknowledged: set[str] = set()
    start = 0
    rounds = 0
    while start < len(offered) and rounds < 8:
        rounds += 1
        plan = _plan(tmp_path, [office.url], office.tls.ca, token, items, start, pace=0.01)
        child = _child(plan)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=10)
        for line in out.splitlines():
            if line.startswith("ack "):
                acknowledged.add(line.split()[1])
        start = max((offered.index(r) + 1 for r in acknowledged), default=0)
    # the kiosk comes back one last time and runs to the end
    child = _child(_plan(tmp_path, [office.url], office.tls.ca, token, items, start))
    out, _ = child.communicate(timeout=60)
    assert "done" in out
    acknowledged |= {line.split()[1] for line in out.splitlines() if line.startswith("ack ")}
    sink = _sink(office, tmp_path / "outbox", token=token)
    sink.flush()
    assert sink.waiting == 0
    sink.close()
    assert acknowledged == set(offered)
    _check_once_each(office.service.ledger, acknowledged, offered)
    assert rounds >= 4  # killed that often before the end


def test_an_office_killed_at_any_moment_loses_nothing(tmp_path: Path) -> None:
    """``jpki-office serve`` (SQLite) killed -9 and restarted over and over while a kiosk
    keeps submitting."""
    db = tmp_path / "office.sqlite3"
    init_database(db, ledger_config())
    tls = make_tls(tmp_path / "tls")
    config = write_config(tmp_path, str(db), tls)
    from office.config import load_config
    from office.server import build_service

    service = build_service(load_config(config))
    token = service.add_kiosk("admin:test", "kiosk-01")
    service.ledger.close()
    port = free_port()
    server = ServerProcess(config, port, tmp_path / "office.log").start()
    items = [signed_request() for _ in range(60)]
    client = KioskClient(server.url, ca=tls.ca, token=token, timeout=3.0)
    sink = OfficeSink(client, Outbox(tmp_path / "outbox"), retry_interval=0.1)
    rng = random.Random(9)
    kills = 0
    try:
        for i, item in enumerate(items):
            _submit(sink, item)
            if i % 12 == 5:
                time.sleep(rng.uniform(0, 0.05))
                server.kill()
                kills += 1
            if i % 12 == 8:
                server.start()
        if server.process is not None and server.process.poll() is not None:
            server.start()
        deadline = time.monotonic() + 60
        while sink.waiting and time.monotonic() < deadline:
            sink.flush()
            time.sleep(0.1)
        assert sink.waiting == 0
    finally:
        sink.close()
        server.stop()
    with Ledger.open(db, config=ledger_config(), migrate_schema=False) as ledger:
        _check_once_each(ledger, {rid for _, _, rid in items}, [rid for _, _, rid in items])
    assert kills == 5
