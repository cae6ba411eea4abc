"""ISO 7816-4 plumbing: APDU codecs, status words, transports. Nothing JPKI-specific."""

from . import tlv
from .channel import ApduChannel
from .command import CommandApdu
from .errors import (
    ApduError,
    ApduFormatError,
    CardRemovedError,
    CommunicationError,
    NoCardError,
    NoReaderError,
    ReaderGoneError,
    ReaderInUseError,
    SmartcardError,
    TransportError,
)
from .instructions import INS
from .response import ResponseApdu
from .status import BLOCKED, SW, describe, retries_left, retries_sw
from .transport import SupportsTransaction, Transport

__all__ = [
    "BLOCKED",
    "INS",
    "SW",
    "ApduChannel",
    "ApduError",
    "ApduFormatError",
    "CardRemovedError",
    "CommandApdu",
    "CommunicationError",
    "NoCardError",
    "NoReaderError",
    "ReaderGoneError",
    "ReaderInUseError",
    "ResponseApdu",
    "SmartcardError",
    "SupportsTransaction",
    "Transport",
    "TransportError",
    "describe",
    "retries_left",
    "retries_sw",
    "tlv",
]
