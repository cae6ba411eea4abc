"""The session's language reaches every message the kiosk composes: each effect carries it
(gui.flow), the services answer in it (gui.services), and the messages come from the Qt
translation files (gui.texts). The bug this guards: the Authenticate effect was built
without the language, so an English applicant whose card was pulled during authentication
read a Japanese error."""

from __future__ import annotations

import dataclasses
import re
import string
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import get_args

import pytest

from gui import texts
from gui.config import IdentitySource, load_config
from gui.flow import (
    Authenticate,
    CardChecked,
    CardInserted,
    ChooseIntent,
    ConfirmIdentity,
    ConfirmReview,
    Effect,
    Event,
    Finish,
    Identity,
    Intent,
    ListMyRequests,
    PinEntered,
    PinResult,
    ReadCard,
    ReadIdentity,
    RequestForm,
    RequestsListed,
    Screen,
    Secret,
    SetLanguage,
    SignAndSubmit,
    SubmitForm,
    Wipe,
    initial,
)
from gui.mock_panel import mock_card_opener
from gui.office_link import LocalLedgerSink
from gui.services import KioskServices
from gui.setup import ledger_config
from jpki import JpkiCard
from jpki.ledger import Ledger
from jpki.requests import DeliveryMethod
from jpki.trust import TrustStore
from mock_card import MockCard, MockPki
from tests.kiosk_driver import Kiosk

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("ja", "en")
AUTH_PIN, SIGN_PIN = "1234", "ABCD1234"
PKI = MockPki.demo()
TRUST = TrustStore.from_certificates([PKI.sign_ca_cert, PKI.auth_ca_cert])
CONFIG = load_config()
FORM = RequestForm("transcript-ja", copies=1, delivery=DeliveryMethod.COUNTER)
HOLDER = Identity("x", "y", date(1990, 4, 1), "2", IdentitySource.SIGN_CERTIFICATE)
#: every effect that ends in an event (Wipe ends in none and says nothing)
TALKING_EFFECTS = [cls for cls in get_args(Effect) if cls is not Wipe]
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")


def assert_in_language(message: str, language: str) -> None:
    assert message, "no message"
    assert bool(JAPANESE.search(message)) == (language == "ja"), (language, message)


def effect_of(cls: type, language: str, pin: str | None = None) -> Effect:
    if cls is ReadCard:
        return ReadCard(1, language)
    if cls is Authenticate:
        return Authenticate(1, Secret(pin or AUTH_PIN), language)
    if cls is ReadIdentity:
        return ReadIdentity(1, Secret(pin or SIGN_PIN), IdentitySource.SIGN_CERTIFICATE, language)
    if cls is ListMyRequests:
        return ListMyRequests(1, language)
    assert cls is SignAndSubmit
    return SignAndSubmit(1, Secret(pin or SIGN_PIN), FORM, HOLDER, language)


def message_of(event: Event | None) -> str:
    if isinstance(event, CardChecked):
        return event.detail
    if isinstance(event, RequestsListed):
        return event.error
    assert isinstance(event, PinResult), event
    return event.error


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(tmp_path / "l.sqlite3", config=ledger_config(CONFIG, TRUST, None)) as led:
        yield led


@pytest.fixture
def services(mock_card: MockCard, ledger: Ledger) -> KioskServices:
    return KioskServices(CONFIG, mock_card_opener(mock_card), trust_store=TRUST, ledger=ledger)


# -- the flow -------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", TALKING_EFFECTS, ids=lambda c: c.__name__)
def test_every_effect_requires_the_language(cls: type) -> None:
    field = {f.name: f for f in dataclasses.fields(cls)}["language"]
    assert field.default is dataclasses.MISSING
    assert field.default_factory is dataclasses.MISSING


class Recording:
    def __init__(self, inner: KioskServices) -> None:
        self.inner = inner
        self.effects: list[Effect] = []

    def run(self, effect: Effect) -> Event | None:
        self.effects.append(effect)
        return self.inner.run(effect)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_flow_builds_every_effect_in_the_session_language(
    services: KioskServices, language: str
) -> None:
    recording = Recording(services)
    kiosk = Kiosk(recording, initial(CONFIG))  # type: ignore[arg-type]
    kiosk.send(SetLanguage(language))
    kiosk.send(CardInserted(), Screen.AUTH_PIN)
    kiosk.send(PinEntered(Secret(AUTH_PIN)), Screen.IDENTITY_PIN)
    kiosk.send(PinEntered(Secret(SIGN_PIN)), Screen.IDENTITY)
    kiosk.send(ConfirmIdentity(), Screen.FORM)
    kiosk.send(SubmitForm(FORM), Screen.REVIEW)
    kiosk.send(ConfirmReview(), Screen.RECEIPT)  # the consent; the PIN was verified once
    receipt = kiosk.model.receipt
    kiosk.send(Finish(), Screen.INSERT_CARD)
    kiosk.send(ChooseIntent(Intent.CHECK_STATUS), Screen.INSERT_CARD)  # and their requests
    kiosk.send(CardInserted(), Screen.AUTH_PIN)
    kiosk.send(PinEntered(Secret(AUTH_PIN)), Screen.STATUS)
    talking = [e for e in recording.effects if not isinstance(e, Wipe)]
    assert {type(e) for e in talking} == set(TALKING_EFFECTS)
    assert {e.language for e in talking} == {language}
    assert receipt is not None
    assert_in_language(receipt.summary.splitlines()[-1], language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_card_pulled_out_during_authentication_is_told_in_the_session_language(
    mock_card: MockCard, services: KioskServices, language: str
) -> None:
    """The reported bug, end to end through the flow: the applicant reads the error in the
    language they chose, on the error screen."""
    kiosk = Kiosk(services, initial(CONFIG))
    kiosk.send(SetLanguage(language))
    kiosk.send(CardInserted(), Screen.AUTH_PIN)
    mock_card.faults.remove_at(3)  # after the VERIFY has been sent: mid-authentication
    kiosk.send(PinEntered(Secret(AUTH_PIN)), Screen.ERROR)
    assert kiosk.model.error == texts.text(language, texts.CARD_REMOVED)
    assert_in_language(kiosk.model.error, language)


# -- the services ---------------------------------------------------------------------------------


def _authenticated(services: KioskServices, language: str) -> None:
    checked = services.run(ReadCard(1, language))
    assert isinstance(checked, CardChecked) and checked.summary is not None, checked
    result = services.run(Authenticate(1, Secret(AUTH_PIN), language))
    assert isinstance(result, PinResult) and result.ok, result


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    # listing from the local ledger sends nothing to the card (through the office it signs
    # the office's challenge: tests/test_kiosk_status.py pulls the card out there)
    "cls",
    [c for c in TALKING_EFFECTS if c is not ListMyRequests],
    ids=lambda c: c.__name__,
)
def test_a_card_pulled_out_in_any_effect_is_told_in_its_language(
    mock_card: MockCard, services: KioskServices, cls: type, language: str
) -> None:
    if cls in (ReadIdentity, SignAndSubmit):
        _authenticated(services, language)
    elif cls is Authenticate:  # the session's card connection is opened by ReadCard
        assert isinstance(services.run(ReadCard(1, language)), CardChecked)
    mock_card.faults.remove_at(1)
    message = message_of(services.run(effect_of(cls, language)))
    assert message == texts.text(language, texts.CARD_REMOVED)
    assert_in_language(message, language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("cls", TALKING_EFFECTS, ids=lambda c: c.__name__)
def test_an_unexpected_failure_in_any_effect_is_told_in_its_language(
    mock_card: MockCard,
    ledger: Ledger,
    cls: type,
    language: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    @contextmanager
    def broken() -> Iterator[JpkiCard]:
        raise RuntimeError("a bug")
        yield  # pragma: no cover

    def broken_verify(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug")

    if cls is ReadCard:
        services = KioskServices(CONFIG, broken, trust_store=TRUST, ledger=ledger)
    else:  # the bug inside the effect, on the session's card
        services = KioskServices(
            CONFIG, mock_card_opener(mock_card), trust_store=TRUST, ledger=ledger
        )
        if cls is Authenticate:
            assert isinstance(services.run(ReadCard(1, language)), CardChecked)
        else:
            _authenticated(services, language)
        monkeypatch.setattr(JpkiCard, "verify_pin", broken_verify)
        monkeypatch.setattr(LocalLedgerSink, "my_requests", broken_verify)  # no PIN to verify
    message = message_of(services.run(effect_of(cls, language)))
    assert message == texts.text(language, texts.SOMETHING_WENT_WRONG)
    assert_in_language(message, language)
    assert "a bug" not in message


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "cls",
    [c for c in TALKING_EFFECTS if c not in (ReadCard, ListMyRequests)],  # no PIN
)
def test_a_malformed_pin_is_told_in_its_language(
    services: KioskServices, cls: type, language: str
) -> None:
    message = message_of(services.run(effect_of(cls, language, pin="1")))
    assert message == texts.text(language, texts.BAD_PIN_FORMAT)
    assert_in_language(message, language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("cls", [ReadIdentity, SignAndSubmit])
def test_a_step_before_authentication_is_refused_in_its_language(
    services: KioskServices, cls: type, language: str
) -> None:
    assert isinstance(services.run(ReadCard(1, language)), CardChecked)  # the card is held
    message = message_of(services.run(effect_of(cls, language)))
    assert message == texts.text(language, texts.NOT_AUTHENTICATED)
    assert_in_language(message, language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("cls", [Authenticate, ReadIdentity, SignAndSubmit])
def test_a_step_without_the_sessions_card_says_start_again_in_its_language(
    services: KioskServices, cls: type, language: str
) -> None:
    message = message_of(services.run(effect_of(cls, language)))  # no ReadCard: no card held
    assert message == texts.text(language, texts.START_AGAIN)
    assert_in_language(message, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refused_form_is_told_in_its_language(services: KioskServices, language: str) -> None:
    form = RequestForm(
        "transcript-ja", copies=1, delivery=DeliveryMethod.POSTAL, postal_address="架空県"
    )
    effect = SignAndSubmit(1, Secret(SIGN_PIN), form, HOLDER, language)
    message = message_of(services.run(effect))
    assert message == texts.text(language, texts.ENTER_POSTAL_CODE)
    assert_in_language(message, language)


# -- the messages ----------------------------------------------------------------------------------


def _messages(language: str) -> dict[str, str]:
    root = ET.parse(ROOT / "gui" / "i18n" / f"kiosk_{language}.ts").getroot()
    for context in root.iter("context"):
        if context.findtext("name") == texts.CONTEXT:
            return {
                m.findtext("source") or "": m.findtext("translation") or ""
                for m in context.iter("message")
            }
    return {}


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def _declared() -> list[str]:
    """Every message gui.texts declares (constants, and the months' names)."""
    found: list[str] = []
    for name, value in vars(texts).items():
        if not name.isupper() or name.endswith("CONTEXT"):
            continue
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, tuple):
            found += [v for v in value if isinstance(v, str)]
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_the_same_placeholders(language: str) -> None:
    table = _messages(language)
    declared = _declared()
    assert len(declared) >= 32
    assert set(declared) == set(table), "run pyside6-lupdate (see gui/i18n/__init__.py)"
    for source in declared:
        translated = table[source]
        assert _fields(translated) == _fields(source), (language, source)
        values = dict.fromkeys(_fields(source), "X")
        assert texts.text(language, source, **values) == translated.format(**values)
        if language == "ja":
            assert_in_language(translated, "ja")


def test_an_unknown_language_reads_in_english() -> None:
    assert texts.text("fr", texts.COPIES_RANGE, max=3) == "Choose 1 to 3 copies."
    assert texts.text("../../x", texts.CARD_REMOVED) == "The card left the reader."


def test_dates_read_as_each_language_writes_them() -> None:
    assert texts.date_text("ja", date(1990, 4, 1)) == "1990年4月1日"
    assert texts.date_text("en", date(1990, 4, 1)) == "1 April 1990"
    assert texts.date_text("en", date(2031, 12, 31)) == "31 December 2031"
