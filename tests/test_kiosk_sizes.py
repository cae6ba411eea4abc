"""Every screen at every kiosk size in both languages: every visible widget inside the window
and its parents, no two buttons/fields/keys overlapping, no label or button with less room than
its text, keypads wholly in view, and type and keys larger on large screens.

One window, resized and re-rendered (each screen's model from tests/screenshots.py, plus the
untrusted-card problem and the keyboard's other pages)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from gui.app import build_kiosk, setup_application
from gui.config import KioskConfig, load_config
from gui.flow import CardProblem, Model, RequestForm, Screen, initial
from gui.screens.form import FormScreen
from gui.screens.pin import PinScreen
from gui.screens.review import ReviewScreen
from gui.widgets.keyboard import DIGITS, LATIN
from gui.window import THUMB_PX, KioskWindow
from jpki.requests import DeliveryMethod
from tests.kiosk_layout import SIZES, cancel_problems, layout_problems, scrolls
from tests.screenshots import models

#: Screens whose body may scroll at the smallest sizes (a long receipt, the applicant's list
#: of up to 20 requests); every other screen, the PIN pads and the keyboard above all, fits
#: without scrolling.
MAY_SCROLL = {Screen.RECEIPT, Screen.REVIEW, Screen.STATUS}


def cases(config: KioskConfig, language: str) -> Iterator[tuple[str, Model, str]]:
    yield from models(config, language)
    for stem, model, _extra in models(config, language):
        if stem == "card-problem":
            yield "card-problem-untrusted", replace(model, problem=CardProblem.UNTRUSTED), ""
        if stem == "form-keyboard":
            yield "form-keyboard-latin", model, "keyboard-latin"
            yield "form-keyboard-digits", model, "keyboard-digits"


def show(w: KioskWindow, model: Model, extra: str) -> None:
    w.show_model(initial(w.config))  # leave the screen, so the next one enters
    w.show_model(model)
    screen = w.current_screen()
    if extra.startswith("keyboard") and isinstance(screen, FormScreen):
        screen.edit_field(screen.postal_code if extra == "keyboard-digits" else screen.recipient)
        if extra == "keyboard-latin":
            screen.entry.keyboard.set_mode(LATIN)
    elif extra and isinstance(screen, PinScreen):
        for ch in extra:
            screen.field.append(ch)
    for _ in range(3):
        QCoreApplication.processEvents()


@pytest.fixture(scope="module")
def window() -> Iterator[KioskWindow]:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    setup_application(app)
    w = build_kiosk(load_config(), reader=None).window
    w.show()
    yield w
    w.shut_down()
    w.close()
    w.deleteLater()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_screen_fits(window: KioskWindow, size: tuple[int, int]) -> None:
    window.resize(*size)
    checked = 0
    failures: list[str] = []
    for language in ("ja", "en"):
        for stem, model, extra in cases(window.config, language):
            show(window, model, extra)
            assert window.size().toTuple() == size, (stem, language, window.size())
            where = f"{size[0]}×{size[1]} {language} {stem}"
            failures += [f"{where}: {p}" for p in layout_problems(window)]
            # Cancel at least a thumb's width from the language switch
            thumb = round(THUMB_PX * window.scale)
            failures += [f"{where}: {p}" for p in cancel_problems(window, thumb)]
            screen = window.current_screen()
            if model.screen not in MAY_SCROLL and scrolls(screen):
                failures.append(f"{where}: the screen needs scrolling")
            checked += 1
    assert not failures, "\n".join(failures[:20])
    assert checked >= 40


def test_large_screens_scale_up(window: KioskWindow) -> None:
    """At 1920×1080 the type and keys are larger and the keypad reaches the lower part of
    the screen (not everything in the top half)."""
    shots = {s: m for s, m, _ in models(window.config, "ja")}
    plain, sign = shots[Screen.SIGN_PIN.value], shots["sign-pin-last-try"]
    looks: dict[tuple[int, int], tuple[int, int, int]] = {}
    for size in ((1280, 800), (1920, 1080)):
        window.resize(*size)
        show(window, plain, "")
        show(window, sign, "")  # its warning changes style (role) after scaling
        screen = window.current_screen()
        assert isinstance(screen, PinScreen)
        key = screen.alpha.keys["A"]
        bottom = max(b.mapTo(window, b.rect().bottomLeft()).y() for b in screen.alpha.keys.values())
        looks[size] = (screen.title.font().pixelSize(), key.height(), bottom)
        # every text on the screen at the same scale, the re-styled last-try warning too
        for w in window.kiosk.findChildren(QLabel) + window.kiosk.findChildren(QAbstractButton):
            if w.isVisible() and w.property("base_px"):
                want = round(int(w.property("base_px")) * window.scale)
                assert w.font().pixelSize() == want, (w.text(), w.font().pixelSize(), want)
    small, large = looks[(1280, 800)], looks[(1920, 1080)]
    assert large[0] >= small[0] * 1.3 and large[1] >= small[1] * 1.3, looks
    assert large[2] > 1080 * 0.7, looks
    window.resize(1280, 800)
    show(window, sign, "")
    assert window.current_screen().title.font().pixelSize() == small[0]  # and back


def test_keyboard_digits_page_is_digits_only(window: KioskWindow) -> None:
    form = next(m for s, m, _ in models(window.config, "en") if s == "form-keyboard")
    window.resize(1024, 768)
    show(window, form, "keyboard-digits")
    screen = window.current_screen()
    assert isinstance(screen, FormScreen) and screen.editing()
    assert screen.entry.keyboard.mode == DIGITS


# -- the review: the no-refund notice in view before consent; no more personal data than needed --

REVIEW_FORMS = {
    "pdf": RequestForm(
        "transcript-ja",
        copies=3,
        delivery=DeliveryMethod.DIGITAL_PDF,
        recipient="株式会社見本 人事部 採用担当 御中（長い提出先の名前の例）",
        purpose="就職活動",
    ),
    "postal": RequestForm(
        "graduation-en",
        copies=10,
        delivery=DeliveryMethod.POSTAL,
        postal_code="102-8160",
        postal_address="架空県見本市試験町一丁目2番3号 見本ハイツ101号室",
        purpose="Visa or immigration: a long purpose described in words " * 2,
    ),
    "counter": RequestForm(
        "enrolment-ja", copies=1, delivery=DeliveryMethod.COUNTER, purpose="奨学金"
    ),
}


def review_model(w: KioskWindow, language: str, form: RequestForm) -> Model:
    shots = {s: m for s, m, _ in models(w.config, language)}
    return replace(shots[Screen.REVIEW.value], form=form)


@pytest.mark.parametrize("size", [(1024, 768), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_no_refund_notice_is_in_view_before_sign_and_send(
    window: KioskWindow, size: tuple[int, int]
) -> None:
    """At the smallest and a large size, in both languages and with the longest reviews, the
    whole notice is on the screen and "Sign and send" is enabled; squeezed so that the notice
    cannot be shown, the button is disabled (it never consents to an unseen rule)."""
    for language in ("ja", "en"):
        for name, form in REVIEW_FORMS.items():
            window.resize(*size)
            show(window, review_model(window, language, form), "")
            screen = window.current_screen()
            assert isinstance(screen, ReviewScreen)
            rules = screen.rules
            where = f"{size} {language} {name}"
            assert "refund" in rules.text() or "返金" in rules.text(), where
            top_left = rules.mapTo(window, QPoint(0, 0))
            assert window.rect().contains(QRect(top_left, rules.size())), where
            assert rules.height() >= rules.heightForWidth(rules.width()), where  # not cut
            assert screen.rules_shown() and screen.confirm.isEnabled(), where
    window.resize(1024, 768)
    show(window, review_model(window, "ja", REVIEW_FORMS["pdf"]), "")
    screen = window.current_screen()
    assert isinstance(screen, ReviewScreen)
    screen.rules.setMaximumHeight(20)  # the notice clipped: not all of it can be read
    QCoreApplication.processEvents()
    assert not screen.rules_shown() and not screen.confirm.isEnabled()
    screen.confirm.click()
    QCoreApplication.processEvents()
    assert window.model.screen is Screen.REVIEW  # nothing was signed
    screen.rules.setMaximumHeight(16777215)
    QCoreApplication.processEvents()
    assert screen.rules_shown() and screen.confirm.isEnabled()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_review_shows_no_birth_date_and_no_address_but_the_postal_one(
    window: KioskWindow, language: str
) -> None:
    """The review shows the name (the request is in it) and, for postal delivery, the
    delivery address the applicant typed: never the date of birth or the card's address."""
    window.resize(1280, 800)
    for name, form in REVIEW_FORMS.items():
        model = review_model(window, language, form)
        assert model.identity is not None
        show(window, model, "")
        screen = window.current_screen()
        assert isinstance(screen, ReviewScreen)
        shown = "\n".join(w.text() for w in screen.findChildren(QLabel) if w.isVisibleTo(screen))
        assert model.identity.name in shown
        birth = model.identity.birth_date
        for text in (f"{birth.year}年", str(birth.year), birth.isoformat()):
            assert text not in shown, (name, text)
        assert model.identity.address not in shown.replace(form.postal_address, ""), name
        if form.delivery is DeliveryMethod.POSTAL:
            assert form.postal_address in shown
