"""The one home of the words (and the picture) that tell the applicant to insert, keep or take
the card: they follow the kind of reader (:class:`gui.reader_kind.ReaderKind`) — a slot
("insert the card"), a contactless pad ("place the card on the reader; do not move it until
reading ends"), or, before ``auto`` has seen a card, words that fit both.

Screens ask :func:`card_words` for a :class:`Phrase`; nothing else chooses between them. The
texts go through Qt's translation like every screen text (``pyside6-lupdate`` collects the
``QT_TRANSLATE_NOOP`` marks below; the contact ones keep the context they always had).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Final

from PySide6.QtCore import QCoreApplication

from ..reader_kind import ReaderKind

__all__ = ["Phrase", "card_picture", "card_words"]

ASSETS: Final = Path(__file__).resolve().parent.parent / "assets"
INSERT_PICTURE: Final = ASSETS / "insert-card.svg"
PLACE_PICTURE: Final = ASSETS / "place-card.svg"


def QT_TRANSLATE_NOOP(context: str, source: str) -> tuple[str, str]:
    """Mark ``source`` for ``pyside6-lupdate`` (in ``context``); (context, source)."""
    return context, source


class Phrase(Enum):
    INSERT_TITLE = "insert-title"  # the insert screen's title
    INSERT_HOW = "insert-how"  # how to put the card in / on the reader
    INSERT_AUTO = "insert-auto"  # the screen moves on by itself
    TAKE_TO_RESTART = "take-to-restart"  # the insert screen, a card still in after a cancel
    KEEP_STILL = "keep-still"  # the busy screens: do not remove / move the card
    TAKE_CARD = "take-card"  # the receipt and the end screens: take your card
    PLACE_AGAIN = "place-again"  # the insert screen, after the card left mid-command
    STOPPED_REMOVED = "stopped-removed"  # the insert screen: the card was taken half-way
    UNREADABLE_WHY = "unreadable-why"  # the card-problem screen: why it could not be read
    UNREADABLE_TODO = "unreadable-todo"  # ... and how to try again


_C, _L, _E = ReaderKind.CONTACT, ReaderKind.CONTACTLESS, ReaderKind.EITHER

_WORDS: Final[dict[Phrase, dict[ReaderKind, tuple[str, str]]]] = {
    Phrase.INSERT_TITLE: {
        _C: QT_TRANSLATE_NOOP("InsertCard", "Please insert your My Number card"),
        _L: QT_TRANSLATE_NOOP("CardWords", "Please place your card on the reader"),
        _E: QT_TRANSLATE_NOOP("CardWords", "Please insert or place your card"),
    },
    Phrase.INSERT_HOW: {
        _C: QT_TRANSLATE_NOOP(
            "InsertCard",
            "Put the card into the reader below the screen, IC chip facing up, chip end first.",
        ),
        _L: QT_TRANSLATE_NOOP(
            "CardWords",
            "Lay the card on the reader below the screen; keep it still until reading ends.",
        ),
        _E: QT_TRANSLATE_NOOP(
            "CardWords",
            "Insert the card into the reader below the screen (IC chip up, chip end first), "
            "or lay it flat on the reader.",
        ),
    },
    Phrase.INSERT_AUTO: {
        _C: QT_TRANSLATE_NOOP("InsertCard", "The screen moves on by itself once the card is in."),
        _L: QT_TRANSLATE_NOOP("CardWords", "The screen moves on by itself once the card is read."),
        _E: QT_TRANSLATE_NOOP("CardWords", "The screen moves on by itself once the card is read."),
    },
    Phrase.TAKE_TO_RESTART: {
        _C: QT_TRANSLATE_NOOP(
            "InsertCard", "Please take your card. To start again, take it out and insert it again."
        ),
        _L: QT_TRANSLATE_NOOP(
            "CardWords",
            "Please take your card off the reader. To start again, take it off and place it again.",
        ),
        _E: QT_TRANSLATE_NOOP(
            "CardWords",
            "Please take your card. To start again, take it, then insert or place it again.",
        ),
    },
    Phrase.KEEP_STILL: {
        _C: QT_TRANSLATE_NOOP("Progress", "Do not remove your card."),
        _L: QT_TRANSLATE_NOOP("CardWords", "Do not move your card until reading ends."),
        _E: QT_TRANSLATE_NOOP("CardWords", "Keep your card in place until reading ends."),
    },
    Phrase.TAKE_CARD: {
        _C: QT_TRANSLATE_NOOP("EndScreen", "Please take your card."),
        _L: QT_TRANSLATE_NOOP("CardWords", "Please take your card off the reader."),
        _E: QT_TRANSLATE_NOOP("EndScreen", "Please take your card."),
    },
    Phrase.PLACE_AGAIN: {
        # shown only after a contactless card was lifted; the same words for every kind
        kind: QT_TRANSLATE_NOOP(
            "CardWords",
            "The card moved off the reader before reading ended; nothing was done. Please "
            "place it on the reader again.",
        )
        for kind in ReaderKind
    },
    Phrase.STOPPED_REMOVED: {
        _C: QT_TRANSLATE_NOOP(
            "InsertCard",
            "Your application was stopped because the card was taken out before it was "
            "finished. To apply, insert your card and start again.",
        ),
        _L: QT_TRANSLATE_NOOP(
            "CardWords",
            "Your application was stopped because the card was taken off the reader before it "
            "was finished. To apply, place your card on the reader and start again.",
        ),
    },
    Phrase.UNREADABLE_WHY: {
        _C: QT_TRANSLATE_NOOP(
            "CardProblem",
            "The card may be the wrong way round, or it was moved while it was read.",
        ),
        _L: QT_TRANSLATE_NOOP("CardWords", "The card may have moved while it was read."),
    },
    Phrase.UNREADABLE_TODO: {
        _C: QT_TRANSLATE_NOOP(
            "CardProblem",
            "Take the card out, then insert it again with the IC chip facing up. If this keeps "
            "happening, the card may be damaged: the municipal office where you are registered "
            "can check it.",
        ),
        _L: QT_TRANSLATE_NOOP(
            "CardWords",
            "Take the card off the reader, then lay it flat on the reader again and keep it "
            "still until reading ends. If this keeps happening, the card may be damaged: the "
            "municipal office where you are registered can check it.",
        ),
    },
}
for _phrase in (Phrase.STOPPED_REMOVED, Phrase.UNREADABLE_WHY, Phrase.UNREADABLE_TODO):
    _WORDS[_phrase][_E] = _WORDS[_phrase][_C]  # a problem is seen with a card: rarely needed


def card_words(phrase: Phrase, kind: ReaderKind) -> str:
    """``phrase`` for a reader of ``kind``, in the installed language."""
    context, source = _WORDS[phrase][kind]
    return QCoreApplication.translate(context, source)


def card_picture(kind: ReaderKind) -> Path:
    """The insert screen's picture: a card going into a slot, or one lying on a pad."""
    return PLACE_PICTURE if kind is ReaderKind.CONTACTLESS else INSERT_PICTURE
