"""PIN reference data as the mock card keeps it: a salted hash and a try counter.

The PIN itself is never stored, so neither the card's memory dump nor its
state file holds it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from enum import Enum

_ITERATIONS = 1000


class PinFormat(Enum):
    DIGITS4 = "4 digits"
    SIGN = "6-16 upper-case letters and digits, at least one of each"

    def accepts(self, pin: bytes) -> bool:
        if self is PinFormat.DIGITS4:
            return re.fullmatch(rb"[0-9]{4}", pin) is not None
        return (
            re.fullmatch(rb"[A-Z0-9]{6,16}", pin) is not None
            and re.search(rb"[A-Z]", pin) is not None
            and re.search(rb"[0-9]", pin) is not None
        )


def _digest(salt: bytes, pin: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", pin, salt, _ITERATIONS)


@dataclass
class PinRecord:
    fmt: PinFormat
    max_tries: int
    tries_left: int
    salt: bytes
    digest: bytes

    @classmethod
    def create(cls, pin: str, fmt: PinFormat, max_tries: int) -> PinRecord:
        raw = pin.encode("ascii")
        if not fmt.accepts(raw):
            raise ValueError(f"a mock card PIN of this kind must be {fmt.value}")
        salt = os.urandom(_SALT_SIZE)
        return cls(fmt, max_tries, max_tries, salt, _digest(salt, raw))

    @property
    def blocked(self) -> bool:
        return self.tries_left == 0

    def matches(self, pin: bytes) -> bool:
        return hmac.compare_digest(_digest(self.salt, pin), self.digest)

    def set(self, pin: bytes) -> None:
        self.salt = os.urandom(_SALT_SIZE)
        self.digest = _digest(self.salt, pin)

    def to_json(self) -> dict[str, object]:
        return {
            "format": self.fmt.name,
            "max_tries": self.max_tries,
            "tries_left": self.tries_left,
            "salt": self.salt.hex(),
            "digest": self.digest.hex(),
        }

    @classmethod
    def from_json(cls, d: object) -> PinRecord:
        """A record from the state file, checked: ``ValueError`` saying what is wrong for
        anything a card could not hold (a counter out of 0..max, max out of 1..15 — the
        ``63Cx`` nibble —, a salt or digest of the wrong length, an unknown format)."""
        if not isinstance(d, dict) or set(d) != _KEYS:
            raise ValueError(f"a PIN record has exactly the keys {', '.join(sorted(_KEYS))}")
        fmt = d["format"]
        if not isinstance(fmt, str) or fmt not in PinFormat.__members__:
            raise ValueError(f"unknown PIN format {str(fmt)[:20]!r}")
        max_tries, tries_left = d["max_tries"], d["tries_left"]
        if type(max_tries) is not int or not 1 <= max_tries <= _MAX_TRIES:
            raise ValueError(f"max_tries must be a whole number from 1 to {_MAX_TRIES}")
        if type(tries_left) is not int or not 0 <= tries_left <= max_tries:
            raise ValueError("tries_left must be a whole number from 0 to max_tries")
        salt, digest = _hex(d["salt"], _SALT_SIZE, "salt"), _hex(d["digest"], 32, "digest")
        return cls(PinFormat[fmt], max_tries, tries_left, salt, digest)


_KEYS = frozenset({"format", "max_tries", "tries_left", "salt", "digest"})
_MAX_TRIES = 15  # what the low nibble of 63Cx can say
_SALT_SIZE = 16


def _hex(value: object, size: int, what: str) -> bytes:
    if not isinstance(value, str) or len(value) != 2 * size:
        raise ValueError(f"the {what} must be {size} bytes in hex")
    return bytes.fromhex(value)
