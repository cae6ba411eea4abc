"""ISO 7816-4 status words (SW1 SW2) and what they mean."""

from __future__ import annotations

from enum import IntEnum


class SW(IntEnum):
    """Status words this project meets; values are ``SW1 << 8 | SW2``."""

    OK = 0x9000
    END_OF_FILE = 0x6282
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
}


def describe(sw: int) -> str:
    """A short description of a status word: ``'63C2 verification failed, 2 tries left'``."""
    sw1, sw2 = sw >> 8, sw & 0xFF
    if sw in _MEANINGS:
        text = _MEANINGS[sw]
    elif sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        text = f"verification failed, {sw2 & 0x0F} tries left"
    elif sw1 == 0x61:
        text = f"{sw2 or 256} more response bytes available"
    elif sw1 == 0x6C:
        text = f"wrong Le, exact length is {sw2 or 256}"
    else:
        text = "unknown status"
    return f"{sw:04X} {text}"
