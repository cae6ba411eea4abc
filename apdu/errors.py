"""Errors of the APDU layer: status-word errors and transport errors.

Nothing here ever carries command data: a VERIFY's PIN must not end up in an
exception text.
"""

from __future__ import annotations

from .status import describe, retries_left


class SmartcardError(Exception):
    """Base of every error raised by :mod:`apdu`."""


class ApduFormatError(SmartcardError, ValueError):
    """An APDU could not be encoded or decoded (bad lengths, truncated bytes)."""


class ApduError(SmartcardError):
    """The card answered with a status word other than success (see
    :meth:`apdu.ResponseApdu.check`).

    ``sw`` is the 16-bit status word; compare it with :class:`apdu.SW`. One class
    for every status word, as the status word says what happened: callers with
    a meaning of their own for it (a JPKI session's wrong PIN, a missing
    application) decode it with :mod:`apdu.status` and raise their own error.
    """

    def __init__(self, sw: int, message: str | None = None) -> None:
        self.sw = sw
        super().__init__(message or describe(sw))

    @property
    def sw1(self) -> int:
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        return self.sw & 0xFF

    @property
    def retries(self) -> int | None:
        """The tries left a ``63Cx`` answer reports, else ``None``."""
        return retries_left(self.sw)


class TransportError(SmartcardError):
    """The APDU could not be exchanged with the card."""


class NoReaderError(TransportError):
    """No smart-card reader is connected (or none matches the name asked for)."""


class NoCardError(TransportError):
    """The reader is there but holds no card."""


class CardRemovedError(TransportError):
    """The card was removed (or reset by someone else) during the session."""


class ReaderInUseError(TransportError):
    """Another program holds the reader exclusively (sharing violation)."""


class ReaderGoneError(TransportError):
    """The reader disappeared, or the PC/SC service stopped."""


class CommunicationError(TransportError):
    """Any other failure to exchange an APDU."""
