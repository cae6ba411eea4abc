"""APDU traffic logging with PIN and My Number redaction.

Traffic goes to the ``apdu.trace`` logger at level :data:`TRACE` (5, below
DEBUG), one line per command and one per response. The data field of every
command that can carry a PIN (VERIFY, CHANGE REFERENCE DATA, RESET RETRY
COUNTER) is replaced by a single ``*``, its length too: the length of a
signature PIN is a secret as well.

The individual number (My Number) is redacted the same way: the response data of
every READ BINARY (and GET RESPONSE after it) while the text AP's My Number file is
the current EF — selected by FID, or read by its short EF identifier — is
replaced by ``*``, the status word kept. For that, the SELECTs going by are
followed per thread whether or not tracing is on (a comparison per APDU), so that
turning the trace on midway cannot show a number either.
"""

from __future__ import annotations

import logging
import threading
from typing import Final

from .instructions import PIN_BEARING

TRACE = 5
logging.addLevelName(TRACE, "TRACE")

logger = logging.getLogger("apdu.trace")

#: Instructions whose data field may hold a PIN.
SECRET_INS = PIN_BEARING

#: The text AP (券面事項入力補助AP) and its My Number file, whose contents are never traced.
TEXT_AP_AID: Final = bytes.fromhex("D3921000310001010408")
MY_NUMBER_FID: Final = b"\x00\x01"
_INS_SELECT: Final = 0xA4
_INS_READ: Final = frozenset({0xB0, 0xB1})
_INS_GET_RESPONSE: Final = 0xC0


class _Selection(threading.local):
    """What the card has selected, as far as this thread's commands tell."""

    text_ap = False  # the text AP is the current application
    my_number = False  # ... and its My Number file the current EF
    secret = False  # the response to come holds the My Number


_selection = _Selection()


def _select_data(apdu: bytes) -> bytes:
    """The data field of a SELECT (short or extended Lc); ``b""`` if it has none."""
    if len(apdu) <= 5:
        return b""
    if apdu[4] != 0:
        return apdu[5 : 5 + apdu[4]]
    if len(apdu) >= 7:
        return apdu[7 : 7 + int.from_bytes(apdu[5:7], "big")]
    return b""


def _follow(apdu: bytes) -> None:
    """Keep :data:`_selection` up to date with the command about to be sent."""
    if len(apdu) < 4:
        return
    sel, ins, p1 = _selection, apdu[1], apdu[2]
    if ins == _INS_SELECT:
        data = _select_data(apdu)
        if p1 == 0x04:  # by DF name: an application
            sel.text_ap, sel.my_number = data == TEXT_AP_AID, False
        else:  # an EF (by FID, or by a path ending in its FID)
            sel.my_number = sel.text_ap and data[-2:] == MY_NUMBER_FID
        sel.secret = False
    elif ins in _INS_READ:
        by_sfi = ins == 0xB0 and p1 & 0x80  # READ BINARY with a short EF identifier
        sel.secret = sel.text_ap and (p1 & 0x1F == 1) if by_sfi else sel.my_number
    elif ins != _INS_GET_RESPONSE:  # GET RESPONSE carries on the response before it
        sel.secret = False


def redact_command(apdu: bytes) -> str:
    """Hex of a command APDU, with any PIN-bearing data field replaced by ``*``."""
    if len(apdu) > 5 and apdu[1] in SECRET_INS:
        return apdu[:4].hex(" ").upper() + " *"
    return apdu.hex(" ").upper()


def format_response(response: bytes) -> str:
    if len(response) < 2:
        return response.hex(" ").upper() or "(empty)"
    data, sw = response[:-2], response[-2:]
    return (data.hex(" ").upper() + " " if data else "") + sw.hex().upper()


def redact_response(response: bytes) -> str:
    """A response with its data replaced by ``*`` (the status word kept)."""
    if len(response) <= 2:
        return format_response(response)
    return "* " + response[-2:].hex().upper()


def log_command(apdu: bytes) -> None:
    _follow(apdu)
    if logger.isEnabledFor(TRACE):
        logger.log(TRACE, "> %s", redact_command(apdu))


def log_response(response: bytes) -> None:
    if logger.isEnabledFor(TRACE):
        secret = _selection.secret
        logger.log(
            TRACE, "< %s", redact_response(response) if secret else format_response(response)
        )
