"""Command/response APDU codecs: exact bytes for every case, and round trips."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apdu import SW, ApduError, ApduFormatError, CommandApdu, ResponseApdu, describe
from apdu.errors import (
    AuthenticationBlocked,
    FileNotFound,
    SecurityStatusNotSatisfied,
    VerificationFailed,
    WrongLength,
)


@pytest.mark.parametrize(
    ("apdu", "encoded"),
    [
        # case 1
        (CommandApdu(0x00, 0x20, 0x00, 0x80), "00200080"),
        # case 2 short, Le=256 encodes as 00
        (CommandApdu(0x00, 0xB0, 0x00, 0x00, le=256), "00B0000000"),
        (CommandApdu(0x00, 0xB0, 0x01, 0x00, le=7), "00B0010007"),
        # case 3 short
        (
            CommandApdu(0x00, 0xA4, 0x04, 0x0C, bytes.fromhex("D392F000260100000001")),
            "00A4040C0AD392F000260100000001",
        ),
        # case 4 short
        (CommandApdu(0x80, 0x2A, 0x00, 0x80, b"\x01\x02", le=256), "802A008002010200"),
        # case 2 extended
        (CommandApdu(0x00, 0xB0, 0x00, 0x00, le=65536), "00B00000000000"),
        (CommandApdu(0x00, 0xB0, 0x00, 0x00, le=1000), "00B000000003E8"),
        (CommandApdu(0x00, 0xB0, 0x00, 0x00, le=5, extended=True), "00B00000000005"),
        # case 3 extended
        (CommandApdu(0x00, 0xD6, 0x00, 0x00, b"\xaa" * 256), "00D60000000100" + "AA" * 256),
        # case 4 extended
        (
            CommandApdu(0x00, 0x2A, 0x00, 0x80, b"\x01", le=65536, extended=True),
            "002A0080000001010000",
        ),
    ],
)
def test_encode_exact_bytes(apdu: CommandApdu, encoded: str) -> None:
    raw = bytes.fromhex(encoded)
    assert apdu.encode() == raw
    decoded = CommandApdu.decode(raw)
    assert decoded.encode() == raw
    assert (decoded.header, decoded.data, decoded.le) == (apdu.header, apdu.data, apdu.le)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "00",
        "00A404",
        "00A4040C05D392",  # Lc=5 but 2 bytes follow
        "00A4040C02D392F000",  # one byte too many for case 4 (Lc=2 + data + Le would be 8)
        "00B000000003",  # extended marker, truncated
        "00D60000000000AA",  # extended Lc = 0
        "00D60000000003AA",  # extended Lc=3, 1 byte
    ],
)
def test_decode_rejects_malformed(raw: str) -> None:
    with pytest.raises(ApduFormatError):
        CommandApdu.decode(bytes.fromhex(raw))


def test_invalid_fields_rejected() -> None:
    with pytest.raises(ApduFormatError):
        CommandApdu(0x100, 0, 0, 0)
    with pytest.raises(ApduFormatError):
        CommandApdu(0, 0, 0, 0, le=0)
    with pytest.raises(ApduFormatError):
        CommandApdu(0, 0, 0, 0, le=65537)
    with pytest.raises(ApduFormatError):
        CommandApdu(0, 0, 0, 0, b"x" * 65536)


commands = st.builds(
    CommandApdu,
    cla=st.integers(0, 255),
    ins=st.integers(0, 255),
    p1=st.integers(0, 255),
    p2=st.integers(0, 255),
    data=st.binary(max_size=600),
    le=st.none() | st.integers(1, 65536),
    extended=st.booleans(),
)


@given(commands)
def test_command_round_trip(apdu: CommandApdu) -> None:
    decoded = CommandApdu.decode(apdu.encode())
    assert decoded.encode() == apdu.encode()
    assert (decoded.data, decoded.le) == (apdu.data, apdu.le)
    assert decoded.is_extended == apdu.is_extended


@given(st.binary(max_size=300))
def test_decode_never_crashes(raw: bytes) -> None:
    try:
        apdu = CommandApdu.decode(raw)
    except ApduFormatError:
        return
    assert apdu.encode() == raw


@given(st.binary(max_size=300), st.integers(0, 0xFFFF))
def test_response_round_trip(data: bytes, sw: int) -> None:
    r = ResponseApdu(data, sw)
    assert ResponseApdu.decode(r.encode()) == r
    assert (r.sw1 << 8) | r.sw2 == sw


def test_response_check() -> None:
    assert ResponseApdu.decode(b"\x01\x90\x00").check() == b"\x01"
    assert ResponseApdu.decode(b"\x01\x62\x82").check(SW.END_OF_FILE) == b"\x01"
    with pytest.raises(SecurityStatusNotSatisfied) as err:
        ResponseApdu.decode(b"\x69\x82").check()
    assert err.value.sw == 0x6982
    with pytest.raises(ApduFormatError):
        ResponseApdu.decode(b"\x90")


@pytest.mark.parametrize(
    ("sw", "cls"),
    [
        (0x6700, WrongLength),
        (0x6982, SecurityStatusNotSatisfied),
        (0x6983, AuthenticationBlocked),
        (0x6984, AuthenticationBlocked),
        (0x6A82, FileNotFound),
        (0x63C2, VerificationFailed),
        (0x6F00, ApduError),
    ],
)
def test_error_from_sw(sw: int, cls: type[ApduError]) -> None:
    err = ApduError.from_sw(sw)
    assert type(err) is cls
    assert err.sw == sw
    assert f"{sw:04X}" in str(err)


def test_verification_failed_retries() -> None:
    err = ApduError.from_sw(0x63C2)
    assert isinstance(err, VerificationFailed)
    assert err.retries == 2
    assert "2 tries left" in describe(0x63C2)
    assert describe(0x9000) == "9000 success"
    assert "unknown" in describe(0x1234)
