"""ISO 7816-4 instruction bytes (INS) this project sends or answers."""

from __future__ import annotations

from enum import IntEnum
from typing import Final


class INS(IntEnum):
    """Instruction bytes. ``PERFORM_SECURITY_OPERATION`` is sent with CLA ``80`` by JPKI
    cards (their COMPUTE DIGITAL SIGNATURE)."""

    VERIFY = 0x20
    VERIFY_ODD = 0x21  # VERIFY with BER-TLV data
    CHANGE_REFERENCE_DATA = 0x24
    PERFORM_SECURITY_OPERATION = 0x2A
    RESET_RETRY_COUNTER = 0x2C
    SELECT = 0xA4
    READ_BINARY = 0xB0
    GET_RESPONSE = 0xC0


#: Instructions whose data field may hold a PIN (redacted from traces).
PIN_BEARING: Final = frozenset(
    {INS.VERIFY, INS.VERIFY_ODD, INS.CHANGE_REFERENCE_DATA, INS.RESET_RETRY_COUNTER}
)
