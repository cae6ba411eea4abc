"""Conformance of the mock card to docs/card.md: every command and status word, byte for byte."""

from __future__ import annotations

import contextlib
import hashlib
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import Encoding

from apdu import CardRemovedError, CommunicationError, Transport
from mock_card import ATR_NEW, FaultPlan, MockCard

H = bytes.fromhex
SELECT_JPKI = H("00A4040C0AD392F000260100000001")
SELECT_TEXT = H("00A4040C0AD3921000310001010408")
SELECT_VISUAL = H("00A4040C0AD3921000310001010402")
OK = H("9000")
SHA256_PREFIX = H("3031300d060960864801650304020105000420")


def select_ef(fid: int) -> bytes:
    return H("00A4020C02") + fid.to_bytes(2, "big")


def verify(pin: bytes | None = None) -> bytes:
    return H("00200080") if pin is None else H("00200080") + bytes([len(pin)]) + pin


def read(offset: int, le: int) -> bytes:
    return H("00B0") + offset.to_bytes(2, "big") + bytes([le & 0xFF])


def sign_apdu(digest_info: bytes) -> bytes:
    return H("802A0080") + bytes([len(digest_info)]) + digest_info + b"\x00"


def tx(mock_card: MockCard, hexstr: str | bytes) -> str:
    raw = H(hexstr) if isinstance(hexstr, str) else hexstr
    return mock_card.transmit(raw).hex().upper()


def sw(mock_card: MockCard, apdu: bytes) -> str:
    return mock_card.transmit(apdu)[-2:].hex().upper()


def test_is_a_transport(mock_card: MockCard) -> None:
    assert isinstance(mock_card, Transport)
    # the demo card answers the My Number card's ATR listed since 2017 (docs/card.md)
    assert mock_card.atr == ATR_NEW == H("3BDA13FF8131FB468012392F31C173C601C03B")


def test_a_new_card_answers_the_atr_listed_since_2017_not_the_juki_cards() -> None:
    assert MockCard().atr == H("3BDA13FF8131FB468012392F31C173C601C03B")
    assert MockCard().atr != H("3BE000FF8131FE4514")  # the 住基カード's


# -- SELECT ------------------------------------------------------------------


def test_select_applications(mock_card: MockCard) -> None:
    assert mock_card.transmit(SELECT_JPKI) == OK  # no FCI
    assert mock_card.transmit(SELECT_TEXT) == OK
    assert mock_card.transmit(SELECT_VISUAL) == OK
    assert sw(mock_card, H("00A4040C0AD392F000260100000002")) == "6A82"  # unknown AID


def test_select_ef_rules(mock_card: MockCard) -> None:
    assert sw(mock_card, select_ef(0x000A)) == "6A82"  # no AP selected
    mock_card.transmit(SELECT_JPKI)
    for fid in (0x0006, 0x0008, 0x000A, 0x000B, 0x0001, 0x0002, 0x0017, 0x0018, 0x001A, 0x001B):
        assert mock_card.transmit(select_ef(fid)) == OK, hex(fid)
    assert sw(mock_card, select_ef(0x0011)) == "6A82"  # a text-AP file
    assert sw(mock_card, H("00A4090C02000A")) == "6A86"  # path selection unsupported
    assert sw(mock_card, H("00A4000C023F00")) == "6A86"  # never select 3F00
    assert sw(mock_card, H("00A4020C03000A00")) == "6700"  # FID of 3 bytes
    assert sw(mock_card, H("00A40400")) == "6A86"  # FCI asked for


# -- READ BINARY ---------------------------------------------------------------


def test_read_auth_certificate_in_chunks(mock_card: MockCard) -> None:
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(0x000A))
    first = mock_card.transmit(read(0, 256))
    assert first[-2:] == OK and len(first) == 258
    assert first[0] == 0x30 and first[1] == 0x82
    total = 4 + int.from_bytes(first[2:4], "big")
    data = bytearray(first[:-2])
    while len(data) < total:
        r = mock_card.transmit(read(len(data), min(256, total - len(data))))
        assert r[-2:] == OK
        data += r[:-2]
    cert = x509.load_der_x509_certificate(bytes(data))
    assert cert == mock_card.credentials.auth_cert


def test_read_end_of_file_rules(mock_card: MockCard) -> None:
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(0x0006))  # token info, 160 bytes
    r = mock_card.transmit(read(0, 256))
    assert r[-2:] == OK and len(r) == 162  # short read at end of file: 9000 by default
    # CK_TOKEN_INFO: the label padded to 32 bytes, then manufacturer ID, model, serial
    assert r[:32] == b"JPKIAPICCTOKEN2".ljust(32) and r[64:80] == b"E16R01NJ".ljust(16)
    assert sw(mock_card, read(159, 1)) == "9000"
    assert sw(mock_card, read(160, 1)) == "6B00"  # at the end
    assert sw(mock_card, read(1000, 1)) == "6B00"  # beyond


def test_short_read_can_answer_6282() -> None:
    mock_card = MockCard(short_read_sw=0x6282)
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(0x0008))
    assert tx(mock_card, read(0, 16)) == "8F8F006282"


def test_read_needs_le_and_current_ef(mock_card: MockCard) -> None:
    mock_card.transmit(SELECT_JPKI)
    assert sw(mock_card, read(0, 1)) == "6986"  # no current EF
    mock_card.transmit(select_ef(0x0006))
    assert sw(mock_card, H("00B00000")) == "6700"  # no Le
    assert sw(mock_card, H("00B0000001AA00")) == "6700"  # data in a READ BINARY


def test_short_fid_read(mock_card: MockCard) -> None:
    mock_card.transmit(SELECT_JPKI)
    r = mock_card.transmit(H("00B08A0004"))  # SFI 0A = auth certificate, offset 0
    assert r[-2:] == OK and r[0] == 0x30 and len(r) == 6


def test_extended_read_off_by_default(mock_card: MockCard) -> None:
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(0x000A))
    assert sw(mock_card, H("00B00000000800")) == "6700"


def test_extended_read_when_configured() -> None:
    mock_card = MockCard(extended_length=True)
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(0x000A))
    r = mock_card.transmit(H("00B00000000000"))  # Le = 65536: the whole file
    der = mock_card.credentials.auth_cert.public_bytes(Encoding.DER)
    assert r[-2:] == OK and r[: len(der)] == der


def test_reading_keys_and_pins_is_refused(mock_card: MockCard) -> None:
    mock_card.transmit(SELECT_JPKI)
    for fid in (0x0017, 0x0018, 0x001A, 0x001B):
        mock_card.transmit(select_ef(fid))
        assert sw(mock_card, read(0, 1)) == "6982", hex(fid)


# -- the sign certificate needs the sign PIN -------------------------------------


def test_sign_certificate_needs_sign_pin(mock_card: MockCard) -> None:
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(0x0001))
    assert sw(mock_card, read(0, 256)) == "6982"
    mock_card.transmit(select_ef(0x0018))
    assert mock_card.transmit(verify(b"1234")) == OK  # the auth PIN is not enough
    mock_card.transmit(select_ef(0x0001))
    assert sw(mock_card, read(0, 256)) == "6982"
    mock_card.transmit(select_ef(0x001B))
    assert mock_card.transmit(verify(b"ABCD1234")) == OK
    mock_card.transmit(select_ef(0x0001))
    r = mock_card.transmit(read(0, 256))
    assert r[-2:] == OK and r[:4] == mock_card.credentials.sign_cert.public_bytes(Encoding.DER)[:4]
    mock_card.reset()  # power cycle ends the verified state
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(0x0001))
    assert sw(mock_card, read(0, 256)) == "6982"


# -- VERIFY ---------------------------------------------------------------------


@pytest.mark.parametrize(("fid", "tries"), [(0x0018, 3), (0x001B, 5)])
def test_status_verify_spends_nothing(mock_card: MockCard, fid: int, tries: int) -> None:
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(fid))
    for _ in range(10):
        assert sw(mock_card, verify()) == f"63C{tries}"
    assert sw(mock_card, verify() + b"\x00") == "6700"  # a trailing Le byte


def test_auth_pin_lockout(mock_card: MockCard) -> None:
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(0x0018))
    assert sw(mock_card, verify(b"0000")) == "63C2"
    assert sw(mock_card, verify(b"1234")) == "9000"  # success resets the counter
    assert sw(mock_card, verify()) == "63C3"
    assert sw(mock_card, verify(b"0000")) == "63C2"
    assert sw(mock_card, verify(b"0001")) == "63C1"
    assert sw(mock_card, verify(b"0002")) == "63C0"  # the last failure
    assert sw(mock_card, verify(b"1234")) == "6984"  # blocked, even for the right PIN
    assert sw(mock_card, verify()) == "6984"
    mock_card.reset()
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(0x0018))
    assert sw(mock_card, verify(b"1234")) == "6984"  # forever
    assert mock_card.pin_tries_left("auth") == 0


def test_sign_pin_five_tries(mock_card: MockCard) -> None:
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(0x001B))
    assert [sw(mock_card, verify(b"WRONG1")) for _ in range(5)] == [
        "63C4",
        "63C3",
        "63C2",
        "63C1",
        "63C0",
    ]
    assert sw(mock_card, verify(b"ABCD1234")) == "6984"


def test_verify_without_pin_ef(mock_card: MockCard) -> None:
    mock_card.transmit(SELECT_JPKI)
    assert sw(mock_card, verify(b"1234")) == "6986"
    mock_card.transmit(select_ef(0x000A))
    assert sw(mock_card, verify(b"1234")) == "6A88"
    mock_card.transmit(select_ef(0x0018))
    assert sw(mock_card, H("0020008104") + b"1234") == "6A86"


def test_select_of_other_ap_clears_verification(mock_card: MockCard) -> None:
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(0x001B))
    mock_card.transmit(verify(b"ABCD1234"))
    mock_card.transmit(select_ef(0x001A))  # selecting the key EF keeps it
    assert mock_card.transmit(sign_apdu(SHA256_PREFIX + bytes(32)))[-2:] == OK
    mock_card.transmit(SELECT_TEXT)
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(0x001A))
    assert sw(mock_card, sign_apdu(SHA256_PREFIX + bytes(32))) == "6982"


# -- CHANGE REFERENCE DATA ---------------------------------------------------------


def test_change_pin(mock_card: MockCard) -> None:
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(0x0018))
    assert sw(mock_card, H("0024018004") + b"4321") == "6982"  # not verified
    mock_card.transmit(verify(b"1234"))
    assert sw(mock_card, H("0024018003") + b"432") == "6A80"  # the card checks the format too
    assert mock_card.transmit(H("0024018004") + b"4321") == OK
    mock_card.reset()
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(0x0018))
    assert sw(mock_card, verify(b"1234")) == "63C2"
    assert sw(mock_card, verify(b"4321")) == "9000"
    assert sw(mock_card, H("0024008004") + b"4321") == "6A86"


# -- COMPUTE DIGITAL SIGNATURE ---------------------------------------------------------


@pytest.mark.parametrize(
    ("key_fid", "pin_fid", "pin", "which"),
    [(0x0017, 0x0018, b"1234", "auth"), (0x001A, 0x001B, b"ABCD1234", "sign")],
)
def test_signature(mock_card: MockCard, key_fid: int, pin_fid: int, pin: bytes, which: str) -> None:
    digest = hashlib.sha256(b"hello").digest()
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(key_fid))
    assert sw(mock_card, sign_apdu(SHA256_PREFIX + digest)) == "6982"  # no PIN yet
    mock_card.transmit(select_ef(pin_fid))
    mock_card.transmit(verify(pin))
    mock_card.transmit(select_ef(key_fid))
    r = mock_card.transmit(sign_apdu(SHA256_PREFIX + digest))
    assert r[-2:] == OK and len(r) == 258
    cert = mock_card.credentials.auth_cert if which == "auth" else mock_card.credentials.sign_cert
    cert.public_key().verify(r[:-2], b"hello", padding.PKCS1v15(), hashes.SHA256())  # type: ignore[call-arg,union-attr]


def test_signature_over_arbitrary_data_is_raw_pkcs1(mock_card: MockCard) -> None:
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(0x0018))
    mock_card.transmit(verify(b"1234"))
    mock_card.transmit(select_ef(0x0017))
    r = mock_card.transmit(sign_apdu(b"not a digest info"))
    assert r[-2:] == OK
    pub = mock_card.credentials.auth_cert.public_key().public_numbers()  # type: ignore[union-attr]
    em = pow(int.from_bytes(r[:-2], "big"), pub.e, pub.n).to_bytes(256, "big")
    assert em == b"\x00\x01" + b"\xff" * (256 - 3 - 17) + b"\x00" + b"not a digest info"


def test_signature_errors(mock_card: MockCard) -> None:
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(select_ef(0x0018))
    mock_card.transmit(verify(b"1234"))
    mock_card.transmit(select_ef(0x0017))
    assert sw(mock_card, H("802A0081") + b"\x01\xaa\x00") == "6A86"  # unknown P1P2
    assert sw(mock_card, H("802A008001AA")) == "6700"  # no Le
    assert sw(mock_card, H("002A008001AA00")) == "6E00"  # wrong class
    assert sw(mock_card, sign_apdu(bytes(246))) == "6700"  # longer than k - 11
    mock_card.transmit(select_ef(0x000A))
    assert sw(mock_card, sign_apdu(b"\x01")) == "6A88"  # not a key EF
    mock_card.transmit(select_ef(0x001A))
    assert sw(mock_card, sign_apdu(b"\x01")) == "6982"  # sign key needs the sign PIN


# -- malformed APDUs ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("apdu", "expected"),
    [
        ("00", "6700"),
        ("00A404", "6700"),
        ("00A4040C05D392", "6700"),  # Lc larger than the data
        ("10A4040C0AD392F000260100000001", "6E00"),  # unknown class
        ("0C20008004", "6E00"),  # secure messaging class
        ("00CA000000", "6D00"),  # GET DATA: not supported
        ("0084000008", "6D00"),  # GET CHALLENGE: not supported
        ("80A4040C0AD392F000260100000001", "6E00"),  # SELECT in the proprietary class
    ],
)
def test_malformed(mock_card: MockCard, apdu: str, expected: str) -> None:
    assert sw(mock_card, H(apdu)) == expected


# -- text AP ----------------------------------------------------------------------------


def test_text_ap(mock_card: MockCard) -> None:
    mock_card.transmit(SELECT_TEXT)
    for fid in (0x0001, 0x0002):
        mock_card.transmit(select_ef(fid))
        assert sw(mock_card, read(0, 256)) == "6982"
    mock_card.transmit(select_ef(0x0011))
    assert sw(mock_card, verify()) == "63C3"
    assert mock_card.transmit(verify(b"1234")) == OK
    mock_card.transmit(select_ef(0x0002))
    r = mock_card.transmit(read(0, 256))
    assert r[:2] == H("FF20")
    assert mock_card.holder.name.encode() in r
    assert mock_card.holder.address.encode() in r
    mock_card.transmit(select_ef(0x0001))
    r = mock_card.transmit(read(0, 256))
    assert r[:3] == H("FF100C") and r[3:15].isdigit() and r[-2:] == OK


# -- faults and removal ------------------------------------------------------------------


def test_removal(mock_card: MockCard) -> None:
    mock_card.remove()
    with pytest.raises(CardRemovedError):
        mock_card.transmit(SELECT_JPKI)
    mock_card.insert()
    assert mock_card.transmit(SELECT_JPKI) == OK


def test_a_transaction_makes_other_threads_wait(mock_card: MockCard) -> None:
    answers: list[str] = []
    with mock_card.transaction():
        other = threading.Thread(target=lambda: answers.append(tx(mock_card, SELECT_JPKI)))
        other.start()
        other.join(0.3)
        assert other.is_alive() and answers == []  # it waits for the transaction
        assert tx(mock_card, SELECT_JPKI) == "9000"  # the holder's own APDUs go through
        with mock_card.transaction():  # and it may nest
            assert tx(mock_card, SELECT_JPKI) == "9000"
        assert other.is_alive()
    other.join(5)
    assert answers == ["9000"]


def test_pulling_the_card_does_not_wait_for_a_transaction(mock_card: MockCard) -> None:
    entered, done = threading.Event(), threading.Event()

    def hold() -> None:
        with mock_card.transaction():
            entered.set()
            done.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    assert entered.wait(5)
    pulled = threading.Thread(target=mock_card.remove)
    pulled.start()
    pulled.join(2)
    assert not pulled.is_alive(), "remove() waited for the transaction"
    mock_card.insert()
    assert tx(mock_card, SELECT_JPKI) == "9000"  # pulling ended the transaction
    done.set()
    holder.join(5)


def test_a_transaction_left_open_ends_from_any_thread(mock_card: MockCard) -> None:
    """A session never closed leaves its transaction's generator behind; when it is
    finalised in another thread (at exit, by the garbage collector), it must end the
    transaction instead of leaving the card locked (the suite hung at exit on that)."""
    left: list[contextlib.AbstractContextManager[None]] = []

    def open_and_leave() -> None:
        cm = mock_card.transaction()
        cm.__enter__()
        left.append(cm)

    thread = threading.Thread(target=open_and_leave)
    thread.start()
    thread.join(5)
    reset = threading.Thread(target=mock_card.reset)
    reset.start()
    reset.join(2)
    assert not reset.is_alive(), "reset() waited for a transaction"
    left.pop().__exit__(None, None, None)  # finalised here, in another thread than it began
    answer: list[str] = []
    later = threading.Thread(target=lambda: answer.append(tx(mock_card, SELECT_JPKI)))
    later.start()
    later.join(2)
    assert answer == ["9000"]


def test_fault_plan(mock_card: MockCard) -> None:
    mock_card.faults.status_word_at(1, 0x6F00).transport_error_at(2).remove_after(3)
    assert tx(mock_card, SELECT_JPKI) == "6F00"
    with pytest.raises(CommunicationError):
        mock_card.transmit(SELECT_JPKI)
    assert mock_card.transmit(SELECT_JPKI) == OK
    with pytest.raises(CardRemovedError):
        mock_card.transmit(SELECT_JPKI)
    assert not mock_card.present


def test_fault_indexes_count_from_arming(mock_card: MockCard) -> None:
    mock_card.transmit(SELECT_JPKI)
    mock_card.transmit(SELECT_JPKI)
    mock_card.faults.remove_at(1)
    with pytest.raises(CardRemovedError):
        mock_card.transmit(SELECT_JPKI)
    with pytest.raises(ValueError):
        FaultPlan().remove_at(0)
