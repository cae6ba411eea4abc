""":class:`PcscTransport`: an exclusive connection to the card in one PC/SC reader."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Final, Literal

from ..errors import CardRemovedError, CommunicationError, ReaderGoneError, TransportError
from . import scard
from .readers import choose_reader

#: Seconds a failed exchange waits for the reader to tell whether the card left.
CARD_LEFT_WAIT: Final = 1.0

Disposition = Literal["reset", "leave", "unpower"]
_DISPOSITIONS: Final[dict[str, int]] = {
    "reset": scard.RESET_CARD,
    "leave": scard.LEAVE_CARD,
    "unpower": scard.UNPOWER_CARD,
}


class PcscTransport:
    """A connection to the card in one PC/SC reader; a :class:`~apdu.transport.Transport`
    and :class:`~apdu.transport.SupportsTransaction`.

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
        share = scard.SHARE_EXCLUSIVE if exclusive else scard.SHARE_SHARED
        context = scard.establish()
        try:
            name = choose_reader(context, reader)
            hcard, protocol = _connect_card(context, name, share)
            try:
                return cls(context, hcard, protocol, name, share)
            except BaseException:
                scard.disconnect(hcard, scard.LEAVE_CARD)
                raise
        except BaseException:
            scard.release(context)
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
        return scard.PROTOCOL_NAMES.get(self._protocol, str(self._protocol))

    @property
    def closed(self) -> bool:
        return self._closed

    # -- exchanging APDUs --

    def transmit(self, apdu: bytes) -> bytes:
        """Send one command APDU; return response data + SW1 SW2."""
        hcard = self._hcard
        if not hcard:
            raise self._no_handle("transmit")
        hr, response = scard.transmit(hcard, self._protocol, apdu)
        if hr:
            error = scard.error(hr, "transmit")
            raise self._card_left(error) if type(error) is CommunicationError else error
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
        go. Wait (at most :data:`CARD_LEFT_WAIT`) for the reader's state, so
        that a card pulled out mid-command reads as :class:`CardRemovedError`.
        """
        deadline = time.monotonic() + CARD_LEFT_WAIT
        current = scard.STATE_UNAWARE
        while True:
            wait_ms = max(0, int((deadline - time.monotonic()) * 1000))
            hr, states = scard.get_status_change(self._context, wait_ms, [(self._reader, current)])
            if hr == scard.SUCCESS:
                state = states[0][1]
                if state & scard.STATE_UNKNOWN:
                    return ReaderGoneError("transmit: the reader is gone")
                if not state & scard.STATE_PRESENT:
                    return CardRemovedError(
                        "transmit: the card was removed during the command; "
                        "re-insert it and reconnect"
                    )
                current = state & ~scard.STATE_CHANGED
            elif hr in scard.SERVICE_GONE:
                return ReaderGoneError(
                    "transmit: the PC/SC service (pcscd) stopped; start pcscd and reconnect"
                )
            elif hr != scard.E_TIMEOUT:
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
        if self._depth or self._share == scard.SHARE_EXCLUSIVE:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        hcard = self._hcard
        if not hcard:
            raise self._no_handle("begin transaction")
        hr = scard.begin_transaction(hcard)
        if hr != scard.SUCCESS:
            raise scard.error(hr, "begin transaction")
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
                hr = scard.end_transaction(hcard, scard.LEAVE_CARD)
                if hr != scard.SUCCESS and completed:
                    raise scard.error(hr, "end transaction")

    # -- connection management --

    def reconnect(self, reset: bool = False) -> None:
        """Re-establish the connection, after a removal/re-insertion or a reset.

        ``reset=True`` warm-resets the card (which ends any verified PIN state).
        If the PC/SC service was restarted, a new connection is made to the
        same reader.
        """
        if self._closed:
            raise CommunicationError("reconnect: the connection is closed")
        init = scard.RESET_CARD if reset else scard.LEAVE_CARD
        if not self._hcard:  # an earlier reconnect found the service gone
            self._reopen()
            self._atr = self._status_atr()
            return
        hr, protocol = scard.reconnect(self._hcard, self._share, self._protocol, init)
        if hr == scard.E_PROTO_MISMATCH:
            hr, protocol = scard.reconnect(
                self._hcard, self._share, scard.PROTOCOL_T0 | scard.PROTOCOL_T1, init
            )
        if hr == scard.SUCCESS:
            self._protocol = protocol
        elif hr in scard.SERVICE_GONE or hr == scard.E_READER_UNAVAILABLE:
            self._reopen()
        else:
            raise scard.error(hr, "reconnect")
        self._atr = self._status_atr()

    def _reopen(self) -> None:
        """New context and handle to the same reader (the old ones are dead)."""
        if self._hcard:
            scard.disconnect(self._hcard, scard.LEAVE_CARD)
        if self._context:
            scard.release(self._context)
        self._hcard = 0
        self._context = 0
        context = scard.establish()
        try:
            hcard, protocol = _connect_card(context, self._reader, self._share)
        except BaseException:
            scard.release(context)
            raise
        self._context, self._hcard = context, hcard
        self._protocol = protocol
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
            scard.disconnect(hcard, how)
        if self._context:
            scard.release(self._context)
        self._context = 0

    def _status_atr(self) -> bytes:
        hr, atr = scard.status_atr(self._hcard)
        if hr != scard.SUCCESS:
            raise scard.error(hr, "cannot read the card status")
        return atr

    def __enter__(self) -> PcscTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else self.protocol
        return f"<PcscTransport {self._reader!r} {state}>"


def _connect_card(context: int, reader: str, share: int) -> tuple[int, int]:
    """SCardConnect with T=1, falling back to T=0: (hcard, protocol)."""
    hr, hcard, protocol = scard.connect(context, reader, share, scard.PROTOCOL_T1)
    if hr == scard.E_PROTO_MISMATCH:
        hr, hcard, protocol = scard.connect(context, reader, share, scard.PROTOCOL_T0)
    if hr != scard.SUCCESS:
        raise scard.error(hr, f"cannot connect to {reader!r}")
    return hcard, protocol
