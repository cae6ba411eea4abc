"""The protocol layer over a :class:`~apdu.transport.Transport`.

It turns :class:`CommandApdu` into :class:`ResponseApdu`, fetches the rest of
a response announced by ``61xx`` (GET RESPONSE), resends with the right Le
after ``6Cxx``, and logs the traffic through :mod:`apdu.trace`. Every other
layer sends through a channel, so these rules live in one place.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from . import trace
from .command import CommandApdu
from .errors import CommunicationError
from .instructions import INS
from .response import ResponseApdu
from .transport import SupportsTransaction, Transport

_MAX_GET_RESPONSE = 256  # 64 KiB at most; a card that keeps saying 61xx is broken


class ApduChannel:
    """Send APDUs over ``transport``, handling ``61xx`` and ``6Cxx``."""

    __slots__ = ("_transaction", "transport")

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        # decided once: a runtime Protocol check per APDU would cost more than the APDU
        self._transaction = (
            transport.transaction if isinstance(transport, SupportsTransaction) else None
        )

    def transmit_raw(self, apdu: bytes) -> bytes:
        """One exchange, traced, with no status-word handling."""
        trace.log_command(apdu)
        response = self.transport.transmit(apdu)
        trace.log_response(response)
        return response

    def send(self, command: CommandApdu) -> ResponseApdu:
        """Send ``command`` and return the complete response."""
        raw = self.transmit_raw(command.encode())
        if len(raw) < 2:
            raise CommunicationError(f"the card answered {len(raw)} bytes, not a status word")
        sw1 = raw[-2]
        if sw1 == 0x6C:  # wrong Le: resend once with the length the card gave
            raw = self.transmit_raw(command.with_le(raw[-1] or 256).encode())
            if len(raw) < 2:
                raise CommunicationError("the card answered without a status word")
            sw1 = raw[-2]
        if sw1 != 0x61:
            return ResponseApdu(raw[:-2], (sw1 << 8) | raw[-1])
        data = bytearray(raw[:-2])
        cla = command.cla & 0x03 if command.cla < 0x80 else 0x00
        for _ in range(_MAX_GET_RESPONSE):
            get = bytes((cla, INS.GET_RESPONSE, 0, 0, raw[-1]))
            raw = self.transmit_raw(get)
            if len(raw) < 2:
                raise CommunicationError("the card answered without a status word")
            data += raw[:-2]
            if raw[-2] != 0x61:
                return ResponseApdu(bytes(data), (raw[-2] << 8) | raw[-1])
        raise CommunicationError("the card kept announcing more data (61xx) without end")

    def transaction(self) -> AbstractContextManager[None]:
        """Hold the card for a sequence of APDUs, if the transport can."""
        if self._transaction is not None:
            return self._transaction()
        return nullcontext()
