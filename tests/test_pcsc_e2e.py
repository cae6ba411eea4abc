"""End to end through pcscd + vpcd: apdu.pcsc against a MockCard served by VpcdClient.

Needs pcscd and vsmartcard-vpcd (Debian packages); skipped without them
(failed on CI). The fixtures come from ``mock_card.pytest_plugin``. The first
test (vpcd framing against a fake vpcd socket) needs neither.
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from apdu import ApduChannel, CardRemovedError, CommandApdu, CommunicationError, NoCardError
from apdu.errors import NoReaderError, ReaderGoneError, ReaderInUseError, TransportError
from apdu.pcsc import CardEvent, CardWatcher, PcscTransport, list_readers, wait_for_card
from mock_card.vpcd import CTRL_ATR, CTRL_OFF, CTRL_ON, CTRL_RESET, VpcdClient
from tests.pcscd import Pcscd, ServedCard

H = bytes.fromhex
SELECT_JPKI = H("00A4040C0AD392F000260100000001")
OK = H("9000")
ATR_OLD = H("3BE000FF8131FE4514")
SHA256_DIGEST_INFO = H("3031300d060960864801650304020105000420") + bytes(range(32))
WAIT = 5.0  # seconds: bound of every wait for pcscd to notice something

ROOT = Path(__file__).resolve().parent.parent

# A PC/SC call blocked inside pcscd cannot be interrupted by a signal: the
# thread method dumps the stacks and ends the run instead of hanging forever.
pytestmark = pytest.mark.timeout(60, method="thread")


def select_ef(fid: int) -> bytes:
    return H("00A4020C02") + fid.to_bytes(2, "big")


def verify(pin: bytes) -> bytes:
    return H("00200080") + bytes([len(pin)]) + pin


def sign_apdu(digest_info: bytes) -> bytes:
    return H("802A0080") + bytes([len(digest_info)]) + digest_info + b"\x00"


def read_der_file(transmit: object, fid: int) -> bytes:
    """SELECT the JPKI AP and EF ``fid``; read the DER object it holds."""
    assert callable(transmit)
    assert transmit(SELECT_JPKI) == OK
    assert transmit(select_ef(fid)) == OK
    first = transmit(H("00B0000000"))
    assert first[-2:] == OK, first[-2:].hex()
    data = bytearray(first[:-2])
    assert data[0] == 0x30 and data[1] == 0x82, data[:4].hex()
    total = 4 + int.from_bytes(data[2:4], "big")
    while len(data) < total:
        offset = len(data)
        chunk = transmit(
            H("00B0") + offset.to_bytes(2, "big") + bytes([min(256, total - offset) & 0xFF])
        )
        assert chunk[-2:] == OK, (offset, chunk[-2:].hex())
        data += chunk[:-2]
    return bytes(data[:total])


# -- vpcd framing, against a fake vpcd (no pcscd needed) --------------------------------


class RecordingCard:
    """A throwaway card: answers ``data + 9000`` echoing the INS, counts resets."""

    atr = ATR_OLD

    def __init__(self) -> None:
        self.resets = 0
        self.apdus: list[bytes] = []
        self.present = True

    def transmit(self, apdu: bytes) -> bytes:
        self.apdus.append(apdu)
        if apdu[1] == 0xB0:
            return bytes(range(256)) + OK
        return bytes([apdu[1]]) + OK

    def reset(self) -> None:
        self.resets += 1


class FakeVpcd:
    """The server side of the vpcd protocol on an ephemeral local port."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(WAIT)
        self.port: int = self.server.getsockname()[1]
        self.conn: socket.socket | None = None

    def accept(self) -> socket.socket:
        conn, _ = self.server.accept()
        conn.settimeout(WAIT)
        self.conn = conn
        return conn

    def send(self, payload: bytes, *, split: bool = False) -> None:
        assert self.conn is not None
        frame = len(payload).to_bytes(2, "big") + payload
        if split:  # as vpcd 0.8/3.3 does: length and payload in two writes
            self.conn.sendall(frame[:2])
            time.sleep(0.01)  # make sure the client sees two segments
            self.conn.sendall(frame[2:])
        else:
            self.conn.sendall(frame)

    def recv_frame(self) -> bytes:
        assert self.conn is not None
        header = self._recv_exact(2)
        return self._recv_exact(int.from_bytes(header, "big"))

    def _recv_exact(self, n: int) -> bytes:
        assert self.conn is not None
        out = b""
        while len(out) < n:
            chunk = self.conn.recv(n - len(out))
            if not chunk:
                raise ConnectionError("client closed the connection")
            out += chunk
        return out

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.server.close()


def test_vpcd_client_framing_against_fake_vpcd() -> None:
    card = RecordingCard()
    fake = FakeVpcd()
    client = VpcdClient(card, host="127.0.0.1", port=fake.port)
    client.serve_in_thread()
    try:
        conn = fake.accept()
        fake.send(bytes([CTRL_ATR]))
        assert fake.recv_frame() == ATR_OLD
        assert client.connected.wait(WAIT)
        client_sock = client._sock
        assert client_sock is not None
        assert client_sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)

        for ctrl in (CTRL_ON, CTRL_RESET, CTRL_OFF):
            fake.send(bytes([ctrl]))  # no answer expected
        fake.send(SELECT_JPKI, split=True)
        assert fake.recv_frame() == bytes([0xA4]) + OK
        assert card.resets == 3  # the answer above came after the control messages
        # two frames in one segment
        conn.sendall(b"\x00\x05" + H("00B0000000") + b"\x00\x01" + bytes([CTRL_ATR]))
        assert fake.recv_frame() == bytes(range(256)) + OK
        assert fake.recv_frame() == ATR_OLD
        assert card.apdus == [SELECT_JPKI, H("00B0000000")]

        # a removed card: the client hangs up on the ATR poll, then reconnects
        card.present = False
        fake.send(bytes([CTRL_ATR]))
        with pytest.raises(ConnectionError):
            fake.recv_frame()
        conn.close()
        card.present = True
        conn = fake.accept()
        fake.send(bytes([CTRL_ATR]))
        assert fake.recv_frame() == ATR_OLD

        # vpcd goes away: the client reconnects
        conn.close()
        conn = fake.accept()
        fake.send(bytes([CTRL_ATR]))
        assert fake.recv_frame() == ATR_OLD
    finally:
        started = time.monotonic()
        client.stop()
        fake.close()
    assert time.monotonic() - started < 1.0
    assert not client.connected.is_set()


def test_vpcd_client_waits_for_vpcd_and_stops() -> None:
    # Nothing listens on this port: the client retries until stopped.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = VpcdClient(RecordingCard(), host="127.0.0.1", port=port)
    thread = client.serve_in_thread()
    assert not client.connected.wait(0.2)
    started = time.monotonic()
    client.stop()
    assert not thread.is_alive()
    assert time.monotonic() - started < 1.0


# -- through pcscd -----------------------------------------------------------------------

pcsc = pytest.mark.pcsc


@pcsc
def test_list_readers_shows_the_virtual_reader(vpcd_reader: str) -> None:
    assert vpcd_reader in list_readers()


@pcsc
def test_select_and_read_certificate_same_as_in_process(served_card: ServedCard) -> None:
    with PcscTransport.connect(served_card.reader) as transport:
        assert transport.reader == served_card.reader
        assert transport.atr == served_card.card.atr
        assert transport.protocol == "T=1"
        over_pcsc = read_der_file(transport.transmit, 0x000A)
    in_process = read_der_file(served_card.card.transmit, 0x000A)
    assert over_pcsc == in_process
    assert len(over_pcsc) > 500


@pcsc
def test_connect_by_substring_and_default(served_card: ServedCard) -> None:
    with PcscTransport.connect("virtual pcd") as transport:
        assert transport.reader == served_card.reader
    with PcscTransport.connect() as transport:  # first reader holding a card
        assert transport.transmit(SELECT_JPKI) == OK
    with pytest.raises(NoReaderError):
        PcscTransport.connect("no such reader anywhere")


@pcsc
def test_apdu_channel_over_pcsc(served_card: ServedCard) -> None:
    with PcscTransport.connect(served_card.reader) as transport:
        channel = ApduChannel(transport)
        with channel.transaction():
            assert channel.send(CommandApdu(0x00, 0xA4, 0x04, 0x0C, SELECT_JPKI[5:])).sw == 0x9000
            assert channel.send(CommandApdu(0x00, 0xA4, 0x02, 0x0C, H("000A"))).sw == 0x9000
            response = channel.send(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=256))
        assert response.sw == 0x9000
        assert len(response.data) == 256


_SECOND_CONNECT = """
import sys
from apdu.errors import ReaderInUseError
from apdu.pcsc import PcscTransport
try:
    PcscTransport.connect(sys.argv[1]).close("leave")
except ReaderInUseError as exc:
    print("ReaderInUseError:", exc)
    sys.exit(0)
print("connected although the reader is held exclusively")
sys.exit(1)
"""


@pcsc
def test_second_exclusive_connect_from_another_process_is_refused(
    served_card: ServedCard,
) -> None:
    with PcscTransport.connect(served_card.reader) as transport:
        assert transport.transmit(SELECT_JPKI) == OK
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        result = subprocess.run(
            [sys.executable, "-c", _SECOND_CONNECT, served_card.reader],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "reader in use by another program" in result.stdout
        # the first connection is not disturbed
        assert transport.transmit(select_ef(0x000A)) == OK
        assert transport.transmit(H("00B0000000"))[-2:] == OK
        # nor a second connect in this process
        with pytest.raises(ReaderInUseError):
            PcscTransport.connect(served_card.reader)


@pcsc
def test_card_removed_mid_session_then_reconnect(served_card: ServedCard) -> None:
    transport = PcscTransport.connect(served_card.reader)
    try:
        assert transport.transmit(SELECT_JPKI) == OK
        served_card.remove()
        with pytest.raises((CardRemovedError, NoCardError)) as info:
            transport.transmit(SELECT_JPKI)
        assert "SELECT" not in str(info.value) and "A4" not in str(info.value)
        with pytest.raises(NoCardError):
            transport.reconnect()

        served_card.insert()
        transport.reconnect()
        assert transport.atr == served_card.card.atr
        assert transport.transmit(SELECT_JPKI) == OK
    finally:
        transport.close()
    assert transport.closed
    with pytest.raises(CommunicationError, match="closed"):
        transport.transmit(SELECT_JPKI)
    transport.close()  # idempotent
    with PcscTransport.connect(served_card.reader) as again:
        assert again.transmit(SELECT_JPKI) == OK


@pcsc
def test_mock_card_remove_and_insert_through_vpcd(served_card: ServedCard) -> None:
    with PcscTransport.connect(served_card.reader) as transport:
        assert transport.transmit(SELECT_JPKI) == OK
        served_card.card.remove()  # type: ignore[attr-defined]
        assert wait_for_card(served_card.reader, present=False, timeout=WAIT)
        with pytest.raises(CardRemovedError):
            transport.transmit(SELECT_JPKI)
        served_card.card.insert()  # type: ignore[attr-defined]
        assert wait_for_card(served_card.reader, present=True, timeout=WAIT)
        transport.reconnect()
        assert transport.transmit(SELECT_JPKI) == OK


@pcsc
def test_reconnect_reset_clears_verified_pin(pcscd: Pcscd) -> None:
    from mock_card import MockCard

    # Selecting the AP must not clear the PIN state here, so that only the
    # reset can explain a 6982 below.
    card = MockCard(select_clears_verification=False)
    with ServedCard(card, pcscd.reader) as served, PcscTransport.connect(served.reader) as t:

        def sign() -> bytes:
            assert t.transmit(SELECT_JPKI) == OK
            assert t.transmit(select_ef(0x0017)) == OK
            return t.transmit(sign_apdu(SHA256_DIGEST_INFO))

        assert t.transmit(SELECT_JPKI) == OK
        assert t.transmit(select_ef(0x0018)) == OK
        assert t.transmit(verify(b"1234")) == OK
        signature = sign()
        assert signature[-2:] == OK and len(signature) == 258

        t.reconnect(reset=False)  # leaves the card as it is
        assert sign()[-2:] == OK

        t.reconnect(reset=True)
        assert t.atr == card.atr
        assert sign() == H("6982")


def _in_thread(call: Callable[[], bytes]) -> tuple[threading.Event, list[bytes]]:
    done = threading.Event()
    result: list[bytes] = []

    def run() -> None:
        result.append(call())
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done, result


@pcsc
def test_transaction_nests(served_card: ServedCard) -> None:
    # Two shared connections: while A holds a transaction, pcscd makes B wait.
    with (
        PcscTransport.connect(served_card.reader, exclusive=False) as a,
        PcscTransport.connect(served_card.reader, exclusive=False) as b,
    ):
        with a.transaction():
            with a.transaction():
                assert a.transmit(SELECT_JPKI) == OK
            # the inner exit did not end the PC/SC transaction: B still waits
            done, result = _in_thread(lambda: b.transmit(SELECT_JPKI))
            assert not done.wait(0.3), "B got the card inside A's outer transaction"
            assert a.transmit(select_ef(0x000A)) == OK
        assert done.wait(WAIT), "B still waits after A's transaction ended"
        assert result == [OK]

        with pytest.raises(RuntimeError), a.transaction():
            raise RuntimeError("body fails")
        done, result = _in_thread(lambda: b.transmit(SELECT_JPKI))
        assert done.wait(WAIT), "the transaction was not ended after an exception"
        assert result == [OK]


# -- CardWatcher ---------------------------------------------------------------------------


class Events:
    """Collects CardWatcher events; ``expect`` waits (bounded) for one."""

    def __init__(self) -> None:
        self.queue: queue.Queue[CardEvent] = queue.Queue()
        self.seen: list[CardEvent] = []

    def __call__(self, event: CardEvent) -> None:
        self.queue.put(event)

    def expect(self, kind: str, reader: str | None = None, timeout: float = WAIT) -> CardEvent:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                event = self.queue.get(timeout=max(0.0, remaining))
            except queue.Empty:
                raise AssertionError(
                    f"no {kind!r} event for {reader!r} within {timeout} s; seen: {self.seen}"
                ) from None
            self.seen.append(event)
            if event.kind == kind and (reader is None or event.reader == reader):
                return event


@pytest.fixture
def events() -> Iterator[Events]:
    yield Events()


@pcsc
def test_card_watcher_reports_insert_and_remove(served_card: ServedCard, events: Events) -> None:
    watcher = CardWatcher(events)
    watcher.start()
    try:
        first = events.expect("inserted", served_card.reader)  # present at start
        assert first.atr == served_card.card.atr
        served_card.remove()
        events.expect("removed", served_card.reader)
        served_card.insert()
        assert events.expect("inserted", served_card.reader).atr == served_card.card.atr
    finally:
        started = time.monotonic()
        watcher.stop()
    assert time.monotonic() - started < 1.0
    assert not watcher.running
    kinds = [e.kind for e in events.seen if e.reader == served_card.reader]
    assert kinds == ["inserted", "removed", "inserted"]


@pcsc
def test_card_watcher_survives_pcscd_restart(
    pcscd: Pcscd, served_card: ServedCard, events: Events
) -> None:
    if not pcscd.started_by_us:
        pytest.skip(
            "pcscd was already running: the tests do not restart a pcscd they did not start"
        )
    transport = PcscTransport.connect(served_card.reader)
    with CardWatcher(events), transport:
        events.expect("inserted", served_card.reader)
        assert transport.transmit(SELECT_JPKI) == OK
        pcscd.stop()
        events.expect("service_lost")
        with pytest.raises(ReaderGoneError, match="pcscd"):
            list_readers()
        with pytest.raises(ReaderGoneError, match="pcscd"):
            PcscTransport.connect(served_card.reader)
        pcscd.start()
        events.expect("service_back", timeout=WAIT + 2)
        # the VpcdClient reconnects to the new pcscd: the card comes back
        events.expect("inserted", served_card.reader)
        assert wait_for_card(served_card.reader, present=True, timeout=WAIT)
        # the old connection died with the service; reconnect makes a new one
        with pytest.raises(TransportError):
            transport.transmit(SELECT_JPKI)
        transport.reconnect()
        assert transport.transmit(SELECT_JPKI) == OK
        transport.close()
        served_card.remove()
        events.expect("removed", served_card.reader)
        served_card.insert()
        events.expect("inserted", served_card.reader)
    with PcscTransport.connect(served_card.reader) as transport:
        assert transport.transmit(SELECT_JPKI) == OK


@pcsc
def test_wait_for_card_times_out(pcscd: Pcscd) -> None:
    started = time.monotonic()
    assert not wait_for_card(pcscd.reader, present=True, timeout=0.3)
    assert 0.25 < time.monotonic() - started < 2.0
    assert wait_for_card(pcscd.reader, present=False, timeout=0)
    with pytest.raises(NoCardError):
        PcscTransport.connect(pcscd.reader)


@pcsc
def test_card_watcher_callback_errors_do_not_kill_it(served_card: ServedCard) -> None:
    got = threading.Event()

    def callback(event: CardEvent) -> None:
        if event.kind == "removed":
            got.set()
        raise RuntimeError("callback bug")

    with CardWatcher(callback) as watcher:
        served_card.remove()
        assert got.wait(WAIT)
        assert watcher.running


def test_match_readers() -> None:
    from apdu import NoReaderError
    from apdu.pcsc import match_readers

    names = ["ACS ACR39U 00 00", "Virtual PCD 00 00", "Virtual PCD 00 01"]
    assert match_readers(names, None) == names
    assert match_readers(names, "Virtual PCD 00 01") == ["Virtual PCD 00 01"]  # exact wins
    assert match_readers(names, "virtual") == names[1:]  # case-insensitive part
    with pytest.raises(NoReaderError, match="no reader matches 'felica'"):
        match_readers(names, "felica")
    with pytest.raises(NoReaderError, match="no card reader"):
        match_readers([], None)
