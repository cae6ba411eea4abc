"""jpki — Japan's My Number card (JPKI) for Python.

>>> from jpki import JpkiCard, CertKind, PinKind
>>> with JpkiCard.open() as card:                      # doctest: +SKIP
...     cert = card.read_certificate(CertKind.AUTH)
...     tries = card.pin_status(PinKind.AUTH)
"""

from .card import JpkiCard
from .errors import (
    ApplicationNotFound,
    CardRemoved,
    CardResponseError,
    CorruptData,
    JpkiError,
    JukiCard,
    NoCard,
    NoReader,
    NotJpkiCard,
    PinBlocked,
    PinError,
    PinFormatError,
    PinIncorrect,
    PinRequired,
    ReaderError,
    ReaderInUse,
    ReaderUnavailable,
    SecurityStatusNotSatisfied,
    TransportFailure,
)
from .keys import CardPrivateKey
from .layout import CertKind, PinKind
from .pins import PinPrompt, PinSource, is_valid_pin, normalize_pin
from .textap import BasicInfo, MyNumber
from .token import TokenInfo, TokenKind

__version__ = "0.1.0"

__all__ = [
    "ApplicationNotFound",
    "BasicInfo",
    "CardPrivateKey",
    "CardRemoved",
    "CardResponseError",
    "CertKind",
    "CorruptData",
    "JpkiCard",
    "JpkiError",
    "JukiCard",
    "MyNumber",
    "NoCard",
    "NoReader",
    "NotJpkiCard",
    "PinBlocked",
    "PinError",
    "PinFormatError",
    "PinIncorrect",
    "PinKind",
    "PinPrompt",
    "PinRequired",
    "PinSource",
    "ReaderError",
    "ReaderInUse",
    "ReaderUnavailable",
    "SecurityStatusNotSatisfied",
    "TokenInfo",
    "TokenKind",
    "TransportFailure",
    "__version__",
    "is_valid_pin",
    "normalize_pin",
]
