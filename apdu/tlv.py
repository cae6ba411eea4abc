"""BER-TLV as used in ISO 7816-4 data objects (multi-byte tags, definite lengths)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .errors import ApduFormatError


@dataclass(frozen=True, slots=True)
class Tlv:
    tag: int
    value: bytes


def encode_length(n: int) -> bytes:
    """Definite-length encoding of ``n`` (short form below 128)."""
    if n < 0:
        raise ApduFormatError("negative length")
    if n < 0x80:
        return bytes((n,))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    if len(body) > 4:
        raise ApduFormatError("length too large")
    return bytes((0x80 | len(body),)) + body


def encode_tag(tag: int) -> bytes:
    if tag < 0:
        raise ApduFormatError("negative tag")
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")


def encode(tag: int, value: bytes) -> bytes:
    return encode_tag(tag) + encode_length(len(value)) + value


def read_header(data: bytes, offset: int = 0) -> tuple[int, int, int]:
    """Parse the tag and length at ``offset``: ``(tag, value_offset, value_length)``.

    The value itself need not be present yet, which lets a reader learn a
    file's size from its first bytes.
    """
    n = len(data)
    if offset >= n:
        raise ApduFormatError("truncated TLV: no tag")
    first = data[offset]
    tag = first
    i = offset + 1
    if first & 0x1F == 0x1F:  # multi-byte tag
        while True:
            if i >= n:
                raise ApduFormatError("truncated TLV: tag")
            b = data[i]
            tag = (tag << 8) | b
            i += 1
            if not b & 0x80:
                break
        if i - offset > 4:
            raise ApduFormatError("TLV tag longer than 4 bytes")
    if i >= n:
        raise ApduFormatError("truncated TLV: no length")
    first_len = data[i]
    i += 1
    if first_len < 0x80:
        return tag, i, first_len
    count = first_len & 0x7F
    if count == 0 or count > 4:
        raise ApduFormatError(f"unsupported TLV length form {first_len:02X}")
    if i + count > n:
        raise ApduFormatError("truncated TLV: length")
    return tag, i + count, int.from_bytes(data[i : i + count], "big")


def iter_tlv(data: bytes) -> Iterator[Tlv]:
    """The TLVs that make up ``data``, in order; ``00`` padding between them is skipped.

    (``FF`` padding is not skipped: it starts two-byte tags such as ``FF20``.)
    """
    offset, n = 0, len(data)
    while offset < n:
        if data[offset] == 0x00:
            offset += 1
            continue
        tag, start, length = read_header(data, offset)
        end = start + length
        if end > n:
            raise ApduFormatError(f"TLV {tag:X} claims {length} bytes, {n - start} are left")
        yield Tlv(tag, bytes(data[start:end]))
        offset = end


def parse_one(data: bytes) -> Tlv:
    """The single TLV at the start of ``data`` (trailing bytes are ignored)."""
    tag, start, length = read_header(data)
    if start + length > len(data):
        raise ApduFormatError(f"TLV {tag:X} claims {length} bytes, {len(data) - start} are left")
    return Tlv(tag, bytes(data[start : start + length]))
