"""Running the service: uvicorn (uvloop, httptools) serving :func:`office.api.create_app` over
TLS from the configured certificate and key files.

Plain HTTP is allowed only on a loopback address and only when asked for
(``--no-tls``, for development): a kiosk's token must never cross a network in
clear.
"""

from __future__ import annotations

import gc
import ipaddress
import logging
import ssl
import sys
from datetime import timedelta
from typing import Any

from .api import create_app
from .config import ConfigError, OfficeConfig, read_secret
from .console import Console
from .database import open_service_ledger
from .delivery import Deliveries, load_institution_signer
from .service import OfficeService

__all__ = ["build_console", "build_service", "serve"]

logger = logging.getLogger(__name__)


def build_service(config: OfficeConfig) -> OfficeService:
    """The service over the configured database (as the service role; not migrated here)."""
    ledger = open_service_ledger(config.url(), config.ledger_config())
    return OfficeService(
        ledger,
        kiosk_rate=config.kiosk_rate,
        kiosk_burst=config.kiosk_burst,
        session_ttl=timedelta(hours=config.session_hours),
        token_cache_seconds=config.token_cache_seconds,
        max_batch=config.max_batch,
    )


def build_console(config: OfficeConfig, service: OfficeService) -> Console:
    """The staff console over ``service``, with the institution's signer when configured."""
    signer = None
    if config.delivery_key is not None:
        password = (
            read_secret(config.delivery_password_file).strip()
            if config.delivery_password_file is not None
            else None
        )
        try:
            signer = load_institution_signer(
                config.delivery_key,
                certificate=config.delivery_certificate,
                chain=config.delivery_chain,
                password=password,
                tsa_url=config.tsa_url,
            )
        except (OSError, ValueError) as exc:
            raise ConfigError(f"[delivery] key: {exc}") from None
    deliveries = Deliveries(service, signer, max_pdf=config.max_pdf_bytes)
    return Console(service, deliveries, idle=timedelta(minutes=config.console_idle_minutes))


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    config: OfficeConfig,
    *,
    host: str | None = None,
    port: int | None = None,
    tls: bool = True,
    log_level: str = "warning",
) -> None:
    """Serve until interrupted."""
    import uvicorn

    listen = host or config.listen
    where = port if port is not None else config.port
    options: dict[str, Any] = {}
    if tls:
        if config.tls_certificate is None or config.tls_key is None:
            raise ConfigError("TLS needs [service] tls_certificate and tls_key")
        for path in (config.tls_certificate, config.tls_key):
            if not path.is_file():
                raise ConfigError(f"{path} does not exist")
        options.update(
            ssl_certfile=str(config.tls_certificate),
            ssl_keyfile=str(config.tls_key),
            ssl_version=ssl.PROTOCOL_TLS_SERVER,
            ssl_ciphers="ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!MD5",
        )
    elif not _loopback(listen):
        raise ConfigError("plain HTTP (--no-tls) is allowed on a loopback address only")
    service = build_service(config)
    app = create_app(service, console=build_console(config, service))
    # The writer thread (ORM work, CPU-bound between its database round trips) and the event
    # loop share the GIL: with the default 5 ms switch interval each answer can wait several
    # intervals for it. A shorter one keeps the loop responsive (measured: bench_office).
    sys.setswitchinterval(0.0005)
    # what start-up made lives as long as the process: keep the collector from walking it
    gc.collect()
    gc.freeze()
    uvicorn.run(
        app,
        host=listen,
        port=where,
        loop="uvloop",
        http="httptools",
        log_level=log_level,
        access_log=False,
        server_header=False,
        date_header=True,
        timeout_keep_alive=30,
        limit_concurrency=2000,
        backlog=2048,
        **options,
    )
