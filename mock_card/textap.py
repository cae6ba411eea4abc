"""Contents of the 券面事項入力補助AP (text AP) files, built from the holder's data."""

from __future__ import annotations

import random

from apdu import tlv

from .holders import Holder


def basic_four(holder: Holder) -> bytes:
    """EF 0002: ``FF20`` holding ``DF21`` (offsets) then name, address, birth date, sex (UTF-8)."""
    items = [
        tlv.encode(0xDF22, holder.name.encode("utf-8")),
        tlv.encode(0xDF23, holder.address.encode("utf-8")),
        tlv.encode(0xDF24, holder.birth_date_code[1:].encode("ascii")),
        tlv.encode(0xDF25, str(holder.sex.value).encode("ascii")),
    ]
    # DF21: the offset of each following item inside the FF20 value (2 bytes each)
    header_len = 3 + 2 * len(items)
    offsets, pos = bytearray(), header_len
    for item in items:
        offsets += pos.to_bytes(2, "big")
        pos += len(item)
    return tlv.encode(0xFF20, tlv.encode(0xDF21, bytes(offsets)) + b"".join(items))


def my_number_digits(seed: int) -> str:
    """A fictional 12-digit individual number with a valid check digit, derived from ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - a fictional number, reproducible by design
    body = "".join(str(rng.randrange(10)) for _ in range(11))
    return body + check_digit(body)


def check_digit(first11: str) -> str:
    """The check digit of an individual number (総務省令 第五条)."""
    total = 0
    for n, ch in enumerate(reversed(first11), start=1):
        q = n + 1 if n <= 6 else n - 5
        total += int(ch) * q
    remainder = total % 11
    return "0" if remainder <= 1 else str(11 - remainder)


def my_number_file(seed: int) -> bytes:
    """EF 0001: ``FF 10 0C`` followed by the 12 ASCII digits."""
    return b"\xff\x10\x0c" + my_number_digits(seed).encode("ascii")


def ap_info() -> bytes:
    """EF 0005: AP info (APID and public-key id); opaque to host code."""
    return tlv.encode(0xDF30, b"\x01\x00") + tlv.encode(0xDF31, b"MOCK-KEY-0001")
