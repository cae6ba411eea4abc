"""Setting up a ledger's database: its URL, the engine (SQLite or PostgreSQL) and the migrations.

SQLite (default: ``user_data_dir("jpki")/ledger.sqlite3``, WAL, file mode
0600, ``BEGIN IMMEDIATE`` transactions) or PostgreSQL by URL (psycopg 3). The
schema is made by the Alembic migrations in ``jpki/ledger/migrations``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url

from .config import LedgerConfig

__all__ = [
    "alembic_config",
    "create_ledger_engine",
    "default_ledger_path",
    "migrate",
    "resolve_url",
]

_MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK_KEY: Final = 0x4A504B49_4C454447  # "JPKI" "LEDG"


def default_ledger_path() -> Path:
    """``platformdirs.user_data_dir("jpki")/ledger.sqlite3``."""
    import platformdirs

    return Path(platformdirs.user_data_dir("jpki")) / "ledger.sqlite3"


def resolve_url(url: str | os.PathLike[str] | URL | None = None) -> URL:
    """The SQLAlchemy URL of a ledger: ``None`` is the default SQLite file; a path (no
    ``://``) is an SQLite file; ``postgresql://`` (or ``postgres://``) uses psycopg 3."""
    if url is None:
        url = default_ledger_path()
    if isinstance(url, URL):
        resolved = url
    elif isinstance(url, os.PathLike) or "://" not in url:
        resolved = URL.create("sqlite", database=str(Path(url).expanduser().absolute()))
    else:
        resolved = make_url(url)
    if resolved.drivername in ("postgresql", "postgres"):
        resolved = resolved.set(drivername="postgresql+psycopg")
    return resolved


def _sqlite_file(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _prepare_sqlite_file(path: Path) -> None:
    """Create the database file (and its folder, 0700) with mode 0600 before SQLite opens it;
    SQLite gives its -wal and -shm files the database file's mode."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if candidate.stat().st_mode & 0o077:
                candidate.chmod(0o600)
        except FileNotFoundError:
            continue


def create_ledger_engine(
    url: str | os.PathLike[str] | URL | None = None,
    *,
    config: LedgerConfig | None = None,
    echo: bool = False,
) -> Engine:
    """An engine set up for the ledger (SQLite: WAL, ``synchronous``, busy timeout,
    ``BEGIN IMMEDIATE``; PostgreSQL: psycopg 3)."""
    cfg = config or LedgerConfig()
    resolved = resolve_url(url)
    if resolved.get_backend_name() != "sqlite":
        return create_engine(resolved, echo=echo, pool_pre_ping=True)
    synchronous = cfg.sqlite_synchronous.upper()
    if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise ValueError(
            f"sqlite_synchronous must be OFF, NORMAL, FULL or EXTRA, not {synchronous}"
        )
    path = _sqlite_file(resolved)
    if path is not None:
        _prepare_sqlite_file(path)
    engine = create_engine(resolved, echo=echo, connect_args={"timeout": cfg.busy_timeout})
    busy_ms = int(cfg.busy_timeout * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (the "begin" hook) issue BEGIN, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute(f"PRAGMA synchronous = {synchronous}")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock up front: no deadlock upgrading a read lock, and the
        # busy timeout applies.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def alembic_config() -> Any:
    """The Alembic configuration of the ledger's migrations (``alembic.config.Config``)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    return cfg


def migrate(engine: Engine, revision: str = "head", *, role: str | None = None) -> None:
    """Bring the schema to ``revision`` in one transaction, serialised between processes
    (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock). ``role`` (PostgreSQL): run
    the migrations as that role (``SET LOCAL ROLE``), which then owns what they create."""
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            if role is not None:
                if not role.replace("_", "a").isalnum() or not role.isascii():
                    raise ValueError(f"not a role name: {role[:40]!r}")
                connection.execute(text(f'SET LOCAL ROLE "{role}"'))
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)
