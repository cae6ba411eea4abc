"""A complete example: testing an application against the JPKI mock card with pytest.

``pip install jpki-toolkit`` brings the pytest plugin along (nothing to configure).
The in-process tests need nothing else; the PC/SC tests need pcscd and
vsmartcard's vpcd driver (``apt install pcscd vsmartcard-vpcd``) and skip without
them — or fail, when ``CI=true``.

Run: ``pytest examples/test_with_mock_card.py``
"""

from __future__ import annotations

import pytest
from smartcard.CardConnection import CardConnection
from smartcard.Exceptions import CardConnectionException
from smartcard.System import readers

from jpki import CertKind, JpkiCard, PinKind
from jpki.errors import CardRemoved, PinBlocked

SELECT_JPKI_AP = [
    0x00,
    0xA4,
    0x04,
    0x0C,
    0x0A,
    0xD3,
    0x92,
    0xF0,
    0x00,
    0x26,
    0x01,
    0x00,
    0x00,
    0x00,
    0x01,
]
SELECT_TOKEN_INFO = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x06]
READ_LABEL = [0x00, 0xB0, 0x00, 0x00, 0x20]  # the first 32 bytes of EF 0006


# -- your code (here: the token label, through any PC/SC connection) ----------------------


def token_label(connection: CardConnection) -> str:
    for apdu in (SELECT_JPKI_AP, SELECT_TOKEN_INFO, READ_LABEL):
        data, sw1, sw2 = connection.transmit(apdu)
        if (sw1, sw2) != (0x90, 0x00):
            raise RuntimeError(f"the card answered {sw1:02X}{sw2:02X}")
    return bytes(data).decode("ascii").rstrip()


def connect(reader_name: str) -> CardConnection:
    reader = next(r for r in readers() if str(r) == reader_name)
    connection = reader.createConnection()
    connection.connect()
    return connection


# -- in-process: the card is an object with transmit(apdu) -> response ---------------------


def test_read_the_auth_certificate(mock_card):
    session = JpkiCard(mock_card)  # the library takes any transport; so can your code
    cert = session.read_certificate(CertKind.AUTH)
    assert cert.issuer.rfc4514_string().startswith("OU=Japan Agency")
    assert session.pin_status(PinKind.AUTH) == 3  # counting tries spends none


@pytest.mark.mock_card("blocked-sign-pin")
def test_a_blocked_pin_is_reported(mock_card):
    with pytest.raises(PinBlocked):
        JpkiCard(mock_card).sign(CertKind.SIGN, b"document", pin="ABCD1234")


@pytest.mark.mock_card(auth_pin="5678", faults={3: "remove"})
def test_card_pulled_out_at_the_third_apdu(mock_card):
    session = JpkiCard(mock_card)
    with pytest.raises(CardRemoved):
        session.read_certificate(CertKind.AUTH)  # SELECT AP, SELECT EF, then READ BINARY
    assert not mock_card.present


@pytest.mark.parametrize("mock_card_profile", ["valid", "expired", "revoked", "contactless"])
def test_every_profile_serves_a_certificate(mock_card):
    assert JpkiCard(mock_card).read_certificate(CertKind.AUTH).serial_number > 0


# -- through pcscd + vpcd: the card sits in a PC/SC reader, for any language ----------------


def test_pcsc_application_reads_the_token_label(served_card):
    connection = connect(served_card.reader)  # "Virtual PCD 00 00"
    try:
        assert token_label(connection) == "JPKIAPICCTOKEN2"
    finally:
        connection.disconnect()


def test_card_removed_between_two_commands(served_card):
    connection = connect(served_card.reader)
    try:
        served_card.remove()  # returns once pcscd has seen the reader empty
        with pytest.raises(CardConnectionException):
            token_label(connection)
    finally:
        connection.disconnect()
    served_card.insert()  # and back
    with JpkiCard.open(served_card.reader) as session:
        assert session.pin_status(PinKind.SIGN) == 5


@pytest.mark.mock_card("valid", faults={4: "remove"})
def test_card_pulled_out_in_the_middle_of_a_read(served_card):
    with JpkiCard.open(served_card.reader) as session, pytest.raises(CardRemoved):
        session.read_certificate(CertKind.AUTH)  # the 2nd READ BINARY meets an empty reader


def test_two_readers_two_cards(served_card, serve_card):
    juki = serve_card("juki", slot=1)  # "Virtual PCD 00 01"
    labels = {}
    for served in (served_card, juki):
        connection = connect(served.reader)
        try:
            labels[served.reader] = token_label(connection)
        finally:
            connection.disconnect()
    assert labels == {served_card.reader: "JPKIAPICCTOKEN2", juki.reader: "JPKIAPICCTOKEN"}
