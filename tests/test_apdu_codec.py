"""Command/response APDU codecs: exact bytes for every case, and round trips."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apdu import (
    BLOCKED,
    INS,
    SW,
    ApduError,
    ApduFormatError,
    CommandApdu,
    ResponseApdu,
    describe,
    retries_left,
    retries_sw,
)
from apdu.trace import redact_command


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


@given(st.binary(max_size=300), st.integers(0, 0xFFFF))
def test_response_round_trip(data: bytes, sw: int) -> None:
    r = ResponseApdu(data, sw)
    assert ResponseApdu.decode(r.encode()) == r
    assert (r.sw1 << 8) | r.sw2 == sw


def test_response_check() -> None:
    assert ResponseApdu.decode(b"\x01\x90\x00").check() == b"\x01"
    assert ResponseApdu.decode(b"\x01\x62\x82").check(SW.END_OF_FILE) == b"\x01"
    with pytest.raises(ApduError) as err:
        ResponseApdu.decode(b"\x69\x82").check()
    assert err.value.sw == SW.SECURITY_STATUS_NOT_SATISFIED
    assert err.value.retries is None
    assert str(err.value) == "6982 security status not satisfied"
    with pytest.raises(ApduError) as err:
        ResponseApdu.decode(b"\x63\xc2").check()
    assert err.value.retries == 2
    with pytest.raises(ApduFormatError):
        ResponseApdu.decode(b"\x90")


@pytest.mark.parametrize(
    ("sw", "retries"),
    [
        (0x63C0, 0),
        (0x63C2, 2),
        (0x63CF, 15),
        (0x63B2, None),  # another 63xx: not a counter
        (0x6300, None),
        (0x62C2, None),
        (0x9000, None),
        (0x6983, None),
        (0x6984, None),
    ],
)
def test_retries_left(sw: int, retries: int | None) -> None:
    assert retries_left(sw) == retries
    if retries is not None:
        assert retries_sw(retries) == sw
        assert f"{retries} tries left" in describe(sw)


@given(st.integers(0, 0xFFFF))
def test_retries_left_reads_exactly_the_63cx_words(sw: int) -> None:
    retries = retries_left(sw)
    assert (retries is not None) == (sw & 0xFFF0 == 0x63C0)
    if retries is not None:
        assert retries_sw(retries) == sw


def test_retries_sw_refuses_what_does_not_fit_a_nibble() -> None:
    for bad in (-1, 16, 255):
        with pytest.raises(ValueError, match="0 to 15"):
            retries_sw(bad)


def test_blocked_status_words() -> None:
    assert {0x6983, 0x6984} == BLOCKED
    assert SW.FILE_NOT_FOUND not in BLOCKED


def test_describe() -> None:
    assert describe(0x9000) == "9000 success"
    assert describe(0x6A82) == "6A82 file or application not found"
    assert describe(0x6110) == "6110 16 more response bytes available"
    assert describe(0x6C00) == "6C00 wrong Le, exact length is 256"
    assert "unknown" in describe(0x1234)


def test_instruction_bytes() -> None:
    """The instructions as ISO 7816-4 numbers them, and those whose data is redacted."""
    assert (INS.SELECT, INS.READ_BINARY, INS.VERIFY, INS.GET_RESPONSE) == (0xA4, 0xB0, 0x20, 0xC0)
    assert (INS.CHANGE_REFERENCE_DATA, INS.RESET_RETRY_COUNTER) == (0x24, 0x2C)
    assert INS.PERFORM_SECURITY_OPERATION == 0x2A
    for ins in INS:
        redacted = redact_command(bytes((0x00, ins, 0x00, 0x80, 4)) + b"1234")
        assert redacted.endswith(" *") == (ins in (0x20, 0x21, 0x24, 0x2C)), ins.name
