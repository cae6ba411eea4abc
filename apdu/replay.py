"""Transports that record traffic and replay or check it: for tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from .errors import CommunicationError
from .trace import redact_command
from .transport import SupportsTransaction, Transport


@dataclass(frozen=True, slots=True)
class Exchange:
    command: bytes
    response: bytes


@dataclass
class RecordingTransport:
    """Passes every APDU to ``inner`` and keeps the exchanges (PINs included: tests only)."""

    inner: Transport
    exchanges: list[Exchange] = field(default_factory=list)

    def transmit(self, apdu: bytes) -> bytes:
        response = self.inner.transmit(apdu)
        self.exchanges.append(Exchange(bytes(apdu), response))
        return response

    @property
    def commands(self) -> list[bytes]:
        return [e.command for e in self.exchanges]

    def transaction(self) -> AbstractContextManager[None]:
        """The inner transport's transaction, if it has one."""
        if isinstance(self.inner, SupportsTransaction):
            return self.inner.transaction()
        return nullcontext()


class ScriptMismatch(CommunicationError):
    """A :class:`ScriptedTransport` received another APDU than the script expected."""


class ScriptedTransport:
    """Answers from a script and insists that the commands are exactly the scripted ones."""

    def __init__(self, exchanges: Iterable[Exchange | tuple[bytes, bytes]]) -> None:
        self.script = [e if isinstance(e, Exchange) else Exchange(*e) for e in exchanges]
        self.position = 0

    def transmit(self, apdu: bytes) -> bytes:
        if self.position >= len(self.script):
            raise ScriptMismatch(f"unexpected APDU {redact_command(apdu)} after the script ended")
        expected = self.script[self.position]
        if bytes(apdu) != expected.command:
            raise ScriptMismatch(
                f"APDU {self.position + 1}: expected {redact_command(expected.command)}, "
                f"got {redact_command(apdu)}"
            )
        self.position += 1
        return expected.response

    @property
    def done(self) -> bool:
        return self.position == len(self.script)


class ReplayTransport:
    """Returns recorded responses in order without looking at the commands (benchmarks)."""

    __slots__ = ("_i", "_responses")

    def __init__(self, exchanges: Iterable[Exchange]) -> None:
        self._responses = [e.response for e in exchanges]
        self._i = 0

    def transmit(self, apdu: bytes) -> bytes:
        response = self._responses[self._i]
        self._i += 1
        return response

    def rewind(self) -> None:
        self._i = 0
