"""Fault injection and a latency model for the mock card."""

from __future__ import annotations

import string
import threading
import time
from dataclasses import dataclass, field
from enum import Enum

from apdu.errors import CardRemovedError, CommunicationError


class FaultKind(Enum):
    REMOVE = "remove"  # the card is pulled out before this APDU reaches it
    TRANSPORT_ERROR = "transport-error"  # the reader fails to exchange this APDU
    STATUS_WORD = "status-word"  # the card answers this SW instead of processing
    DELAY = "delay"  # the card takes this long before processing
    HOLD = "hold"  # the card waits (at most MAX_DELAY) until the fault's gate opens (tests)


@dataclass(frozen=True, slots=True)
class Fault:
    at: int  # 1-based index of the APDU, counted from when the plan was armed
    kind: FaultKind
    sw: int = 0
    seconds: float = 0.0
    gate: threading.Event | None = field(default=None, compare=False)


@dataclass
class FaultPlan:
    """Faults keyed by the index of the APDU they hit (1 = the next APDU)."""

    faults: dict[int, Fault] = field(default_factory=dict)
    seen: int = 0

    def remove_at(self, index: int) -> FaultPlan:
        """The card is removed just before the ``index``-th APDU (which then fails)."""
        return self._add(Fault(index, FaultKind.REMOVE))

    def remove_after(self, count: int) -> FaultPlan:
        """The card answers ``count`` more APDUs, then is removed."""
        return self.remove_at(count + 1)

    def transport_error_at(self, index: int) -> FaultPlan:
        return self._add(Fault(index, FaultKind.TRANSPORT_ERROR))

    def status_word_at(self, index: int, sw: int) -> FaultPlan:
        if not 0 <= sw <= 0xFFFF:
            raise ValueError("a status word has two bytes")
        return self._add(Fault(index, FaultKind.STATUS_WORD, sw=sw))

    def delay_at(self, index: int, seconds: float) -> FaultPlan:
        return self._add(Fault(index, FaultKind.DELAY, seconds=seconds))

    def hold_at(self, index: int) -> threading.Event:
        """The card holds the ``index``-th APDU until the returned event is set (or
        :data:`MAX_DELAY` passes): the card is busy for exactly as long as a test needs."""
        gate = threading.Event()
        self._add(Fault(index, FaultKind.HOLD, gate=gate))
        return gate

    def arm(self, spec: str, index: int = 1) -> FaultPlan:
        """Add the fault ``spec`` (see :func:`parse_fault`) at the ``index``-th APDU from now."""
        return self._add(parse_fault(spec, index))

    def clear(self) -> None:
        self.faults.clear()
        self.seen = 0

    def _add(self, fault: Fault) -> FaultPlan:
        if fault.at < 1:
            raise ValueError("APDU indexes start at 1")
        self.faults[self.seen + fault.at] = fault
        return self

    def next(self) -> Fault | None:
        """Count one APDU and return the fault that hits it, if any."""
        self.seen += 1
        return self.faults.pop(self.seen, None)


@dataclass(frozen=True, slots=True)
class LatencyModel:
    """Time a card takes: fixed per APDU, per byte moved, and per private-key operation."""

    per_apdu: float = 0.0
    per_byte: float = 0.0
    per_signature: float = 0.0

    @classmethod
    def contact_reader(cls) -> LatencyModel:
        """Rough figures for a contact reader at T=1 (a few ms per APDU, ~0.3 s per RSA-2048)."""
        return cls(per_apdu=0.004, per_byte=0.00009, per_signature=0.3)

    def wait(self, moved_bytes: int, signed: bool) -> None:
        delay = self.per_apdu + self.per_byte * moved_bytes + (self.per_signature if signed else 0)
        if delay > 0:
            time.sleep(delay)


MAX_DELAY = 60.0
FAULT_SPECS = "remove, transport-error, sw:XXXX (4 hex digits) or delay:SECONDS"


def parse_fault(spec: str, index: int = 1) -> Fault:
    """A fault from its text form, as the pytest plugin and ``jpki-mock-card ctl`` take it:
    ``remove``, ``transport-error``, ``sw:6A82`` or ``delay:0.5`` (seconds, at most 60).
    Raises ``ValueError`` naming the accepted forms."""
    kind, _, arg = spec.strip().partition(":")
    kind = kind.strip().lower()
    arg = arg.strip()
    if kind in (FaultKind.REMOVE.value, FaultKind.TRANSPORT_ERROR.value) and not arg:
        return Fault(index, FaultKind(kind))
    if kind == "sw" and len(arg) == 4 and all(c in string.hexdigits for c in arg):
        return Fault(index, FaultKind.STATUS_WORD, sw=int(arg, 16))
    if kind == FaultKind.DELAY.value:
        try:
            seconds = float(arg)
        except ValueError:
            seconds = -1.0
        if 0 <= seconds <= MAX_DELAY:
            return Fault(index, FaultKind.DELAY, seconds=seconds)
    raise ValueError(f"a fault is {FAULT_SPECS}, not {spec[:40]!r}")


def raise_for(fault: Fault) -> None:
    """Raise the transport error a REMOVE or TRANSPORT_ERROR fault stands for."""
    if fault.kind is FaultKind.REMOVE:
        raise CardRemovedError("the card was removed (injected fault)")
    if fault.kind is FaultKind.TRANSPORT_ERROR:
        raise CommunicationError("the reader failed to exchange the APDU (injected fault)")
