"""Errors of the APDU layer: status-word errors and transport errors.

Nothing here ever carries command data: a VERIFY's PIN must not end up in an
exception text.
"""

from __future__ import annotations

from typing import ClassVar

from .status import SW, describe


class SmartcardError(Exception):
    """Base of every error raised by :mod:`apdu`."""


class ApduFormatError(SmartcardError, ValueError):
    """An APDU could not be encoded or decoded (bad lengths, truncated bytes)."""


class ApduError(SmartcardError):
    """The card answered with a status word other than success.

    ``sw`` is the 16-bit status word. :meth:`from_sw` picks the most specific
    subclass.
    """

    status: ClassVar[frozenset[int]] = frozenset()

    def __init__(self, sw: int, message: str | None = None) -> None:
        self.sw = sw
        super().__init__(message or describe(sw))

    @property
    def sw1(self) -> int:
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        return self.sw & 0xFF

    @staticmethod
    def from_sw(sw: int) -> ApduError:
        """The most specific :class:`ApduError` subclass for ``sw``."""
        if sw >> 8 == 0x63 and sw & 0xF0 == 0xC0:
            return VerificationFailed(sw)
        for cls in _SPECIFIC:
            if sw in cls.status:
                return cls(sw)
        return ApduError(sw)


class VerificationFailed(ApduError):
    """``63Cx``: a VERIFY failed (or a status VERIFY reports) ``x`` tries left."""

    @property
    def retries(self) -> int:
        return self.sw & 0x0F


class WrongLength(ApduError):
    status = frozenset({SW.WRONG_LENGTH})


class SecurityStatusNotSatisfied(ApduError):
    status = frozenset({SW.SECURITY_STATUS_NOT_SATISFIED})


class AuthenticationBlocked(ApduError):
    status = frozenset({SW.AUTH_METHOD_BLOCKED, SW.REFERENCE_DATA_NOT_USABLE})


class FileNotFound(ApduError):
    status = frozenset({SW.FILE_NOT_FOUND})


class IncorrectParameters(ApduError):
    status = frozenset({SW.INCORRECT_P1P2})


class OffsetOutOfRange(ApduError):
    status = frozenset({SW.WRONG_P1P2})


class InstructionNotSupported(ApduError):
    status = frozenset({SW.INS_NOT_SUPPORTED})


class ClassNotSupported(ApduError):
    status = frozenset({SW.CLA_NOT_SUPPORTED})


_SPECIFIC: tuple[type[ApduError], ...] = (
    WrongLength,
    SecurityStatusNotSatisfied,
    AuthenticationBlocked,
    FileNotFound,
    IncorrectParameters,
    OffsetOutOfRange,
    InstructionNotSupported,
    ClassNotSupported,
)


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
