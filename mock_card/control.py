"""The control socket of ``jpki-mock-card serve``: drive the served card from any process.

A Unix stream socket, readable and writable by its owner only. Each connection
carries one request and one answer:

* request: one line of UTF-8 words, at most :data:`MAX_REQUEST` bytes with the
  newline, e.g. ``remove``, ``holder juki``, ``fault remove 3``;
* answer: one line of JSON, at most :data:`MAX_ANSWER` bytes: ``{"ok": true, ...}``
  or ``{"ok": false, "error": "..."}``; then the server closes the connection.

So any language can drive it (``printf 'remove\\n' | socat - UNIX-CONNECT:PATH``);
:class:`ControlClient` and ``jpki-mock-card ctl`` are the Python and shell clients.
The commands themselves are the daemon's (:mod:`mock_card.daemon`).

Safety: the socket is created in a private directory, made mode 0600 and then
hard-linked to its path, which fails if anything (a file, a symlink, another
socket) is there already: the server never follows or replaces a path it did
not create — except a stale socket of its own user that nobody listens on. It
removes the path at exit only if it is still the socket it created. Both ends
check the peer's user (``SO_PEERCRED``): only the same user (or root) is served.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import selectors
import socket
import stat
import struct
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

__all__ = [
    "ENV_CONTROL",
    "MAX_ANSWER",
    "MAX_REQUEST",
    "ControlClient",
    "ControlError",
    "ControlServer",
    "default_control_path",
]

ENV_CONTROL: Final = "JPKI_MOCK_CONTROL"
MAX_REQUEST: Final = 1024
MAX_ANSWER: Final = 65536
#: How long the server waits for a request line (a client that says nothing is dropped).
REQUEST_TIMEOUT: Final = 2.0
#: How long the client waits for an answer (``holder`` takes up to a few seconds).
ANSWER_TIMEOUT: Final = 15.0
_DRAIN_CHUNKS: Final = 16  # at most 1 MiB
_SUN_PATH_MAX: Final = 107  # Linux: 108 bytes with the terminating NUL

Handler = Callable[[list[str]], dict[str, Any]]


class ControlError(Exception):
    """The control socket cannot be created, reached or understood."""


def _private_dir(path: Path) -> Path:
    """``path`` as a directory only this user can enter (created if missing)."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    st = path.lstat()
    if not stat.S_ISDIR(st.st_mode):
        raise ControlError(f"{path} is not a directory (a symlink?): not using it")
    if st.st_uid != os.geteuid() or st.st_mode & 0o077:
        raise ControlError(
            f"{path} is not a private directory of this user (owner uid {st.st_uid}, "
            f"mode {stat.S_IMODE(st.st_mode):o}): not using it"
        )
    return path


def default_control_path(port: int) -> Path:
    """``$JPKI_MOCK_CONTROL``, else ``vpcd-<port>.sock`` in ``$XDG_RUNTIME_DIR/jpki-mock-card``
    (or ``<tmp>/jpki-mock-card-<uid>``): the daemon serving vpcd's ``port`` is found by port."""
    env = os.environ.get(ENV_CONTROL)
    if env:
        return Path(env)
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and Path(runtime).is_dir():
        base = Path(runtime) / "jpki-mock-card"
    else:
        base = Path(tempfile.gettempdir()) / f"jpki-mock-card-{os.geteuid()}"
    return base / f"vpcd-{port}.sock"


def _peer_uid(sock: socket.socket) -> int:
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)


def _trusted_uid(uid: int) -> bool:
    return uid in (os.geteuid(), 0)


def _check_length(path: Path) -> None:
    if len(os.fsencode(path)) > _SUN_PATH_MAX:
        raise ControlError(
            f"the control socket path is too long for a Unix socket ({_SUN_PATH_MAX} bytes): "
            f"{path} (choose a shorter one with --control)"
        )


def _answers(path: Path) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(1.0)
    try:
        probe.connect(os.fspath(path))
    except OSError:
        return False
    finally:
        probe.close()
    return True


class ControlServer:
    """Serves ``handler(words) -> dict`` on a Unix socket at ``path``, one connection at a
    time, in a daemon thread (:meth:`start` / :meth:`close`)."""

    def __init__(self, path: Path, handler: Handler, *, private_parent: bool = False) -> None:
        """``private_parent``: create the parent directory (mode 0700) if missing, and refuse
        it unless it is this user's and private (for the default path)."""
        self.path = path
        self.handler = handler
        self.private_parent = private_parent
        self._sock: socket.socket | None = None
        self._identity: tuple[int, int] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- creating and removing the socket ----------------------------------------------

    def _bind(self) -> socket.socket:
        path = self.path
        _check_length(path)
        # the socket is first bound in a private directory next to it: ".XXXXXXXX/s"
        _check_length(path.parent / ("." + "x" * 8) / "s")
        if self.private_parent:
            _private_dir(path.parent)
        pst = path.parent.stat()
        if pst.st_mode & 0o002 and not pst.st_mode & stat.S_ISVTX:
            raise ControlError(f"{path.parent} is writable by anyone and not sticky: not using it")
        self._clear_stale(path)
        staging = Path(tempfile.mkdtemp(prefix=".", dir=path.parent))
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            temp = staging / "s"
            sock.bind(os.fspath(temp))
            os.chmod(temp, 0o600)
            sock.listen(8)
            try:
                os.link(temp, path)  # never follows nor replaces what is at `path`
            except FileExistsError:
                raise ControlError(
                    f"{path} appeared while the control socket was being created"
                ) from None
            st = path.lstat()
            self._identity = (st.st_dev, st.st_ino)
        except BaseException:
            sock.close()
            raise
        finally:
            with contextlib.suppress(OSError):
                (staging / "s").unlink()
            with contextlib.suppress(OSError):
                staging.rmdir()
        return sock

    @staticmethod
    def _clear_stale(path: Path) -> None:
        try:
            st = path.lstat()
        except FileNotFoundError:
            return
        if not stat.S_ISSOCK(st.st_mode) or st.st_uid != os.geteuid():
            raise ControlError(
                f"{path} exists and is not a control socket of this user: not replacing it "
                "(choose another path with --control)"
            )
        if _answers(path):
            raise ControlError(
                f"another 'jpki-mock-card serve' answers on {path} (stop it, or use --control)"
            )
        path.unlink()  # our own stale socket: its daemon died without removing it

    def _unlink(self) -> None:
        if self._identity is None:
            return
        with contextlib.suppress(OSError):
            st = self.path.lstat()
            if (st.st_dev, st.st_ino) == self._identity:
                self.path.unlink()
        self._identity = None

    # -- serving -------------------------------------------------------------------------

    def start(self) -> None:
        self._sock = self._bind()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="mock-card-control", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self._unlink()

    def __enter__(self) -> ControlServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _run(self) -> None:
        assert self._sock is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._sock, selectors.EVENT_READ)
            while not self._stop.is_set():
                if not selector.select(timeout=0.2):
                    continue
                try:
                    conn, _ = self._sock.accept()
                except OSError:
                    continue
                with conn:
                    self._serve_one(conn)

    def _serve_one(self, conn: socket.socket) -> None:
        conn.settimeout(REQUEST_TIMEOUT)
        try:
            if not _trusted_uid(_peer_uid(conn)):
                return  # another user: not even an answer
            request = _read_line(conn, MAX_REQUEST, within=REQUEST_TIMEOUT)
            answer = self._answer(request)
            conn.sendall(_encode(answer))
            if request is None:
                _drain(conn)
        except OSError:
            return  # the client went away or was too slow

    def _answer(self, request: bytes | None) -> dict[str, Any]:
        if request is None:
            return {"ok": False, "error": f"a request is one line of at most {MAX_REQUEST} bytes"}
        try:
            words = request.decode("utf-8").split()
        except UnicodeDecodeError:
            return {"ok": False, "error": "a request is UTF-8 text"}
        if not words:
            return {"ok": False, "error": "empty request (try 'help')"}
        try:
            return {"ok": True, **self.handler(words)}
        except ControlError as exc:
            return {"ok": False, "error": str(exc)}
        except Exception as exc:  # the daemon must keep serving whatever a command does
            return {"ok": False, "error": f"internal error: {type(exc).__name__}: {exc}"}


def _read_line(conn: socket.socket, limit: int, within: float | None = None) -> bytes | None:
    """Bytes up to the first newline (without it); None beyond ``limit`` bytes. EOF ends a
    line too. ``within`` bounds the whole line's time (``TimeoutError``), not each read."""
    deadline = None if within is None else time.monotonic() + within
    data = b""
    while b"\n" not in data:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request took too long")
            conn.settimeout(left)
        chunk = conn.recv(limit + 1 - len(data))
        if not chunk:
            break
        data += chunk
        if len(data) > limit:
            return None
    line, _, _ = data.partition(b"\n")
    return line


def _drain(conn: socket.socket) -> None:
    """After refusing an oversized request: read (a bounded amount of) what the client still
    sends, so that closing does not reset the connection before it has read the answer."""
    conn.shutdown(socket.SHUT_WR)
    conn.settimeout(1.0)
    for _ in range(_DRAIN_CHUNKS):
        if not conn.recv(65536):
            break


def _encode(answer: dict[str, Any]) -> bytes:
    raw = json.dumps(answer, ensure_ascii=False).encode("utf-8") + b"\n"
    if len(raw) > MAX_ANSWER:
        raw = json.dumps({"ok": False, "error": "the answer is too large"}).encode() + b"\n"
    return raw


class ControlClient:
    """Talks to a running ``jpki-mock-card serve`` (``ControlClient(path).request("remove")``)."""

    def __init__(self, path: Path, timeout: float = ANSWER_TIMEOUT) -> None:
        self.path = path
        self.timeout = timeout

    def request(self, *words: str) -> dict[str, Any]:
        """Send one command; return the answer (``ok`` true), or raise :class:`ControlError`
        with the daemon's error message."""
        answer = self.send(" ".join(words))
        if not answer.get("ok"):
            raise ControlError(str(answer.get("error", "the daemon refused the command")))
        return answer

    def send(self, line: str) -> dict[str, Any]:
        """Send one request line; return the answer as it came (``ok`` true or false)."""
        raw = line.encode("utf-8")
        if b"\n" in raw or len(raw) + 1 > MAX_REQUEST:
            raise ControlError(f"a request is one line of at most {MAX_REQUEST} bytes")
        _check_length(self.path)
        try:
            st = self.path.lstat()
        except FileNotFoundError:
            raise ControlError(
                f"no control socket at {self.path}: is 'jpki-mock-card serve' running?"
            ) from None
        if not stat.S_ISSOCK(st.st_mode) or not _trusted_uid(st.st_uid):
            raise ControlError(f"{self.path} is not a control socket of this user")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            try:
                sock.connect(os.fspath(self.path))
            except OSError as exc:
                if exc.errno in (errno.ECONNREFUSED, errno.ENOENT):
                    raise ControlError(
                        f"nobody answers on {self.path}: is 'jpki-mock-card serve' running?"
                    ) from None
                raise ControlError(f"cannot connect to {self.path}: {exc.strerror}") from None
            if not _trusted_uid(_peer_uid(sock)):
                raise ControlError(f"{self.path} is served by another user")
            sock.sendall(raw + b"\n")
            reply = _read_line(sock, MAX_ANSWER)
        except TimeoutError:
            raise ControlError(f"the daemon did not answer within {self.timeout} s") from None
        except OSError as exc:
            raise ControlError(f"control socket {self.path}: {exc.strerror or exc}") from None
        finally:
            sock.close()
        if reply is None:
            raise ControlError("the daemon's answer is too large")
        try:
            answer = json.loads(reply.decode("utf-8"))
        except ValueError:
            raise ControlError("the daemon's answer is not JSON") from None
        if not isinstance(answer, dict):
            raise ControlError("the daemon's answer is not a JSON object")
        return answer
