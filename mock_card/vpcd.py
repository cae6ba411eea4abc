"""Serve a software card to pcscd through vsmartcard's ``vpcd`` reader driver.

``vpcd`` (Debian package ``vsmartcard-vpcd``) is a PC/SC reader driver that
listens on a TCP port (35963 for its first slot) and forwards everything the
reader would send to a card to whoever connects there: the *virtual ICC*.
:class:`VpcdClient` is such a virtual ICC: it connects to ``vpcd`` and answers
with a :class:`VirtualCard` (for example :class:`mock_card.MockCard`), so that
pcscd and every PC/SC program see a card in the reader "Virtual PCD 00 00".

Wire format, both directions: a 2-byte big-endian length, then the payload.
A payload of one byte from ``vpcd`` is a control message (power off, power on,
reset, get ATR); anything else is a command APDU and gets the card's response.

"Card removed" is simulated by stopping the client: ``vpcd`` then finds no
card at its next presence poll. A card with a ``present`` attribute (like
:class:`mock_card.MockCard` after ``remove()``) also reads as removed while
``present`` is false: the client hangs up on ``vpcd``'s ATR poll, so ``vpcd``
reports no card (the client keeps reconnecting, and the card reappears after
``insert()``). A command APDU that the card refuses with a transport error
(removed mid-command) ends the connection the same way, which pcscd reports
as a communication failure, as with a real card pulled out during an
exchange. (An empty frame would not do: ``vpcd`` then blocks in
``recv(..., 0, MSG_WAITALL)``, which on Linux waits for a byte that never
comes, with the reader locked.)

Latency: ``vpcd`` writes the length and the payload of a frame separately and
(in the Debian version) without ``TCP_NODELAY``, so Nagle holds the payload
until the length is acknowledged, and Linux delays that ACK by up to 40 ms.
The client therefore re-arms ``TCP_QUICKACK`` after every ``recv``.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from typing import Protocol, runtime_checkable

from apdu.errors import TransportError

__all__ = [
    "CTRL_ATR",
    "CTRL_OFF",
    "CTRL_ON",
    "CTRL_RESET",
    "DEFAULT_PORT",
    "VirtualCard",
    "VpcdClient",
]

logger = logging.getLogger(__name__)

DEFAULT_PORT = 35963

CTRL_OFF = 0x00
CTRL_ON = 0x01
CTRL_RESET = 0x02
CTRL_ATR = 0x04

_MAX_BACKOFF = 1.0
_FIRST_BACKOFF = 0.05
_CONNECT_TIMEOUT = 2.0
_RECV_SIZE = 65538
_SW_NO_PRECISE_DIAGNOSIS = b"\x6f\x00"


class _HangUp(Exception):
    """Close the connection to vpcd: the card is not (or no longer) there."""


# Linux only; absent elsewhere (the client then just skips it).
_TCP_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)


@runtime_checkable
class VirtualCard(Protocol):
    """What :class:`VpcdClient` needs from a card."""

    @property
    def atr(self) -> bytes: ...

    def transmit(self, apdu: bytes) -> bytes:
        """Answer one command APDU with response data + SW1 SW2."""
        ...

    def reset(self) -> None:
        """Power cycle: forget volatile state (selected files, verified PINs)."""
        ...


class VpcdClient:
    """A virtual ICC for ``vpcd``: connects to it and answers with ``card``.

    ``connected`` is set while a connection to ``vpcd`` is up *and* ``vpcd``
    has talked to it (its first presence poll), cleared otherwise. The client
    reconnects (backoff up to 1 s) whenever ``vpcd`` goes away or is not
    listening yet, until :meth:`stop`.

    ``quickack=False`` disables the ``TCP_QUICKACK`` re-arming (for
    measurements only).
    """

    def __init__(
        self,
        card: VirtualCard,
        host: str = "localhost",
        port: int = DEFAULT_PORT,
        *,
        quickack: bool = True,
    ) -> None:
        self.card = card
        self.host = host
        self.port = port
        self.quickack = quickack and _TCP_QUICKACK is not None
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle -----------------------------------------------------------

    def serve_forever(self) -> None:
        """Serve until :meth:`stop`; reconnects to ``vpcd`` as needed."""
        backoff = _FIRST_BACKOFF
        while not self._stop.is_set():
            sock = self._connect()
            if sock is None:
                self._stop.wait(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF)
                continue
            try:
                talked = self._serve(sock)
            except OSError as exc:
                talked = self.connected.is_set()
                if not self._stop.is_set():
                    logger.info("vpcd connection lost: %s", exc)
            finally:
                self.connected.clear()
                with self._lock:
                    self._sock = None
                with contextlib.suppress(OSError):
                    sock.close()
            if talked:
                backoff = _FIRST_BACKOFF
            elif not self._stop.is_set():
                self._stop.wait(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF)

    def serve_in_thread(self) -> threading.Thread:
        """Run :meth:`serve_forever` in a daemon thread and return the thread."""
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("this VpcdClient is already serving")
        self._stop.clear()
        thread = threading.Thread(
            target=self.serve_forever, name=f"vpcd-client:{self.port}", daemon=True
        )
        self._thread = thread
        thread.start()
        return thread

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and close the connection (``vpcd`` then sees no card).

        Joins the thread started by :meth:`serve_in_thread` (unless called from
        it), waiting at most ``timeout`` seconds.
        """
        self._stop.set()
        with self._lock:
            sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                raise RuntimeError(f"vpcd client thread did not stop within {timeout} s")
            self._thread = None

    def __enter__(self) -> VpcdClient:
        self.serve_in_thread()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- internals ------------------------------------------------------------

    def _connect(self) -> socket.socket | None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=_CONNECT_TIMEOUT)
        except OSError as exc:
            logger.debug("vpcd at %s:%d not reachable: %s", self.host, self.port, exc)
            return None
        sock.settimeout(None)  # blocking: stop() unblocks recv with shutdown()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            if self._stop.is_set():
                sock.close()
                return None
            self._sock = sock
        logger.debug("connected to vpcd at %s:%d", self.host, self.port)
        return sock

    def _serve(self, sock: socket.socket) -> bool:
        """Answer frames until EOF or stop; True if ``vpcd`` sent anything."""
        recv = sock.recv
        sendall = sock.sendall
        setsockopt = sock.setsockopt
        quickack = _TCP_QUICKACK if self.quickack else None
        card = self.card
        buf = b""
        talked = False
        while not self._stop.is_set():
            chunk = recv(_RECV_SIZE)
            if quickack is not None:
                setsockopt(socket.IPPROTO_TCP, quickack, 1)
            if not chunk:
                logger.info("vpcd closed the connection")
                return talked
            buf = buf + chunk if buf else chunk
            # Answer every complete frame in the buffer.
            while len(buf) >= 2:
                size = (buf[0] << 8) | buf[1]
                end = 2 + size
                if len(buf) < end:
                    break
                payload = buf[2:end]
                buf = buf[end:]
                if not talked:
                    talked = True
                    self.connected.set()
                try:
                    answer = self._answer(card, payload)
                except _HangUp:
                    logger.debug("the card is not present: hanging up on vpcd")
                    return talked
                if answer is not None:
                    sendall(len(answer).to_bytes(2, "big") + answer)
        return talked

    @staticmethod
    def _answer(card: VirtualCard, payload: bytes) -> bytes | None:
        if len(payload) == 1:
            ctrl = payload[0]
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("vpcd control message 0x%02X", ctrl)
            if ctrl == CTRL_ATR:
                if not getattr(card, "present", True):
                    raise _HangUp  # vpcd then reports no card in the reader
                atr = bytes(card.atr)
                if not atr:  # an empty frame would hang vpcd (see above)
                    raise _HangUp
                return atr
            if ctrl in (CTRL_OFF, CTRL_ON, CTRL_RESET):
                card.reset()
            else:
                logger.warning("unknown vpcd control message 0x%02X", ctrl)
            return None
        try:
            response = card.transmit(payload)
        except TransportError:
            raise _HangUp from None  # the card went away during the command
        except Exception:
            # Never log the APDU: it may carry a PIN.
            logger.exception("the virtual card failed to answer a command APDU")
            return _SW_NO_PRECISE_DIAGNOSIS
        if len(response) < 2:  # an empty frame would hang vpcd (see above)
            logger.error("the virtual card answered %d bytes, not a status word", len(response))
            return _SW_NO_PRECISE_DIAGNOSIS
        return response
