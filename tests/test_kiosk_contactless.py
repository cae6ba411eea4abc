"""Contact and contactless readers (issue 15, item 8): the kiosk's card words and picture
follow the configured reader type (``auto``: the ATR of the card), and a contactless card
lifted off the reader in the middle of a command is handled like a removal — nothing
half-done, no PIN try spent (read from the mock card), a calm "place the card again", and
a fresh session once the card is back."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from gui.config import ConfigError, ReaderType, load_config, parse_config
from gui.flow import (
    Cancel,
    CardChecked,
    CardInserted,
    CardRemoved,
    ConfirmIdentity,
    ConfirmReview,
    Event,
    Finish,
    Notice,
    PinEntered,
    PinResult,
    Screen,
    Secret,
    SubmitForm,
    Timeout,
    initial,
    step,
)
from gui.reader_kind import ReaderKind, is_contactless_atr, reader_kind
from gui.services import KioskServices
from gui.setup import ledger_config
from jpki.ledger import Ledger
from mock_card import MockCard
from mock_card.atrs import ATR_CONTACTLESS, ATRS, CONTACTLESS_ATRS
from tests.kiosk_driver import Kiosk
from tests.test_fault_matrix import CountingTransport, counting_opener, tries
from tests.test_kiosk_services import (
    AUTH_PIN,
    COUNTER_FORM,
    MOCK_TRUST,
    SIGN_PIN,
    new_card,
    stored,
)

CONFIG = load_config()

# -- the setting -----------------------------------------------------------------------------


def test_the_default_is_auto_and_each_value_is_read() -> None:
    assert CONFIG.reader_type is ReaderType.AUTO
    for value in ("contact", "contactless", "auto"):
        cfg = parse_config(f'[kiosk]\nreader = "{value}"\n')
        assert cfg.reader_type is ReaderType(value)


@pytest.mark.parametrize("value", ['"nfc"', '"Contact"', "1", '""', '["contact"]'])
def test_a_wrong_reader_type_is_a_clear_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match=r"kiosk\.reader must be contact \| contactless \| auto"):
        parse_config(f"[kiosk]\nreader = {value}\n")


def test_only_the_pcsc_part_3_atrs_are_contactless() -> None:
    for name, atr in ATRS.items():
        assert is_contactless_atr(atr) is (name in CONTACTLESS_ATRS), name
    assert not is_contactless_atr(b"") and not is_contactless_atr(bytes.fromhex("3B88"))


def test_the_kind_follows_the_setting_then_the_atr() -> None:
    contact = ATRS["2017"]
    assert reader_kind(ReaderType.CONTACT, ATR_CONTACTLESS) is ReaderKind.CONTACT
    assert reader_kind(ReaderType.CONTACTLESS, contact) is ReaderKind.CONTACTLESS
    assert reader_kind(ReaderType.AUTO) is ReaderKind.EITHER
    assert reader_kind(ReaderType.AUTO, ATR_CONTACTLESS) is ReaderKind.CONTACTLESS
    assert reader_kind(ReaderType.AUTO, contact) is ReaderKind.CONTACT
    assert reader_kind(ReaderType.AUTO, None, ReaderKind.CONTACTLESS) is ReaderKind.CONTACTLESS


# -- a lift in the middle of a command (the flow and the real services) ----------------------


def contactless_card() -> MockCard:
    return new_card(atr=ATR_CONTACTLESS)


#: the applicant's events of one flow (sign-certificate mode); the card work each one starts
STEPS: list[tuple[str, Callable[[MockCard], Event], Screen]] = [
    ("read card", lambda card: CardInserted(card.atr), Screen.AUTH_PIN),
    ("authenticate", lambda card: PinEntered(Secret(AUTH_PIN)), Screen.IDENTITY_PIN),
    ("read identity", lambda card: PinEntered(Secret(SIGN_PIN)), Screen.IDENTITY),
    ("confirm identity", lambda card: ConfirmIdentity(), Screen.FORM),
    ("form", lambda card: SubmitForm(COUNTER_FORM), Screen.REVIEW),
    ("sign and submit", lambda card: ConfirmReview(), Screen.RECEIPT),
]
CARD_WORK = ["read card", "authenticate", "read identity", "sign and submit"]
#: the command each lift sweep must have hit (INS, with data): the VERIFYs and the signature
MUST_HIT = {
    "authenticate": 0x20,  # VERIFY of the user-authentication PIN
    "read identity": 0x20,  # VERIFY of the signature PIN
    "sign and submit": 0x2A,  # COMPUTE DIGITAL SIGNATURE
}


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    path = tmp_path / "ledger.sqlite3"
    with Ledger.open(path, config=ledger_config(CONFIG, MOCK_TRUST, None)) as led:
        yield led


@pytest.fixture
def make_kiosk(ledger: Ledger) -> Iterator[Callable[[MockCard, CountingTransport], Kiosk]]:
    """A kiosk (flow and real services) on a card through a counting transport. Its services
    are closed at the end: an open card session holds the mock card's lock in this thread."""
    made: list[KioskServices] = []

    def make(card: MockCard, transport: CountingTransport) -> Kiosk:
        opener = counting_opener(card, transport)
        made.append(KioskServices(CONFIG, opener, trust_store=MOCK_TRUST, ledger=ledger))
        return Kiosk(made[-1], initial(CONFIG))

    yield make
    for services in made:
        services.close()


def play(kiosk: Kiosk, card: MockCard, until: str) -> None:
    """Play the steps before ``until``, each landing where it should."""
    for name, make, expected in STEPS:
        if name == until:
            return
        kiosk.send(make(card), expected)


def step_of(name: str) -> tuple[Callable[[MockCard], Event], Screen]:
    [(make, expected)] = [(m, e) for n, m, e in STEPS if n == name]
    return make, expected


def back_to_start(kiosk: Kiosk, card: MockCard) -> None:
    if kiosk.model.screen is not Screen.INSERT_CARD:
        kiosk.send(Cancel())
    if card.present:
        card.remove()
    kiosk.send(CardRemoved())
    kiosk.send(Timeout())  # a notice left on the insert screen goes with the idle timeout
    assert kiosk.model.screen is Screen.INSERT_CARD and kiosk.model.notice is Notice.NONE


@pytest.mark.parametrize("work", CARD_WORK)
def test_a_lift_at_every_apdu_wipes_calmly_and_spends_no_pin_try(
    make_kiosk: Callable[[MockCard, CountingTransport], Kiosk], ledger: Ledger, work: str
) -> None:
    card = contactless_card()
    transport = CountingTransport(card)
    kiosk = make_kiosk(card, transport)
    assert kiosk.model.reader is ReaderKind.EITHER  # auto, before any card
    make, expected = step_of(work)
    # a clean run: the commands this card work sends
    play(kiosk, card, work)
    transport.attempts.clear()
    kiosk.send(make(card), expected)
    commands = list(transport.attempts)
    assert len(commands) >= 2, commands  # signing: SELECT of the key, the signature
    assert kiosk.model.reader is ReaderKind.CONTACTLESS  # decided from the card's ATR
    back_to_start(kiosk, card)
    if work in MUST_HIT:
        assert any(c[1] == MUST_HIT[work] and len(c) > 5 for c in commands), commands
    rows = stored(ledger)

    for i in range(1, len(commands) + 1):
        where = f"{work}, lift at APDU {i}/{len(commands)} ({commands[i - 1][:4].hex()})"
        card.insert()
        play(kiosk, card, work)
        before, session = tries(card), kiosk.model.session
        card.faults.lift_at(i)
        model = kiosk.send(make(card))
        card.faults.clear()
        # like a removal: wiped, nothing half-done, a calm notice on the insert screen
        assert not card.present, where
        assert model.screen is Screen.INSERT_CARD, (where, model)
        assert model.notice is Notice.CARD_MOVED, where
        assert (model.identity, model.form, model.summary, model.receipt, model.tries) == (
            None,
            None,
            None,
            None,
            {},
        ), where
        assert model.session > session and not model.card_present, where
        assert tries(card) == before, where  # read from the mock card itself
        assert stored(ledger) == rows, where
        result = kiosk.results[-1]  # the card work's own report: the card gone
        assert isinstance(result, PinResult | CardChecked) and result.removed, where
        # the watch reports the card gone too: the notice stays
        assert kiosk.send(CardRemoved()).notice is Notice.CARD_MOVED, where
        # placed again: a fresh session from the start
        card.insert()
        again = kiosk.send(CardInserted(card.atr), Screen.AUTH_PIN)
        assert again.notice is Notice.NONE and again.session > model.session, where
        assert again.tries_left == before[0], where
        back_to_start(kiosk, card)

    # after every lift, a whole flow still goes through to one stored request
    card.insert()
    play(kiosk, card, "")
    assert kiosk.model.screen is Screen.RECEIPT and stored(ledger) == rows + 1
    assert tries(card) == (3, 5, 3)
    kiosk.send(Finish())


def test_a_removal_from_a_contact_reader_stays_an_error_then_the_start(
    make_kiosk: Callable[[MockCard, CountingTransport], Kiosk],
) -> None:
    """The contact reader's behaviour is unchanged: a card pulled out mid-command ends on the
    error screen until the watch reports the removal (issue 15's earlier items)."""
    card = new_card()  # the contact ATR
    kiosk = make_kiosk(card, CountingTransport(card))
    kiosk.send(CardInserted(card.atr), Screen.AUTH_PIN)
    assert kiosk.model.reader is ReaderKind.CONTACT
    card.faults.remove_at(3)
    kiosk.send(PinEntered(Secret(AUTH_PIN)), Screen.ERROR)
    assert kiosk.send(CardRemoved()).notice is Notice.NONE
    assert kiosk.model.screen is Screen.INSERT_CARD


def test_the_watchs_removal_during_card_work_is_a_lift_too() -> None:
    """On a contactless reader the watch may see the card go before the card work ends: the
    same calm notice, and the card work's late result is ignored."""
    model = replace(initial(CONFIG), reader=ReaderKind.CONTACTLESS)
    model, _ = step(model, CardInserted(ATR_CONTACTLESS))
    assert model.screen is Screen.READING_CARD
    lifted, effects = step(model, CardRemoved())
    assert lifted.screen is Screen.INSERT_CARD and lifted.notice is Notice.CARD_MOVED
    assert effects  # the Wipe
    late, _ = step(lifted, PinResult(model.session, ok=False, removed=True))
    assert late == lifted
    # nobody places it again: the idle timeout takes the notice away
    assert lifted.times_out
    idle, _ = step(lifted, Timeout())
    assert idle.screen is Screen.INSERT_CARD and idle.notice is Notice.NONE
    assert not idle.times_out


# -- the real widgets --------------------------------------------------------------------------

from gui.screens.insert import InsertCardScreen  # noqa: E402
from gui.screens.problem import EndScreen  # noqa: E402
from gui.screens.progress import ProgressScreen  # noqa: E402
from tests.test_kiosk_gui import AUTH_PIN as PANEL_AUTH_PIN  # noqa: E402
from tests.test_kiosk_gui import (  # noqa: E402
    LOAD,
    STEP,
    Env,
    FakeClock,
    make_env,  # noqa: F401 - the fixture
)
from tests.test_kiosk_gui import SIGN_PIN as PANEL_SIGN_PIN  # noqa: E402

#: (title, a phrase of the instructions, picture) by reader kind and language
WORDS = {
    ("contact", "ja"): (
        "マイナンバーカードを差し込んでください",
        "差し込んでください",
        "insert-card.svg",
    ),
    ("contact", "en"): ("Please insert your My Number card", "chip end first", "insert-card.svg"),
    ("contactless", "ja"): (
        "カードをリーダーに置いてください",
        "読み取りが終わるまで動かさないでください",
        "place-card.svg",
    ),
    ("contactless", "en"): (
        "Please place your card on the reader",
        "keep it still until reading ends",
        "place-card.svg",
    ),
    ("either", "ja"): (
        "カードを差し込むか、置いてください",
        "差し込むか、平らに置いてください",
        "insert-card.svg",
    ),
    ("either", "en"): (
        "Please insert or place your card",
        "or lay it flat on the reader",
        "insert-card.svg",
    ),
}
KEEP = {
    ("contact", "ja"): "カードを抜かないでください。",
    ("contactless", "ja"): "読み取りが終わるまでカードを動かさないでください。",
    ("contactless", "en"): "Do not move your card until reading ends.",
}
PLACE_AGAIN_JA = "読み取りの途中でカードがリーダーから離れました。何も行っていません"


def insert_screen(env: Env) -> InsertCardScreen:
    screen = env.window.screens[Screen.INSERT_CARD]
    assert isinstance(screen, InsertCardScreen)
    return screen


def assert_insert_words(env: Env, kind: str, language: str) -> None:
    title, how, picture = WORDS[(kind, language)]
    env.window.lang_buttons[language].click()
    screen = insert_screen(env)
    assert env.window.current_screen() is screen
    assert screen.title.text() == title
    assert how in screen.how.text()
    assert screen.picture_path.name == picture and screen.picture_path.is_file()
    assert screen.picture.renderer().isValid()


@pytest.mark.parametrize("kind", ["contact", "contactless"])
def test_the_insert_screen_follows_the_configured_reader(make_env, kind: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    env = make_env(replace(load_config(), reader_type=ReaderType(kind)))
    for language in ("ja", "en", "ja"):
        assert_insert_words(env, kind, language)
    progress = env.window.screens[Screen.AUTHENTICATING]
    assert isinstance(progress, ProgressScreen)
    progress.present(env.window.model, True)  # rendered for this kiosk's reader
    assert progress.keep.text() == KEEP[(kind, "ja")]


def test_auto_switches_on_the_contactless_atr_and_back(make_env) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    env = make_env()
    assert env.window.config.reader_type is ReaderType.AUTO
    assert_insert_words(env, "either", "en")
    assert_insert_words(env, "either", "ja")
    env.window.side_panel.contactless.setChecked(True)  # the mock panel's NFC reader
    env.insert()
    env.wait(Screen.AUTH_PIN, LOAD)
    assert env.window.model.reader is ReaderKind.CONTACTLESS
    env.window.cancel.click()  # the card still on the reader: "take it off"
    env.window.confirm_yes.click()  # "stop the application?" yes
    env.wait(Screen.INSERT_CARD)
    screen = insert_screen(env)
    assert screen.take_card.isVisible()
    assert screen.take_card.text().startswith("カードをリーダーから取ってください。")
    assert_insert_words(env, "contactless", "ja")
    assert_insert_words(env, "contactless", "en")
    env.remove()
    env.window.side_panel.contactless.setChecked(False)
    env.insert()  # the card in a contact reader (its own 2017 ATR): the words follow it
    env.wait(Screen.AUTH_PIN, STEP)
    assert env.window.model.reader is ReaderKind.CONTACT
    env.remove()
    env.wait(Screen.INSERT_CARD)
    assert_insert_words(env, "contact", "ja")


def on_nfc_reader(env: Env) -> MockCard:
    """The mock panel's valid card, on its contactless reader (a PC/SC part 3 ATR)."""
    env.window.side_panel.contactless.setChecked(True)
    card = env.kiosk.mock_cards.cards["valid"]
    assert is_contactless_atr(card.atr)
    return card


def tries_of(card: MockCard) -> tuple[int, int]:
    return card.pin_tries_left("auth"), card.pin_tries_left("sign")


@pytest.mark.parametrize("where", ["auth-verify", "sign-verify", "signature"])
def test_a_card_lifted_mid_command_in_the_kiosk(make_env, where: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    clock = FakeClock()
    env = make_env(clock=clock)
    card = on_nfc_reader(env)
    env.insert()
    env.wait(Screen.AUTH_PIN, LOAD)
    if where == "auth-verify":
        card.faults.lift_at(1)  # Authenticate's first command is the VERIFY (EF kept selected)
    env.keypad(PANEL_AUTH_PIN)
    env.ok()
    if where != "auth-verify":
        env.wait(Screen.IDENTITY_PIN)
        if where == "sign-verify":
            card.faults.lift_at(2)  # SELECT of the PIN's EF, then its VERIFY
        env.keyboard(PANEL_SIGN_PIN.lower())
        env.ok()
    if where == "signature":
        env.wait(Screen.IDENTITY)
        env.window.current_screen().primary().click()
        env.wait(Screen.FORM)
        from tests.test_kiosk_gui import fill_form

        fill_form(env)
        env.form().next.click()
        env.wait(Screen.REVIEW)
        card.faults.lift_at(2)  # SELECT of the key, then COMPUTE DIGITAL SIGNATURE
        env.window.current_screen().primary().click()
    before = (3, 5)
    env.wait(Screen.INSERT_CARD)
    model = env.window.model
    assert model.notice is Notice.CARD_MOVED and not card.present
    assert tries_of(card) == before  # from the mock card, not the kiosk
    with env.ledger() as ledger:
        assert sum(ledger.count().values()) == 0
    screen = insert_screen(env)
    assert screen.why.isVisible() and screen.why.text().startswith(PLACE_AGAIN_JA)
    assert screen.why.property("role") == "notice"  # the start screen's calm notice, not danger
    assert not screen.take_card.isVisible()
    assert all(  # nothing of the applicant left on any screen
        not isinstance(s, EndScreen) or s.model is None for s in env.window.screens.values()
    )
    # placed again: a fresh session, the notice gone
    env.insert()
    env.wait(Screen.AUTH_PIN, STEP)
    assert env.window.model.session > model.session and env.window.model.notice is Notice.NONE
    assert not screen.why.isVisible()
    assert env.window.model.tries_left == 3 and "3" in env.pin_screen().status.text()


def test_the_place_again_notice_goes_with_the_idle_timeout(make_env) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    clock = FakeClock()
    env = make_env(clock=clock)
    card = on_nfc_reader(env)
    env.insert()
    env.wait(Screen.AUTH_PIN, LOAD)
    card.faults.lift_at(1)
    env.keypad(PANEL_AUTH_PIN)
    env.ok()
    env.qtbot.waitUntil(lambda: env.window.model.notice is Notice.CARD_MOVED, timeout=STEP)
    clock.advance(env.window.config.idle_timeout + 1)
    env.qtbot.waitUntil(lambda: env.window.model.notice is Notice.NONE, timeout=2000)
    assert env.screen is Screen.INSERT_CARD and not insert_screen(env).why.isVisible()
