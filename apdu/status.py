"""ISO 7816-4 status words (SW1 SW2) and what they mean.

The one home of their decoding: :func:`retries_left` reads the tries a ``63Cx``
answer reports, :func:`retries_sw` builds one, :data:`BLOCKED` are the answers
that say a PIN (reference data) is blocked, :func:`describe` puts any of them in
words.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final


class SW(IntEnum):
    """Status words this project meets; values are ``SW1 << 8 | SW2``."""

    OK = 0x9000
    END_OF_FILE = 0x6282
    MEMORY_FAILURE = 0x6581
    WRONG_LENGTH = 0x6700
    SECURITY_STATUS_NOT_SATISFIED = 0x6982
    AUTH_METHOD_BLOCKED = 0x6983
    REFERENCE_DATA_NOT_USABLE = 0x6984
    CONDITIONS_NOT_SATISFIED = 0x6985
    COMMAND_NOT_ALLOWED = 0x6986
    WRONG_DATA = 0x6A80
    FUNCTION_NOT_SUPPORTED = 0x6A81
    FILE_NOT_FOUND = 0x6A82
    RECORD_NOT_FOUND = 0x6A83
    INCORRECT_P1P2 = 0x6A86
    REFERENCE_DATA_NOT_FOUND = 0x6A88
    WRONG_P1P2 = 0x6B00
    INS_NOT_SUPPORTED = 0x6D00
    CLA_NOT_SUPPORTED = 0x6E00
    NO_PRECISE_DIAGNOSIS = 0x6F00


#: ``63Cx``: a VERIFY (or CHANGE REFERENCE DATA) failed, or a VERIFY without data reports;
#: ``x`` tries are left.
_RETRIES_SW1: Final = 0x63
_RETRIES_NIBBLE: Final = 0xC0

#: The answers saying that the reference data (a PIN) is blocked.
BLOCKED: Final = frozenset({SW.AUTH_METHOD_BLOCKED, SW.REFERENCE_DATA_NOT_USABLE})


def retries_left(sw: int) -> int | None:
    """The tries left a ``63Cx`` status word reports (``x``), else ``None``."""
    if sw >> 8 == _RETRIES_SW1 and sw & 0xF0 == _RETRIES_NIBBLE:
        return sw & 0x0F
    return None


def retries_sw(retries: int) -> int:
    """The status word ``63Cx`` reporting ``retries`` (0-15) tries left."""
    if not 0 <= retries <= 0x0F:
        raise ValueError(f"a 63Cx status word reports 0 to 15 tries, not {retries}")
    return (_RETRIES_SW1 << 8) | _RETRIES_NIBBLE | retries


_MEANINGS: dict[int, str] = {
    SW.OK: "success",
    SW.END_OF_FILE: "end of file reached before Le bytes",
    SW.WRONG_LENGTH: "wrong length",
    SW.SECURITY_STATUS_NOT_SATISFIED: "security status not satisfied",
    SW.AUTH_METHOD_BLOCKED: "authentication method blocked",
    SW.REFERENCE_DATA_NOT_USABLE: "reference data not usable (blocked)",
    SW.CONDITIONS_NOT_SATISFIED: "conditions of use not satisfied",
    SW.COMMAND_NOT_ALLOWED: "command not allowed (no current EF)",
    SW.WRONG_DATA: "incorrect parameters in the data field",
    SW.FUNCTION_NOT_SUPPORTED: "function not supported",
    SW.FILE_NOT_FOUND: "file or application not found",
    SW.RECORD_NOT_FOUND: "record not found",
    SW.INCORRECT_P1P2: "incorrect parameters P1-P2",
    SW.REFERENCE_DATA_NOT_FOUND: "referenced data not found",
    SW.WRONG_P1P2: "wrong parameters P1-P2 (offset beyond the end of the file)",
    SW.INS_NOT_SUPPORTED: "instruction not supported",
    SW.CLA_NOT_SUPPORTED: "class not supported",
    SW.NO_PRECISE_DIAGNOSIS: "no precise diagnosis",
    SW.MEMORY_FAILURE: "memory failure",
}


def describe(sw: int) -> str:
    """A short description of a status word: ``'63C2 verification failed, 2 tries left'``."""
    sw1, sw2 = sw >> 8, sw & 0xFF
    retries = retries_left(sw)
    if sw in _MEANINGS:
        text = _MEANINGS[sw]
    elif retries is not None:
        text = f"verification failed, {retries} tries left"
    elif sw1 == 0x61:
        text = f"{sw2 or 256} more response bytes available"
    elif sw1 == 0x6C:
        text = f"wrong Le, exact length is {sw2 or 256}"
    else:
        text = "unknown status"
    return f"{sw:04X} {text}"
