"""Screen 1: insert (or place) the card. Moves on by itself when a card goes in. Two large
toggles say what the applicant came for: apply for a certificate (chosen unless they say
otherwise) or check their own requests (then the 4-digit PIN is all the kiosk asks for).

Its card words and picture follow the reader's kind (:mod:`gui.screens.card_words`)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSize, Qt, QTimer
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from ..config import IdentitySource
from ..flow import ChooseIntent, Intent, Model, Notice, Screen
from ..reader_kind import ReaderKind
from ..widgets import Choices, label, set_role, style
from .base import KioskScreen
from .card_words import Phrase, card_picture, card_words

translate = QCoreApplication.translate


class InsertCardScreen(KioskScreen):
    cancellable = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Screen.INSERT_CARD, parent)
        self.title.setFont(style.font(style.HUGE_PX, bold=True))
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.intents = Choices(columns=2, parent=self)
        self.intents.setAccessibleName("intent")
        self.intents.set_options([(Intent.APPLY.value, ""), (Intent.CHECK_STATUS.value, "")])
        self.intents.set_value(Intent.APPLY.value)
        self.intents.changed.connect(lambda key: self.send(ChooseIntent(Intent(key))))
        row = QHBoxLayout()
        row.setSpacing(40)
        self.reader = ReaderKind.EITHER  # what the words and the picture follow
        self.picture_path = card_picture(self.reader)
        self.picture = QSvgWidget(str(self.picture_path), self)
        self.picture.setFixedSize(QSize(416, 288))
        self.picture.setAccessibleName("insert-card picture")
        row.addStretch(1)
        row.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignVCenter)
        text = QVBoxLayout()
        text.setSpacing(16)
        self.how = label("", 30)
        self.auto = label("", style.BODY_PX, role="muted")
        self.needs = label("", style.BODY_PX, role="info")
        text.addWidget(self.how)
        text.addWidget(self.auto)
        text.addWidget(self.needs)
        text.addStretch(1)
        holder = QWidget(self)
        holder.setLayout(text)
        holder.setMinimumWidth(440)  # beside the picture within 1024 px, scroll bar and all
        holder.setMaximumWidth(720)
        row.addWidget(holder, 1)
        row.addStretch(1)
        # why the last application stopped half-way (the timeout, the card taken out, a
        # contactless card lifted mid-command: calm words, never the danger colour)
        self.why = label("", 30, bold=True, role="notice", center=True)
        self.why.setAccessibleName("why-started-over")
        self.why.hide()
        self.body.addWidget(self.intents)
        self.body.addStretch(1)
        self.body.addWidget(self.why)
        self.instructions = holder  # how to insert the card
        self.body.addLayout(row)
        self.take_card = label("", 34, bold=True, role="flash", center=True)
        self.take_card.setAccessibleName("take-card")
        self.take_card.hide()
        self.body.addWidget(self.take_card)
        self.out_of_service = label("", 30, bold=True, role="danger", center=True)
        self.out_of_service.setAccessibleName("out-of-service")
        self.out_of_service.hide()
        self.body.addWidget(self.out_of_service)
        self.body.addStretch(1)
        self._flash = QTimer(self)
        self._flash.setInterval(600)
        self._flash.timeout.connect(self._toggle_flash)
        self.retranslate()

    def retranslate(self) -> None:
        self.intents.set_texts(
            {
                Intent.APPLY.value: translate("InsertCard", "Apply for a certificate"),
                Intent.CHECK_STATUS.value: translate("InsertCard", "Check my requests"),
            }
        )
        self.title.setText(card_words(Phrase.INSERT_TITLE, self.reader))
        self.how.setText(card_words(Phrase.INSERT_HOW, self.reader))
        self.auto.setText(card_words(Phrase.INSERT_AUTO, self.reader))
        self._set_needs()
        self.take_card.setText(card_words(Phrase.TAKE_TO_RESTART, self.reader))
        if self.model is not None:
            self.why.setText(self._why(self.model.notice))
        self.out_of_service.setText(
            translate(
                "InsertCard", "This kiosk is out of service at the moment. Please ask the staff."
            )
        )

    def _set_needs(self) -> None:
        """How many PINs the applicant needs: three when the details come from the text AP;
        the 4-digit one alone to check their requests."""
        if self.model is not None and self.model.intent is Intent.CHECK_STATUS:
            self.needs.setText(
                translate(
                    "InsertCard",
                    "To see your requests and where each stands, you need only your "
                    "user-authentication PIN (4 digits).",
                )
            )
            return
        text_ap = (
            self.model is not None and self.model.config.identity_source is IdentitySource.TEXT_AP
        )
        if text_ap:
            self.needs.setText(
                translate(
                    "InsertCard",
                    "You will need three PINs: your user-authentication PIN (4 digits), your "
                    "personal-information PIN (4 digits) and your signature PIN (6 to 16 "
                    "letters and digits).",
                )
            )
        else:
            self.needs.setText(
                translate(
                    "InsertCard",
                    "You will need two PINs: your user-authentication PIN (4 digits) and your "
                    "signature PIN (6 to 16 letters and digits).",
                )
            )

    def present(self, model: Model, entering: bool) -> None:
        super().present(model, entering)
        if model.reader is not self.reader:
            self.reader = model.reader
            self.picture_path = card_picture(self.reader)
            self.picture.load(str(self.picture_path))
            self.retranslate()
        self._set_needs()
        waiting = model.notice in (Notice.TAKE_CARD, Notice.TIMED_OUT) and model.card_present
        why = self._why(model.notice)
        self.why.setText(why)
        self.why.setVisible(bool(why))
        # room for the notice: the applicant who just left knows the PINs and the screen
        self.needs.setVisible(not why)
        self.auto.setVisible(not why)
        # "take your card" and "insert your card" never at once
        for w in (self.title, self.picture, self.instructions):
            w.setVisible(not waiting)
        self.take_card.setVisible(waiting)
        self.intents.setVisible(not waiting)  # take the card first, then choose and insert it
        self.intents.set_value(model.intent.value)
        if waiting and not self._flash.isActive():
            self._flash.start()
        elif not waiting:
            self._flash.stop()
            set_role(self.take_card, "flash")

    def _why(self, notice: Notice) -> str:
        if notice is Notice.TIMED_OUT:
            return translate(
                "InsertCard",
                "Your application was stopped because there was no activity for a while.",
            )
        if notice is Notice.CARD_REMOVED:
            return card_words(Phrase.STOPPED_REMOVED, self.reader)
        if notice is Notice.CARD_MOVED:
            return card_words(Phrase.PLACE_AGAIN, self.reader)
        return ""

    def set_out_of_service(self, down: bool) -> None:
        self.out_of_service.setVisible(down)

    def _toggle_flash(self) -> None:
        on = self.take_card.property("role") == "flash"
        set_role(self.take_card, "flash-off" if on else "flash")

    def wipe(self) -> None:
        super().wipe()

    def focus_target(self) -> QWidget | None:
        return None
