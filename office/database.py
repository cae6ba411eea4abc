"""The office's database: its migrations, the PostgreSQL roles, and opening it as the service.

``jpki-office db init`` (:func:`init_database`):

* **SQLite** (one machine): runs the ledger's and the office's migrations and
  seals the audit chain with the audit key. SQLite has no roles: whoever can
  write the file can write the tables; the chain's MACs show it.
* **PostgreSQL**: connected as an administrator (a superuser, or a role with
  CREATEROLE that may grant on the ``public`` schema), it creates

  - an **owner** role (NOLOGIN) that owns the tables: the migrations run as it
    (``SET ROLE``), and only it could alter the tables or their triggers;
  - a **service** role (LOGIN) with only what the service needs: read everything;
    insert requests and audit entries; update only a request's status columns and
    the chain head; insert and revoke kiosks; manage staff accounts and sessions.
    No DELETE on requests or audit entries, no TRUNCATE, no DDL.

  The service connects as the service role and never migrates
  (:func:`open_service_ledger` checks that the schema is current instead).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL, make_url

from jpki.ledger import Ledger, LedgerConfig, create_ledger_engine, migrate, resolve_url

__all__ = [
    "LEDGER_HEAD",
    "OFFICE_HEAD",
    "SchemaNotCurrent",
    "init_database",
    "migrate_office",
    "open_service_ledger",
    "schema_versions",
]

_MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"
_LOCK_KEY: Final = 0x4A504B49_4F464643  # "JPKI" "OFFC"
LEDGER_HEAD: Final = "0003"
OFFICE_HEAD: Final = "o0002"
_ROLE: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")

#: What the service role may do, table by table (PostgreSQL).
SERVICE_GRANTS: Final = (
    "GRANT SELECT, INSERT ON certificate_requests TO {service}",
    "GRANT UPDATE (status, status_changed_at, status_reason, issued_at, expires_at, revision, "
    "audit_seq) ON certificate_requests TO {service}",
    "GRANT SELECT, INSERT ON audit_log TO {service}",
    "GRANT SELECT, UPDATE (seq, entry_hash, mac) ON audit_chain_head TO {service}",
    "GRANT SELECT ON ledger_alembic_version, office_alembic_version TO {service}",
    "GRANT SELECT, INSERT, UPDATE (revoked_at) ON office_kiosks TO {service}",
    "GRANT SELECT, INSERT, UPDATE (password_hash, totp_secret, roles, disabled, totp_last_step) "
    "ON office_staff TO {service}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON office_staff_sessions TO {service}",
    "GRANT SELECT, INSERT, DELETE ON office_used_challenges TO {service}",
    "GRANT SELECT, INSERT, UPDATE (pdf, pdf_sha256, upload_sha256, attached_at, attached_by, "
    "token_sha256, link_expires_at, used_at) ON office_deliveries TO {service}",
    "GRANT USAGE ON SEQUENCE certificate_requests_id_seq, audit_log_id_seq TO {service}",
)


class SchemaNotCurrent(RuntimeError):
    """The database's schema is not the one this version of the office needs."""


def _alembic(location: Path) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(location))
    cfg.set_main_option("path_separator", "os")
    return cfg


def migrate_office(engine: Engine, *, role: str | None = None) -> None:
    """The office's own migrations (one transaction; ``role``: run them as it)."""
    from alembic import command

    cfg = _alembic(_MIGRATIONS)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            if role is not None:
                connection.execute(text(f'SET LOCAL ROLE "{_role(role)}"'))
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def schema_versions(engine: Engine) -> tuple[str | None, str | None]:
    """The ledger's and the office's schema versions (``None``: not migrated)."""
    versions: list[str | None] = []
    with engine.connect() as conn:
        tables = set(engine.dialect.get_table_names(conn))
        for table in ("ledger_alembic_version", "office_alembic_version"):
            if table not in tables:
                versions.append(None)
                continue
            value = conn.execute(text(f"SELECT version_num FROM {table}")).scalar()  # noqa: S608
            versions.append(str(value) if value is not None else None)
    return versions[0], versions[1]


def _role(name: str) -> str:
    if not _ROLE.fullmatch(name):
        raise ValueError(f"a role name is lower-case letters, digits and '_' ({name[:40]!r})")
    return name


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def init_database(
    url: str | URL,
    config: LedgerConfig,
    *,
    owner: str = "jpki_owner",
    service: str = "jpki_service",
    service_password: str | None = None,
) -> str:
    """Make the database ready for the office (see the module docstring); idempotent.
    ``url`` is an administrator's (PostgreSQL) or the SQLite file. ``config`` carries the
    audit key that seals the chain. What was done, in a line."""
    resolved = resolve_url(url)
    engine = create_ledger_engine(resolved, config=config)
    try:
        if engine.dialect.name == "sqlite":
            migrate(engine)
            migrate_office(engine)
            key = Ledger(engine, config).seal_audit_chain()
            return f"SQLite ledger ready at {resolved.database} (audit key {key})"
        _postgres_roles(engine, owner, service, service_password)
        migrate(engine, role=owner)
        migrate_office(engine, role=owner)
        owned = _owned_engine(resolved, owner)
        try:
            key = Ledger(owned, config).seal_audit_chain()
        finally:
            owned.dispose()
        with engine.begin() as conn:
            conn.execute(text(f'SET LOCAL ROLE "{owner}"'))
            for grant in SERVICE_GRANTS:
                conn.execute(text(grant.format(service=f'"{service}"')))
        return (
            f"PostgreSQL database {resolved.database} ready: owner role {owner}, service role "
            f"{service} (audit key {key})"
        )
    finally:
        engine.dispose()


def _owned_engine(url: URL, owner: str) -> Engine:
    """An engine whose connections act as ``owner`` (the administrator, SET ROLE)."""
    from sqlalchemy import event

    engine = create_ledger_engine(url)

    @event.listens_for(engine, "connect")
    def _as_owner(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f'SET ROLE "{owner}"')
        dbapi_connection.commit()

    return engine


def _postgres_roles(engine: Engine, owner: str, service: str, password: str | None) -> None:
    owner, service = _role(owner), _role(service)
    if owner == service:
        raise ValueError("the owner and the service must be different roles")
    with engine.begin() as conn:
        database = conn.execute(text("SELECT current_database()")).scalar()
        me = conn.execute(text("SELECT current_user")).scalar()
        existing = set(
            conn.execute(
                text("SELECT rolname FROM pg_roles WHERE rolname IN (:a, :b)"),
                {"a": owner, "b": service},
            ).scalars()
        )
        if owner not in existing:
            conn.execute(text(f'CREATE ROLE "{owner}" NOLOGIN'))
        if service not in existing:
            conn.execute(
                text(
                    f'CREATE ROLE "{service}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE '
                    "NOINHERIT NOREPLICATION NOBYPASSRLS"
                )
            )
        if password is not None:
            conn.execute(text(f'ALTER ROLE "{service}" PASSWORD {_quote_literal(password)}'))
        conn.execute(text(f'GRANT "{owner}" TO "{me}"'))
        conn.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO "{service}"'))
        conn.execute(text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
        conn.execute(text(f'GRANT USAGE, CREATE ON SCHEMA public TO "{owner}"'))
        conn.execute(text(f'GRANT USAGE ON SCHEMA public TO "{service}"'))


def service_url(admin_url: str | URL, service: str, password: str | None = None) -> str:
    """The URL the service connects with: the administrator's, as the service role."""
    url = make_url(str(resolve_url(admin_url).render_as_string(hide_password=False)))
    url = url.set(username=_role(service), password=password)
    return url.render_as_string(hide_password=False)


def open_service_ledger(url: str | URL, config: LedgerConfig) -> Ledger:
    """The ledger as the service uses it: no migrations (the service role may not), but a
    schema that must be current."""
    engine = create_ledger_engine(url, config=config)
    try:
        ledger_version, office_version = schema_versions(engine)
        if (ledger_version, office_version) != (LEDGER_HEAD, OFFICE_HEAD):
            raise SchemaNotCurrent(
                f"the database's schema is ledger {ledger_version}, office {office_version}; "
                f"this office needs {LEDGER_HEAD}, {OFFICE_HEAD}: run 'jpki-office db init'"
            )
    except BaseException:
        engine.dispose()
        raise
    return Ledger(engine, config)
