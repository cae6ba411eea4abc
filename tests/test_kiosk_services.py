"""gui.services: the kiosk's effects run for real — the flow (gui.flow.step) driven against an
in-process MockCard, the mock CAs as trust anchors, and an SQLite ledger file."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

import jpki.textap
from gui.config import IdentitySource, KioskConfig, load_config
from gui.flow import (
    Authenticate,
    CardChecked,
    CardInserted,
    CardProblem,
    CardRemoved,
    ConfirmIdentity,
    ConfirmReview,
    Finish,
    Identity,
    Notice,
    PinEntered,
    PinResult,
    ReadCard,
    ReadIdentity,
    RequestForm,
    Screen,
    Secret,
    SetLanguage,
    SignAndSubmit,
    SubmitForm,
    Wipe,
    initial,
    step,
)
from gui.forms import form_problem
from gui.mock_panel import mock_card_opener
from gui.services import KioskServices
from gui.setup import CardOpener, ledger_config, pcsc_card_opener
from jpki import JpkiCard
from jpki.certs import JST
from jpki.cms import verify_cms
from jpki.layout import CertKind, PinKind
from jpki.ledger import Ledger, LedgerConfig, Status
from jpki.requests import (
    ConvenienceStoreDelivery,
    CounterDelivery,
    DeliveryMethod,
    DigitalPdfDelivery,
    PostalDelivery,
)
from jpki.trust import CrlStore, Purpose, TrustStore
from mock_card import CardProfile, MockCard, MockPki
from mock_card.profiles import make_card
from tests.kiosk_driver import Kiosk as BaseKiosk

# PINs chosen so that they cannot turn up by chance in the logs checked below (no years,
# dates or line numbers; the signature PIN has letters outside hexadecimal).
AUTH_PIN = "7305"
SIGN_PIN = "KQ7305ZX"
TEXT_PIN = "8146"
PINS = (AUTH_PIN, SIGN_PIN, TEXT_PIN)

PKI = MockPki.demo()
MOCK_TRUST = TrustStore.from_certificates([PKI.sign_ca_cert, PKI.auth_ca_cert])
CONFIG = load_config()
TEXT_CONFIG = replace(CONFIG, identity_source=IdentitySource.TEXT_AP)
COUNTER_FORM = RequestForm("transcript-ja", copies=2, delivery=DeliveryMethod.COUNTER)


def new_card(**kwargs: object) -> MockCard:
    return MockCard(auth_pin=AUTH_PIN, sign_pin=SIGN_PIN, text_pin=TEXT_PIN, **kwargs)  # type: ignore[arg-type]


class Kiosk(BaseKiosk):
    """The shared driver, with the walks these tests take through the flow."""

    def to_identity_pin(self) -> None:
        self.send(CardInserted())
        assert self.screen() is Screen.AUTH_PIN, self.model
        self.send(PinEntered(Secret(AUTH_PIN)))
        assert self.screen() is Screen.IDENTITY_PIN, self.model

    def to_review(self, form: RequestForm = COUNTER_FORM, identity_pin: str = SIGN_PIN) -> None:
        self.to_identity_pin()
        self.send(PinEntered(Secret(identity_pin)))
        assert self.screen() is Screen.IDENTITY, self.model
        self.send(ConfirmIdentity())
        self.send(SubmitForm(form))
        assert self.screen() is Screen.REVIEW, self.model

    def to_sign_pin(self, form: RequestForm = COUNTER_FORM) -> None:
        """Text-AP mode only: there the signature PIN is asked for after the review."""
        assert self.model.config.identity_source is IdentitySource.TEXT_AP
        self.to_review(form, identity_pin=TEXT_PIN)
        self.send(ConfirmReview())
        assert self.screen() is Screen.SIGN_PIN, self.model

    def to_receipt(self, form: RequestForm = COUNTER_FORM, identity_pin: str = SIGN_PIN) -> None:
        """Sign-certificate mode: the signature PIN once, the review is the consent."""
        self.to_review(form, identity_pin)
        self.send(ConfirmReview())
        assert self.screen() is Screen.RECEIPT, self.model


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(
        tmp_path / "ledger.sqlite3", config=ledger_config(CONFIG, MOCK_TRUST, None)
    ) as led:
        yield led


@pytest.fixture
def mock_card() -> MockCard:
    return new_card()


def make_kiosk(
    mock_card: MockCard,
    ledger: Ledger,
    *,
    config: KioskConfig = CONFIG,
    trust: TrustStore = MOCK_TRUST,
    crls: CrlStore | None = None,
    clock: object = None,
) -> Kiosk:
    services = KioskServices(
        config,
        mock_card_opener(mock_card),
        trust_store=trust,
        crls=crls,
        ledger=ledger,
        clock=clock,  # type: ignore[arg-type]
    )
    return Kiosk(services, initial(config))


def switchable_opener(current: list[MockCard]) -> CardOpener:
    """Opens whichever card ``current[0]`` is at the time (cards swapped between effects)."""

    def opener() -> AbstractContextManager[JpkiCard]:
        return mock_card_opener(current[0])()

    return opener


def stored(ledger: Ledger) -> int:
    return sum(ledger.count().values())


# -- the happy path -----------------------------------------------------------------------------


def test_happy_path_stores_a_verified_request_by_the_cards_holder(
    mock_card: MockCard, ledger: Ledger
) -> None:
    kiosk = make_kiosk(mock_card, ledger)
    kiosk.to_receipt()

    receipt = kiosk.model.receipt
    assert receipt is not None
    assert "成績証明書（和文）" in receipt.summary and "600円" in receipt.summary
    [record] = ledger.list_requests()
    assert record.request_id == receipt.request_id
    assert record.status is Status.SUBMITTED

    verification = verify_cms(
        record.signature, record.document, trust_store=MOCK_TRUST, purpose=Purpose.SIGNATURE
    )
    assert verification.valid, verification.message
    assert verification.signer_certificate == mock_card.credentials.sign_cert
    assert verification.holder is not None
    assert verification.holder.name == mock_card.holder.name
    assert verification.holder.birth_date == mock_card.holder.birth_date

    request = record.request
    assert request.applicant.name == mock_card.holder.name
    assert request.applicant.address == mock_card.holder.address
    assert request.applicant.certificate_serial == format(
        mock_card.credentials.sign_cert.serial_number, "x"
    )
    assert request.kind == "transcript-ja" and request.copies == 2
    assert isinstance(request.delivery, CounterDelivery)
    assert request.kiosk_id == CONFIG.kiosk_id and request.language == "ja"

    # the card was read once, authenticated, its identity and signature made: no try spent
    assert [mock_card.pin_tries_left(k) for k in ("auth", "sign", "text")] == [3, 5, 3]
    kinds = [type(e).__name__ for e in kiosk.results]
    assert kinds == ["CardChecked", "PinResult", "PinResult", "PinResult"]
    checked = kiosk.results[0]
    assert isinstance(checked, CardChecked) and checked.summary is not None
    assert checked.summary.serial == format(mock_card.credentials.auth_cert.serial_number, "X")
    assert checked.summary.not_after == (
        mock_card.credentials.auth_cert.not_valid_after_utc.astimezone(JST).date().isoformat()
    )
    assert not checked.summary.renewal_open

    kiosk.send(Finish())
    assert kiosk.screen() is Screen.INSERT_CARD


def test_the_session_language_goes_into_the_request_and_the_receipt(
    mock_card: MockCard, ledger: Ledger
) -> None:
    kiosk = make_kiosk(mock_card, ledger)
    kiosk.send(SetLanguage("en"))
    kiosk.to_receipt(RequestForm("transcript-en", purpose="job application"))
    assert kiosk.model.receipt is not None
    assert "Academic transcript (English) × 1 (fee ¥300)" in kiosk.model.receipt.summary
    [record] = ledger.list_requests()
    assert record.request.language == "en"
    assert record.request.purpose == "job application"


@pytest.mark.parametrize("delivery", list(DeliveryMethod))
def test_each_delivery_is_put_into_the_request(
    mock_card: MockCard, ledger: Ledger, delivery: DeliveryMethod
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    kiosk = make_kiosk(mock_card, ledger, clock=lambda: now)
    form = RequestForm(
        "graduation-ja",
        delivery=delivery,
        postal_address="〒１０２－８１６０ 東京都千代田区見本町1-2-3",
        recipient="Example Corp.",
    )
    kiosk.to_receipt(form)
    [record] = ledger.list_requests()
    d = record.request.delivery
    assert record.request.time == now
    assert kiosk.model.receipt is not None
    summary = kiosk.model.receipt.summary
    if delivery is DeliveryMethod.POSTAL:
        assert isinstance(d, PostalDelivery)
        assert d.postal_code == "102-8160" and d.country == "JP"
        assert d.recipient == mock_card.holder.name and d.address == form.postal_address
    elif delivery is DeliveryMethod.CONVENIENCE_STORE:
        assert isinstance(d, ConvenienceStoreDelivery)
        deadline = now.astimezone(JST).date() + timedelta(days=CONFIG.print_deadline_days)
        assert d.print_deadline == deadline
        # the signed date, as Japanese writes it (gui/next_steps.py: one deadline rule)
        assert f"{deadline.year}年{deadline.month}月{deadline.day}日までに印刷" in summary
    elif delivery is DeliveryMethod.DIGITAL_PDF:
        assert isinstance(d, DigitalPdfDelivery) and d.recipient == "Example Corp."
        assert f"リンクが送られた日から{CONFIG.pdf_download_days}日以内" in summary
    else:
        assert isinstance(d, CounterDelivery)


def test_a_postal_address_without_postal_code_is_refused_before_the_sign_pin_is_sent(
    mock_card: MockCard, ledger: Ledger
) -> None:
    form = RequestForm(
        "transcript-ja", delivery=DeliveryMethod.POSTAL, postal_address="東京都千代田区"
    )
    assert form_problem(CONFIG, form, language="en") is not None
    kiosk = make_kiosk(mock_card, ledger, config=TEXT_CONFIG)
    kiosk.to_sign_pin()  # through the flow with a good form ...
    # ... the flow itself keeps such a form on the form screen, saying why
    on_form = replace(kiosk.model, screen=Screen.FORM)
    refused, effects = step(on_form, SubmitForm(form))
    assert refused.screen is Screen.FORM and "郵便番号" in refused.form_problem and effects == []
    # and the services refuse it too, should an effect carry it, before the PIN is sent
    assert kiosk.model.identity is not None
    before = mock_card.apdu_count
    result = kiosk.services.run(
        SignAndSubmit(kiosk.model.session, Secret(SIGN_PIN), form, kiosk.model.identity, "ja")
    )
    assert isinstance(result, PinResult) and not result.ok and "郵便番号" in result.error
    assert mock_card.apdu_count == before and mock_card.pin_tries_left("sign") == 5
    assert stored(ledger) == 0


# -- PINs ---------------------------------------------------------------------------------------


def test_wrong_auth_pin_then_right(mock_card: MockCard, ledger: Ledger) -> None:
    kiosk = make_kiosk(mock_card, ledger)
    kiosk.send(CardInserted())
    kiosk.send(PinEntered(Secret("0000")))
    assert kiosk.screen() is Screen.AUTH_PIN and kiosk.model.notice is Notice.WRONG_PIN
    assert kiosk.model.tries_left == 2 and mock_card.pin_tries_left("auth") == 2
    last = kiosk.results[-1]
    assert isinstance(last, PinResult) and last.remaining == 2 and not last.blocked
    kiosk.send(PinEntered(Secret(AUTH_PIN)))
    assert kiosk.screen() is Screen.IDENTITY_PIN
    assert mock_card.pin_tries_left("auth") == 3 and kiosk.model.tries[PinKind.AUTH] == 3


def test_last_try_then_blocked(mock_card: MockCard, ledger: Ledger) -> None:
    kiosk = make_kiosk(mock_card, ledger)
    kiosk.send(CardInserted())
    kiosk.send(PinEntered(Secret("0000")))
    kiosk.send(PinEntered(Secret("1111")))
    assert kiosk.screen() is Screen.AUTH_PIN and kiosk.model.last_try
    assert mock_card.pin_tries_left("auth") == 1
    kiosk.send(PinEntered(Secret("2222")))
    assert kiosk.screen() is Screen.PIN_BLOCKED and kiosk.model.blocked_pin is PinKind.AUTH
    assert mock_card.pin_tries_left("auth") == 0
    last = kiosk.results[-1]
    assert isinstance(last, PinResult) and last.blocked and "municipal office" in last.error

    # the next applicant's card read shows it blocked at once: no PIN screen
    kiosk.send(Finish())
    kiosk.send(CardInserted())
    assert kiosk.screen() is Screen.PIN_BLOCKED


def test_a_blocked_card_goes_straight_to_the_blocked_screen(
    mock_card: MockCard, ledger: Ledger
) -> None:
    mock_card.block_pin("auth")
    kiosk = make_kiosk(mock_card, ledger)
    kiosk.send(CardInserted())
    checked = kiosk.results[0]
    assert isinstance(checked, CardChecked) and checked.summary is not None
    assert checked.summary.auth_tries == 0
    assert kiosk.screen() is Screen.PIN_BLOCKED and kiosk.model.blocked_pin is PinKind.AUTH


def test_wrong_sign_pin_at_identity_then_right_and_no_second_entry(
    mock_card: MockCard, ledger: Ledger
) -> None:
    kiosk = make_kiosk(mock_card, ledger)
    kiosk.to_identity_pin()
    kiosk.send(PinEntered(Secret("WRONG1")))
    assert kiosk.screen() is Screen.IDENTITY_PIN and kiosk.model.notice is Notice.WRONG_PIN
    assert mock_card.pin_tries_left("sign") == 4 and kiosk.model.tries_left == 4
    kiosk.send(PinEntered(Secret(SIGN_PIN)))
    assert kiosk.screen() is Screen.IDENTITY and mock_card.pin_tries_left("sign") == 5
    kiosk.send(ConfirmIdentity())
    kiosk.send(SubmitForm(COUNTER_FORM))
    kiosk.send(ConfirmReview())  # the consent: no second PIN entry
    assert kiosk.screen() is Screen.RECEIPT and stored(ledger) == 1


def test_wrong_sign_pin_at_submission_then_right_in_text_ap_mode(
    mock_card: MockCard, ledger: Ledger
) -> None:
    kiosk = make_kiosk(mock_card, ledger, config=TEXT_CONFIG)
    kiosk.to_sign_pin()
    kiosk.send(PinEntered(Secret("WRONG1")))
    assert kiosk.screen() is Screen.SIGN_PIN and kiosk.model.notice is Notice.WRONG_PIN
    assert mock_card.pin_tries_left("sign") == 4 and kiosk.model.tries_left == 4
    assert stored(ledger) == 0
    kiosk.send(PinEntered(Secret(SIGN_PIN)))
    assert kiosk.screen() is Screen.RECEIPT and stored(ledger) == 1


def test_a_blocked_sign_pin_at_identity(mock_card: MockCard, ledger: Ledger) -> None:
    kiosk = make_kiosk(mock_card, ledger)
    kiosk.to_identity_pin()
    mock_card.block_pin("sign")
    kiosk.send(PinEntered(Secret(SIGN_PIN)))
    assert kiosk.screen() is Screen.PIN_BLOCKED and kiosk.model.blocked_pin is PinKind.SIGN


@pytest.mark.parametrize(
    ("screen", "bad"),
    [
        (Screen.AUTH_PIN, "12a4"),
        (Screen.AUTH_PIN, "730"),
        (Screen.AUTH_PIN, "73055"),
        (Screen.IDENTITY_PIN, "ABCDEF"),
        (Screen.SIGN_PIN, "12345678"),
        (Screen.SIGN_PIN, "KQ7305ZX!"),
    ],
)
def test_a_malformed_pin_never_reaches_the_card(
    mock_card: MockCard, ledger: Ledger, screen: Screen, bad: str
) -> None:
    kiosk = make_kiosk(mock_card, ledger)
    if screen is Screen.AUTH_PIN:
        kiosk.send(CardInserted())
    elif screen is Screen.IDENTITY_PIN:
        kiosk.to_identity_pin()
    else:
        kiosk = make_kiosk(mock_card, ledger, config=TEXT_CONFIG)
        kiosk.to_sign_pin()
    assert kiosk.screen() is screen
    before, tries = mock_card.apdu_count, [mock_card.pin_tries_left(k) for k in ("auth", "sign")]
    kiosk.send(PinEntered(Secret(bad)))
    assert kiosk.screen() is screen and kiosk.model.notice is Notice.BAD_PIN_FORMAT
    assert mock_card.apdu_count == before
    assert [mock_card.pin_tries_left(k) for k in ("auth", "sign")] == tries


@pytest.mark.parametrize(
    "effect",
    [
        Authenticate(1, Secret("12"), "ja"),
        ReadIdentity(1, Secret("abc"), IdentitySource.SIGN_CERTIFICATE, "ja"),
        ReadIdentity(1, Secret("12345"), IdentitySource.TEXT_AP, "ja"),
        SignAndSubmit(
            1,
            Secret("SHORT"),
            COUNTER_FORM,
            Identity("x", "y", date(1990, 4, 1), "2", IdentitySource.SIGN_CERTIFICATE),
            "ja",
        ),
    ],
    ids=["auth", "identity-sign", "identity-text", "sign"],
)
def test_the_services_refuse_a_malformed_pin_too(
    mock_card: MockCard, ledger: Ledger, effect: Authenticate | ReadIdentity | SignAndSubmit
) -> None:
    services = KioskServices(
        CONFIG, mock_card_opener(mock_card), trust_store=MOCK_TRUST, ledger=ledger
    )
    result = services.run(effect)
    assert isinstance(result, PinResult) and not result.ok and result.remaining is None
    assert mock_card.apdu_count == 0


# -- the card's certificates -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "problem", "words"),
    [
        (CardProfile.EXPIRED, CardProblem.EXPIRED, "expired"),
        (CardProfile.NOT_YET_VALID, CardProblem.NOT_YET_VALID, "not valid until"),
    ],
)
def test_an_expired_or_not_yet_valid_card(
    ledger: Ledger, profile: CardProfile, problem: CardProblem, words: str
) -> None:
    mock_card = new_card(profile=profile)
    kiosk = make_kiosk(mock_card, ledger)
    kiosk.send(SetLanguage("en"))
    kiosk.send(CardInserted())
    assert kiosk.screen() is Screen.CARD_PROBLEM and kiosk.model.problem is problem
    detail = kiosk.model.problem_detail
    assert words in detail and "\n" not in detail
    assert [mock_card.pin_tries_left(k) for k in ("auth", "sign", "text")] == [3, 5, 3]


def test_a_revoked_card_with_crls_and_policy_require(mock_card: MockCard, ledger: Ledger) -> None:
    crls = CrlStore.from_crls(PKI.revocation_crls(mock_card.credentials))
    kiosk = make_kiosk(mock_card, ledger, config=replace(CONFIG, revocation="require"), crls=crls)
    kiosk.send(CardInserted())
    assert kiosk.screen() is Screen.CARD_PROBLEM and kiosk.model.problem is CardProblem.REVOKED
    assert "失効" in kiosk.model.problem_detail
    assert kiosk.model.problem_cert is CertKind.AUTH  # judged when the card was checked


def test_policy_require_without_a_crl_refuses_the_card(mock_card: MockCard, ledger: Ledger) -> None:
    kiosk = make_kiosk(
        mock_card, ledger, config=replace(CONFIG, revocation="require", default_language="en")
    )
    kiosk.send(CardInserted())
    assert kiosk.screen() is Screen.CARD_PROBLEM
    assert kiosk.model.problem is CardProblem.UNTRUSTED
    assert "CRL" in kiosk.model.problem_detail


def test_a_signature_certificate_revoked_after_moving_house(
    mock_card: MockCard, ledger: Ledger
) -> None:
    now = datetime.now(UTC)
    crls = CrlStore.from_crls(
        [
            PKI.crl("sign", [(mock_card.credentials.sign_cert.serial_number, now)]),
            PKI.crl("auth"),  # the user-authentication certificate stays valid
        ]
    )
    config = replace(CONFIG, revocation="require", default_language="en")
    kiosk = make_kiosk(mock_card, ledger, config=config, crls=crls)
    kiosk.to_identity_pin()
    kiosk.send(PinEntered(Secret(SIGN_PIN)))
    assert kiosk.screen() is Screen.CARD_PROBLEM and kiosk.model.problem is CardProblem.REVOKED
    detail = kiosk.model.problem_detail
    assert "address" in detail and "municipal office" in detail
    assert kiosk.model.identity is None
    assert kiosk.model.problem_cert is CertKind.SIGN  # the user-authentication one is valid


def test_the_production_trust_store_does_not_trust_the_mock_card(
    mock_card: MockCard, ledger: Ledger
) -> None:
    kiosk = make_kiosk(mock_card, ledger, trust=TrustStore.production())
    kiosk.send(CardInserted())
    assert kiosk.screen() is Screen.CARD_PROBLEM and kiosk.model.problem is CardProblem.UNTRUSTED
    assert kiosk.model.problem_detail


def test_a_card_without_jpki(ledger: Ledger) -> None:
    mock_card = new_card()
    mock_card.faults.status_word_at(1, 0x6A82)  # SELECT of the JPKI AP: file not found
    kiosk = make_kiosk(mock_card, ledger)
    kiosk.send(CardInserted())
    assert kiosk.screen() is Screen.CARD_PROBLEM and kiosk.model.problem is CardProblem.NOT_JPKI


@pytest.mark.parametrize(
    ("language", "words"), [("en", "please use your My Number card"), ("ja", "住基カード")]
)
def test_a_juki_card_is_named_and_the_applicant_sent_to_their_my_number_card(
    ledger: Ledger, language: str, words: str
) -> None:
    juki = make_card("juki")
    kiosk = make_kiosk(juki, ledger)
    kiosk.send(SetLanguage(language))
    kiosk.send(CardInserted())
    assert kiosk.screen() is Screen.CARD_PROBLEM
    assert kiosk.model.problem is CardProblem.JUKI_CARD
    assert words in kiosk.model.problem_detail
    assert juki.pin_tries_left("auth") == 3


def test_the_token_info_is_read_only_when_a_card_is_refused(
    mock_card: MockCard, ledger: Ledger
) -> None:
    selects: list[bytes] = []
    transmit = mock_card.transmit

    def spy(apdu: bytes) -> bytes:
        selects.append(apdu)
        return transmit(apdu)

    mock_card.transmit = spy  # type: ignore[method-assign]
    kiosk = make_kiosk(mock_card, ledger)
    kiosk.send(CardInserted())
    assert kiosk.screen() is not Screen.CARD_PROBLEM
    assert bytes.fromhex("00A4020C020006") not in selects  # EF 0006 never selected


# -- the text AP ------------------------------------------------------------------------------


def test_identity_from_the_text_ap(
    mock_card: MockCard,
    ledger: Ledger,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def forbidden(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the kiosk must never read the individual number")

    monkeypatch.setattr(JpkiCard, "read_my_number", forbidden)
    monkeypatch.setattr(jpki.textap, "read_my_number", forbidden)
    caplog.set_level(5, logger="apdu.trace")

    config = replace(CONFIG, identity_source=IdentitySource.TEXT_AP)
    kiosk = make_kiosk(mock_card, ledger, config=config)
    kiosk.to_identity_pin()
    assert kiosk.model.pin_kind is PinKind.TEXT and kiosk.model.tries_left == 3

    kiosk.send(PinEntered(Secret("0000")))
    assert kiosk.screen() is Screen.IDENTITY_PIN and mock_card.pin_tries_left("text") == 2
    assert mock_card.pin_tries_left("sign") == 5

    kiosk.send(PinEntered(Secret(TEXT_PIN)))
    assert kiosk.screen() is Screen.IDENTITY
    identity = kiosk.model.identity
    assert identity is not None and identity.source is IdentitySource.TEXT_AP
    assert (identity.name, identity.address, identity.birth_date, identity.sex) == (
        mock_card.holder.name,
        mock_card.holder.address,
        mock_card.holder.birth_date,
        mock_card.holder.sex.value,
    )
    kiosk.send(ConfirmIdentity())
    kiosk.send(SubmitForm(COUNTER_FORM))
    kiosk.send(ConfirmReview())
    kiosk.send(PinEntered(Secret(SIGN_PIN)))
    assert kiosk.screen() is Screen.RECEIPT
    [record] = ledger.list_requests()
    assert record.request.applicant.name == mock_card.holder.name

    # no SELECT of EF 0001 (the individual number) while the text AP is selected
    text_ap = False
    for message in [r.getMessage() for r in caplog.records if r.name == "apdu.trace"]:
        if message.startswith("> 00 A4 04 0C"):
            text_ap = "D3 92 10 00 31 00 01 01 04 08" in message
        assert not (text_ap and message.startswith("> 00 A4 02 0C 02 00 01")), message


# -- the card pulled out -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sign_and_submit_apdus(tmp_path_factory: pytest.TempPathFactory) -> int:
    """How many APDUs the SignAndSubmit effect sends (measured on a happy run)."""
    mock_card = new_card()
    path = tmp_path_factory.mktemp("count") / "ledger.sqlite3"
    with Ledger.open(path, config=ledger_config(CONFIG, MOCK_TRUST, None)) as led:
        kiosk = make_kiosk(mock_card, led)
        kiosk.to_review()
        before = mock_card.apdu_count
        kiosk.send(ConfirmReview())
        assert kiosk.screen() is Screen.RECEIPT
    return mock_card.apdu_count - before


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_card_removed_while_signing_stores_nothing(
    mock_card: MockCard, ledger: Ledger, sign_and_submit_apdus: int, where: str
) -> None:
    kiosk = make_kiosk(mock_card, ledger)
    kiosk.to_review()
    index = {"first": 1, "middle": sign_and_submit_apdus // 2, "last": sign_and_submit_apdus}
    mock_card.faults.remove_at(index[where])
    kiosk.send(ConfirmReview())
    result = kiosk.results[-1]
    assert isinstance(result, PinResult) and not result.ok and result.error
    assert result.receipt is None and kiosk.screen() is Screen.ERROR
    assert not mock_card.present and stored(ledger) == 0
    # the watcher reports the removal: back to the start, nothing kept
    kiosk.send(CardRemoved())
    assert kiosk.screen() is Screen.INSERT_CARD and kiosk.model.identity is None
    mock_card.insert()
    assert mock_card.pin_tries_left("sign") == 5


def test_card_removed_while_authenticating(mock_card: MockCard, ledger: Ledger) -> None:
    kiosk = make_kiosk(mock_card, ledger)
    kiosk.send(CardInserted())
    mock_card.faults.remove_at(3)
    kiosk.send(PinEntered(Secret(AUTH_PIN)))
    result = kiosk.results[-1]
    assert isinstance(result, PinResult) and not result.ok and result.error
    assert kiosk.screen() is Screen.ERROR
    kiosk.send(CardRemoved())
    assert kiosk.screen() is Screen.INSERT_CARD


def test_card_removed_while_reading(mock_card: MockCard, ledger: Ledger) -> None:
    mock_card.faults.remove_at(2)
    kiosk = make_kiosk(mock_card, ledger)
    kiosk.send(CardInserted())
    checked = kiosk.results[-1]
    assert isinstance(checked, CardChecked) and checked.problem is CardProblem.UNREADABLE
    # no card at all: the opener says so
    result = kiosk.services.run(ReadCard(kiosk.model.session, "ja"))
    assert isinstance(result, CardChecked) and result.problem is CardProblem.UNREADABLE


def test_one_held_connection_per_session_and_another_card_never_joins(ledger: Ledger) -> None:
    first, second = new_card(), new_card(key_index=1)
    current = [first]
    opened: list[MockCard] = []

    def opener() -> AbstractContextManager[JpkiCard]:
        opened.append(current[0])
        return switchable_opener(current)()

    services = KioskServices(CONFIG, opener, trust_store=MOCK_TRUST, ledger=ledger)
    kiosk = Kiosk(services, initial(CONFIG))
    kiosk.to_identity_pin()
    current[0] = second  # another card by the slot: the session's connection is not its
    second_before = second.apdu_count
    kiosk.send(PinEntered(Secret(SIGN_PIN)))
    assert kiosk.screen() is Screen.IDENTITY and opened == [first]
    assert second.apdu_count == second_before
    kiosk.send(ConfirmIdentity())
    kiosk.send(SubmitForm(COUNTER_FORM))
    kiosk.send(ConfirmReview())
    assert kiosk.screen() is Screen.RECEIPT and opened == [first]
    [record] = ledger.list_requests()
    assert record.request.applicant.name == first.holder.name
    # the session's end resets the card: the signature PIN's verification is gone with it
    kiosk.send(Finish())
    assert "sign" not in first._verified
    # and nothing goes on without an authentication in the session
    services.run(Wipe())
    late = services.run(
        ReadIdentity(kiosk.model.session, Secret(SIGN_PIN), IdentitySource.SIGN_CERTIFICATE, "ja")
    )
    assert isinstance(late, PinResult) and not late.ok and late.error


# -- the ledger -----------------------------------------------------------------------------------


def test_a_ledger_rejection_is_an_error_and_stores_nothing(
    mock_card: MockCard, tmp_path: Path
) -> None:
    strict = LedgerConfig(trust_store=TrustStore.production())  # does not trust the mock CAs
    with Ledger.open(tmp_path / "strict.sqlite3", config=strict) as led:
        kiosk = make_kiosk(mock_card, led)
        kiosk.to_review()
        kiosk.send(ConfirmReview())
        assert kiosk.screen() is Screen.ERROR
        assert "申請を受け付けられませんでした" in kiosk.model.error
        assert stored(led) == 0


def test_from_config(tmp_path: Path) -> None:
    anchors = tmp_path / "mock-ca.pem"
    anchors.write_bytes(
        PKI.sign_ca_cert.public_bytes(Encoding.PEM) + PKI.auth_ca_cert.public_bytes(Encoding.PEM)
    )
    revoked = new_card()
    sign_crl, auth_crl = PKI.revocation_crls(revoked.credentials)
    crl_dir = tmp_path / "crls"
    crl_dir.mkdir()
    (crl_dir / "sign.crl").write_bytes(sign_crl.public_bytes(Encoding.DER))
    (crl_dir / "auth.crl").write_bytes(auth_crl.public_bytes(Encoding.DER))
    config = replace(
        CONFIG,
        trust=(anchors,),
        crls=(crl_dir,),
        revocation="require",
        ledger_url=str(tmp_path / "kiosk.sqlite3"),
    )
    good = new_card(key_index=1)
    current = [revoked]
    services = KioskServices.from_config(config, switchable_opener(current))
    try:
        # the J-LIS roots stay trusted, the configured anchors are added
        assert len(services.trust_store.anchors) == len(TrustStore.production().anchors) + 2
        kiosk = Kiosk(services, initial(config))
        kiosk.send(CardInserted())
        assert kiosk.model.problem is CardProblem.REVOKED
        kiosk.send(Finish())
        current[0] = good
        kiosk.to_receipt()
        assert (tmp_path / "kiosk.sqlite3").exists()
        [record] = services.ledger.list_requests()
        assert record.request.applicant.name == good.holder.name
    finally:
        services.close()


def test_pcsc_card_opener_with_the_mock_reader(
    tmp_path: Path, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JPKI_MOCK_STATE", str(tmp_path / "mock-card.json"))
    services = KioskServices(
        CONFIG, pcsc_card_opener("mock"), trust_store=MOCK_TRUST, ledger=ledger
    )
    result = services.run(ReadCard(1, "ja"))
    assert isinstance(result, CardChecked) and result.summary is not None, result
    assert result.summary.auth_tries == 3


# -- errors and logs -----------------------------------------------------------------------------


def leaked(text: str) -> list[str]:
    """The PINs (as text or as ASCII hex) found in ``text``. A 4-digit PIN counts only when it
    is not part of a longer run of hex digits (digests, UUIDs)."""
    found = []
    for pin in PINS:
        for form in (pin, pin.encode().hex()):
            pattern = rf"(?<![0-9A-Fa-f-]){re.escape(form)}(?![0-9A-Fa-f-])"
            if pin == SIGN_PIN and form == pin:
                pattern = re.escape(form)
            if re.search(pattern, text, flags=re.IGNORECASE):
                found.append(form)
    return found


def test_no_pin_in_any_log_record_for_the_complete_flow(
    ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(1)
    caplog.set_level(1, logger="sqlalchemy")
    config = replace(CONFIG, identity_source=IdentitySource.TEXT_AP)
    mock_card = new_card()
    kiosk = make_kiosk(mock_card, ledger, config=config)
    kiosk.send(CardInserted())
    kiosk.send(PinEntered(Secret("0000")))  # a wrong one too
    kiosk.send(PinEntered(Secret(AUTH_PIN)))
    kiosk.send(PinEntered(Secret(TEXT_PIN)))
    kiosk.send(ConfirmIdentity())
    kiosk.send(
        SubmitForm(RequestForm("transcript-ja", delivery=DeliveryMethod.DIGITAL_PDF, recipient="X"))
    )
    kiosk.send(ConfirmReview())
    kiosk.send(PinEntered(Secret("WRONG1")))
    kiosk.send(PinEntered(Secret(SIGN_PIN)))
    assert kiosk.screen() is Screen.RECEIPT
    kiosk.send(Finish())

    names = {r.name for r in caplog.records}
    assert "gui.services" in names and "apdu.trace" in names  # the check is not vacuous
    assert any(r.getMessage().startswith("> 00 20 00 80 *") for r in caplog.records)
    for record in caplog.records:
        assert not leaked(record.getMessage()), (record.name, record.getMessage())
    assert not leaked(caplog.text)
    for event in kiosk.results:
        assert not leaked(repr(event))


def test_an_unexpected_failure_becomes_an_error_event_without_the_pin(
    mock_card: MockCard,
    ledger: Ledger,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(1)

    def broken(card: JpkiCard, kind: PinKind, pin: str) -> None:
        raise ValueError(f"cannot use {pin!r} ({pin.encode().hex()})")

    monkeypatch.setattr(JpkiCard, "verify_pin", broken)
    kiosk = make_kiosk(mock_card, ledger)
    kiosk.send(CardInserted())
    kiosk.send(PinEntered(Secret(AUTH_PIN)))
    assert kiosk.screen() is Screen.ERROR and kiosk.model.error
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and "ValueError" in errors[0].getMessage() and "****" in errors[0].getMessage()
    assert not leaked(caplog.text)
    assert not leaked(kiosk.model.error)


def test_unexpected_failures_in_every_effect_never_escape(
    ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    def opener() -> AbstractContextManager[JpkiCard]:
        raise RuntimeError("the reader driver crashed")

    services = KioskServices(CONFIG, opener, trust_store=MOCK_TRUST, ledger=ledger)
    checked = services.run(ReadCard(4, "ja"))
    assert isinstance(checked, CardChecked) and checked.problem is CardProblem.UNREADABLE
    result = services.run(Authenticate(4, Secret(AUTH_PIN), "ja"))
    assert isinstance(result, PinResult) and not result.ok and result.error
    assert services.run(Wipe()) is None
    assert not leaked(caplog.text)


def _text_ap_select_index(mock_card: MockCard, ledger: Ledger) -> int:
    """Which APDU of ReadCard selects the text AP (1-based), from a clean run."""
    from apdu.replay import RecordingTransport

    recorder = RecordingTransport(mock_card)
    services = KioskServices(
        TEXT_CONFIG, lambda: nullcontext(JpkiCard(recorder)), trust_store=MOCK_TRUST, ledger=ledger
    )
    assert isinstance(services.run(ReadCard(1, "ja")), CardChecked)
    select_text = bytes.fromhex("00A4040C0AD3921000310001010408")
    return recorder.commands.index(select_text) + 1


@pytest.mark.parametrize(
    ("sw", "source", "tolerated"),
    [
        (0x6A82, IdentitySource.TEXT_AP, False),  # the identity needs it
        (0x6F00, IdentitySource.TEXT_AP, False),  # a fault is never "no text AP"
    ],
)
def test_text_ap_missing_versus_faulty(
    mock_card: MockCard, ledger: Ledger, sw: int, source: IdentitySource, tolerated: bool
) -> None:
    index = _text_ap_select_index(mock_card, ledger)
    mock_card.reset()
    mock_card.faults.status_word_at(index, sw)
    config = replace(CONFIG, identity_source=source)
    services = KioskServices(
        config, mock_card_opener(mock_card), trust_store=MOCK_TRUST, ledger=ledger
    )
    event = services.run(ReadCard(1, "ja"))
    assert isinstance(event, CardChecked)
    if tolerated:
        assert event.problem is None and event.summary is not None
        assert event.summary.text_tries == 0
    else:
        assert event.summary is None and event.problem is not None
