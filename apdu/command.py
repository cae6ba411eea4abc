"""Command APDUs (ISO 7816-4 §5.1): cases 1-4, short and extended length."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ApduFormatError

SHORT_MAX_DATA = 255
SHORT_MAX_LE = 256
EXTENDED_MAX_DATA = 65535
EXTENDED_MAX_LE = 65536


@dataclass(frozen=True, slots=True)
class CommandApdu:
    """A command APDU.

    ``le`` is Ne, the number of response bytes expected: ``None`` for no Le
    field, ``256`` is encoded as ``00`` in a short APDU and ``65536`` as
    ``0000`` in an extended one. ``extended`` forces extended-length encoding;
    otherwise it is used only when the data or Le do not fit a short APDU.
    """

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None
    extended: bool = False

    def __post_init__(self) -> None:
        if not (
            0 <= self.cla <= 0xFF
            and 0 <= self.ins <= 0xFF
            and 0 <= self.p1 <= 0xFF
            and 0 <= self.p2 <= 0xFF
        ):
            raise ApduFormatError(f"CLA, INS, P1 and P2 must be single bytes: {self.header!r}")
        if len(self.data) > EXTENDED_MAX_DATA:
            raise ApduFormatError(f"data too long for an APDU: {len(self.data)} bytes")
        if self.le is not None and not 1 <= self.le <= EXTENDED_MAX_LE:
            raise ApduFormatError(f"Le must be 1..{EXTENDED_MAX_LE} or None, got {self.le}")

    @property
    def header(self) -> tuple[int, int, int, int]:
        return (self.cla, self.ins, self.p1, self.p2)

    @property
    def is_extended(self) -> bool:
        """Whether :meth:`encode` uses extended-length fields (never for case 1)."""
        if not self.data and self.le is None:
            return False
        return (
            self.extended
            or len(self.data) > SHORT_MAX_DATA
            or (self.le is not None and self.le > SHORT_MAX_LE)
        )

    def encode(self) -> bytes:
        """The APDU's bytes."""
        out = bytearray((self.cla, self.ins, self.p1, self.p2))
        data, le = self.data, self.le
        if not self.is_extended:
            if data:
                out.append(len(data))
                out += data
            if le is not None:
                out.append(le & 0xFF)  # 256 -> 00
            return bytes(out)
        if data:
            out += b"\x00" + len(data).to_bytes(2, "big")
            out += data
            if le is not None:
                out += (le & 0xFFFF).to_bytes(2, "big")  # 65536 -> 0000
        elif le is not None:
            out += b"\x00" + (le & 0xFFFF).to_bytes(2, "big")
        return bytes(out)

    def __bytes__(self) -> bytes:
        return self.encode()

    def with_le(self, le: int | None) -> CommandApdu:
        """The same command with another Le."""
        return CommandApdu(self.cla, self.ins, self.p1, self.p2, self.data, le, self.extended)

    @classmethod
    def decode(cls, raw: bytes) -> CommandApdu:
        """Parse an APDU; raise :class:`ApduFormatError` when its lengths are inconsistent."""
        n = len(raw)
        if n < 4:
            raise ApduFormatError(f"an APDU has at least 4 bytes, got {n}")
        cla, ins, p1, p2 = raw[0], raw[1], raw[2], raw[3]
        body = raw[4:]
        if not body:  # case 1
            return cls(cla, ins, p1, p2)
        if len(body) == 1:  # case 2 short
            return cls(cla, ins, p1, p2, le=body[0] or SHORT_MAX_LE)
        if body[0] != 0:  # case 3 or 4 short
            lc = body[0]
            if len(body) == 1 + lc:
                return cls(cla, ins, p1, p2, bytes(body[1:]))
            if len(body) == 2 + lc:
                return cls(cla, ins, p1, p2, bytes(body[1 : 1 + lc]), body[-1] or SHORT_MAX_LE)
            raise ApduFormatError(f"Lc={lc} does not match the {len(body) - 1} bytes that follow")
        # extended length: body starts with 00
        if len(body) == 3:  # case 2 extended
            le = int.from_bytes(body[1:3], "big") or EXTENDED_MAX_LE
            return cls(cla, ins, p1, p2, le=le, extended=True)
        if len(body) < 3:
            raise ApduFormatError("truncated extended-length field")
        lc = int.from_bytes(body[1:3], "big")
        if lc == 0:
            raise ApduFormatError("extended Lc of zero")
        if len(body) == 3 + lc:
            return cls(cla, ins, p1, p2, bytes(body[3:]), extended=True)
        if len(body) == 5 + lc:
            le = int.from_bytes(body[-2:], "big") or EXTENDED_MAX_LE
            return cls(cla, ins, p1, p2, bytes(body[3 : 3 + lc]), le, extended=True)
        raise ApduFormatError(
            f"extended Lc={lc} does not match the {len(body) - 3} bytes that follow"
        )
