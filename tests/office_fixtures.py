"""Pytest fixtures of the office tests: a running office on SQLite or PostgreSQL.

``office`` starts the real service (uvicorn, TLS, the service role on
PostgreSQL) on a loopback port in this process, over a fresh database made
ready by ``jpki-office db init``'s code (a copy of a template database on
PostgreSQL).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from jpki.officeapi import KioskClient, StaffClient
from office.api import create_app
from office.config import OfficeConfig, load_config
from office.database import init_database, service_url
from office.server import build_service
from office.service import OfficeService
from tests.office_kit import PASSWORD, ServerThread, Tls, ledger_config, make_tls, write_config
from tests.postgres import PostgresCluster
from tests.test_ledger import postgres

OWNER = "jpki_owner"
SERVICE = "jpki_service"

_template: dict[str, str] = {}
_template_lock = threading.Lock()


def office_template(cluster: PostgresCluster) -> str:
    """A database made ready for the office once, copied for each test."""
    with _template_lock:
        if "name" not in _template:
            url = cluster.create_database("office_template")
            init_database(url, ledger_config(), owner=OWNER, service=SERVICE)
            _template["name"] = "office_template"
        return _template["name"]


@dataclass
class Office:
    backend: str
    folder: Path
    tls: Tls
    config_path: Path
    config: OfficeConfig
    admin_url: str
    service: OfficeService
    url: str
    clients: list[Any] = field(default_factory=list)

    def kiosk(self, kiosk_id: str = "kiosk-01", token: str | None = None) -> KioskClient:
        if token is None:
            token = self.service.add_kiosk("admin:test", kiosk_id)
        client = KioskClient(self.url, ca=self.tls.ca, token=token)
        self.clients.append(client)
        return client

    def staff(self, name: str, *roles: str, totp: bool = False) -> StaffClient:
        self.service.add_staff("admin:test", name, PASSWORD, roles, totp=totp)
        client = StaffClient(self.url, ca=self.tls.ca)
        self.clients.append(client)
        if not totp:
            client.login(name, PASSWORD)
        return client


def prepare_database(backend: str, folder: Path) -> tuple[str, str, Any]:
    """(the administrator's URL, the service's URL, a cleanup) of a database ready for the
    office."""
    if backend == "sqlite":
        path = folder / "office.sqlite3"
        init_database(path, ledger_config())
        return str(path), str(path), lambda: None
    cluster = postgres()
    url = cluster.create_database(template=office_template(cluster))
    name = cluster.database_of(url)
    return url, service_url(url, SERVICE), lambda: cluster.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Office]:
    admin_url, url, cleanup = prepare_database(request.param, tmp_path)
    tls = make_tls(tmp_path / "tls")
    config_path = write_config(tmp_path, url, tls)
    config = load_config(config_path)
    service = build_service(config)
    try:
        with ServerThread(create_app(service), tls) as server:
            office = Office(
                request.param, tmp_path, tls, config_path, config, admin_url, service, server.url
            )
            yield office
            for client in office.clients:
                client.close()
    finally:
        service.ledger.close()
        cleanup()
