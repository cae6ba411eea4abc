"""Every journey an applicant can take alone at the kiosk (issue 15), through the real widgets of
the mock-mode kiosk at every kiosk size in both languages.

A journey is a row of :data:`JOURNEYS`: the card it starts with and its steps — taps on the
real buttons and keypad keys (tests/kiosk_driver.TouchKiosk), the card taken out, the idle
clock moved on. Every screen a journey reaches is asserted, and on each the layout checks of
tests/kiosk_layout.py run: every widget inside the window, no two interactive widgets
overlapping, every button and field large enough to touch.

One kiosk serves the whole module (resized per size; reset between journeys: card out, start
screen, PINs and faults restored). Busy screens (the card at work) are reached with a mock
card delay, so a removal lands while the worker is busy. The idle timeout runs on a fake
clock: no sleeping for a minute."""

from __future__ import annotations

import hashlib
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from PySide6.QtWidgets import QApplication

from gui.app import build_kiosk, setup_application
from gui.config import load_config
from gui.flow import CardProblem, Intent, Notice, Screen
from gui.screens.form import FormScreen
from gui.screens.pin import PinScreen
from gui.window import THUMB_PX
from jpki.requests import DeliveryMethod
from mock_card.profiles import make_card
from tests.kiosk_driver import LOAD_MS, TouchKiosk
from tests.kiosk_layout import SIZES, cancel_problems, layout_problems, touch_problems

AUTH_PIN, SIGN_PIN = "1234", "ABCD1234"
SLOW = 0.15  # s: how long the card takes over its first APDU, to see the card being read
TYPED_RECIPIENT = {"ja": "みほん", "en": "ACME"}  # typed on the touch keyboard

Step = Callable[[TouchKiosk], None]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class Journey:
    name: str
    steps: tuple[Step, ...]
    card: str = "valid"  # a key of the kiosk's mock cards (see CARD_SETUP)


# -- steps ---------------------------------------------------------------------------------------


def at(screen: Screen, timeout: int = 10000) -> Step:
    """The journey reaches ``screen`` (the layout checks run on it)."""
    return lambda k: k.arrive(screen, timeout)


def insert(k: TouchKiosk) -> None:
    k.insert(k.card_key)  # type: ignore[attr-defined]


def remove(k: TouchKiosk) -> None:
    k.remove()


def pin(text: str) -> Step:
    return lambda k: k.pin(text)


def typed(text: str) -> Step:
    """Keys on the keypad, no OK (left half typed)."""
    return lambda k: k.pin(text, ok=False)


def primary(k: TouchKiosk) -> None:
    button = k.current().primary()
    k.tap(button, button.text())


def cancel(k: TouchKiosk) -> None:
    """Cancel, asked and answered "Yes, cancel"."""
    tap_cancel(k)
    k.tap(k.window.confirm_yes, "Yes, cancel")


def cancel_but_continue(k: TouchKiosk) -> None:
    """Cancel, then "No, continue": the same screen, nothing lost."""
    before = entries(k)
    tap_cancel(k)
    assert k.screen is before[0]
    k.tap(k.window.confirm_no, "No, continue")
    assert not k.window.confirming_cancel() and entries(k) == before


def entries(k: TouchKiosk) -> tuple[object, ...]:
    """What the applicant has entered and been shown as theirs, as the screens hold it."""
    w = k.window
    form = w.screens[Screen.FORM]
    assert isinstance(form, FormScreen)
    screen = k.current()
    typed = screen.field.length() if isinstance(screen, PinScreen) else None
    return (
        k.screen,
        w.model.form,
        w.model.identity,
        typed,
        form.kinds.value(),
        form.copies.text(),
        form.deliveries.value(),
        form.purposes.value(),
        *(e.text() for e in (form.postal_code, form.address, form.recipient, form.purpose_other)),
        form.editing() and form.entry.line.text(),
    )


def switch_language(k: TouchKiosk) -> None:
    """Tap the other language and back: each time no text of the other language is left on
    the screen, everything entered is still there, and the layout holds."""
    start = k.window.model.language
    before = entries(k)
    data = applicant_data(k)
    for lang in ("en" if start == "ja" else "ja", start):
        k.tap(k.window.lang_buttons[lang], lang)
        assert k.window.model.language == lang
        left = k.other_language_texts(data)
        assert not left, f"{k.screen.value} in {lang} still shows {left}"
        assert entries(k) == before, k.screen
        k.check_now()


def applicant_data(k: TouchKiosk) -> tuple[str, ...]:
    """The applicant's own data, shown as it is in either language."""
    data = [TYPED_RECIPIENT["ja"], TYPED_RECIPIENT["en"]]
    for card in k.kiosk.mock_cards.cards.values():
        data += [card.holder.name, card.holder.address]
    return tuple(data)


def hold(k: TouchKiosk) -> None:
    """The card's next APDU waits (the next card work is seen busy) until :func:`release`."""
    k.hold_card(k.card_key)  # type: ignore[attr-defined]


def release(k: TouchKiosk) -> None:
    k.release_cards()


def slow_card(k: TouchKiosk) -> None:
    """The card's next APDU takes :data:`SLOW` s: the next card work is seen busy."""
    k.card(k.card_key).faults.delay_at(1, SLOW)  # type: ignore[attr-defined]


def expect(check: Callable[[TouchKiosk], bool], what: str) -> Step:
    def run(k: TouchKiosk) -> None:
        assert check(k), f"{what} on {k.screen.value}"

    return run


def notice(n: Notice) -> Step:
    """The model's notice is ``n``; on the start screen, also what it shows: why it started
    over (the timeout, the card out), and "take your card" or "insert your card", never both."""

    def run(k: TouchKiosk) -> None:
        assert k.window.model.notice is n, (k.window.model.notice, n)
        if k.screen is not Screen.INSERT_CARD:
            return
        start = k.current()
        why = n in (Notice.TIMED_OUT, Notice.CARD_REMOVED)
        assert start.why.isVisible() is why and (not why or start.why.text())
        take = k.window.model.card_present
        assert start.take_card.isVisible() is take
        assert start.title.isVisible() is not take  # "Please insert your My Number card"

    return run


def problem(p: CardProblem) -> Step:
    return expect(lambda k: k.window.model.problem is p, f"problem {p.value}")


def tries(n: int) -> Step:
    return expect(lambda k: k.window.model.tries_left == n, f"{n} tries left")


last_try_warning = expect(
    lambda k: k.current().status.property("role") == "danger", "the last-try warning"
)


def fill(delivery: DeliveryMethod, *, next_: bool = True, switch: bool = False) -> Step:
    """The form by touch: certificate, delivery (with its fields typed on the touch keyboard),
    purpose, and Next."""

    def run(k: TouchKiosk) -> None:
        form = k.current()
        assert isinstance(form, FormScreen)
        k.tap(form.kinds.button("transcript-ja"), "certificate")
        k.tap(form.deliveries.button(delivery.value), delivery.value)
        if delivery is DeliveryMethod.POSTAL:
            k.tap(form.postal_code, "postal code")
            k.type("1028160")
            k.check_now()  # the keyboard page
            k.tap(form.entry.done, "Done")
        if delivery is DeliveryMethod.DIGITAL_PDF:
            k.tap(form.recipient, "recipient")
            k.type(TYPED_RECIPIENT[k.window.model.language])
            k.check_now()
            if switch:
                switch_language(k)  # the keyboard page
            k.tap(form.entry.done, "Done")
        k.tap(form.purposes.button("job"), "purpose")
        if switch:
            switch_language(k)  # the form filled in
        if next_:
            k.tap(form.next, "Next")

    return run


def tap_cancel(k: TouchKiosk) -> None:
    """Cancel: the question comes first (its layout checked)."""
    k.tap(k.window.cancel, "Cancel")
    assert k.window.confirming_cancel()
    k.check_now()


def tap_no(k: TouchKiosk) -> None:
    k.tap(k.window.confirm_no, "No, continue")


def tap_back(k: TouchKiosk) -> None:
    k.tap(k.current().back, "Back")


def tap_next(k: TouchKiosk) -> None:
    k.tap(k.current().next, "Next")


def tap_ok(k: TouchKiosk) -> None:
    k.tap(k.current().ok, "OK")


def remember_form(k: TouchKiosk) -> None:
    k.remembered = k.window.model.form  # type: ignore[attr-defined]
    assert k.remembered is not None  # type: ignore[attr-defined]


def form_as_remembered(k: TouchKiosk) -> None:
    """The form (on the form screen: as the screen holds it) is the one remembered."""
    form = k.current()
    held = form.form() if isinstance(form, FormScreen) else k.window.model.form
    assert held == k.remembered, (held, k.remembered)  # type: ignore[attr-defined]


def idle_out(k: TouchKiosk) -> None:
    """Let the idle timeout run out: the countdown shows (checked), then the start screen."""
    config = k.window.config
    clock: FakeClock = k.clock  # type: ignore[attr-defined]
    idle = k.window._idle  # the window's idle timer: its ticks, driven here
    assert idle.isActive()
    clock.now += config.idle_timeout - config.countdown + 1
    idle.timeout.emit()
    assert k.window.countdown.isVisible()
    k.check_now()  # the countdown bar in the layout
    clock.now += config.countdown
    idle.timeout.emit()
    assert k.screen is Screen.INSERT_CARD and k.window.model.notice is Notice.TIMED_OUT


# the common beginnings
TO_AUTH: tuple[Step, ...] = (insert, at(Screen.AUTH_PIN, LOAD_MS))
TO_IDENTITY_PIN = (*TO_AUTH, pin(AUTH_PIN), at(Screen.IDENTITY_PIN))
TO_IDENTITY = (*TO_IDENTITY_PIN, pin(SIGN_PIN), at(Screen.IDENTITY))
TO_FORM = (*TO_IDENTITY, primary, at(Screen.FORM))
TO_REVIEW = (*TO_FORM, fill(DeliveryMethod.COUNTER), at(Screen.REVIEW))
OUT = (remove, at(Screen.INSERT_CARD))  # the card out: the start screen, clean


def check_my_requests(k: TouchKiosk) -> None:
    """On the start screen: "check my requests" instead of applying."""
    button = k.current().intents.button(Intent.CHECK_STATUS.value)  # type: ignore[attr-defined]
    k.tap(button, "check my requests")
    assert k.window.model.intent is Intent.CHECK_STATUS


def own_requests_listed(k: TouchKiosk) -> bool:
    """The status screen lists the requests the ledger holds for this card (the journeys
    before it may have made some), newest first, up to the screen's limit — no one else's."""
    services = k.window.worker.worker.services
    assert services is not None
    card = k.card(k.card_key)  # type: ignore[attr-defined]
    der = card.credentials.auth_cert.public_bytes(Encoding.DER)
    mine = services.ledger.list_requests(auth_cert_sha256=hashlib.sha256(der).hexdigest())  # type: ignore[attr-defined]
    shown = [line.request_id for line in k.window.model.my_requests]
    expected = sorted(mine, key=lambda r: r.submitted_at, reverse=True)
    return shown == [r.request_id for r in expected][: len(shown)] and len(shown) == min(
        len(mine), 20
    )


def still_in_their_language(k: TouchKiosk) -> None:
    assert k.window.model.language == k.language  # type: ignore[attr-defined]


# cancelled (or timed out) with the card still in: "take your card", in their language, until
# the card is out
STARTED_OVER = (at(Screen.INSERT_CARD), still_in_their_language, *OUT)
CANCELLED = (notice(Notice.TAKE_CARD), *STARTED_OVER)
TIMED_OUT = (notice(Notice.TIMED_OUT), *STARTED_OVER)


def happy(delivery: DeliveryMethod) -> Journey:
    return Journey(
        f"happy-{delivery.value}",
        (
            *TO_FORM,
            fill(delivery),
            at(Screen.REVIEW),
            primary,  # sign and send: the consent
            at(Screen.RECEIPT),
            expect(lambda k: k.window.model.receipt is not None, "a request number"),
            remove,  # take your card: the receipt stays
            at(Screen.RECEIPT),
            primary,  # Done
            at(Screen.INSERT_CARD),
        ),
    )


def removed_at(
    name: str, steps: tuple[Step, ...], card: str = "valid", *, why: Notice = Notice.CARD_REMOVED
) -> Journey:
    """Taken out half-way: the start screen says why it started over."""
    return Journey(f"removed-at-{name}", (*steps, *OUT, notice(why), release), card)


JOURNEYS: tuple[Journey, ...] = (
    *(happy(d) for d in DeliveryMethod),
    Journey(
        "wrong-pin-then-right",
        (
            *TO_AUTH,
            pin("9999"),
            at(Screen.AUTH_PIN),
            notice(Notice.WRONG_PIN),
            tries(2),
            pin(AUTH_PIN),
            at(Screen.IDENTITY_PIN),
            pin("WRONG1"),
            at(Screen.IDENTITY_PIN),
            notice(Notice.WRONG_PIN),
            tries(4),
            pin(SIGN_PIN),
            at(Screen.IDENTITY),
            *OUT,
        ),
    ),
    Journey(
        "last-try-then-right",
        (*TO_AUTH, tries(1), last_try_warning, pin(AUTH_PIN), at(Screen.IDENTITY_PIN), *OUT),
        "auth-last-try",
    ),
    Journey(
        "last-try-wrong-blocks",
        (
            *TO_AUTH,
            last_try_warning,
            pin("0000"),
            at(Screen.PIN_BLOCKED),
            primary,  # Done: the card is still in
            *CANCELLED,
        ),
        "auth-last-try",
    ),
    Journey(
        "sign-pin-last-try",
        (*TO_IDENTITY_PIN, tries(1), last_try_warning, pin(SIGN_PIN), at(Screen.IDENTITY), *OUT),
        "sign-last-try",
    ),
    Journey("blocked", (insert, at(Screen.PIN_BLOCKED, LOAD_MS), *OUT), "blocked"),
    Journey(
        "expired",
        (insert, at(Screen.CARD_PROBLEM, LOAD_MS), problem(CardProblem.EXPIRED), *OUT),
        "expired",
    ),
    Journey(
        "revoked",
        (insert, at(Screen.CARD_PROBLEM, LOAD_MS), problem(CardProblem.REVOKED), *OUT),
        "revoked",
    ),
    Journey(
        "juki-card",
        (
            insert,
            at(Screen.CARD_PROBLEM, LOAD_MS),
            problem(CardProblem.JUKI_CARD),
            switch_language,
            primary,  # Done
            *CANCELLED,
        ),
        "juki",
    ),
    # -- the card taken out at every screen (busy ones while the card works) --
    removed_at("reading-card", (slow_card, insert, at(Screen.READING_CARD, LOAD_MS))),
    removed_at("auth-pin", (*TO_AUTH, typed("12"))),
    removed_at("authenticating", (*TO_AUTH, hold, pin(AUTH_PIN), at(Screen.AUTHENTICATING))),
    removed_at("identity-pin", (*TO_IDENTITY_PIN, typed("ABC"))),
    removed_at(
        "reading-identity",
        (*TO_IDENTITY_PIN, hold, pin(SIGN_PIN), at(Screen.READING_IDENTITY)),
    ),
    removed_at("identity", TO_IDENTITY),
    removed_at("form", (*TO_FORM, fill(DeliveryMethod.COUNTER, next_=False))),
    removed_at("review", TO_REVIEW),
    removed_at("submitting", (*TO_REVIEW, hold, primary, at(Screen.SUBMITTING))),
    removed_at("cancel-question", (*TO_FORM, tap_cancel)),
    # the closing screens need no reason
    removed_at(
        "card-problem", (insert, at(Screen.CARD_PROBLEM, LOAD_MS)), "expired", why=Notice.NONE
    ),
    removed_at(
        "pin-blocked", (insert, at(Screen.PIN_BLOCKED, LOAD_MS)), "blocked", why=Notice.NONE
    ),
    # (the receipt: see the happy paths, where the card is taken out on it)
    # -- leaving: the idle timeout, Cancel --
    Journey("timeout-at-auth-pin", (*TO_AUTH, typed("12"), idle_out, *TIMED_OUT)),
    Journey(
        "timeout-at-form",
        (*TO_FORM, fill(DeliveryMethod.COUNTER, next_=False), idle_out, *TIMED_OUT),
    ),
    Journey("timeout-at-cancel-question", (*TO_IDENTITY, tap_cancel, idle_out, *TIMED_OUT)),
    Journey("cancel-at-auth-pin", (*TO_AUTH, typed("12"), cancel, *CANCELLED)),
    Journey("cancel-at-identity", (*TO_IDENTITY, cancel, *CANCELLED)),
    Journey(
        "cancel-at-form-but-continue",
        (
            *TO_FORM,
            fill(DeliveryMethod.COUNTER, next_=False),
            cancel_but_continue,
            tap_next,
            at(Screen.REVIEW),
            *OUT,
        ),
    ),
    Journey("cancel-at-review", (*TO_REVIEW, cancel, *CANCELLED)),
    # -- Back after the identity: nothing entered is lost --
    Journey(
        "back-and-forth",
        (
            *TO_REVIEW,
            remember_form,
            tap_back,
            at(Screen.FORM),
            form_as_remembered,
            tap_back,
            at(Screen.IDENTITY),
            primary,
            at(Screen.FORM),
            form_as_remembered,
            tap_next,
            at(Screen.REVIEW),
            form_as_remembered,
            primary,
            at(Screen.RECEIPT),
            remove,
            at(Screen.RECEIPT),
            primary,
            at(Screen.INSERT_CARD),
        ),
    ),
    # -- the language switched at every screen --
    Journey(
        "language-at-every-screen",
        (
            switch_language,  # the start screen
            insert,
            at(Screen.AUTH_PIN, LOAD_MS),
            typed("12"),
            switch_language,
            typed("34"),
            hold,
            tap_ok,
            at(Screen.AUTHENTICATING),
            switch_language,
            release,
            at(Screen.IDENTITY_PIN),
            typed("ABCD"),
            switch_language,
            typed("1234"),
            tap_ok,
            at(Screen.IDENTITY),
            switch_language,
            primary,
            at(Screen.FORM),
            fill(DeliveryMethod.DIGITAL_PDF, switch=True),
            at(Screen.REVIEW),
            switch_language,
            tap_cancel,
            switch_language,  # the cancel question
            tap_no,
            remember_form,
            tap_back,
            at(Screen.FORM),
            form_as_remembered,  # 「就職活動」 stays the job-application purpose
            switch_language,
            form_as_remembered,
            tap_next,
            at(Screen.REVIEW),
            hold,
            primary,
            at(Screen.SUBMITTING),
            switch_language,
            release,
            at(Screen.RECEIPT),
            switch_language,
            remove,
            at(Screen.RECEIPT),
            switch_language,
            primary,
            at(Screen.INSERT_CARD),
        ),
    ),
    Journey(
        "language-at-closing-screens",
        (
            insert,
            at(Screen.PIN_BLOCKED, LOAD_MS),
            switch_language,
            primary,
            at(Screen.INSERT_CARD),  # "take your card"
            switch_language,
            *OUT,
            notice(Notice.NONE),
        ),
        "blocked",
    ),
    Journey(
        "language-at-card-problem",
        (insert, at(Screen.CARD_PROBLEM, LOAD_MS), switch_language, *OUT),
        "revoked",
    ),
    # -- status lookup: "check my requests", the 4-digit PIN only, the card's own list
    Journey(
        "status-lookup",
        (
            check_my_requests,
            *TO_AUTH,
            pin(AUTH_PIN),
            at(Screen.STATUS, LOAD_MS),
            expect(own_requests_listed, "exactly this card's requests, newest first"),
            switch_language,
            at(Screen.STATUS),
            primary,  # Done
            at(Screen.INSERT_CARD),
            *OUT,
        ),
    ),
    Journey(
        "status-lookup-wrong-pin-then-removed",
        (
            check_my_requests,
            *TO_AUTH,
            pin("9999"),
            at(Screen.AUTH_PIN),
            notice(Notice.WRONG_PIN),
            tries(2),
            pin(AUTH_PIN),
            at(Screen.STATUS, LOAD_MS),
            *OUT,
            expect(lambda k: k.window.model.my_requests == (), "the list wiped"),
        ),
    ),
)

#: How each card of a journey starts (after every card's PINs and faults are restored).
CARD_SETUP: dict[str, Callable[[TouchKiosk], None]] = {
    "auth-last-try": lambda k: setattr(k.card("valid").pins["auth"], "tries_left", 1),
    "sign-last-try": lambda k: setattr(k.card("valid").pins["sign"], "tries_left", 1),
}
CARD_KEY = {"auth-last-try": "valid", "sign-last-try": "valid"}


# -- the kiosk -------------------------------------------------------------------------------------


def layout_check(k: TouchKiosk) -> None:
    problems = layout_problems(k.window) + touch_problems(k.window)
    problems += cancel_problems(k.window, round(THUMB_PX * k.window.scale))
    where = f"{k.window.width()}×{k.window.height()} {k.window.model.language} {k.screen.value}"
    assert not problems, f"{where}:\n" + "\n".join(problems[:12])


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TouchKiosk]:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    setup_application(app)
    tmp: Path = tmp_path_factory.mktemp("journeys")
    clock = FakeClock()
    built = build_kiosk(
        load_config(),
        reader="mock",
        ledger_url=tmp / "ledger.sqlite3",
        printer=f"pdf:{tmp / 'receipts'}",
        clock=clock,
    )
    cards = built.mock_cards
    juki = make_card("juki", pki=cards.pki, key_index=len(cards.cards))
    juki.remove()
    cards.cards["juki"] = juki
    k = TouchKiosk(built, check=layout_check)
    k.clock = clock  # type: ignore[attr-defined]
    built.window.show()
    built.window.start()
    yield k
    built.window.shut_down()
    built.window.close()


def reset(k: TouchKiosk) -> None:
    """Between journeys: the card out, the start screen, every card as new."""
    k.release_cards()
    k.remove()
    if k.screen is Screen.RECEIPT:
        k.tap(k.current().primary(), "Done")
    k.wait_until(lambda: k.screen is Screen.INSERT_CARD, 5000, "the start screen")
    for key, card in k.kiosk.mock_cards.cards.items():
        card.faults.clear()
        card.reset_pins()
        if key == "blocked":
            card.block_pin("auth")
    k.taps.clear()
    k.seen.clear()
    k.swipes = 0


@pytest.mark.parametrize("journey", JOURNEYS, ids=lambda j: j.name)
@pytest.mark.parametrize("language", ("ja", "en"))
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_journey(kiosk: TouchKiosk, size: tuple[int, int], language: str, journey: Journey) -> None:
    k = kiosk
    reset(k)
    if k.window.size().toTuple() != size:
        k.window.resize(*size)
        k.settle()
    assert k.window.size().toTuple() == size
    setup = CARD_SETUP.get(journey.card)
    if setup is not None:
        setup(k)
    k.card_key = CARD_KEY.get(journey.card, journey.card)  # type: ignore[attr-defined]
    k.language = language  # type: ignore[attr-defined]
    if language != k.window.model.language:
        k.tap(k.window.lang_buttons[language], language)
    k.arrive(Screen.INSERT_CARD)
    for step in journey.steps:
        step(k)
    assert k.screen is Screen.INSERT_CARD and not k.window.model.card_present
