"""The certificate-request ledger (jpki/ledger, jpki/cli/requests.py) on SQLite and PostgreSQL.

Every test taking ``db_url`` (or ``ledger``) runs twice: on an SQLite file and
on a database of a throwaway PostgreSQL cluster (tests/postgres.py; one
cluster per session, one database per test copied from a migrated template).
Without the PostgreSQL binaries those runs are skipped — or fail when CI=true.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import signal
import stat
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from jpki import CertKind, JpkiCard
from jpki.cli import main
from jpki.cli.requests_commands import run as run_requests
from jpki.cms import CmsReason, sign_cms_with_key
from jpki.ledger import (
    FINAL_STATUSES,
    TRANSITIONS,
    AuditAction,
    DeadlinePassed,
    InvalidTransition,
    Ledger,
    LedgerConfig,
    RejectReason,
    RequestConflict,
    RequestNotFound,
    Status,
    SubmissionRejected,
    default_ledger_path,
    resolve_url,
)
from jpki.ledger.engine import alembic_config
from jpki.requests import (
    Applicant,
    CertificateRequest,
    ConvenienceStoreDelivery,
    CounterDelivery,
    Delivery,
    DigitalPdfDelivery,
    PostalDelivery,
    SignedRequest,
    sign_request,
    sign_request_with_key,
)
from jpki.timeutil import JST
from jpki.trust import CrlStore, RevocationPolicy, TrustStore
from mock_card import CardCredentials, CardProfile, Holder, MockCard, MockPki
from tests.postgres import (
    PostgresCluster,
    missing_requirements,
    shared_cluster,
    temporary_database,
)

PKI = MockPki.demo()
TRUST = TrustStore.from_certificates([PKI.sign_ca_cert, PKI.auth_ca_cert])
CONFIG = LedgerConfig(trust_store=TRUST)
SIGN_PIN = "ABCD1234"


# -- making signed requests -----------------------------------------------------------------


@cache
def creds(key_index: int = 0) -> CardCredentials:
    holder = Holder() if key_index == 0 else Holder(name=f"別人 {key_index}郎")
    return MockCard(key_index=key_index, holder=holder).credentials


def make_request(
    c: CardCredentials | None = None,
    *,
    kind: str = "transcript-ja",
    delivery: Delivery | None = None,
    when: datetime | None = None,
    copies: int = 1,
    applicant: Applicant | None = None,
) -> CertificateRequest:
    c = c or creds()
    return CertificateRequest.create(
        kiosk_id="kiosk-01",
        kind=kind,
        language="ja",
        copies=copies,
        delivery=delivery or DigitalPdfDelivery("株式会社見本"),
        purpose="就職活動",
        applicant=applicant or Applicant.from_certificate(c.sign_cert),
        time=when,
        allowed_kinds=None,
    )


def sign(
    request: CertificateRequest | bytes,
    c: CardCredentials | None = None,
    *,
    detached: bool = True,
    signing_time: datetime | None = None,
) -> SignedRequest:
    c = c or creds()
    return sign_request_with_key(
        c.sign_key, c.sign_cert, request, detached=detached, signing_time=signing_time
    )


def signed_items(n: int) -> list[tuple[bytes, bytes | None]]:
    """``n`` signed requests as (signature, content or None): half detached, half attached."""
    items = []
    for i in range(n):
        s = sign(make_request(copies=1 + i % 10), detached=i % 2 == 0)
        items.append((s.signature, s.document if s.detached else None))
    return items


def document_of(item: tuple[bytes, bytes | None]) -> bytes:
    signature, content = item
    if content is not None:
        return content
    from asn1crypto import cms

    return bytes(cms.ContentInfo.load(signature)["content"]["encap_content_info"]["content"].native)


def request_id_of(item: tuple[bytes, bytes | None]) -> str:
    return CertificateRequest.from_bytes(document_of(item), allowed_kinds=None).request_id


# -- backends -----------------------------------------------------------------------------------

_template: dict[str, str] = {}
_template_lock = threading.Lock()


def postgres() -> PostgresCluster:
    reason = missing_requirements()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required when CI=true: {reason}")
        pytest.skip(reason)
    return shared_cluster()


def pg_template(cluster: PostgresCluster) -> str:
    """A migrated database to copy for each test (cheaper than migrating each)."""
    with _template_lock:
        if "name" not in _template:
            url = cluster.create_database("ledger_template")
            Ledger.open(url, config=CONFIG).close()
            _template["name"] = "ledger_template"
        return _template["name"]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
        return
    cluster = postgres()
    with temporary_database(cluster, template=pg_template(cluster)) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Like ``db_url``, but a database without the schema (nothing migrated yet)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
        return
    with temporary_database(postgres()) as url:
        yield url


def test_postgres_missing_skips_here_and_fails_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "missing_requirements", lambda: "no initdb")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no initdb"):
        postgres()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required when CI=true: no initdb"):
        postgres()


@pytest.fixture
def ledger(db_url: str) -> Iterator[Ledger]:
    with Ledger.open(db_url, config=CONFIG) as opened:
        yield opened


def assert_empty(ledger: Ledger) -> None:
    assert ledger.list_requests() == []
    assert ledger.audit_trail() == []


# -- submission ---------------------------------------------------------------------------------


@pytest.mark.parametrize("detached", [True, False], ids=["detached", "attached"])
def test_submit_stores_exactly_the_signed_bytes(ledger: Ledger, detached: bool) -> None:
    request = make_request(delivery=PostalDelivery("見本 花子", "東京都千代田区", "102-8160"))
    signed = sign(request, detached=detached)
    result = ledger.submit_signed(signed)
    assert result.created
    record = ledger.get(request.request_id)
    assert record == result.record
    assert record.document == request.to_bytes() == signed.document
    assert record.signature == signed.signature
    assert record.detached is detached
    assert record.content_sha256 == hashlib.sha256(signed.document).hexdigest()
    assert record.status is Status.SUBMITTED
    assert record.request == request
    assert record.applicant_name == "見本 花子"
    assert record.applicant_birth_date == date(1990, 4, 1)
    assert record.signing_time is not None
    assert ledger.reverify(request.request_id).valid
    (entry,) = ledger.audit_trail(request.request_id)
    assert (entry.action, entry.from_status, entry.to_status) == (
        AuditAction.SUBMIT,
        None,
        Status.SUBMITTED,
    )
    assert entry.actor == "kiosk:kiosk-01"


def test_submitting_twice_is_idempotent(ledger: Ledger) -> None:
    request = make_request()
    signed = sign(request)
    first = ledger.submit_signed(signed)
    again = ledger.submit_signed(signed)
    assert first.created and not again.created
    assert again.record == first.record
    # the same document signed once more (another signing time): still the same request
    resigned = sign(request, detached=False, signing_time=datetime.now(UTC) - timedelta(minutes=1))
    assert resigned.signature != signed.signature
    third = ledger.submit_signed(resigned)
    assert not third.created and third.record.signature == signed.signature
    assert len(ledger.list_requests()) == 1
    assert len(ledger.audit_trail()) == 1


def test_same_id_with_other_bytes_is_a_conflict(ledger: Ledger) -> None:
    request = make_request()
    ledger.submit_signed(sign(request))
    forged = make_request(copies=5)
    forged = CertificateRequest(**{**forged.__dict__, "request_id": request.request_id})
    with pytest.raises(RequestConflict) as caught:
        ledger.submit_signed(sign(forged))
    assert caught.value.reason is RejectReason.CONFLICT
    assert "already stored with other signed content" in str(caught.value)
    (record,) = ledger.list_requests()
    assert record.copies == 1
    assert len(ledger.audit_trail()) == 1


def test_the_real_card_path(ledger: Ledger) -> None:
    card = JpkiCard(MockCard())
    certificate = card.read_certificate(CertKind.SIGN, pin=SIGN_PIN)
    request = make_request(applicant=Applicant.from_certificate(certificate))
    signed = sign_request(card, request, pin=SIGN_PIN, detached=False, include_ca=True)
    result = ledger.submit_signed(signed)
    assert result.created
    assert result.record.document == request.to_bytes()
    assert result.record.signer_serial == format(certificate.serial_number, "x")
    assert ledger.reverify(request.request_id).valid


def _bad_submissions() -> list[tuple[str, RejectReason, Any]]:
    """(what, expected reason, a function of the ledger that submits it)."""
    c = creds()
    now = datetime.now(UTC)
    good = make_request()
    good_signed = sign(good)
    other = sign(make_request())
    unknown_kind = make_request(kind="diploma")
    auth_signed = sign_cms_with_key(c.auth_key, c.auth_cert, good.to_bytes())
    junk = os.urandom(10 * 1024 * 1024)
    untrusted = MockPki.generate().issue_card(key_index=2)
    expired = MockCard(profile=CardProfile.EXPIRED).credentials
    someone_else = creds(1)
    copies_11 = json.loads(good.to_bytes())
    copies_11["copies"] = 11
    copies_11_bytes = json.dumps(
        copies_11, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()
    pretty = json.dumps(json.loads(good.to_bytes()), indent=2, ensure_ascii=False).encode()
    future_doc = make_request(when=now + timedelta(hours=1))
    crl = PKI.revocation_crls(c, now=now - timedelta(hours=1))[0]
    strict = LedgerConfig(
        trust_store=TRUST,
        crls=CrlStore.from_crls([crl]),
        revocation_policy=RevocationPolicy.REQUIRE,
    )
    r = RejectReason
    return [
        ("garbage bytes", r.SIGNATURE, lambda led: led.submit(os.urandom(3000), b"{}")),
        ("empty", r.MALFORMED, lambda led: led.submit(b"", None)),
        ("not bytes", r.MALFORMED, lambda led: led.submit("text", None)),
        ("10 MB of junk", r.TOO_LARGE, lambda led: led.submit(junk, None)),
        ("10 MB content", r.TOO_LARGE, lambda led: led.submit(good_signed.signature, junk)),
        (
            "CMS over different content",
            r.SIGNATURE,
            lambda led: led.submit(good_signed.signature, other.document),
        ),
        ("detached without content", r.SIGNATURE, lambda led: led.submit(other.signature)),
        (
            "signed with the auth key",
            r.WRONG_CERTIFICATE,
            lambda led: led.submit(auth_signed, good.to_bytes()),
        ),
        ("unknown document type", r.SCHEMA, lambda led: led.submit_signed(sign(unknown_kind))),
        ("copies 11", r.SCHEMA, lambda led: led.submit_signed(sign(copies_11_bytes))),
        ("not canonical", r.SCHEMA, lambda led: led.submit_signed(sign(pretty))),
        ("not a request", r.SCHEMA, lambda led: led.submit_signed(sign(b"%PDF-1.7 hello"))),
        (
            "untrusted root",
            r.SIGNATURE,
            lambda led: led.submit_signed(sign(make_request(untrusted), untrusted)),
        ),
        (
            "expired card",
            r.SIGNATURE,
            lambda led: led.submit_signed(sign(make_request(expired), expired)),
        ),
        (
            "revoked card (policy require)",
            r.SIGNATURE,
            lambda led: Ledger(led.engine, strict).submit_signed(sign(make_request())),
        ),
        (
            "no CRL (policy require)",
            r.SIGNATURE,
            lambda led: Ledger(
                led.engine,
                LedgerConfig(trust_store=TRUST, revocation_policy=RevocationPolicy.REQUIRE),
            ).submit_signed(sign(make_request())),
        ),
        (
            "someone else's identity",
            r.IDENTITY_MISMATCH,
            lambda led: led.submit_signed(sign(make_request(someone_else), c)),
        ),
        (
            "signed two days ago",
            r.STALE,
            lambda led: led.submit_signed(
                sign(
                    make_request(when=now - timedelta(days=2)), signing_time=now - timedelta(days=2)
                )
            ),
        ),
        (
            "dated after it was signed",
            r.STALE,
            lambda led: led.submit_signed(sign(future_doc, signing_time=now)),
        ),
    ]


CMS_REASONS = {
    "garbage bytes": CmsReason.MALFORMED,
    "CMS over different content": CmsReason.DIGEST_MISMATCH,
    "detached without content": CmsReason.NO_CONTENT,
    "signed with the auth key": CmsReason.WRONG_KEY_USAGE,
    "untrusted root": CmsReason.UNTRUSTED,
    "expired card": CmsReason.EXPIRED,
    "revoked card (policy require)": CmsReason.REVOKED,
    "no CRL (policy require)": CmsReason.NO_CRL,
}


def test_bad_input_is_refused_with_a_reason_and_nothing_is_stored(ledger: Ledger) -> None:
    for what, reason, submit in _bad_submissions():
        with pytest.raises(SubmissionRejected) as caught:
            submit(ledger)
        assert caught.value.reason is reason, (what, caught.value.reason, str(caught.value))
        assert caught.value.cms_reason is CMS_REASONS.get(what), (what, str(caught.value))
        assert len(str(caught.value)) > 20, what  # a message a person can act on
        assert_empty(ledger)


def test_rejections_say_why(ledger: Ledger) -> None:
    c = creds()
    good = make_request()
    with pytest.raises(SubmissionRejected) as caught:
        ledger.submit(sign_cms_with_key(c.auth_key, c.auth_cert, good.to_bytes()), good.to_bytes())
    assert caught.value.cms_reason is CmsReason.WRONG_KEY_USAGE
    assert "signature certificate" in str(caught.value)
    with pytest.raises(SubmissionRejected, match="unknown document type 'diploma'"):
        ledger.submit_signed(sign(make_request(kind="diploma")))
    custom = Ledger(
        ledger.engine, LedgerConfig(trust_store=TRUST, allowed_kinds=frozenset({"diploma"}))
    )
    assert custom.submit_signed(sign(make_request(kind="diploma"))).created


# -- lifecycle ----------------------------------------------------------------------------------


def submitted(ledger: Ledger, delivery: Delivery | None = None) -> str:
    request = make_request(delivery=delivery)
    ledger.submit_signed(sign(request))
    return request.request_id


def test_digital_pdf_lifecycle_and_single_download(ledger: Ledger) -> None:
    rid = submitted(ledger)
    now = ledger.now()
    assert ledger.change(rid, "approve", actor="staff:sato", at=now).status is Status.APPROVED
    issued = ledger.change(rid, "issue", actor="staff:sato", at=now + timedelta(days=2))
    assert issued.status is Status.ISSUED
    assert issued.expires_at == now + timedelta(days=16)
    done = ledger.change(rid, "download", actor="portal", at=now + timedelta(days=15))
    assert done.status is Status.DOWNLOADED
    with pytest.raises(InvalidTransition, match="downloaded once"):
        ledger.change(rid, "download", actor="portal", at=now + timedelta(days=15))
    trail = ledger.audit_trail(rid)
    assert [(e.action, e.from_status, e.to_status, e.actor) for e in trail] == [
        (AuditAction.SUBMIT, None, Status.SUBMITTED, "kiosk:kiosk-01"),
        (AuditAction.APPROVE, Status.SUBMITTED, Status.APPROVED, "staff:sato"),
        (AuditAction.ISSUE, Status.APPROVED, Status.ISSUED, "staff:sato"),
        (AuditAction.DOWNLOAD, Status.ISSUED, Status.DOWNLOADED, "portal"),
    ]
    assert trail[2].at == now + timedelta(days=2)


def test_download_after_fourteen_days_expires(ledger: Ledger) -> None:
    rid = submitted(ledger)
    now = ledger.now()
    ledger.change(rid, "approve", actor="staff")
    ledger.change(rid, "issue", actor="staff", at=now)
    with pytest.raises(DeadlinePassed, match="download window"):
        ledger.change(rid, "download", actor="portal", at=now + timedelta(days=14, seconds=1))
    record = ledger.get(rid)
    assert record.status is Status.EXPIRED
    assert "download window" in (record.status_reason or "")
    assert ledger.audit_trail(rid)[-1].action is AuditAction.EXPIRE


def test_only_one_of_many_concurrent_downloads_wins(ledger: Ledger) -> None:
    rid = submitted(ledger)
    ledger.change(rid, "approve", actor="staff")
    ledger.change(rid, "issue", actor="staff")
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def download() -> None:
        barrier.wait()
        try:
            ledger.change(rid, "download", actor="portal")
            outcomes.append("ok")
        except InvalidTransition:
            outcomes.append("refused")

    threads = [threading.Thread(target=download) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 5
    assert [e.action for e in ledger.audit_trail(rid)].count(AuditAction.DOWNLOAD) == 1


def test_convenience_store_print_deadline(ledger: Ledger) -> None:
    today = datetime.now(JST).date()
    store = ConvenienceStoreDelivery("seven-eleven", today + timedelta(days=3))
    a, b, late = submitted(ledger, store), submitted(ledger, store), submitted(ledger, store)
    now = ledger.now()
    for rid in (a, b, late):
        ledger.change(rid, "approve", actor="staff")
    for rid in (a, b):
        issued = ledger.change(rid, "issue", actor="staff", at=now)
        assert issued.expires_at == datetime.combine(
            today + timedelta(days=4), datetime.min.time(), JST
        )
    assert (
        ledger.change(a, "deliver", actor="store", at=now + timedelta(days=1)).status
        is Status.DELIVERED
    )
    with pytest.raises(DeadlinePassed, match="print deadline"):
        ledger.change(b, "deliver", actor="store", at=now + timedelta(days=5))
    assert ledger.get(b).status is Status.EXPIRED
    with pytest.raises(InvalidTransition, match=r"print deadline .* has passed"):
        ledger.change(late, "issue", actor="staff", at=now + timedelta(days=5))
    assert ledger.get(late).status is Status.APPROVED


def test_post_and_counter_are_delivered(ledger: Ledger) -> None:
    for delivery in (
        PostalDelivery("Hanako Mihon", "1 Example St, Springfield", None, country="US"),
        CounterDelivery("ichigaya"),
    ):
        rid = submitted(ledger, delivery)
        ledger.change(rid, "approve", actor="staff")
        assert ledger.change(rid, "issue", actor="staff").expires_at is None
        with pytest.raises(InvalidTransition, match="use 'deliver'"):
            ledger.change(rid, "download", actor="staff")
        assert ledger.change(rid, "deliver", actor="staff").status is Status.DELIVERED


def test_changes_the_status_does_not_allow(ledger: Ledger) -> None:
    rid = submitted(ledger)
    with pytest.raises(InvalidTransition, match="is submitted; it cannot be issued"):
        ledger.change(rid, "issue", actor="staff")
    with pytest.raises(ValueError, match="reason is required"):
        ledger.change(rid, "reject", actor="staff", reason="  ")
    with pytest.raises(ValueError, match="actor"):
        ledger.change(rid, "approve", actor="")
    with pytest.raises(RequestNotFound):
        ledger.change("00000000-0000-4000-8000-000000000000", "approve", actor="staff")
    rejected = ledger.change(rid, "reject", actor="staff", reason="identity check failed")
    assert rejected.status is Status.REJECTED
    assert rejected.status_reason == "identity check failed"
    for action in ("approve", "issue", "deliver", "download", "expire"):
        with pytest.raises(InvalidTransition):
            ledger.change(rid, action, actor="staff")
    with pytest.raises(ValueError, match="not a status change"):
        ledger.change(rid, "purge", actor="staff")
    with pytest.raises(InvalidTransition, match="use 'download'"):
        ledger.change(rid, "deliver", actor="staff")
    assert [e.action for e in ledger.audit_trail(rid)] == [AuditAction.SUBMIT, AuditAction.REJECT]
    assert ledger.audit_trail(rid)[-1].reason == "identity check failed"


def test_expire_overdue(ledger: Ledger) -> None:
    rid = submitted(ledger)
    keep = submitted(ledger)
    now = ledger.now()
    for r in (rid, keep):
        ledger.change(r, "approve", actor="staff")
    ledger.change(rid, "issue", actor="staff", at=now)
    ledger.change(keep, "issue", actor="staff", at=now + timedelta(days=10))
    assert ledger.expire_overdue(actor="cron", at=now + timedelta(days=15)) == [rid]
    assert ledger.get(rid).status is Status.EXPIRED
    assert ledger.get(keep).status is Status.ISSUED
    assert ledger.expire_overdue(actor="cron", at=now + timedelta(days=15)) == []
    # one request expires by hand only once its window has ended
    with pytest.raises(InvalidTransition, match="not overdue"):
        ledger.change(keep, "expire", actor="staff", at=now + timedelta(days=15))
    expired = ledger.change(keep, "expire", actor="staff", at=now + timedelta(days=24))
    assert expired.status is Status.EXPIRED and "not collected by" in (expired.status_reason or "")


#: How to bring a fresh request into each status (the changes, in order).
_PATHS: dict[Status, tuple[str, ...]] = {
    Status.SUBMITTED: (),
    Status.APPROVED: ("approve",),
    Status.REJECTED: ("reject",),
    Status.ISSUED: ("approve", "issue"),
    Status.DELIVERED: ("approve", "issue", "deliver"),
    Status.DOWNLOADED: ("approve", "issue", "download"),
}


@pytest.mark.parametrize("delivery", [DigitalPdfDelivery("株式会社見本"), CounterDelivery("tama")])
def test_every_change_is_allowed_exactly_where_the_table_says(
    ledger: Ledger, delivery: Delivery
) -> None:
    """Each action from each status a request can reach: done iff TRANSITIONS lists it (within
    the deadline, so expiring by hand is refused everywhere)."""
    for status, path in _PATHS.items():
        if not all(delivery.method in TRANSITIONS[AuditAction(a)].methods for a in path):
            continue  # no such request (a counter delivery is never downloaded)
        for action, transition in TRANSITIONS.items():
            rid = submitted(ledger, delivery)
            for step in path:
                ledger.change(rid, step, actor="staff", reason="because")
            assert ledger.get(rid).status is status
            allowed = (
                status in transition.sources
                and delivery.method in transition.methods
                and not transition.overdue_only
            )
            if allowed:
                done = ledger.change(rid, action, actor="staff", reason="because")
                assert done.status is transition.target, (status, action)
                assert ledger.audit_trail(rid)[-1].action is action
            else:
                with pytest.raises(InvalidTransition):
                    ledger.change(rid, action, actor="staff", reason="because")
                assert ledger.get(rid).status is status, (status, action)
    assert {
        Status.REJECTED,
        Status.DELIVERED,
        Status.DOWNLOADED,
        Status.EXPIRED,
    } == FINAL_STATUSES


# -- audit trail and retention ---------------------------------------------------------------


def test_audit_log_cannot_be_rewritten(ledger: Ledger) -> None:
    rid = submitted(ledger)
    ledger.change(rid, "approve", actor="staff")
    statements = [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
        "UPDATE certificate_requests SET document = document || 'x'",
        "UPDATE certificate_requests SET request_id = 'x'",
    ]
    if ledger.backend == "postgresql":
        statements.append("TRUNCATE audit_log")
    for statement in statements:
        with pytest.raises(DBAPIError), ledger.engine.begin() as conn:
            conn.execute(text(statement))
    assert [e.actor for e in ledger.audit_trail(rid)] == ["kiosk:kiosk-01", "staff"]
    assert ledger.reverify(rid).valid
    # ...and the API offers no way either
    public = {name for name in dir(ledger) if not name.startswith("_")}
    readers = {"audit_trail", "audit_head", "verify_audit", "seal_audit_chain"}
    assert not {n for n in public if "audit" in n} - readers
    # the status columns may change (the ledger changes them)... but not behind its back
    with ledger.engine.begin() as conn:
        conn.execute(text("UPDATE certificate_requests SET status_reason = 'note'"))
    assert ledger.get(rid).problems == ("its status reason is not what the audit trail says",)


def test_purge_deletes_old_finished_requests_and_leaves_audit_entries(ledger: Ledger) -> None:
    now = ledger.now()
    rejected, delivered, pending = (
        submitted(ledger),
        submitted(ledger, CounterDelivery("tama")),
        submitted(ledger),
    )
    ledger.change(rejected, "reject", actor="staff", reason="identity check failed", at=now)
    ledger.change(delivered, "approve", actor="staff", at=now)
    ledger.change(delivered, "issue", actor="staff", at=now)
    ledger.change(delivered, "deliver", actor="staff", at=now + timedelta(days=2))
    later = now + timedelta(days=31)
    assert ledger.purge(older_than=timedelta(days=30), actor="admin", at=later, dry_run=True) == [
        rejected
    ]
    assert ledger.get(rejected)
    assert ledger.purge(older_than=timedelta(days=30), actor="admin", at=later) == [rejected]
    with pytest.raises(RequestNotFound):
        ledger.get(rejected)
    assert ledger.get(delivered).status is Status.DELIVERED
    assert ledger.get(pending).status is Status.SUBMITTED
    trail = ledger.audit_trail(rejected)
    assert [e.action for e in trail] == [AuditAction.SUBMIT, AuditAction.REJECT, AuditAction.PURGE]
    assert (trail[-1].from_status, trail[-1].to_status, trail[-1].actor) == (
        Status.REJECTED,
        None,
        "admin",
    )
    assert "30 days" in (trail[-1].reason or "")
    assert ledger.purge(older_than=timedelta(days=0), actor="admin", at=later) == [delivered]


# -- queries ------------------------------------------------------------------------------------


def test_list_filters_and_find(ledger: Ledger) -> None:
    now = ledger.now()
    ids = []
    for hours, kind in ((0, "transcript-ja"), (6, "graduation-en"), (20, "transcript-ja")):
        request = make_request(kind=kind)
        ledger.submit_signed(sign(request), at=now + timedelta(hours=hours))
        ids.append(request.request_id)
    ledger.change(ids[1], "approve", actor="staff")
    assert [r.request_id for r in ledger.list_requests()] == ids
    assert [r.request_id for r in ledger.list_requests(status=Status.SUBMITTED)] == [ids[0], ids[2]]
    assert [r.request_id for r in ledger.list_requests(status=["approved", "rejected"])] == [ids[1]]
    window = ledger.list_requests(since=now + timedelta(hours=1), until=now + timedelta(hours=20))
    assert [r.request_id for r in window] == [ids[1]]
    assert [r.request_id for r in ledger.list_requests(kind="transcript-ja", limit=1)] == [ids[0]]
    assert ledger.find(ids[2][:8]).request_id == ids[2]
    assert ledger.find(ids[2].upper()).request_id == ids[2]
    with pytest.raises(RequestNotFound, match="at least 4"):
        ledger.find("ab")
    counts = ledger.count()
    assert counts[Status.SUBMITTED] == 2 and counts[Status.APPROVED] == 1


# -- database specifics ----------------------------------------------------------------------


def test_sqlite_file_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "data" / "ledger.sqlite3"
    with Ledger.open(path, config=CONFIG) as ledger:
        ledger.submit_signed(sign(make_request()))
        for suffix in ("", "-wal", "-shm"):
            mode = stat.S_IMODE((path.parent / (path.name + suffix)).stat().st_mode)
            assert mode == 0o600, (suffix, oct(mode))
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        with ledger.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    # the mode of a file someone else set is theirs: the ledger never changes it
    path.chmod(0o640)
    Ledger.open(path, config=CONFIG).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_opening_a_new_sqlite_ledger_waits_while_another_process_writes(tmp_path: Path) -> None:
    """Switching a new file to WAL upgrades a read lock to a write lock, which SQLite's busy
    timeout does not cover: opening must wait for the writer, not fail 'database is locked'
    (the race of processes opening one new ledger together)."""
    import sqlite3

    path = tmp_path / "ledger.sqlite3"
    path.touch(mode=0o600)  # new and empty, as another process has just created it
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")  # that process holds the write lock for a while
    release = threading.Timer(0.3, writer.execute, ("COMMIT",))
    release.start()
    started = time.monotonic()
    try:
        with Ledger.open(path, config=CONFIG, create=True) as ledger:
            waited = time.monotonic() - started
            with ledger.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        release.join()
        writer.close()
    assert waited >= 0.25


def test_opening_a_ledger_again_keeps_the_locks_of_the_one_open(tmp_path: Path) -> None:
    """Closing any descriptor of a file drops all the POSIX locks the process holds on it:
    opening the same ledger a second time must not, or another process could take the
    file from under the first (here: switch it out of WAL in the middle of a read)."""
    path = tmp_path / "ledger.sqlite3"
    with Ledger.open(path, config=CONFIG, create=True) as first:
        raw = first.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("BEGIN")
            cursor.execute("SELECT count(*) FROM sqlite_master").fetchall()  # a read, open
            Ledger.open(path, config=CONFIG).close()
            other = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import sqlite3, sys\n"
                    "c = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None)\n"
                    "print(c.execute('PRAGMA journal_mode = DELETE').fetchone()[0])",
                    str(path),
                ],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            cursor.execute("COMMIT")
        finally:
            raw.close()
    assert "database is locked" in other.stderr, (other.stdout, other.stderr[-300:])


def test_default_database_is_in_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_data_dir", lambda app: str(tmp_path / app))
    assert default_ledger_path() == tmp_path / "jpki" / "ledger.sqlite3"
    assert resolve_url(None).database == str(tmp_path / "jpki" / "ledger.sqlite3")
    assert resolve_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert resolve_url("relative.sqlite3").database == str(Path("relative.sqlite3").absolute())
    with Ledger.open(config=CONFIG) as ledger:
        assert ledger.backend == "sqlite"
    assert (tmp_path / "jpki" / "ledger.sqlite3").exists()


def test_migrations_go_down_and_up_again(db_url: str) -> None:
    from alembic import command

    with Ledger.open(db_url, config=CONFIG) as ledger:
        engine = create_engine(ledger.engine.url)
        rid = submitted(ledger)
        ledger.change(rid, "approve", actor="staff")
        ledger.change(rid, "issue", actor="staff")
    cfg = alembic_config()

    def run(step: Any, revision: str) -> None:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            step(cfg, revision)

    def version() -> str:
        with engine.connect() as conn:
            return str(
                conn.execute(text("SELECT version_num FROM ledger_alembic_version")).scalar()
            )

    # back to the unchained schema, data kept; up again: the old entries are chained
    run(command.downgrade, "0001")
    assert version() == "0001"
    with engine.connect() as conn:
        columns = {c["name"] for c in engine.dialect.get_columns(conn, "audit_log")}
        assert "entry_hash" not in columns
        assert "audit_chain_head" not in set(engine.dialect.get_table_names(conn))
    with Ledger.open(db_url, config=CONFIG) as ledger:
        assert version() == "0003"
        assert ledger.verify_audit().ok
        assert ledger.verify_audit().entries == 3
        record = ledger.get(rid)
        assert record.problems == ()
        assert record.expires_at is not None
        ledger.change(rid, "download", actor="staff")
        assert ledger.verify_audit().ok

    run(command.downgrade, "base")
    with engine.connect() as conn:
        tables = set(engine.dialect.get_table_names(conn))
    assert not {"certificate_requests", "audit_log", "audit_chain_head"} & tables
    with Ledger.open(db_url, config=CONFIG) as ledger:  # upgrades again
        rid = submitted(ledger)
        with pytest.raises(DBAPIError), ledger.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))
        assert ledger.get(rid).status is Status.SUBMITTED
        assert version() == "0003"
    engine.dispose()


# -- reliability: processes killed, processes racing ------------------------------------------


@cache
def _processes() -> Any:
    ctx = multiprocessing.get_context("forkserver")
    # children fork from a server that has imported all this already: they start in ms
    ctx.set_forkserver_preload(
        [
            "tests.test_ledger",
            "alembic.command",
            "alembic.config",
            "alembic.runtime.migration",
            "sqlalchemy.dialects.sqlite",
            "sqlalchemy.dialects.postgresql.psycopg",
            "alembic.ddl.sqlite",
            "alembic.ddl.postgresql",
            "psycopg",
        ]
    )
    return ctx


def _submit_forever(
    url: str, items: list[tuple[bytes, bytes | None]], start: int, ready: Any
) -> None:
    """Child: submit the items round and round (from ``start``) until killed."""
    ledger = Ledger.open(url, config=CONFIG)
    # warm up (a fresh process compiles its statements, a fresh PostgreSQL backend loads
    # its caches: the first submission is slow), so that the kill lands among submissions
    ledger.submit(*items[start])
    ready.set()
    i = start + 1
    while True:
        signature, content = items[i % len(items)]
        ledger.submit(signature, content)
        i += 1


def _submit_batch(
    url: str, items: list[tuple[bytes, bytes | None]], barrier: Any, results: Any
) -> None:
    """Child: submit ``items`` once, all processes starting together; report (id, created)."""
    try:
        ledger = Ledger.open(url, config=CONFIG)
        barrier.wait(30)
        out = []
        for signature, content in items:
            result = ledger.submit(signature, content)
            out.append((result.record.request_id, result.created))
        ledger.close()
        results.put(("ok", out))
    except BaseException as exc:
        results.put(("error", repr(exc)))


def check_whole_or_absent(url: str, items: list[tuple[bytes, bytes | None]]) -> int:
    """Every stored request is whole (bytes as signed, verifies, one submit entry); the
    rest are absent (no audit entry either). Returns how many are stored."""
    by_id = {request_id_of(item): item for item in items}
    with Ledger.open(url, config=CONFIG) as ledger:
        records = ledger.list_requests()
        submits = Counter(
            e.request_id for e in ledger.audit_trail() if e.action is AuditAction.SUBMIT
        )
        assert set(submits) == {r.request_id for r in records}
        assert set(submits.values()) <= {1}
        for record in records:
            signature, content = by_id[record.request_id]
            assert record.signature == signature
            assert record.document == document_of((signature, content))
            assert record.content_sha256 == hashlib.sha256(record.document).hexdigest()
            assert record.detached is (content is not None)
            assert record.status is Status.SUBMITTED
            assert ledger.reverify(record.request_id).valid
        if ledger.backend == "sqlite":
            with ledger.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        return len(records)


def test_kill_9_while_submitting_leaves_whole_requests_or_none(db_url: str) -> None:
    items = signed_items(120)
    Ledger.open(db_url, config=CONFIG).close()  # migrated before the children start
    ctx = _processes()
    rng = random.Random(9)
    for round_ in range(20):
        ready = ctx.Event()
        child = ctx.Process(
            target=_submit_forever, args=(db_url, items, rng.randrange(len(items)), ready)
        )
        child.start()
        assert ready.wait(30), "the submitting child did not start"
        time.sleep(rng.uniform(0.0, 0.1))
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join(10)
        assert child.exitcode == -signal.SIGKILL, (round_, child.exitcode)
    stored = check_whole_or_absent(db_url, items)
    assert 0 < stored <= len(items)


def test_eight_processes_submit_concurrently_each_request_stored_once(empty_db_url: str) -> None:
    """...into a database none of them has migrated yet: they race on that too."""
    db_url = empty_db_url
    items = signed_items(64)
    hot = items[:4]  # every process submits these
    ctx = _processes()
    barrier = ctx.Barrier(8)
    results = ctx.Queue()
    children = []
    for k in range(8):
        mine = [it for i, it in enumerate(items) if i % 8 in (k, (k + 1) % 8)] + hot
        random.Random(k).shuffle(mine)
        child = ctx.Process(target=_submit_batch, args=(db_url, mine, barrier, results))
        child.start()
        children.append(child)
    reports = [results.get(timeout=60) for _ in children]
    for child in children:
        child.join(10)
    errors = [detail for status, detail in reports if status != "ok"]
    assert not errors, errors
    created = Counter()
    seen = Counter()
    for _, out in reports:
        for request_id, was_created in out:
            seen[request_id] += 1
            created[request_id] += was_created
    assert set(seen) == {request_id_of(it) for it in items}
    assert set(created.values()) == {1}  # stored once, the other submissions were idempotent
    assert check_whole_or_absent(db_url, items) == len(items)


# -- command line ---------------------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["requests", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_staff_workflow(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JPKI_LEDGER_URL", db_url)
    monkeypatch.setenv("JPKI_ACTOR", "staff:env")
    anchors = tmp_path / "mock-ca.pem"
    anchors.write_bytes(
        PKI.sign_ca_cert.public_bytes(Encoding.PEM) + PKI.auth_ca_cert.public_bytes(Encoding.PEM)
    )
    ids = []
    for i, delivery in enumerate(
        [
            DigitalPdfDelivery("株式会社見本"),
            PostalDelivery("見本 花子", "東京都千代田区", "102-8160"),
        ]
    ):
        request = make_request(delivery=delivery)
        signed = sign(request, detached=i == 0)
        (tmp_path / f"r{i}.p7s").write_bytes(signed.signature)
        (tmp_path / f"r{i}.json").write_bytes(signed.document)
        ids.append(request.request_id)
    trust = ["--trust-anchor", str(anchors)]

    code, _, err = cli(capsys, "list")
    if db_url.startswith("sqlite"):  # no ledger there yet: an error, not an empty ledger
        assert code == 2 and "jpki requests init" in err
        code, out, _ = cli(capsys, "init")
        assert code == 0 and "created a new ledger" in out
    code, out, _ = cli(capsys, "init", "--json")
    assert code == 0 and json.loads(out)["created"] is False

    code, out, _ = cli(
        capsys, "submit", str(tmp_path / "r0.p7s"), "--content", str(tmp_path / "r0.json"), *trust
    )
    assert code == 0 and f"{ids[0]}: stored" in out
    code, out, _ = cli(capsys, "submit", str(tmp_path / "r1.p7s"), *trust)
    assert code == 0
    code, out, _ = cli(capsys, "submit", str(tmp_path / "r1.p7s"), *trust)
    assert code == 0 and "already stored" in out
    code, _, err = cli(capsys, "submit", str(tmp_path / "r1.p7s"))  # J-LIS roots only
    assert code == 1 and "submission refused (signature)" in err and "untrusted" in err

    code, out, _ = cli(capsys, "list")
    assert code == 0 and ids[0] in out and ids[1] in out and "見本 花子" in out
    # a change verifies the stored signature again: with the J-LIS roots only it cannot
    code, _, err = cli(capsys, "approve", ids[0][:8], "--actor", "staff:sato")
    assert code == 1 and "cannot move on" in err and "untrusted" in err
    code, out, _ = cli(capsys, "approve", ids[0][:8], "--actor", "staff:sato", *trust)
    assert code == 0 and "submitted → approved" in out
    code, _, err = cli(capsys, "approve", ids[0], *trust)
    assert code == 1 and "is approved; it cannot be approved" in err
    assert cli(capsys, "issue", ids[0], *trust)[0] == 0
    assert cli(capsys, "download", ids[0], *trust)[0] == 0
    code, _, err = cli(capsys, "download", ids[0], *trust)
    assert code == 1 and "downloaded once" in err
    code, _, err = cli(capsys, "reject", ids[1], *trust)
    assert code == 2  # --reason is required
    code, out, _ = cli(
        capsys, "reject", ids[1], "--reason", "identity check failed", "--json", *trust
    )
    assert code == 0 and json.loads(out)["status"] == "rejected"

    code, out, _ = cli(capsys, "list", "--status", "downloaded", "--json")
    assert [r["request_id"] for r in json.loads(out)] == [ids[0]]
    today = datetime.now(JST).date()
    code, out, _ = cli(capsys, "list", "--since", str(today + timedelta(days=1)), "--json")
    assert json.loads(out) == []
    code, out, _ = cli(capsys, "list", "--until", str(today), "--json")
    assert len(json.loads(out)) == 2
    assert cli(capsys, "list", "--since", "yesterday")[0] == 2

    code, out, _ = cli(capsys, "show", ids[0][:10])
    assert code == 0 and "downloaded" in out and "staff:sato" in out and "staff:env" in out
    code, out, _ = cli(capsys, "show", ids[0], "--json")
    shown = json.loads(out)
    assert shown["document"]["request_id"] == ids[0]
    assert [e["action"] for e in shown["audit"]] == ["submit", "approve", "issue", "download"]
    assert (
        cli(capsys, "show", ids[0], "--document")[1].encode() == (tmp_path / "r0.json").read_bytes()
    )
    code, _, err = cli(capsys, "show", "ffffffff")
    assert code == 1 and "no request" in err

    code, out, _ = cli(capsys, "export")
    lines = out.strip().splitlines()
    assert lines[0].startswith("request_id,status,") and len(lines) == 3
    export = tmp_path / "export.json"
    code, _, _ = cli(
        capsys, "export", "--format", "json", "--with-audit", "--with-signatures", "-o", str(export)
    )
    exported = json.loads(export.read_text(encoding="utf-8"))
    assert stat.S_IMODE(export.stat().st_mode) == 0o600
    assert {e["request_id"] for e in exported} == set(ids)
    assert all(e["signature_base64"] and e["audit"] for e in exported)

    code, out, _ = cli(capsys, "verify", ids[0], *trust)
    assert code == 0 and "valid" in out
    code, out, _ = cli(capsys, "purge", "--older-than", "0", "--dry-run")
    assert code == 0 and set(out.split()) >= {ids[0] + ":", ids[1] + ":"}
    code, out, _ = cli(capsys, "purge", "--older-than", "0", "--json")
    assert sorted(json.loads(out)["purged"]) == sorted(ids)
    code, out, _ = cli(capsys, "audit", ids[1], "--json")
    assert [e["action"] for e in json.loads(out)] == ["submit", "reject", "purge"]
    assert json.loads(out)[-1]["actor"] == "staff:env"
    assert cli(capsys, "list", "--json")[1].strip() == "[]"


def test_cli_is_part_of_the_main_parser_and_runs_as_a_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from jpki import cli as main_cli

    db = tmp_path / "ledger.sqlite3"
    with Ledger.open(db, config=CONFIG) as ledger:
        rid = submitted(ledger)
    # the main parser holds the ledger's commands
    build_with_requests = main_cli.build_parser
    anchor = tmp_path / "mock-ca.pem"
    anchor.write_bytes(PKI.sign_ca_cert.public_bytes(Encoding.PEM))
    approve = ["approve", rid, "--actor", "staff:a", "--trust-anchor", str(anchor)]
    assert main_cli.main(["requests", "--db", str(db), *approve]) == 0
    assert "submitted → approved" in capsys.readouterr().out
    assert main_cli.main(["-v", "requests", "show", rid, "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "approved"
    assert main_cli.main(["requests", "--db", str(db), "issue", "ffffffff"]) == 1
    assert "no request ffffffff" in capsys.readouterr().err
    parser = build_with_requests()
    args = parser.parse_args(["requests", "--db", "a", "list", "--db", "b"])
    assert args.handler is run_requests and args.db == "b"
    args = parser.parse_args(["requests", "--db", "a", "list"])
    assert args.db == "a"  # not overwritten by the subcommand's default

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env.pop("JPKI_LEDGER_URL", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jpki",
            "requests",
            "list",
            "--db",
            f"sqlite:///{db}",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["status"] == "approved"
    done = subprocess.run(
        [sys.executable, "-m", "jpki", "requests", "nonsense"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2


def test_cli_status_choices_are_the_ledgers() -> None:
    from jpki.cli.requests import STATUSES

    assert tuple(s.value for s in Status) == STATUSES


def test_cli_database_errors_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = cli(capsys, "list", "--db", str(blocker / "ledger.sqlite3"))
    assert code == 2 and "jpki requests: error:" in err and "not a folder" in err
    code, _, err = cli(capsys, "purge", "--older-than", "-1", "--db", str(tmp_path / "l.db"))
    assert code == 2 and "must not be negative" in err
    code, _, err = cli(capsys, "purge", "--db", str(tmp_path / "l.db"))
    assert code == 2 and "--older-than" in err
