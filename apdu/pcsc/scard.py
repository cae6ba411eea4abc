"""The raw PC/SC layer: pyscard's :mod:`smartcard.scard`, typed. The only module of the
project that imports pyscard (the layer contract in pyproject.toml checks it).

Every function here is one ``SCard*`` call: results come back as plain ints,
strings and bytes, with the PC/SC result code (``hr``) as an unsigned 32-bit
int first; :func:`error` turns a failing ``hr`` into the matching
:mod:`apdu.errors` transport error. Nothing here keeps state or holds APDU data
in an error message.

pyscard's high-level ``CardConnection`` is not used: it cannot connect with
``SCARD_SHARE_EXCLUSIVE`` (its "exclusive" connection only holds a lock inside
this process).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, Final

from smartcard import scard as _scard

from ..errors import (
    CardRemovedError,
    CommunicationError,
    NoCardError,
    NoReaderError,
    ReaderGoneError,
    ReaderInUseError,
    TransportError,
)

# The untyped surface: pyscard's module, seen through `Any`, plus the
# constants used, pinned to ints.
_S: Any = _scard
_SCardTransmit: Final[Callable[..., Any]] = _S.SCardTransmit

U32: Final = 0xFFFFFFFF
SUCCESS: Final = 0
SCOPE_USER: Final[int] = _S.SCARD_SCOPE_USER
SHARE_EXCLUSIVE: Final[int] = _S.SCARD_SHARE_EXCLUSIVE
SHARE_SHARED: Final[int] = _S.SCARD_SHARE_SHARED
PROTOCOL_T0: Final[int] = _S.SCARD_PROTOCOL_T0
PROTOCOL_T1: Final[int] = _S.SCARD_PROTOCOL_T1
LEAVE_CARD: Final[int] = _S.SCARD_LEAVE_CARD
RESET_CARD: Final[int] = _S.SCARD_RESET_CARD
UNPOWER_CARD: Final[int] = _S.SCARD_UNPOWER_CARD

STATE_UNAWARE: Final[int] = _S.SCARD_STATE_UNAWARE
STATE_CHANGED: Final[int] = _S.SCARD_STATE_CHANGED
STATE_UNKNOWN: Final[int] = _S.SCARD_STATE_UNKNOWN
STATE_EMPTY: Final[int] = _S.SCARD_STATE_EMPTY
STATE_PRESENT: Final[int] = _S.SCARD_STATE_PRESENT
STATE_MUTE: Final[int] = _S.SCARD_STATE_MUTE

E_TIMEOUT: Final[int] = _S.SCARD_E_TIMEOUT & U32
E_CANCELLED: Final[int] = _S.SCARD_E_CANCELLED & U32
E_PROTO_MISMATCH: Final[int] = _S.SCARD_E_PROTO_MISMATCH & U32
E_NO_READERS_AVAILABLE: Final[int] = _S.SCARD_E_NO_READERS_AVAILABLE & U32
E_UNKNOWN_READER: Final[int] = _S.SCARD_E_UNKNOWN_READER & U32
E_NO_SMARTCARD: Final[int] = _S.SCARD_E_NO_SMARTCARD & U32
E_SHARING_VIOLATION: Final[int] = _S.SCARD_E_SHARING_VIOLATION & U32
E_NO_SERVICE: Final[int] = _S.SCARD_E_NO_SERVICE & U32
E_SERVICE_STOPPED: Final[int] = _S.SCARD_E_SERVICE_STOPPED & U32
E_READER_UNAVAILABLE: Final[int] = _S.SCARD_E_READER_UNAVAILABLE & U32
E_INVALID_HANDLE: Final[int] = _S.SCARD_E_INVALID_HANDLE & U32
E_NOT_TRANSACTED: Final[int] = _S.SCARD_E_NOT_TRANSACTED & U32
W_REMOVED_CARD: Final[int] = _S.SCARD_W_REMOVED_CARD & U32
W_RESET_CARD: Final[int] = _S.SCARD_W_RESET_CARD & U32

#: Pseudo reader whose state changes when readers come or go.
PNP_NOTIFICATION: Final = "\\\\?PnP?\\Notification"
#: The service is gone (pcscd stopped or restarted): the context is dead.
SERVICE_GONE: Final = frozenset((E_NO_SERVICE, E_SERVICE_STOPPED, E_INVALID_HANDLE))
PROTOCOL_NAMES: Final = {PROTOCOL_T0: "T=0", PROTOCOL_T1: "T=1"}

#: (reader name, event state, ATR) as SCardGetStatusChange reports each reader.
ReaderState = tuple[str, int, bytes]


# -- errors ----------------------------------------------------------------------------------


def text(hr: int) -> str:
    """The PC/SC result in words, with its code: ``'Command timeout (0x8010000A)'``."""
    try:
        words = str(_S.SCardGetErrorMessage(hr)).strip().rstrip(".")
    except Exception:  # pragma: no cover - pyscard never fails here in practice
        words = "PC/SC error"
    return f"{words} (0x{hr & U32:08X})"


def error(hr: int, action: str) -> TransportError:
    """The :mod:`apdu.errors` exception for the PC/SC result ``hr``."""
    code = hr & U32
    words = text(code)
    if code == W_REMOVED_CARD:
        return CardRemovedError(
            f"{action}: the card was removed ({words}); re-insert it and reconnect"
        )
    if code == W_RESET_CARD:
        return CardRemovedError(
            f"{action}: the card was reset by another program ({words}); reconnect"
        )
    if code == E_NO_SMARTCARD:
        return NoCardError(f"{action}: no card in the reader ({words})")
    if code == E_SHARING_VIOLATION:
        return ReaderInUseError(f"{action}: reader in use by another program ({words})")
    if code in (E_NO_READERS_AVAILABLE, E_UNKNOWN_READER):
        return NoReaderError(f"{action}: no such reader ({words})")
    if code in (E_NO_SERVICE, E_SERVICE_STOPPED):
        return ReaderGoneError(
            f"{action}: the PC/SC service (pcscd) is not running or stopped ({words}); "
            "start pcscd and try again"
        )
    if code == E_READER_UNAVAILABLE:
        return ReaderGoneError(f"{action}: the reader is gone ({words})")
    return CommunicationError(f"{action}: {words}")


# -- contexts and readers --------------------------------------------------------------------


def establish_context() -> tuple[int, int]:
    """SCardEstablishContext: (hr, context)."""
    result = _S.SCardEstablishContext(SCOPE_USER)
    hr = int(result[0]) & U32
    return hr, (int(result[1]) if hr == SUCCESS else 0)


def establish() -> int:
    """A new context; raises (:class:`ReaderGoneError` when pcscd is not running)."""
    hr, context = establish_context()
    if hr != SUCCESS:
        raise error(hr, "cannot reach the PC/SC service")
    return context


def release(context: int) -> None:
    """SCardReleaseContext, never raising (the context may already be dead)."""
    with contextlib.suppress(Exception):
        _S.SCardReleaseContext(context)


def cancel(context: int) -> None:
    """SCardCancel: wake a SCardGetStatusChange waiting on ``context`` (never raising)."""
    with contextlib.suppress(Exception):
        _S.SCardCancel(context)


def list_readers(context: int) -> tuple[int, list[str]]:
    """SCardListReaders: (hr, names)."""
    result = _S.SCardListReaders(context, [])
    hr = int(result[0]) & U32
    return hr, ([str(name) for name in result[1]] if hr == SUCCESS else [])


def get_status_change(
    context: int, timeout_ms: int, readers: list[tuple[str, int]]
) -> tuple[int, list[ReaderState]]:
    """SCardGetStatusChange for ``(reader, current state)`` pairs: (hr, [(reader, event
    state, ATR)])."""
    result = _S.SCardGetStatusChange(context, timeout_ms, readers)
    hr = int(result[0]) & U32
    if hr != SUCCESS:
        return hr, []
    return hr, [(str(r), int(s), bytes(a)) for r, s, a in result[1]]


# -- cards ---------------------------------------------------------------------------------------


def connect(context: int, reader: str, share: int, protocols: int) -> tuple[int, int, int]:
    """SCardConnect: (hr, card handle, active protocol)."""
    result = _S.SCardConnect(context, reader, share, protocols)
    hr = int(result[0]) & U32
    if hr != SUCCESS:
        return hr, 0, 0
    return hr, int(result[1]), int(result[2])


def reconnect(hcard: int, share: int, protocols: int, initialization: int) -> tuple[int, int]:
    """SCardReconnect: (hr, active protocol)."""
    result = _S.SCardReconnect(hcard, share, protocols, initialization)
    hr = int(result[0]) & U32
    return hr, (int(result[1]) if hr == SUCCESS else 0)


def disconnect(hcard: int, disposition: int) -> None:
    """SCardDisconnect, never raising (the card or the service may be gone)."""
    with contextlib.suppress(Exception):
        _S.SCardDisconnect(hcard, disposition)


def status_atr(hcard: int) -> tuple[int, bytes]:
    """SCardStatus: (hr, the card's ATR)."""
    result = _S.SCardStatus(hcard)
    hr = int(result[0]) & U32
    return hr, (bytes(result[4]) if hr == SUCCESS else b"")


def transmit(hcard: int, protocol: int, apdu: bytes) -> tuple[int, bytes]:
    """SCardTransmit (pyscard takes the protocol as SCARD_PCI_T0/T1): (hr, response)."""
    result = _SCardTransmit(hcard, protocol, list(apdu))
    hr = int(result[0]) & U32
    return hr, (bytes(result[1]) if hr == SUCCESS else b"")


def begin_transaction(hcard: int) -> int:
    """SCardBeginTransaction: hr."""
    return int(_S.SCardBeginTransaction(hcard)) & U32


def end_transaction(hcard: int, disposition: int) -> int:
    """SCardEndTransaction: hr."""
    return int(_S.SCardEndTransaction(hcard, disposition)) & U32
