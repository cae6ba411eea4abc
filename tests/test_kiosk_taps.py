"""A complete request at the counter takes at most 20 taps (issue 15): tapped on the real
buttons and keypad keys of the mock-mode kiosk, with a 4-digit user-authentication PIN and an
8-character signature PIN. No setText, no key events; every tap is counted."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from gui.app import build_kiosk, setup_application
from gui.config import load_config
from gui.flow import Screen
from gui.screens.form import FormScreen
from jpki.requests import DeliveryMethod
from tests.kiosk_driver import LOAD_MS, TouchKiosk

AUTH_PIN, SIGN_PIN = "1234", "ABCD1234"  # the mock card's PINs; the signature PIN 8 characters
MAX_TAPS = 20


@pytest.fixture
def kiosk(qtbot, tmp_path: Path) -> Iterator[TouchKiosk]:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    setup_application(app)
    built = build_kiosk(
        load_config(),
        reader="mock",
        ledger_url=tmp_path / "ledger.sqlite3",
        printer=f"pdf:{tmp_path / 'receipts'}",
    )
    qtbot.addWidget(built.window)
    driver = TouchKiosk(built)
    built.window.resize(1280, 800)
    built.window.show()
    built.window.start()
    yield driver
    built.window.shut_down()


def test_counter_request_in_at_most_20_taps(kiosk: TouchKiosk) -> None:
    k = kiosk
    k.insert("valid")
    k.arrive(Screen.AUTH_PIN, LOAD_MS)
    k.pin(AUTH_PIN)
    k.arrive(Screen.IDENTITY_PIN)
    k.pin(SIGN_PIN)
    k.arrive(Screen.IDENTITY)
    k.tap(k.current().primary(), "Yes, continue")
    k.arrive(Screen.FORM)
    form = k.current()
    assert isinstance(form, FormScreen)
    k.tap(form.kinds.button("transcript-ja"), "certificate")
    k.tap(form.deliveries.button(DeliveryMethod.COUNTER.value), "counter")
    k.tap(form.purposes.button("job"), "purpose")
    k.tap(form.next, "Next")
    k.arrive(Screen.REVIEW)
    k.tap(k.current().primary(), "Sign and send")
    k.arrive(Screen.RECEIPT)
    assert k.window.model.receipt is not None and k.window.model.form is not None
    assert k.window.model.form.delivery is DeliveryMethod.COUNTER

    by_screen = k.taps_by_screen()
    breakdown = "\n".join(f"  {s}: {len(t)} ({', '.join(t)})" for s, t in by_screen.items())
    assert len(k.taps) <= MAX_TAPS, f"{len(k.taps)} taps:\n{breakdown}"
    assert k.swipes == 0, k.swiped  # at 1280×800 nothing needed scrolling into view either
    # the count is the real one: every PIN key was a tap
    assert len(by_screen[Screen.AUTH_PIN.value]) == len(AUTH_PIN) + 1
    assert len(by_screen[Screen.IDENTITY_PIN.value]) == len(SIGN_PIN) + 1
