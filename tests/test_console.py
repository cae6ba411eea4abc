"""The staff console over HTTPS against the real service (uvicorn, TLS, loopback), with an
HTTP client that keeps cookies and posts forms as a browser does: who may do what (the
page shows no button AND the server refuses), CSRF, cookies and headers, sessions that
end, search, exports, admin pages, and the one-time digital delivery — whose PDF is
checked by ``jpki verify`` and poppler's ``pdfsig`` with the institution's CA as trust.
(The same flow in a real browser: tests/test_console_browser.py.)
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from jpki.ledger import AuditAction, Status
from jpki.officeapi import KioskClient
from office.console import request_number
from office.credentials import totp_now
from office.service import ServiceError
from tests.console_kit import Browser, ConsoleOffice, console_office, small_pdf
from tests.office_kit import ROOT, card, signed_request

TEMPLATES = ROOT / "office" / "console" / "templates"


@pytest.fixture
def office(tmp_path: Path) -> Iterator[ConsoleOffice]:
    with console_office(tmp_path) as running:
        yield running


def submit(office: ConsoleOffice, kiosk_id: str = "kiosk-01", key_index: int = 0) -> str:
    try:
        token = office.service.add_kiosk("admin:test", kiosk_id)
    except Exception:  # added already: a new one under another name is not needed here
        token = None
    signature, document, rid = signed_request(kiosk_id, card=card(key_index))
    if token is not None:
        office.__dict__.setdefault("_tokens", {})[kiosk_id] = token
    client = KioskClient(office.url, ca=office.tls.ca, token=office.__dict__["_tokens"][kiosk_id])
    try:
        client.submit(signature, document)
    finally:
        client.close()
    return rid


def signed_in(office: ConsoleOffice, name: str, *roles: str) -> Browser:
    office.add_staff(name, *roles)
    browser = office.client()
    answer = browser.sign_in(name)
    assert answer.status_code == 303, answer.text[:500]
    return browser


def status(office: ConsoleOffice, rid: str) -> Status:
    return office.service.ledger.get(rid).status


def buttons(page: str) -> set[str]:
    return set(re.findall(r'<button type="submit"[^>]*id="do-([a-z]+)"', page))


# -- sign-in, cookies, headers ----------------------------------------------------------------


def test_sign_in_sets_a_strict_secure_cookie_and_every_page_a_csp(office: ConsoleOffice) -> None:
    office.add_staff("sato", "clerk")
    browser = office.client()
    page = browser.get("/console/login")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    answer = browser.sign_in("sato")
    assert answer.status_code == 303 and answer.headers["location"] == "/console/queue"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if "jpki_console" in c)
    assert cookie.startswith("__Host-jpki_console=jpki-session-")
    lowered = cookie.lower()
    assert "httponly" in lowered and "secure" in lowered and "samesite=strict" in lowered
    assert "domain=" not in lowered and "path=/" in lowered
    queue = browser.get("/console/queue")
    assert queue.status_code == 200 and "sato" in queue.text
    assert "default-src 'self'" in queue.headers["content-security-policy"]
    # the session token is stored only as its hash
    token = cookie.split("=", 1)[1].split(";")[0]
    with office.service.ledger.engine.connect() as conn:
        from sqlalchemy import text

        stored = [
            r[0] for r in conn.execute(text("SELECT token_sha256 FROM office_staff_sessions"))
        ]
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64


def test_no_template_has_inline_script_or_style() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "<script" not in text, template.name
        assert " style=" not in text and "<style" not in text, template.name
        assert re.search(r"\son[a-z]+=", text) is None, template.name  # no event handlers


def test_a_wrong_password_is_refused_and_audited(office: ConsoleOffice) -> None:
    office.add_staff("sato", "clerk")
    browser = office.client()
    answer = browser.sign_in("sato", password="not the password")
    assert answer.status_code == 401
    assert "jpki_console" not in answer.headers.get("set-cookie", "")
    events = office.service.ledger.audit_trail(subject="staff:sato")
    assert any(e.action is AuditAction.REFUSED for e in events)


def test_totp_is_asked_for_when_set_up(office: ConsoleOffice) -> None:
    secret = office.add_staff("kato", "clerk", totp=True)
    assert secret
    browser = office.client()
    assert browser.sign_in("kato").status_code == 401
    assert browser.sign_in("kato", totp=totp_now(secret)).status_code == 303
    assert browser.get("/console/queue").status_code == 200


def test_sign_in_without_the_form_token_is_refused(office: ConsoleOffice) -> None:
    office.add_staff("sato", "clerk")
    browser = office.client()
    browser.get("/console/login")
    answer = browser.post("/console/login", {"username": "sato", "password": "x" * 20}, csrf=False)
    assert answer.status_code == 403
    forged = browser.post(
        "/console/login", {"username": "sato", "password": "x" * 20, "csrf": "f" * 32}
    )
    assert forged.status_code == 403


# -- roles: no button, and the server refuses -------------------------------------------------


def test_a_clerk_approves_but_cannot_issue(office: ConsoleOffice) -> None:
    rid = submit(office)
    clerk = signed_in(office, "sato", "clerk")
    page = clerk.get(f"/console/requests/{rid}").text
    assert buttons(page) == {"approve", "reject"}
    answer = clerk.post(f"/console/requests/{rid}/approve")
    assert answer.status_code == 303
    assert status(office, rid) is Status.APPROVED
    page = clerk.get(f"/console/requests/{rid}").text
    assert buttons(page) == set() and 'id="no-actions"' in page
    refused = clerk.post(f"/console/requests/{rid}/issue")
    assert refused.status_code == 403
    upload = clerk.http.post(
        f"/console/requests/{rid}/pdf",
        data={"csrf": clerk.csrf()},
        files={"pdf": ("c.pdf", small_pdf(), "application/pdf")},
    )
    assert upload.status_code == 403
    assert status(office, rid) is Status.APPROVED
    assert office.console.deliveries.info(rid) is None
    (entry,) = [e for e in office.service.ledger.audit_trail(rid) if e.action == "approve"]
    assert entry.actor == "staff:sato"


def test_an_auditor_reads_but_cannot_approve(office: ConsoleOffice) -> None:
    rid = submit(office)
    auditor = signed_in(office, "ito", "auditor")
    page = auditor.get(f"/console/requests/{rid}").text
    assert buttons(page) == set()
    assert auditor.post(f"/console/requests/{rid}/approve").status_code == 403
    assert auditor.post(f"/console/requests/{rid}/reject", {"reason": "x"}).status_code == 403
    assert status(office, rid) is Status.SUBMITTED
    assert auditor.get("/console/kiosks").status_code == 403
    assert auditor.get("/console/audit").status_code == 200


def test_an_admin_alone_sees_no_request(office: ConsoleOffice) -> None:
    rid = submit(office)
    admin = signed_in(office, "root", "admin")
    assert admin.get(f"/console/requests/{rid}").status_code == 403
    assert admin.get("/console/export.csv").status_code == 403
    assert admin.get("/console/queue").headers["location"] == "/console/staff"


def test_a_forged_post_without_the_csrf_token_is_refused(office: ConsoleOffice) -> None:
    rid = submit(office)
    clerk = signed_in(office, "sato", "clerk")
    clerk.get(f"/console/requests/{rid}")
    assert clerk.post(f"/console/requests/{rid}/approve", csrf=False).status_code == 403
    assert clerk.post(f"/console/requests/{rid}/approve", {"csrf": "0" * 64}).status_code == 403
    # another session's token is no good either
    other = signed_in(office, "kato", "clerk")
    other.get(f"/console/requests/{rid}")
    assert clerk.post(f"/console/requests/{rid}/approve", {"csrf": other.csrf()}).status_code == 403
    assert status(office, rid) is Status.SUBMITTED
    assert clerk.post(f"/console/requests/{rid}/approve").status_code == 303


def test_a_signed_out_session_cannot_act(office: ConsoleOffice) -> None:
    rid = submit(office)
    clerk = signed_in(office, "sato", "clerk")
    clerk.get(f"/console/requests/{rid}")
    token = clerk.csrf()
    cookies = dict(clerk.http.cookies)
    assert clerk.post("/console/logout").status_code == 200
    stale = office.client()
    for name, value in cookies.items():
        stale.http.cookies.set(name, value)
    answer = stale.post(f"/console/requests/{rid}/approve", {"csrf": token})
    assert answer.status_code == 401
    assert stale.get("/console/queue").headers["location"] == "/console/login"
    assert status(office, rid) is Status.SUBMITTED


def test_an_idle_session_ends(office: ConsoleOffice) -> None:
    rid = submit(office)
    clerk = signed_in(office, "sato", "clerk")
    clerk.get(f"/console/requests/{rid}")
    service = office.service
    real = service._clock
    service._clock = lambda: real() + timedelta(minutes=31)  # idle_minutes = 30
    try:
        assert clerk.get("/console/queue").headers["location"] == "/console/login"
        assert clerk.post(f"/console/requests/{rid}/approve").status_code == 401
    finally:
        service._clock = real
    assert status(office, rid) is Status.SUBMITTED


def test_a_kiosk_token_opens_no_console_page(office: ConsoleOffice) -> None:
    rid = submit(office)
    token = office.__dict__["_tokens"]["kiosk-01"]
    browser = office.client()
    for name in ("__Host-jpki_console", "jpki_console"):
        browser.http.cookies.set(name, token)
    browser.http.headers["Authorization"] = f"Bearer {token}"
    assert browser.get(f"/console/requests/{rid}").headers["location"] == "/console/login"
    assert browser.get("/console/export.json").headers["location"] == "/console/login"


# -- the queue, search, request page, exports -------------------------------------------------


def test_the_queue_counts_filters_and_finds_by_receipt_number(office: ConsoleOffice) -> None:
    first = submit(office, "kiosk-01")
    second = submit(office, "kiosk-02", key_index=1)
    clerk = signed_in(office, "sato", "clerk")
    clerk.post(
        f"/console/requests/{first}/approve",
        {"csrf": clerk.get(f"/console/requests/{first}") and clerk.csrf()},
    )
    queue = clerk.get("/console/queue").text
    assert re.search(r'id="shown">2<', queue)
    only = clerk.get("/console/queue", params={"status": "submitted"}).text
    assert second[:8].upper() in only and first[:8].upper() not in only
    by_kiosk = clerk.get("/console/queue", params={"kiosk": "kiosk-01"}).text
    assert first[:8].upper() in by_kiosk and second[:8].upper() not in by_kiosk
    for typed in (first[:8].upper(), first, f" {first.upper()} ", first.replace("-", "")):
        found = clerk.get("/console/queue", params={"q": typed})
        assert found.headers["location"] == f"/console/requests/{first}", typed
    missing = clerk.get("/console/queue", params={"q": "FFFFFFFF"})
    assert missing.status_code == 200 and "alert" in missing.text


def test_request_number_reads_receipts_and_qr_codes() -> None:
    rid = "ac9713a3-2558-444f-a643-a5189307c146"
    assert request_number("AC9713A3") == "ac9713a3"
    assert request_number(rid.upper()) == rid
    assert request_number("ac9713a32558444fa643a5189307c146") == rid
    assert request_number("<script>") is None
    assert request_number("") is None


def test_the_request_page_shows_the_signed_request_and_its_verification(
    office: ConsoleOffice,
) -> None:
    rid = submit(office)
    clerk = signed_in(office, "sato", "clerk")
    page = clerk.get(f"/console/requests/{rid}").text
    record = office.service.ledger.get(rid)
    assert record.document.decode().replace('"', "&#34;") in page  # as signed, escaped
    assert 'id="verdict">valid<' in page.replace("有効", "valid")
    assert "certificate-chain" in page and "key-usage" in page
    assert 'id="chain"' in page and "badge ok" in page
    assert "見本 花子" in page


def test_exports_neutralise_spreadsheet_formulas(office: ConsoleOffice) -> None:
    rid = submit(office)
    clerk = signed_in(office, "sato", "clerk")
    clerk.get(f"/console/requests/{rid}")
    clerk.post(f"/console/requests/{rid}/reject", {"reason": '=HYPERLINK("http://x","y")'})
    assert status(office, rid) is Status.REJECTED
    auditor = signed_in(office, "ito", "auditor")
    exported = auditor.get("/console/export.csv")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[0]["request_id"] == rid
    assert rows[0]["status_reason"].startswith("'=HYPERLINK")
    data = json.loads(auditor.get("/console/export.json").text)
    assert data["requests"][0]["request_id"] == rid
    assert auditor.get("/console/export.exe").status_code in (400, 404)


def test_the_audit_view_shows_the_chain_verified(office: ConsoleOffice) -> None:
    rid = submit(office)
    auditor = signed_in(office, "ito", "auditor")
    page = auditor.get("/console/audit").text
    assert 'id="chain"' in page and "badge ok" in page
    assert rid[:8].upper() in page
    one = auditor.get("/console/audit", params={"request": rid[:8]}).text
    assert "submit" in one


# -- admins -----------------------------------------------------------------------------------


def test_an_admin_adds_and_revokes_kiosks_and_staff(office: ConsoleOffice) -> None:
    admin = signed_in(office, "root", "admin")
    admin.get("/console/kiosks")
    page = admin.post("/console/kiosks", {"kiosk_id": "lobby-3"}).text
    token = re.search(r'id="token" class="link" readonly value="([^"]+)"', page)
    assert token and token.group(1).startswith("jpki-kiosk-")
    assert office.service.kiosk_for_token(token.group(1), "test") == "lobby-3"
    assert admin.post("/console/kiosks/lobby-3/revoke").status_code == 303
    with pytest.raises(ServiceError):
        office.service.kiosk_for_token(token.group(1), "test")
    admin.get("/console/staff")
    page = admin.post(
        "/console/staff",
        {"username": "newbie", "password": "a long enough one", "roles": ["clerk"], "totp": "on"},
    ).text
    assert re.search(r'id="secret" class="link" readonly value="[A-Z2-7]{32}"', page)
    newbie = office.client()
    assert newbie.sign_in("newbie", password="a long enough one").status_code == 401  # TOTP
    assert admin.post("/console/staff/newbie/disable").status_code == 303
    (row,) = [s for s in office.service.staff_list() if s["username"] == "newbie"]
    assert row["disabled"] and row["roles"] == ["clerk"]
    assert admin.post("/console/staff/root/disable").status_code == 409


# -- accessibility ----------------------------------------------------------------------------


class _Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.labelled: set[str] = set()
        self.fields: list[dict[str, str | None]] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "label" and a.get("for"):
            self.labelled.add(str(a["for"]))
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.fields.append(a)


def unlabelled(page: str) -> list[dict[str, str | None]]:
    parser = _Fields()
    parser.feed(page)
    return [
        f for f in parser.fields if f.get("id") not in parser.labelled and not f.get("aria-label")
    ]


def test_every_field_of_every_page_is_labelled_in_both_languages(office: ConsoleOffice) -> None:
    rid = submit(office)
    clerk = signed_in(office, "sato", "clerk")
    clerk.post(
        f"/console/requests/{rid}/approve",
        {"csrf": clerk.get(f"/console/requests/{rid}") and clerk.csrf()},
    )
    issuer = signed_in(office, "suzuki", "issuer")
    admin = signed_in(office, "root", "admin", "auditor")
    pages = [
        (office.client(), "/console/login"),
        (clerk, "/console/queue"),
        (issuer, f"/console/requests/{rid}"),
        (admin, "/console/audit"),
        (admin, "/console/kiosks"),
        (admin, "/console/staff"),
    ]
    for language in ("ja", "en"):
        for browser, path in pages:
            browser.http.cookies.set("jpki_lang", language)
            page = browser.get(path)
            assert page.status_code == 200, path
            assert f'<html lang="{language}">' in page.text
            assert unlabelled(page.text) == [], (language, path)
    assert "Sign out" in admin.get("/console/staff").text
    admin.http.cookies.set("jpki_lang", "ja")
    assert "サインアウト" in admin.get("/console/staff").text


# -- digital delivery -------------------------------------------------------------------------


def issue_with_pdf(office: ConsoleOffice, rid: str) -> tuple[Browser, str]:
    clerk = signed_in(office, "sato", "clerk")
    clerk.get(f"/console/requests/{rid}")
    assert clerk.post(f"/console/requests/{rid}/approve").status_code == 303
    issuer = signed_in(office, "suzuki", "issuer")
    page = issuer.get(f"/console/requests/{rid}").text
    assert buttons(page) == {"upload"}  # issuing waits for the PDF
    upload = issuer.http.post(
        f"/console/requests/{rid}/pdf",
        data={"csrf": issuer.csrf()},
        files={"pdf": ("certificate.pdf", small_pdf(), "application/pdf")},
    )
    assert upload.status_code == 303, upload.text[:800]
    page = issuer.get(f"/console/requests/{rid}").text
    assert buttons(page) == {"issue", "upload"}
    issued = issuer.post(f"/console/requests/{rid}/issue")
    assert issued.status_code == 200
    link = re.search(r'id="link" class="link" readonly value="([^"]+)"', issued.text)
    assert link, issued.text[:2000]
    return issuer, link.group(1)


def test_a_digital_certificate_downloads_once(office: ConsoleOffice, tmp_path: Path) -> None:
    downloads_once(office, tmp_path)


def test_on_postgresql_the_service_role_may_do_all_the_console_needs(tmp_path: Path) -> None:
    """The whole delivery as the service role (its grants on office_deliveries and the
    sessions), not as the owner."""
    with console_office(tmp_path / "office", backend="postgresql") as office:
        assert office.service.ledger.engine.url.username == "jpki_service"
        downloads_once(office, tmp_path)


def downloads_once(office: ConsoleOffice, tmp_path: Path) -> None:
    rid = submit(office)
    issuer, link = issue_with_pdf(office, rid)
    assert status(office, rid) is Status.ISSUED
    path = link.removeprefix(office.url)
    assert re.fullmatch(r"/download/dl-[A-Za-z0-9_-]{43}", path)  # the token, nothing else
    # the link is not shown again
    assert link not in issuer.get(f"/console/requests/{rid}").text
    recipient = office.client()
    assert recipient.get(path).status_code == 200
    pdf = recipient.post(path)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert status(office, rid) is Status.DOWNLOADED
    again = recipient.get(path)
    assert again.status_code == 410 and 'id="link-used"' in again.text
    second = recipient.post(path, {"csrf": recipient.http.cookies["jpki_form"]})
    assert second.status_code == 410 and 'id="link-used"' in second.text
    trail = office.service.ledger.audit_trail(rid)
    assert [e.action.value for e in trail] == ["submit", "approve", "issue", "download"]
    assert trail[2].reason and trail[2].reason.endswith(
        office.console.deliveries.info(rid).pdf_sha256
    )
    refused = office.service.ledger.audit_trail(subject=f"request:{rid}")
    assert [e.reason.split(" (")[0] for e in refused] == ["download link used again"]
    unknown = office.client()
    assert unknown.get("/download/dl-" + "A" * 43).status_code == 404
    assert office.service.ledger.verify_audit().ok
    delivered = tmp_path / "delivered.pdf"
    delivered.write_bytes(pdf.content)
    check_with_jpki_and_pdfsig(office, delivered, tmp_path)


def check_with_jpki_and_pdfsig(office: ConsoleOffice, pdf: Path, tmp_path: Path) -> None:
    from jpki.pdf import verify_pdf
    from jpki.trust import TrustStore

    (result,) = verify_pdf(pdf, trust_store=TrustStore.from_paths([str(office.institution.ca)]))
    assert result.valid, result.message
    (untrusted,) = verify_pdf(pdf)  # the J-LIS roots do not vouch for the institution
    assert not untrusted.valid
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "jpki.cli",
            "verify",
            str(pdf),
            "--trust",
            str(office.institution.ca),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "VALID" in run.stdout and "PAdES" in run.stdout
    nss = tmp_path / "nss"
    nss.mkdir()
    if shutil.which("certutil") is None:
        pytest.fail("certutil (libnss3-tools) is needed to give pdfsig the institution's CA")
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(
        [
            "certutil",
            "-A",
            "-d",
            f"sql:{nss}",
            "-n",
            "institution",
            "-t",
            "CT,C,C",
            "-i",
            str(office.institution.ca),
        ],
        check=True,
    )
    checked = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(pdf)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Signature is Valid." in checked.stdout, checked.stdout + checked.stderr
    assert "Certificate is Trusted." in checked.stdout, checked.stdout


def test_a_link_after_its_window_says_expired(office: ConsoleOffice) -> None:
    rid = submit(office)
    _issuer, link = issue_with_pdf(office, rid)
    path = link.removeprefix(office.url)
    service = office.service
    real = service._clock
    service._clock = lambda: real() + timedelta(days=14, minutes=1)
    try:
        recipient = office.client()
        page = recipient.get(path)
        assert page.status_code == 410 and 'id="link-expired"' in page.text
        answer = recipient.post(path, {"csrf": recipient.http.cookies["jpki_form"]})
        assert answer.status_code == 410 and 'id="link-expired"' in answer.text
    finally:
        service._clock = real
    assert status(office, rid) is Status.EXPIRED
    assert office.service.ledger.audit_trail(rid)[-1].action is AuditAction.EXPIRE


def test_an_upload_must_be_a_pdf_of_bounded_size(office: ConsoleOffice) -> None:
    rid = submit(office)
    clerk = signed_in(office, "sato", "clerk")
    clerk.get(f"/console/requests/{rid}")
    clerk.post(f"/console/requests/{rid}/approve")
    issuer = signed_in(office, "suzuki", "issuer")
    issuer.get(f"/console/requests/{rid}")

    def upload(data: bytes) -> int:
        return issuer.http.post(
            f"/console/requests/{rid}/pdf",
            data={"csrf": issuer.csrf()},
            files={"pdf": ("x.pdf", data, "application/pdf")},
        ).status_code

    assert upload(b"not a pdf at all") == 400
    assert upload(b"%PDF-1.7\n garbage without objects") == 400
    assert upload(b"%PDF-1.7\n" + b"0" * (office.console.deliveries.max_pdf + 100)) == 413
    assert office.console.deliveries.info(rid) is None
    assert status(office, rid) is Status.APPROVED


def test_no_name_reaches_a_url_or_the_log(
    office: ConsoleOffice, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rid = submit(office)
    issuer, link = issue_with_pdf(office, rid)
    name = office.service.ledger.get(rid).applicant_name
    pages = [issuer.get(f"/console/requests/{rid}").text, issuer.get("/console/queue").text]
    for page in pages:
        for url in re.findall(r'(?:href|action)="([^"]*)"', page):
            assert name not in url and "見本" not in url, url
    assert name not in link
    assert name not in caplog.text and link.rsplit("/", 1)[1] not in caplog.text


def test_with_a_time_stamping_authority_the_pdf_is_pades_b_t(tmp_path: Path) -> None:
    """[delivery] tsa_url: the institution's signature carries an RFC 3161 time-stamp from a
    TSA on a loopback port (tests/tsa.py: pyHanko's test TSA behind http.server)."""
    from jpki.pdf import verify_pdf
    from jpki.trust import TrustStore
    from tests.tsa import LocalTsa

    with (
        LocalTsa() as tsa,
        console_office(tmp_path / "office", tsa_url=tsa.url) as office,
    ):
        rid = submit(office)
        _issuer, link = issue_with_pdf(office, rid)
        recipient = office.client()
        path = link.removeprefix(office.url)
        recipient.get(path)
        pdf = recipient.post(path).content
        trust = TrustStore.from_paths([str(office.institution.ca)])
    (result,) = verify_pdf(pdf, trust_store=trust, tsa_trust=[tsa.ca_cert])
    assert result.valid, result.message
    assert result.level == "PAdES B-T" and result.timestamp is not None
    (untrusted_tsa,) = verify_pdf(pdf, trust_store=trust)
    assert untrusted_tsa.checks["timestamp"] != result.checks["timestamp"]


def _luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_colours_meet_wcag_aa_contrast() -> None:
    """Every text colour of the style sheet against the background it is used on: ≥ 4.5:1."""
    css = (ROOT / "office" / "console" / "static" / "console.css").read_text(encoding="utf-8")
    var = dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6})", css))
    header = re.search(r"header\.top \{[^}]*background: (#[0-9a-f]{6})", css)
    assert header
    pairs = [
        (var["ink"], var["paper"]),
        (var["muted"], var["paper"]),
        (var["blue"], var["paper"]),
        ("#ffffff", var["blue"]),
        ("#ffffff", var["blue-dark"]),
        ("#ffffff", var["red"]),
        ("#ffffff", header.group(1)),
        (var["ink"], var["band"]),
        (var["green"], "#eef8f0"),
        (var["red"], "#fdf0f0"),
        (var["blue-dark"], "#eef3fb"),
        (var["amber"], "#fff6e0"),
        (var["ink"], "#fff8e6"),
        (var["ink"], "#fdecec"),
        (var["ink"], "#e9f5ec"),
    ]
    for text, background in pairs:
        assert contrast(text, background) >= 4.5, (text, background, contrast(text, background))
    for background in ("#eef8f0", "#fdf0f0", "#eef3fb", "#fff6e0", "#fff8e6", "#fdecec"):
        assert background in css  # the pairs above are the sheet's
