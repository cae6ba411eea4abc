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
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from gui.app import build_kiosk, setup_application
from gui.config import KioskConfig, load_config
from gui.flow import CardProblem, Model, Screen, initial
from gui.screens.form import FormScreen
from gui.screens.pin import PinScreen
from gui.widgets.keyboard import DIGITS, LATIN
from gui.window import KioskWindow
from tests.kiosk_layout import SIZES, layout_problems, scrolls
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
