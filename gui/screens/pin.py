"""The three PIN screens: user-authentication, identity (signature or text-AP PIN) and signing."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from jpki.layout import PinKind

from ..config import IdentitySource
from ..flow import Model, Notice, PinEntered, Screen, Secret, identity_pin_kind
from ..widgets import AlphanumericKeypad, Button, NumericKeypad, PinField, label, set_role, style
from ..widgets.keypad import Keypad
from .base import KioskScreen, pin_name, pin_rule

translate = QCoreApplication.translate


class PinScreen(KioskScreen):
    """Masked entry from the on-screen keypad and the keyboard; OK only for a well-formed PIN."""

    def __init__(self, screen: Screen, parent: QWidget | None = None) -> None:
        super().__init__(screen, parent)
        self.kind: PinKind | None = None
        self.why = label("", style.SMALL_PX, role="info")
        self.why.setAccessibleName("why")
        self.status = label("", 26, bold=True, role="info")
        self.status.setAccessibleName("tries")
        self.field = PinField(self)
        self.field.setAccessibleName("pin")
        self.ok = Button("", self, role="primary", px=30)
        self.ok.setMinimumWidth(200)
        self.ok.setEnabled(False)
        self._primary = self.ok
        self.numeric = NumericKeypad(self)
        self.alpha = AlphanumericKeypad(self)
        for pad in (self.numeric, self.alpha):
            self._connect(pad)

        entry = QHBoxLayout()
        entry.setSpacing(20)
        entry.addWidget(self.field, 1)
        entry.addWidget(self.ok)
        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(self.why)
        left.addWidget(self.status)
        left.addLayout(entry)
        left.addStretch(1)
        self.top = QHBoxLayout()
        self.top.setSpacing(40)
        self.top.addLayout(left, 1)
        self.top.addWidget(self.numeric, 0, Qt.AlignmentFlag.AlignTop)
        self.body.addLayout(self.top, 1)
        self.body.addWidget(self.alpha, 0, Qt.AlignmentFlag.AlignHCenter)

        if screen is Screen.SIGN_PIN:  # after the review: back to it, left of the field
            self.add_back()  # (the OK is at the field's other end)
            entry.insertWidget(0, self.back)
        self.field.changed.connect(self._update_ok)
        self.field.submitted.connect(self._submit)
        self.ok.clicked.connect(self._submit)
        self.setTabOrder(self.field, self.ok)
        self._configure(PinKind.SIGN if screen is Screen.SIGN_PIN else PinKind.AUTH)
        self.retranslate()

    def _connect(self, pad: Keypad) -> None:
        pad.key.connect(self._key)
        pad.backspace.connect(self.field.backspace)
        pad.clear.connect(self.field.clear)

    def _key(self, char: str) -> None:
        self.field.append(char)
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _configure(self, kind: PinKind) -> None:
        if kind is not self.kind:
            self.kind = kind
            self.numeric.setVisible(kind is not PinKind.SIGN)
            self.alpha.setVisible(kind is PinKind.SIGN)
        self.field.configure(kind)

    def focus_target(self) -> QWidget | None:
        return self.field

    def _update_ok(self) -> None:
        self.ok.setEnabled(self.field.is_complete())
        self._hint()

    def _submit(self) -> None:
        if not self.field.is_complete():
            return
        secret = Secret(self.field.reveal())
        self.field.clear()
        self.send(PinEntered(secret))

    # -- texts ----------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.ok.setText(translate("Pin", "OK"))
        if self.flow_screen is Screen.SIGN_PIN:
            self.back.setText(self.back_text())
        self.numeric.retranslate()
        self.alpha.retranslate()
        self._texts()

    def _texts(self) -> None:
        kind = self.kind or PinKind.AUTH
        model = self.model
        if self.flow_screen is Screen.AUTH_PIN:
            self.title.setText(translate("Pin", "Enter your user-authentication PIN"))
            self.why.setText(
                translate(
                    "Pin",
                    "This 4-digit PIN shows that the card is yours. The staff will never ask "
                    "you for it.",
                )
            )
        elif self.flow_screen is Screen.IDENTITY_PIN:
            source = model.config.identity_source if model else IdentitySource.SIGN_CERTIFICATE
            if source is IdentitySource.TEXT_AP:
                self.title.setText(translate("Pin", "Enter your personal-information PIN"))
                self.why.setText(
                    translate(
                        "Pin",
                        "Why a second PIN? Your name, address and date of birth are kept in a "
                        "separate part of the card, which has its own 4-digit PIN "
                        "(券面事項入力補助用). It is read only with that PIN.",
                    )
                )
            else:
                self.title.setText(
                    translate("Pin", "Enter your signature PIN to read your details")
                )
                self.why.setText(
                    translate(
                        "Pin",
                        "Why a second PIN? Your name, address and date of birth are in the "
                        "signature certificate, which the card gives out only with your "
                        "signature PIN. Nothing is signed yet.",
                    )
                )
        else:
            self.title.setText(translate("Pin", "Sign your request with your signature PIN"))
            self.why.setText(
                translate(
                    "Pin",
                    "Your signature PIN signs the request with your card, like a seal. Then the "
                    "request is sent.",
                )
            )
        self.field.placeholder = pin_rule(kind) if kind is PinKind.SIGN else ""
        self._hint()
        self._status()

    def _hint(self) -> None:
        """For the signature PIN: what is still missing once it is long enough."""
        text = self.field.reveal() if self.kind is PinKind.SIGN else ""
        hint = ""
        if len(text) >= 6 and not self.field.is_complete():
            if not any(c.isdigit() for c in text):
                hint = translate("Pin", "Add at least one digit")
            elif not any(c.isalpha() for c in text):
                hint = translate("Pin", "Add at least one letter")
        if hint != self.field.hint:
            self.field.hint = hint
            self.field.update()

    def _status(self) -> None:
        model = self.model
        tries = model.tries_left if model else None
        notice = model.notice if model else Notice.NONE
        kind = self.kind or PinKind.AUTH
        if tries == 1:
            if notice is Notice.WRONG_PIN:
                text = translate(
                    "Pin",
                    "The PIN was wrong. 1 try left: if this PIN is wrong too, your {pin} is "
                    "locked, and only your municipal office can unlock it.",
                )
            else:
                text = translate(
                    "Pin",
                    "1 try left: if this PIN is wrong, your {pin} is locked, and only your "
                    "municipal office can unlock it.",
                )
            text = text.format(pin=pin_name(kind))
            role = "danger"
        elif notice is Notice.WRONG_PIN:
            text = translate("Pin", "The PIN was wrong. {n} tries left.").format(n=tries)
            role = "notice"
        elif notice is Notice.BAD_PIN_FORMAT:
            text = translate("Pin", "That PIN has the wrong form; nothing was sent to the card.")
            role = "notice"
        elif tries is not None:
            text = translate("Pin", "{n} tries left.").format(n=tries)
            role = "info"
        else:
            text, role = "", "info"
        self.status.setText(text)
        self.status.setVisible(bool(text))
        set_role(self.status, role)

    def present(self, model: Model, entering: bool) -> None:
        if self.model is None or self.model.config is not model.config:
            # each applicant starts in the kiosk's letter order (wipe forgets the model)
            self.alpha.set_order(model.config.letter_order.value)
        super().present(model, entering)
        kind = model.pin_kind
        if kind is None:  # never on a PIN screen; keep the look of the screen's own kind
            kind = (
                identity_pin_kind(model.config)
                if self.flow_screen is Screen.IDENTITY_PIN
                else (PinKind.SIGN if self.flow_screen is Screen.SIGN_PIN else PinKind.AUTH)
            )
        if entering or kind is not self.kind:
            self._configure(kind)
        self._texts()
        self._update_ok()

    def wipe(self) -> None:
        super().wipe()
        self.field.clear()
        self.status.setText("")
        self.ok.setEnabled(False)
