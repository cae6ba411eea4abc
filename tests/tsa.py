"""A local RFC 3161 time-stamping authority for tests.

    with LocalTsa() as tsa:            # a test CA, a TSA certificate and a server
        sign_pdf(..., tsa_url=tsa.url)
        verify_pdf(..., tsa_trust=[tsa.ca_cert])

The server is :class:`http.server.HTTPServer` on ``127.0.0.1`` (a free port
the OS picks) in a daemon thread, answering ``POST`` requests of type
``application/timestamp-query`` with pyHanko's
:class:`~pyhanko.sign.timestamps.dummy_client.DummyTimeStamper`. The TSA
certificate (extended key usage timeStamping, critical) is issued by a test CA
made here with ``cryptography``: put :attr:`LocalTsa.ca_cert` in the trust
list for time-stamp validation. It serves at most :attr:`LocalTsa.max_requests`
requests, each with a bounded body and socket timeout, and stops when the
``with`` block ends.

Run it alone (``python -m tests.tsa``) to serve for a minute and print its URL
and CA certificate.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import TracebackType
from typing import Final

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from tests.ca_factory import Authority, name, rsa_key, signing_usage

QUERY_TYPE: Final = "application/timestamp-query"
REPLY_TYPE: Final = "application/timestamp-reply"
MAX_BODY: Final = 16 * 1024
SOCKET_TIMEOUT: Final = 5.0


def make_tsa_credentials() -> tuple[
    x509.Certificate, x509.Certificate, rsa.RSAPrivateKey, rsa.RSAPrivateKey
]:
    """``(ca_cert, tsa_cert, ca_key, tsa_key)``: a self-signed test CA and a TSA certificate
    it issued (valid from a day ago for ten years)."""
    ca_key, tsa_key = rsa_key(), rsa_key()
    day, ten_years = timedelta(days=1), timedelta(days=3650)
    ca = Authority.create(_name("Test TSA Root CA"), ca_key, valid_for=ten_years, backdate=day)
    tsa_cert = ca.issue(
        _name("Test Time-Stamping Authority"),
        tsa_key,
        valid_for=ten_years,
        backdate=day,
        usage=signing_usage(),
        extended=x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
        extended_critical=True,
    )
    return ca.certificate, tsa_cert, ca_key, tsa_key


def _name(cn: str) -> x509.Name:
    return name(cn, organisation="JPKI toolkit tests", country="JP")


class _Handler(BaseHTTPRequestHandler):
    server: _TsaServer

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_POST(self) -> None:
        server = self.server
        with server.lock:
            server.requests += 1
            over = server.requests > server.max_requests
        length = int(self.headers.get("Content-Length") or 0)
        if over or self.headers.get("Content-Type") != QUERY_TYPE or not 0 < length <= MAX_BODY:
            self.send_error(400 if not over else 503)
            return
        try:
            request = tsp.TimeStampReq.load(self.rfile.read(length))
            reply = server.stamper.request_tsa_response(request).dump()
        except (ValueError, TypeError, KeyError):
            self.send_error(400)
            return
        with server.lock:
            server.granted += 1
        self.send_response(200)
        self.send_header("Content-Type", REPLY_TYPE)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


class _TsaServer(HTTPServer):
    def __init__(self, stamper: DummyTimeStamper, max_requests: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.timeout = SOCKET_TIMEOUT
        self.stamper = stamper
        self.max_requests = max_requests
        self.requests = 0
        self.granted = 0
        self.lock = threading.Lock()

    def finish_request(self, request: object, client_address: object) -> None:
        request.settimeout(SOCKET_TIMEOUT)  # type: ignore[attr-defined]
        super().finish_request(request, client_address)  # type: ignore[arg-type]


class LocalTsa:
    """A time-stamping server on ``127.0.0.1`` for the duration of a ``with`` block."""

    def __init__(self, *, max_requests: int = 100) -> None:
        self.ca_cert, self.tsa_cert, ca_key, tsa_key = make_tsa_credentials()
        del ca_key  # the CA has issued the TSA certificate; nothing else is signed with it
        key_info = asn1_keys.PrivateKeyInfo.load(
            tsa_key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        stamper = DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(
                self.tsa_cert.public_bytes(serialization.Encoding.DER)
            ),
            tsa_key=key_info,
        )
        self.max_requests = max_requests
        self._server = _TsaServer(stamper, max_requests)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/tsa"

    @property
    def requests(self) -> int:
        """How many requests the server received."""
        return self._server.requests

    @property
    def granted(self) -> int:
        """How many time-stamp tokens it issued."""
        return self._server.granted

    def ca_pem(self) -> bytes:
        return self.ca_cert.public_bytes(serialization.Encoding.PEM)

    def start(self) -> LocalTsa:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="local-tsa",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> LocalTsa:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


if __name__ == "__main__":
    import time

    with LocalTsa() as tsa:
        print(tsa.url)
        print(tsa.ca_pem().decode("ascii"))
        time.sleep(60)
