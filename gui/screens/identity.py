"""The applicant's name, address and date of birth, as read from the card, to confirm."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from ..flow import ConfirmIdentity, Model, Screen
from ..widgets import card_frame, label, style
from .base import KioskScreen, format_date, format_iso_date

translate = QCoreApplication.translate


class IdentityScreen(KioskScreen):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Screen.IDENTITY, parent)
        self.intro = label("", style.BODY_PX)
        frame = card_frame(self)
        form = QFormLayout(frame)
        form.setContentsMargins(28, 12, 28, 12)
        form.setHorizontalSpacing(32)
        form.setVerticalSpacing(6)
        self.name_label = label("", style.BODY_PX, role="muted")
        self.name = label("", 36, bold=True)
        self.name.setAccessibleName("name")
        self.address_label = label("", style.BODY_PX, role="muted")
        self.address = label("", 30)
        self.address.setAccessibleName("address")
        self.birth_label = label("", style.BODY_PX, role="muted")
        self.birth = label("", 30)
        self.birth.setAccessibleName("birth-date")
        form.addRow(self.name_label, self.name)
        form.addRow(self.address_label, self.address)
        form.addRow(self.birth_label, self.birth)
        self.enrolment = label("", style.BODY_PX, role="info")
        self.renewal = label("", style.BODY_PX, role="notice")
        self.renewal.setAccessibleName("renewal")
        self.renewal.hide()
        self.body.addWidget(self.intro)
        self.body.addWidget(frame)
        self.body.addWidget(self.enrolment)
        self.body.addWidget(self.renewal)
        self.body.addStretch(1)
        self.confirm = self.add_primary()
        self.confirm.clicked.connect(lambda: self.send(ConfirmIdentity()))
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(translate("Identity", "Are these your details?"))
        self.intro.setText(
            translate("Identity", "Read from your card. Please check them before you go on.")
        )
        self.name_label.setText(translate("Identity", "Name"))
        self.address_label.setText(translate("Identity", "Address"))
        self.birth_label.setText(translate("Identity", "Date of birth"))
        self.enrolment.setText(
            translate(
                "Identity",
                "Certificates are issued in the name you had when you were enrolled. If these "
                "details are not yours, press Cancel and take your card.",
            )
        )
        self.confirm.setText(translate("Identity", "Yes, continue"))
        if self.model is not None:
            self.present(self.model, False)

    def present(self, model: Model, entering: bool) -> None:
        super().present(model, entering)
        ident = model.identity
        lang = model.language
        self.name.setText(ident.name if ident else "")
        self.address.setText(ident.address if ident else "")
        self.birth.setText(format_date(ident.birth_date, lang) if ident else "")
        summary = model.summary
        if summary is not None and summary.renewal_open:
            self.renewal.setText(
                translate(
                    "Identity",
                    "Your card's certificates expire on {date}. You can renew them now at your "
                    "municipal office (renewal opens 3 months before expiry).",
                ).format(date=format_iso_date(summary.not_after, lang))
            )
            self.renewal.show()
        else:
            self.renewal.hide()

    def wipe(self) -> None:
        super().wipe()
        for w in (self.name, self.address, self.birth, self.renewal):
            assert isinstance(w, QLabel)
            w.setText("")
        self.renewal.hide()
