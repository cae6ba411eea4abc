"""The office service over HTTPS: kiosks submit and nothing else, staff act by role, bad input is
refused, forgeries are refused or found — on SQLite and PostgreSQL (the service role).

The service runs for real (uvicorn, TLS with a throwaway CA the clients pin) on a
loopback port; the clients are the library's (:mod:`jpki.officeapi`).
"""

from __future__ import annotations

import base64
import json
import ssl
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from jpki.authn import authenticate
from jpki.card import JpkiCard
from jpki.ledger import AuditAction, Status
from jpki.officeapi import HolderProof, KioskClient, OfficeRefused, OfficeUnreachable, StaffClient
from jpki.officeapi.wire import MAX_SUBMISSION_BODY
from jpki.requests import sign_request_with_key
from mock_card import MockCard
from office.credentials import totp_now
from tests.office_fixtures import SERVICE, Office
from tests.office_kit import PASSWORD, card, signed_request

AUTH_PIN = "1234"


def refused(call: Any, status: int, code: str | None = None) -> OfficeRefused:
    with pytest.raises(OfficeRefused) as caught:
        call()
    assert caught.value.status == status, (caught.value.status, caught.value.message)
    if code is not None:
        assert caught.value.code == code, caught.value.message
    return caught.value


def stored_ids(office: Office) -> set[str]:
    return {r.request_id for r in office.service.ledger.list_requests()}


# -- kiosks ---------------------------------------------------------------------------------


def test_a_kiosk_submits_and_reads_its_own_receipts(office: Office) -> None:
    kiosk = office.kiosk("kiosk-01")
    signature, document, rid = signed_request("kiosk-01")
    receipt = kiosk.submit(signature, document)
    assert receipt.created and receipt.request_id == rid and receipt.status == "submitted"
    again = kiosk.submit(signature, document)  # a resubmission (the outbox): idempotent
    assert not again.created and again.request_id == rid
    assert kiosk.receipt(rid).request_id == rid
    attached, _, rid2 = signed_request("kiosk-01", detached=False)
    assert kiosk.submit(attached, None).created
    assert stored_ids(office) == {rid, rid2}
    (entry,) = office.service.ledger.audit_trail(rid)
    assert entry.actor == "kiosk:kiosk-01"
    other = office.kiosk("kiosk-02")
    refused(lambda: other.receipt(rid), 404, "not-found")  # not even that it exists


def test_a_kiosk_submits_only_requests_naming_itself(office: Office) -> None:
    office.kiosk("kiosk-01")
    thief = office.kiosk("kiosk-02")
    signature, document, _ = signed_request("kiosk-01")
    error = refused(lambda: thief.submit(signature, document), 403, "forbidden")
    assert "kiosk-01" in error.message
    assert stored_ids(office) == set()


#: Everything a kiosk token may do: (method, route pattern).
KIOSK_ALLOWED = {
    ("POST", "/v1/kiosk/requests"),
    ("GET", "/v1/kiosk/requests/{request_id}"),
    ("POST", "/v1/kiosk/holder/challenge"),
    ("POST", "/v1/kiosk/holder/requests"),
    ("GET", "/v1/health"),
}


def _every_route(running: Office) -> list[tuple[str, str]]:
    from office.api import create_app

    app = create_app(running.service)
    found = []
    for route in app.routes:
        if not getattr(route, "path", "").startswith("/v1"):
            continue  # the console's pages (cookies, CSRF): tests/test_console.py
        for method in sorted(getattr(route, "methods", None) or ()):
            if method != "HEAD":
                found.append((method, route.path))  # type: ignore[attr-defined]
    return found


def test_a_kiosk_token_can_do_nothing_else(office: Office) -> None:
    """Every route of the API with a kiosk's token: only the kiosk routes answer."""
    kiosk = office.kiosk("kiosk-01")
    signature, document, rid = signed_request("kiosk-01")
    kiosk.submit(signature, document)
    clerk = office.staff("sato", "clerk")  # a staff session exists (the kiosk has not got it)
    routes = _every_route(office)
    assert set(KIOSK_ALLOWED) <= set(routes)
    tried = 0
    for method, pattern in routes:
        if (method, pattern) in KIOSK_ALLOWED:
            continue
        path = pattern.removeprefix("/v1")
        path = (
            path.replace("{prefix}", rid)
            .replace("{action}", "approve")
            .replace("{kiosk}", "kiosk-01")
            .replace("{username}", "sato")
        )
        body = {"username": "sato", "password": "x", "kiosk_id": "kiosk-09", "reason": "x"}
        with pytest.raises(OfficeRefused) as caught:
            kiosk.request(method, path, json=body if method == "POST" else None)
        assert caught.value.status in (401, 403), (method, pattern, caught.value.status)
        tried += 1
    assert tried >= 15
    # nothing changed: the request is still submitted, no kiosk or staff was added
    assert office.service.ledger.get(rid).status is Status.SUBMITTED
    assert [k["kiosk_id"] for k in office.service.kiosks()] == ["kiosk-01"]
    assert [s["username"] for s in office.service.staff_list()] == ["sato"]
    assert clerk.me()["username"] == "sato"


def test_wrong_and_revoked_tokens_are_refused_and_recorded(office: Office) -> None:
    signature, document, _ = signed_request("kiosk-01")
    kiosk = office.kiosk("kiosk-01")
    for token in ("jpki-kiosk-" + "A" * 43, "not a token", "x" * 5000):
        stranger = KioskClient(office.url, ca=office.tls.ca, token=token)
        refused(lambda c=stranger: c.submit(signature, document), 401, "unauthenticated")
        stranger.close()
    office.service.revoke_kiosk("admin:test", "kiosk-01")
    refused(lambda: kiosk.submit(signature, document), 401, "unauthenticated")
    assert stored_ids(office) == set()
    refusals = [e for e in office.service.ledger.audit_trail() if e.action is AuditAction.REFUSED]
    assert {e.subject for e in refusals} >= {"kiosk", "kiosk:kiosk-01"}
    assert any("revoked kiosk token" in (e.reason or "") for e in refusals)
    assert all("127.0.0.1" in (e.reason or "") for e in refusals)
    assert office.service.ledger.verify_audit().ok


def test_bad_submissions_are_refused_and_nothing_is_stored(office: Office) -> None:
    kiosk = office.kiosk("kiosk-01")
    signature, document, _ = signed_request("kiosk-01")
    assert document is not None

    def post(body: Any, raw: bytes | None = None) -> OfficeRefused:
        with pytest.raises(OfficeRefused) as caught:
            if raw is None:
                kiosk.request("POST", "/kiosk/requests", json=body)
            else:
                response = httpx.post(
                    office.url + "/v1/kiosk/requests",
                    content=raw,
                    headers={"Authorization": f"Bearer {kiosk.token}"},
                    verify=ssl.create_default_context(cafile=str(office.tls.ca)),
                )
                from jpki.officeapi.client import _answer

                _answer(response, raw=False)
        return caught.value

    assert post(None, raw=b"{not json").status == 400
    assert post(None, raw=b"x" * (MAX_SUBMISSION_BODY + 1)).status == 413
    assert post({"signature": "@@@", "document": None}).code == "malformed"
    assert post({"signature": 5}).status == 400
    assert post({"sig": "x"}).status == 400
    assert post([1, 2]).status == 400
    garbage = post({"signature": base64.b64encode(b"\x30\x03abc").decode(), "document": None})
    assert garbage.status == 422 and garbage.reason == "signature"
    other = signed_request("kiosk-01")[1]
    assert other is not None
    mismatch = post(
        {
            "signature": base64.b64encode(signature).decode(),
            "document": base64.b64encode(other).decode(),
        }
    )
    assert mismatch.status == 422 and "DIGEST" in mismatch.message.upper()
    # a signature two days old (a replay of an old request) is stale
    creds = card().credentials
    old = datetime.now(UTC) - timedelta(days=2)
    from jpki.requests import CertificateRequest

    request = CertificateRequest.from_bytes(document)
    stale = sign_request_with_key(creds.sign_key, creds.sign_cert, request, signing_time=old)
    error = refused(lambda: kiosk.submit(stale.signature, stale.document), 422)
    assert error.reason == "stale"
    assert stored_ids(office) == set()


def test_a_flood_from_one_kiosk_is_rate_limited(office: Office) -> None:
    office.service.rate.rate = 0.5
    office.service.rate.burst = 3.0
    kiosk = office.kiosk("kiosk-01")
    others = office.kiosk("kiosk-02")
    items = [signed_request("kiosk-01") for _ in range(5)]
    codes = []
    for signature, document, _ in items:
        try:
            kiosk.submit(signature, document)
            codes.append(201)
        except OfficeRefused as exc:
            codes.append(exc.status)
            assert exc.code == "rate-limited" and exc.retry_after is not None
    assert codes == [201, 201, 201, 429, 429]
    assert len(stored_ids(office)) == 3
    signature, document, _ = signed_request("kiosk-02")
    assert others.submit(signature, document).created  # another kiosk is not held back


def test_a_replayed_submission_stores_nothing_new(office: Office) -> None:
    kiosk = office.kiosk("kiosk-01")
    signature, document, rid = signed_request("kiosk-01")
    for _ in range(3):
        kiosk.submit(signature, document)
    assert stored_ids(office) == {rid}
    assert len(office.service.ledger.audit_trail(rid)) == 1
    # the same id with other signed bytes is a conflict
    from jpki.requests import CertificateRequest

    request = CertificateRequest.from_bytes(document)  # type: ignore[arg-type]
    forged = CertificateRequest(**{**request.__dict__, "copies": 9})
    creds = card().credentials
    resigned = sign_request_with_key(creds.sign_key, creds.sign_cert, forged)
    refused(lambda: kiosk.submit(resigned.signature, resigned.document), 409, "conflict")
    assert office.service.ledger.get(rid).copies == 1


# -- the applicant's own requests -------------------------------------------------------------


def _card_answer(mock: MockCard, challenge: bytes) -> HolderProof:
    jpki_card = JpkiCard(mock)
    response = authenticate(jpki_card, challenge, AUTH_PIN)
    from cryptography.hazmat.primitives.serialization import Encoding

    return HolderProof(
        response.certificate.public_bytes(Encoding.DER), challenge, response.signature
    )


def test_an_applicant_lists_their_own_requests_with_their_card(office: Office) -> None:
    kiosk = office.kiosk("kiosk-01")
    mine, stranger = card(), card(1)
    from jpki.authn import Authenticator

    local = Authenticator(office.service.ledger.trust_store)

    def submit(mock: MockCard) -> str:
        challenge = local.issue_challenge()  # the kiosk's own, at the session's start
        proof = _card_answer(mock, challenge.to_bytes())
        signature, document, rid = signed_request("kiosk-01", card=mock)
        assert kiosk.submit(signature, document, holder=proof).created
        return rid

    own = {submit(mine), submit(mine)}
    submit(stranger)
    challenge = kiosk.holder_challenge()
    proof = _card_answer(mine, challenge)
    listed = kiosk.holder_requests(proof)
    assert {r.request_id for r in listed} == own
    assert all(r.kiosk_id == "kiosk-01" and r.status == "submitted" for r in listed)
    # one answer per challenge
    refused(lambda: kiosk.holder_requests(proof), 401, "unauthenticated")
    # a challenge of another kiosk, or one the office did not issue
    other = office.kiosk("kiosk-02")
    fresh = _card_answer(mine, kiosk.holder_challenge())
    refused(lambda: other.holder_requests(fresh), 401)
    homemade = _card_answer(mine, local.issue_challenge().to_bytes())
    refused(lambda: kiosk.holder_requests(homemade), 401)
    # someone else's signature over the challenge
    challenge = kiosk.holder_challenge()
    theirs = _card_answer(stranger, challenge)
    forged = HolderProof(proof.certificate, challenge, theirs.signature)
    refused(lambda: kiosk.holder_requests(forged), 401)


def test_a_bad_holder_proof_refuses_the_submission(office: Office) -> None:
    kiosk = office.kiosk("kiosk-01")
    proof = _card_answer(card(), kiosk.holder_challenge())
    bad = HolderProof(proof.certificate, proof.challenge, b"\0" * len(proof.signature))
    signature, document, _ = signed_request("kiosk-01")
    error = refused(lambda: kiosk.submit(signature, document, holder=bad), 422)
    assert error.reason == "holder"
    assert stored_ids(office) == set()


# -- staff ----------------------------------------------------------------------------------------


def test_staff_act_by_role_and_the_audit_names_them(office: Office) -> None:
    kiosk = office.kiosk("kiosk-01")
    signature, document, rid = signed_request("kiosk-01")
    kiosk.submit(signature, document)
    clerk = office.staff("sato", "clerk")
    issuer = office.staff("ito", "issuer")
    auditor = office.staff("kato", "auditor")
    admin = office.staff("root", "admin")

    refused(lambda: issuer.change(rid, "approve"), 403, "forbidden")
    refused(lambda: auditor.change(rid, "approve"), 403)
    refused(lambda: admin.change(rid, "approve"), 403)
    refused(admin.list_requests, 403)  # admins manage accounts, not requests
    refused(clerk.audit, 403)
    refused(clerk.kiosks, 403)
    assert clerk.change(rid[:8], "approve").status is Status.APPROVED
    refused(lambda: clerk.change(rid, "issue"), 403)
    refused(lambda: clerk.change(rid, "approve"), 409, "conflict")
    record = issuer.change(rid, "issue")
    assert record.status is Status.ISSUED and record.expires_at is not None
    assert issuer.change(rid, "download").status is Status.DOWNLOADED
    refused(lambda: issuer.change(rid, "download"), 409)
    refused(lambda: clerk.change(rid, "self-destruct"), 404)

    shown, trail = auditor.find(rid)
    assert shown.applicant_name == "見本 花子" and not shown.tampered
    assert [(e.action.value, e.actor) for e in trail] == [
        ("submit", "kiosk:kiosk-01"),
        ("approve", "staff:sato"),
        ("issue", "staff:ito"),
        ("download", "staff:ito"),
    ]
    assert [r.request_id for r in auditor.list_requests(status="downloaded")] == [rid]
    report = auditor.audit_verify()
    assert report.ok and report.key_checked
    head = clerk.audit_head()  # every member of staff sees the chain's state
    assert head["head_seq"] == report.head_seq
    assert auditor.verify(rid)["valid"]
    # the admin's work is in the chain too
    token = admin.add_kiosk("kiosk-03")
    assert token.startswith("jpki-kiosk-")
    admin.revoke_kiosk("kiosk-03")
    admin.add_staff("abe", PASSWORD, ["clerk"])
    admin.change_staff("abe", disabled=True)
    actions = [(e.action.value, e.actor, e.subject) for e in auditor.audit() if e.subject]
    assert ("kiosk-add", "staff:root", "kiosk:kiosk-03") in actions
    assert ("staff-change", "staff:root", "staff:abe") in actions
    refused(lambda: StaffClient(office.url, ca=office.tls.ca).login("abe", PASSWORD), 401)


def test_staff_sign_in_with_argon2_and_totp(office: Office) -> None:
    client = office.staff("sato", "clerk", totp=True)
    refused(lambda: client.login("sato", "wrong password!"), 401)
    refused(lambda: client.login("nobody", PASSWORD), 401)
    refused(lambda: client.login("sato", PASSWORD), 401)  # no code
    refused(lambda: client.login("sato", PASSWORD, "000000"), 401)
    with office.service.ledger.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash, totp_secret FROM office_staff")).one()
    assert stored[0].startswith("$argon2id$") and PASSWORD not in stored[0]
    code = totp_now(stored[1])
    session = client.login("sato", PASSWORD, code)
    assert session.roles == ("clerk",)
    assert client.me()["username"] == "sato"
    refused(
        lambda: StaffClient(office.url, ca=office.tls.ca).login("sato", PASSWORD, code), 401
    )  # a code is good once
    client.logout()
    refused(client.me, 401)
    refusals = [e for e in office.service.ledger.audit_trail() if e.action is AuditAction.REFUSED]
    assert refusals and not any(PASSWORD in (e.reason or "") for e in refusals)


def test_an_expired_or_ended_session_cannot_act(office: Office) -> None:
    clerk = office.staff("sato", "clerk")
    office.service.session_ttl = timedelta(seconds=-1)
    late = StaffClient(office.url, ca=office.tls.ca)
    late.login("sato", PASSWORD)
    refused(late.me, 401)
    office.service.change_staff("admin:test", "sato", disabled=True)
    refused(clerk.me, 401)
    late.close()


# -- forgeries through the service --------------------------------------------------------------


def test_a_tampered_request_cannot_move_on_through_the_api(office: Office) -> None:
    kiosk = office.kiosk("kiosk-01")
    signature, document, rid = signed_request("kiosk-01")
    kiosk.submit(signature, document)
    clerk = office.staff("sato", "clerk")
    with office.service.ledger.engine.begin() as conn:  # status behind the service's back
        conn.execute(text("UPDATE certificate_requests SET status = 'approved'"))
    shown, _ = clerk.find(rid)
    assert shown.tampered and "audit trail says" in shown.problems[0]
    error = refused(lambda: clerk.change(rid, "reject", "x"), 409, "tampered")
    assert "cannot move on" in error.message


def test_the_service_role_cannot_rewrite_anything(office: Office) -> None:
    """On PostgreSQL the service connects as a role that owns nothing: what the forgeries of
    issue 14 did as the kiosk's database user is refused to it."""
    if office.backend != "postgresql":
        pytest.skip("SQLite has no roles (the chain's MACs are its defence)")
    kiosk = office.kiosk("kiosk-01")
    signature, document, rid = signed_request("kiosk-01")
    kiosk.submit(signature, document)
    url = office.config.url()
    assert f"{SERVICE}@" in url
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == SERVICE
        for statement in (
            "ALTER TABLE audit_log DISABLE TRIGGER USER",
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete",
            "DROP TRIGGER audit_log_no_update_delete ON audit_log",
            "UPDATE certificate_requests SET applicant_name = 'Mallory', copies = 10",
            "UPDATE audit_log SET actor = 'staff:sato'",
            "DELETE FROM audit_log",
            "DELETE FROM certificate_requests",
            "TRUNCATE audit_log",
            "UPDATE audit_chain_head SET key_id = NULL",
            "UPDATE office_kiosks SET token_sha256 = 'x'",
            "CREATE TABLE mine (x int)",
            "SET session_replication_role = replica",
            "CREATE ROLE mallory SUPERUSER",
        ):
            with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
                conn.execute(text(statement))
            # 42501 insufficient_privilege: no grant, not the owner, or a trigger's refusal
            assert getattr(caught.value.orig, "sqlstate", None) == "42501", (
                statement,
                str(caught.value),
            )
    finally:
        engine.dispose()
    record = office.service.ledger.get(rid)
    assert not record.tampered and record.applicant_name == "見本 花子"
    assert office.service.ledger.verify_audit().ok


def test_the_kiosk_holds_no_database_credentials() -> None:
    """A kiosk that talks to the office is configured with its URL, token and CA only."""
    from gui.config import parse_config

    config = parse_config(
        '[office]\nurl = "https://office.example:8443"\ntoken_file = "kiosk.token"\n'
        'ca = "office-ca.pem"\n'
    )
    assert config.office_url == "https://office.example:8443"
    assert config.ledger_url is None


def test_health_answers_without_credentials(office: Office) -> None:
    client = KioskClient(office.url, ca=office.tls.ca)
    assert client.request("GET", "/health")["ok"] is True
    client.close()


def test_the_client_pins_the_office_ca(office: Office, tmp_path: Any) -> None:
    from tests.office_kit import make_tls

    other = make_tls(tmp_path / "other")
    client = KioskClient(office.url, ca=other.ca, token="jpki-kiosk-x")
    with pytest.raises(OfficeUnreachable, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
        client.request("GET", "/health")
    client.close()


def test_an_unreachable_office_is_told_apart_from_a_refusal(tmp_path: Any) -> None:
    from tests.office_kit import free_port, make_tls

    tls = make_tls(tmp_path)
    client = KioskClient(f"https://127.0.0.1:{free_port()}", ca=tls.ca, token="jpki-kiosk-x")
    started = time.monotonic()
    with pytest.raises(OfficeUnreachable):
        client.submit(b"x", None)
    assert time.monotonic() - started < 5
    client.close()
    assert json.dumps  # (json imported for the bodies above)
