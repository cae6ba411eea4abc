"""The applicant's own requests and where each stands (after the 4-digit PIN only).

Newest first, at most :data:`gui.flow.MY_REQUESTS_SHOWN`; each with its request number,
certificate, copies, delivery, the day it was sent and its state in plain words. Nothing
else of the applicant is shown. When this kiosk cannot list requests now, it says so and
sends the applicant to the counter.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QWidget

from jpki.certs import JST
from jpki.requests import DeliveryMethod

from ..flow import MY_REQUESTS_SHOWN, Finish, Model, RequestLine, Screen
from ..receipt import short_number
from ..widgets import card_frame, label, style
from .base import KioskScreen, format_date
from .form import delivery_name

translate = QCoreApplication.translate


def status_text(line: RequestLine) -> str:
    """Where a request stands, in plain words (from the ledger's status)."""
    status, delivery = line.status, line.delivery
    if status == "submitted":
        return translate("Status", "Received, waiting for approval")
    if status == "approved":
        return translate("Status", "Approved, being prepared")
    if status == "rejected":
        return translate("Status", "Not accepted; please ask at the counter")
    if status == "issued":
        if delivery == DeliveryMethod.COUNTER.value:
            return translate("Status", "Ready: pick it up at the counter")
        if delivery == DeliveryMethod.CONVENIENCE_STORE.value:
            return translate("Status", "Ready: print it at a convenience store")
        if delivery == DeliveryMethod.DIGITAL_PDF.value:
            return translate("Status", "Ready to download")
        return translate("Status", "Issued, to be mailed")
    if status == "delivered":
        if delivery == DeliveryMethod.POSTAL.value:
            return translate("Status", "Mailed")
        return translate("Status", "Handed over")
    if status == "downloaded":
        return translate("Status", "Downloaded")
    if status == "expired":
        return translate("Status", "Expired: it was not collected in time")
    return status


def submitted_text(iso: str, language: str) -> str:
    """The day a request was sent, in Japan's time, as people write it."""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return ""
    if when.tzinfo is None:
        return ""
    return format_date(when.astimezone(JST).date(), language)


def _joined(first: str, second: str, language: str) -> str:
    """Two sentences in a row (Japanese puts no space between them)."""
    if not first:
        return second
    return first + ("" if language == "ja" else " ") + second


class StatusScreen(KioskScreen):
    escape_event = Finish
    cancellable = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Screen.STATUS, parent)
        self.intro = label("", style.BODY_PX, role="muted")
        self.intro.setAccessibleName("status-intro")
        self.body.addWidget(self.intro)
        self.empty = label("", 30, bold=True, role="info")
        self.empty.setAccessibleName("no-requests")
        self.body.addWidget(self.empty)
        self.unavailable = label("", 30, bold=True, role="notice")
        self.unavailable.setAccessibleName("status-unavailable")
        self.body.addWidget(self.unavailable)
        self.list_holder = QWidget(self)
        self.rows = QGridLayout(self.list_holder)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setSpacing(10)
        self.body.addWidget(self.list_holder)
        self.body.addStretch(1)
        self.entries: list[QFrame] = []
        self.done = self.add_primary()
        self.done.clicked.connect(lambda: self.send(Finish()))
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(translate("Status", "Your requests"))
        self.empty.setText(translate("Status", "There are no requests made with this card."))
        self.unavailable.setText(
            translate(
                "Status",
                "Status checking is not available here at the moment. Please ask at the counter.",
            )
        )
        self.done.setText(translate("Status", "Finish"))
        if self.model is not None:
            self.present(self.model, False)

    def present(self, model: Model, entering: bool) -> None:
        super().present(model, entering)
        lines = model.my_requests if model.status_available else ()
        self.unavailable.setVisible(not model.status_available)
        self.empty.setVisible(model.status_available and not lines)
        intro = translate("Status", "Requests made with this card, newest first.")
        if len(lines) >= MY_REQUESTS_SHOWN:
            more = translate("Status", "Only the latest {n} are shown.")
            intro = _joined(intro, more.format(n=MY_REQUESTS_SHOWN), model.language)
        if not lines:
            intro = ""
        if model.card_present:  # the list goes with the card: say so before it happens
            note = translate("Status", "When you take your card, this list is cleared.")
            intro = _joined(intro, note, model.language)
        self.intro.setText(intro)
        self.intro.setVisible(bool(intro))
        self._fill(model, lines)

    def _fill(self, model: Model, lines: tuple[RequestLine, ...]) -> None:
        self._clear()
        for i, line in enumerate(lines):
            frame = card_frame(self.list_holder)
            frame.setAccessibleName("request")
            grid = QGridLayout(frame)
            grid.setContentsMargins(20, 6, 20, 6)
            grid.setHorizontalSpacing(24)
            grid.setVerticalSpacing(2)
            number = label(
                translate("Status", "Request number {number}").format(
                    number=short_number(line.request_id)
                ),
                style.BODY_PX,
                bold=True,
            )
            number.setAccessibleName("request-number")
            day = submitted_text(line.submitted_at, model.language)
            sent = label(
                translate("Status", "Sent on {date}").format(date=day) if day else "",
                style.SMALL_PX,
                role="muted",
            )
            sent.setAccessibleName("request-sent")
            sent.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            what = label(self._what(model, line), style.BODY_PX)
            what.setAccessibleName("request-what")
            state = label(
                translate("Status", "Status: {status}").format(status=status_text(line)),
                style.BODY_PX,
                bold=True,
            )
            state.setAccessibleName("request-status")
            grid.addWidget(number, 0, 0)
            grid.addWidget(sent, 0, 1)
            grid.addWidget(what, 1, 0, 1, 2)
            grid.addWidget(state, 2, 0, 1, 2)
            grid.setColumnStretch(0, 1)
            self.rows.addWidget(frame, i, 0)
            self.entries.append(frame)

    def _what(self, model: Model, line: RequestLine) -> str:
        try:
            name = model.config.document_type(line.certificate).name(model.language)
        except Exception:  # a certificate this kiosk's catalogue no longer offers
            name = line.certificate
        try:
            how = delivery_name(DeliveryMethod(line.delivery))
        except ValueError:
            how = line.delivery
        copies = (
            translate("Status", "{n} copy")
            if line.copies == 1
            else translate("Status", "{n} copies")
        ).format(n=line.copies)
        return f"{name} · {copies} · {how}"

    def _clear(self) -> None:
        for frame in self.entries:
            self.rows.removeWidget(frame)
            frame.hide()
            frame.deleteLater()
        self.entries = []

    def wipe(self) -> None:
        super().wipe()
        self._clear()
