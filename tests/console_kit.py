"""Helpers for the console tests (not a test module): an institution CA and its signing key,
an office with the console and digital delivery on a loopback port, a browser-like HTTP
client (cookies, forms, the CSRF token from the page), and a small PDF.
"""

from __future__ import annotations

import contextlib
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import Any

import httpx
from cryptography import x509

from office.api import create_app
from office.config import load_config
from office.server import build_console, build_service
from tests.ca_factory import (
    Authority,
    name,
    rsa_key,
    signing_usage,
    write_certificate,
    write_private_key,
)
from tests.office_fixtures import prepare_database
from tests.office_kit import PASSWORD, ServerThread, Tls, make_tls, write_config


@dataclass(frozen=True)
class Institution:
    ca: Path  # PEM: the institution's CA (what a recipient trusts)
    certificate: Path  # PEM: the signing certificate
    key: Path  # PEM: its key (0600)


def _name(cn: str) -> x509.Name:
    return name(cn, organisation="見本大学", country="JP")


def make_institution(folder: Path) -> Institution:
    """An institution CA (RSA-2048) and a document-signing certificate it issues."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = Authority.create(_name("見本大学 証明書発行CA"), rsa_key())
    key = rsa_key()
    cert = ca.issue(
        _name("見本大学 証明書発行"),
        key,
        valid_for=timedelta(days=825),
        usage=signing_usage(),
    )
    return Institution(
        write_certificate(folder / "institution-ca.pem", ca.certificate),
        write_certificate(folder / "institution.pem", cert),
        write_private_key(folder / "key.pem", key),
    )


def small_pdf(text: str = "Certificate of enrolment") -> bytes:
    """A one-page PDF (written by hand: objects, xref, trailer)."""
    content = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


# -- an office with its console ----------------------------------------------------------------


@dataclass
class ConsoleOffice:
    folder: Path
    tls: Tls
    institution: Institution
    config_path: Path
    service: Any
    console: Any
    url: str

    def client(self) -> Browser:
        return Browser(self.url, self.tls.ca)

    def add_staff(self, name: str, *roles: str, totp: bool = False) -> str | None:
        return self.service.add_staff("admin:test", name, PASSWORD, list(roles), totp=totp)


@contextlib.contextmanager
def console_office(
    folder: Path,
    backend: str = "sqlite",
    *,
    idle_minutes: float = 30,
    tsa_url: str | None = None,
) -> Iterator[ConsoleOffice]:
    """The office (uvicorn, TLS, loopback) with its console and the institution's key."""
    _admin, url, cleanup = prepare_database(backend, folder)
    tls = make_tls(folder / "tls")
    inst = make_institution(folder / "institution")
    config_path = write_config(folder, url, tls)
    text = config_path.read_text(encoding="utf-8")
    text += f"""
[console]
idle_minutes = {idle_minutes}

[delivery]
key = "{inst.key}"
certificate = "{inst.certificate}"
chain = ["{inst.ca}"]
"""
    if tsa_url:
        text += f'tsa_url = "{tsa_url}"\n'
    config_path.write_text(text, encoding="utf-8")
    config = load_config(config_path)
    service = build_service(config)
    console = build_console(config, service)
    try:
        with ServerThread(create_app(service, console=console), tls) as server:
            yield ConsoleOffice(folder, tls, inst, config_path, service, console, server.url)
    finally:
        service.ledger.close()
        cleanup()


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Browser:
    """An HTTP client that behaves as a browser does for these pages: it keeps cookies, reads
    the CSRF token from the page it posts from, and does not follow redirects by itself."""

    def __init__(self, url: str, ca: Path) -> None:
        self.url = url
        context = ssl.create_default_context(cafile=str(ca))
        self.http = httpx.Client(base_url=url, verify=context, timeout=30)
        self.page = ""

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **kw: Any) -> httpx.Response:
        response = self.http.get(path, **kw)
        if response.headers.get("content-type", "").startswith("text/html"):
            self.page = response.text
        return response

    def csrf(self) -> str:
        found = _CSRF.search(self.page)
        assert found, "the page has no form with a CSRF token"
        return unescape(found.group(1))

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kw: Any
    ) -> httpx.Response:
        form = dict(data or {})
        if csrf and "csrf" not in form:
            form["csrf"] = self.csrf()
        response = self.http.post(path, data=form, **kw)
        if response.headers.get("content-type", "").startswith("text/html"):
            self.page = response.text
        return response

    def sign_in(
        self, username: str, password: str = PASSWORD, totp: str | None = None
    ) -> httpx.Response:
        self.get("/console/login")
        data = {"username": username, "password": password}
        if totp:
            data["totp"] = totp
        return self.post("/console/login", data)
