"""APDU traffic logging with PIN redaction.

Traffic goes to the ``apdu.trace`` logger at level :data:`TRACE` (5, below
DEBUG), one line per command and one per response. The data field of every
command that can carry a PIN (VERIFY, CHANGE REFERENCE DATA, RESET RETRY
COUNTER) is replaced by a single ``*``, its length too: the length of a
signature PIN is a secret as well.
"""

from __future__ import annotations

import logging

from .instructions import PIN_BEARING

TRACE = 5
logging.addLevelName(TRACE, "TRACE")

logger = logging.getLogger("apdu.trace")

#: Instructions whose data field may hold a PIN.
SECRET_INS = PIN_BEARING


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


def log_command(apdu: bytes) -> None:
    if logger.isEnabledFor(TRACE):
        logger.log(TRACE, "> %s", redact_command(apdu))


def log_response(response: bytes) -> None:
    if logger.isEnabledFor(TRACE):
        logger.log(TRACE, "< %s", format_response(response))
