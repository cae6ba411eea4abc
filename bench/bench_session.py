"""JpkiCard: APDUs per operation against their budgets, and the library's overhead.

Overhead: the time of a full flow (read the auth certificate, PIN status x3,
sign) through the library, divided by the time of sending the very same
recorded APDUs straight to the same transport. Goal: <= 1.10.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from cryptography.hazmat.primitives.serialization import Encoding

from apdu import Transport
from apdu.replay import RecordingTransport, ReplayTransport
from bench.common import interleaved, table
from jpki import CertKind, JpkiCard, PinKind
from mock_card import MockCard


def apdu_counts() -> list[tuple[str, ...]]:
    rows = []
    mock = MockCard()
    n = len(mock.credentials.auth_cert.public_bytes(Encoding.DER))
    chunks = math.ceil(n / 256)

    def count(op, budget: int, label: str, warm: bool = False) -> None:  # type: ignore[no-untyped-def]
        rec = RecordingTransport(MockCard())
        card = JpkiCard(rec)
        if warm:
            card.is_jpki_card()
            rec.exchanges.clear()
        op(card)
        used = len(rec.exchanges)
        rows.append((label, str(used), str(budget), "ok" if used <= budget else "OVER"))

    count(lambda c: c.read_certificate(CertKind.AUTH), 2 + chunks, f"read auth cert ({n} B), cold")
    count(
        lambda c: c.read_certificate(CertKind.AUTH),
        1 + chunks,
        "read auth cert, AP selected",
        warm=True,
    )
    count(lambda c: c.pin_status(PinKind.AUTH), 3, "PIN status (cold)")
    count(lambda c: c.verify_pin(PinKind.AUTH, "1234"), 3, "verify PIN (cold)")
    count(lambda c: c.sign(CertKind.SIGN, b"x", pin="ABCD1234"), 5, "verify + sign (cold)")
    count(lambda c: c.read_basic_info("1234"), 4 + 1, "text AP basic four (cold)")
    return rows


def flow(card: JpkiCard) -> None:
    card.read_certificate(CertKind.AUTH)
    for kind in PinKind:
        card.pin_status(kind)
    card.sign(CertKind.AUTH, b"challenge", pin="1234")


@contextmanager
def pcsc_transport() -> Iterator[Transport]:
    """The mock card served through pcscd + vpcd from another process (as a real card
    would not compete for this process's GIL), connected with our PC/SC transport."""
    from apdu.pcsc import PcscTransport
    from bench.bench_pcsc import CardProcess
    from tests.pcscd import Pcscd

    service = Pcscd.ensure()
    try:
        with CardProcess(service.reader), PcscTransport.connect(service.reader) as transport:
            yield transport
    finally:
        service.stop()


def overhead() -> list[tuple[str, ...]]:
    rows = []
    rec = RecordingTransport(MockCard())
    flow(JpkiCard(rec))
    commands = rec.commands

    transports: dict[str, Callable[[], AbstractContextManager[Transport]]] = {
        "PC/SC (pcscd + vpcd, mock card)": pcsc_transport,
        "in-process mock card": lambda: nullcontext(MockCard()),
        "replayed responses (pure library cost)": lambda: nullcontext(
            ReplayTransport(rec.exchanges)
        ),
    }
    for label, make in transports.items():
        try:
            with make() as transport:
                rows.append(_ratio_row(label, transport, commands))
        except Exception as exc:  # e.g. no pcscd on this machine
            rows.append((label, "-", "-", "-", f"not measured: {exc}"))
    return rows


def _ratio_row(label: str, transport: Transport, commands: list[bytes]) -> tuple[str, ...]:

    def library() -> int:
        if isinstance(transport, ReplayTransport):
            transport.rewind()
        flow(JpkiCard(transport))
        return 1

    def raw() -> int:
        if isinstance(transport, ReplayTransport):
            transport.rewind()
        for c in commands:
            transport.transmit(c)
        return 1

    rates = interleaved({"library": library, "raw": raw})
    ratio = rates["raw"] / rates["library"]
    return (
        label,
        f"{1e3 / rates['library']:.3f} ms",
        f"{1e3 / rates['raw']:.3f} ms",
        f"{ratio:.3f}",
        f"{(1 / rates['library'] - 1 / rates['raw']) / len(commands) * 1e6:.1f} us",
    )


def main() -> None:
    print("== JpkiCard: APDUs per operation")
    print(table(apdu_counts(), ("operation", "APDUs", "budget", "")))
    print()
    print("== JpkiCard: library time / raw replay of the same APDUs (goal <= 1.10 on a card)")
    print(table(overhead(), ("transport", "library flow", "raw APDUs", "ratio", "overhead/APDU")))


if __name__ == "__main__":
    main()
