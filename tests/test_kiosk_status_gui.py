"""Checking one's own requests at the kiosk through the real screens: "Check my requests" on the
insert screen, the 4-digit PIN, the list of that card's requests — at 1024×768 and 1280×800 in
both languages, with two holders' cards; wrong PIN, last try and blocked on this path; the
card taken out on the status screen; and "not available here" when the office is away.

Real widgets (offscreen), the real services on the worker thread, mock cards in process, a
real SQLite ledger in tmp_path (the office: a loopback port with nothing behind it)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from gui.flow import Intent, Notice, Screen
from gui.receipt import short_number
from gui.screens.insert import InsertCardScreen
from gui.screens.status import StatusScreen
from tests.kiosk_layout import layout_problems
from tests.office_kit import free_port, make_tls
from tests.test_kiosk_gui import (  # noqa: F401  (make_env is a fixture)
    AUTH_PIN,
    LOAD,
    SIGN_PIN,
    STEP,
    Env,
    fill_form,
    kiosk_texts,
    make_env,
)
from tests.test_kiosk_status import office_config


@pytest.fixture
def env(make_env) -> Env:  # type: ignore[no-untyped-def]  # noqa: F811
    return make_env()  # type: ignore[no-any-return]


def click(env: Env, widget: object) -> None:
    env.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]


def insert_screen(env: Env) -> InsertCardScreen:
    screen = env.window.current_screen()
    assert isinstance(screen, InsertCardScreen)
    return screen


def status_screen(env: Env) -> StatusScreen:
    screen = env.window.current_screen()
    assert isinstance(screen, StatusScreen)
    return screen


def apply_with(env: Env, holder: str) -> str:
    """A whole application with ``holder``'s card through the buttons; its request id."""
    env.insert(holder)
    env.wait(Screen.AUTH_PIN, LOAD)
    env.keypad(AUTH_PIN)
    env.ok()
    env.wait(Screen.IDENTITY_PIN)
    env.keyboard(SIGN_PIN.lower())
    env.ok()
    env.wait(Screen.IDENTITY)
    click(env, env.window.current_screen().primary())
    env.wait(Screen.FORM)
    fill_form(env)
    click(env, env.form().next)
    env.wait(Screen.REVIEW)
    click(env, env.window.current_screen().primary())
    env.wait(Screen.RECEIPT)
    receipt = env.window.model.receipt
    assert receipt is not None
    click(env, env.window.current_screen().primary())
    env.wait(Screen.INSERT_CARD)
    env.remove()
    env.qtbot.waitUntil(lambda: not env.window.model.card_present, timeout=STEP)  # type: ignore[attr-defined]
    return receipt.request_id


def set_size(env: Env, size: tuple[int, int]) -> None:
    """The kiosk area (the window less the mock panel) at ``size``."""
    panel = env.window.side_panel
    env.window.resize(size[0] + (panel.width() if panel is not None else 0), size[1])
    env.qtbot.waitUntil(lambda: env.window.kiosk.size().toTuple() == size, timeout=STEP)  # type: ignore[attr-defined]


def choose_status(env: Env) -> None:
    screen = insert_screen(env)
    button = screen.intents.button(Intent.CHECK_STATUS.value)
    assert button is not None and button.isVisible() and button.height() >= 64
    click(env, button)
    assert env.window.model.intent is Intent.CHECK_STATUS
    assert button.isChecked()


def to_status(env: Env, holder: str) -> StatusScreen:
    choose_status(env)
    env.insert(holder)
    env.wait(Screen.AUTH_PIN, LOAD)
    env.keypad(AUTH_PIN)
    env.ok()
    env.wait(Screen.STATUS)
    return status_screen(env)


def shown_numbers(screen: StatusScreen) -> list[str]:
    return [
        w.text()
        for frame in screen.entries
        for w in frame.findChildren(QLabel)
        if w.accessibleName() == "request-number"
    ]


def entry_texts(screen: StatusScreen) -> list[str]:
    return [w.text() for frame in screen.entries for w in frame.findChildren(QLabel)]


def test_each_card_sees_only_its_own_requests_at_every_size_and_language(env: Env) -> None:
    first = [apply_with(env, "valid"), apply_with(env, "valid")]
    env.holder("blocked")  # 模擬 さくら: her PINs reset at the municipal office first
    env.window.side_panel.reset_pins()
    second = [apply_with(env, "blocked")]
    journeys = [
        ((1024, 768), "ja", "valid", first),
        ((1280, 800), "en", "blocked", second),
        ((1024, 768), "en", "valid", first),
        ((1280, 800), "ja", "blocked", second),
    ]
    for size, language, holder, mine in journeys:
        set_size(env, size)
        click(env, env.window.lang_buttons[language])
        assert env.window.model.language == language
        screen = to_status(env, holder)
        label = "申請番号" if language == "ja" else "Request number"
        # newest first, exactly this card's requests
        assert shown_numbers(screen) == [f"{label} {short_number(r)}" for r in mine[::-1]]
        texts = " ".join(entry_texts(screen))
        if language == "ja":
            assert "受付済み" in texts and "年" in texts and "1通" in texts
        else:
            assert "Received, waiting for approval" in texts and "1 copy" in texts
        assert not screen.unavailable.isVisible() and not screen.empty.isVisible()
        problems = layout_problems(env.window.kiosk)
        assert not problems, (size, language, problems[:5])
        assert env.window.kiosk.size().toTuple() == size
        click(env, screen.done)
        env.wait(Screen.INSERT_CARD)
        assert env.window.model.intent is Intent.APPLY and env.window.model.my_requests == ()
        env.remove()
        env.qtbot.waitUntil(lambda: not env.window.model.card_present, timeout=STEP)  # type: ignore[attr-defined]


def test_a_card_without_requests_is_told_so(env: Env) -> None:
    screen = to_status(env, "valid")
    assert screen.empty.isVisible() and screen.entries == []
    assert "no requests" in screen.empty.text() or "ありません" in screen.empty.text()


def test_wrong_pin_last_try_and_blocked_on_the_status_path(env: Env) -> None:
    choose_status(env)
    env.insert("valid")
    env.wait(Screen.AUTH_PIN, LOAD)
    env.keypad("9999")
    env.ok()
    env.qtbot.waitUntil(  # type: ignore[attr-defined]
        lambda: env.window.model.notice is Notice.WRONG_PIN and env.screen is Screen.AUTH_PIN,
        timeout=STEP,
    )
    assert "暗証番号が違います" in env.pin_screen().status.text()
    assert "残り2回" in env.pin_screen().status.text()
    env.keypad("9999")
    env.ok()
    env.qtbot.waitUntil(lambda: env.window.model.tries_left == 1, timeout=STEP)  # type: ignore[attr-defined]
    env.wait(Screen.AUTH_PIN)
    status = env.pin_screen().status
    assert status.property("role") == "danger" and "残り1回" in status.text()
    assert env.window.model.intent is Intent.CHECK_STATUS  # still on the status path
    env.keypad("9999")
    env.ok()
    env.wait(Screen.PIN_BLOCKED)
    click(env, env.window.current_screen().primary())
    env.wait(Screen.INSERT_CARD)
    assert env.window.model.intent is Intent.APPLY
    env.remove()
    env.qtbot.waitUntil(lambda: not env.window.model.card_present, timeout=STEP)  # type: ignore[attr-defined]
    choose_status(env)
    env.insert("blocked")  # blocked before: told at once, no PIN asked
    env.wait(Screen.PIN_BLOCKED, LOAD)


def test_taking_the_card_out_on_the_status_screen_clears_it(env: Env) -> None:
    rid = apply_with(env, "valid")
    screen = to_status(env, "valid")
    number = short_number(rid)
    assert any(number in t for t in entry_texts(screen))
    env.remove()
    env.wait(Screen.INSERT_CARD)
    assert screen.entries == [] and env.window.model.my_requests == ()
    env.qtbot.waitUntil(lambda: not any(number in t for t in kiosk_texts(env)), timeout=STEP)  # type: ignore[attr-defined]
    assert env.window.model.intent is Intent.APPLY
    assert insert_screen(env).intents.button(Intent.APPLY.value).isChecked()  # type: ignore[union-attr]


def test_the_idle_timeout_on_the_status_screen(make_env) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from tests.test_kiosk_gui import FakeClock

    clock = FakeClock()
    env = make_env(clock=clock)
    to_status(env, "valid")
    clock.advance(env.window.config.idle_timeout + 1)
    env.wait(Screen.INSERT_CARD)
    assert env.window.model.my_requests == ()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_not_available_when_the_office_is_away(make_env, tmp_path: Path, language: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    tls = make_tls(tmp_path / "tls")
    config = office_config(tmp_path, f"https://127.0.0.1:{free_port()}", tls.ca, "k" * 40)
    env = make_env(config=config)
    click(env, env.window.lang_buttons[language])
    screen = to_status(env, "valid")
    assert screen.unavailable.isVisible() and not screen.empty.isVisible()
    assert screen.entries == []
    want = (
        "ただいま、ここでは申請状況を確認できません。窓口でお尋ねください。"
        if language == "ja"
        else "Status checking is not available here at the moment. Please ask at the counter."
    )
    assert screen.unavailable.text() == want
    assert not any("Traceback" in t or "Error" in t for t in kiosk_texts(env))
    click(env, screen.done)
    env.wait(Screen.INSERT_CARD)
