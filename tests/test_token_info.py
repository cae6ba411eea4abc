"""EF 0006 (token info) and the kinds of JPKI token: My Number card, Juki card, smartphones.

The layout is PKCS#11 ``CK_TOKEN_INFO`` (docs/card.md, "Token info"); the mock stores
it so, and the library reads only the text fields.
"""

from __future__ import annotations

import pytest

import jpki
from apdu.replay import ScriptedTransport
from jpki import CertKind, JpkiCard, PinKind, TokenKind
from jpki.authn import authenticate
from jpki.token import TEXT_SIZE, TokenInfo, parse_token_info
from mock_card import MockCard
from mock_card.profiles import make_card
from mock_card.tokeninfo import TokenInfo as MockTokenInfo

H = bytes.fromhex
SELECT_JPKI = H("00A4040C0AD392F000260100000001")
SELECT_TOKEN = H("00A4020C020006")
OK = H("9000")


def ck_token_info(label: bytes, manufacturer: bytes, model: bytes, serial: bytes) -> bytes:
    """160 bytes laid out as CK_TOKEN_INFO, built here by hand (not by the mock)."""
    text = label.ljust(32) + manufacturer.ljust(32) + model.ljust(16) + serial.ljust(16)
    integers = b"".join(
        n.to_bytes(4, "big") for n in (0x040D, 1, 0, 1, 0, 16, 4, *[0xFFFFFFFF] * 4)
    )
    return text + integers + b"\x01\x00\x01\x00" + b" " * 16


def test_parse_the_text_fields_of_ck_token_info() -> None:
    raw = ck_token_info(b"JPKIAPICCTOKEN2", b"0" * 31 + b"1", b"E16R01NJ", b"0000000020500003")
    assert len(raw) == 160
    info = parse_token_info(raw)
    assert info == TokenInfo("JPKIAPICCTOKEN2", "0" * 31 + "1", "E16R01NJ", "0000000020500003")
    assert info.kind is TokenKind.MY_NUMBER_CARD
    assert parse_token_info(raw[:TEXT_SIZE]) == info  # the integers are not needed


@pytest.mark.parametrize(
    ("label", "kind", "ja"),
    [
        ("JPKIAPICCTOKEN2", TokenKind.MY_NUMBER_CARD, "マイナンバーカード"),
        ("JPKIAPICCTOKEN", TokenKind.JUKI_CARD, "住基カード"),
        ("JPKIAPGPSETOKEN", TokenKind.SMARTPHONE_ANDROID, "Android"),
        ("JPKIAPIOSTOKEN", TokenKind.SMARTPHONE_IOS, "iPhone"),
        ("JPKIAPICCTOKEN3", TokenKind.UNKNOWN, "不明"),
        ("", TokenKind.UNKNOWN, "不明"),
    ],
)
def test_labels_name_the_kind_in_both_languages(label: str, kind: TokenKind, ja: str) -> None:
    info = parse_token_info(label.encode().ljust(160, b" "))
    assert info.label == label and info.kind is kind
    assert ja in info.describe("ja") and info.describe("en").isascii() is (
        kind is not kind.JUKI_CARD
    )
    assert kind.is_smartphone is (kind in (TokenKind.SMARTPHONE_ANDROID, TokenKind.SMARTPHONE_IOS))


def test_a_short_or_strange_file_still_parses() -> None:
    # a token that stores the label alone (clients read 32 bytes), NUL padding, non-ASCII bytes
    assert parse_token_info(b"JPKIAPICCTOKEN2".ljust(32)).kind is TokenKind.MY_NUMBER_CARD
    assert parse_token_info(b"JPKIAPICCTOKEN2\x00\x00").kind is TokenKind.MY_NUMBER_CARD
    assert parse_token_info(b"") == TokenInfo("")
    odd = parse_token_info(b"\xe3\x81\x82\x1b[2J".ljust(32) + b"M\xff".ljust(32))
    assert odd.kind is TokenKind.UNKNOWN
    assert odd.label == "\ufffd\ufffd\ufffd\x1b[2J"  # kept as read: callers escape it
    assert odd.manufacturer == "M"


def test_token_info_reads_exactly_the_text_fields_once() -> None:
    raw = ck_token_info(b"JPKIAPICCTOKEN2", b"X", b"E16R01NJ", b"1")
    t = ScriptedTransport([(SELECT_JPKI, OK), (SELECT_TOKEN, OK), (H("00B0000060"), raw[:96] + OK)])
    info = JpkiCard(t).token_info()
    assert t.done
    assert (info.manufacturer, info.model, info.serial) == ("X", "E16R01NJ", "1")


def test_a_token_of_32_bytes_answers_short_and_is_read_once() -> None:
    for sw in ("9000", "6282"):  # a read running past the end: either is allowed
        t = ScriptedTransport(
            [
                (SELECT_JPKI, OK),
                (SELECT_TOKEN, OK),
                (H("00B0000060"), b"JPKIAPIOSTOKEN".ljust(32) + H(sw)),
            ]
        )
        assert JpkiCard(t).token_info().kind is TokenKind.SMARTPHONE_IOS
        assert t.done


def test_the_mock_stores_ck_token_info_for_every_profile() -> None:
    for profile, label in (
        ("valid", "JPKIAPICCTOKEN2"),
        ("juki", "JPKIAPICCTOKEN"),
        ("smartphone", "JPKIAPGPSETOKEN"),
        ("smartphone-ios", "JPKIAPIOSTOKEN"),
    ):
        card = make_card(profile)
        info = JpkiCard(card).token_info()
        assert info.label == label
        assert len(info.manufacturer) == 32 and len(info.serial) == 16, profile
        card.transmit(SELECT_JPKI)
        card.transmit(SELECT_TOKEN)
        full = card.transmit(H("00B0000000"))[:-2]
        assert len(full) == 160 and MockTokenInfo.decode(full).label == label


# -- Juki cards -----------------------------------------------------------------------------


def test_a_juki_card_is_named_and_refused_in_both_languages() -> None:
    info = JpkiCard(make_card("juki")).token_info()
    assert info.kind is TokenKind.JUKI_CARD
    with pytest.raises(jpki.JukiCard, match=r"Juki card.*no longer issued.*My Number card"):
        info.check_usable()
    ja = str(jpki.JukiCard("ja"))
    assert "住基カード" in ja and "発行が終了" in ja and "マイナンバーカードをお使いください" in ja
    JpkiCard(MockCard()).token_info().check_usable()  # a My Number card: nothing


# -- smartphone tokens -------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["smartphone", "smartphone-ios"])
def test_a_smartphone_token_wants_the_auth_pin_before_its_certificate(profile: str) -> None:
    card = JpkiCard(make_card(profile))
    assert card.token_info().kind.is_smartphone
    with pytest.raises(jpki.PinRequired) as err:
        card.read_certificate(CertKind.AUTH)
    assert err.value.kind is PinKind.AUTH
    assert not isinstance(err.value, jpki.CardResponseError)
    with card.transaction():
        card.verify_pin(PinKind.AUTH, "1234")
        assert card.read_certificate(CertKind.AUTH).serial_number > 0


def test_authentication_on_a_smartphone_token_stops_with_pin_required() -> None:
    """The library does not verify on its own when the certificate asks for a PIN (a 6982
    may be a fault as well): it says which PIN, having spent no try."""
    mock = make_card("smartphone")
    with pytest.raises(jpki.PinRequired) as err:
        authenticate(JpkiCard(mock), b"c" * 32, "1234")
    assert err.value.kind is PinKind.AUTH
    assert mock.pin_tries_left("auth") == 3
