"""``jpki-mock-card serve``: the card served to vpcd, driven through a control socket.

:class:`Daemon` holds the cards a daemon can put in the reader — the one in the
state file (``state``) and any holder profile (:mod:`mock_card.profiles`) — and
answers the control commands (:data:`COMMANDS`) that
:class:`~mock_card.control.ControlServer` receives. :func:`serve` runs it all
until SIGTERM or SIGINT.

Cards taken out by ``holder`` keep their state (PIN counters, verified PINs are
cleared like at any removal), so putting one back gives the same card, as with
plastic ones. Only the ``state`` card saves its PIN counters to the state file.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Final

from cryptography.hazmat.primitives.serialization import Encoding

from .card import MockCard
from .control import ControlError, ControlServer
from .faults import FAULT_SPECS, LatencyModel
from .pcscd import Pcscd, PcscdUnavailable
from .profiles import UnknownProfile, get_profile, make_card, profile_names
from .state import StateError, load_card, open_card
from .vpcd import VpcdClient

__all__ = ["COMMANDS", "STATE_HOLDER", "CardSlot", "Daemon", "ServeOptions", "serve"]

STATE_HOLDER: Final = "state"
_POLL: Final = 0.1
#: How long ``holder`` waits for vpcd to notice that the old card left, and the new one came.
_SWAP_TIMEOUT: Final = 3.0

#: The control commands: usage -> what it does.
COMMANDS: Final = {
    "status": "the served card, the vpcd connection and the PIN counters",
    "insert": "put the card (back) in the reader",
    "remove": "take the card out of the reader (an exchange in progress fails)",
    "reset": "power-cycle the card: nothing selected, no PIN verified",
    "holder NAME": "take the card out and put another one in: a holder profile, or "
    f"'{STATE_HOLDER}' for the card in the state file (an empty reader stays empty)",
    "fault SPEC [N]": f"a fault at the N-th APDU from now (default 1: the next one); "
    f"SPEC is {FAULT_SPECS}",
    "pins": "the PIN try counters (tries left / max)",
    "profiles": "the holder profiles 'holder' accepts",
    "help": "this list",
}
COMMAND_NAMES: Final = frozenset(usage.split()[0] for usage in COMMANDS)


class CardSlot:
    """What :class:`VpcdClient` serves: whichever card is in the reader now."""

    def __init__(self, card: MockCard) -> None:
        self.card = card

    @property
    def atr(self) -> bytes:
        return self.card.atr

    @property
    def present(self) -> bool:
        return self.card.present

    def transmit(self, apdu: bytes) -> bytes:
        return self.card.transmit(apdu)

    def reset(self) -> None:
        self.card.reset()


def pin_counters(card: MockCard) -> str:
    return ", ".join(f"{n} {p.tries_left}/{p.max_tries}" for n, p in card.pins.items())


def der_of(card: MockCard) -> tuple[bytes, bytes]:
    creds = card.credentials
    return creds.auth_cert.public_bytes(Encoding.DER), creds.sign_cert.public_bytes(Encoding.DER)


class StateWatch:
    """Takes up PIN counter changes that another command (``pin-reset``, ``block``) wrote to
    the state file while ``serve`` runs, so that the served card does not overwrite them."""

    def __init__(self, card: MockCard, state: Path, say: Callable[[str], None]) -> None:
        self.card = card
        self.state = state
        self.say = say
        self.seen = self._stamp()

    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = self.state.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def poll(self) -> None:
        if self.card.state_file is None:
            return
        stamp = self._stamp()
        if stamp == self.seen:
            return
        # Compare under the card's lock: the card saves inside transmit while holding it, so
        # any difference between the file and the card now was made by someone else.
        with self.card.transaction():
            self.seen = self._stamp()
            try:
                other = load_card(self.state)
            except StateError as exc:
                self.say(f"cannot read the state file any more ({exc}); serving on")
                return
            if der_of(other) != der_of(self.card):
                self.card.state_file = None  # do not overwrite the new card
                self.say(
                    f"{self.state} now holds another card; this one is no longer saved "
                    "(restart 'serve' to serve the new card)"
                )
                return
            changed = [
                name
                for name, pin in other.pins.items()
                if name in self.card.pins and pin != self.card.pins[name]
            ]
            for name in changed:
                self.card.pins[name] = other.pins[name]
                if other.pins[name].blocked:
                    self.card.block_pin(name)  # also ends a verified state
            self.seen = self._stamp()
        if changed:
            self.say(f"took up PIN counters from the state file: {pin_counters(self.card)}")


class Daemon:
    """The cards of one ``serve`` and the control commands on them."""

    def __init__(
        self,
        state: Path,
        holder: str = STATE_HOLDER,
        *,
        latency: LatencyModel | None = None,
        say: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.state = state
        self.latency = latency
        self.say = say
        self.cards: dict[str, MockCard] = {}
        self.watch: StateWatch | None = None
        self.client: VpcdClient | None = None
        self.holder = holder
        self.slot = CardSlot(self.card_for(holder))
        self._lock = threading.Lock()

    def card_for(self, name: str) -> MockCard:
        """The card of holder ``name``: made (or loaded) on first use, then kept."""
        card = self.cards.get(name)
        if card is not None:
            return card
        if name == STATE_HOLDER:
            existed = self.state.exists()
            card = open_card(self.state)
            if not existed:
                self.say(f"no card at {self.state}; created the demo card there")
            self.watch = StateWatch(card, self.state, self.say)
        else:
            try:
                card = make_card(name)
            except UnknownProfile as exc:
                raise ControlError(f"{exc}, or '{STATE_HOLDER}'") from None
        if self.latency is not None:
            card.latency = self.latency
        self.cards[name] = card
        return card

    @property
    def card(self) -> MockCard:
        return self.slot.card

    def poll(self) -> None:
        if self.watch is not None:
            self.watch.poll()

    # -- commands --------------------------------------------------------------------

    def handle(self, words: list[str]) -> dict[str, Any]:
        command, args = words[0].lower(), words[1:]
        if command not in COMMAND_NAMES:
            raise ControlError(f"unknown command {command[:40]!r} (try 'help')")
        with self._lock:
            return self._run(command, args)

    def _run(self, command: str, args: list[str]) -> dict[str, Any]:
        expected = {"holder": (1, 1), "fault": (1, 2)}.get(command, (0, 0))
        if not expected[0] <= len(args) <= expected[1]:
            usage = next(u for u in COMMANDS if u.split()[0] == command)
            raise ControlError(f"usage: {usage}")
        card = self.card
        if command == "insert":
            card.insert()
        elif command == "remove":
            card.remove()
        elif command == "reset":
            card.reset()
        elif command == "holder":
            self._switch(args[0])
        elif command == "fault":
            self._fault(args)
        elif command == "profiles":
            profiles = {n: get_profile(n).summary for n in profile_names()}
            return {"profiles": {STATE_HOLDER: f"the card in {self.state}", **profiles}}
        elif command == "help":
            return {"commands": dict(COMMANDS)}
        return self.status()

    def _fault(self, args: list[str]) -> None:
        index_text = args[1] if len(args) > 1 else "1"
        if not index_text.isdigit() or not 1 <= int(index_text) <= 1_000_000:
            raise ControlError(f"N is an APDU index from 1, not {index_text[:20]!r}")
        try:
            self.card.faults.arm(args[0], int(index_text))
        except ValueError as exc:
            raise ControlError(str(exc)) from None
        self.say(f"fault {args[0]!r} armed at APDU {index_text} from now (control)")

    def _switch(self, name: str) -> None:
        new = self.card_for(name)
        old = self.card
        if new is old:
            return
        was_present = old.present
        connected = self.client is not None and self.client.connected.is_set()
        if was_present:
            old.remove()
            self._wait_for_vpcd(connected=False)
        (new.insert if was_present else new.remove)()
        self.slot.card = new
        self.holder = name
        if was_present and connected:
            self._wait_for_vpcd(connected=True)
        self.say(f"now holder {name!r} ({'in the reader' if was_present else 'not inserted'})")

    def _wait_for_vpcd(self, *, connected: bool) -> None:
        """Until vpcd has dropped the old card (at its next presence poll), or taken up the new
        one; at most a few seconds (without vpcd, not at all)."""
        client = self.client
        if client is None:
            return
        deadline = time.monotonic() + _SWAP_TIMEOUT
        while client.connected.is_set() != connected and time.monotonic() < deadline:
            time.sleep(0.02)

    def status(self) -> dict[str, Any]:
        card = self.card
        client = self.client
        return {
            "holder": self.holder,
            "name": card.holder.name,
            "certificates": card.profile.value,
            "present": card.present,
            "atr": card.atr.hex(" ").upper(),
            "token_label": card.token_label,
            "apdus": card.apdu_count,
            "faults_pending": len(card.faults.faults),
            "pins": {
                name: {"tries_left": p.tries_left, "max_tries": p.max_tries, "blocked": p.blocked}
                for name, p in card.pins.items()
            },
            "vpcd": {
                "host": client.host if client else None,
                "port": client.port if client else None,
                "connected": client.connected.is_set() if client else False,
            },
            "state_file": str(self.state) if self.holder == STATE_HOLDER else None,
        }


# -- running it -------------------------------------------------------------------------


@contextmanager
def stop_on_signals(stop: list[str]) -> Iterator[None]:
    """While the block runs, SIGTERM and SIGINT append their name to ``stop`` (nothing more:
    the main loop polls it, so no exception lands in the middle of starting or stopping)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.append(signal.Signals(signum).name)

    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set in the main thread
        return
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@dataclass(frozen=True)
class ServeOptions:
    state: Path
    host: str
    port: int
    control: Path
    private_control_dir: bool = False
    holder: str = STATE_HOLDER
    latency: LatencyModel | None = None
    start_pcscd: bool = False
    verbose: bool = False


class ServeFailure(Exception):
    """``serve`` could not start or stop cleanly (exit status 1)."""


def serve(opts: ServeOptions, say: Callable[[str], None]) -> int:
    logging.getLogger("mock_card.vpcd").setLevel(logging.DEBUG if opts.verbose else logging.WARNING)
    stop: list[str] = []
    with stop_on_signals(stop):
        try:
            daemon = Daemon(opts.state, opts.holder, latency=opts.latency, say=say)
        except ControlError as exc:
            raise ServeFailure(str(exc)) from None
        service: Pcscd | None = None
        if opts.start_pcscd:
            try:
                service = Pcscd.ensure()
            except PcscdUnavailable as exc:
                raise ServeFailure(f"pcscd: {exc}") from None
            how = "started" if service.started_by_us else "found running"
            say(f"pcscd {how}; vpcd's reader: {service.reader}")
        try:
            _serve(daemon, opts, stop, say)
        finally:
            if service is not None and service.started_by_us:
                service.stop()
                say("stopped the pcscd it started")
    stopped_by = stop[0] if stop else "the client stopped"
    where = f"; PIN counters are saved in {opts.state}" if STATE_HOLDER in daemon.cards else ""
    say(f"stopped ({stopped_by}){where}")
    return 0


def _serve(daemon: Daemon, opts: ServeOptions, stop: list[str], say: Callable[[str], None]) -> None:
    control = ControlServer(opts.control, daemon.handle, private_parent=opts.private_control_dir)
    try:
        control.start()
    except (ControlError, OSError) as exc:
        raise ServeFailure(f"control socket: {exc}") from None
    client = VpcdClient(daemon.slot, opts.host, opts.port)
    daemon.client = client
    try:
        thread = client.serve_in_thread()
        card = daemon.card
        say(
            f"serving the card of {card.holder.name} (holder {daemon.holder}, "
            f"{card.profile.value}; {pin_counters(card)}) to vpcd at {opts.host}:{opts.port}; "
            f"control socket {opts.control}; Ctrl-C to stop"
        )
        connected = False
        present = daemon.card.present
        while thread.is_alive() and not stop:
            time.sleep(_POLL)
            daemon.poll()
            if daemon.card.present != present:
                present = daemon.card.present
                say(f"the card is {'in' if present else 'out of'} the reader")
            now = client.connected.is_set()
            # while the card is out, the client reconnects at every presence poll: not news
            if now != connected and daemon.card.present:
                connected = now
                say(f"vpcd {'connected' if now else 'disconnected'} ({opts.host}:{opts.port})")
    finally:
        control.close()
        try:
            client.stop()
        except RuntimeError as exc:
            raise ServeFailure(f"could not stop serving cleanly: {exc}") from None
