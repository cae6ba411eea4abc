"""ISO 7816-4 plumbing: APDU codecs, status words, transports. Nothing JPKI-specific."""

from . import tlv
from .channel import ApduChannel
from .command import CommandApdu
from .errors import (
    ApduError,
    ApduFormatError,
    AuthenticationBlocked,
    CardRemovedError,
    ClassNotSupported,
    CommunicationError,
    FileNotFound,
    IncorrectParameters,
    InstructionNotSupported,
    NoCardError,
    NoReaderError,
    OffsetOutOfRange,
    ReaderGoneError,
    ReaderInUseError,
    SecurityStatusNotSatisfied,
    SmartcardError,
    TransportError,
    VerificationFailed,
    WrongLength,
)
from .response import ResponseApdu
from .status import SW, describe
from .transport import SupportsTransaction, Transport

__all__ = [
    "SW",
    "ApduChannel",
    "ApduError",
    "ApduFormatError",
    "AuthenticationBlocked",
    "CardRemovedError",
    "ClassNotSupported",
    "CommandApdu",
    "CommunicationError",
    "FileNotFound",
    "IncorrectParameters",
    "InstructionNotSupported",
    "NoCardError",
    "NoReaderError",
    "OffsetOutOfRange",
    "ReaderGoneError",
    "ReaderInUseError",
    "ResponseApdu",
    "SecurityStatusNotSatisfied",
    "SmartcardError",
    "SupportsTransaction",
    "Transport",
    "TransportError",
    "VerificationFailed",
    "WrongLength",
    "describe",
    "tlv",
]
