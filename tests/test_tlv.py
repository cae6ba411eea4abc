import pytest
from hypothesis import given
from hypothesis import strategies as st

from apdu import ApduFormatError, tlv


@pytest.mark.parametrize(
    ("tag", "value", "encoded"),
    [
        (0xDF22, b"ab", "DF22026162"),
        (0x30, b"\x00" * 130, "308182" + "00" * 130),
        (0xFF20, b"\x01" * 300, "FF20 82012C" + "01" * 300),
    ],
)
def test_encode(tag: int, value: bytes, encoded: str) -> None:
    raw = bytes.fromhex(encoded)
    assert tlv.encode(tag, value) == raw
    assert tlv.parse_one(raw) == tlv.Tlv(tag, value)


def test_header_without_value() -> None:
    # a certificate's first bytes tell its whole length
    assert tlv.read_header(bytes.fromhex("30820622")) == (0x30, 4, 0x622)


def test_iter_skips_zero_padding() -> None:
    data = tlv.encode(0xDF21, b"\x01") + b"\x00\x00" + tlv.encode(0xDF22, b"x")
    assert [t.tag for t in tlv.iter_tlv(data)] == [0xDF21, 0xDF22]


@pytest.mark.parametrize("raw", ["DF", "DF22", "DF2205AA", "3085FFFFFFFFFF", "DFFFFFFF0100"])
def test_truncated(raw: str) -> None:
    with pytest.raises(ApduFormatError):
        list(tlv.iter_tlv(bytes.fromhex(raw)))


@given(
    st.lists(
        st.tuples(st.sampled_from([0x30, 0x04, 0xDF21, 0xDF25, 0xFF20]), st.binary(max_size=400))
    )
)
def test_round_trip(items: list[tuple[int, bytes]]) -> None:
    data = b"".join(tlv.encode(t, v) for t, v in items)
    assert [(t.tag, t.value) for t in tlv.iter_tlv(data)] == items
