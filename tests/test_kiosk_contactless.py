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
def test_a_lift_at_every_apdu_wipes_calmly_and_spends_no_pin_try(ledger: Ledger, work: str) -> None:
    card = contactless_card()
    transport = CountingTransport(card)
    services = KioskServices(
        CONFIG, counting_opener(card, transport), trust_store=MOCK_TRUST, ledger=ledger
    )
    kiosk = Kiosk(services, initial(CONFIG))
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


def test_a_removal_from_a_contact_reader_stays_an_error_then_the_start(ledger: Ledger) -> None:
    """The contact reader's behaviour is unchanged: a card pulled out mid-command ends on the
    error screen until the watch reports the removal (issue 15's earlier items)."""
    card = new_card()  # the contact ATR
    services = KioskServices(
        CONFIG,
        counting_opener(card, CountingTransport(card)),
        trust_store=MOCK_TRUST,
        ledger=ledger,
    )
    kiosk = Kiosk(services, initial(CONFIG))
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
