"""A throwaway PostgreSQL cluster for tests and benchmarks (Debian's postgresql package).

Not a test module: helpers used by ``tests/test_ledger.py`` and
``bench/bench_ledger.py``.

* :func:`find_bin_dir` / :func:`missing_requirements` — where ``initdb``,
  ``pg_ctl`` and ``postgres`` are (``$JPKI_PG_BIN``, ``/usr/lib/postgresql/<v>/bin``
  with the highest version, or ``$PATH``), or why there are none.
* :class:`PostgresCluster` — ``initdb`` in a temporary folder and ``pg_ctl
  start``, listening only on a Unix socket inside that folder. PostgreSQL
  refuses to run as root: when we are root the server runs as the
  ``postgres`` user if there is one, else as a system user ``jpki-pg``
  (created with ``useradd --system``), else as ``nobody``; the folder is
  given to that user. ``fast=True`` (the default, for tests) turns fsync,
  synchronous commit and full-page writes off.
* :func:`shared_cluster` — one cluster per process (a test session), stopped at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

PG_BIN_ENV = "JPKI_PG_BIN"
SERVER_USER_CANDIDATES = ("postgres", "jpki-pg", "nobody")
SUPERUSER = "postgres"  # the database role initdb creates (-U)
PORT = 5432  # only names the socket file: the server listens on no TCP port
START_TIMEOUT = 30

_TOOLS = ("initdb", "pg_ctl", "postgres")


class PostgresUnavailable(RuntimeError):
    """PostgreSQL could not be found or started."""


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", path.parent.name))


def find_bin_dir() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres, or None."""
    candidates: list[Path] = []
    env = os.environ.get(PG_BIN_ENV)
    if env:
        candidates.append(Path(env))
    candidates.extend(
        sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    )
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        if all(os.access(folder / tool, os.X_OK) for tool in _TOOLS):
            return folder
    return None


def missing_requirements() -> str | None:
    """Why a cluster cannot be started here, or None if it can."""
    if find_bin_dir() is None:
        return (
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found "
            f"(Debian: apt install postgresql; or set ${PG_BIN_ENV})"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    return None


def _server_user() -> pwd.struct_passwd | None:
    """The account to run the server as (None: ourselves, when we are not root)."""
    if os.geteuid() != 0:
        return None
    for name in SERVER_USER_CANDIDATES:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            if name == "jpki-pg" and shutil.which("useradd"):
                subprocess.run(
                    [
                        "useradd",
                        "--system",
                        "--no-create-home",
                        "--home-dir",
                        "/nonexistent",
                        "--shell",
                        "/usr/sbin/nologin",
                        name,
                    ],
                    check=False,
                    capture_output=True,
                )
                with contextlib.suppress(KeyError):
                    return pwd.getpwnam(name)
    raise PostgresUnavailable("no unprivileged user to run PostgreSQL as")


class PostgresCluster:
    """A running throwaway cluster; :meth:`stop` removes every trace."""

    def __init__(self, bin_dir: Path, base: Path, user: pwd.struct_passwd | None) -> None:
        self.bin_dir = bin_dir
        self.base = base
        self.data = base / "data"
        self.socket_dir = base / "socket"
        self.log = base / "server.log"
        self.user = user
        self.running = False

    # -- lifecycle ---------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        *,
        bin_dir: Path | None = None,
        fast: bool = True,
        settings: Mapping[str, str] | None = None,
    ) -> PostgresCluster:
        folder = bin_dir or find_bin_dir()
        if folder is None:
            raise PostgresUnavailable(missing_requirements() or "PostgreSQL not found")
        user = _server_user()
        base = Path(tempfile.mkdtemp(prefix="jpki-pg-"))
        cluster = cls(folder, base, user)
        try:
            cluster._init(fast=fast, settings=settings or {})
            cluster._start()
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, Any] = {}
        env = {
            "PATH": f"{self.bin_dir}:/usr/bin:/bin",
            "LC_ALL": "C",
            "LANG": "C",
            "TZ": "UTC",
        }
        if self.user is not None:
            kwargs.update(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
            env["HOME"] = str(self.base)
            env["USER"] = env["LOGNAME"] = self.user.pw_name
        result = subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            cwd=self.base,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            **kwargs,
        )
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise PostgresUnavailable(
                f"{args[0]} failed ({result.returncode}): {result.stderr.strip()[-2000:]}\n{log}"
            )
        return result

    def _init(self, *, fast: bool, settings: Mapping[str, str]) -> None:
        self.socket_dir.mkdir(mode=0o700)
        if self.user is not None:
            for path in (self.base, self.socket_dir):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
            "--no-instructions",
        )
        conf: dict[str, str] = {
            "listen_addresses": "''",
            "unix_socket_directories": f"'{self.socket_dir}'",
            "port": str(PORT),
            "shared_buffers": "16MB",
            "max_connections": "100",
            "logging_collector": "off",
            "log_min_messages": "warning",
            "timezone": "'UTC'",
        }
        if fast:
            conf.update(fsync="off", synchronous_commit="off", full_page_writes="off")
        conf.update(settings)
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as f:
            f.write("\n# jpki test cluster\n")
            for key, value in conf.items():
                f.write(f"{key} = {value}\n")

    def _start(self) -> None:
        if self.user is not None:
            self.log.touch()
            os.chown(self.log, self.user.pw_uid, self.user.pw_gid)
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            str(START_TIMEOUT),
            "start",
            timeout=START_TIMEOUT + 10,
        )
        self.running = True

    def stop(self) -> None:
        """Stop the server (immediately: it is throwaway) and delete its folder."""
        if self.running:
            with contextlib.suppress(PostgresUnavailable, subprocess.TimeoutExpired):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.running = False
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> PostgresCluster:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # -- databases ---------------------------------------------------------------------

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL (psycopg 3) for ``database``, over the Unix socket."""
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket_dir}&port={PORT}"

    def connect(self, database: str = "postgres") -> Any:
        import psycopg

        return psycopg.connect(
            host=str(self.socket_dir),
            port=PORT,
            user=SUPERUSER,
            dbname=database,
            autocommit=True,
        )

    def create_database(self, name: str | None = None, *, template: str | None = None) -> str:
        """A new database (empty, or a copy of ``template``); its URL."""
        name = name or f"t_{uuid.uuid4().hex[:16]}"
        for value in (name, template or "x"):
            if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", value):
                raise ValueError(f"bad database name {value!r}")
        sql = f'CREATE DATABASE "{name}"'
        if template:
            sql += f' TEMPLATE "{template}" STRATEGY = FILE_COPY'
        with self.connect() as conn:
            conn.execute(sql)
        return self.url(name)

    @staticmethod
    def database_of(url: str) -> str:
        """The database name in a URL made by :meth:`url`."""
        return url.split("?", 1)[0].rsplit("/", 1)[1]

    def drop_database(self, name: str) -> None:
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise ValueError(f"bad database name {name!r}")
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_shared: PostgresCluster | None = None
_shared_lock = threading.Lock()


def shared_cluster() -> PostgresCluster:
    """One fast cluster for this process (started on first use, stopped at exit)."""
    global _shared  # noqa: PLW0603 - one per test session
    with _shared_lock:
        if _shared is None:
            _shared = PostgresCluster.start()
            atexit.register(_shared.stop)
        return _shared


@contextlib.contextmanager
def temporary_database(cluster: PostgresCluster, *, template: str | None = None) -> Iterator[str]:
    """A fresh database (or a copy of ``template``) for one test; dropped afterwards."""
    url = cluster.create_database(template=template)
    try:
        yield url
    finally:
        cluster.drop_database(cluster.database_of(url))
