"""Driving the console in Debian's chromium through Playwright (not a test module): the browser
(fresh profile, the project's flags, the office's TLS certificate pinned by its SPKI hash —
no certificate errors ignored wholesale), and the end-to-end story a test and the
screenshot script share:

kiosk submits → clerk finds it by the receipt number and approves → issuer attaches the PDF
and issues → the recipient downloads once → the second time the link says it was used →
the auditor sees the chain verified.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.console_kit import ConsoleOffice, small_pdf
from tests.office_kit import PASSWORD, card, signed_request

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
VIEWPORT = {"width": 1280, "height": 800}


def chromium_path() -> Path | None:
    found = shutil.which("chromium")
    return Path(found) if found else (CHROMIUM if CHROMIUM.exists() else None)


def spki_pin(certificate: Path) -> str:
    cert = x509.load_pem_x509_certificate(certificate.read_bytes())
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii")


@contextlib.contextmanager
def browser(office: ConsoleOffice, locale: str = "ja-JP") -> Iterator[Any]:
    """A fresh chromium profile (Playwright's persistent context) that trusts the office's
    certificate by its pinned public key."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("chromium is not installed (apt-get install chromium)")
    profile = tempfile.mkdtemp(prefix="jpki-chromium-")
    pin = spki_pin(office.tls.certificate)
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile,
                executable_path=str(path),
                headless=True,
                args=[*FLAGS, f"--ignore-certificate-errors-spki-list={pin}"],
                viewport=VIEWPORT,
                locale=locale,
                accept_downloads=True,
                timeout=30000,
            )
            context.set_default_timeout(15000)
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@dataclass
class Story:
    """What the end-to-end story saw."""

    request_id: str = ""
    link: str = ""
    pdf: bytes = b""
    statuses: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    chain_text: str = ""
    second_visit: str = ""
    second_post: int = 0


Shot = Callable[[Any, str], None]


def _no_shot(_page: Any, _name: str) -> None:
    return None


def _watch(page: Any, story: Story) -> None:
    def seen(message: Any) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            story.csp_violations.append(message.text)

    page.on("console", seen)


def sign_in(page: Any, url: str, username: str) -> None:
    """Sign in with the keyboard only: the user name field has the focus, Tab to the
    password, Enter to send."""
    page.goto(f"{url}/console/login")
    # autofocus is applied at a rendering step after "load": wait for it (bounded), do not race
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'username'", timeout=5000
    )
    assert page.evaluate("document.activeElement.id") == "username"
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(url) + r"/console/(queue|staff)$"))


def sign_out(page: Any, url: str) -> None:
    page.click("header .who button")
    page.wait_for_selector("#username")


def story(office: ConsoleOffice, context: Any, shot: Shot = _no_shot) -> Story:
    """Run the whole story in ``context``; ``shot(page, name)`` is called on each page."""
    url = office.url
    seen = Story()
    token = office.service.add_kiosk("admin:test", "kiosk-01")
    from jpki.officeapi import KioskClient

    kiosk = KioskClient(url, ca=office.tls.ca, token=token)
    try:
        signature, document, rid = signed_request("kiosk-01", card=card(0))
        kiosk.submit(signature, document)
        other_sig, other_doc, _other = signed_request("kiosk-01", card=card(1))
        kiosk.submit(other_sig, other_doc)
    finally:
        kiosk.close()
    seen.request_id = rid
    office.add_staff("sato", "clerk")
    office.add_staff("suzuki", "issuer")
    office.add_staff("ito", "auditor")
    office.add_staff("admin", "admin")

    page = context.new_page()
    _watch(page, seen)
    page.goto(f"{url}/console/login")
    shot(page, "login")

    # the clerk: find by the receipt's number, approve
    sign_in(page, url, "sato")
    shot(page, "queue")
    page.fill("#q", rid[:8].upper())
    page.press("#q", "Enter")
    page.wait_for_url(f"{url}/console/requests/{rid}")
    shot(page, "request-clerk")
    page.click("#do-approve")
    page.wait_for_url(f"{url}/console/requests/{rid}?done=approve")
    seen.statuses.append(page.get_attribute("#status", "class") or "")
    sign_out(page, url)

    # the issuer: attach the PDF, issue, read the one-time link
    sign_in(page, url, "suzuki")
    page.goto(f"{url}/console/requests/{rid}")
    pdf = office.folder / "certificate.pdf"
    pdf.write_bytes(small_pdf())
    page.set_input_files("#pdf", str(pdf))
    shot(page, "request-issuer-attach")
    page.click("#do-upload")
    page.wait_for_url(f"{url}/console/requests/{rid}?done=pdf")
    page.click("#do-issue")
    page.wait_for_selector("#link")
    seen.link = page.input_value("#link")
    seen.statuses.append(page.get_attribute("#status", "class") or "")
    shot(page, "request-issued-link")
    sign_out(page, url)

    # the recipient, in a page with no staff session: download once
    recipient = context.new_page()
    _watch(recipient, seen)
    context.clear_cookies()
    recipient.goto(seen.link)
    shot(recipient, "download")
    form_token = recipient.input_value("input[name=csrf]")
    with recipient.expect_download() as info:
        recipient.click("#download")
    saved = office.folder / "downloaded.pdf"
    info.value.save_as(str(saved))
    seen.pdf = saved.read_bytes()
    recipient.goto(seen.link)
    seen.second_visit = recipient.inner_text("main")
    assert recipient.locator("#download").count() == 0
    # the download posted again from the page, with the form's token and the browser's
    # cookies (as if the button were still there): refused
    seen.second_post = recipient.evaluate(
        "async ([u, t]) => (await fetch(u, {method: 'POST', body: new URLSearchParams({csrf: t})}))"
        ".status",
        [seen.link, form_token],
    )
    shot(recipient, "download-used")
    recipient.close()

    # the auditor: the chain
    sign_in(page, url, "ito")
    page.goto(f"{url}/console/audit")
    seen.chain_text = (
        page.inner_text("#chain") + " " + (page.get_attribute("#chain", "class") or "")
    )
    shot(page, "audit")
    page.goto(f"{url}/console/requests/{rid}")
    shot(page, "request-auditor")
    sign_out(page, url)

    # the admin's pages
    sign_in(page, url, "admin")
    page.goto(f"{url}/console/kiosks")
    shot(page, "kiosks")
    page.goto(f"{url}/console/staff")
    shot(page, "staff")
    sign_out(page, url)
    page.close()
    return seen
