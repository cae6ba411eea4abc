"""Helpers for the office tests and benchmarks (not a test module).

* :func:`make_tls` — a throwaway CA and a server certificate for 127.0.0.1 / localhost;
* :func:`prepare_office` — a database ready for the office (SQLite file, or a
  PostgreSQL database with the owner and service roles) and its ``office.toml``;
* :class:`ServerThread` — the real service (uvicorn, TLS) on a loopback port, in this
  process; :class:`ServerProcess` — ``jpki-office serve`` as a child process (to kill);
* kiosks, staff, and signed requests from the mock card.
"""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from jpki.ledger import LedgerConfig
from jpki.requests import Applicant, CertificateRequest, DigitalPdfDelivery, sign_request_with_key
from jpki.trust import TrustStore
from mock_card import MockCard, MockPki
from tests.ca_factory import (
    Authority,
    ec_key,
    name,
    tls_names,
    write_certificate,
    write_private_key,
)

ROOT = Path(__file__).resolve().parent.parent
PKI = MockPki.demo()
TRUST = TrustStore.from_certificates([PKI.sign_ca_cert, PKI.auth_ca_cert])
AUDIT_KEY_HEX = "a5" * 32
PASSWORD = "correct horse battery"


# -- TLS ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tls:
    ca: Path
    certificate: Path
    key: Path


def make_tls(folder: Path, hosts: tuple[str, ...] = ("127.0.0.1", "localhost")) -> Tls:
    """A CA (P-256) and a server certificate it signs, for ``hosts``."""
    folder.mkdir(parents=True, exist_ok=True)
    backdate = timedelta(minutes=5)
    ca = Authority.create(
        name("jpki test office CA"), ec_key(), valid_for=timedelta(days=2), backdate=backdate
    )
    key = ec_key()
    cert = ca.issue(
        name(hosts[0]),
        key,
        valid_for=timedelta(days=1),
        backdate=backdate,
        extended=x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]),
        san=tls_names(hosts),
    )
    return Tls(
        write_certificate(folder / "ca.pem", ca.certificate),
        write_certificate(folder / "office.crt", cert),
        write_private_key(folder / "office.key", key),
    )


# -- the database and the configuration ---------------------------------------------------------


def _private(path: Path, text: str) -> Path:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


def write_config(
    folder: Path,
    url: str,
    tls: Tls,
    *,
    port: int = 0,
    extra_limits: str = "",
) -> Path:
    """``office.toml`` for ``url`` (the service's), with the test audit key and mock trust."""
    anchors = folder / "mock-roots.pem"
    anchors.write_bytes(
        PKI.sign_ca_cert.public_bytes(serialization.Encoding.PEM)
        + PKI.auth_ca_cert.public_bytes(serialization.Encoding.PEM)
    )
    key = folder / "audit.key"
    if not key.exists():
        _private(key, AUDIT_KEY_HEX + "\n")
    config = folder / "office.toml"
    config.write_text(
        f"""
[service]
listen = "127.0.0.1"
port = {port or 8443}
tls_certificate = "{tls.certificate}"
tls_key = "{tls.key}"

[database]
url = "{url}"
audit_key_file = "{key}"

[security]
trust = ["{anchors}"]
revocation = "if-available"

[limits]
kiosk_rate = 1000
kiosk_burst = 1000
{extra_limits or "token_cache_seconds = 0"}
""",
        encoding="utf-8",
    )
    return config


def ledger_config() -> LedgerConfig:
    return LedgerConfig(trust_store=TRUST, audit_key=bytes.fromhex(AUDIT_KEY_HEX))


# -- signed requests ------------------------------------------------------------------------------


@functools.cache
def card(key_index: int = 0) -> MockCard:
    """The mock card number ``key_index`` (one per process: its certificates stay the same)."""
    from mock_card import Holder

    holder = Holder() if key_index == 0 else Holder(name=f"別人 {key_index}郎")
    return MockCard(key_index=key_index, holder=holder)


def signed_request(
    kiosk_id: str = "kiosk-01",
    *,
    copies: int = 1,
    card: MockCard | None = None,
    detached: bool = True,
) -> tuple[bytes, bytes | None, str]:
    """(signature, document or None, request id) from the mock card's keys."""
    creds = (card or globals()["card"]()).credentials
    request = CertificateRequest.create(
        kiosk_id=kiosk_id,
        kind="transcript-ja",
        language="ja",
        copies=copies,
        delivery=DigitalPdfDelivery("株式会社見本"),
        purpose="就職活動",
        applicant=Applicant.from_certificate(creds.sign_cert),
    )
    signed = sign_request_with_key(creds.sign_key, creds.sign_cert, request, detached=detached)
    return signed.signature, signed.document if detached else None, request.request_id


# -- serving --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class ServerThread:
    """The service (uvicorn + TLS) on a loopback port in a thread of this process."""

    def __init__(self, app: Any, tls: Tls) -> None:
        import uvicorn

        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"https://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            loop="asyncio",
            ssl_certfile=str(tls.certificate),
            ssl_keyfile=str(tls.key),
            lifespan="on",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.server.run(sockets=[self.sock])

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the office did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(20)
        self.sock.close()


class ServerProcess:
    """``jpki-office serve`` as a child process on ``port`` (to be killed)."""

    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.config = config
        self.port = port
        self.url = f"https://127.0.0.1:{port}"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> ServerProcess:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "office.cli",
                    "--config",
                    str(self.config),
                    "serve",
                    "--port",
                    str(self.port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=ROOT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the office exited: {self.log.read_text()[-2000:]}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 0.2),
            ):
                return self
            time.sleep(0.05)
        raise RuntimeError("the office did not start listening")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@contextlib.contextmanager
def server_process(config: Path, log: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(config, free_port(), log).start()
    try:
        yield process
    finally:
        process.stop()
