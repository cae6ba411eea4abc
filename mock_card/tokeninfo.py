"""EF 0006 of the JPKI AP laid out like PKCS#11 ``CK_TOKEN_INFO`` (160 bytes).

Layout (docs/card.md, "Token info"; stated by a project tested on real cards):
label (32 bytes), manufacturer ID (32), model (16), serial number (16),
all ASCII padded with spaces; then eleven 4-byte big-endian integers (flags,
max/current sessions, max/current read-write sessions, max/min PIN length,
total/free public memory, total/free private memory); hardware and firmware
version (2 bytes each); UTC time (16 bytes).

The label tells the kind of token apart; it is the only field clients are known
to read. The manufacturer ID, model and serial are shaped like those a public
parser's test of a physical card's layout uses (a 32-digit manufacturer ID,
model ``E16R01NJ``, a 16-digit serial; flags ``0x040D``, memory "unavailable");
the mock's serial is derived from its auth certificate, its PIN lengths are 4..16
(the PINs it holds). Nobody has published a full dump of a real card's EF 0006, so these
are plausible, not confirmed (docs/card.md).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Final

__all__ = [
    "CKF_LOGIN_REQUIRED",
    "CKF_RNG",
    "CKF_TOKEN_INITIALIZED",
    "CKF_USER_PIN_INITIALIZED",
    "LABEL_ANDROID",
    "LABEL_CARD",
    "LABEL_IOS",
    "LABEL_JUKI",
    "SIZE",
    "UNAVAILABLE",
    "TokenInfo",
    "token_info_for",
]

SIZE: Final = 160

#: Labels (docs/card.md): the My Number card, the older 住基カード (Juki card), smartphone JPKI.
LABEL_CARD: Final = "JPKIAPICCTOKEN2"
LABEL_JUKI: Final = "JPKIAPICCTOKEN"
LABEL_ANDROID: Final = "JPKIAPGPSETOKEN"
LABEL_IOS: Final = "JPKIAPIOSTOKEN"

# PKCS#11 CK_TOKEN_INFO flags and the "unavailable" value of a CK_ULONG
CKF_RNG: Final = 0x0001
CKF_LOGIN_REQUIRED: Final = 0x0004
CKF_USER_PIN_INITIALIZED: Final = 0x0008
CKF_TOKEN_INITIALIZED: Final = 0x0400
UNAVAILABLE: Final = 0xFFFFFFFF

#: The mock's manufacturer ID: 32 digits, the shape a public parser's test of a real card uses.
MANUFACTURER: Final = "0" * 31 + "1"
#: The model JPKI's token info gives for a My Number card.
MODEL_CARD: Final = "E16R01NJ"

_TEXT_FIELDS: Final = (("label", 32), ("manufacturer", 32), ("model", 16), ("serial", 16))
_TEXT_SPANS: Final = ((0, 32), (32, 32), (64, 16), (80, 16))
_TEXT_SIZE: Final = 96
_INTEGER_FIELDS: Final = (
    "flags",
    "max_sessions",
    "sessions",
    "max_rw_sessions",
    "rw_sessions",
    "max_pin_len",
    "min_pin_len",
    "total_public_memory",
    "free_public_memory",
    "total_private_memory",
    "free_private_memory",
)
_INTEGERS: Final = struct.Struct(">11L")
_TAIL: Final = struct.Struct(">2s2s16s")


def _field(value: str, size: int, name: str) -> bytes:
    raw = value.encode("ascii")
    if len(raw) > size:
        raise ValueError(f"the token {name} has at most {size} characters: {value!r}")
    return raw.ljust(size, b" ")


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """The fields of EF 0006; :meth:`encode` gives the 160 bytes a card stores."""

    label: str
    manufacturer: str = MANUFACTURER
    model: str = ""
    serial: str = ""
    flags: int = CKF_RNG | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED
    max_sessions: int = 1
    sessions: int = 0
    max_rw_sessions: int = 1
    rw_sessions: int = 0
    max_pin_len: int = 16
    min_pin_len: int = 4
    total_public_memory: int = UNAVAILABLE
    free_public_memory: int = UNAVAILABLE
    total_private_memory: int = UNAVAILABLE
    free_private_memory: int = UNAVAILABLE
    hardware_version: bytes = b"\x01\x00"
    firmware_version: bytes = b"\x01\x00"
    utc_time: bytes = b" " * 16  # no clock on the token (CKF_CLOCK_ON_TOKEN unset)

    def encode(self) -> bytes:
        text = b"".join(_field(getattr(self, name), size, name) for name, size in _TEXT_FIELDS)
        integers = _INTEGERS.pack(*(getattr(self, name) for name in _INTEGER_FIELDS))
        tail = _TAIL.pack(self.hardware_version, self.firmware_version, self.utc_time)
        raw = text + integers + tail
        assert len(raw) == SIZE
        return raw

    @classmethod
    def decode(cls, raw: bytes) -> TokenInfo:
        """Parse 160 bytes of EF 0006 (``ValueError`` for any other size or non-ASCII text)."""
        if len(raw) != SIZE:
            raise ValueError(f"EF 0006 is {SIZE} bytes, not {len(raw)}")
        label, manufacturer, model, serial = (
            raw[start : start + size].decode("ascii").rstrip(" ") for start, size in _TEXT_SPANS
        )
        numbers = dict(zip(_INTEGER_FIELDS, _INTEGERS.unpack_from(raw, _TEXT_SIZE), strict=True))
        hardware, firmware, utc = _TAIL.unpack_from(raw, _TEXT_SIZE + _INTEGERS.size)
        return cls(
            label,
            manufacturer,
            model,
            serial,
            hardware_version=hardware,
            firmware_version=firmware,
            utc_time=utc,
            **numbers,
        )


def token_info_for(label: str, serial_number: int) -> TokenInfo:
    """The mock's EF 0006 for a token labelled ``label`` whose auth certificate has
    ``serial_number`` (the token serial is its last 16 decimal digits)."""
    model = MODEL_CARD if label == LABEL_CARD else ""
    return TokenInfo(label, model=model, serial=f"{serial_number % 10**16:016d}")
