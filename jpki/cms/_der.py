"""A small strict DER reader and writer, written by hand for the hot path of verification.

asn1crypto builds a Python object for every element it looks at, which made it two
thirds of the time of a CMS verification; this reader returns plain tuples
(:data:`Tlv`) and slices. What it accepts:

* :class:`DerReader` — definite lengths only (of at most 4 octets; non-minimal long
  forms are tolerated, as BER allows), single-byte tags, every element inside its
  parent. An indefinite length raises :class:`IndefiniteLength` (a ``ValueError``),
  anything else wrong a ``ValueError`` naming the offset.
* :func:`definite_lengths` — BER with indefinite lengths (what streaming signers such as
  ``openssl cms -sign -stream`` write) re-encoded with definite ones, nested at most
  :data:`MAX_BER_DEPTH` levels.
* :func:`read_length` — one length; strictly DER (minimal) unless told otherwise. The
  holder attributes of :mod:`jpki.certs.holder` are read with it too.

Everything here raises ``ValueError`` (or its subclass :class:`IndefiniteLength`) for
damaged input and nothing else: ``fuzz/targets.py`` holds it to that (``der-reader``).
"""

from __future__ import annotations

import functools
from typing import Final

__all__ = [
    "BODY",
    "END",
    "MAX_BER_DEPTH",
    "START",
    "TAG",
    "DerReader",
    "IndefiniteLength",
    "Tlv",
    "definite_lengths",
    "encode",
    "encode_length",
    "issuer_and_serial",
    "read_length",
]

#: One element of the data being read: (tag, offset of the element, offset of its
#: contents, offset just past it). Plain tuples: this is the hot path.
Tlv = tuple[int, int, int, int]
TAG, START, BODY, END = 0, 1, 2, 3

#: Deepest nesting of BER elements accepted (a CMS with its certificates needs about 15).
MAX_BER_DEPTH: Final = 40
#: Most octets of a long-form length (4 GiB: more than any input is allowed to be).
_MAX_LENGTH_OCTETS: Final = 4


class IndefiniteLength(ValueError):
    """BER with an indefinite length where the reader needs definite ones."""


def read_length(
    data: bytes, pos: int, end: int | None = None, *, strict: bool = True
) -> tuple[int, int]:
    """``(length, offset after the length octets)`` of the definite length at ``pos``
    (``end``: where the data stops, default its end).

    ``strict`` (DER) refuses a long form where the short one fits and leading zero
    octets; without it such BER lengths are accepted. :class:`IndefiniteLength` for
    ``0x80``; ``ValueError`` for more than 4 length octets or a truncated length.
    """
    limit = len(data) if end is None else end
    if pos >= limit:
        raise ValueError("truncated length")
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    count = first & 0x7F
    if count == 0:
        raise IndefiniteLength(f"indefinite length at offset {pos}")
    if count > _MAX_LENGTH_OCTETS:
        raise ValueError(f"oversized length at offset {pos}")
    if pos + 1 + count > limit:
        raise ValueError("truncated length")
    octets = data[pos + 1 : pos + 1 + count]
    length = int.from_bytes(octets, "big")
    if strict and (length < 0x80 or octets[0] == 0):
        raise ValueError("non-minimal length encoding")
    return length, pos + 1 + count


def encode_length(n: int) -> bytes:
    """The DER length octets for ``n``."""
    if n < 0x80:
        return bytes([n])
    octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def encode(tag: int, content: bytes) -> bytes:
    """One DER element: ``tag``, the length, ``content``."""
    return bytes([tag]) + encode_length(len(content)) + content


class DerReader:
    """Reads the elements of ``data`` (see the module documentation for what it accepts)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, pos: int, end: int) -> Tlv:
        """The element at ``pos``, which must end by ``end``."""
        data = self.data
        if pos + 2 > end:
            raise ValueError("truncated DER element")
        tag = data[pos]
        if tag & 0x1F == 0x1F:
            raise ValueError(f"unexpected high-number tag at offset {pos}")
        length = data[pos + 1]
        body = pos + 2
        if length & 0x80:  # read_length(strict=False), inlined: this is the hot path
            n = length & 0x7F
            if n == 0:
                raise IndefiniteLength(f"indefinite length at offset {pos}")
            if n > _MAX_LENGTH_OCTETS or body + n > end:
                raise ValueError(f"bad DER length at offset {pos}")
            length = int.from_bytes(data[body : body + n], "big")
            body += n
        if body + length > end:
            raise ValueError(f"truncated DER element at offset {pos}")
        return (tag, pos, body, body + length)

    def children(self, parent: Tlv, tag: int, what: str, limit: int = -1) -> list[Tlv]:
        """The elements inside ``parent`` (the first ``limit`` of them, if given), which must
        have the ``tag`` (constructed). :meth:`read` inlined: this loop is the hot path.

        Input from outside is read with a ``limit`` (one more than the most accepted, so
        that "too many" can be told): a list of every element of a large input would cost
        tens of times its size."""
        if parent[TAG] != tag:
            raise ValueError(f"{what}: expected tag {tag:02X}, found {parent[TAG]:02X}")
        out: list[Tlv] = []
        data, pos, end = self.data, parent[BODY], parent[END]
        while pos < end and len(out) != limit:
            if pos + 2 > end:
                raise ValueError("truncated DER element")
            child_tag = data[pos]
            length = data[pos + 1]
            body = pos + 2
            if child_tag & 0x1F == 0x1F or length & 0x80:
                child = self.read(pos, end)  # the rare cases, with their errors
            else:
                if body + length > end:
                    raise ValueError(f"truncated DER element at offset {pos}")
                child = (child_tag, pos, body, body + length)
            out.append(child)
            pos = child[END]
        return out

    def whole(self, tlv: Tlv) -> bytes:
        """The element's bytes, tag and length included."""
        return self.data[tlv[START] : tlv[END]]

    def contents(self, tlv: Tlv, tag: int, what: str) -> bytes:
        """The contents octets of an element that must have ``tag``."""
        if tlv[TAG] != tag:
            raise ValueError(f"{what}: expected tag {tag:02X}, found {tlv[TAG]:02X}")
        return self.data[tlv[BODY] : tlv[END]]

    def octet_string(self, tlv: Tlv) -> bytes:
        """An OCTET STRING, primitive or constructed (chunks, as streamed content is; nested
        at most 4 levels). The chunks are gathered one by one, never listed: a million
        empty chunks cost no more memory than the content."""
        if tlv[TAG] == 0x04:
            return self.data[tlv[BODY] : tlv[END]]
        out = bytearray()
        self._gather(tlv, out, 0)
        return bytes(out)

    def _gather(self, tlv: Tlv, out: bytearray, depth: int) -> None:
        if tlv[TAG] != 0x24:
            raise ValueError(f"OCTET STRING: expected tag 24, found {tlv[TAG]:02X}")
        if depth > 4:
            raise ValueError("OCTET STRING chunks nested too deeply")
        pos, end = tlv[BODY], tlv[END]
        while pos < end:
            chunk = self.read(pos, end)
            if chunk[TAG] == 0x04:
                out += self.data[chunk[BODY] : chunk[END]]
            else:
                self._gather(chunk, out, depth + 1)
            pos = chunk[END]


@functools.lru_cache(maxsize=64)  # the signer's certificate is looked at two or three times
def issuer_and_serial(certificate_der: bytes) -> tuple[bytes, bytes]:
    """The DER of a certificate's issuer Name and of its serialNumber INTEGER."""
    der = DerReader(certificate_der)
    cert = der.children(der.read(0, len(certificate_der)), 0x30, "Certificate", limit=1)
    if not cert:
        raise ValueError("not an X.509 certificate")
    tbs = der.children(cert[0], 0x30, "tbsCertificate", limit=4)
    i = 1 if tbs and tbs[0][TAG] == 0xA0 else 0  # [0] version
    if len(tbs) < i + 3 or tbs[i][TAG] != 0x02 or tbs[i + 2][TAG] != 0x30:
        raise ValueError("not an X.509 certificate")
    return der.whole(tbs[i + 2]), der.whole(tbs[i])


# -- BER with indefinite lengths ---------------------------------------------------------------


def definite_lengths(data: bytes) -> bytes:
    """BER with indefinite lengths re-encoded with definite ones. Elements without
    indefinite lengths inside are copied byte for byte, so certificates keep their exact
    encoding; constructed OCTET STRINGs become primitive ones. ``ValueError`` for damaged
    input (and trailing data after the one element)."""
    element, end = _definite_element(data, 0, len(data), 0)
    if end != len(data):
        raise ValueError(f"{len(data) - end} bytes of trailing data after the signature")
    return element


def _definite_element(data: bytes, pos: int, limit: int, depth: int) -> tuple[bytes, int]:
    """The element at ``pos`` with definite lengths, and the offset past it. The contents
    of a constructed element are gathered in one buffer, never as a list of parts: a BER
    of a million tiny elements costs no more memory than its size."""
    if depth > MAX_BER_DEPTH:
        raise ValueError(f"BER nested more than {MAX_BER_DEPTH} levels deep")
    start = pos
    if pos >= limit:
        raise ValueError("truncated BER element")
    constructed = bool(data[pos] & 0x20)
    if data[pos] & 0x1F == 0x1F:  # high tag number form
        pos += 1
        while pos < limit and data[pos] & 0x80:
            pos += 1
    pos += 1
    if pos >= limit:
        raise ValueError("truncated BER element")
    tag = data[start:pos]
    octets = tag == b"\x24"  # a constructed OCTET STRING: its chunks' contents, joined
    body = bytearray()
    if data[pos] == 0x80:
        if not constructed:
            raise ValueError("indefinite length on a primitive BER element")
        pos += 1
        while True:
            if pos + 2 > limit:
                raise ValueError("BER indefinite length without end-of-contents")
            if data[pos] == 0 and data[pos + 1] == 0:
                pos += 2
                break
            pos = _definite_child(data, pos, limit, depth, body=body, octets=octets)
        return _constructed(tag, body), pos
    try:
        length, pos = read_length(data, pos, limit, strict=False)
    except ValueError:
        raise ValueError("bad BER length") from None
    end = pos + length
    if end > limit:
        raise ValueError("truncated BER element")
    if not constructed:
        return data[start:end], end
    inner = pos
    while inner < end:
        inner = _definite_child(data, inner, end, depth, body=body, octets=octets)
    if not octets and len(body) == length and body == data[pos:end]:
        return data[start:end], end  # nothing inside changed: the bytes as they were
    return _constructed(tag, body), end


def _definite_child(
    data: bytes, pos: int, limit: int, depth: int, *, body: bytearray, octets: bool
) -> int:
    """Append the child at ``pos`` (definite; for a constructed OCTET STRING only its
    contents) to ``body``; the offset past it."""
    part, after = _definite_element(data, pos, limit, depth + 1)
    if octets:
        if part[0] != 0x04:
            raise ValueError("a constructed OCTET STRING holds something else")
        header = 2 + (part[1] & 0x7F if part[1] & 0x80 else 0)
        body += memoryview(part)[header:]
    else:
        body += part
    return after


def _constructed(tag: bytes, body: bytearray) -> bytes:
    """A constructed element of ``body``; a constructed OCTET STRING (streamed content, cut
    in chunks) becomes one primitive OCTET STRING, as asn1crypto needs it."""
    if tag == b"\x24":
        return b"\x04" + encode_length(len(body)) + body
    return tag + encode_length(len(body)) + body
