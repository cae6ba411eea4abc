"""pcscd + vsmartcard's vpcd driver for end-to-end tests and benchmarks.

Not a test module: helpers used by :mod:`tests.pcsc_fixtures` and
``bench/bench_pcsc.py``.

* :func:`missing_requirements` — why pcscd/vpcd cannot be used here (or None).
* :class:`Pcscd` — a running PC/SC service with the vpcd reader: reuses one
  that already answers, or starts ``pcscd --foreground`` and stops it again.
* :class:`ServedCard` — a card served through :class:`mock_card.vpcd.VpcdClient`,
  with ``remove()`` / ``insert()`` that wait until pcscd has seen the change.
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

from apdu.errors import ReaderGoneError, TransportError
from apdu.pcsc import list_readers, wait_for_card
from mock_card.vpcd import DEFAULT_PORT, VirtualCard, VpcdClient

VPCD_PORT = DEFAULT_PORT
PCSCD_DIR = Path("/run/pcscd")
PCSCD_SOCKET = PCSCD_DIR / "pcscd.comm"
PCSCD_PIDFILE = PCSCD_DIR / "pcscd.pid"

_DRIVER_GLOBS = (
    "/usr/lib/pcsc/drivers/**/libifdvpcd.so*",
    "/usr/lib/*/pcsc/drivers/**/libifdvpcd.so*",
    "/usr/local/lib/pcsc/drivers/**/libifdvpcd.so*",
    "/usr/lib64/pcsc/drivers/**/libifdvpcd.so*",
)
# pcscd names a reader "<FRIENDLYNAME> <reader index> <slot>"; slot 00 of the
# vpcd reader listens on the configured port (35963), slot 01 on the next one.
_VPCD_READER = re.compile(r"^Virtual PCD \d\d 00$")

_PR_SET_PDEATHSIG = 1

START_TIMEOUT = 15.0
CARD_TIMEOUT = 5.0


@contextlib.contextmanager
def machine_lock() -> Iterator[None]:
    """Hold the machine's pcscd and vpcd port for one test run or benchmark.

    pcscd and the vpcd port are shared by every process on the machine: two
    test runs (two checkouts, say) serving cards at once would take each
    other's card. The second run waits here until the first is done.
    """
    path = Path(tempfile.gettempdir()) / "jpki-vpcd.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another test run to release pcscd ({path})", flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


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
        for path in sorted(root.glob(pattern.lstrip("/"))):
            return path
    return None


def missing_requirements() -> str | None:
    """Why the end-to-end setup cannot run here, or None if it can."""
    if find_pcscd() is None:
        return "pcscd is not installed (Debian: apt install pcscd)"
    if find_vpcd_driver() is None:
        return (
            "vsmartcard's vpcd driver (libifdvpcd.so) is not installed "
            "(apt install vsmartcard-vpcd)"
        )
    return None


def service_answers() -> bool:
    """True if a PC/SC service answers on this machine."""
    try:
        list_readers()
    except ReaderGoneError:
        return False
    return True


def find_vpcd_reader(readers: list[str]) -> str | None:
    matches = sorted(r for r in readers if _VPCD_READER.match(r))
    return matches[0] if matches else None


def die_with_parent() -> None:
    """In the child: get SIGTERM when the test process dies, even if killed."""
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


@dataclass
class Pcscd:
    """The PC/SC service used by a test session or a benchmark.

    ``started_by_us`` tells whether :meth:`ensure` started pcscd (then
    :meth:`restart` and :meth:`stop` act on it) or found one running.
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

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start ``pcscd --foreground`` and wait until it lists the vpcd reader."""
        if self.process is not None and self.process.poll() is None:
            raise PcscdUnavailable("pcscd is already running (started by us)")
        binary = find_pcscd()
        if binary is None:
            raise PcscdUnavailable("pcscd is not installed")
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
            raise PcscdUnavailable("pcscd was not started by the tests: not restarting it")
        self.stop()
        self.start(timeout)

    def log_tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no pcscd log)"
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def _wait_for_reader(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        readers: list[str] = []
        last_error = ""
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise PcscdUnavailable(
                    f"pcscd exited with status {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                readers = list_readers()
            except TransportError as exc:
                last_error = str(exc)
            else:
                reader = find_vpcd_reader(readers)
                if reader is not None:
                    return reader
            time.sleep(0.05)  # polling a starting daemon: nothing to block on yet
        raise PcscdUnavailable(
            f"pcscd did not list a vpcd reader within {timeout} s "
            f"(readers: {readers}; last error: {last_error or 'none'})\n{self.log_tail()}"
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


@dataclass
class ServedCard:
    """``card`` served by a :class:`VpcdClient` into pcscd's ``reader``."""

    card: VirtualCard
    reader: str
    port: int = VPCD_PORT
    client: VpcdClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = VpcdClient(self.card, port=self.port)

    def insert(self, timeout: float = CARD_TIMEOUT) -> None:
        """Serve the card; return once pcscd reports it present."""
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
