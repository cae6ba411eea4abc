"""The office service's configuration (TOML), e.g. ``office.toml``::

    [service]
    listen = "127.0.0.1"            # the address to serve on
    port = 8443
    tls_certificate = "tls/office.crt"   # PEM: the certificate (and its chain)
    tls_key = "tls/office.key"           # PEM: its private key (mode 0600)

    [database]
    url = "postgresql+psycopg://jpki_service@db.example/jpki"   # or an SQLite path
    password_file = "secrets/service.password"  # optional: the role's password
    audit_key_file = "secrets/audit.key"        # seals the audit chain (0600)

    [security]
    trust = []                       # trust anchors (PEM/DER); empty = the J-LIS roots
    crls = []                        # CRL files or folders
    revocation = "if-available"      # require | if-available | off
    catalogue = "kiosk.toml"         # optional: the document types a kiosk config lists

    [limits]
    kiosk_rate = 5.0                 # submissions per second per kiosk (sustained)
    kiosk_burst = 20
    session_hours = 8                # a staff session's life
    token_cache_seconds = 5          # how long an instance trusts a kiosk token it checked

    [console]
    idle_minutes = 30                # a console session ends after this long without use

    [delivery]                       # digital certificates (PDF), signed as the institution
    key = "secrets/institution.p12"  # PKCS#12 (key + certificate), or a PEM key with:
    certificate = "institution.pem"  # its PEM certificate (omit for PKCS#12)
    chain = ["institution-ca.pem"]   # CA certificates embedded in the signature
    password_file = "secrets/institution.password"   # optional (0600)
    tsa_url = "http://tsa.example/"  # optional: PAdES B-T with this time-stamping authority
    download_days = 14               # how long the recipient's one-time link works
    max_pdf_bytes = 10485760         # the largest PDF an issuer may upload

Relative paths are relative to the configuration file. :func:`load_config` reads
it; every secret (the audit key, the database password) lives in its own file.
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

from jpki.ledger import LedgerConfig, resolve_url
from jpki.requests import DEFAULT_KIND_CODES, DocumentCatalogue, RequestSchemaError
from jpki.trust import CrlStore, RevocationPolicy, TrustDataError, TrustStore

__all__ = [
    "CONFIG_ENV",
    "ConfigError",
    "OfficeConfig",
    "create_audit_key",
    "load_config",
    "read_audit_key",
    "read_secret",
]

CONFIG_ENV: Final = "JPKI_OFFICE_CONFIG"
AUDIT_KEY_BYTES: Final = 32


class ConfigError(Exception):
    """The office configuration is missing something or holds a wrong value."""


@dataclass(frozen=True)
class OfficeConfig:
    listen: str = "127.0.0.1"
    port: int = 8443
    tls_certificate: Path | None = None
    tls_key: Path | None = None
    database_url: str | None = None
    database_password_file: Path | None = None
    audit_key_file: Path | None = None
    trust: tuple[Path, ...] = ()
    crls: tuple[Path, ...] = ()
    revocation: str = "if-available"
    catalogue: Path | None = None
    kiosk_rate: float = 5.0
    kiosk_burst: int = 20
    session_hours: float = 8.0
    token_cache_seconds: float = 5.0
    max_batch: int = 256
    console_idle_minutes: float = 30.0
    delivery_key: Path | None = None
    delivery_certificate: Path | None = None
    delivery_chain: tuple[Path, ...] = ()
    delivery_password_file: Path | None = None
    tsa_url: str | None = None
    download_days: float = 14.0
    max_pdf_bytes: int = 10 * 1024 * 1024
    extra: dict[str, Any] = field(default_factory=dict)

    def url(self) -> str:
        """The database URL, with the password from ``password_file`` put in."""
        if not self.database_url:
            raise ConfigError("no database: set [database] url")
        url = resolve_url(self.database_url)
        if self.database_password_file is not None:
            url = url.set(password=read_secret(self.database_password_file).decode().strip())
        return url.render_as_string(hide_password=False)

    def audit_key(self) -> bytes:
        if self.audit_key_file is None:
            raise ConfigError("no audit key: set [database] audit_key_file")
        return read_audit_key(self.audit_key_file)

    def ledger_config(self, *, with_key: bool = True) -> LedgerConfig:
        """How the office's ledger verifies submissions (trust, CRLs, revocation, catalogue)."""
        try:
            trust = TrustStore.from_paths([str(p) for p in self.trust]) if self.trust else None
            crls = CrlStore.from_paths([str(p) for p in self.crls]) if self.crls else None
        except TrustDataError as exc:
            raise ConfigError(f"[security]: {exc}") from None
        try:
            kinds = (
                DocumentCatalogue.from_toml(self.catalogue).codes
                if self.catalogue is not None
                else DEFAULT_KIND_CODES
            )
        except (OSError, RequestSchemaError) as exc:
            raise ConfigError(f"[security] catalogue: {exc}") from None
        return LedgerConfig(
            trust_store=trust,
            crls=crls,
            revocation_policy=RevocationPolicy(self.revocation),
            allowed_kinds=kinds,
            audit_key=self.audit_key() if with_key else None,
            download_window=timedelta(days=self.download_days),
        )


def read_secret(path: Path, *, limit: int = 4096) -> bytes:
    """A secret file's bytes; refused when others may read it, or it is a link or too big."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path} is not a regular file")
        if info.st_mode & 0o077:
            raise ConfigError(f"{path} may be read by others: chmod 600 {path}")
        if info.st_size > limit:
            raise ConfigError(f"{path} is too large for a secret")
        return os.read(fd, limit + 1)
    finally:
        os.close(fd)


def read_audit_key(path: Path) -> bytes:
    text = read_secret(path).decode("ascii", "replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ConfigError(f"{path}: the audit key is not hexadecimal") from None
    if len(key) < AUDIT_KEY_BYTES:
        raise ConfigError(f"{path}: the audit key is shorter than {AUDIT_KEY_BYTES} bytes")
    return key


def create_audit_key(path: Path) -> bytes:
    """Write a new audit key to ``path`` (mode 0600; refused if it exists)."""
    key = os.urandom(AUDIT_KEY_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise ConfigError(f"{path} exists already: an audit key is never overwritten") from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.hex() + "\n")
        f.flush()
        os.fsync(f.fileno())
    return key


def _path(base: Path, value: object, what: str) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{what} must be a file name")
    return base / value


def load_config(path: str | Path | None = None) -> OfficeConfig:
    """The configuration at ``path`` (else ``$JPKI_OFFICE_CONFIG``)."""
    where = path or os.environ.get(CONFIG_ENV)
    if not where:
        raise ConfigError(f"no configuration: give --config FILE or set ${CONFIG_ENV}")
    p = Path(where)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {p}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p} is not valid TOML: {exc}") from None
    return parse_config(data, p.parent)


def parse_config(data: dict[str, Any], base: Path) -> OfficeConfig:
    unknown = set(data) - {"service", "database", "security", "limits", "console", "delivery"}
    if unknown:
        raise ConfigError(f"unknown section(s): {', '.join(sorted(unknown))}")
    service = data.get("service", {})
    database = data.get("database", {})
    security = data.get("security", {})
    limits = data.get("limits", {})
    console = data.get("console", {})
    delivery = data.get("delivery", {})
    try:
        config = OfficeConfig(
            listen=str(service.get("listen", "127.0.0.1")),
            port=int(service.get("port", 8443)),
            tls_certificate=_path(base, service.get("tls_certificate"), "tls_certificate"),
            tls_key=_path(base, service.get("tls_key"), "tls_key"),
            database_url=_database_url(base, database.get("url")),
            database_password_file=_path(base, database.get("password_file"), "password_file"),
            audit_key_file=_path(base, database.get("audit_key_file"), "audit_key_file"),
            trust=tuple(base / str(p) for p in security.get("trust", [])),
            crls=tuple(base / str(p) for p in security.get("crls", [])),
            revocation=str(security.get("revocation", "if-available")),
            catalogue=_path(base, security.get("catalogue"), "catalogue"),
            kiosk_rate=float(limits.get("kiosk_rate", 5.0)),
            kiosk_burst=int(limits.get("kiosk_burst", 20)),
            session_hours=float(limits.get("session_hours", 8.0)),
            token_cache_seconds=float(limits.get("token_cache_seconds", 5.0)),
            max_batch=int(limits.get("max_batch", 256)),
            console_idle_minutes=float(console.get("idle_minutes", 30.0)),
            delivery_key=_path(base, delivery.get("key"), "[delivery] key"),
            delivery_certificate=_path(base, delivery.get("certificate"), "[delivery] certificate"),
            delivery_chain=tuple(base / str(p) for p in delivery.get("chain", [])),
            delivery_password_file=_path(base, delivery.get("password_file"), "password_file"),
            tsa_url=str(delivery["tsa_url"]) if delivery.get("tsa_url") else None,
            download_days=float(delivery.get("download_days", 14.0)),
            max_pdf_bytes=int(delivery.get("max_pdf_bytes", 10 * 1024 * 1024)),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"a wrong value in the configuration: {exc}") from None
    if config.revocation not in ("require", "if-available", "off"):
        raise ConfigError("[security] revocation must be require, if-available or off")
    if not 0 < config.port < 65536:
        raise ConfigError("[service] port must be 1..65535")
    if config.kiosk_rate <= 0 or config.kiosk_burst < 1:
        raise ConfigError("[limits] kiosk_rate must be positive and kiosk_burst at least 1")
    if not 0.05 <= config.session_hours <= 24:
        raise ConfigError("[limits] session_hours must be 0.05..24")
    if not 1 <= config.max_batch <= 10000:
        raise ConfigError("[limits] max_batch must be 1..10000")
    if not 1 <= config.console_idle_minutes <= 24 * 60:
        raise ConfigError("[console] idle_minutes must be 1..1440")
    if not 0 < config.download_days <= 366:
        raise ConfigError("[delivery] download_days must be more than 0 and at most 366")
    if not 1024 <= config.max_pdf_bytes <= 100 * 1024 * 1024:
        raise ConfigError("[delivery] max_pdf_bytes must be 1 KiB..100 MiB")
    if config.tsa_url is not None and not config.tsa_url.startswith(("http://", "https://")):
        raise ConfigError("[delivery] tsa_url must be an http(s) URL")
    return config


def _database_url(base: Path, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError("[database] url must be a URL or an SQLite file name")
    if "://" in value:
        return value
    return str(base / value)
