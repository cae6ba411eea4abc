"""Resilience of the real stack: pcscd restarted under a waiting kiosk, a card that vanishes in
the middle of an operation, two processes on one reader.

The kiosk runs in real mode (``build_kiosk(config, reader=<the vpcd reader>)``, offscreen): its
PcscCardWatch, KioskServices and JpkiCard talk to pcscd, which talks to a MockCard through
vsmartcard's vpcd (fixtures from ``mock_card.pytest_plugin``). The kiosk trusts the mock PKI's CAs
and keeps its ledger in ``tmp_path``.

The first tests need neither pcscd nor vpcd (fake watcher, patched pyscard); the others are
marked ``pcsc`` and skip without them (fail on CI). Restarting pcscd only happens when the
session fixture started it itself. Every wait is bounded.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from PySide6.QtWidgets import QApplication

import apdu.pcsc
from apdu.errors import CardRemovedError, CommunicationError
from apdu.pcsc import scard
from apdu.pcsc import transport as pcsc_transport
from apdu.pcsc.transport import PcscTransport
from gui.app import Kiosk, build_kiosk, setup_application
from gui.config import KioskConfig, load_config
from gui.flow import CardChecked, PinEntered, PinResult, Screen, Secret
from gui.screens.insert import InsertCardScreen
from jpki import CardRemoved, CertKind, JpkiCard, NoCard, PinKind, ReaderUnavailable
from mock_card import LatencyModel, MockCard, MockPki
from tests.pcscd import Pcscd, ServedCard

ROOT = Path(__file__).resolve().parent.parent
WAIT = 5.0  # s: the bound on pcscd / the kiosk noticing something
LOAD = 20000  # ms: the kiosk's services start (imports, trust store, ledger migration)
READ = 10000  # ms: a card read through pcscd + vpcd (well under a second without latency)
#: What the kiosk may raise for a card that vanished (the issue's "clean typed error").
TYPED = (CardRemoved, NoCard, ReaderUnavailable)

# A PC/SC call blocked inside pcscd cannot be interrupted by a signal: the thread method dumps
# the stacks and ends the run instead of hanging forever.
pytestmark = pytest.mark.timeout(120, method="thread")
pcsc = pytest.mark.pcsc


def _on_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _needs_own_pcscd(pcscd: Pcscd) -> None:
    """Restarting pcscd is only done to a pcscd these tests started (CI starts it fresh)."""
    if pcscd.started_by_us:
        return
    reason = "pcscd was already running: the tests do not restart a pcscd they did not start"
    if _on_ci():
        pytest.fail(f"on CI the tests must start pcscd themselves: {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def serving(card: Any, reader: str) -> Iterator[ServedCard]:
    """``card`` in ``reader`` for the block; taken out again at the end (even after a failure)."""
    served = ServedCard(card, reader)
    served.insert()
    try:
        yield served
    finally:
        served.remove()


def wait_for(condition: Callable[[], bool], timeout: float = WAIT, what: str = "") -> None:
    """Poll ``condition`` (no Qt events) until true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what or condition}")
        time.sleep(0.005)


def subprocess_env() -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


# -- the kiosk in real mode ------------------------------------------------------------------


def real_config(tmp_path: Path) -> KioskConfig:
    """The default kiosk configuration, trusting the mock PKI, with its ledger in ``tmp_path``."""
    pki = MockPki.demo()
    anchors = []
    for name, cert in (("sign-ca", pki.sign_ca_cert), ("auth-ca", pki.auth_ca_cert)):
        path = tmp_path / f"{name}.pem"
        path.write_bytes(cert.public_bytes(Encoding.PEM))
        anchors.append(path)
    return replace(
        load_config(),
        trust=tuple(anchors),
        ledger_url=f"sqlite:///{tmp_path / 'ledger.sqlite3'}",
    )


@pytest.fixture
def make_kiosk(qtbot, tmp_path: Path) -> Iterator[Callable[..., Kiosk]]:  # type: ignore[no-untyped-def]
    made: list[Kiosk] = []

    def make(reader: str, **kwargs: Any) -> Kiosk:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        setup_application(app)
        kiosk = build_kiosk(real_config(tmp_path), reader=reader, **kwargs)
        made.append(kiosk)
        window = kiosk.window
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        window.start()
        return kiosk

    yield make
    for kiosk in made:
        kiosk.window.shut_down()


@pytest.fixture
def real_kiosk(make_kiosk, pcscd: Pcscd, qtbot) -> Kiosk:  # type: ignore[no-untyped-def]
    """A real-mode kiosk on the vpcd reader, its services up (its card watcher starts with the
    window)."""
    kiosk = make_kiosk(pcscd.reader)
    worker = kiosk.window.worker.worker
    qtbot.waitUntil(lambda: worker.services is not None, timeout=LOAD)
    return kiosk


def insert_screen(kiosk: Kiosk) -> InsertCardScreen:
    screen = kiosk.window.screens[Screen.INSERT_CARD]
    assert isinstance(screen, InsertCardScreen)
    return screen


def at(qtbot: Any, kiosk: Kiosk, screen: Screen, timeout: int = READ) -> None:
    qtbot.waitUntil(lambda: kiosk.window.model.screen is screen, timeout=timeout)


# -- the reader-unavailable notice (no pcscd needed) -------------------------------------------


class FakeWatcher:
    """Stands in for apdu.pcsc.CardWatcher: the test sends the events, from another thread."""

    current: FakeWatcher | None = None

    def __init__(self, callback: Callable[[apdu.pcsc.CardEvent], None]) -> None:
        self.callback = callback
        self.running = False
        FakeWatcher.current = self

    def start(self) -> None:
        self.running = True

    def stop(self) -> None:
        self.running = False

    def send(self, kind: str, reader: str = "") -> None:
        event = apdu.pcsc.CardEvent(kind, reader)  # type: ignore[arg-type]
        thread = threading.Thread(target=self.callback, args=(event,))
        thread.start()
        thread.join(WAIT)


class NoServices:
    def run(self, effect: object) -> None:
        return None


def test_reader_unavailable_notice_follows_the_pcsc_service(
    make_kiosk, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """service_lost shows the out-of-service notice on screen 1 (ja/en); service_back hides it."""
    monkeypatch.setattr(apdu.pcsc, "CardWatcher", FakeWatcher)
    monkeypatch.setattr(FakeWatcher, "current", None)
    kiosk = make_kiosk("ACME Reader", services_factory=lambda _watch, _cards: NoServices())
    window, notice = kiosk.window, insert_screen(kiosk).out_of_service
    qtbot.waitUntil(lambda: FakeWatcher.current is not None and FakeWatcher.current.running)
    watcher = FakeWatcher.current
    assert watcher is not None
    qtbot.waitUntil(lambda: window.worker.worker.services is not None, timeout=LOAD)
    assert not notice.isVisible()

    watcher.send("service_lost")
    qtbot.waitUntil(notice.isVisible, timeout=2000)
    assert window.reader_unavailable and not window.out_of_service
    assert notice.text() == "ただいまこの端末はご利用いただけません。係員にお尋ねください。"
    window.lang_buttons["en"].click()
    assert notice.text() == "This kiosk is out of service at the moment. Please ask the staff."
    window.lang_buttons["ja"].click()

    news: list[str] = []
    kiosk.watch.status.connect(news.append)
    watcher.send("reader_added", "ACME Reader 00")  # other news leave the notice alone
    qtbot.waitUntil(lambda: "reader_added ACME Reader 00" in news, timeout=2000)
    assert notice.isVisible()
    watcher.send("service_back")
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=2000)
    assert not window.reader_unavailable
    # the service going away again is noticed again; the services failing keeps it up
    watcher.send("service_lost")
    qtbot.waitUntil(notice.isVisible, timeout=2000)
    window._services_failed("the ledger is unreachable")
    watcher.send("service_back")
    qtbot.waitUntil(lambda: not window.reader_unavailable, timeout=2000)
    assert notice.isVisible()  # still out of service: the services are down


# -- a transmit that got no answer (no pcscd needed) ------------------------------------------


@pytest.fixture
def fake_pcsc_transport(monkeypatch: pytest.MonkeyPatch) -> Callable[..., PcscTransport]:
    """A PcscTransport over a patched raw layer (:mod:`apdu.pcsc.scard`): SCardTransmit
    answers ``answer`` and the reader's state (SCardGetStatusChange) goes through ``states``
    (then stays at the last)."""

    def make(answer: tuple[int, bytes], states: list[int]) -> PcscTransport:
        monkeypatch.setattr(scard, "transmit", lambda *_a: answer)
        monkeypatch.setattr(scard, "status_atr", lambda _h: (0, b"\x3b\x00"))
        queue = list(states)

        def status_change(
            _ctx: int, timeout_ms: int, readers: list[tuple[str, int]]
        ) -> tuple[int, list[tuple[str, int, bytes]]]:
            state = queue.pop(0) if len(queue) > 1 else queue[0]
            current = readers[0][1]
            if current != scard.STATE_UNAWARE and state == current:
                time.sleep(timeout_ms / 1000)  # pcscd blocks until the state changes
                return (scard.E_TIMEOUT, [])
            return (0, [(readers[0][0], state | scard.STATE_CHANGED, b"")])

        monkeypatch.setattr(scard, "get_status_change", status_change)
        monkeypatch.setattr(scard, "disconnect", lambda *_a: None)
        monkeypatch.setattr(scard, "release", lambda *_a: None)
        monkeypatch.setattr(pcsc_transport, "CARD_LEFT_WAIT", 0.3)
        return PcscTransport(1, 2, scard.PROTOCOL_T1, "Fake 00", scard.SHARE_EXCLUSIVE)

    return make


def test_no_status_word_from_a_card_that_left_is_card_removed(fake_pcsc_transport) -> None:  # type: ignore[no-untyped-def]
    """vpcd answers an exchange its card hung up on as a success with no data, before pcscd's
    presence poll notices the card is gone: that is a removed card, not a garbled answer."""
    present, empty = scard.STATE_PRESENT, scard.STATE_EMPTY
    transport = fake_pcsc_transport((0, b""), [present, empty])
    with pytest.raises(CardRemovedError, match="removed during the command"):
        transport.transmit(bytes.fromhex("00B0000000"))
    transport = fake_pcsc_transport((scard.E_NOT_TRANSACTED, b""), [present, empty])
    with pytest.raises(CardRemovedError):
        transport.transmit(bytes.fromhex("00B0000000"))


def test_no_status_word_from_a_card_still_there_stays_a_communication_error(
    fake_pcsc_transport,
) -> None:  # type: ignore[no-untyped-def]
    transport = fake_pcsc_transport((0, b"\x90"), [scard.STATE_PRESENT])
    started = time.monotonic()
    with pytest.raises(CommunicationError, match="without a status word") as info:
        transport.transmit(bytes.fromhex("00B0000000"))
    assert type(info.value) is CommunicationError
    assert time.monotonic() - started < 2.0  # the wait for the reader's verdict is bounded


# -- pcscd restarted while the kiosk waits ----------------------------------------------------


@pcsc
def test_kiosk_survives_a_pcscd_restart(pcscd: Pcscd, real_kiosk: Kiosk, qtbot) -> None:  # type: ignore[no-untyped-def]
    _needs_own_pcscd(pcscd)
    window, notice = real_kiosk.window, insert_screen(real_kiosk).out_of_service
    assert window.model.screen is Screen.INSERT_CARD
    assert not notice.isVisible()

    pcscd.stop()
    try:
        qtbot.waitUntil(notice.isVisible, timeout=int(WAIT * 1000))
        assert window.reader_unavailable
        assert window.model.screen is Screen.INSERT_CARD
    finally:
        if pcscd.process is None:
            pcscd.start()  # returns once pcscd lists the vpcd reader again
    back = time.monotonic()
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=int(WAIT * 1000))
    assert time.monotonic() - back < WAIT
    assert not window.reader_unavailable

    # a card inserted afterwards is detected and read
    card = MockCard()
    with serving(card, pcscd.reader):
        at(qtbot, real_kiosk, Screen.AUTH_PIN)
        assert window.model.summary is not None
        assert window.model.summary.serial == format(card.credentials.auth_cert.serial_number, "X")
    at(qtbot, real_kiosk, Screen.INSERT_CARD, 2000)


# -- the card vanishes in the middle of an operation ------------------------------------------


def _to_authenticating(qtbot: Any, kiosk: Kiosk, card: MockCard) -> int:
    at(qtbot, kiosk, Screen.AUTH_PIN)
    before = card.apdu_count
    kiosk.window.post(PinEntered(Secret("1234")))
    assert kiosk.window.model.screen is Screen.AUTHENTICATING
    return before


@pcsc
@pytest.mark.parametrize("during", [Screen.READING_CARD, Screen.AUTHENTICATING])
def test_kiosk_card_vanishes_mid_operation(
    pcscd: Pcscd, real_kiosk: Kiosk, qtbot, caplog: pytest.LogCaptureFixture, during: Screen
) -> None:  # type: ignore[no-untyped-def]
    """The vpcd card stops answering while the worker reads it: the worker ends with a typed
    error, the kiosk is back on screen 1, and the card works again once it is back."""
    caplog.set_level(logging.INFO, logger="gui.services")
    window = real_kiosk.window
    results: list[object] = []
    window.worker.worker.event_ready.connect(results.append)
    card = MockCard()
    if during is Screen.READING_CARD:
        card.latency = LatencyModel(per_apdu=0.15)
    served = ServedCard(card, pcscd.reader)
    served.insert()
    try:
        if during is Screen.READING_CARD:
            at(qtbot, real_kiosk, Screen.READING_CARD, 2000)
            before = 0
        else:
            before = _to_authenticating(qtbot, real_kiosk, card)
            # authentication is 3 APDUs (VERIFY, SELECT key, SIGN): slow them so that two
            # are still to come when the card goes (0.15 s left one, and the race to it)
            card.latency = LatencyModel(per_apdu=0.6)
        session, earlier = window.model.session, len(results)
        under_way = 2 if during is Screen.READING_CARD else 1
        qtbot.waitUntil(lambda: card.apdu_count >= before + under_way, timeout=READ)
        assert window.model.screen is during
        started = time.monotonic()
        served.remove()  # the virtual card stops answering, mid-command or between two
        at(qtbot, real_kiosk, Screen.INSERT_CARD, int(WAIT * 1000))
        assert time.monotonic() - started < WAIT
        qtbot.waitUntil(lambda: len(results) > earlier, timeout=READ)  # the worker is done
    finally:
        served.client.stop()
    result = results[earlier]
    assert getattr(result, "session", None) == session
    if during is Screen.READING_CARD:
        assert isinstance(result, CardChecked) and result.summary is None
        failures = [r for r in caplog.records if "could not be read" in r.getMessage()]
        assert failures, [r.getMessage() for r in caplog.records]
        assert isinstance(failures[0].args[1], TYPED), repr(failures[0].args[1])  # type: ignore[index]
    else:
        assert isinstance(result, PinResult) and not result.ok
        assert result.error == "カードがリーダーから離れました。"  # CardRemoved, said plainly
    assert not any(r.levelno >= logging.ERROR for r in caplog.records), caplog.text
    assert window.model.screen is Screen.INSERT_CARD
    assert not insert_screen(real_kiosk).take_card.isVisible()

    card.latency = None
    with serving(card, pcscd.reader):  # the same card comes back
        at(qtbot, real_kiosk, Screen.AUTH_PIN)
    at(qtbot, real_kiosk, Screen.INSERT_CARD, 2000)
    assert card.pin_tries_left("auth") == 3


@pcsc
def test_card_vanishes_while_jpki_card_reads_a_certificate(pcscd: Pcscd) -> None:
    card = MockCard(latency=LatencyModel(per_apdu=0.1))
    served = ServedCard(card, pcscd.reader)
    served.insert()
    outcome: list[BaseException | None] = []

    def read() -> None:
        try:
            with JpkiCard.open(pcscd.reader) as session:
                session.read_certificate(CertKind.AUTH)
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    reader_thread = threading.Thread(target=read, daemon=True)
    try:
        reader_thread.start()
        wait_for(lambda: card.apdu_count >= 3, what="the certificate read to start")
        served.remove()
        reader_thread.join(WAIT)
        assert not reader_thread.is_alive(), "the read hangs after the card went away"
    finally:
        served.client.stop()
    assert len(outcome) == 1
    error = outcome[0]
    assert isinstance(error, TYPED), repr(error)
    assert "B0" not in str(error) and "00A4" not in str(error)  # no APDU in the message

    card.latency = None
    with serving(card, pcscd.reader), JpkiCard.open(pcscd.reader) as session:
        assert session.read_certificate(CertKind.AUTH) == card.credentials.auth_cert


# -- two processes on one reader ---------------------------------------------------------------

_SECOND_OPEN = """
import sys
from jpki import JpkiCard, ReaderInUse
try:
    with JpkiCard.open(sys.argv[1]):
        pass
except ReaderInUse as exc:
    print("ReaderInUse:", exc)
    sys.exit(0)
except Exception as exc:
    print("wrong error:", type(exc).__name__, exc)
    sys.exit(1)
print("opened a reader another process holds")
sys.exit(1)
"""


@pcsc
def test_second_process_gets_reader_in_use(served_card: ServedCard) -> None:
    reader = served_card.reader
    expected = served_card.card.credentials.auth_cert  # type: ignore[attr-defined]
    stop = threading.Event()
    done: list[int] = []
    failures: list[BaseException] = []

    with JpkiCard.open(reader) as first:
        assert first.read_certificate(CertKind.AUTH) == expected

        def keep_working() -> None:  # the first process goes on while the second tries
            try:
                while not stop.is_set():
                    assert first.read_certificate(CertKind.AUTH) == expected
                    assert first.pin_status(PinKind.AUTH) == 3
                    done.append(1)
            except BaseException as exc:
                failures.append(exc)

        worker = threading.Thread(target=keep_working, daemon=True)
        worker.start()
        try:
            second = subprocess.run(
                [sys.executable, "-c", _SECOND_OPEN, reader],
                env=subprocess_env(),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            cli = subprocess.run(
                [sys.executable, "-m", "jpki", "status", "--reader", reader],
                env=subprocess_env(),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            at_end = len(done)
            wait_for(lambda: len(done) > at_end or bool(failures), what="the first to go on")
        finally:
            stop.set()
            worker.join(WAIT)
        assert not failures, failures
        assert second.returncode == 0, second.stdout + second.stderr
        assert second.stdout.startswith("ReaderInUse:") and "in use" in second.stdout
        assert cli.returncode == 3, (cli.returncode, cli.stdout, cli.stderr)
        assert "in use" in cli.stderr and cli.stdout == ""
        # the first session is unaffected: same card, same state
        assert first.read_certificate(CertKind.AUTH) == expected
