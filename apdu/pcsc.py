"""PC/SC readers through pyscard: the only module of the project importing it.

* :func:`list_readers` — the readers pcscd (or WinSCard) knows.
* :class:`PcscTransport` — an exclusive connection to the card in one reader;
  a :class:`~apdu.transport.Transport` and
  :class:`~apdu.transport.SupportsTransaction`.
* :func:`wait_for_card` — block (bounded) until a reader holds a card, or not.
* :class:`CardWatcher` — a background thread reporting card and reader events,
  which survives restarts of the PC/SC service.

Everything speaks pyscard's low-level :mod:`smartcard.scard` API: its
high-level ``CardConnection`` cannot connect with ``SCARD_SHARE_EXCLUSIVE``
(its "exclusive" connection only holds a lock inside this process). Every
``SCARD_*`` failure becomes one of the :mod:`apdu.errors` transport errors;
no error message ever holds APDU data.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final, Literal

from smartcard import scard as _scard

from .errors import (
    CardRemovedError,
    CommunicationError,
    NoCardError,
    NoReaderError,
    ReaderGoneError,
    ReaderInUseError,
    TransportError,
)

__all__ = [
    "PNP_NOTIFICATION",
    "CardEvent",
    "CardEventKind",
    "CardWatcher",
    "Disposition",
    "PcscTransport",
    "list_readers",
    "wait_for_card",
]

logger = logging.getLogger(__name__)

# The untyped surface: pyscard's module, seen through `Any`, plus the
# constants this module uses, pinned to ints.
_S: Any = _scard
_SCardTransmit: Final[Callable[..., Any]] = _S.SCardTransmit

_SUCCESS: Final = 0
_SCOPE_USER: Final[int] = _S.SCARD_SCOPE_USER
_SHARE_EXCLUSIVE: Final[int] = _S.SCARD_SHARE_EXCLUSIVE
_SHARE_SHARED: Final[int] = _S.SCARD_SHARE_SHARED
_PROTOCOL_T0: Final[int] = _S.SCARD_PROTOCOL_T0
_PROTOCOL_T1: Final[int] = _S.SCARD_PROTOCOL_T1
_LEAVE_CARD: Final[int] = _S.SCARD_LEAVE_CARD
_RESET_CARD: Final[int] = _S.SCARD_RESET_CARD
_UNPOWER_CARD: Final[int] = _S.SCARD_UNPOWER_CARD

_STATE_UNAWARE: Final[int] = _S.SCARD_STATE_UNAWARE
_STATE_CHANGED: Final[int] = _S.SCARD_STATE_CHANGED
_STATE_UNKNOWN: Final[int] = _S.SCARD_STATE_UNKNOWN
_STATE_PRESENT: Final[int] = _S.SCARD_STATE_PRESENT
_STATE_MUTE: Final[int] = _S.SCARD_STATE_MUTE

_E_TIMEOUT: Final[int] = _S.SCARD_E_TIMEOUT & 0xFFFFFFFF
_E_CANCELLED: Final[int] = _S.SCARD_E_CANCELLED & 0xFFFFFFFF
_E_PROTO_MISMATCH: Final[int] = _S.SCARD_E_PROTO_MISMATCH & 0xFFFFFFFF
_E_NO_READERS_AVAILABLE: Final[int] = _S.SCARD_E_NO_READERS_AVAILABLE & 0xFFFFFFFF
_E_UNKNOWN_READER: Final[int] = _S.SCARD_E_UNKNOWN_READER & 0xFFFFFFFF
_E_NO_SMARTCARD: Final[int] = _S.SCARD_E_NO_SMARTCARD & 0xFFFFFFFF
_E_SHARING_VIOLATION: Final[int] = _S.SCARD_E_SHARING_VIOLATION & 0xFFFFFFFF
_E_NO_SERVICE: Final[int] = _S.SCARD_E_NO_SERVICE & 0xFFFFFFFF
_E_SERVICE_STOPPED: Final[int] = _S.SCARD_E_SERVICE_STOPPED & 0xFFFFFFFF
_E_READER_UNAVAILABLE: Final[int] = _S.SCARD_E_READER_UNAVAILABLE & 0xFFFFFFFF
_E_INVALID_HANDLE: Final[int] = _S.SCARD_E_INVALID_HANDLE & 0xFFFFFFFF
_W_REMOVED_CARD: Final[int] = _S.SCARD_W_REMOVED_CARD & 0xFFFFFFFF
_W_RESET_CARD: Final[int] = _S.SCARD_W_RESET_CARD & 0xFFFFFFFF

#: Pseudo reader whose state changes when readers come or go.
PNP_NOTIFICATION: Final = "\\\\?PnP?\\Notification"

_U32: Final = 0xFFFFFFFF
#: The service is gone (pcscd stopped or restarted): the context is dead.
_SERVICE_GONE: Final = frozenset((_E_NO_SERVICE, _E_SERVICE_STOPPED, _E_INVALID_HANDLE))
_PROTOCOL_NAMES: Final = {_PROTOCOL_T0: "T=0", _PROTOCOL_T1: "T=1"}
#: Seconds a failed exchange waits for the reader to tell whether the card left.
_CARD_LEFT_WAIT: Final = 1.0

Disposition = Literal["reset", "leave", "unpower"]
_DISPOSITIONS: Final[dict[str, int]] = {
    "reset": _RESET_CARD,
    "leave": _LEAVE_CARD,
    "unpower": _UNPOWER_CARD,
}


# -- errors --------------------------------------------------------------------


def _scard_text(hr: int) -> str:
    try:
        text = str(_S.SCardGetErrorMessage(hr)).strip().rstrip(".")
    except Exception:  # pragma: no cover - pyscard never fails here in practice
        text = "PC/SC error"
    return f"{text} (0x{hr & _U32:08X})"


def _error(hr: int, action: str) -> TransportError:
    """The :mod:`apdu.errors` exception for the PC/SC result ``hr``."""
    code = hr & _U32
    text = _scard_text(code)
    if code == _W_REMOVED_CARD:
        return CardRemovedError(
            f"{action}: the card was removed ({text}); re-insert it and reconnect"
        )
    if code == _W_RESET_CARD:
        return CardRemovedError(
            f"{action}: the card was reset by another program ({text}); reconnect"
        )
    if code == _E_NO_SMARTCARD:
        return NoCardError(f"{action}: no card in the reader ({text})")
    if code == _E_SHARING_VIOLATION:
        return ReaderInUseError(f"{action}: reader in use by another program ({text})")
    if code in (_E_NO_READERS_AVAILABLE, _E_UNKNOWN_READER):
        return NoReaderError(f"{action}: no such reader ({text})")
    if code in (_E_NO_SERVICE, _E_SERVICE_STOPPED):
        return ReaderGoneError(
            f"{action}: the PC/SC service (pcscd) is not running or stopped ({text}); "
            "start pcscd and try again"
        )
    if code == _E_READER_UNAVAILABLE:
        return ReaderGoneError(f"{action}: the reader is gone ({text})")
    return CommunicationError(f"{action}: {text}")


# -- small wrappers ------------------------------------------------------------


def _establish() -> int:
    result = _S.SCardEstablishContext(_SCOPE_USER)
    hr = int(result[0]) & _U32
    if hr != _SUCCESS:
        raise _error(hr, "cannot reach the PC/SC service")
    return int(result[1])


def _release(context: int) -> None:
    with contextlib.suppress(Exception):
        _S.SCardReleaseContext(context)


def _readers(context: int) -> list[str]:
    result = _S.SCardListReaders(context, [])
    hr = int(result[0]) & _U32
    if hr == _E_NO_READERS_AVAILABLE:
        return []
    if hr != _SUCCESS:
        raise _error(hr, "cannot list the readers")
    return [str(name) for name in result[1]]


def _states(
    context: int, readers: list[str], timeout_ms: int
) -> tuple[int, list[tuple[str, int, bytes]]]:
    """SCardGetStatusChange from UNAWARE: (hr, [(reader, event state, ATR)])."""
    result = _S.SCardGetStatusChange(context, timeout_ms, [(r, _STATE_UNAWARE) for r in readers])
    hr = int(result[0]) & _U32
    if hr != _SUCCESS:
        return hr, []
    return hr, [(str(r), int(s), bytes(a)) for r, s, a in result[1]]


def list_readers() -> list[str]:
    """Names of the readers the PC/SC service knows (``[]`` if there are none).

    Raises :class:`ReaderGoneError` when the service (pcscd) is not running.
    """
    context = _establish()
    try:
        return _readers(context)
    finally:
        _release(context)


def match_readers(readers: list[str], wanted: str | None) -> list[str]:
    """The readers ``wanted`` names: an exact name, else every name containing it
    (case-insensitive); all of them for ``None``.

    Raises :class:`NoReaderError` when there is no reader or none matches.
    """
    if not readers:
        raise NoReaderError("no card reader is connected")
    if wanted is None:
        return list(readers)
    if wanted in readers:
        return [wanted]
    needle = wanted.casefold()
    found = [r for r in readers if needle in r.casefold()]
    if not found:
        raise NoReaderError(f"no reader matches {wanted!r}; readers: {', '.join(readers)}")
    return found


def _choose_reader(context: int, wanted: str | None) -> str:
    readers = _readers(context)
    candidates = match_readers(readers, wanted)
    if wanted is not None and len(candidates) == 1:
        return candidates[0]
    hr, states = _states(context, candidates, 0)
    if hr != _SUCCESS:
        raise _error(hr, "cannot read the reader states")
    for name, state, _atr in states:
        if state & _STATE_PRESENT:
            return name
    if wanted is not None:
        return candidates[0]  # SCardConnect will say "no card"
    raise NoCardError(f"no card in any reader ({', '.join(readers)})")


def wait_for_card(reader: str, *, present: bool = True, timeout: float = 5.0) -> bool:
    """Wait until ``reader`` (exact name) holds a card (or none, ``present=False``).

    Returns False if that did not happen within ``timeout`` seconds (``0``:
    just look). An unknown reader counts as holding no card.
    """
    deadline = time.monotonic() + timeout
    context = _establish()
    try:
        current = _STATE_UNAWARE
        while True:
            wait_ms = max(0, min(int((deadline - time.monotonic()) * 1000), 500))
            result = _S.SCardGetStatusChange(context, wait_ms, [(reader, current)])
            hr = int(result[0]) & _U32
            if hr == _SUCCESS:
                state = int(result[1][0][1])
                if state & _STATE_UNKNOWN:
                    if not present:
                        return True
                    current = _STATE_UNAWARE  # not there (yet): look again shortly
                    time.sleep(max(0.0, min(0.05, deadline - time.monotonic())))
                elif bool(state & _STATE_PRESENT) == present:
                    return True
                else:
                    current = state & ~_STATE_CHANGED
            elif hr != _E_TIMEOUT:
                raise _error(hr, "cannot read the reader state")
            if time.monotonic() >= deadline:
                return False
    finally:
        _release(context)


# -- the transport -------------------------------------------------------------


class PcscTransport:
    """A connection to the card in one PC/SC reader.

    Create it with :meth:`connect`. By default the connection is exclusive
    (``SCARD_SHARE_EXCLUSIVE``): no other program can talk to the card until
    :meth:`close`; one that tries gets :class:`ReaderInUseError`.

    Not thread-safe: use one transport from one thread (pcscd serialises the
    card anyway).
    """

    __slots__ = (
        "_atr",
        "_closed",
        "_context",
        "_depth",
        "_hcard",
        "_pci",
        "_protocol",
        "_reader",
        "_share",
        "_tx_handle",
    )

    def __init__(self, context: int, hcard: int, protocol: int, reader: str, share: int) -> None:
        """Internal: use :meth:`connect`."""
        self._context = context
        self._hcard = hcard
        self._protocol = protocol
        self._pci = protocol  # pyscard takes the protocol as SCARD_PCI_T0/T1
        self._reader = reader
        self._share = share
        self._closed = False
        self._depth = 0
        self._tx_handle = 0
        self._atr = b""
        self._atr = self._status_atr()

    @classmethod
    def connect(cls, reader: str | None = None, *, exclusive: bool = True) -> PcscTransport:
        """Connect to the card in ``reader``.

        ``reader`` is an exact reader name or a case-insensitive part of one;
        by default the first reader that holds a card. T=1 is tried first,
        then T=0.

        Raises :class:`NoReaderError` (no reader / no match),
        :class:`NoCardError`, :class:`ReaderInUseError` (another program holds
        the card exclusively), :class:`ReaderGoneError` (no PC/SC service).
        """
        share = _SHARE_EXCLUSIVE if exclusive else _SHARE_SHARED
        context = _establish()
        try:
            name = _choose_reader(context, reader)
            hcard, protocol = _connect_card(context, name, share)
            try:
                return cls(context, hcard, protocol, name, share)
            except BaseException:
                with contextlib.suppress(Exception):
                    _S.SCardDisconnect(hcard, _LEAVE_CARD)
                raise
        except BaseException:
            _release(context)
            raise

    # -- properties --

    @property
    def reader(self) -> str:
        """The name of the reader this transport is connected to."""
        return self._reader

    @property
    def atr(self) -> bytes:
        """The card's ATR (refreshed by :meth:`reconnect`)."""
        return self._atr

    @property
    def protocol(self) -> str:
        """``"T=1"`` or ``"T=0"``."""
        return _PROTOCOL_NAMES.get(self._protocol, str(self._protocol))

    @property
    def closed(self) -> bool:
        return self._closed

    # -- exchanging APDUs --

    def transmit(self, apdu: bytes) -> bytes:
        """Send one command APDU; return response data + SW1 SW2."""
        hcard = self._hcard
        if not hcard:
            raise self._no_handle("transmit")
        result = _SCardTransmit(hcard, self._pci, list(apdu))
        if result[0]:
            error = _error(int(result[0]), "transmit")
            raise self._card_left(error) if type(error) is CommunicationError else error
        response = bytes(result[1])
        if len(response) < 2:
            raise self._card_left(
                CommunicationError("transmit: the card answered without a status word")
            )
        return response

    def _card_left(self, error: CommunicationError) -> TransportError:
        """``error``, unless the card left the reader during the exchange.

        A reader may report an exchange the card never answered as a success
        with no data (vsmartcard's vpcd does) or as a plain communication
        failure, before pcscd's presence poll (every 0.4 s) has seen the card
        go. Wait (at most :data:`_CARD_LEFT_WAIT`) for the reader's state, so
        that a card pulled out mid-command reads as :class:`CardRemovedError`.
        """
        deadline = time.monotonic() + _CARD_LEFT_WAIT
        current = _STATE_UNAWARE
        while True:
            wait_ms = max(0, int((deadline - time.monotonic()) * 1000))
            result = _S.SCardGetStatusChange(self._context, wait_ms, [(self._reader, current)])
            hr = int(result[0]) & _U32
            if hr == _SUCCESS:
                state = int(result[1][0][1])
                if state & _STATE_UNKNOWN:
                    return ReaderGoneError("transmit: the reader is gone")
                if not state & _STATE_PRESENT:
                    return CardRemovedError(
                        "transmit: the card was removed during the command; "
                        "re-insert it and reconnect"
                    )
                current = state & ~_STATE_CHANGED
            elif hr in _SERVICE_GONE:
                return ReaderGoneError(
                    "transmit: the PC/SC service (pcscd) stopped; start pcscd and reconnect"
                )
            elif hr != _E_TIMEOUT:
                return error
            if time.monotonic() >= deadline:
                return error

    def _no_handle(self, action: str) -> TransportError:
        if self._closed:
            return CommunicationError(f"{action}: the connection is closed")
        return ReaderGoneError(f"{action}: not connected (the PC/SC service went away); reconnect")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the card for several APDUs (``SCardBeginTransaction``).

        Nestable: only the outermost level begins and ends the PC/SC
        transaction. On an exclusive connection no other program can reach
        the card at all, so no PC/SC transaction is needed and none is made
        (it would cost two round trips to pcscd per operation).
        """
        if self._depth or self._share == _SHARE_EXCLUSIVE:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        hcard = self._hcard
        if not hcard:
            raise self._no_handle("begin transaction")
        hr = int(_S.SCardBeginTransaction(hcard)) & _U32
        if hr != _SUCCESS:
            raise _error(hr, "begin transaction")
        self._depth = 1
        self._tx_handle = hcard
        completed = False
        try:
            yield
            completed = True
        finally:
            self._depth = 0
            self._tx_handle = 0
            # After a reconnect that needed a new handle, the old transaction is gone.
            if hcard == self._hcard and not self._closed:
                hr = int(_S.SCardEndTransaction(hcard, _LEAVE_CARD)) & _U32
                if hr != _SUCCESS and completed:
                    raise _error(hr, "end transaction")

    # -- connection management --

    def reconnect(self, reset: bool = False) -> None:
        """Re-establish the connection, after a removal/re-insertion or a reset.

        ``reset=True`` warm-resets the card (which ends any verified PIN state).
        If the PC/SC service was restarted, a new connection is made to the
        same reader.
        """
        if self._closed:
            raise CommunicationError("reconnect: the connection is closed")
        init = _RESET_CARD if reset else _LEAVE_CARD
        if not self._hcard:  # an earlier reconnect found the service gone
            self._reopen()
            self._atr = self._status_atr()
            return
        result = _S.SCardReconnect(self._hcard, self._share, self._protocol, init)
        hr = int(result[0]) & _U32
        if hr == _E_PROTO_MISMATCH:
            result = _S.SCardReconnect(self._hcard, self._share, _PROTOCOL_T0 | _PROTOCOL_T1, init)
            hr = int(result[0]) & _U32
        if hr == _SUCCESS:
            self._protocol = self._pci = int(result[1])
        elif hr in _SERVICE_GONE or hr == _E_READER_UNAVAILABLE:
            self._reopen()
        else:
            raise _error(hr, "reconnect")
        self._atr = self._status_atr()

    def _reopen(self) -> None:
        """New context and handle to the same reader (the old ones are dead)."""
        if self._hcard:
            with contextlib.suppress(Exception):
                _S.SCardDisconnect(self._hcard, _LEAVE_CARD)
        if self._context:
            _release(self._context)
        self._hcard = 0
        self._context = 0
        context = _establish()
        try:
            hcard, protocol = _connect_card(context, self._reader, self._share)
        except BaseException:
            _release(context)
            raise
        self._context, self._hcard = context, hcard
        self._protocol = self._pci = protocol
        self._depth = 0

    def close(self, disposition: Disposition = "reset") -> None:
        """Disconnect: ``"reset"`` (default; ends verified PIN state), ``"leave"``
        or ``"unpower"`` the card. Idempotent; never raises for a gone card."""
        try:
            how = _DISPOSITIONS[disposition]
        except KeyError:
            raise ValueError(f"unknown disposition {disposition!r}") from None
        if self._closed:
            return
        self._closed = True
        hcard, self._hcard = self._hcard, 0
        if hcard:
            with contextlib.suppress(Exception):
                _S.SCardDisconnect(hcard, how)
        if self._context:
            _release(self._context)
        self._context = 0

    def _status_atr(self) -> bytes:
        result = _S.SCardStatus(self._hcard)
        hr = int(result[0]) & _U32
        if hr != _SUCCESS:
            raise _error(hr, "cannot read the card status")
        return bytes(result[4])

    def __enter__(self) -> PcscTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else self.protocol
        return f"<PcscTransport {self._reader!r} {state}>"


def _connect_card(context: int, reader: str, share: int) -> tuple[int, int]:
    """SCardConnect with T=1, falling back to T=0: (hcard, protocol)."""
    result = _S.SCardConnect(context, reader, share, _PROTOCOL_T1)
    hr = int(result[0]) & _U32
    if hr == _E_PROTO_MISMATCH:
        result = _S.SCardConnect(context, reader, share, _PROTOCOL_T0)
        hr = int(result[0]) & _U32
    if hr != _SUCCESS:
        raise _error(hr, f"cannot connect to {reader!r}")
    return int(result[1]), int(result[2])


# -- card events ---------------------------------------------------------------

CardEventKind = Literal[
    "inserted", "removed", "reader_added", "reader_removed", "service_lost", "service_back"
]


@dataclass(frozen=True, slots=True)
class CardEvent:
    """A change seen by :class:`CardWatcher`.

    ``reader`` is empty for ``service_lost`` / ``service_back``; ``atr`` is set
    for ``inserted`` (None for a mute card).
    """

    kind: CardEventKind
    reader: str
    atr: bytes | None = None


class CardWatcher:
    """Report card insertions/removals and reader arrivals/departures.

    A daemon thread waits in ``SCardGetStatusChange`` (with the
    :data:`PNP_NOTIFICATION` pseudo-reader, so reader changes wake it) and
    calls ``callback`` — from that thread — with :class:`CardEvent` values:

    * at start, ``inserted`` for every card already present (readers present
      at start are not reported);
    * ``inserted`` / ``removed`` as cards come and go;
    * ``reader_added`` / ``reader_removed`` (a reader leaving with a card
      first reports ``removed``);
    * ``service_lost`` once when the PC/SC service stops (preceded by
      ``removed`` for every card believed present: every connection is gone
      with the service), then, when it is back, ``service_back`` followed by
      the current state (``inserted`` for present cards, reader changes).
      If the service is not running at start, ``service_lost`` comes first.

    An exception raised by ``callback`` is logged and ignored.
    """

    def __init__(
        self,
        callback: Callable[[CardEvent], None],
        *,
        poll_timeout: float = 0.5,
        retry_interval: float = 0.5,
    ) -> None:
        self._callback = callback
        self._poll_ms = max(1, int(poll_timeout * 1000))
        self._retry = retry_interval
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._context = 0
        self._thread: threading.Thread | None = None
        # State of the watcher thread.
        self._known: dict[str, int] = {}  # reader -> state last seen (passed back as current)
        self._cards: dict[str, bytes | None] = {}  # reader -> ATR of the card present
        self._pnp_state = _STATE_UNAWARE
        self._service_lost = False
        self._first = True

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("this CardWatcher is already running")
        self._stop.clear()
        self._known.clear()
        self._cards.clear()
        self._pnp_state = _STATE_UNAWARE
        self._service_lost = False
        self._first = True
        self._thread = threading.Thread(target=self._run, name="pcsc-card-watcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the thread (normally within a few ms, SCardCancel wakes it)."""
        self._stop.set()
        with self._lock:
            if self._context:
                with contextlib.suppress(Exception):
                    _S.SCardCancel(self._context)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                raise RuntimeError(f"the card watcher did not stop within {timeout} s")
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> CardWatcher:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- the thread --

    def _emit(self, kind: CardEventKind, reader: str = "", atr: bytes | None = None) -> None:
        if self._stop.is_set():
            return
        try:
            self._callback(CardEvent(kind, reader, atr))
        except Exception:
            logger.exception("card event callback failed for %s", kind)

    def _set_context(self, context: int) -> None:
        with self._lock:  # never release a context stop() may be cancelling
            old, self._context = self._context, context
            if old:
                _release(old)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                context = self._ensure_context()
                if context and self._sync_readers(context):
                    self._wait_for_change(context)
        except Exception:  # pragma: no cover - a bug; do not die silently
            logger.exception("the card watcher stopped on an unexpected error")
        finally:
            self._set_context(0)

    def _ensure_context(self) -> int:
        """The live context, establishing one if needed (0 while the service is away)."""
        if self._context:
            return self._context
        result = _S.SCardEstablishContext(_SCOPE_USER)
        if int(result[0]) & _U32 != _SUCCESS:
            self._lose_service()
            self._stop.wait(self._retry)
            return 0
        context = int(result[1])
        self._set_context(context)
        if self._service_lost and not self._stop.is_set():
            self._service_lost = False
            logger.info("PC/SC service back")
            self._emit("service_back")
        return context

    def _lose_service(self) -> None:
        self._set_context(0)
        self._pnp_state = _STATE_UNAWARE
        if self._service_lost:
            return
        self._service_lost = True
        for name in list(self._cards):
            del self._cards[name]
            self._emit("removed", name)
        for name in self._known:
            self._known[name] = _STATE_UNAWARE
        logger.info("PC/SC service lost")
        self._emit("service_lost")

    def _sync_readers(self, context: int) -> bool:
        """Compare the reader list with the known one; False if that failed."""
        result = _S.SCardListReaders(context, [])
        hr = int(result[0]) & _U32
        if hr == _E_NO_READERS_AVAILABLE:
            readers: list[str] = []
        elif hr in _SERVICE_GONE:
            self._lose_service()
            return False
        elif hr != _SUCCESS:
            logger.warning("SCardListReaders: %s", _scard_text(hr))
            self._stop.wait(self._retry)
            return False
        else:
            readers = [str(r) for r in result[1]]
        for name in [r for r in self._known if r not in readers]:
            del self._known[name]
            if name in self._cards:
                del self._cards[name]
                self._emit("removed", name)
            self._emit("reader_removed", name)
        for name in readers:
            if name not in self._known:
                self._known[name] = _STATE_UNAWARE
                if not self._first:
                    self._emit("reader_added", name)
        self._first = False
        return True

    def _wait_for_change(self, context: int) -> None:
        states = [(r, s) for r, s in self._known.items()]
        states.append((PNP_NOTIFICATION, self._pnp_state))
        result = _S.SCardGetStatusChange(context, self._poll_ms, states)
        hr = int(result[0]) & _U32
        if hr in (_E_TIMEOUT, _E_CANCELLED, _E_UNKNOWN_READER):
            return
        if hr in _SERVICE_GONE:
            self._lose_service()
            return
        if hr != _SUCCESS:
            logger.warning("SCardGetStatusChange: %s", _scard_text(hr))
            self._stop.wait(self._retry)
            return
        for raw_name, raw_state, raw_atr in result[1]:
            name, state = str(raw_name), int(raw_state)
            if name == PNP_NOTIFICATION:
                self._pnp_state = state & ~_STATE_CHANGED
            elif name in self._known:
                self._update(name, state, bytes(raw_atr))

    def _update(self, name: str, state: int, raw_atr: bytes) -> None:
        previous = self._known[name]
        self._known[name] = state & ~_STATE_CHANGED
        if state & _STATE_UNKNOWN:
            return  # the reader is gone: the next listing reports it
        if not state & _STATE_PRESENT:
            if name in self._cards:
                del self._cards[name]
                self._emit("removed", name)
            return
        atr = None if state & _STATE_MUTE else (raw_atr or None)
        if name in self._cards:
            # Removed and re-inserted between two polls: the event counter in
            # the high word moved on, or the ATR changed.
            swapped = previous != _STATE_UNAWARE and (
                (previous >> 16) != (state >> 16) or self._cards[name] != atr
            )
            if not swapped:
                return
            del self._cards[name]
            self._emit("removed", name)
        self._cards[name] = atr
        self._emit("inserted", name, atr)
