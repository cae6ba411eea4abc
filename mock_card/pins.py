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
        salt = os.urandom(16)
        return cls(fmt, max_tries, max_tries, salt, _digest(salt, raw))

    @property
    def blocked(self) -> bool:
        return self.tries_left == 0

    def matches(self, pin: bytes) -> bool:
        return hmac.compare_digest(_digest(self.salt, pin), self.digest)

    def set(self, pin: bytes) -> None:
        self.salt = os.urandom(16)
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
    def from_json(cls, d: dict[str, object]) -> PinRecord:
        return cls(
            PinFormat[str(d["format"])],
            int(str(d["max_tries"])),
            int(str(d["tries_left"])),
            bytes.fromhex(str(d["salt"])),
            bytes.fromhex(str(d["digest"])),
        )
