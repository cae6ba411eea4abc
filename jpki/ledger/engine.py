"""Setting up a ledger's database: its URL, the engine (SQLite or PostgreSQL) and the migrations.

SQLite (default: ``user_data_dir("jpki")/ledger.sqlite3``, WAL, ``BEGIN IMMEDIATE``
transactions) or PostgreSQL by URL (psycopg 3); any other URL is a ``ValueError``. The
schema is made by the Alembic migrations in ``jpki/ledger/migrations``.

Opening is careful with what is there: an existing database is used only if it is a
ledger (:func:`check_ledger`: an SQLite file by its header, then by its tables), else
:class:`NotALedger`; a new one is made only when ``create`` is set (the CLI's
``--create`` and ``jpki requests init``), else :class:`LedgerNotFound`. A new SQLite
file is created here — exclusively, never through a symbolic link — with mode 0600 (its
folder 0700); SQLite gives its -wal and -shm files the same mode. The mode of a file
the ledger did not create is never changed.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from .config import LedgerConfig
from .errors import LedgerNotFound, NotALedger

__all__ = [
    "VERSION_TABLE",
    "alembic_config",
    "check_ledger",
    "create_ledger_engine",
    "default_ledger_path",
    "migrate",
    "resolve_url",
]

#: The table that makes a database a ledger: the ledger's own Alembic version table
#: (``migrations/env.py``), there from the first migration on, even at ``base``.
VERSION_TABLE: Final = "ledger_alembic_version"
_BACKENDS: Final = ("sqlite", "postgresql")

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
        try:
            resolved = make_url(url)
        except ArgumentError:
            raise ValueError(
                "the database URL cannot be read: give an SQLite path, sqlite:///PATH or "
                "postgresql://USER@HOST/DB"
            ) from None
    if resolved.drivername in ("postgresql", "postgres"):
        resolved = resolved.set(drivername="postgresql+psycopg")
    if resolved.get_backend_name() not in _BACKENDS:
        raise ValueError(
            f"a ledger is kept in SQLite or PostgreSQL, not {resolved.get_backend_name()}: "
            "give an SQLite path, sqlite:///PATH or postgresql://USER@HOST/DB"
        )
    return resolved


def _sqlite_file(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _prepare_sqlite_file(path: Path, *, create: bool) -> None:
    """Before SQLite opens ``path``: an existing file must be a regular file with the SQLite
    header (or, to be made a ledger with ``create``, empty); a missing one is created
    (``create``) exclusively, never through a link, mode 0600 in a folder made 0700."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if not create:
            raise LedgerNotFound(
                f"no ledger at {path}: create one with 'jpki requests init' (or --create)"
            ) from None
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:  # a dangling link, or another process was quicker
            if path.is_symlink():
                raise NotALedger(
                    f"{path} is a link to nothing: no ledger is created there"
                ) from None
            info = path.stat()
        else:
            os.close(fd)
            return
    except NotADirectoryError:
        raise LedgerNotFound(f"no ledger at {path}: {path.parent} is not a folder") from None
    if not stat.S_ISREG(info.st_mode):
        raise NotALedger(f"{path} is not a regular file, so not a ledger")
    if info.st_size == 0:
        if create:
            return  # an empty file, made a ledger as asked (its mode left as it is)
        raise NotALedger(f"{path} is not a ledger (an empty file); nothing was changed")
    # Its header and tables, read by SQLite itself, read-only (SQLAlchemy's connection
    # would first switch the file to WAL). Never open() the file here: closing any
    # descriptor of it drops every POSIX lock this process holds on it, those of a
    # ledger already open on it too (SQLite keeps its own descriptors open for that).
    try:
        connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = {str(name) for (name,) in rows}
        finally:
            connection.close()
    except sqlite3.OperationalError:
        return  # busy (another process migrating it): check_ledger judges it once open
    except sqlite3.DatabaseError as exc:
        if (exc.sqlite_errorcode & 0xFF) == sqlite3.SQLITE_NOTADB:
            raise NotALedger(
                f"{path} is not a ledger (not an SQLite database); nothing was changed"
            ) from None
        raise NotALedger(f"{path} is not a ledger ({exc}); nothing was changed") from None
    _judge(tables, str(path), create=create)


def check_ledger(engine: Engine, *, create: bool) -> bool:
    """Whether the database of ``engine`` holds a ledger (``True``), or is empty and may be
    made one (``False``, with ``create``); :class:`NotALedger` when it holds other tables,
    :class:`LedgerNotFound` when it is empty and ``create`` is not set."""
    tables = set(inspect(engine).get_table_names())
    return _judge(tables, engine.url.render_as_string(hide_password=True), create=create)


def _judge(tables: set[str], where: str, *, create: bool) -> bool:
    if VERSION_TABLE in tables:
        return True
    if tables:
        raise NotALedger(
            f"{where} holds other tables ({', '.join(sorted(tables)[:5])}), not a ledger; "
            "nothing was changed"
        )
    if not create:
        raise LedgerNotFound(
            f"{where} holds no ledger: create one with 'jpki requests init' (or --create)"
        )
    return False


def create_ledger_engine(
    url: str | os.PathLike[str] | URL | None = None,
    *,
    config: LedgerConfig | None = None,
    echo: bool = False,
    create: bool = True,
) -> Engine:
    """An engine set up for the ledger (SQLite: WAL, ``synchronous``, busy timeout,
    ``BEGIN IMMEDIATE``; PostgreSQL: psycopg 3). An SQLite file is checked (or, with
    ``create``, created) first: see the module docstring."""
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
        _prepare_sqlite_file(path, create=create)
    engine = create_engine(resolved, echo=echo, connect_args={"timeout": cfg.busy_timeout})
    busy_ms = int(cfg.busy_timeout * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (the "begin" hook) issue BEGIN, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
            _switch_to_wal(cursor, cfg.busy_timeout)
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


def _switch_to_wal(cursor: Any, timeout: float) -> None:
    """``PRAGMA journal_mode = WAL``, retried while busy for up to ``timeout`` seconds.

    The busy timeout does not cover this statement on a database not yet in WAL mode (a new
    ledger, which several processes may open at once): SQLite reads the header in a read
    transaction, then upgrades it to a write transaction to set the file format bytes, and
    a busy upgrade fails at once — SQLite never calls the busy handler for an upgrade,
    since waiting while holding the read lock could deadlock. Retrying the whole statement,
    which holds no lock between attempts, cannot. Once the file is in WAL mode the
    statement takes no write lock and succeeds at the first attempt.
    """
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            left = deadline - time.monotonic()
            if (exc.sqlite_errorcode & 0xFF) != sqlite3.SQLITE_BUSY or left <= 0:
                raise
        time.sleep(min(delay, left))
        delay = min(delay * 2, 0.05)


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
