"""Replays of the public evidence from real cards (tests/evidence.py, docs/card.md).

Each real exchange runs twice: through :class:`jpki.JpkiCard` (scripted: the library
must understand what a real card answered, sending exactly the commands a real card
was sent) and against :class:`mock_card.MockCard` (the mock must answer what the real
card answered, byte for byte). The ATRs run through pcscd: the library detects the
card by SELECT whatever the ATR.
"""

from __future__ import annotations

import pytest

import jpki
from apdu.replay import Exchange, RecordingTransport, ScriptedTransport
from jpki import CertKind, JpkiCard, PinKind, TokenKind
from mock_card import MockCard
from mock_card.atrs import ATRS as MOCK_ATRS
from mock_card.profiles import make_card
from tests import evidence
from tests.pcscd import ServedCard

H = bytes.fromhex
OK = H("9000")
# context, not evidence: the SELECTs every client sends before the exchanges
SELECT_JPKI = Exchange(H("00A4040C0AD392F000260100000001"), OK)


def select_ef(fid: int) -> Exchange:
    return Exchange(H(f"00A4020C02{fid:04X}"), OK)


def answers(card: MockCard, exchanges: tuple[Exchange, ...]) -> list[bytes]:
    return [card.transmit(e.command) for e in exchanges]


def test_every_fixture_names_a_public_source() -> None:
    for item in evidence.ALL:
        assert item.source.startswith("https://github.com/"), item.name
        assert item.certainty in (evidence.OBSERVED, evidence.STATED), item.name
        assert item.exchanges


# -- VERIFY, then the status VERIFY (OpenSC PR #959) --------------------------------------------


def test_library_verify_then_status_as_on_a_real_card() -> None:
    t = ScriptedTransport([SELECT_JPKI, select_ef(0x0018), *evidence.VERIFY_THEN_STATUS.exchanges])
    card = JpkiCard(t)
    with card.transaction():
        card.verify_pin(PinKind.AUTH, "1234")
        # the status VERIFY says 3 tries right after a successful VERIFY: tries, not state
        assert card.pin_status(PinKind.AUTH) == 3
    assert t.done


def test_mock_verify_then_status_as_on_a_real_card() -> None:
    mock = MockCard()
    answers(mock, (SELECT_JPKI, select_ef(0x0018)))
    expected = [e.response for e in evidence.VERIFY_THEN_STATUS.exchanges]
    assert answers(mock, evidence.VERIFY_THEN_STATUS.exchanges) == expected


# -- the auth certificate's header (JPKIReader) ---------------------------------------------------


def test_mock_auth_cert_header_is_the_real_one() -> None:
    mock = MockCard()
    answers(mock, (SELECT_JPKI, select_ef(0x000A)))
    assert answers(mock, evidence.AUTH_CERT_HEADER.exchanges) == [H("3082062B9000")]


def test_library_reads_a_certificate_of_the_real_size_in_seven_reads() -> None:
    """A card whose EF 000A starts with the real header (the rest is context: filler in a
    DER shape, then the padding after the DER): 1 + ⌈1583/256⌉ - 1 = 7 READ BINARYs, the
    last one asking for exactly the 47 bytes left — nothing past the DER."""
    size = evidence.AUTH_CERT_SIZE
    header = evidence.AUTH_CERT_HEADER.exchanges[0].response[:4]
    content = header + bytes(range(256)) * 7
    file = content[:size] + b"\xff" * 465  # 2,048-byte EF
    reads = [Exchange(H(f"00B0{o:04X}00"), file[o : o + 256] + OK) for o in range(0, 1536, 256)]
    reads.append(Exchange(H("00B006002F"), file[1536:size] + OK))
    t = ScriptedTransport([SELECT_JPKI, select_ef(0x000A), *reads])
    der = JpkiCard(t).read_certificate_der(CertKind.AUTH)
    assert t.done and len(der) == size == 1583 and der[:4] == header
    assert len(reads) == 7


def test_reading_the_mock_auth_cert_takes_what_a_real_one_takes() -> None:
    rec = RecordingTransport(MockCard())
    JpkiCard(rec).read_certificate(CertKind.AUTH)
    read_binaries = [c for c in rec.commands if c[1] == 0xB0]
    assert len(rec.commands) == 9 and len(read_binaries) == 7
    assert read_binaries[-1] == H("00B006002F")


# -- the signature certificate without the PIN (OpenSC issue #3169) ------------------------------


def test_library_names_the_signature_pin_when_a_real_card_refuses() -> None:
    t = ScriptedTransport(
        [SELECT_JPKI, select_ef(0x0001), *evidence.SIGN_CERT_WITHOUT_PIN.exchanges]
    )
    with pytest.raises(jpki.PinRequired) as err:
        JpkiCard(t).read_certificate(CertKind.SIGN)
    assert err.value.kind is PinKind.SIGN and t.done


def test_mock_refuses_the_signature_certificate_as_a_real_card() -> None:
    mock = MockCard()
    answers(mock, (SELECT_JPKI, select_ef(0x0001)))
    assert answers(mock, evidence.SIGN_CERT_WITHOUT_PIN.exchanges) == [H("6982")]


# -- a PIN blocked (soltia48/myna-card) --------------------------------------------------------------


def test_library_on_the_blocking_failure_and_after() -> None:
    verify, status = evidence.BLOCKING.exchanges
    t = ScriptedTransport([SELECT_JPKI, select_ef(0x0018), verify])
    with pytest.raises(jpki.PinBlocked, match="now blocked"):
        JpkiCard(t).verify_pin(PinKind.AUTH, "0000")
    assert t.done
    # afterwards: the status says blocked, and a prompt is never asked (no VERIFY sent)
    t = ScriptedTransport([SELECT_JPKI, select_ef(0x0018), status])
    asked: list[int] = []
    with pytest.raises(jpki.PinBlocked):
        JpkiCard(t).verify_pin(PinKind.AUTH, lambda kind, tries: asked.append(tries) or "1234")
    assert t.done and asked == []


def test_mock_blocks_as_stated() -> None:
    mock = MockCard()
    answers(mock, (SELECT_JPKI, select_ef(0x0018)))
    for _ in range(2):
        mock.transmit(H("002000800430303030"))
    expected = [e.response for e in evidence.BLOCKING.exchanges]
    assert answers(mock, evidence.BLOCKING.exchanges) == expected


# -- the token info layout (soltia48/myna-card) ------------------------------------------------------


def test_library_parses_the_stated_token_info_layout() -> None:
    t = ScriptedTransport([SELECT_JPKI, select_ef(0x0006), *evidence.TOKEN_INFO.exchanges])
    info = JpkiCard(t).token_info()
    assert t.done
    assert (info.label, info.model, info.serial) == (
        "JPKIAPICCTOKEN2",
        "E16R01NJ",
        "0000000020500003",
    )
    assert info.kind is TokenKind.MY_NUMBER_CARD


def test_mock_token_info_has_the_stated_layout() -> None:
    mock = MockCard()
    answers(mock, (SELECT_JPKI, select_ef(0x0006)))
    (answer,) = answers(mock, evidence.TOKEN_INFO.exchanges)
    assert answer[-2:] == OK and len(answer) == 96 + 2
    assert answer[:32] == b"JPKIAPICCTOKEN2".ljust(32) and answer[64:80] == b"E16R01NJ".ljust(16)


# -- ATRs: the mock offers each, and the library detects the card by SELECT whatever the ATR -------


def test_the_mock_offers_every_listed_atr() -> None:
    assert dict(MOCK_ATRS) == evidence.ATRS
    assert MockCard().atr == evidence.ATRS["2017"]


@pytest.mark.pcsc
@pytest.mark.timeout(120, method="thread")
@pytest.mark.parametrize("name", sorted(evidence.ATRS))
def test_card_detection_through_pcscd_under_every_atr(name: str, serve_card: object) -> None:
    atr = evidence.ATRS[name]
    profile = "juki" if name == "juki" else "valid"
    served: ServedCard = serve_card(make_card(profile, atr=atr))  # type: ignore[operator]
    with JpkiCard.open(served.reader) as session:
        assert session.transport.atr == atr  # type: ignore[attr-defined]
        expected = TokenKind.JUKI_CARD if name == "juki" else TokenKind.MY_NUMBER_CARD
        assert session.token_info().kind is expected
