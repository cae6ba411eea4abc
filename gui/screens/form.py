"""The request form, built from the configuration's catalogue: what, how many, how, why.

Progressive disclosure: a question appears once the one before is answered, and an answered
question folds into one line with a Change button, so the common case (counter pickup, a
preset purpose) fits one 1280×800 screen. Text fields open a touch keyboard page when
tapped (:mod:`gui.screens.text_entry`); each field's problem is shown right under it.

Why one module: it is one screen whose questions fold and unfold into each other; the order
of the questions, which one is open, and each field's problem are decided together on every
change. The parts that stand alone live elsewhere: the keyboard pages
(:mod:`gui.screens.text_entry`, :mod:`gui.widgets.keyboard`), the form's checks
(:mod:`gui.forms`) and the next steps (:mod:`gui.next_steps`)."""

from __future__ import annotations

import re
import unicodedata

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from jpki.requests import DeliveryMethod, DocumentType

from .. import texts
from ..config import KioskConfig
from ..flow import Model, RequestForm, Screen, SubmitForm
from ..forms import form_problem
from ..next_steps import deadline_step, today
from ..widgets import Button, Choices, label, style
from ..widgets.keyboard import DIGITS, HIRAGANA, KATAKANA, LATIN
from .base import KioskScreen, heading
from .text_entry import TextEntry

translate = QCoreApplication.translate

PURPOSES = tuple(texts.PURPOSES)  # "job", …, "other"
_POSTAL_CODE = re.compile(r"〒?\s*([0-9]{3})-?([0-9]{4})\s*")


def delivery_name(d: DeliveryMethod) -> str:
    if d is DeliveryMethod.POSTAL:
        return translate("Delivery", "By post")
    if d is DeliveryMethod.COUNTER:
        return translate("Delivery", "Pick up at the office counter")
    if d is DeliveryMethod.CONVENIENCE_STORE:
        return translate("Delivery", "Print at a convenience store")
    return translate("Delivery", "Digital certificate (PDF)")


def delivery_note(d: DeliveryMethod, config: KioskConfig, language: str) -> str:
    """What the delivery means, and its deadline in the words of the next steps
    (:func:`gui.next_steps.deadline_step`: the same sentence as on the review and receipt)."""
    if d is DeliveryMethod.POSTAL:
        return translate(
            "Delivery",
            "Mailed to the address below. Check the postal code and the address, and add a "
            "building or room number if needed.",
        )
    if d is DeliveryMethod.COUNTER:
        return translate(
            "Delivery",
            "Pick it up at {place} once it is ready.",  # what to bring: on the review
        ).format(place=config.counter.where(language))
    deadline = deadline_step(config, d, language, today())
    if d is DeliveryMethod.CONVENIENCE_STORE:
        return (
            translate("Delivery", "Print it on a convenience store's multi-copy machine.")
            + " "
            + deadline
        )
    return (
        translate(
            "Delivery",
            "A one-time digital certificate (PDF) that names the company or school you submit "
            "it to; for another recipient, make another request.",
        )
        + " "
        + deadline
    )


def purpose_name(key: str) -> str:
    """A purpose code's name in the language of the moment."""
    return translate(texts.PURPOSE_CONTEXT, texts.PURPOSES[key])


def purpose_line(form: RequestForm) -> str:
    """A request's purpose in the language of the moment: the code's name, or the applicant's
    own words."""
    if form.purpose_code in texts.PURPOSES and form.purpose_code != "other":
        return purpose_name(form.purpose_code)
    return form.purpose


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


class Section(QWidget):
    """A numbered question: open, it shows its heading and options; answered, it folds into
    one line (the answer and a Change button). Progressive disclosure keeps the common case
    on one screen."""

    def __init__(self, parent: QWidget, name: str) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(10)
        self.heading = heading()
        col.addWidget(self.heading)
        self.content = QVBoxLayout()
        self.content.setSpacing(10)
        col.addLayout(self.content)
        self.folded = QWidget(self)
        row = QHBoxLayout(self.folded)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        self.question = label("", style.BODY_PX, role="muted")
        self.answer = label("", 28, bold=True)
        self.answer.setAccessibleName(f"{name}-answer")
        self.change = Button("", self.folded, role="link", px=style.SMALL_PX)
        self.change.setAccessibleName(f"change-{name}")
        row.addWidget(self.question)
        row.addWidget(self.answer, 1)
        row.addWidget(self.change)
        col.addWidget(self.folded)
        self.open = True

    def add(self, widget: QWidget) -> None:
        self.content.addWidget(widget)

    def set_open(self, open_: bool) -> None:
        self.open = open_
        self.heading.setVisible(open_)
        for i in range(self.content.count()):
            item = self.content.itemAt(i)
            w = item.widget() if item is not None else None
            if w is not None and w.property("always") is not True:
                w.setVisible(open_)
        self.folded.setVisible(not open_)


class FormScreen(KioskScreen):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Screen.FORM, parent)
        self._config: KioskConfig | None = None
        self._language = ""
        self._loading = False
        self._reopen: set[str] = set()  # sections the applicant asked to change
        self._editing_field: QLineEdit | None = None

        self.pages = QStackedWidget(self)
        # the keyboard page is taller than the form's minimum: its size must not hold the form
        self.pages.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        scroll = QScrollArea(self.pages)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget(scroll)
        inner.setObjectName("screen")
        col = QVBoxLayout(inner)
        col.setContentsMargins(0, 0, 12, 0)
        col.setSpacing(10)
        scroll.setWidget(inner)
        QScroller.grabGesture(scroll.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        self.area = scroll
        self.inner = inner
        self.entry = TextEntry(self.pages)
        self.pages.addWidget(scroll)
        self.pages.addWidget(self.entry)

        self.kind_section = Section(inner, "certificate")
        self.kind_heading = self.kind_section.heading
        self.kinds = Choices(2, self.kind_section)
        self.kinds.setAccessibleName("certificate")
        self.kind_section.add(self.kinds)
        col.addWidget(self.kind_section)

        self.copies_row = QWidget(inner)
        copies_row = QHBoxLayout(self.copies_row)
        copies_row.setContentsMargins(0, 0, 0, 0)
        copies_row.setSpacing(16)
        self.copies_heading = label("", style.BODY_PX, role="muted")
        self.minus = Button("−", self.copies_row, px=36)
        self.minus.setFixedWidth(88)
        self.copies = label("1", 40, bold=True, center=True)
        self.copies.setFixedWidth(72)
        self.copies.setAccessibleName("copies")
        self.plus = Button("+", self.copies_row, px=36)
        self.plus.setFixedWidth(88)
        self.fee = label("", 28, bold=True)
        self.fee.setAccessibleName("fee")
        copies_row.addWidget(self.copies_heading)
        copies_row.addWidget(self.minus)
        copies_row.addWidget(self.copies)
        copies_row.addWidget(self.plus)
        copies_row.addSpacing(16)
        copies_row.addWidget(self.fee, 1)
        col.addWidget(self.copies_row)

        self.delivery_section = Section(inner, "delivery")
        self.delivery_heading = self.delivery_section.heading
        self.deliveries = Choices(2, self.delivery_section)
        self.deliveries.setAccessibleName("delivery")
        self.delivery_section.add(self.deliveries)
        col.addWidget(self.delivery_section)
        self.delivery_note = label("", style.SMALL_PX, role="info")
        self.delivery_note.setAccessibleName("delivery-note")
        col.addWidget(self.delivery_note)
        post = QWidget(inner)
        post_grid = QGridLayout(post)
        post_grid.setContentsMargins(0, 0, 0, 0)
        post_grid.setHorizontalSpacing(16)
        post_grid.setVerticalSpacing(6)
        self.postal_code_label = label("", style.SMALL_PX)
        self.postal_code = _line_edit(post, "postal-code")
        self.postal_code.setMaxLength(8)
        self.postal_code.setMinimumWidth(220)
        self.postal_code.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.postal_error = label("", style.SMALL_PX, role="notice")
        self.postal_error.setAccessibleName("postal-code-error")
        self.address_label = label("", style.SMALL_PX)
        self.address = _line_edit(post, "postal-address")
        self.address_error = label("", style.SMALL_PX, role="notice")
        self.address_error.setAccessibleName("postal-address-error")
        post_grid.addWidget(self.postal_code_label, 0, 0)
        post_grid.addWidget(self.address_label, 0, 1)
        post_grid.addWidget(self.postal_code, 1, 0)
        post_grid.addWidget(self.address, 1, 1)
        post_grid.addWidget(self.postal_error, 2, 0)
        post_grid.addWidget(self.address_error, 2, 1)
        post_grid.setColumnStretch(1, 1)
        pdf = QWidget(inner)
        pdf_col = QVBoxLayout(pdf)
        pdf_col.setContentsMargins(0, 0, 0, 0)
        pdf_col.setSpacing(6)
        self.recipient_label = label("", style.SMALL_PX)
        self.recipient = _line_edit(pdf, "recipient")
        self.recipient_error = label("", style.SMALL_PX, role="notice")
        self.recipient_error.setAccessibleName("recipient-error")
        pdf_col.addWidget(self.recipient_label)
        pdf_col.addWidget(self.recipient)
        pdf_col.addWidget(self.recipient_error)
        self._detail_pages = {DeliveryMethod.POSTAL: post, DeliveryMethod.DIGITAL_PDF: pdf}
        col.addWidget(post)
        col.addWidget(pdf)

        self.purpose_section = Section(inner, "purpose")
        self.purpose_heading = self.purpose_section.heading
        self.purposes = Choices(3, self.purpose_section)
        self.purposes.setAccessibleName("purpose")
        self.purpose_section.add(self.purposes)
        col.addWidget(self.purpose_section)
        self.purpose_other = _line_edit(inner, "purpose-other")
        self.purpose_other_error = label("", style.SMALL_PX, role="notice")
        self.purpose_other_error.setAccessibleName("purpose-other-error")
        col.addWidget(self.purpose_other)
        col.addWidget(self.purpose_other_error)

        col.addStretch(1)
        self.body.addWidget(self.pages, 1)

        # beside Next, never scrolled away: what is still missing, and the no-refund rule
        notes = QVBoxLayout()
        notes.setSpacing(6)
        self.hint = label("", style.SMALL_PX, role="muted")
        self.rules = label("", style.SMALL_PX, role="notice")
        self.rules.setAccessibleName("rules")
        notes.addWidget(self.hint)
        notes.addWidget(self.rules)
        self.action_row.addLayout(notes, 1)
        self.next = self.add_primary(stretch=False)
        self.add_back()  # to the identity

        # field -> the message label under it
        self._errors = {
            self.postal_code: self.postal_error,
            self.address: self.address_error,
            self.recipient: self.recipient_error,
            self.purpose_other: self.purpose_other_error,
        }
        self.kinds.changed.connect(self._kind_changed)
        self.deliveries.changed.connect(lambda _k: self._answered("delivery"))
        self.purposes.changed.connect(lambda _k: self._answered("purpose"))
        for name, section in self._sections().items():
            section.change.clicked.connect(lambda _c=False, n=name: self._change(n))
        self.minus.clicked.connect(lambda: self._add_copies(-1))
        self.plus.clicked.connect(lambda: self._add_copies(1))
        for edit in self._errors:
            edit.textChanged.connect(self._refresh)
            edit.installEventFilter(self)
        self.entry.finished.connect(self._entry_finished)
        self.next.clicked.connect(self._submit)
        self._copies = 1
        self.purposes.set_options([(k, purpose_name(k)) for k in PURPOSES])
        self.retranslate()

    def _sections(self) -> dict[str, Section]:
        return {
            "certificate": self.kind_section,
            "delivery": self.delivery_section,
            "purpose": self.purpose_section,
        }

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

    def _purpose(self) -> tuple[str, str]:
        """(code, the applicant's own words for "other"); ``("", "")`` while not chosen or
        "other" is not described."""
        key = self.purposes.value()
        own = self.purpose_other.text().strip() if key == "other" else ""
        if not key or (key == "other" and not own):
            return "", ""
        return key, own

    def form(self) -> RequestForm | None:
        """The form as filled in, or None while something required is missing."""
        item, delivery, (purpose, own) = self._item(), self._delivery(), self._purpose()
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
            purpose=own,
            purpose_code=purpose,
        )

    def field_problem(self, edit: QLineEdit, text: str | None = None) -> str:
        """What is wrong with ``edit``'s text (or ``text``), shown right under the field."""
        value = (edit.text() if text is None else text).strip()
        if edit is self.postal_code:
            if not value:
                return translate("Form", "Enter the postal code.")
            if not _POSTAL_CODE.fullmatch(unicodedata.normalize("NFKC", value)):
                return translate("Form", "Enter the postal code as 7 digits, for example 123-4567.")
        elif edit is self.address and not value:
            return translate("Form", "Enter the address.")
        elif edit is self.recipient and not value:
            return translate("Form", "Enter the company or school that receives the PDF.")
        elif edit is self.purpose_other and not value:
            return translate("Form", "Please describe the purpose.")
        return ""

    def _active_fields(self) -> list[QLineEdit]:
        delivery = self._delivery()
        fields: list[QLineEdit] = []
        if delivery is DeliveryMethod.POSTAL:
            fields += [self.postal_code, self.address]
        if delivery is DeliveryMethod.DIGITAL_PDF:
            fields.append(self.recipient)
        if self.purposes.value() == "other":
            fields.append(self.purpose_other)
        return fields

    def _missing(self) -> str:
        """The first thing still missing, for the line beside Next (field problems are
        also shown under their fields)."""
        if self._item() is None:
            return translate("Form", "Choose a certificate.")
        if self._delivery() is None:
            return translate("Form", "Choose how to receive it.")
        for edit in self._active_fields():
            if edit is not self.purpose_other:
                problem = self.field_problem(edit)
                if problem:
                    return problem
        if not self.purposes.value():
            return translate("Form", "Choose a purpose.")
        for edit in self._active_fields():
            problem = self.field_problem(edit)
            if problem:
                return problem
        form = self.form()
        if form is not None and self._config is not None:
            refused = form_problem(self._config, form, language=self._language or "ja")
            if refused:
                return refused
        return ""

    # -- reactions ---------------------------------------------------------------------------------

    def _kind_changed(self, _code: str = "") -> None:
        item = self._item()
        allowed = item.deliveries if item else tuple(DeliveryMethod)
        self.deliveries.set_options([(d.value, delivery_name(d)) for d in allowed])
        self._answered("certificate")

    def _answered(self, section: str) -> None:
        self._reopen.discard(section)
        self._delivery_changed()

    def _change(self, section: str) -> None:
        self._reopen.add(section)
        self._refresh()
        buttons = self._sections()[section].findChildren(Button)
        chosen = [b for b in buttons if b.isCheckable() and b.isChecked()]
        if chosen:
            chosen[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def _delivery_changed(self) -> None:
        d = self._delivery()
        if d is not None and self._config is not None:
            self.delivery_note.setText(delivery_note(d, self._config, self._language or "ja"))
        self._refresh()

    def _add_copies(self, delta: int) -> None:
        top = self._config.max_copies if self._config else 10
        self._copies = max(1, min(top, self._copies + delta))
        self._refresh()

    def _disclose(self) -> None:
        """Show the next question only once the one before is answered; fold answered ones."""
        kind, delivery, purpose = self.kinds.value(), self._delivery(), self.purposes.value()
        self.kind_section.set_open(not kind or "certificate" in self._reopen)
        self.copies_row.setVisible(bool(kind))
        self.delivery_section.setVisible(bool(kind))
        self.delivery_section.set_open(delivery is None or "delivery" in self._reopen)
        self.delivery_note.setVisible(bool(kind) and delivery is not None)
        for key, page in self._detail_pages.items():
            page.setVisible(bool(kind) and key is delivery)
        self.purpose_section.setVisible(bool(kind) and delivery is not None)
        self.purpose_section.set_open(not purpose or "purpose" in self._reopen)
        self.purpose_other.setVisible(self.purpose_section.isVisibleTo(self) and purpose == "other")
        item = self._item()
        if item is not None:
            self.kind_section.answer.setText(certificate_text(item, self._language or "ja"))
        if delivery is not None:
            self.delivery_section.answer.setText(delivery_name(delivery))
        if purpose:
            self.purpose_section.answer.setText(purpose_name(purpose))
        for edit, error in self._errors.items():
            shown = edit.isVisibleTo(self)
            # a field says what is wrong once it has text, or once everything before it is done
            problem = self.field_problem(edit) if shown else ""
            if problem and not edit.text().strip() and edit is not self.purpose_other:
                problem = problem if self._missing() == problem else ""
            error.setText(problem)
            error.setVisible(bool(problem))

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
        self._disclose()
        missing = self._missing()
        refused = self.model.form_problem if self.model is not None else ""
        self.hint.setText(missing or refused)
        self.hint.setVisible(bool(missing or refused) and not self.editing())
        self.next.setEnabled(not missing)

    def _submit(self) -> None:
        form = self.form()
        if form is not None:
            self.send(SubmitForm(form))

    def focus_target(self) -> QWidget | None:
        buttons = self.kinds.buttons()
        if self.kind_section.open and buttons:
            return buttons[0]
        return self.next if self.next.isEnabled() else self.kind_section.change

    # -- touch text entry ----------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(watched, QLineEdit)
            and watched in self._errors
            and watched.isEnabled()
        ):
            self.edit_field(watched)
            return True
        return super().eventFilter(watched, event)

    def edit_field(self, edit: QLineEdit) -> None:
        """Open the touch keyboard on ``edit`` (what a tap on the field does)."""
        japanese = self._language != "en"
        text_modes: tuple[str, ...] = (
            (HIRAGANA, KATAKANA, LATIN, DIGITS) if japanese else (LATIN, DIGITS)
        )
        modes: tuple[str, ...]
        if edit is self.postal_code:
            modes, mode = (DIGITS,), DIGITS
        else:
            modes, mode = text_modes, text_modes[0]
        heading_text = self._field_heading(edit)
        self._editing_field = edit
        self.entry.open(edit, heading_text, modes, mode, lambda t: self.field_problem(edit, t))
        self.pages.setCurrentWidget(self.entry)
        self.title.hide()
        self.hint.hide()
        self.rules.hide()
        self.next.hide()
        self.back.hide()  # the keyboard page has its own Back

    def _field_heading(self, edit: QLineEdit) -> str:
        if edit is self.postal_code:
            return self.postal_code_label.text()
        if edit is self.address:
            return self.address_label.text()
        if edit is self.recipient:
            return self.recipient_label.text()
        return translate("Form", "Please describe the purpose")

    def editing(self) -> bool:
        return self.pages.currentWidget() is self.entry

    def _entry_finished(self, _done: bool) -> None:
        self._close_entry()
        self._refresh()

    def _close_entry(self) -> None:
        self.pages.setCurrentWidget(self.area)
        self.title.show()
        self.hint.setVisible(bool(self.hint.text()))
        self.rules.show()
        self.next.show()
        self.back.show()

    # -- the screen interface ------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(translate("Form", "Your request"))
        self.kind_heading.setText(translate("Form", "1. Which certificate?"))
        self.kind_section.question.setText(translate("Form", "Certificate:"))
        self.copies_heading.setText(
            translate("Form", "2. Copies (1 to {n})").format(
                n=self._config.max_copies if self._config else 10
            )
        )
        self.minus.setAccessibleName(translate("Form", "One copy less"))
        self.plus.setAccessibleName(translate("Form", "One copy more"))
        self.delivery_heading.setText(translate("Form", "3. How do you want to receive it?"))
        self.delivery_section.question.setText(translate("Form", "Receive by:"))
        self.postal_code_label.setText(translate("Form", "Postal code (for example 123-4567)"))
        self.address_label.setText(translate("Form", "Address (from your card; you may change it)"))
        self.recipient_label.setText(
            translate("Form", "The company or school you submit the PDF to")
        )
        self.purpose_heading.setText(translate("Form", "4. What is it for?"))
        self.purpose_section.question.setText(translate("Form", "Purpose:"))
        for section in self._sections().values():
            section.change.setText(translate("Form", "Change"))
        self.purpose_other.setPlaceholderText(translate("Form", "Please describe the purpose"))
        self.purposes.set_texts({k: purpose_name(k) for k in PURPOSES})
        self.rules.setText(
            translate(
                "Form",
                "Fees are not refunded for any reason: please check the certificate, the number "
                "of copies and how you receive it.",
            )
        )
        self.next.setText(translate("Form", "Next: check"))
        self.back.setText(self.back_text())
        self.entry.retranslate()
        if self.editing() and self._editing_field is not None:
            self.entry.heading.setText(self._field_heading(self._editing_field))
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
            self.entry.keyboard.set_latin_order(model.config.letter_order.value)
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
            self._close_entry()
            self._reopen.clear()
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
                code = form.purpose_code if form.purpose_code in PURPOSES else "other"
                self.purposes.set_value(code)
                self.purpose_other.setText(form.purpose if code == "other" else "")
        finally:
            self._loading = False
        self._delivery_changed()

    def wipe(self) -> None:
        super().wipe()
        self._loading = True
        try:
            self.entry.wipe()
            if self._config is not None:  # the next applicant starts in the configured order
                self.entry.keyboard.set_latin_order(self._config.letter_order.value)
            self._close_entry()
            self._reopen.clear()
            self.kinds.clear_selection()
            self.deliveries.clear_selection()
            self.purposes.clear_selection()
            for edit in self._errors:
                edit.setText("")
            self._copies = 1
        finally:
            self._loading = False
        self._delivery_changed()
