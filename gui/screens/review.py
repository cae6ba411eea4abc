"""Everything on one screen before signing, with links back to change the request — and the
consent: "sign and send" names what the signature certificate signs. What happens next (payment,
readiness, pickup / print / download, status) is said before the applicant signs, in the
words of the receipt (:mod:`gui.next_steps`).

Only what the request needs is shown: the name (the request is in it), not the date of birth
or the full address (they are in the signed certificate, not for the screen); an address only
as the postal delivery's.

The no-refund notice sits under the scrolling list, above "Sign and send", so it is in view
whatever the screen's size; and "Sign and send" is enabled only while the whole notice is
shown (:meth:`ReviewScreen.rules_shown`): nobody consents to a rule they could not see."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from jpki.layout import PinKind
from jpki.requests import DeliveryMethod

from ..flow import ConfirmReview, Edit, Model, Screen, identity_pin_kind
from ..next_steps import steps_of, total_text
from ..widgets import Button, card_frame, label, style
from .base import KioskScreen
from .form import delivery_name, postal_line, purpose_line

translate = QCoreApplication.translate

_ROWS = (
    "name",
    "certificate",
    "copies",
    "fee",
    "delivery",
    "details",
    "purpose",
)
_EDITABLE = {"certificate": Screen.FORM, "delivery": Screen.FORM, "purpose": Screen.FORM}


class ReviewScreen(KioskScreen):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Screen.REVIEW, parent)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget(scroll)
        inner.setObjectName("screen")
        col = QVBoxLayout(inner)
        col.setContentsMargins(0, 0, 12, 0)
        col.setSpacing(14)
        scroll.setWidget(inner)
        QScroller.grabGesture(scroll.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        self.area = scroll

        frame = card_frame(inner)
        grid = QGridLayout(frame)
        grid.setContentsMargins(24, 16, 24, 16)
        grid.setHorizontalSpacing(28)
        grid.setVerticalSpacing(10)
        grid.setColumnStretch(1, 1)
        self.keys: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        self.edits: dict[str, Button] = {}
        for row, name in enumerate(_ROWS):
            key = label("", style.SMALL_PX, role="muted")
            value = label("", style.BODY_PX, bold=name in ("name", "certificate"))
            value.setAccessibleName(f"review-{name}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            grid.addWidget(key, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
            self.keys[name] = key
            self.values[name] = value
            if name in _EDITABLE:
                b = Button("", inner, role="link", px=style.SMALL_PX)
                b.setAccessibleName(f"edit-{name}")
                target = _EDITABLE[name]
                b.clicked.connect(lambda _c=False, t=target: self.send(Edit(t)))
                grid.addWidget(b, row, 2, Qt.AlignmentFlag.AlignTop)
                self.edits[name] = b
        col.addWidget(frame)
        self.steps_heading = label("", style.BODY_PX, bold=True)
        col.addWidget(self.steps_heading)
        self.steps = label("", style.BODY_PX, role="info")
        self.steps.setAccessibleName("next-steps")
        col.addWidget(self.steps)
        self.next_step = label("", style.BODY_PX, role="info")
        col.addWidget(self.next_step)
        col.addStretch(1)
        self.body.addWidget(scroll, 1)
        self.rules = label("", style.BODY_PX, role="notice")
        self.rules.setAccessibleName("rules")
        # outside both scrolling areas (the list's and the screen body's), just above the
        # action row: in view at every size
        self.outer.insertWidget(self.outer.indexOf(self.body_area) + 1, self.rules)
        self.confirm = self.add_primary()
        self.confirm.setEnabled(False)
        self.confirm.clicked.connect(self._confirm)
        for watched in (self.rules, self):  # shown, moved or resized: look again
            watched.installEventFilter(self)
        self.add_back()  # to the form, as it was
        self.retranslate()

    # -- the notice in view before consent --------------------------------------------------------

    def rules_shown(self) -> bool:
        """Whether the whole no-refund notice is on the screen now: shown, with text, and not
        clipped by the screen, a scroll area or the window."""
        rules = self.rules
        if not rules.isVisible() or not rules.text() or rules.width() <= 0:
            return False
        window = rules.window()
        rect = QRect(rules.mapTo(window, QPoint(0, 0)), rules.size())
        shown = rect
        parent = rules.parentWidget()
        while parent is not None:
            shown = shown.intersected(QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()))
            if parent is window:
                break
            parent = parent.parentWidget()
        return shown == rect and rules.height() >= rules.heightForWidth(rules.width())

    def _update_confirm(self) -> None:
        self.confirm.setEnabled(self.model is not None and self.rules_shown())

    def _confirm(self) -> None:
        if self.rules_shown():  # (a click can only reach an enabled button; a key too)
            self.send(ConfirmReview())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (
            QEvent.Type.Show,
            QEvent.Type.Hide,
            QEvent.Type.Move,
            QEvent.Type.Resize,
            QEvent.Type.LayoutRequest,
        ):
            self._update_confirm()
        return super().eventFilter(watched, event)

    def retranslate(self) -> None:
        self.title.setText(translate("Review", "Please check your request"))
        names = {
            "name": translate("Review", "Name"),
            "certificate": translate("Review", "Certificate"),
            "copies": translate("Review", "Copies"),
            "fee": translate("Review", "Fee"),
            "delivery": translate("Review", "Receive by"),
            "details": translate("Review", "Details"),
            "purpose": translate("Review", "Purpose"),
        }
        for k, text in names.items():
            self.keys[k].setText(text)
        for b in self.edits.values():
            b.setText(translate("Review", "Change"))
        self.rules.setText(
            translate(
                "Review",
                "Fees are not refunded for any reason once the request is sent. The certificate "
                "shows the name you had when you were enrolled.",
            )
        )
        self.steps_heading.setText(translate("Receipt", "What happens next"))
        self._set_next_step()
        self.confirm.setText(translate("Review", "Sign and send"))
        self.back.setText(self.back_text())
        if self.model is not None:
            self.present(self.model, False)

    def _set_next_step(self) -> None:
        if self.model is not None and identity_pin_kind(self.model.config) is PinKind.TEXT:
            self.next_step.setText(
                translate("Review", "Next you sign the request with your signature PIN.")
            )
            return
        # the signature PIN was entered once, to read the identity: this is the consent
        self.next_step.setText(
            translate(
                "Review",
                "Sign and send: the signature certificate on your card signs this request "
                "— the certificate, copies, delivery and purpose above, with your name — and it "
                "is sent to the office. You do not enter your PIN again.",
            )
        )

    def present(self, model: Model, entering: bool) -> None:
        super().present(model, entering)
        self._set_next_step()
        lang = model.language
        ident, form = model.identity, model.form
        v = self.values
        v["name"].setText(ident.name if ident else "")
        if form is None:
            for k in ("certificate", "copies", "fee", "delivery", "details", "purpose"):
                v[k].setText("")
            self.steps.setText("")
            self._update_confirm()
            return
        try:
            item = model.config.document_type(form.certificate)
            v["certificate"].setText(item.name(lang))
            v["fee"].setText(total_text(model.config, form, lang))
        except Exception:
            v["certificate"].setText(form.certificate)
            v["fee"].setText("")
        v["copies"].setText(str(form.copies))
        v["delivery"].setText(delivery_name(form.delivery))
        # how and when it is paid, ready, collected, printed or downloaded: the next steps
        if form.delivery is DeliveryMethod.POSTAL:
            details = postal_line(form)
        elif form.delivery is DeliveryMethod.DIGITAL_PDF:
            details = translate("Review", "Recipient: {name}").format(name=form.recipient)
        else:
            details = ""
        v["details"].setText(details)
        self.keys["details"].setVisible(bool(details))
        v["details"].setVisible(bool(details))
        v["purpose"].setText(purpose_line(form))
        self.steps.setText("\n".join(f"• {s}" for s in steps_of(model)))
        if entering:
            self.area.verticalScrollBar().setValue(0)
        self._update_confirm()

    def wipe(self) -> None:
        super().wipe()
        for value in self.values.values():
            value.setText("")
        self.steps.setText("")
        self.confirm.setEnabled(False)
