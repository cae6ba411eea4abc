"""APDU throughput through pcscd + vpcd: our PC/SC transport against raw pyscard.

Sets up pcscd with the vpcd reader itself (reusing a running pcscd), serves a
MockCard through :class:`mock_card.vpcd.VpcdClient` and sends a fixed APDU mix
(SELECT AP, SELECT EF 000A, READ BINARY 256) through:

* ``ours``        ``apdu.pcsc.PcscTransport.transmit``
* ``channel``     ``apdu.ApduChannel.send`` over ``PcscTransport``
* ``scard``       raw ``smartcard.scard.SCardTransmit`` on its own connection
* ``pyscard``     pyscard's high-level ``CardConnection.transmit``
* ``in-process``  ``MockCard.transmit`` without PC/SC (the card's own cost)

Many short rounds are interleaved (the order rotates every round); the
median is reported, and ratios are medians of per-round paired ratios (robust
on a busy machine). Then the vpcd client's ``TCP_QUICKACK`` re-arming is switched off
to show what the delayed ACK costs per APDU.

Run: ``PYTHONPATH=. .venv/bin/python bench/bench_pcsc.py [--rounds 7] [--ops 300]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from smartcard import scard  # raw pyscard, as the baseline
from smartcard.System import readers as pyscard_readers

from apdu import ApduChannel, CommandApdu
from apdu.pcsc import PcscTransport, wait_for_card
from mock_card import MockCard
from tests.pcscd import VPCD_PORT, Pcscd, ServedCard, die_with_parent

H = bytes.fromhex
MIX: tuple[bytes, ...] = (
    H("00A4040C0AD392F000260100000001"),  # SELECT JPKI AP
    H("00A4020C02000A"),  # SELECT EF 000A (auth certificate)
    H("00B0000000"),  # READ BINARY 256
)
MIX_COMMANDS: tuple[CommandApdu, ...] = (
    CommandApdu(0x00, 0xA4, 0x04, 0x0C, MIX[0][5:]),
    CommandApdu(0x00, 0xA4, 0x02, 0x0C, MIX[1][5:]),
    CommandApdu(0x00, 0xB0, 0x00, 0x00, le=256),
)
OK = b"\x90\x00"

# A runner does `ops` rounds of the mix and returns the elapsed seconds.
Runner = Callable[[int], float]


def _check(response: bytes) -> None:
    if response[-2:] != OK:
        raise RuntimeError(f"unexpected status word {response[-2:].hex()}")


def run_ours(reader: str) -> Runner:
    def run(ops: int) -> float:
        with PcscTransport.connect(reader) as transport:
            transmit = transport.transmit
            _check(transmit(MIX[0]))
            a, b, c = MIX
            start = time.perf_counter()
            for _ in range(ops):
                transmit(a)
                transmit(b)
                transmit(c)
            elapsed = time.perf_counter() - start
            _check(transmit(c))
            transport.close("leave")
        return elapsed

    return run


def run_channel(reader: str) -> Runner:
    def run(ops: int) -> float:
        with PcscTransport.connect(reader) as transport:
            channel = ApduChannel(transport)
            send = channel.send
            a, b, c = MIX_COMMANDS
            start = time.perf_counter()
            for _ in range(ops):
                send(a)
                send(b)
                send(c)
            elapsed = time.perf_counter() - start
            if send(c).sw != 0x9000:
                raise RuntimeError("READ BINARY failed")
            transport.close("leave")
        return elapsed

    return run


def run_scard(reader: str) -> Runner:
    """The raw pyscard idiom: lists of ints, SCardTransmit, check hresult."""
    a, b, c = (list(x) for x in MIX)

    def run(ops: int) -> float:
        hr, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        assert hr == scard.SCARD_S_SUCCESS
        hr, hcard, _protocol = scard.SCardConnect(
            context, reader, scard.SCARD_SHARE_EXCLUSIVE, scard.SCARD_PROTOCOL_T1
        )
        if hr != scard.SCARD_S_SUCCESS:
            raise RuntimeError(scard.SCardGetErrorMessage(hr))
        try:
            transmit = scard.SCardTransmit
            pci = scard.SCARD_PCI_T1
            start = time.perf_counter()
            for _ in range(ops):
                hr, response = transmit(hcard, pci, a)
                if hr:
                    raise RuntimeError(scard.SCardGetErrorMessage(hr))
                hr, response = transmit(hcard, pci, b)
                if hr:
                    raise RuntimeError(scard.SCardGetErrorMessage(hr))
                hr, response = transmit(hcard, pci, c)
                if hr:
                    raise RuntimeError(scard.SCardGetErrorMessage(hr))
            elapsed = time.perf_counter() - start
            _check(bytes(response))
        finally:
            scard.SCardDisconnect(hcard, scard.SCARD_LEAVE_CARD)
            scard.SCardReleaseContext(context)
        return elapsed

    return run


def run_pyscard(reader: str) -> Runner:
    """pyscard's high-level API: CardConnection.transmit(list) -> (data, sw1, sw2)."""
    a, b, c = (list(x) for x in MIX)
    target: Any = next(r for r in pyscard_readers() if str(r) == reader)

    def run(ops: int) -> float:
        connection: Any = target.createConnection()
        connection.connect(protocol=scard.SCARD_PROTOCOL_T1, mode=scard.SCARD_SHARE_EXCLUSIVE)
        try:
            transmit = connection.transmit
            start = time.perf_counter()
            for _ in range(ops):
                transmit(a)
                transmit(b)
                transmit(c)
            elapsed = time.perf_counter() - start
            _data, sw1, sw2 = transmit(c)
            if (sw1, sw2) != (0x90, 0x00):
                raise RuntimeError("READ BINARY failed")
        finally:
            connection.disconnect()
            connection.release()
        return elapsed

    return run


def run_in_process() -> Runner:
    card = MockCard()

    def run(ops: int) -> float:
        transmit = card.transmit
        a, b, c = MIX
        start = time.perf_counter()
        for _ in range(ops):
            transmit(a)
            transmit(b)
            transmit(c)
        elapsed = time.perf_counter() - start
        _check(transmit(c))
        return elapsed

    return run


def measure(runners: dict[str, Runner], rounds: int, ops: int) -> dict[str, list[float]]:
    """APDUs per second of every runner, ``rounds`` times, order rotated."""
    names = list(runners)
    results: dict[str, list[float]] = {name: [] for name in names}
    for name in names:  # warm up: connections, caches, TCP state
        runners[name](max(5, ops // 20))
    for i in range(rounds):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            elapsed = runners[name](ops)
            results[name].append(ops * len(MIX) / elapsed)
    return results


_SERVE = """
import signal, sys
from mock_card import MockCard
from mock_card.vpcd import VpcdClient
client = VpcdClient(MockCard(), port=int(sys.argv[1]), quickack=sys.argv[2] == "1")
signal.signal(signal.SIGTERM, lambda *_: client.stop())
client.serve_forever()
"""


class CardProcess:
    """A MockCard served through vpcd from a separate Python process.

    Serving from the benchmark's own process would make the card's thread
    compete with the measured loop for the GIL; a real card does not.
    """

    def __init__(self, reader: str, *, quickack: bool = True, port: int = VPCD_PORT) -> None:
        self.reader = reader
        self.quickack = quickack
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> CardProcess:
        if wait_for_card(self.reader, present=True, timeout=0):
            raise RuntimeError(f"{self.reader} already holds a card")
        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": root}
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVE, str(self.port), "1" if self.quickack else "0"],
            env=env,
            preexec_fn=die_with_parent,  # noqa: PLW1509 - only calls prctl
        )
        if not wait_for_card(self.reader, present=True, timeout=15):
            self.__exit__()
            raise RuntimeError("pcscd did not see the card served by the subprocess")
        return self

    def __exit__(self, *exc_info: object) -> None:
        process, self.process = self.process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        if not wait_for_card(self.reader, present=False, timeout=5):
            raise RuntimeError("the card did not go away")


def quickack_effect(reader: str, apdus: int) -> dict[str, float]:
    """ms per APDU through pcscd with and without TCP_QUICKACK re-arming."""
    out: dict[str, float] = {}
    runner = run_ours(reader)
    ops = max(1, apdus // len(MIX))
    for quickack in (True, False):
        with CardProcess(reader, quickack=quickack):
            runner(2)  # warm up
            elapsed = runner(ops)
        out["on" if quickack else "off"] = elapsed / (ops * len(MIX)) * 1000
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30, help="interleaved rounds (default 30)")
    parser.add_argument("--ops", type=int, default=100, help="mixes (3 APDUs) per round")
    parser.add_argument(
        "--quickack-apdus",
        type=int,
        default=60,
        help="APDUs for the TCP_QUICKACK on/off comparison (0: skip; off costs ~40 ms each)",
    )
    parser.add_argument(
        "--card-in-thread",
        action="store_true",
        help="serve the card from a thread of this process (GIL contention) instead of a subprocess",
    )
    args = parser.parse_args(argv)

    service = Pcscd.ensure()
    try:
        served: ServedCard | CardProcess
        if args.card_in_thread:
            served = ServedCard(MockCard(), service.reader)
        else:
            served = CardProcess(service.reader)
        with served:
            reader = service.reader
            runners: dict[str, Runner] = {
                "ours": run_ours(reader),
                "channel": run_channel(reader),
                "scard": run_scard(reader),
                "pyscard": run_pyscard(reader),
                "in-process": run_in_process(),
            }
            print(
                f"pcscd {'started' if service.started_by_us else 'reused'}; reader {reader!r}; "
                f"card served from {'a thread' if args.card_in_thread else 'a subprocess'}; "
                f"{args.rounds} rounds x {args.ops * len(MIX)} APDUs (SELECT AP, SELECT EF, "
                "READ BINARY 256)"
            )
            results = measure(runners, args.rounds, args.ops)
            medians = {name: statistics.median(values) for name, values in results.items()}
            print(f"\n{'path':<12}{'APDU/s (median)':>17}{'min':>10}{'max':>10}{'µs/APDU':>10}")
            for name, values in results.items():
                print(
                    f"{name:<12}{medians[name]:>17,.0f}{min(values):>10,.0f}"
                    f"{max(values):>10,.0f}{1e6 / medians[name]:>10.1f}"
                )
            print()
            print("ratios: median over rounds of the paired per-round ratio (goal >= 0.90)")
            for ours, raw in (
                ("ours", "scard"),
                ("ours", "pyscard"),
                ("channel", "scard"),
                ("channel", "pyscard"),
            ):
                paired = [o / r for o, r in zip(results[ours], results[raw], strict=True)]
                ratio = statistics.median(paired)
                verdict = "ok" if ratio >= 0.90 else "BELOW GOAL"
                print(
                    f"  {ours}/{raw}: {ratio:.3f}  (of medians {medians[ours] / medians[raw]:.3f}; "
                    f"{verdict})"
                )
        if args.quickack_apdus > 0:
            effect = quickack_effect(reader, args.quickack_apdus)
            print(
                f"\nvpcd client TCP_QUICKACK: on {effect['on']:.3f} ms/APDU, "
                f"off {effect['off']:.3f} ms/APDU "
                f"(delayed ACK costs {effect['off'] - effect['on']:.1f} ms per APDU)"
            )
    finally:
        service.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
