"""pcscd with vsmartcard's vpcd driver: find it, start it when needed, serve cards into it.

Used by the pytest plugin (:mod:`mock_card.pytest_plugin`), ``jpki-mock-card serve
--pcscd`` and the project's benchmarks.

* :func:`missing_requirements` — why pcscd + vpcd cannot be used here, naming the
  Debian package to install (or None).
* :class:`Pcscd` — a running PC/SC service with the vpcd reader: reuses one that
  already answers, or starts ``pcscd --foreground`` and stops it again.
* :class:`ServedCard` — a card served through :class:`mock_card.vpcd.VpcdClient`
  into one vpcd slot, with ``remove()`` / ``insert()`` that wait until pcscd has
  seen the change.
* :func:`machine_lock` — pcscd and the vpcd ports are machine-wide: one test run
  (or benchmark) at a time holds them.

vpcd offers two slots: ``Virtual PCD 00 00`` on TCP port 35963 and ``Virtual PCD
00 01`` on 35964 (Debian's ``/etc/reader.conf.d/vpcd``).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from apdu.errors import ReaderGoneError, TransportError

from .vpcd import DEFAULT_PORT, VirtualCard, VpcdClient

__all__ = [
    "APT_PCSCD",
    "APT_PCSCLITE",
    "APT_VPCD",
    "CARD_TIMEOUT",
    "LOCK_ENV",
    "START_TIMEOUT",
    "VPCD_PORT",
    "VPCD_SLOTS",
    "Pcscd",
    "PcscdUnavailable",
    "ServedCard",
    "die_with_parent",
    "find_pcscd",
    "find_vpcd_driver",
    "find_vpcd_reader",
    "machine_lock",
    "missing_requirements",
    "service_answers",
    "vpcd_port",
]

VPCD_PORT: Final = DEFAULT_PORT
#: vpcd's slots: slot ``n`` listens on ``VPCD_PORT + n``.
VPCD_SLOTS: Final = 2

#: Debian packages, named in every "cannot run here" message.
APT_PCSCD: Final = "pcscd"
APT_VPCD: Final = "vsmartcard-vpcd"
APT_PCSCLITE: Final = "libpcsclite1"

PCSCD_DIR: Final = Path("/run/pcscd")
PCSCD_SOCKET: Final = PCSCD_DIR / "pcscd.comm"
PCSCD_PIDFILE: Final = PCSCD_DIR / "pcscd.pid"

#: Set while a process holds :func:`machine_lock`: its pid, so that its children
#: (a nested pytest run, a recipe script) do not wait for their own parent.
LOCK_ENV: Final = "JPKI_VPCD_LOCK_HOLDER"

_DRIVER_GLOBS: Final = (
    "usr/lib/pcsc/drivers/**/libifdvpcd.so*",
    "usr/lib/*/pcsc/drivers/**/libifdvpcd.so*",
    "usr/local/lib/pcsc/drivers/**/libifdvpcd.so*",
    "usr/lib64/pcsc/drivers/**/libifdvpcd.so*",
)
# pcscd names a reader "<FRIENDLYNAME> <reader index> <slot>".
_VPCD_READER: Final = re.compile(r"^Virtual PCD \d\d (\d\d)$")

_PR_SET_PDEATHSIG: Final = 1

START_TIMEOUT: Final = 15.0
CARD_TIMEOUT: Final = 5.0


def vpcd_port(slot: int) -> int:
    """The TCP port of vpcd's ``slot`` (0 or 1)."""
    if not 0 <= slot < VPCD_SLOTS:
        raise ValueError(f"vpcd has slots 0 to {VPCD_SLOTS - 1}, not {slot}")
    return VPCD_PORT + slot


# -- the machine-wide lock ---------------------------------------------------------


def _ancestors() -> set[int]:
    """This process's ancestors' pids (Linux ``/proc``; empty where unreadable)."""
    found: set[int] = set()
    pid = os.getppid()
    for _ in range(64):
        if pid <= 1 or pid in found:
            break
        found.add(pid)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses
        pid = int(stat[stat.rindex(")") + 2 :].split()[1])
    return found


@contextlib.contextmanager
def machine_lock() -> Iterator[None]:
    """Hold the machine's pcscd and vpcd ports for one test run or benchmark.

    pcscd and the vpcd ports are shared by every process on the machine: two
    test runs (two checkouts, say) serving cards at once would take each
    other's card. The second run waits here until the first is done. The holder
    itself (a nested pytest run) and the processes it starts do not wait: the
    holder's pid is in ``$JPKI_VPCD_LOCK_HOLDER`` and is theirs or an ancestor's.
    """
    holder = os.environ.get(LOCK_ENV, "")
    if holder.isdigit() and (int(holder) == os.getpid() or int(holder) in _ancestors()):
        yield
        return
    path = Path(tempfile.gettempdir()) / "jpki-vpcd.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    previous = os.environ.get(LOCK_ENV)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another test run to release pcscd ({path})", flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.environ[LOCK_ENV] = str(os.getpid())
        yield
    finally:
        if previous is None:
            os.environ.pop(LOCK_ENV, None)
        else:
            os.environ[LOCK_ENV] = previous
        os.close(fd)


# -- what is installed ---------------------------------------------------------------


class PcscdUnavailable(RuntimeError):
    """pcscd could not be found, started or reached."""


def find_pcscd() -> str | None:
    found = shutil.which("pcscd")
    if found:
        return found
    for candidate in ("/usr/sbin/pcscd", "/usr/local/sbin/pcscd", "/sbin/pcscd"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def find_vpcd_driver() -> Path | None:
    root = Path("/")
    for pattern in _DRIVER_GLOBS:
        for path in sorted(root.glob(pattern)):
            return path
    return None


def _pcsclite_loads() -> bool:
    try:
        from apdu import pcsc  # noqa: F401 - imports pyscard, which loads libpcsclite
    except (ImportError, OSError):
        return False
    return True


def missing_requirements() -> str | None:
    """Why pcscd + vpcd cannot run here (naming the apt package to install), or None."""
    if find_pcscd() is None:
        return f"pcscd is not installed (Debian/Ubuntu: apt install {APT_PCSCD})"
    if find_vpcd_driver() is None:
        return (
            "vsmartcard's vpcd reader driver (libifdvpcd.so) is not installed "
            f"(Debian/Ubuntu: apt install {APT_VPCD})"
        )
    if not _pcsclite_loads():
        return (
            "pyscard cannot load the PC/SC client library "
            f"(Debian/Ubuntu: apt install {APT_PCSCLITE})"
        )
    return None


def service_answers() -> bool:
    """True if a PC/SC service answers on this machine."""
    from apdu.pcsc import list_readers

    try:
        list_readers()
    except ReaderGoneError:
        return False
    return True


def find_vpcd_reader(readers: list[str], slot: int = 0) -> str | None:
    """The name pcscd gives vpcd's ``slot`` among ``readers`` (e.g. ``Virtual PCD 00 00``)."""
    matches = sorted(r for r in readers if (m := _VPCD_READER.match(r)) and int(m[1]) == slot)
    return matches[0] if matches else None


def die_with_parent() -> None:
    """In the child: get SIGTERM when the parent dies, even if it is killed."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- the service -----------------------------------------------------------------------


@dataclass
class Pcscd:
    """The PC/SC service used by a test session, a benchmark or ``serve --pcscd``.

    ``started_by_us`` tells whether :meth:`ensure` started pcscd (then
    :meth:`restart` and :meth:`stop` act on it) or found one running (then
    they leave it alone).
    """

    reader: str = ""
    started_by_us: bool = False
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @classmethod
    def ensure(cls, timeout: float = START_TIMEOUT) -> Pcscd:
        """Reuse a running pcscd, or start one; wait for the vpcd reader."""
        reason = missing_requirements()
        if reason:
            raise PcscdUnavailable(reason)
        service = cls()
        if service_answers():
            service.reader = service._wait_for_reader(timeout)
            return service
        service.start(timeout)
        return service

    def reader_for(self, slot: int, timeout: float = CARD_TIMEOUT) -> str:
        """The name of vpcd's ``slot`` (``0``: :attr:`reader`)."""
        vpcd_port(slot)  # validates
        if slot == 0 and self.reader:
            return self.reader
        return self._wait_for_reader(timeout, slot)

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start ``pcscd --foreground`` and wait until it lists the vpcd reader."""
        if self.process is not None and self.process.poll() is None:
            raise PcscdUnavailable("pcscd is already running (started by us)")
        binary = find_pcscd()
        if binary is None:
            raise PcscdUnavailable(f"pcscd is not installed (apt install {APT_PCSCD})")
        self._remove_stale_files()
        if self.log_path is None:
            fd, name = tempfile.mkstemp(prefix="pcscd-", suffix=".log")
            os.close(fd)
            self.log_path = Path(name)
        log = self.log_path.open("ab")
        try:
            self.process = subprocess.Popen(
                [binary, "--foreground"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent,  # noqa: PLW1509 - only calls prctl
            )
        finally:
            log.close()
        self.started_by_us = True
        try:
            self.reader = self._wait_for_reader(timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout: float = 5.0) -> None:
        """Stop pcscd if we started it (SIGTERM, then SIGKILL)."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        if process.returncode in (0, -signal.SIGTERM) and self.log_path is not None:
            # a clean run: its log is of no interest (kept after a failure)
            with contextlib.suppress(OSError):
                self.log_path.unlink()
            self.log_path = None

    def restart(self, timeout: float = START_TIMEOUT) -> None:
        """Stop and start again the pcscd we started."""
        if not self.started_by_us:
            raise PcscdUnavailable("pcscd was not started by us: not restarting it")
        self.stop()
        self.start(timeout)

    def log_tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no pcscd log)"
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def _wait_for_reader(self, timeout: float, slot: int = 0) -> str:
        from apdu.pcsc import list_readers

        deadline = time.monotonic() + timeout
        readers: list[str] = []
        last_error = ""
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                hint = (
                    " (pcscd needs root to create /run/pcscd: start the system's pcscd, "
                    "e.g. 'sudo systemctl start pcscd.socket')"
                    if os.geteuid() != 0
                    else ""
                )
                raise PcscdUnavailable(
                    f"pcscd exited with status {self.process.returncode}{hint}:\n{self.log_tail()}"
                )
            try:
                readers = list_readers()
            except TransportError as exc:
                last_error = str(exc)
            else:
                reader = find_vpcd_reader(readers, slot)
                if reader is not None:
                    return reader
            time.sleep(0.05)  # polling a starting daemon: nothing to block on yet
        raise PcscdUnavailable(
            f"pcscd did not list vpcd's slot {slot} within {timeout} s (readers: {readers}; "
            f"last error: {last_error or 'none'}); if pcscd ran before {APT_VPCD} was "
            f"installed, restart it\n{self.log_tail()}"
        )

    @staticmethod
    def _remove_stale_files() -> None:
        """Remove the socket and pid file of a pcscd that died without cleaning up."""
        if not PCSCD_PIDFILE.exists() and not PCSCD_SOCKET.exists():
            return
        with contextlib.suppress(OSError, ValueError):
            pid = int(PCSCD_PIDFILE.read_text().strip())
            if _pid_alive(pid):
                raise PcscdUnavailable(
                    f"a pcscd (pid {pid}) is running but does not answer on {PCSCD_SOCKET}"
                )
        for path in (PCSCD_SOCKET, PCSCD_PIDFILE):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


# -- a card in a vpcd slot ---------------------------------------------------------------


@dataclass
class ServedCard:
    """``card`` served by a :class:`VpcdClient` into pcscd's ``reader`` (vpcd at ``port``)."""

    card: VirtualCard
    reader: str
    port: int = VPCD_PORT
    client: VpcdClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = VpcdClient(self.card, port=self.port)

    def insert(self, timeout: float = CARD_TIMEOUT) -> None:
        """Serve the card; return once pcscd reports it present."""
        from apdu.pcsc import wait_for_card

        if wait_for_card(self.reader, present=True, timeout=0):
            raise AssertionError(
                f"{self.reader} already holds a card before ours was served: is another "
                f"virtual card connected to vpcd on port {self.port}?"
            )
        self.client.serve_in_thread()
        if not wait_for_card(self.reader, present=True, timeout=timeout):
            self.client.stop()
            raise AssertionError(
                f"pcscd did not see the virtual card in {self.reader} within {timeout} s "
                f"(vpcd talked to the client: {self.client.connected.is_set()})"
            )

    def remove(self, timeout: float = CARD_TIMEOUT) -> None:
        """Stop serving; return once pcscd reports the reader empty."""
        from apdu.pcsc import wait_for_card

        self.client.stop()
        if not wait_for_card(self.reader, present=False, timeout=timeout):
            raise AssertionError(
                f"pcscd still reports a card in {self.reader} {timeout} s after the "
                "virtual card stopped"
            )

    def __enter__(self) -> ServedCard:
        self.insert()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()
