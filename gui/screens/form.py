"""The request form, built from the configuration's catalogue: what, how many, how, why."""

from __future__ import annotations

import re
import unicodedata

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from jpki.requests import DeliveryMethod, DocumentType

from ..config import KioskConfig
from ..flow import Model, RequestForm, Screen, SubmitForm
from ..forms import form_problem
from ..widgets import Button, Choices, label, style
from .base import KioskScreen, heading

translate = QCoreApplication.translate

PURPOSES = ("job", "study", "scholarship", "qualification", "visa", "other")
_POSTAL_CODE = re.compile(r"〒?\s*([0-9]{3})-?([0-9]{4})\s*")


def delivery_name(d: DeliveryMethod) -> str:
    if d is DeliveryMethod.POSTAL:
        return translate("Delivery", "By post")
    if d is DeliveryMethod.COUNTER:
        return translate("Delivery", "Pick up at the office counter")
    if d is DeliveryMethod.CONVENIENCE_STORE:
        return translate("Delivery", "Print at a convenience store")
    return translate("Delivery", "Digital certificate (PDF)")


def delivery_note(d: DeliveryMethod, config: KioskConfig) -> str:
    if d is DeliveryMethod.POSTAL:
        return translate(
            "Delivery",
            "Mailed to the address below. Check the postal code and the address, and add a "
            "building or room number if needed.",
        )
    if d is DeliveryMethod.COUNTER:
        return translate(
            "Delivery",
            "Pick it up at the office counter once it is ready. Bring an identity document and "
            "your request number.",
        )
    if d is DeliveryMethod.CONVENIENCE_STORE:
        return translate(
            "Delivery",
            "Print it on a convenience store's multi-copy machine. The print deadline is {days} "
            "days after it is ready; after that it cannot be printed and the fee is not refunded.",
        ).format(days=config.print_deadline_days)
    return translate(
        "Delivery",
        "A one-time digital certificate (PDF) that names the company or school you submit it "
        "to. Download it once within {days} days after it is ready; for another recipient, make "
        "another request.",
    ).format(days=config.pdf_download_days)


def purpose_name(key: str) -> str:
    return {
        "job": translate("Purpose", "Job application"),
        "study": translate("Purpose", "Further study"),
        "scholarship": translate("Purpose", "Scholarship"),
        "qualification": translate("Purpose", "Qualification or licence"),
        "visa": translate("Purpose", "Visa or immigration"),
        "other": translate("Purpose", "Other"),
    }[key]


def fee_text(yen: int) -> str:
    return translate("Form", "¥{amount}").format(amount=f"{yen:,}")


def certificate_text(item: DocumentType, language: str) -> str:
    return f"{item.name(language)} · {fee_text(item.fee_yen)}"


def normal_postal_code(text: str) -> str:
    """``123-4567`` from ``1234567``, ``１２３－４５６７`` or ``〒123-4567``; else the text as typed."""
    text = unicodedata.normalize("NFKC", text).strip()
    m = _POSTAL_CODE.fullmatch(text)
    return f"{m.group(1)}-{m.group(2)}" if m else text


def postal_line(form: RequestForm) -> str:
    """The postal code and the address on one line, as on an envelope."""
    code = form.postal_code.strip()
    return f"〒{code} {form.postal_address}" if code else form.postal_address


def _line_edit(parent: QWidget, name: str) -> QLineEdit:
    e = QLineEdit(parent)
    e.setFont(style.font(style.BODY_PX))
    e.setMinimumHeight(64)
    e.setAccessibleName(name)
    e.setMaxLength(200)
    return e


class FormScreen(KioskScreen):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Screen.FORM, parent)
        self._config: KioskConfig | None = None
        self._language = ""
        self._loading = False

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

        self.kind_heading = heading()
        self.kinds = Choices(2, inner)
        self.kinds.setAccessibleName("certificate")
        col.addWidget(self.kind_heading)
        col.addWidget(self.kinds)

        self.copies_heading = heading()
        copies_row = QHBoxLayout()
        copies_row.setSpacing(16)
        self.minus = Button("−", inner, px=36)
        self.minus.setFixedWidth(88)
        self.copies = label("1", 40, bold=True, center=True)
        self.copies.setFixedWidth(90)
        self.copies.setAccessibleName("copies")
        self.plus = Button("+", inner, px=36)
        self.plus.setFixedWidth(88)
        self.fee = label("", 30, bold=True)
        self.fee.setAccessibleName("fee")
        copies_row.addWidget(self.minus)
        copies_row.addWidget(self.copies)
        copies_row.addWidget(self.plus)
        copies_row.addSpacing(32)
        copies_row.addWidget(self.fee, 1)
        col.addWidget(self.copies_heading)
        col.addLayout(copies_row)

        self.delivery_heading = heading()
        self.deliveries = Choices(2, inner)
        self.deliveries.setAccessibleName("delivery")
        self.delivery_note = label("", style.BODY_PX, role="info")
        self.delivery_note.setAccessibleName("delivery-note")
        post = QWidget(inner)
        post_col = QVBoxLayout(post)
        post_col.setContentsMargins(0, 0, 0, 0)
        self.postal_code_label = label("", style.BODY_PX)
        self.postal_code = _line_edit(post, "postal-code")
        self.postal_code.setMaxLength(8)
        self.postal_code.setMaximumWidth(260)
        self.postal_code.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.address_label = label("", style.BODY_PX)
        self.address = _line_edit(post, "postal-address")
        post_col.addWidget(self.postal_code_label)
        post_col.addWidget(self.postal_code)
        post_col.addWidget(self.address_label)
        post_col.addWidget(self.address)
        pdf = QWidget(inner)
        pdf_col = QVBoxLayout(pdf)
        pdf_col.setContentsMargins(0, 0, 0, 0)
        self.recipient_label = label("", style.BODY_PX)
        self.recipient = _line_edit(pdf, "recipient")
        pdf_col.addWidget(self.recipient_label)
        pdf_col.addWidget(self.recipient)
        self._detail_pages = {DeliveryMethod.POSTAL: post, DeliveryMethod.DIGITAL_PDF: pdf}
        col.addWidget(self.delivery_heading)
        col.addWidget(self.deliveries)
        col.addWidget(self.delivery_note)
        col.addWidget(post)
        col.addWidget(pdf)

        self.purpose_heading = heading()
        self.purposes = Choices(3, inner)
        self.purposes.setAccessibleName("purpose")
        self.purpose_other = _line_edit(inner, "purpose-other")
        col.addWidget(self.purpose_heading)
        col.addWidget(self.purposes)
        col.addWidget(self.purpose_other)

        self.rules = label("", style.BODY_PX, role="notice")
        self.rules.setAccessibleName("rules")
        col.addWidget(self.rules)
        col.addStretch(1)
        self.body.addWidget(scroll, 1)

        self.hint = label("", style.SMALL_PX, role="muted")
        self.action_row.addWidget(self.hint, 1)
        self.next = self.add_primary()

        self.kinds.changed.connect(self._kind_changed)
        self.deliveries.changed.connect(lambda _k: self._delivery_changed())
        self.purposes.changed.connect(lambda _k: self._refresh())
        self.minus.clicked.connect(lambda: self._add_copies(-1))
        self.plus.clicked.connect(lambda: self._add_copies(1))
        for edit in (self.postal_code, self.address, self.recipient, self.purpose_other):
            edit.textChanged.connect(self._refresh)
        self.next.clicked.connect(self._submit)
        self._copies = 1
        self.purposes.set_options([(k, purpose_name(k)) for k in PURPOSES])
        self.retranslate()

    # -- values --------------------------------------------------------------------------------

    def _item(self) -> DocumentType | None:
        code = self.kinds.value()
        if not code or self._config is None:
            return None
        try:
            return self._config.document_type(code)
        except Exception:
            return None

    def _delivery(self) -> DeliveryMethod | None:
        value = self.deliveries.value()
        return DeliveryMethod(value) if value else None

    def _purpose(self) -> str:
        key = self.purposes.value()
        if not key:
            return ""
        if key == "other":
            return self.purpose_other.text().strip()
        return purpose_name(key)

    def form(self) -> RequestForm | None:
        """The form as filled in, or None while something required is missing."""
        item, delivery, purpose = self._item(), self._delivery(), self._purpose()
        if item is None or delivery is None or not purpose:
            return None
        postal = code = recipient = ""
        if delivery is DeliveryMethod.POSTAL:
            if not self.address.text().strip() or not self.postal_code.text().strip():
                return None
            postal = self.address.text().strip()
            code = normal_postal_code(self.postal_code.text())
        if delivery is DeliveryMethod.DIGITAL_PDF:
            recipient = self.recipient.text().strip()
            if not recipient:
                return None
        return RequestForm(
            certificate=item.code,
            copies=self._copies,
            delivery=delivery,
            postal_address=postal,
            postal_code=code,
            recipient=recipient,
            purpose=purpose,
        )

    def _missing(self) -> str:
        if self._item() is None:
            return translate("Form", "Choose a certificate.")
        delivery = self._delivery()
        if delivery is None:
            return translate("Form", "Choose how to receive it.")
        if delivery is DeliveryMethod.POSTAL and not (
            self.postal_code.text().strip() and self.address.text().strip()
        ):
            return translate("Form", "Enter the postal code and the address.")
        if delivery is DeliveryMethod.DIGITAL_PDF and not self.recipient.text().strip():
            return translate("Form", "Enter the company or school that receives the PDF.")
        code = unicodedata.normalize("NFKC", self.postal_code.text()).strip()
        if delivery is DeliveryMethod.POSTAL and not _POSTAL_CODE.fullmatch(code):
            return translate("Form", "Enter the postal code as 7 digits, for example 123-4567.")
        if not self._purpose():
            return translate("Form", "Choose a purpose.")
        form = self.form()
        if form is not None and self._config is not None:
            problem = form_problem(self._config, form, language=self._language or "ja")
            if problem:
                return problem
        return ""

    # -- reactions ---------------------------------------------------------------------------------

    def _kind_changed(self, _code: str = "") -> None:
        item = self._item()
        allowed = item.deliveries if item else tuple(DeliveryMethod)
        self.deliveries.set_options([(d.value, delivery_name(d)) for d in allowed])
        self._delivery_changed()

    def _delivery_changed(self) -> None:
        d = self._delivery()
        if d is not None and self._config is not None:
            self.delivery_note.setText(delivery_note(d, self._config))
            self.delivery_note.show()
        else:
            self.delivery_note.hide()
        for key, page in self._detail_pages.items():
            page.setVisible(key is d)
        self._refresh()

    def _add_copies(self, delta: int) -> None:
        top = self._config.max_copies if self._config else 10
        self._copies = max(1, min(top, self._copies + delta))
        self._refresh()

    def _refresh(self) -> None:
        if self._loading:
            return
        top = self._config.max_copies if self._config else 10
        self.copies.setText(str(self._copies))
        self.minus.setEnabled(self._copies > 1)
        self.plus.setEnabled(self._copies < top)
        item = self._item()
        if item is not None:
            self.fee.setText(
                translate("Form", "Fee: {total} ({each} × {n})").format(
                    total=fee_text(item.fee_yen * self._copies),
                    each=fee_text(item.fee_yen),
                    n=self._copies,
                )
            )
        else:
            self.fee.setText("")
        self.purpose_other.setVisible(self.purposes.value() == "other")
        missing = self._missing()
        refused = self.model.form_problem if self.model is not None else ""
        self.hint.setText(missing or refused)
        self.next.setEnabled(not missing)

    def _submit(self) -> None:
        form = self.form()
        if form is not None:
            self.send(SubmitForm(form))

    def focus_target(self) -> QWidget | None:
        buttons = self.kinds.buttons()
        return buttons[0] if buttons else self.next

    # -- the screen interface ------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(translate("Form", "Your request"))
        self.kind_heading.setText(translate("Form", "1. Which certificate?"))
        self.copies_heading.setText(
            translate("Form", "2. How many copies? (1 to {n})").format(
                n=self._config.max_copies if self._config else 10
            )
        )
        self.minus.setAccessibleName(translate("Form", "One copy less"))
        self.plus.setAccessibleName(translate("Form", "One copy more"))
        self.delivery_heading.setText(translate("Form", "3. How do you want to receive it?"))
        self.postal_code_label.setText(translate("Form", "Postal code (for example 123-4567)"))
        self.address_label.setText(translate("Form", "Address (from your card; you may change it)"))
        self.recipient_label.setText(
            translate("Form", "The company or school you submit the PDF to")
        )
        self.purpose_heading.setText(translate("Form", "4. What is it for?"))
        self.purpose_other.setPlaceholderText(translate("Form", "Please describe the purpose"))
        self.purposes.set_texts({k: purpose_name(k) for k in PURPOSES})
        self.rules.setText(
            translate(
                "Form",
                "Please check before you go on: fees are not refunded for any reason, even if "
                "the certificate, the number of copies or the way of receiving it is wrong. "
                "Approval takes about 2 business days. Certificates are issued in the name you "
                "had when you were enrolled.",
            )
        )
        self.next.setText(translate("Form", "Next: check"))
        if self._config is not None:
            lang = self._language
            self.kinds.set_texts(
                {item.code: certificate_text(item, lang) for item in self._config.catalogue}
            )
            self.deliveries.set_texts({d.value: delivery_name(d) for d in DeliveryMethod})
            self._delivery_changed()

    def present(self, model: Model, entering: bool) -> None:
        super().present(model, entering)
        if self._config is not model.config:
            self._config = model.config
            self._language = model.language
            self.kinds.set_options(
                [
                    (item.code, certificate_text(item, model.language))
                    for item in model.config.catalogue
                ]
            )
        if self._language != model.language:
            self._language = model.language
            self.retranslate()
        if entering:
            self._load(model)
            self.area.verticalScrollBar().setValue(0)
        self._refresh()

    def _load(self, model: Model) -> None:
        self._loading = True
        try:
            form = model.form
            ident = model.identity
            if form is None:
                self.kinds.clear_selection()
                self._copies = 1
                self._kind_changed()
                self.deliveries.clear_selection()
                self.postal_code.setText("")
                self.address.setText(ident.address if ident else "")
                self.recipient.setText("")
                self.purpose_other.setText("")
                self.purposes.clear_selection()
            else:
                self.kinds.set_value(form.certificate)
                self._kind_changed()
                self._copies = form.copies
                self.deliveries.set_value(form.delivery.value)
                if form.postal_address or form.postal_code:
                    self.postal_code.setText(form.postal_code)
                    self.address.setText(form.postal_address)
                self.recipient.setText(form.recipient)
                keys = {purpose_name(k): k for k in PURPOSES if k != "other"}
                if form.purpose in keys:
                    self.purposes.set_value(keys[form.purpose])
                    self.purpose_other.setText("")
                else:
                    self.purposes.set_value("other")
                    self.purpose_other.setText(form.purpose)
        finally:
            self._loading = False
        self._delivery_changed()

    def wipe(self) -> None:
        super().wipe()
        self._loading = True
        try:
            self.kinds.clear_selection()
            self.deliveries.clear_selection()
            self.purposes.clear_selection()
            for edit in (self.postal_code, self.address, self.recipient, self.purpose_other):
                edit.setText("")
            self._copies = 1
        finally:
            self._loading = False
        self._delivery_changed()
