""":class:`CardWatcher`: card and reader events from PC/SC, on a thread of its own."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from . import scard

logger = logging.getLogger(__name__)

CardEventKind = Literal[
    "inserted", "removed", "reader_added", "reader_removed", "service_lost", "service_back"
]


@dataclass(frozen=True, slots=True)
class CardEvent:
    """A change seen by :class:`CardWatcher`.

    ``reader`` is empty for ``service_lost`` / ``service_back``; ``atr`` is set
    for ``inserted`` (None for a mute card).
    """

    kind: CardEventKind
    reader: str
    atr: bytes | None = None


class CardWatcher:
    """Report card insertions/removals and reader arrivals/departures.

    A daemon thread waits in ``SCardGetStatusChange`` (with the
    :data:`~apdu.pcsc.scard.PNP_NOTIFICATION` pseudo-reader, so reader changes wake it) and
    calls ``callback`` — from that thread — with :class:`CardEvent` values:

    * at start, ``inserted`` for every card already present (readers present
      at start are not reported);
    * ``inserted`` / ``removed`` as cards come and go;
    * ``reader_added`` / ``reader_removed`` (a reader leaving with a card
      first reports ``removed``);
    * ``service_lost`` once when the PC/SC service stops (preceded by
      ``removed`` for every card believed present: every connection is gone
      with the service), then, when it is back, ``service_back`` followed by
      the current state (``inserted`` for present cards, reader changes).
      If the service is not running at start, ``service_lost`` comes first.

    An exception raised by ``callback`` is logged and ignored.
    """

    def __init__(
        self,
        callback: Callable[[CardEvent], None],
        *,
        poll_timeout: float = 0.5,
        retry_interval: float = 0.5,
    ) -> None:
        self._callback = callback
        self._poll_ms = max(1, int(poll_timeout * 1000))
        self._retry = retry_interval
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._context = 0
        self._thread: threading.Thread | None = None
        # State of the watcher thread.
        self._known: dict[str, int] = {}  # reader -> state last seen (passed back as current)
        self._cards: dict[str, bytes | None] = {}  # reader -> ATR of the card present
        self._pnp_state = scard.STATE_UNAWARE
        self._service_lost = False
        self._first = True

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("this CardWatcher is already running")
        self._stop.clear()
        self._known.clear()
        self._cards.clear()
        self._pnp_state = scard.STATE_UNAWARE
        self._service_lost = False
        self._first = True
        self._thread = threading.Thread(target=self._run, name="pcsc-card-watcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the thread (normally within a few ms, SCardCancel wakes it)."""
        self._stop.set()
        with self._lock:
            if self._context:
                scard.cancel(self._context)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                raise RuntimeError(f"the card watcher did not stop within {timeout} s")
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> CardWatcher:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- the thread --

    def _emit(self, kind: CardEventKind, reader: str = "", atr: bytes | None = None) -> None:
        if self._stop.is_set():
            return
        try:
            self._callback(CardEvent(kind, reader, atr))
        except Exception:
            logger.exception("card event callback failed for %s", kind)

    def _set_context(self, context: int) -> None:
        with self._lock:  # never release a context stop() may be cancelling
            old, self._context = self._context, context
            if old:
                scard.release(old)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                context = self._ensure_context()
                if context and self._sync_readers(context):
                    self._wait_for_change(context)
        except Exception:  # pragma: no cover - a bug; do not die silently
            logger.exception("the card watcher stopped on an unexpected error")
        finally:
            self._set_context(0)

    def _ensure_context(self) -> int:
        """The live context, establishing one if needed (0 while the service is away)."""
        if self._context:
            return self._context
        hr, context = scard.establish_context()
        if hr != scard.SUCCESS:
            self._lose_service()
            self._stop.wait(self._retry)
            return 0
        self._set_context(context)
        if self._service_lost and not self._stop.is_set():
            self._service_lost = False
            logger.info("PC/SC service back")
            self._emit("service_back")
        return context

    def _lose_service(self) -> None:
        self._set_context(0)
        self._pnp_state = scard.STATE_UNAWARE
        if self._service_lost:
            return
        self._service_lost = True
        for name in list(self._cards):
            del self._cards[name]
            self._emit("removed", name)
        for name in self._known:
            self._known[name] = scard.STATE_UNAWARE
        logger.info("PC/SC service lost")
        self._emit("service_lost")

    def _sync_readers(self, context: int) -> bool:
        """Compare the reader list with the known one; False if that failed."""
        hr, readers = scard.list_readers(context)
        if hr == scard.E_NO_READERS_AVAILABLE:
            readers = []
        elif hr in scard.SERVICE_GONE:
            self._lose_service()
            return False
        elif hr != scard.SUCCESS:
            logger.warning("SCardListReaders: %s", scard.text(hr))
            self._stop.wait(self._retry)
            return False
        for name in [r for r in self._known if r not in readers]:
            del self._known[name]
            if name in self._cards:
                del self._cards[name]
                self._emit("removed", name)
            self._emit("reader_removed", name)
        for name in readers:
            if name not in self._known:
                self._known[name] = scard.STATE_UNAWARE
                if not self._first:
                    self._emit("reader_added", name)
        self._first = False
        return True

    def _wait_for_change(self, context: int) -> None:
        states = [(r, s) for r, s in self._known.items()]
        states.append((scard.PNP_NOTIFICATION, self._pnp_state))
        hr, changes = scard.get_status_change(context, self._poll_ms, states)
        if hr in (scard.E_TIMEOUT, scard.E_CANCELLED, scard.E_UNKNOWN_READER):
            return
        if hr in scard.SERVICE_GONE:
            self._lose_service()
            return
        if hr != scard.SUCCESS:
            logger.warning("SCardGetStatusChange: %s", scard.text(hr))
            self._stop.wait(self._retry)
            return
        for name, state, atr in changes:
            if name == scard.PNP_NOTIFICATION:
                self._pnp_state = state & ~scard.STATE_CHANGED
            elif name in self._known:
                self._update(name, state, atr)

    def _update(self, name: str, state: int, raw_atr: bytes) -> None:
        previous = self._known[name]
        self._known[name] = state & ~scard.STATE_CHANGED
        if state & scard.STATE_UNKNOWN:
            return  # the reader is gone: the next listing reports it
        if not state & scard.STATE_PRESENT:
            if name in self._cards:
                del self._cards[name]
                self._emit("removed", name)
            return
        atr = None if state & scard.STATE_MUTE else (raw_atr or None)
        if name in self._cards:
            # Removed and re-inserted between two polls: the event counter in
            # the high word moved on, or the ATR changed.
            swapped = previous != scard.STATE_UNAWARE and (
                (previous >> 16) != (state >> 16) or self._cards[name] != atr
            )
            if not swapped:
                return
            del self._cards[name]
            self._emit("removed", name)
        self._cards[name] = atr
        self._emit("inserted", name, atr)
