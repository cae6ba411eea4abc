"""Response APDUs: data followed by SW1 SW2."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ApduError, ApduFormatError
from .status import SW, describe


@dataclass(frozen=True, slots=True)
class ResponseApdu:
    data: bytes
    sw: int

    @property
    def sw1(self) -> int:
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        return self.sw & 0xFF

    @property
    def ok(self) -> bool:
        return self.sw == SW.OK

    @classmethod
    def decode(cls, raw: bytes) -> ResponseApdu:
        if len(raw) < 2:
            raise ApduFormatError(f"a response has at least 2 bytes (SW1 SW2), got {len(raw)}")
        return cls(bytes(raw[:-2]), (raw[-2] << 8) | raw[-1])

    def encode(self) -> bytes:
        return self.data + self.sw.to_bytes(2, "big")

    def __bytes__(self) -> bytes:
        return self.encode()

    def check(self, *also_ok: int) -> bytes:
        """Return the data if the SW is ``9000`` (or one of ``also_ok``), else raise."""
        if self.sw == SW.OK or self.sw in also_ok:
            return self.data
        raise ApduError(self.sw)

    def __str__(self) -> str:
        return f"{len(self.data)} bytes, {describe(self.sw)}"
