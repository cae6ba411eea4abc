"""The receipt: request number and its QR code, a summary, what happens next (the steps of
:mod:`gui.next_steps`, as on the review and the printed receipt), printing."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from ..flow import Finish, Model, Screen
from ..next_steps import short_number, steps_of, total_text
from ..receipt import ReceiptContent, print_receipt, qr_image
from ..widgets import Button, card_frame, label, set_role, style
from .base import KioskScreen
from .card_words import Phrase, card_words
from .form import delivery_name

translate = QCoreApplication.translate


class ReceiptScreen(KioskScreen):
    escape_event = Finish
    cancellable = False

    def __init__(self, parent: QWidget | None = None, printer: str | None = None) -> None:
        super().__init__(Screen.RECEIPT, parent)
        self.printer_target = printer
        self._printed_for = ""  # the request whose receipt was printed automatically
        self._printed_to = ""  # where the receipt was printed (the note retranslates)
        row = QHBoxLayout()
        row.setSpacing(36)
        left = card_frame(self)
        lcol = QVBoxLayout(left)
        lcol.setContentsMargins(24, 16, 24, 16)
        self.number_label = label("", style.BODY_PX, role="muted", center=True)
        self.number = label("", 52, bold=True, center=True)
        self.number.setAccessibleName("request-number")
        self.qr = QLabel(left)
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setAccessibleName("request-qr")
        self.full_id = label("", style.SMALL_PX, role="muted", center=True)
        self.full_id.setAccessibleName("request-id")
        self.full_id.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lcol.addWidget(self.number_label)
        lcol.addWidget(self.number)
        lcol.addWidget(self.qr)
        lcol.addWidget(self.full_id)
        row.addWidget(left, 0)
        # the summary and the next steps scroll on their own when they are long (a small
        # screen, an office's long texts): the number and its QR code stay in view
        self.area = QScrollArea(self)
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        inner = QWidget(self.area)
        inner.setObjectName("screen")
        right = QVBoxLayout(inner)
        right.setContentsMargins(0, 0, 12, 0)
        right.setSpacing(12)
        self.area.setWidget(inner)
        QScroller.grabGesture(self.area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        self.summary = label("", style.BODY_PX)
        self.summary.setAccessibleName("summary")
        self.steps_heading = label("", 30, bold=True)
        self.steps = label("", style.BODY_PX, role="info")
        self.steps.setAccessibleName("next-steps")
        self.print_status = label("", style.SMALL_PX, role="muted")
        self.print_status.setAccessibleName("print-status")
        right.addWidget(self.summary)
        right.addWidget(self.steps_heading)
        right.addWidget(self.steps)
        right.addWidget(self.print_status)
        right.addStretch(1)
        row.addWidget(self.area, 1)
        self.body.addLayout(row, 1)
        self.take = label("", 30, bold=True, role="notice")
        self.take.setAccessibleName("take-card")
        self.body.addWidget(self.take)
        self.print_button = Button("", self)
        self.print_button.setVisible(printer is not None)
        self.print_button.clicked.connect(self.print_now)
        self.action_row.addWidget(self.print_button)
        self.done = self.add_primary()
        self.done.clicked.connect(lambda: self.send(Finish()))
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(translate("Receipt", "Your request has been sent"))
        self.number_label.setText(translate("Receipt", "Request number"))
        self.steps_heading.setText(translate("Receipt", "What happens next"))
        self.print_button.setText(translate("Receipt", "Print receipt"))
        self.done.setText(translate("Receipt", "Done"))
        if self.model is not None:
            self.present(self.model, False)

    def present(self, model: Model, entering: bool) -> None:
        super().present(model, entering)
        receipt = model.receipt
        rid = receipt.request_id if receipt else ""
        self.number.setText(short_number(rid) if rid else "")
        self.full_id.setText(rid)
        if entering:
            self.area.verticalScrollBar().setValue(0)
            self.qr.setPixmap(QPixmap.fromImage(qr_image(rid, 260)) if rid else QPixmap())
            if rid != self._printed_for:
                self.print_status.setText("")
                self.print_button.setEnabled(True)
            else:  # the same receipt, shown again after the card was taken
                self._print_note()
        elif rid and rid == self._printed_for and self._printed_to:
            self._print_note()  # a language switch
        self.summary.setText("\n".join(f"{k}: {v}" for k, v in self._lines(model)))
        self.steps.setText("\n".join(f"• {s}" for s in steps_of(model)))
        self.take.setText(card_words(Phrase.TAKE_CARD, model.reader))
        self.take.setVisible(model.card_present)  # once the card is out, it is not asked again
        if entering and rid and rid != self._printed_for and self.printer_target is not None:
            self._printed_for = rid  # printed once, automatically, when a printer is set
            self._printed_to = ""
            self.print_now()

    def _lines(self, model: Model) -> list[tuple[str, str]]:
        form = model.form
        if form is None:
            return []
        try:
            name = model.config.document_type(form.certificate).name(model.language)
            total = total_text(model.config, form, model.language)
        except Exception:
            name, total = form.certificate, ""
        return [
            (translate("Review", "Certificate"), name),
            (translate("Review", "Copies"), str(form.copies)),
            (translate("Review", "Fee"), total),
            (translate("Review", "Receive by"), delivery_name(form.delivery)),
        ]

    def print_now(self) -> None:
        model = self.model
        if model is None or model.receipt is None or self.printer_target is None:
            return
        content = ReceiptContent(
            institution=model.config.institution(model.language),
            request_id=model.receipt.request_id,
            title=translate("Receipt", "Your request has been sent"),
            lines=tuple(self._lines(model)),
            next_steps=tuple(steps_of(model)),
            language=model.language,
        )
        try:
            where = print_receipt(content, self.printer_target)
        except Exception as exc:
            set_role(self.print_status, "notice")
            self.print_status.setText(  # break the error's paths: they may be long
                translate("Receipt", "The receipt could not be printed: {error}").format(
                    error=str(exc).replace("/", "/\u200b")
                )
            )
            return
        set_role(self.print_status, "muted")
        self._printed_to = str(where)
        self._print_note()
        self.print_button.setEnabled(False)

    def _print_note(self) -> None:
        if self._printed_to:
            # a printer's name, or a PDF file's name: not its folder (the applicant needs none),
            # breakable after each hyphen (one long word would widen the screen past its edge)
            where = self._printed_to.rsplit("/", 1)[-1].replace("-", "-\u200b")
            note = translate("Receipt", "Receipt printed ({where}).").format(where=where)
            self.print_status.setText(note)
        else:
            self.print_status.setText("")

    def wipe(self) -> None:
        super().wipe()
        self.number.setText("")
        self.full_id.setText("")
        self.summary.setText("")
        self.steps.setText("")
        self.print_status.setText("")
        self.qr.setPixmap(QPixmap())
