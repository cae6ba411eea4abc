"""The screens shown while the card works: reading, authenticating, reading identity, submitting,
looking up the applicant's requests."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QProgressBar, QWidget

from ..flow import Model, Screen
from ..reader_kind import ReaderKind
from ..widgets import label, style
from .base import KioskScreen
from .card_words import Phrase, card_words

translate = QCoreApplication.translate


class ProgressScreen(KioskScreen):
    """A title, a line on what is happening, a busy bar and "do not remove the card" (or, on
    a contactless reader, "do not move it until reading ends")."""

    def __init__(self, screen: Screen, parent: QWidget | None = None) -> None:
        super().__init__(screen, parent)
        self.reader = ReaderKind.EITHER
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = label("", 30, center=True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # busy
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(640)
        self.keep = label("", 30, bold=True, role="notice", center=True)
        self.keep.setWordWrap(False)  # one line, as wide as its words (centred, it wrapped narrow)
        self.body.addStretch(1)
        self.body.addWidget(self.detail)
        self.body.addSpacing(24)
        self.body.addWidget(self.bar, 0, Qt.AlignmentFlag.AlignHCenter)
        self.body.addSpacing(24)
        self.body.addWidget(self.keep, 0, Qt.AlignmentFlag.AlignHCenter)
        self.body.addStretch(2)
        self.title.setFont(style.font(style.HUGE_PX, bold=True))
        self.retranslate()

    def retranslate(self) -> None:
        texts = {
            Screen.READING_CARD: (
                translate("Progress", "Reading your card…"),
                translate("Progress", "Checking the card's certificate."),
            ),
            Screen.AUTHENTICATING: (
                translate("Progress", "Checking your PIN…"),
                translate("Progress", "The card is proving that it is yours."),
            ),
            Screen.READING_IDENTITY: (
                translate("Progress", "Reading your details…"),
                translate(
                    "Progress", "Reading your name, address and date of birth from the card."
                ),
            ),
            Screen.SUBMITTING: (
                translate("Progress", "Signing and sending your request…"),
                translate("Progress", "This takes a few seconds."),
            ),
            Screen.LISTING: (
                translate("Progress", "Looking up your requests…"),
                translate("Progress", "This takes a few seconds."),
            ),
        }
        title, detail = texts[self.flow_screen]
        self.title.setText(title)
        self.detail.setText(detail)
        self.keep.setText(card_words(Phrase.KEEP_STILL, self.reader))

    def present(self, model: Model, entering: bool) -> None:
        super().present(model, entering)
        if model.reader is not self.reader:
            self.reader = model.reader
            self.keep.setText(card_words(Phrase.KEEP_STILL, self.reader))
