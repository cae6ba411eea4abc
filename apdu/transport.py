"""The one seam between card code and card hardware."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable


@runtime_checkable
class Transport(Protocol):
    """Anything that exchanges raw APDUs with a card.

    ``transmit`` takes a command APDU and returns the response data followed by
    SW1 SW2. PC/SC readers, the in-process mock card and recording or replaying
    transports all fit. Transport failures raise
    :class:`apdu.errors.TransportError` subclasses.
    """

    def transmit(self, apdu: bytes) -> bytes: ...


@runtime_checkable
class SupportsTransaction(Protocol):
    """A transport that can hold the card for several APDUs (PC/SC transactions)."""

    def transaction(self) -> AbstractContextManager[None]: ...
