"""JpkiCard: the exact APDUs of every operation (docs/card.md), and behaviour against MockCard."""

from __future__ import annotations

import math

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import Encoding

import jpki
from apdu.replay import RecordingTransport, ScriptedTransport
from jpki import CertKind, JpkiCard, PinKind
from mock_card import MockCard

H = bytes.fromhex
SELECT_JPKI = "00A4040C0AD392F000260100000001"
SELECT_TEXT = "00A4040C0AD3921000310001010408"


def select_ef(fid: int) -> str:
    return f"00A4020C02{fid:04X}"


def hexes(rec: RecordingTransport) -> list[str]:
    return [c.hex().upper() for c in rec.commands]


@pytest.fixture
def rec(mock_card: MockCard) -> RecordingTransport:
    return RecordingTransport(mock_card)


@pytest.fixture
def jpki_card(rec: RecordingTransport) -> JpkiCard:
    """Here the session talks through ``rec``, to check the exact APDUs."""
    return JpkiCard(rec)


# -- construction and detection ------------------------------------------------------


def test_construction_sends_nothing(rec: RecordingTransport) -> None:
    JpkiCard(rec)
    assert rec.exchanges == []


def test_detection_by_select(jpki_card: JpkiCard, rec: RecordingTransport) -> None:
    assert jpki_card.is_jpki_card()
    assert hexes(rec) == [SELECT_JPKI]


def test_not_a_jpki_card() -> None:
    t = ScriptedTransport([(H(SELECT_JPKI), H("6A82"))])
    jpki_card = JpkiCard(t)
    assert not jpki_card.is_jpki_card()
    with pytest.raises(jpki.NotJpkiCard, match="My Number card"):
        JpkiCard(ScriptedTransport([(H(SELECT_JPKI), H("6A82"))])).read_certificate(CertKind.AUTH)


def test_a_missing_application_is_typed() -> None:
    """SELECT answering 6A82: ApplicationNotFound naming the application (a card without the
    text AP); the JPKI AP missing is NotJpkiCard, one of them. Other answers stay generic."""
    t = ScriptedTransport([(H(SELECT_TEXT), H("6A82"))])
    with pytest.raises(jpki.ApplicationNotFound, match="text AP") as err:
        JpkiCard(t).pin_status(PinKind.TEXT)
    assert not isinstance(err.value, jpki.NotJpkiCard)
    assert (err.value.aid, err.value.sw) == (H(SELECT_TEXT[10:]), 0x6A82)
    assert t.done
    assert issubclass(jpki.NotJpkiCard, jpki.ApplicationNotFound)
    t = ScriptedTransport([(H(SELECT_TEXT), H("6A86"))])
    with pytest.raises(jpki.CardResponseError, match="6A86") as err2:
        JpkiCard(t).pin_status(PinKind.TEXT)
    assert not isinstance(err2.value, jpki.ApplicationNotFound)


def test_token_info(jpki_card: JpkiCard, rec: RecordingTransport) -> None:
    info = jpki_card.token_info()
    assert info.label == "JPKIAPICCTOKEN2"
    assert info.kind is jpki.TokenKind.MY_NUMBER_CARD
    assert info.describe() == "My Number card" and info.describe("ja") == "マイナンバーカード"
    assert info.model == "E16R01NJ"
    # one READ BINARY of the 96 bytes of text fields: nothing more is needed
    assert hexes(rec) == [SELECT_JPKI, select_ef(0x0006), "00B0000060"]


# -- certificates ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [CertKind.AUTH, CertKind.AUTH_CA, CertKind.SIGN_CA])
def test_read_certificate_budget(
    kind: CertKind, mock_card: MockCard, jpki_card: JpkiCard, rec: RecordingTransport
) -> None:
    cert = jpki_card.read_certificate(kind)
    expected = {
        CertKind.AUTH: mock_card.credentials.auth_cert,
        CertKind.AUTH_CA: mock_card.credentials.auth_ca_cert,
        CertKind.SIGN_CA: mock_card.credentials.sign_ca_cert,
    }[kind]
    assert cert == expected
    n = len(cert.public_bytes(Encoding.DER))
    reads = math.ceil(n / 256)
    assert len(rec.exchanges) == 2 + reads  # cold: SELECT AP, SELECT EF, reads
    cmds = hexes(rec)
    assert cmds[:3] == [SELECT_JPKI, select_ef(kind.fid), "00B0000000"]
    # then full chunks, the last one asking exactly for what is left
    for i, cmd in enumerate(cmds[3:], start=1):
        offset = 256 * i
        le = min(256, n - offset) & 0xFF
        assert cmd == f"00B0{offset:04X}{le:02X}"


def test_warm_budget_and_no_reselect(jpki_card: JpkiCard, rec: RecordingTransport) -> None:
    jpki_card.is_jpki_card()
    rec.exchanges.clear()
    cert = jpki_card.read_certificate(CertKind.AUTH)
    n = len(cert.public_bytes(Encoding.DER))
    assert len(rec.exchanges) == 1 + math.ceil(n / 256)
    rec.exchanges.clear()
    jpki_card.read_certificate(CertKind.AUTH)  # EF still selected: reads only
    assert len(rec.exchanges) == math.ceil(n / 256)


def test_extended_length_read() -> None:
    mock_card = MockCard(extended_length=True)
    rec = RecordingTransport(mock_card)
    cert = JpkiCard(rec, extended_length=True).read_certificate(CertKind.AUTH)
    assert cert == mock_card.credentials.auth_cert
    assert hexes(rec) == [SELECT_JPKI, select_ef(0x000A), "00B00000000000"]


def test_6282_short_reads_are_accepted() -> None:
    mock_card = MockCard(short_read_sw=0x6282)
    assert JpkiCard(mock_card).read_certificate(CertKind.AUTH) == mock_card.credentials.auth_cert


def test_sign_certificate_needs_the_sign_pin(mock_card: MockCard, jpki_card: JpkiCard) -> None:
    with pytest.raises(jpki.PinRequired, match="signature PIN") as err:
        jpki_card.read_certificate(CertKind.SIGN)
    assert err.value.kind is PinKind.SIGN
    assert (
        jpki_card.read_certificate(CertKind.SIGN, pin="ABCD1234") == mock_card.credentials.sign_cert
    )
    jpki_card.verify_pin(PinKind.SIGN, "ABCD1234")
    assert jpki_card.read_certificate(CertKind.SIGN) == mock_card.credentials.sign_cert


def test_corrupt_certificate_files() -> None:
    not_tlv = ScriptedTransport(
        [
            (H(SELECT_JPKI), H("9000")),
            (H(select_ef(0x000A)), H("9000")),
            (H("00B0000000"), H("9000")),
        ]
    )
    with pytest.raises(jpki.CorruptData):
        JpkiCard(not_tlv).read_certificate(CertKind.AUTH)
    truncated = ScriptedTransport(
        [
            (H(SELECT_JPKI), H("9000")),
            (H(select_ef(0x000A)), H("9000")),
            (H("00B0000000"), H("30820400") + bytes(252) + H("9000")),
            (H("00B0010000"), H("6B00")),
        ]
    )
    with pytest.raises(jpki.CorruptData, match="ends after 256 of 1028"):
        JpkiCard(truncated).read_certificate(CertKind.AUTH)
    huge = ScriptedTransport(
        [
            (H(SELECT_JPKI), H("9000")),
            (H(select_ef(0x000A)), H("9000")),
            (H("00B0000000"), H("3083FFFFFF") + H("9000")),
        ]
    )
    with pytest.raises(jpki.CorruptData, match="claims"):
        JpkiCard(huge).read_certificate(CertKind.AUTH)


# -- PINs -------------------------------------------------------------------------------


def test_pin_status_bytes_and_no_try_spent(
    mock_card: MockCard, jpki_card: JpkiCard, rec: RecordingTransport
) -> None:
    assert jpki_card.pin_status(PinKind.AUTH) == 3
    assert jpki_card.pin_status(PinKind.SIGN) == 5
    assert jpki_card.pin_status(PinKind.TEXT) == 3
    assert hexes(rec) == [
        SELECT_JPKI,
        select_ef(0x0018),
        "00200080",
        select_ef(0x001B),
        "00200080",
        SELECT_TEXT,
        select_ef(0x0011),
        "00200080",
    ]
    for _ in range(5):
        jpki_card.pin_status(PinKind.AUTH)
    assert mock_card.pin_tries_left("auth") == 3


def test_verify_bytes(jpki_card: JpkiCard, rec: RecordingTransport) -> None:
    jpki_card.verify_pin(PinKind.SIGN, "abcd1234")  # lower case is upper-cased
    assert hexes(rec) == [
        SELECT_JPKI,
        select_ef(0x001B),
        "002000800841424344313233 34".replace(" ", ""),
    ]


@pytest.mark.parametrize(
    ("kind", "bad"),
    [
        (PinKind.AUTH, "123"),
        (PinKind.AUTH, "12345"),
        (PinKind.AUTH, "12a4"),
        (PinKind.AUTH, "１２３４"),  # full-width digits
        (PinKind.TEXT, ""),
        (PinKind.SIGN, "ABCDE"),  # too short
        (PinKind.SIGN, "ABCDEFGHIJ1234567"),  # too long
        (PinKind.SIGN, "ABCDEFGH"),  # no digit
        (PinKind.SIGN, "12345678"),  # no letter
        (PinKind.SIGN, "ABCD-1234"),
    ],
)
def test_malformed_pins_never_reach_the_card(
    kind: PinKind, bad: str, jpki_card: JpkiCard, rec: RecordingTransport
) -> None:
    with pytest.raises(jpki.PinFormatError) as err:
        jpki_card.verify_pin(kind, bad)
    assert rec.exchanges == []
    if bad:
        assert bad not in str(err.value)
    with pytest.raises(jpki.PinFormatError):
        jpki_card.change_pin(kind, bad, bad)
    if kind is not PinKind.TEXT:
        with pytest.raises(jpki.PinFormatError):
            jpki_card.sign(CertKind.AUTH if kind is PinKind.AUTH else CertKind.SIGN, b"x", pin=bad)
    assert rec.exchanges == []


def test_wrong_pin_then_last_try_then_blocked(mock_card: MockCard, jpki_card: JpkiCard) -> None:
    with pytest.raises(jpki.PinIncorrect) as err:
        jpki_card.verify_pin(PinKind.AUTH, "0000")
    assert err.value.remaining == 2
    assert "0000" not in str(err.value)
    with pytest.raises(jpki.PinIncorrect) as err:
        jpki_card.verify_pin(PinKind.AUTH, "0001")
    assert err.value.remaining == 1
    assert "last try" in str(err.value)
    with pytest.raises(jpki.PinBlocked, match="municipal office") as blocked:
        jpki_card.verify_pin(PinKind.AUTH, "0002")
    assert "now blocked" in str(blocked.value)
    assert jpki_card.pin_status(PinKind.AUTH) == 0
    with pytest.raises(jpki.PinBlocked, match="municipal office"):
        jpki_card.verify_pin(PinKind.AUTH, "1234")


def test_success_resets_counter(mock_card: MockCard, jpki_card: JpkiCard) -> None:
    with pytest.raises(jpki.PinIncorrect):
        jpki_card.verify_pin(PinKind.SIGN, "WRONG1")
    assert jpki_card.pin_status(PinKind.SIGN) == 4
    jpki_card.verify_pin(PinKind.SIGN, "ABCD1234")
    assert jpki_card.pin_status(PinKind.SIGN) == 5


def test_prompt_sees_tries_and_is_asked_once(jpki_card: JpkiCard) -> None:
    asked: list[tuple[PinKind, int]] = []

    def prompt(kind: PinKind, tries: int) -> str:
        asked.append((kind, tries))
        return "0000"

    with pytest.raises(jpki.PinIncorrect):
        jpki_card.verify_pin(PinKind.AUTH, prompt)
    with pytest.raises(jpki.PinIncorrect):
        jpki_card.verify_pin(PinKind.AUTH, prompt)
    assert asked == [(PinKind.AUTH, 3), (PinKind.AUTH, 2)]  # never retried by the library


def test_prompt_not_called_when_blocked(mock_card: MockCard, jpki_card: JpkiCard) -> None:
    mock_card.block_pin("auth")

    def prompt(kind: PinKind, tries: int) -> str:
        raise AssertionError("asked for a blocked PIN")

    with pytest.raises(jpki.PinBlocked):
        jpki_card.verify_pin(PinKind.AUTH, prompt)


def test_change_pin(mock_card: MockCard, jpki_card: JpkiCard, rec: RecordingTransport) -> None:
    jpki_card.change_pin(PinKind.AUTH, "1234", "4321")
    assert hexes(rec)[-2:] == ["002000800431323334", "002401800434333231"]
    jpki_card.forget_selection()
    mock_card.reset()
    with pytest.raises(jpki.PinIncorrect):
        jpki_card.verify_pin(PinKind.AUTH, "1234")
    jpki_card.verify_pin(PinKind.AUTH, "4321")
    with pytest.raises(jpki.PinIncorrect):
        jpki_card.change_pin(PinKind.SIGN, "WRONG1", "NEW12345")
    assert mock_card.pin_tries_left("sign") == 4


def test_power_cycle_clears_verification(mock_card: MockCard, jpki_card: JpkiCard) -> None:
    jpki_card.verify_pin(PinKind.SIGN, "ABCD1234")
    jpki_card.read_certificate(CertKind.SIGN)
    mock_card.reset()
    jpki_card.forget_selection()
    with pytest.raises(jpki.PinRequired):
        jpki_card.read_certificate(CertKind.SIGN)


# -- signatures ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [CertKind.AUTH, CertKind.SIGN])
@pytest.mark.parametrize("algorithm", [hashes.SHA256(), hashes.SHA384(), hashes.SHA512()])
def test_sign_verifies(
    mock_card: MockCard, kind: CertKind, algorithm: hashes.HashAlgorithm
) -> None:
    jpki_card = JpkiCard(mock_card)
    pin = "1234" if kind is CertKind.AUTH else "ABCD1234"
    sig = jpki_card.sign(kind, b"request", pin=pin, hash_algorithm=algorithm)
    assert len(sig) == 256
    cert = (
        mock_card.credentials.auth_cert
        if kind is CertKind.AUTH
        else mock_card.credentials.sign_cert
    )
    cert.public_key().verify(sig, b"request", padding.PKCS1v15(), algorithm)  # type: ignore[call-arg,union-attr]


def test_sign_bytes(jpki_card: JpkiCard, rec: RecordingTransport) -> None:
    jpki_card.sign(CertKind.SIGN, b"abc", pin="ABCD1234")
    digest = hashes.Hash(hashes.SHA256())
    digest.update(b"abc")
    info = H("3031300d060960864801650304020105000420") + digest.finalize()
    assert hexes(rec) == [
        SELECT_JPKI,
        select_ef(0x001B),
        "00200080084142434431323334",
        select_ef(0x001A),
        ("802A008033" + info.hex() + "00").upper(),
    ]


def test_sign_prehashed_and_sha1_policy(mock_card: MockCard, jpki_card: JpkiCard) -> None:
    digest = hashes.Hash(hashes.SHA256())
    digest.update(b"abc")
    sig = jpki_card.sign_prehashed(CertKind.AUTH, digest.finalize(), hashes.SHA256(), pin="1234")
    mock_card.credentials.auth_cert.public_key().verify(  # type: ignore[call-arg,union-attr]
        sig, b"abc", padding.PKCS1v15(), hashes.SHA256()
    )
    with pytest.raises(ValueError, match="SHA-1"):
        jpki_card.sign(CertKind.AUTH, b"abc", pin="1234", hash_algorithm=hashes.SHA1())
    sig1 = jpki_card.sign(
        CertKind.AUTH, b"abc", pin="1234", hash_algorithm=hashes.SHA1(), allow_sha1=True
    )
    assert len(sig1) == 256
    with pytest.raises(ValueError):
        jpki_card.sign(CertKind.AUTH, b"abc", pin="1234", hash_algorithm=hashes.MD5())
    with pytest.raises(ValueError):
        jpki_card.sign(CertKind.AUTH_CA, b"abc", pin="1234")


def test_sign_wrong_pin_does_not_sign(
    mock_card: MockCard, jpki_card: JpkiCard, rec: RecordingTransport
) -> None:
    with pytest.raises(jpki.PinIncorrect):
        jpki_card.sign(CertKind.SIGN, b"abc", pin="WRONG1")
    assert not any(c.startswith(b"\x80\x2a") for c in rec.commands)


def test_private_key_facade(mock_card: MockCard) -> None:
    jpki_card = JpkiCard(mock_card)
    key = jpki_card.private_key(  # a prompt: this key signs twice (a PIN string is for one)
        CertKind.SIGN, lambda kind, tries: "ABCD1234", certificate=mock_card.credentials.sign_cert
    )
    sig = key.sign(b"data", padding.PKCS1v15(), hashes.SHA256())
    key.public_key().verify(sig, b"data", padding.PKCS1v15(), hashes.SHA256())
    digest = hashes.Hash(hashes.SHA384())
    digest.update(b"data")
    sig = key.sign(digest.finalize(), padding.PKCS1v15(), Prehashed(hashes.SHA384()))
    key.public_key().verify(sig, b"data", padding.PKCS1v15(), hashes.SHA384())
    assert key.key_size == 2048
    auth = jpki_card.private_key(CertKind.AUTH, "1234")  # reads its certificate itself
    assert (
        auth.public_key().public_numbers()
        == mock_card.credentials.auth_cert.public_key().public_numbers()
    )  # type: ignore[union-attr]
    with pytest.raises(Exception, match="PKCS#1"):
        key.sign(b"data", padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    with pytest.raises(Exception, match="exported"):
        key.private_numbers()


# -- text AP -----------------------------------------------------------------------------------


def test_basic_info(mock_card: MockCard, jpki_card: JpkiCard, rec: RecordingTransport) -> None:
    info = jpki_card.read_basic_info("1234")
    assert info.name == mock_card.holder.name
    assert info.address == mock_card.holder.address
    assert info.birth_date.as_date() == mock_card.holder.birth_date
    assert info.sex == mock_card.holder.sex.value
    assert hexes(rec)[:4] == [
        SELECT_TEXT,
        select_ef(0x0011),
        "002000800431323334",
        select_ef(0x0002),
    ]
    assert not any(c == H(select_ef(0x0001)) for c in rec.commands)  # My Number never touched


def test_my_number_only_when_asked_and_masked(jpki_card: JpkiCard) -> None:
    number = jpki_card.read_my_number("1234")
    assert len(number.digits) == 12 and number.digits.isdigit()
    for shown in (str(number), repr(number), f"{number}", f"{number!r}"):
        assert number.digits not in shown
    assert "*" * 12 in str(number)


def test_text_pin_wrong(jpki_card: JpkiCard) -> None:
    with pytest.raises(jpki.PinIncorrect) as err:
        jpki_card.read_basic_info("9999")
    assert err.value.kind is PinKind.TEXT and err.value.remaining == 2


# -- transport errors ------------------------------------------------------------------------------


def test_removed_card_is_typed_and_selection_forgotten(
    mock_card: MockCard, jpki_card: JpkiCard
) -> None:
    jpki_card.read_certificate(CertKind.AUTH_CA)
    mock_card.faults.remove_at(1)
    with pytest.raises(jpki.CardRemoved):
        jpki_card.read_certificate(CertKind.AUTH)
    mock_card.insert()
    assert jpki_card.read_certificate(CertKind.AUTH) == mock_card.credentials.auth_cert


def test_transport_error_typed(mock_card: MockCard, jpki_card: JpkiCard) -> None:
    mock_card.faults.transport_error_at(2)
    with pytest.raises(jpki.TransportFailure):
        jpki_card.pin_status(PinKind.AUTH)
    assert jpki_card.pin_status(PinKind.AUTH) == 3


def test_unexpected_status_word(mock_card: MockCard, jpki_card: JpkiCard) -> None:
    mock_card.faults.status_word_at(3, 0x6F00)
    with pytest.raises(jpki.CardResponseError, match="6F00"):
        jpki_card.pin_status(PinKind.AUTH)


def test_errors_are_one_hierarchy() -> None:
    for name in jpki.__all__:
        obj = getattr(jpki, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, jpki.JpkiError), name


def test_open_mock_reader(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JPKI_MOCK_STATE", str(tmp_path / "card.json"))
    with JpkiCard.open("mock") as jpki_card:
        cert = jpki_card.read_certificate(CertKind.AUTH)
        with pytest.raises(jpki.PinIncorrect):
            jpki_card.verify_pin(PinKind.AUTH, "0000")
    assert isinstance(cert, x509.Certificate)
    with JpkiCard.open("mock") as jpki_card:  # the counter persisted
        assert jpki_card.pin_status(PinKind.AUTH) == 2


def test_sign_relies_on_a_verification_only_inside_the_transaction(
    mock_card: MockCard, jpki_card: JpkiCard, rec: RecordingTransport
) -> None:
    # outside a transaction there is nothing to rely on: refused before any APDU
    jpki_card.verify_pin(PinKind.SIGN, "ABCD1234")
    rec.exchanges.clear()
    with pytest.raises(jpki.PinRequired):
        jpki_card.sign(CertKind.SIGN, b"x", pin=None)
    assert rec.exchanges == []
    # inside one: one VERIFY, then the signature without another
    with jpki_card.transaction():
        jpki_card.verify_pin(PinKind.SIGN, "ABCD1234")
        jpki_card.sign(CertKind.SIGN, b"x", pin=None)
        with pytest.raises(jpki.PinRequired):  # the auth PIN was never verified
            jpki_card.sign(CertKind.AUTH, b"x", pin=None)
    assert sum(1 for c in rec.commands if c[1] == 0x20) == 1  # the one inside
    # and the transaction's end forgets it
    with pytest.raises(jpki.PinRequired):
        jpki_card.sign(CertKind.SIGN, b"x", pin=None)


def test_a_wrong_pin_inside_a_transaction_is_not_relied_on(jpki_card: JpkiCard) -> None:
    with jpki_card.transaction():
        with pytest.raises(jpki.PinIncorrect):
            jpki_card.verify_pin(PinKind.SIGN, "WRONG1")
        with pytest.raises(jpki.PinRequired):
            jpki_card.sign(CertKind.SIGN, b"x", pin=None)


def test_authenticate_method(mock_card: MockCard, jpki_card: JpkiCard) -> None:
    from jpki.authn import Authenticator
    from jpki.trust import TrustStore
    from mock_card import MockPki

    pki = MockPki.demo()
    authenticator = Authenticator(
        TrustStore.from_certificates([pki.auth_ca_cert, pki.sign_ca_cert])
    )
    challenge = authenticator.issue_challenge()
    response = jpki_card.authenticate(challenge, "1234")
    assert authenticator.verify(challenge, response.signature, response.certificate).ok
