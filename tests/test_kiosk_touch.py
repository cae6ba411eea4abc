"""The request form completed by touch alone: taps on the real buttons, fields and keyboard keys
(no setText, no physical keyboard), progressive disclosure, and each field's message beside it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QWidget

from gui.app import build_kiosk, setup_application
from gui.config import ConfigError, LetterOrder, load_config, parse_config
from gui.flow import CardRemoved, Screen, initial
from gui.screens.form import FormScreen
from gui.screens.pin import PinScreen
from gui.widgets.keyboard import DAKUTEN, DIGITS, LATIN
from gui.window import KioskWindow
from jpki.requests import DeliveryMethod
from tests.screenshots import IDENTITY, SUMMARY, TRIES


@pytest.fixture
def window(qtbot) -> Iterator[KioskWindow]:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    setup_application(app)
    w = build_kiosk(load_config(), reader=None).window
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    yield w
    w.shut_down()


def open_form(w: KioskWindow, language: str = "ja") -> FormScreen:
    base = replace(initial(w.config), language=language)
    model = replace(
        base,
        screen=Screen.FORM,
        card_present=True,
        session=1,
        summary=SUMMARY,
        tries=TRIES,
        identity=IDENTITY,
    )
    w.show_model(model)
    screen = w.current_screen()
    assert isinstance(screen, FormScreen)
    settle()
    return screen


def settle() -> None:
    for _ in range(3):
        QCoreApplication.processEvents()


def tap(qtbot, widget: QWidget) -> None:  # type: ignore[no-untyped-def]
    settle()
    assert widget.isVisible(), widget.accessibleName() or getattr(widget, "text", str)()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_keys(qtbot, form: FormScreen, text: str) -> None:  # type: ignore[no-untyped-def]
    for ch in text:
        tap(qtbot, form.entry.keyboard.key(ch))


def test_postal_request_by_touch_alone(window: KioskWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    form = open_form(window)
    # progressive: only the first question is shown
    assert form.kind_section.isVisible() and not form.delivery_section.isVisible()
    assert not form.purpose_section.isVisible() and not form.next.isEnabled()
    tap(qtbot, form.kinds.button("transcript-ja"))
    assert form.kind_section.folded.isVisible() and not form.kinds.isVisible()
    tap(qtbot, form.plus)
    tap(qtbot, form.deliveries.button(DeliveryMethod.POSTAL.value))
    assert form.address.text() == IDENTITY.address  # prefilled from the card
    # the postal code's message is under the postal code
    settle()
    assert (
        form.postal_error.isVisible() and form.postal_error.text() == "郵便番号を入力してください。"
    )
    code = form.postal_code.mapTo(form, form.postal_code.rect().bottomLeft())
    assert form.postal_error.mapTo(form, form.postal_error.rect().topLeft()).y() >= code.y()
    assert abs(form.postal_error.mapTo(form, form.postal_error.rect().topLeft()).x() - code.x()) < 8

    tap(qtbot, form.postal_code)  # a tap opens the digit keyboard
    assert form.editing() and form.entry.keyboard.mode == DIGITS
    assert not form.entry.keyboard.mode_buttons[LATIN].isVisible()
    type_keys(qtbot, form, "10281")
    assert form.entry.error.isVisible()  # "7 digits": told on the keyboard page, by the field
    type_keys(qtbot, form, "60")
    assert not form.entry.error.isVisible()
    tap(qtbot, form.entry.done)
    assert not form.editing()
    assert form.postal_code.text() == "1028160" and not form.postal_error.isVisible()

    tap(qtbot, form.address)  # add the flat: kana and digits
    type_keys(qtbot, form, "はいつ")
    tap(qtbot, form.entry.keyboard.key(DAKUTEN))
    tap(qtbot, form.entry.keyboard.mode_buttons[DIGITS])
    type_keys(qtbot, form, "101")
    tap(qtbot, form.entry.done)
    assert form.address.text() == IDENTITY.address + "はいづ101"

    tap(qtbot, form.purposes.button("other"))
    assert form.purpose_other.isVisible() and form.purpose_other_error.isVisible()
    tap(qtbot, form.purpose_other)
    type_keys(qtbot, form, "りゆう")
    tap(qtbot, form.entry.back)  # Back: nothing changes
    assert form.purpose_other.text() == ""
    tap(qtbot, form.purpose_other)
    type_keys(qtbot, form, "しかく")
    tap(qtbot, form.entry.done)
    assert form.next.isEnabled(), form.hint.text()
    tap(qtbot, form.next)
    assert window.model.screen is Screen.REVIEW
    sent = window.model.form
    assert sent is not None
    assert sent.certificate == "transcript-ja" and sent.copies == 2
    assert sent.postal_code == "102-8160"
    assert sent.postal_address == IDENTITY.address + "はいづ101"
    assert sent.purpose == "しかく"


def test_pdf_recipient_email_in_english_by_touch(window: KioskWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    form = open_form(window, "en")
    tap(qtbot, form.kinds.button("transcript-ja"))
    tap(qtbot, form.deliveries.button(DeliveryMethod.DIGITAL_PDF.value))
    tap(qtbot, form.recipient)
    kb = form.entry.keyboard
    assert kb.mode == LATIN and not kb.mode_buttons["hiragana"].isVisible()
    type_keys(qtbot, form, "HR@EXAMPLE.JP")
    tap(qtbot, form.entry.done)
    assert form.recipient.text() == "hr@example.jp"
    tap(qtbot, form.purposes.button("job"))
    tap(qtbot, form.next)
    assert window.model.form is not None and window.model.form.recipient == "hr@example.jp"


def test_common_case_fits_one_screen_at_1280x800(window: KioskWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    for language in ("ja", "en"):
        form = open_form(window, language)
        tap(qtbot, form.kinds.button("transcript-ja"))
        tap(qtbot, form.deliveries.button(DeliveryMethod.COUNTER.value))
        tap(qtbot, form.purposes.button("job"))
        settle()
        assert form.next.isEnabled()
        bar = form.area.verticalScrollBar()
        assert bar.maximum() == 0, (language, form.inner.sizeHint().height(), bar.maximum())
        assert form.rules.isVisible()
        tap(qtbot, form.kind_section.change)  # a folded answer opens again
        assert form.kinds.isVisible()
        tap(qtbot, form.kinds.button("transcript-en"))
        assert not form.kinds.isVisible()


def test_language_switch_while_typing_keeps_the_text(window: KioskWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    form = open_form(window, "ja")
    tap(qtbot, form.kinds.button("transcript-ja"))
    tap(qtbot, form.deliveries.button(DeliveryMethod.DIGITAL_PDF.value))
    tap(qtbot, form.recipient)
    type_keys(qtbot, form, "みほん")
    assert form.entry.heading.text() == "PDFの提出先（企業・学校名）"
    tap(qtbot, window.lang_buttons["en"])
    assert form.editing() and form.entry.line.text() == "みほん"
    assert form.entry.heading.text() == "The company or school you submit the PDF to"
    assert form.entry.keyboard.back.text() == "⌫ Delete"
    assert form.entry.done.text() == "Done"
    tap(qtbot, form.entry.done)
    assert form.recipient.text() == "みほん"


def test_focus_is_not_shown_as_a_selection(window: KioskWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The keyboard focus (the first option when the form opens) is a dashed outline; inside,
    the button looks like any unchosen one. Only a chosen option is filled."""
    form = open_form(window)
    focused, other = form.kinds.buttons()[:2]
    assert focused.hasFocus()

    def inside(b: QWidget) -> tuple[int, ...]:
        image = b.grab().toImage()
        return image.pixelColor(12, image.height() // 2).getRgb()

    def edge(b: QWidget) -> tuple[int, ...]:
        image = b.grab().toImage()
        return tuple(image.pixelColor(x, 1).getRgb() for x in range(24, 120, 2))  # past the corner

    assert inside(focused) == inside(other)  # not filled
    assert len(set(edge(focused))) > 1  # a dashed edge: gaps in it
    tap(qtbot, other)
    settle()
    assert inside(other) != inside(focused)  # chosen: filled


@pytest.mark.parametrize("order", [LetterOrder.QWERTY, LetterOrder.ABC])
def test_the_letter_order_is_a_setting_and_each_applicant_starts_in_it(
    qtbot,  # type: ignore[no-untyped-def]
    order: LetterOrder,
) -> None:
    """kiosk.letter_order puts the keypads' letters in that order (ABC as on public kiosks, or
    QWERTY); an applicant may switch, and the next applicant starts in the setting again."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    setup_application(app)
    config = replace(load_config(), letter_order=order)
    w = build_kiosk(config, reader=None).window
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    try:
        first, second = ("Q", "W") if order is LetterOrder.QWERTY else ("A", "B")
        form = open_form(w, "en")
        tap(qtbot, form.kinds.button("transcript-ja"))
        tap(qtbot, form.deliveries.button(DeliveryMethod.DIGITAL_PDF.value))
        tap(qtbot, form.recipient)  # the keyboard opens in its letters
        board = form.entry.keyboard
        assert board.mode == LATIN and board.latin_order == order.value
        settle()
        assert board.key(first.lower(), LATIN).y() == board.key(second.lower(), LATIN).y()
        assert board.key(first.lower(), LATIN).x() < board.key(second.lower(), LATIN).x()
        tap(qtbot, board.order_key)  # this applicant prefers the other order
        assert board.latin_order != order.value

        model = replace(w.model, screen=Screen.IDENTITY_PIN)
        w.show_model(model)
        pin = w.current_screen()
        assert isinstance(pin, PinScreen)
        settle()
        assert pin.alpha.order == order.value
        assert pin.alpha.keys[first].y() == pin.alpha.keys[second].y()
        tap(qtbot, pin.alpha.order_key)
        assert pin.alpha.order != order.value

        w.post(CardRemoved())  # the applicant leaves: the next one starts afresh
        settle()
        assert board.latin_order == order.value
        w.show_model(replace(initial(config), screen=Screen.IDENTITY_PIN, card_present=True))
        settle()
        assert pin.alpha.order == order.value
    finally:
        w.shut_down()


def test_the_letter_order_setting_is_read_and_checked() -> None:
    assert load_config().letter_order is LetterOrder.ABC  # documented in default_config.toml
    assert parse_config('[kiosk]\nletter_order = "qwerty"\n').letter_order is LetterOrder.QWERTY
    with pytest.raises(ConfigError):
        parse_config('[kiosk]\nletter_order = "dvorak"\n')


def test_the_keyboards_clear_key_is_away_from_z(window: KioskWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Clear all is not next to Z (a slip from Z must not erase the entry) in either order;
    Delete is labelled in words beside ⌫."""
    form = open_form(window, "en")
    tap(qtbot, form.kinds.button("transcript-ja"))
    tap(qtbot, form.deliveries.button(DeliveryMethod.DIGITAL_PDF.value))
    tap(qtbot, form.recipient)
    board = form.entry.keyboard
    assert board.mode == LATIN
    for _ in range(2):
        settle()
        z = board.key("z", LATIN)
        z_rect = z.geometry().translated(z.mapTo(board, z.rect().topLeft()) - z.pos())
        c = board.clear_key
        c_rect = c.geometry().translated(c.mapTo(board, c.rect().topLeft()) - c.pos())
        near = z_rect.adjusted(-z.width(), -z.height(), z.width(), z.height())
        assert not near.intersects(c_rect), (board.latin_order, z_rect, c_rect)
        tap(qtbot, board.order_key)
    assert "⌫" in board.back.text() and len(board.back.text().replace("⌫", "").strip()) > 1


def test_choices_use_fewer_columns_rather_than_grow_wider_than_the_screen(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Long option names (English certificate names at 1024×768) go one per row instead of
    widening the form past its scroll area, and back to two when there is room."""
    from PySide6.QtWidgets import QVBoxLayout

    from gui.widgets.common import Choices

    holder = QWidget()
    qtbot.addWidget(holder)
    choices = Choices(columns=2, parent=holder)
    QVBoxLayout(holder).addWidget(choices)
    choices.set_options([("a", "Certificate of expected graduation · ¥200"), ("b", "B")])
    widest = max(b.sizeHint().width() for b in choices.buttons())
    holder.resize(widest + 40, 400)
    holder.show()
    qtbot.waitUntil(lambda: choices.columns() == 1 and choices.buttons()[1].x() == 0)
    assert choices.width() <= holder.width()
    assert all(b.width() >= b.sizeHint().width() for b in choices.buttons())  # nothing cut
    a, b = choices.buttons()
    assert a.y() < b.y() and a.x() == b.x()  # one per row
    holder.resize(2 * widest + 60, 400)
    qtbot.waitUntil(lambda: choices.columns() == 2 and b.x() > 0)
    assert a.y() == b.y() and a.x() < b.x()
