"""Holder profiles of the mock card, EF 0006 in the CK_TOKEN_INFO layout, fault specs.

The token-info layout is checked against an independent reading of PKCS#11's
``CK_TOKEN_INFO`` (four space-padded text fields, eleven 4-byte big-endian
integers, two 2-byte versions, 16 bytes of time), not against the encoder.
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from typing import Any

import pytest

from jpki import CertKind, JpkiCard, PinKind
from jpki.errors import PinBlocked
from mock_card import MockCard
from mock_card.faults import FaultKind, parse_fault
from mock_card.profiles import (
    ATR_CONTACTLESS,
    ATR_JUKI,
    UnknownProfile,
    make_card,
    profile_names,
    register_profile,
)
from mock_card.tokeninfo import TokenInfo

H = bytes.fromhex
SELECT_JPKI = H("00A4040C0AD392F000260100000001")
SELECT_TEXT = H("00A4040C0AD3921000310001010408")
SELECT_VISUAL = H("00A4040C0AD3921000310001010402")
SELECT_TOKEN = H("00A4020C020006")
SELECT_AUTH_CERT = H("00A4020C02000A")
SELECT_AUTH_PIN = H("00A4020C020018")
READ_4 = H("00B0000004")
OK = b"\x90\x00"


def read_token_info(card: MockCard) -> bytes:
    assert card.transmit(SELECT_JPKI) == OK
    assert card.transmit(SELECT_TOKEN) == OK
    r = card.transmit(H("00B00000A0"))  # exactly 160 bytes
    assert r[-2:] == OK
    return r[:-2]


def ck_token_info(raw: bytes) -> dict[str, Any]:
    """PKCS#11 CK_TOKEN_INFO with 4-byte big-endian CK_ULONGs, read field by field."""
    assert len(raw) == 160
    text = [raw[a:b].decode("ascii") for a, b in ((0, 32), (32, 64), (64, 80), (80, 96))]
    for field in text:
        assert field == field.rstrip(" ").ljust(len(field)), "text fields are space-padded"
    ulongs = struct.unpack(">11I", raw[96:140])
    return {
        "label": text[0].rstrip(),
        "manufacturer": text[1].rstrip(),
        "model": text[2].rstrip(),
        "serial": text[3].rstrip(),
        "flags": ulongs[0],
        "max_pin_len": ulongs[5],
        "min_pin_len": ulongs[6],
        "versions": raw[140:144],
        "utc_time": raw[144:160],
    }


def test_the_built_in_profiles_are_registered() -> None:
    for name in (
        "valid",
        "expired",
        "not-yet-valid",
        "revoked",
        "blocked-auth-pin",
        "blocked-sign-pin",
        "blocked-text-pin",
        "juki",
        "smartphone",
        "contactless",
    ):
        assert name in profile_names()


@pytest.mark.parametrize(
    ("profile", "valid_now"),
    [("valid", True), ("expired", False), ("not-yet-valid", False), ("revoked", True)],
)
def test_certificate_profiles(profile: str, valid_now: bool) -> None:
    card = make_card(profile)
    assert card.profile.value == profile
    for kind in (CertKind.AUTH, CertKind.SIGN):
        cert = JpkiCard(card).read_certificate(kind, pin="ABCD1234")
        now = datetime.now(UTC)
        assert (cert.not_valid_before_utc <= now <= cert.not_valid_after_utc) is valid_now


def _use(session: JpkiCard, pin: str) -> None:
    if pin == "auth":
        session.sign(CertKind.AUTH, b"x", pin="1234")
    elif pin == "sign":
        session.sign(CertKind.SIGN, b"x", pin="ABCD1234")
    else:
        session.read_basic_info("1234")


@pytest.mark.parametrize("pin", ["auth", "sign", "text"])
def test_blocked_pin_profiles_answer_6984(pin: str) -> None:
    card = make_card(f"blocked-{pin}-pin")
    session = JpkiCard(card)
    kind = {"auth": PinKind.AUTH, "sign": PinKind.SIGN, "text": PinKind.TEXT}[pin]
    assert session.pin_status(kind) == 0
    assert all(session.pin_status(k) > 0 for k in PinKind if k is not kind)
    with pytest.raises(PinBlocked):
        _use(session, pin)
    for other in ("auth", "sign", "text"):
        if other != pin:
            _use(session, other)  # the other PINs still work


def test_profile_options_override_the_profile() -> None:
    card = make_card("expired", auth_pin="5678", holder=None)
    assert card.pins["auth"].matches(b"5678")
    assert card.profile.value == "expired"
    with pytest.raises(UnknownProfile, match="juki"):
        make_card("no-such-profile")


def test_juki_card_is_not_a_my_number_card() -> None:
    card = make_card("juki")
    assert card.atr == ATR_JUKI == H("3BE000FF8131FE4514")
    info = ck_token_info(read_token_info(card))
    assert info["label"] == "JPKIAPICCTOKEN"
    assert len(info["manufacturer"]) == 32 and info["manufacturer"].isdigit()
    assert len(info["serial"]) == 16 and info["serial"].isdigit()
    assert info["min_pin_len"] <= 4 <= 16 <= info["max_pin_len"]
    # the JPKI AP only: no text AP (券面事項入力補助AP) and no visual AP
    assert card.transmit(SELECT_TEXT) == b"\x6a\x82"
    assert card.transmit(SELECT_VISUAL) == b"\x6a\x82"
    # its JPKI certificates are of the old days: expired
    cert = JpkiCard(card).read_certificate(CertKind.AUTH)
    assert cert.not_valid_after_utc < datetime.now(UTC)


def test_smartphone_token_needs_the_auth_pin_for_its_certificate() -> None:
    card = make_card("smartphone")
    assert ck_token_info(read_token_info(card))["label"] == "JPKIAPGPSETOKEN"
    assert card.atr == ATR_CONTACTLESS
    assert card.transmit(SELECT_AUTH_CERT) == OK
    assert card.transmit(READ_4) == b"\x69\x82"  # security status not satisfied
    assert card.transmit(SELECT_AUTH_PIN) == OK
    assert card.transmit(H("002000800431323334")) == OK
    assert card.transmit(SELECT_AUTH_CERT) == OK
    assert card.transmit(READ_4)[:2] == b"\x30\x82"
    assert card.transmit(SELECT_TEXT) == b"\x6a\x82"


def test_contactless_atr_is_a_pcsc_part3_atr() -> None:
    card = make_card("contactless")
    atr = card.atr
    assert atr == H("3B 88 80 01 00 00 41 E0 B3 81 A1 00 3B")
    assert atr[:4] == H("3B888001") and len(atr) == 4 + 8 + 1  # T0=88: 8 historical bytes
    tck = 0
    for byte in atr[1:-1]:
        tck ^= byte
    assert tck == atr[-1]
    assert JpkiCard(card).read_certificate(CertKind.AUTH) is not None


def test_token_info_round_trip_and_bounds() -> None:
    info = TokenInfo("JPKIAPICCTOKEN2", model="E16R01NJ", serial="0123456789ABCDEF")
    raw = info.encode()
    fields = ck_token_info(raw)
    assert (fields["label"], fields["model"], fields["serial"]) == (
        "JPKIAPICCTOKEN2",
        "E16R01NJ",
        "0123456789ABCDEF",
    )
    assert fields["flags"] & 0x0004  # CKF_LOGIN_REQUIRED
    assert TokenInfo.decode(raw) == info
    with pytest.raises(ValueError, match="at most 16"):
        TokenInfo("JPKIAPICCTOKEN2", model="X" * 17).encode()
    with pytest.raises(ValueError, match="160"):
        TokenInfo.decode(raw[:-1])
    with pytest.raises(ValueError, match="160"):
        MockCard(token_info=raw + b" ")


def test_new_profiles_plug_in_by_name() -> None:
    @register_profile("test-two-tries-left", "auth PIN with two tries left")
    def two_left(**options: Any) -> MockCard:
        card = make_card("valid", **options)
        card.pins["auth"].tries_left = 2
        return card

    try:
        assert JpkiCard(make_card("test-two-tries-left")).pin_status(PinKind.AUTH) == 2
        with pytest.raises(ValueError, match="already registered"):
            register_profile("test-two-tries-left", "again")(two_left)
        with pytest.raises(ValueError, match="ASCII"):
            register_profile("bad name", "spaces")
    finally:
        from mock_card import profiles

        profiles._PROFILES.pop("test-two-tries-left", None)


@pytest.mark.parametrize(
    ("spec", "kind", "value"),
    [
        ("remove", FaultKind.REMOVE, None),
        ("transport-error", FaultKind.TRANSPORT_ERROR, None),
        ("sw:6A82", FaultKind.STATUS_WORD, 0x6A82),
        ("SW:6a82", FaultKind.STATUS_WORD, 0x6A82),
        ("delay:0.25", FaultKind.DELAY, 0.25),
    ],
)
def test_fault_specs(spec: str, kind: FaultKind, value: float | None) -> None:
    fault = parse_fault(spec, 3)
    assert (fault.at, fault.kind) == (3, kind)
    if kind is FaultKind.STATUS_WORD:
        assert fault.sw == value
    if kind is FaultKind.DELAY:
        assert fault.seconds == value


@pytest.mark.parametrize(
    "spec", ["", "bogus", "sw:6A8", "sw:-6A8", "sw:zzzz", "delay:x", "delay:61", "remove:1"]
)
def test_bad_fault_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="a fault is remove"):
        parse_fault(spec)


def test_armed_fault_hits_the_nth_apdu() -> None:
    card = make_card("valid")
    card.faults.arm("sw:6A82", 2)
    assert card.transmit(SELECT_JPKI) == OK
    assert card.transmit(SELECT_TOKEN) == b"\x6a\x82"
    assert card.transmit(SELECT_TOKEN) == OK
