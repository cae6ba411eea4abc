"""Checking one's own requests at the kiosk, without a window: the 4-digit PIN, then the list
of the card that authenticated — from the local ledger, and from the real office service on
loopback (or "not available here" when the office is away or does not offer it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from gui import texts
from gui.config import KioskConfig, parse_config
from gui.flow import (
    MY_REQUESTS_SHOWN,
    CardChecked,
    CardInserted,
    CardRemoved,
    ChooseIntent,
    Finish,
    Intent,
    ListMyRequests,
    Notice,
    PinEntered,
    RequestForm,
    RequestsListed,
    Screen,
    Secret,
    initial,
)
from gui.mock_panel import mock_card_opener
from gui.office_link import OfficeSink
from gui.outbox import Outbox
from gui.services import KioskServices
from jpki.ledger import AuditAction, Ledger
from jpki.officeapi import KioskClient
from jpki.requests import DeliveryMethod
from mock_card import MockCard
from tests.office_fixtures import Office
from tests.office_kit import ServerThread, free_port, make_tls, write_config
from tests.test_kiosk_services import (
    AUTH_PIN,
    CONFIG,
    COUNTER_FORM,
    MOCK_TRUST,
    PKI,
    Kiosk,
    make_kiosk,
    new_card,
    switchable_opener,
)

POSTAL_FORM = RequestForm(
    "transcript-ja",
    copies=1,
    delivery=DeliveryMethod.POSTAL,
    postal_code="102-8160",
    postal_address="東京都千代田区平河町2-1-1",
)


def two_cards() -> tuple[MockCard, MockCard]:
    """Two holders' cards of the same mock PKI (different keys, different certificates)."""
    return new_card(pki=PKI, key_index=0), new_card(pki=PKI, key_index=1)


def look_up(kiosk: Kiosk) -> RequestsListed:
    """The status path: choose it, insert, the 4-digit PIN, the list; the event it ended in."""
    kiosk.send(ChooseIntent(Intent.CHECK_STATUS), Screen.INSERT_CARD)
    kiosk.send(CardInserted(), Screen.AUTH_PIN)
    before = len(kiosk.results)
    kiosk.send(PinEntered(Secret(AUTH_PIN)), Screen.STATUS)
    listed = [e for e in kiosk.results[before:] if isinstance(e, RequestsListed)]
    assert len(listed) == 1, kiosk.results[before:]
    return listed[0]


def submit(kiosk: Kiosk, form: RequestForm = COUNTER_FORM) -> str:
    kiosk.to_receipt(form)
    assert kiosk.model.receipt is not None
    rid = kiosk.model.receipt.request_id
    kiosk.send(Finish(), Screen.INSERT_CARD)
    return rid


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    from gui.setup import ledger_config

    with Ledger.open(
        tmp_path / "ledger.sqlite3", config=ledger_config(CONFIG, MOCK_TRUST, None)
    ) as led:
        yield led


# -- the local ledger ----------------------------------------------------------------------------


def test_each_card_sees_only_its_own_requests_newest_first(ledger: Ledger) -> None:
    first, second = two_cards()
    current = [first]
    services = KioskServices(
        CONFIG, switchable_opener(current), trust_store=MOCK_TRUST, ledger=ledger
    )
    kiosk = Kiosk(services, initial(CONFIG))
    mine = [submit(kiosk), submit(kiosk, POSTAL_FORM)]
    current[0] = second
    theirs = [submit(kiosk)]
    ledger.change(mine[0], AuditAction.APPROVE, actor="clerk:test")

    current[0] = first
    listed = look_up(kiosk)
    assert listed.available and not listed.error
    assert [r.request_id for r in listed.requests] == mine[::-1]  # newest first
    newest, oldest = listed.requests
    assert (newest.certificate, newest.copies, newest.delivery) == ("transcript-ja", 1, "postal")
    assert (newest.status, oldest.status) == ("submitted", "approved")
    assert datetime.fromisoformat(newest.submitted_at) > datetime.now(UTC) - timedelta(minutes=5)
    assert kiosk.model.my_requests == listed.requests
    # nothing else was asked or read: no signature PIN, no identity
    assert kiosk.model.identity is None and kiosk.model.form is None
    kiosk.send(Finish(), Screen.INSERT_CARD)
    assert kiosk.model.my_requests == () and kiosk.model.intent is Intent.APPLY

    current[0] = second
    assert [r.request_id for r in look_up(kiosk).requests] == theirs


def test_an_empty_list_and_the_bound(ledger: Ledger) -> None:
    card = new_card(pki=PKI, key_index=2)
    kiosk = make_kiosk(card, ledger)
    listed = look_up(kiosk)
    assert listed.available and listed.requests == ()
    assert kiosk.model.screen is Screen.STATUS and kiosk.model.status_available
    kiosk.send(Finish(), Screen.INSERT_CARD)
    # more than the screen shows: the newest MY_REQUESTS_SHOWN, newest first
    ids = [submit(kiosk) for _ in range(MY_REQUESTS_SHOWN + 2)]
    shown = [r.request_id for r in look_up(kiosk).requests]
    assert shown == ids[::-1][:MY_REQUESTS_SHOWN]


def test_listing_is_refused_unless_the_card_authenticated(ledger: Ledger) -> None:
    card = new_card(pki=PKI, key_index=0)
    kiosk = make_kiosk(card, ledger)
    submit(kiosk)
    kiosk.send(ChooseIntent(Intent.CHECK_STATUS))
    kiosk.send(CardInserted(), Screen.AUTH_PIN)
    session = kiosk.model.session
    # straight to the listing, skipping the PIN: the services refuse
    event = kiosk.services.run(ListMyRequests(session, "en"))
    assert isinstance(event, RequestsListed)
    assert event.requests == () and event.error == texts.text("en", texts.NOT_AUTHENTICATED)
    # a wrong PIN does not authenticate either
    kiosk.send(PinEntered(Secret("0000")), Screen.AUTH_PIN)
    assert kiosk.model.notice is Notice.WRONG_PIN
    event = kiosk.services.run(ListMyRequests(session, "en"))
    assert isinstance(event, RequestsListed) and event.requests == () and event.error
    # and a session that is over lists nothing
    event = kiosk.services.run(ListMyRequests(session + 7, "en"))
    assert isinstance(event, RequestsListed) and event.requests == () and event.error


def test_removal_on_the_status_screen_ends_the_session(ledger: Ledger) -> None:
    card = new_card(pki=PKI, key_index=0)
    kiosk = make_kiosk(card, ledger)
    submit(kiosk)
    assert look_up(kiosk).requests
    session = kiosk.model.session
    card.remove()
    kiosk.send(CardRemoved(), Screen.INSERT_CARD)
    assert kiosk.model.my_requests == () and kiosk.model.intent is Intent.APPLY
    event = kiosk.services.run(ListMyRequests(session, "ja"))
    assert isinstance(event, RequestsListed) and event.requests == () and event.error


# -- the office ----------------------------------------------------------------------------------


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    """The real office service (SQLite) over TLS on a loopback port."""
    from office.api import create_app
    from office.config import load_config
    from office.server import build_service
    from tests.office_fixtures import prepare_database

    admin_url, url, cleanup = prepare_database("sqlite", tmp_path)
    tls = make_tls(tmp_path / "tls")
    config_path = write_config(tmp_path, url, tls)
    config = load_config(config_path)
    service = build_service(config)
    try:
        with ServerThread(create_app(service), tls) as server:
            office = Office(
                "sqlite", tmp_path, tls, config_path, config, admin_url, service, server.url
            )
            yield office
            for client in office.clients:
                client.close()
    finally:
        service.ledger.close()
        cleanup()


def office_config(tmp_path: Path, url: str, ca: Path, token: str) -> KioskConfig:
    token_file = tmp_path / "kiosk.token"
    fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, token.encode())
    os.close(fd)
    roots = tmp_path / "mock-roots.pem"
    roots.write_bytes(b"".join(c.public_bytes(Encoding.PEM) for c in MOCK_TRUST.anchors))
    return parse_config(
        f'[security]\ntrust = ["{roots}"]\n'
        f'[office]\nurl = "{url}"\ntoken_file = "{token_file}"\n'
        f'ca = "{ca}"\noutbox = "{tmp_path / "outbox"}"\n'
    )


def test_through_the_office_each_card_sees_its_own(office: Office, tmp_path: Path) -> None:
    config = office_config(tmp_path, office.url, office.tls.ca, office.kiosk("kiosk-01").token)
    first, second = two_cards()
    current = [first]
    services = KioskServices.from_config(config, switchable_opener(current))
    try:
        assert isinstance(services.sink, OfficeSink)
        kiosk = Kiosk(services, initial(config))
        mine = [submit(kiosk), submit(kiosk, POSTAL_FORM)]
        current[0] = second
        theirs = [submit(kiosk)]
        office.service.ledger.change(theirs[0], AuditAction.REJECT, actor="clerk:t", reason="x")
        current[0] = first
        listed = look_up(kiosk)
        assert listed.available
        assert [r.request_id for r in listed.requests] == mine[::-1]
        assert {r.status for r in listed.requests} == {"submitted"}
        kiosk.send(Finish(), Screen.INSERT_CARD)
        current[0] = second
        listed = look_up(kiosk)
        assert [(r.request_id, r.status) for r in listed.requests] == [(theirs[0], "rejected")]
        assert services._ledger is None  # the kiosk opened no database of its own
    finally:
        services.close()


def _office_sink(tmp_path: Path, url: str, ca: Path, token: str) -> OfficeSink:
    client = KioskClient(url, ca=ca, token=token)
    return OfficeSink(client, Outbox(tmp_path / "outbox"), retry_interval=0.1)


@pytest.mark.parametrize("where", ["down", "no-such-endpoint"])
def test_not_available_when_the_office_cannot_list(
    office: Office, tmp_path: Path, where: str
) -> None:
    token = office.kiosk("kiosk-01").token
    url = f"https://127.0.0.1:{free_port()}" if where == "down" else f"{office.url}/nowhere"
    card = new_card(pki=PKI, key_index=0)
    services = KioskServices(
        CONFIG,
        mock_card_opener(card),
        trust_store=MOCK_TRUST,
        sink=_office_sink(tmp_path, url, office.tls.ca, token),
    )
    try:
        kiosk = Kiosk(services, initial(CONFIG))
        listed = look_up(kiosk)
        assert not listed.available and listed.requests == () and not listed.error
        assert kiosk.model.screen is Screen.STATUS and not kiosk.model.status_available
        kiosk.send(Finish(), Screen.INSERT_CARD)
    finally:
        services.close()


def test_the_card_answers_the_offices_own_challenge(office: Office, tmp_path: Path) -> None:
    """The office takes one answer per challenge: two look-ups in one session both work,
    each signing a fresh challenge under the session's verified PIN (no PIN sent again)."""
    token = office.kiosk("kiosk-01").token
    card = new_card(pki=PKI, key_index=0)
    services = KioskServices(
        CONFIG,
        mock_card_opener(card),
        trust_store=MOCK_TRUST,
        sink=_office_sink(tmp_path, office.url, office.tls.ca, token),
    )
    try:
        kiosk = Kiosk(services, initial(CONFIG))
        look_up(kiosk)
        again = services.run(ListMyRequests(kiosk.model.session, "ja"))
        assert isinstance(again, RequestsListed) and again.available and not again.error
        assert card.pin_tries_left("auth") == 3
    finally:
        services.close()


def test_a_card_lifted_while_listing_says_start_again(office: Office, tmp_path: Path) -> None:
    """Through the office the card signs the office's challenge: a card gone by then is the
    card's failure ("the card was removed"), not "not available"."""
    token = office.kiosk("kiosk-01").token
    card = new_card(pki=PKI, key_index=0)
    services = KioskServices(
        CONFIG,
        mock_card_opener(card),
        trust_store=MOCK_TRUST,
        sink=_office_sink(tmp_path, office.url, office.tls.ca, token),
    )
    try:
        kiosk = Kiosk(services, initial(CONFIG))
        look_up(kiosk)
        card.remove()  # lifted, the reader has not told the kiosk yet
        event = services.run(ListMyRequests(kiosk.model.session, "en"))
        assert isinstance(event, RequestsListed) and event.requests == ()
        assert event.available and event.error == texts.text("en", texts.CARD_REMOVED)
    finally:
        services.close()


def test_read_card_only_on_the_status_path(ledger: Ledger) -> None:
    """The status path reads the card's certificate and the PIN counters like the other
    path — and nothing more: the effects it runs are ReadCard, Authenticate, ListMyRequests."""
    card = new_card(pki=PKI, key_index=0)
    kiosk = make_kiosk(card, ledger)
    look_up(kiosk)
    kinds = [type(e).__name__ for e in kiosk.results]
    assert kinds == ["CardChecked", "PinResult", "RequestsListed"], kinds
    assert isinstance(kiosk.results[0], CardChecked)
