"""Which kind of reader the applicant has in front of them, for the words and pictures that
tell them to insert, keep still or take the card (no Qt here: the flow keeps the kind).

The configuration says ``contact``, ``contactless`` or ``auto`` (:class:`ReaderType`). With
``auto`` the kind follows the ATR of each card the kiosk sees: a contactless reader builds a
PC/SC part 3 ATR for the card (``3B 8n 80 01`` and the historical bytes), a contact card
answers with its own (``3B DA 13 FF …`` for the My Number card). Before any card is seen,
``auto`` reads :attr:`ReaderKind.EITHER`: wording that fits both ("insert or place").
"""

from __future__ import annotations

from enum import StrEnum

from .config import ReaderType

__all__ = ["ReaderKind", "is_contactless_atr", "reader_kind"]


class ReaderKind(StrEnum):
    CONTACT = "contact"
    CONTACTLESS = "contactless"
    EITHER = "either"  # auto, before the first card: words that fit both


def is_contactless_atr(atr: bytes) -> bool:
    """Whether ``atr`` is one a contactless reader builds (PC/SC part 3: TS 3B, T0 8n — only
    TD1 follows —, TD1 80 — only TD2 —, TD2 01 — T=1)."""
    return len(atr) >= 4 and atr[0] == 0x3B and atr[1] & 0xF0 == 0x80 and atr[2:4] == b"\x80\x01"


def reader_kind(
    setting: ReaderType, atr: bytes | None = None, seen: ReaderKind | None = None
) -> ReaderKind:
    """The kind the wording follows: the configured one, or with ``auto`` the one of ``atr``
    (the card just inserted), else the one ``seen`` last, else :attr:`ReaderKind.EITHER`."""
    if setting is ReaderType.CONTACT:
        return ReaderKind.CONTACT
    if setting is ReaderType.CONTACTLESS:
        return ReaderKind.CONTACTLESS
    if atr is not None:
        return ReaderKind.CONTACTLESS if is_contactless_atr(atr) else ReaderKind.CONTACT
    return seen if seen is not None else ReaderKind.EITHER
