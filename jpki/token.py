"""EF 0006 of the JPKI AP: the token info, and what kind of JPKI token answers.

EF 0006 holds 160 bytes laid out like PKCS#11 ``CK_TOKEN_INFO`` (docs/card.md,
"Token info"): label (32 bytes), manufacturer ID (32), model (16), serial number
(16), all ASCII padded with spaces, then big-endian integers (flags, session
counts, PIN lengths, memory) that nothing here needs. :func:`parse_token_info` takes the
first :data:`TEXT_SIZE` bytes, the text fields; a shorter file (a token that
stores the label alone) still gives its label.

The label tells the kind of token: ``JPKIAPICCTOKEN2`` a My Number card,
``JPKIAPICCTOKEN`` a 住基カード (Juki card, whose JPKI certificates are no longer
issued), ``JPKIAPGPSETOKEN`` / ``JPKIAPIOSTOKEN`` smartphone JPKI (Android /
iPhone). Any other label is kept as read and is of kind ``UNKNOWN``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Final

from . import errors, messages

__all__ = ["LABEL_SIZE", "TEXT_SIZE", "TokenInfo", "TokenKind", "parse_token_info"]

#: The label field; a token shorter than this has no usable label.
LABEL_SIZE: Final = 32
#: label + manufacturer ID + model + serial number: what :func:`parse_token_info` reads.
TEXT_SIZE: Final = 96
_SPANS: Final = ((0, 32), (32, 32), (64, 16), (80, 16))


class TokenKind(Enum):
    """What kind of JPKI token the label names; the value is its :mod:`jpki.messages` key."""

    MY_NUMBER_CARD = "my-number-card"
    JUKI_CARD = "juki-card"
    SMARTPHONE_ANDROID = "smartphone-android"
    SMARTPHONE_IOS = "smartphone-ios"
    UNKNOWN = "unknown"

    @property
    def is_smartphone(self) -> bool:
        return self in (TokenKind.SMARTPHONE_ANDROID, TokenKind.SMARTPHONE_IOS)

    def describe(self, lang: str = "en") -> str:
        """The kind in words (``"My Number card"``, ``"マイナンバーカード"``)."""
        return messages.label(f"token.{self.value}", lang)


_KINDS: Final = {
    "JPKIAPICCTOKEN2": TokenKind.MY_NUMBER_CARD,
    "JPKIAPICCTOKEN": TokenKind.JUKI_CARD,
    "JPKIAPGPSETOKEN": TokenKind.SMARTPHONE_ANDROID,
    "JPKIAPIOSTOKEN": TokenKind.SMARTPHONE_IOS,
}


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """The text fields of EF 0006, as read (padding removed; bytes that are not ASCII
    become U+FFFD). They come from the card: escape them before showing them
    (:func:`jpki.verdict.escape_controls`)."""

    label: str
    manufacturer: str = ""
    model: str = ""
    serial: str = ""

    @property
    def kind(self) -> TokenKind:
        return _KINDS.get(self.label, TokenKind.UNKNOWN)

    def describe(self, lang: str = "en") -> str:
        """The kind of token in words, in ``lang``."""
        return self.kind.describe(lang)

    def check_usable(self) -> None:
        """Raise :class:`~jpki.errors.JukiCard` for a 住基カード; nothing for other tokens."""
        if self.kind is TokenKind.JUKI_CARD:
            raise errors.JukiCard()


def parse_token_info(raw: bytes) -> TokenInfo:
    """The token info in the first bytes of EF 0006 (any length; missing fields are empty)."""
    label, manufacturer, model, serial = (
        _text(raw[start : start + size]) for start, size in _SPANS
    )
    return TokenInfo(label, manufacturer, model, serial)


def _text(field: bytes) -> str:
    # space padding as CK_TOKEN_INFO has it; NUL and FF padding seen in the wild are dropped too
    return field.rstrip(b" \x00\xff").decode("ascii", "replace")
