"""The kiosk GUI end to end: real screens, the real KioskServices on the worker thread, mock cards
in process and a real SQLite ledger in tmp_path. Waits are qtbot.waitUntil with timeouts."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication

import re
import sys
import time
import xml.etree.ElementTree as ET
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QThread, QTranslator
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget

from gui.app import Kiosk, build_kiosk, setup_application
from gui.config import IdentitySource, KioskConfig, load_config
from gui.flow import Notice, Screen
from gui.screens.form import FormScreen
from gui.screens.pin import PinScreen
from gui.widgets import PinField
from jpki.cms import verify_cms
from jpki.layout import PinKind
from jpki.ledger import Ledger
from jpki.requests import DeliveryMethod
from jpki.trust import CrlStore, Purpose, TrustStore

ROOT = Path(__file__).resolve().parent.parent
AUTH_PIN, SIGN_PIN, TEXT_PIN = "1234", "ABCD1234", "1234"
HOLDER = "見本 花子"
LOAD = 20000  # ms: the first effect also imports the services and migrates the ledger
STEP = 10000


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Env:
    kiosk: Kiosk
    qtbot: object
    ledger_path: Path
    receipts: Path

    @property
    def window(self):  # type: ignore[no-untyped-def]
        return self.kiosk.window

    @property
    def screen(self) -> Screen:
        return self.kiosk.window.model.screen

    def wait(self, screen: Screen, timeout: int = STEP) -> None:
        self.qtbot.waitUntil(lambda: self.screen is screen, timeout=timeout)  # type: ignore[attr-defined]

    def holder(self, key: str) -> None:
        self.window.side_panel.radios[key].setChecked(True)

    def insert(self, holder: str = "valid") -> None:
        self.holder(holder)
        self.kiosk.watch.insert()

    def remove(self) -> None:
        self.kiosk.watch.remove()

    def pin_screen(self) -> PinScreen:
        screen = self.window.current_screen()
        assert isinstance(screen, PinScreen)
        return screen

    def keypad(self, pin: str) -> None:
        screen = self.pin_screen()
        pad = screen.alpha if screen.kind is PinKind.SIGN else screen.numeric
        for ch in pin:
            self.qtbot.mouseClick(pad.keys[ch.upper()], Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]

    def keyboard(self, pin: str) -> None:
        self.qtbot.keyClicks(self.pin_screen().field, pin)  # type: ignore[attr-defined]

    def ok(self) -> None:
        screen = self.pin_screen()
        assert screen.ok.isEnabled()
        self.qtbot.mouseClick(screen.ok, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]

    def form(self) -> FormScreen:
        screen = self.window.current_screen()
        assert isinstance(screen, FormScreen)
        return screen

    def ledger(self) -> Ledger:
        from gui.setup import ledger_config

        cards = self.kiosk.mock_cards
        trust = TrustStore.from_certificates(cards.trust_anchors())
        crls = CrlStore.from_crls(cards.crls())
        return Ledger.open(self.ledger_path, config=ledger_config(self.window.config, trust, crls))


@pytest.fixture
def make_env(qtbot, tmp_path: Path) -> Iterator:  # type: ignore[no-untyped-def]
    made: list[Env] = []

    def make(config: KioskConfig | None = None, clock: FakeClock | None = None) -> Env:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        setup_application(app)
        receipts = tmp_path / "receipts"
        kiosk = build_kiosk(
            config or load_config(),
            reader="mock",
            ledger_url=tmp_path / "ledger.sqlite3",
            printer=f"pdf:{receipts}",
            clock=clock,
        )
        window = kiosk.window
        qtbot.addWidget(window)
        window.resize(1600, 800)
        window.show()
        window.activateWindow()
        qtbot.waitActive(window, timeout=2000)
        window.start()
        env = Env(kiosk, qtbot, tmp_path / "ledger.sqlite3", receipts)
        made.append(env)
        return env

    yield make
    for env in made:
        env.window.shut_down()


@pytest.fixture
def env(make_env) -> Env:  # type: ignore[no-untyped-def]
    return make_env()


def kiosk_texts(env: Env) -> list[str]:
    """Every text a widget of the kiosk area holds (the mock panel is the tester's, not shown
    to applicants)."""
    out: list[str] = []
    for w in env.window.kiosk.findChildren(QWidget):
        if isinstance(w, QLabel | QLineEdit | QAbstractButton):
            out.append(w.text())
            if isinstance(w, QLineEdit):
                out.append(w.placeholderText())
        if isinstance(w, PinField):
            out.append(w.reveal())
        out.append(w.accessibleName())
        out.append(w.accessibleDescription())
    return out


def to_auth_pin(env: Env, holder: str = "valid") -> None:
    env.insert(holder)
    env.wait(Screen.AUTH_PIN, LOAD)


def to_identity(env: Env) -> None:
    to_auth_pin(env)
    env.keypad(AUTH_PIN)
    env.ok()
    env.wait(Screen.IDENTITY_PIN)
    env.keyboard(SIGN_PIN.lower())
    env.ok()
    env.wait(Screen.IDENTITY)


def fill_form(
    env: Env, delivery: DeliveryMethod = DeliveryMethod.COUNTER, code: str = "transcript-ja"
) -> None:
    form = env.form()
    form.kinds.button(code).click()
    form.deliveries.button(delivery.value).click()
    if delivery is DeliveryMethod.POSTAL:
        form.postal_code.setText("102-8160")
    if delivery is DeliveryMethod.DIGITAL_PDF:
        form.recipient.setText("株式会社見本")
    form.purposes.button("job").click()


def to_review(env: Env, delivery: DeliveryMethod = DeliveryMethod.COUNTER) -> None:
    to_identity(env)
    env.window.current_screen().primary().click()
    env.wait(Screen.FORM)
    fill_form(env, delivery)
    env.form().next.click()
    env.wait(Screen.REVIEW)


def to_receipt(env: Env, delivery: DeliveryMethod = DeliveryMethod.COUNTER) -> None:
    to_review(env, delivery)
    env.window.current_screen().primary().click()  # sign and send: the consent, no PIN
    env.wait(Screen.RECEIPT)


# -- the happy path ----------------------------------------------------------------------------


def test_happy_path_stores_a_verifiable_request(env: Env, qtbot) -> None:  # type: ignore[no-untyped-def]
    w = env.window
    assert env.screen is Screen.INSERT_CARD
    assert not w.cancel.isVisible()
    env.insert()
    env.wait(Screen.AUTH_PIN, LOAD)
    pin = env.pin_screen()
    assert pin.status.text() == "入力できる残り回数は3回です。"  # tries shown before typing
    env.keypad("123")
    assert not pin.ok.isEnabled()  # exactly 4 digits
    env.keypad("4")
    assert pin.ok.isEnabled()
    env.keypad("5")  # a fifth digit is not taken
    assert pin.field.length() == 4
    env.ok()
    env.wait(Screen.IDENTITY_PIN)
    pin = env.pin_screen()
    assert pin.kind is PinKind.SIGN
    assert "署名用電子証明書" in pin.why.text()  # why a second PIN
    env.keyboard(SIGN_PIN.lower())  # upper-cased as typed
    assert pin.field.reveal() == SIGN_PIN
    env.ok()
    env.wait(Screen.IDENTITY)
    ident = w.current_screen()
    assert ident.name.text() == HOLDER  # type: ignore[attr-defined]
    assert ident.birth.text() == "1990年4月1日"  # type: ignore[attr-defined]
    assert ident.address.text() == "架空県見本市試験町一丁目2番3号"  # type: ignore[attr-defined]
    ident.primary().click()
    env.wait(Screen.FORM)

    form = env.form()
    assert not form.next.isEnabled()
    assert form.address.text() == "架空県見本市試験町一丁目2番3号"  # prefilled from the card
    assert "返金" in form.rules.text()  # the full rules are on the review
    form.kinds.button("transcript-ja").click()
    form.plus.click()
    assert form.copies.text() == "2"
    assert "600円" in form.fee.text()
    form.deliveries.button(DeliveryMethod.POSTAL.value).click()
    assert not form.next.isEnabled()  # no postal code yet
    form.postal_code.setText("102-8160")
    form.address.setText("架空県見本市試験町一丁目2番3号 見本ハイツ101")  # editable
    form.purposes.button("job").click()
    assert form.next.isEnabled(), form.hint.text()
    form.deliveries.button(DeliveryMethod.CONVENIENCE_STORE.value).click()
    assert "7日" in form.delivery_note.text()  # the print deadline
    form.deliveries.button(DeliveryMethod.DIGITAL_PDF.value).click()
    assert "14日" in form.delivery_note.text() and not form.next.isEnabled()
    form.deliveries.button(DeliveryMethod.POSTAL.value).click()
    form.next.click()
    env.wait(Screen.REVIEW)

    review = w.current_screen()
    values = review.values  # type: ignore[attr-defined]
    assert values["name"].text() == HOLDER
    assert values["certificate"].text() == "成績証明書（和文）"
    assert values["copies"].text() == "2"
    assert values["details"].text() == "〒102-8160 架空県見本市試験町一丁目2番3号 見本ハイツ101"
    review.edits["certificate"].click()  # type: ignore[attr-defined]
    env.wait(Screen.FORM)
    assert env.form().copies.text() == "2"  # the form comes back as it was
    env.form().next.click()
    env.wait(Screen.REVIEW)
    assert "署名用電子証明書" in review.next_step.text()  # type: ignore[attr-defined]
    assert HOLDER not in "".join(v.text() for k, v in values.items() if k != "name")
    review.primary().click()  # sign and send: the signature PIN is not asked again
    env.wait(Screen.RECEIPT)

    receipt = w.model.receipt
    assert receipt is not None
    screen = w.current_screen()
    assert screen.full_id.text() == receipt.request_id  # type: ignore[attr-defined]
    assert not screen.qr.pixmap().isNull()  # type: ignore[attr-defined]
    with env.ledger() as ledger:
        record = ledger.get(receipt.request_id)
        assert record.kind == "transcript-ja"
        assert record.copies == 2
        assert record.applicant_name == HOLDER
        request = record.request
        assert request.delivery.postal_code == "102-8160"  # type: ignore[union-attr]
        assert request.purpose == "就職活動"
        assert ledger.reverify(receipt.request_id).valid
        anchors = TrustStore.from_certificates(env.kiosk.mock_cards.trust_anchors())
        check = verify_cms(
            record.signature,
            record.document if record.detached else None,
            trust_store=anchors,
            purpose=Purpose.SIGNATURE,
        )
        assert check.valid, check.message
        assert check.holder is not None and check.holder.name == HOLDER

    screen.print_button.click()  # type: ignore[attr-defined]
    pdfs = list(env.receipts.glob("*.pdf"))
    assert len(pdfs) == 1 and pdfs[0].read_bytes().startswith(b"%PDF")

    screen.primary().click()  # Done
    env.wait(Screen.INSERT_CARD)
    insert = w.current_screen()
    assert w.model.notice is Notice.TAKE_CARD
    assert insert.take_card.isVisible()  # type: ignore[attr-defined]
    first = insert.take_card.property("role")  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: insert.take_card.property("role") != first, timeout=2000)  # flashes
    env.remove()
    qtbot.waitUntil(lambda: not insert.take_card.isVisible(), timeout=1000)


# -- PINs ----------------------------------------------------------------------------------------


def test_wrong_pin_then_right(env: Env) -> None:
    to_auth_pin(env)
    env.keypad("9999")
    env.ok()
    env.qtbot.waitUntil(  # type: ignore[attr-defined]
        lambda: env.screen is Screen.AUTH_PIN and env.window.model.notice is Notice.WRONG_PIN,
        timeout=STEP,
    )
    pin = env.pin_screen()
    assert pin.field.length() == 0
    assert pin.status.text() == "暗証番号が違います。残り2回です。"
    assert pin.status.property("role") == "notice"
    env.keyboard(AUTH_PIN)
    env.ok()
    env.wait(Screen.IDENTITY_PIN)
    assert env.kiosk.mock_cards.cards["valid"].pin_tries_left("auth") == 3


def test_last_try_warning_then_blocked(env: Env) -> None:
    to_auth_pin(env)
    for left in (2, 1):
        env.keypad("0000")
        env.ok()
        env.qtbot.waitUntil(lambda n=left: env.window.model.tries_left == n, timeout=STEP)  # type: ignore[attr-defined, misc]
        env.wait(Screen.AUTH_PIN)
    status = env.pin_screen().status
    assert status.isVisible()
    assert status.property("role") == "danger"  # distinct from the normal notice
    assert "残り1回" in status.text() and "市区町村" in status.text()
    env.keypad("0000")
    env.ok()
    env.wait(Screen.PIN_BLOCKED)
    screen = env.window.current_screen()
    assert "ロック" in screen.title.text()
    assert "市区町村" in screen.todo.text() and "本人確認書類" in screen.todo.text()  # type: ignore[attr-defined]
    screen.primary().click()
    env.wait(Screen.INSERT_CARD)


def test_blocked_holder(env: Env) -> None:
    env.insert("blocked")
    env.wait(Screen.PIN_BLOCKED, LOAD)
    screen = env.window.current_screen()
    assert "利用者証明用" in screen.title.text()
    assert "本人確認書類" in screen.todo.text()  # type: ignore[attr-defined]


def test_sign_pin_last_try_warning(env: Env) -> None:
    card = env.kiosk.mock_cards.cards["valid"]
    card.pins["sign"].tries_left = 2  # three wrong tries elsewhere
    to_auth_pin(env)
    env.keypad(AUTH_PIN)
    env.ok()
    env.wait(Screen.IDENTITY_PIN)
    status = env.pin_screen().status
    assert status.text() == "入力できる残り回数は2回です。"
    assert status.property("role") == "info"
    env.keypad("WRONG1")
    env.ok()
    env.qtbot.waitUntil(lambda: env.window.model.tries_left == 1, timeout=STEP)  # type: ignore[attr-defined]
    env.wait(Screen.IDENTITY_PIN)
    assert status.property("role") == "danger"
    assert "署名用の暗証番号がロックされ" in status.text()
    env.keyboard(SIGN_PIN)
    env.ok()
    env.wait(Screen.IDENTITY)
    assert card.pin_tries_left("sign") == 5


# -- card problems ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("holder", "title", "todo"),
    [
        ("expired", "利用者証明用電子証明書は有効期限が切れています", "新しい電子証明書の発行"),
        ("revoked", "利用者証明用電子証明書は失効しています", "市区町村"),
    ],
)
def test_problem_cards(env: Env, holder: str, title: str, todo: str) -> None:
    """The card check judges the user-authentication certificate: the screen names it, and
    sends the applicant to the municipal office and to this office's counter."""
    env.insert(holder)
    env.wait(Screen.CARD_PROBLEM, LOAD)
    screen = env.window.current_screen()
    assert title in screen.title.text()
    assert todo in screen.todo.text()  # type: ignore[attr-defined]
    assert env.window.config.counter.name("ja") in screen.counter.text()  # type: ignore[attr-defined]
    env.window.lang_buttons["en"].click()
    assert "user-authentication certificate" in screen.title.text()
    assert "expired" in screen.title.text() or "revoked" in screen.title.text()
    assert env.window.config.counter.name("en") in screen.counter.text()  # type: ignore[attr-defined]
    env.remove()
    env.wait(Screen.INSERT_CARD, 1000)


# -- removal, cancel, wipe --------------------------------------------------------------------------


def _drive(env: Env, target: Screen) -> str:
    """Reach ``target``, leave something typed in; returns the partial PIN typed (if any)."""
    if target is Screen.CARD_PROBLEM:
        env.insert("expired")
        env.wait(target, LOAD)
        return ""
    if target is Screen.PIN_BLOCKED:
        env.insert("blocked")
        env.wait(target, LOAD)
        return ""
    if target is Screen.READING_CARD:
        env.kiosk.mock_cards.cards["valid"].faults.delay_at(1, 1.0)
        env.insert()
        env.wait(target)
        return ""
    if target is Screen.AUTH_PIN:
        to_auth_pin(env)
        env.keypad("731")
        return "731"
    if target is Screen.IDENTITY_PIN:
        to_auth_pin(env)
        env.keypad(AUTH_PIN)
        env.ok()
        env.wait(target)
        env.keyboard("QZX7W")
        return "QZX7W"
    if target is Screen.IDENTITY:
        to_identity(env)
        return ""
    if target is Screen.FORM:
        to_identity(env)
        env.window.current_screen().primary().click()
        env.wait(target)
        fill_form(env, DeliveryMethod.DIGITAL_PDF)
        return ""
    if target is Screen.REVIEW:
        to_review(env, DeliveryMethod.DIGITAL_PDF)
        return ""
    if target is Screen.SIGN_PIN:
        to_review(env)
        env.window.current_screen().primary().click()
        env.wait(target)
        env.keypad("QZX7W")
        return "QZX7W"
    if target is Screen.RECEIPT:
        to_receipt(env)
        return ""
    raise AssertionError(target)


@pytest.mark.parametrize(
    "target",
    [
        Screen.READING_CARD,
        Screen.AUTH_PIN,
        Screen.CARD_PROBLEM,
        Screen.PIN_BLOCKED,
        Screen.IDENTITY_PIN,
        Screen.IDENTITY,
        Screen.FORM,
        Screen.REVIEW,
        Screen.RECEIPT,
    ],
    ids=lambda s: s.value,
)
def test_removal_returns_to_start_and_wipes(env: Env, target: Screen) -> None:
    typed = _drive(env, target)
    assert env.screen is target
    env.window.lang_buttons["en"].click()
    started = time.monotonic()
    env.remove()
    if target is Screen.RECEIPT:  # the receipt stays after the card is taken, until Done
        receipt = env.window.model.receipt
        assert receipt is not None and env.screen is Screen.RECEIPT
        env.wait(Screen.RECEIPT, 300)
        screen = env.window.current_screen()
        assert screen.full_id.text() == receipt.request_id  # type: ignore[attr-defined]
        assert env.window.model.language == "en" and env.window.model.identity is None
        screen.primary().click()
    env.wait(Screen.INSERT_CARD, 1000)
    assert time.monotonic() - started < 1.0
    assert env.window.model.language == "ja"  # the next applicant starts in the default
    texts = kiosk_texts(env)
    for secret in (typed, "株式会社見本", HOLDER, "架空県見本市"):
        if secret:
            assert not any(secret in t for t in texts), secret
    for field in env.window.kiosk.findChildren(PinField):
        assert field.reveal() == ""
    for edit in env.window.kiosk.findChildren(QLineEdit):
        assert edit.text() == ""
    form = env.window.screens[Screen.FORM]
    assert isinstance(form, FormScreen)
    assert form.kinds.value() == form.deliveries.value() == form.purposes.value() == ""
    # the next card starts a fresh session
    env.insert()
    env.wait(Screen.AUTH_PIN, STEP)


def test_cancel_and_escape(env: Env, qtbot) -> None:  # type: ignore[no-untyped-def]
    to_auth_pin(env)
    env.keypad("12")
    assert env.window.cancel.isVisible()
    qtbot.mouseClick(env.window.cancel, Qt.MouseButton.LeftButton)
    assert env.window.confirming_cancel() and env.screen is Screen.AUTH_PIN  # asked first
    qtbot.mouseClick(env.window.confirm_yes, Qt.MouseButton.LeftButton)
    env.wait(Screen.INSERT_CARD, 1000)
    assert env.window.model.notice is Notice.TAKE_CARD  # the card is still in
    assert env.window.current_screen().take_card.isVisible()  # type: ignore[attr-defined]
    env.remove()
    to_auth_pin(env)
    qtbot.keyClick(env.pin_screen().field, Qt.Key.Key_Escape)
    assert env.window.confirming_cancel() and env.screen is Screen.AUTH_PIN  # Escape asks too
    qtbot.keyClick(env.window.confirm_no, Qt.Key.Key_Escape)  # and Escape again: "No"
    assert not env.window.confirming_cancel() and env.screen is Screen.AUTH_PIN
    qtbot.keyClick(env.pin_screen().field, Qt.Key.Key_Escape)
    qtbot.mouseClick(env.window.confirm_yes, Qt.MouseButton.LeftButton)
    env.wait(Screen.INSERT_CARD, 1000)


def test_keyboard_only(env: Env, qtbot) -> None:  # type: ignore[no-untyped-def]
    to_auth_pin(env)
    field = env.pin_screen().field
    assert field.hasFocus()  # focus lands in the PIN field
    qtbot.keyClicks(field, AUTH_PIN)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    env.wait(Screen.IDENTITY_PIN)
    field = env.pin_screen().field
    assert field.hasFocus()
    qtbot.keyClicks(field, SIGN_PIN)
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    qtbot.keyClick(field, Qt.Key.Key_4)
    qtbot.keyClick(field, Qt.Key.Key_Enter)
    env.wait(Screen.IDENTITY)
    confirm = env.window.current_screen().primary()
    assert confirm.hasFocus()
    qtbot.keyClick(confirm, Qt.Key.Key_Return)
    env.wait(Screen.FORM)
    form = env.form()
    first = form.kinds.buttons()[0]
    assert first.hasFocus()
    qtbot.keyClick(first, Qt.Key.Key_Space)
    assert form.kinds.value() == first.property("key")
    focus = QApplication.focusWidget()
    qtbot.keyClick(focus, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not focus  # Tab moves on
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert env.window.confirming_cancel()  # Escape asks, like the Cancel button
    assert QApplication.focusWidget() is env.window.confirm_no  # "No" is the default
    qtbot.keyClick(env.window.confirm_no, Qt.Key.Key_Backtab)  # Shift+Tab: "Yes, cancel"
    assert QApplication.focusWidget() is env.window.confirm_yes, QApplication.focusWidget()
    qtbot.keyClick(env.window.confirm_yes, Qt.Key.Key_Space)
    env.wait(Screen.INSERT_CARD, 1000)


# -- the idle timeout ----------------------------------------------------------------------------


def test_idle_timeout_with_countdown(make_env) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    env = make_env(clock=clock)
    config = env.window.config
    to_auth_pin(env)
    env.keypad("73")
    w = env.window
    clock.advance(config.idle_timeout - config.countdown - 1)
    env.qtbot.wait(250)  # two ticks of the idle timer: nothing to show yet
    assert not w.countdown.isVisible()
    clock.advance(2)
    env.qtbot.waitUntil(w.countdown.isVisible, timeout=1000)
    assert str(int(config.countdown) - 1) in w.countdown_text.text()
    env.qtbot.keyClick(env.pin_screen().field, Qt.Key.Key_1)  # any key restarts the timer
    env.qtbot.waitUntil(lambda: not w.countdown.isVisible(), timeout=1000)
    assert w.seconds_left() == pytest.approx(config.idle_timeout)
    clock.advance(config.idle_timeout + 1)
    env.wait(Screen.INSERT_CARD, 1000)
    assert all(f.reveal() == "" for f in w.kiosk.findChildren(PinField))
    assert not w.countdown.isVisible()


def test_idle_timeout_real_time(make_env) -> None:  # type: ignore[no-untyped-def]
    config = replace(load_config(), idle_timeout=1.5, countdown=1.0)
    env = make_env(config)
    to_auth_pin(env)
    env.qtbot.waitUntil(env.window.countdown.isVisible, timeout=2000)
    env.wait(Screen.INSERT_CARD, 2000)


def test_no_timeout_while_the_card_works(make_env) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    env = make_env(clock=clock)
    env.kiosk.mock_cards.cards["valid"].faults.delay_at(1, 1.0)
    env.insert()
    env.wait(Screen.READING_CARD, LOAD)
    assert not env.window.model.times_out
    clock.advance(500)
    env.wait(Screen.AUTH_PIN, LOAD)  # not cut short, and the timer starts afresh after it
    env.qtbot.wait(300)
    assert env.screen is Screen.AUTH_PIN


def test_cancel_while_the_card_works_is_immediate(env: Env) -> None:
    """The UI never blocks on the card: Cancel during a slow read acts at once, and the late
    result of the old session is ignored."""
    env.kiosk.mock_cards.cards["valid"].faults.delay_at(1, 1.5)
    env.insert()
    env.wait(Screen.READING_CARD, LOAD)
    assert env.window.worker.qthread.isRunning()
    assert env.window.worker.qthread is not QThread.currentThread()
    started = time.monotonic()
    env.window.cancel.click()
    env.window.confirm_yes.click()
    assert env.screen is Screen.INSERT_CARD
    assert time.monotonic() - started < 0.5
    env.qtbot.wait(1800)  # the old read finishes meanwhile
    assert env.screen is Screen.INSERT_CARD


# -- language --------------------------------------------------------------------------------------


def test_language_switch(env: Env) -> None:
    w = env.window
    title = w.current_screen().title
    assert title.text() == "マイナンバーカードを差し込んでください"
    w.lang_buttons["en"].click()
    assert title.text() == "Please insert your My Number card"
    assert w.institution.text() == w.config.institution_en
    to_auth_pin(env)
    pin = env.pin_screen()
    assert pin.title.text() == "Enter your user-authentication PIN"
    assert pin.status.text() == "3 tries left."
    assert w.cancel.text() == "Cancel"
    w.lang_buttons["ja"].click()
    assert pin.title.text() == "利用者証明用の暗証番号を入力してください"
    assert w.cancel.text() == "中止"
    assert QCoreApplication.translate("Pin", "OK") == "決定"
    w.lang_buttons["en"].click()
    assert QCoreApplication.translate("Pin", "OK") == "OK"
    assert w.screens[Screen.FORM].title.text() == "Your request"  # every screen, not just this one


def test_text_ap_identity_source(make_env) -> None:  # type: ignore[no-untyped-def]
    config = replace(load_config(), identity_source=IdentitySource.TEXT_AP)
    env = make_env(config)
    to_auth_pin(env)
    env.keypad(AUTH_PIN)
    env.ok()
    env.wait(Screen.IDENTITY_PIN)
    pin = env.pin_screen()
    assert pin.kind is PinKind.TEXT
    assert pin.numeric.isVisible() and not pin.alpha.isVisible()
    assert "券面事項入力補助用" in pin.why.text()
    env.keypad(TEXT_PIN)
    env.ok()
    env.wait(Screen.IDENTITY)
    assert env.window.current_screen().name.text() == HOLDER  # type: ignore[attr-defined]


# -- looks -------------------------------------------------------------------------------------------


def test_touch_targets_and_type_sizes(env: Env) -> None:
    from tests.screenshots import models

    w = env.window
    for lang in ("ja", "en"):
        for _stem, model, _pin in models(w.config, lang):
            w.show_model(model)
            screen = w.current_screen()
            for b in [
                *screen.findChildren(QAbstractButton),
                *w.header.findChildren(QAbstractButton),
            ]:
                if b.isVisible():
                    assert b.height() >= 64, (model.screen, b.text())
            for lab in screen.findChildren(QLabel):
                if lab.isVisible() and lab.text():
                    assert lab.font().pixelSize() >= 24, (model.screen, lab.text())
                    assert "Noto Sans CJK JP" in lab.font().families()


def test_screenshots(tmp_path: Path) -> None:
    """Every screen in both languages, each a real picture: not blank, with its texts drawn,
    in its language, and no two alike (a screen that rendered nothing, or the previous
    screen, or the other language, fails)."""
    import hashlib
    from collections import Counter

    from PySide6.QtGui import QImage

    from tests.screenshots import LANGUAGES, Shot, render_all

    size = (1024, 768)  # the smaller of the two sizes `make screenshots` renders
    shots: list[Shot] = []
    paths = render_all(tmp_path, shots=shots, sizes=(size,))
    stems = {p.name.rsplit("-", 1)[0] for p in paths}
    assert {s.value for s in Screen} <= stems
    assert len(paths) == len(stems) * len(LANGUAGES) == len(shots)
    japanese = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
    digests: dict[str, str] = {}
    for shot in shots:
        p = shot.path
        image = QImage(str(p)).convertToFormat(QImage.Format.Format_RGB32)
        assert (image.width(), image.height()) == size
        assert p.stat().st_size < 80_000
        pixels = Counter(array("I", bytes(image.constBits())))
        share = pixels.most_common(1)[0][1] / (image.width() * image.height())
        assert len(pixels) >= 32 and share < 0.9, (p.name, len(pixels), share)  # not blank
        assert shot.text_pixels > 2000, (p.name, shot.text_pixels)  # its texts are drawn
        words = " ".join(shot.texts)
        if shot.language == "ja":
            assert japanese.search(words), (p.name, shot.texts)
        else:  # English sentences (a holder's name may still be Japanese)
            assert re.search(r"[A-Za-z]{3,} [A-Za-z]{2,}", words), (p.name, shot.texts)
        digest = hashlib.sha256(bytes(image.constBits())).hexdigest()
        assert digest not in digests, f"{p.name} looks exactly like {digests.get(digest)}"
        digests[digest] = p.name


# -- translations ----------------------------------------------------------------------------------


def _messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    out = {}
    for ctx in ET.parse(ts).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for m in ctx.iter("message"):
            out[(name, m.findtext("source") or "")] = m
    return out


def qt_tool(name: str) -> list[str]:
    """The command that runs PySide6's ``name`` (lupdate, lrelease) for the running interpreter:
    the wrapper next to it, else the PySide6 module itself. Missing: skipped, but a failure on
    CI (CI is set), where the suite must run every test it can."""
    wrapper = Path(sys.executable).parent / f"pyside6-{name}"
    if wrapper.exists():
        return [str(wrapper)]
    try:
        import PySide6.scripts.pyside_tool as tool
    except ImportError:
        tool = None
    if tool is not None and hasattr(tool, name):
        return [
            sys.executable,
            "-c",
            f"import sys; from {tool.__name__} import {name}; sys.exit({name}())",
        ]
    message = f"pyside6-{name} is not installed for {sys.executable}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def test_translations_complete(tmp_path: Path) -> None:
    import subprocess

    sources = sorted(str(p) for p in (ROOT / "gui").rglob("*.py"))
    fresh = tmp_path / "fresh.ts"
    subprocess.run(
        [*qt_tool("lupdate"), *sources, "-ts", str(fresh)], check=True, capture_output=True
    )
    wanted = set(_messages(fresh))
    for lang in ("ja", "en"):
        ts = ROOT / "gui" / "i18n" / f"kiosk_{lang}.ts"
        messages = _messages(ts)
        assert wanted <= set(messages), f"{ts.name} lacks {sorted(wanted - set(messages))[:5]}"
        for key, m in messages.items():
            tr = m.find("translation")
            assert tr is not None and tr.text and tr.get("type") is None, (lang, key)
        translator = QTranslator()
        assert translator.load(str(ts.with_suffix(".qm")))
        stale = [
            key
            for key, m in messages.items()
            if translator.translate(key[0], key[1]) != (m.findtext("translation") or "")
        ]
        assert not stale, f"run pyside6-lrelease on {ts.name}: {stale[:3]}"


# -- the application, the worker, the card watch -------------------------------------------------

MAIN_CHILD = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from gui.app import main

app = QApplication([])
seen = []

def look():
    seen.extend(w for w in app.topLevelWidgets() if w.isVisible() and w.objectName() == "kiosk")
    app.quit()

QTimer.singleShot(500, look)
code = main(sys.argv[1:])
ok = code == 0 and len(seen) == 1 and seen[0].side_panel is not None
print("main", code, len(seen), "ok" if ok else "bad")
"""


def test_main_runs_the_mock_kiosk(tmp_path: Path) -> None:
    """``jpki-kiosk --reader mock`` (in a child process: ``app.exec()`` ends the application)."""
    import subprocess
    import sys

    args = [
        "--reader",
        "mock",
        "--ledger",
        str(tmp_path / "l.sqlite3"),
        "--printer",
        f"pdf:{tmp_path}",
    ]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", MAIN_CHILD, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok"), (done.stdout, done.stderr[-2000:])


def test_main_refuses_a_bad_config(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from gui.app import main

    bad = tmp_path / "kiosk.toml"
    bad.write_text("[kiosk]\nlanguage = 'fr'\n", encoding="utf-8")
    assert main(["--config", str(bad)]) == 2
    assert capsys.readouterr().err.startswith("jpki-kiosk: ")


def test_out_of_service_when_the_services_cannot_start(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def broken(_watch: object, _cards: object) -> object:
        raise OSError("the ledger database is unreachable")

    kiosk = build_kiosk(
        load_config(), reader="mock", services_factory=broken, ledger_url=tmp_path / "x"
    )
    qtbot.addWidget(kiosk.window)
    kiosk.window.show()
    kiosk.window.start()
    insert = kiosk.window.screens[Screen.INSERT_CARD]
    qtbot.waitUntil(insert.out_of_service.isVisible, timeout=5000)  # type: ignore[attr-defined]
    kiosk.watch.insert()  # a card still gets a clear answer, not a hang
    qtbot.waitUntil(lambda: kiosk.window.model.screen is Screen.CARD_PROBLEM, timeout=5000)
    kiosk.window.shut_down()


def test_pcsc_card_watch_crosses_threads(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    import apdu.pcsc
    from apdu.pcsc import CardEvent
    from gui.card_watch import PcscCardWatch

    class FakeWatcher:
        def __init__(self, callback) -> None:  # type: ignore[no-untyped-def]
            self.callback = callback

        def start(self) -> None:
            def run() -> None:
                self.callback(CardEvent("inserted", "Other Reader 00"))
                self.callback(CardEvent("inserted", "ACME Reader 01", b"\x3b"))
                self.callback(CardEvent("removed", "Other Reader 00"))
                self.callback(CardEvent("removed", "ACME Reader 01"))

            threading.Thread(target=run).start()

        def stop(self) -> None:
            pass

    monkeypatch.setattr(apdu.pcsc, "CardWatcher", FakeWatcher)
    watch = PcscCardWatch("acme")
    events: list[tuple[str, bool]] = []
    gui_thread = QThread.currentThread()
    watch.inserted.connect(lambda: events.append(("in", QThread.currentThread() is gui_thread)))
    watch.removed.connect(lambda: events.append(("out", QThread.currentThread() is gui_thread)))
    watch.start()
    qtbot.waitUntil(lambda: len(events) == 2, timeout=2000)
    assert events == [("in", True), ("out", True)]  # only the wanted reader, in the GUI thread
    assert watch.reader is None
    watch.stop()


def test_worker_turns_a_crash_into_an_event() -> None:
    from gui.flow import Authenticate, CardChecked, CardProblem, PinResult, ReadCard, Secret, Wipe
    from gui.worker import CardWorker

    class Exploding:
        def run(self, effect: object) -> object:
            raise RuntimeError("boom")

    worker = CardWorker(Exploding)
    got: list[object] = []
    worker.event_ready.connect(got.append)
    worker.run_effect(ReadCard(3, "ja"))
    worker.run_effect(Authenticate(3, Secret("1234"), "en"))
    worker.run_effect(Wipe())
    assert isinstance(got[0], CardChecked) and got[0].problem is CardProblem.UNREADABLE
    assert got[0].detail == "問題が発生しました。係員にお声がけください。"  # the effect's language
    assert isinstance(got[1], PinResult) and not got[1].ok
    assert got[1].error == "Something went wrong. Please ask the staff."
    assert len(got) == 2
