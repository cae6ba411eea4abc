"""Card insertions and removals as Qt signals.

* :class:`PcscCardWatch` — a real reader: :class:`apdu.pcsc.CardWatcher` calls
  back from its own thread; the callback only re-emits a Qt signal, which Qt
  delivers in the GUI thread (queued).
* :class:`MockCardWatch` — the mock card: the mock panel inserts and removes it.

The GUI never imports pyscard; :mod:`apdu.pcsc` does, and only in real mode.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

logger = logging.getLogger(__name__)


class CardWatch(QObject):
    inserted = Signal()
    removed = Signal()
    status = Signal(str)  # reader or service news, for the log / staff
    available = Signal(bool)  # the reader can be reached (False: the PC/SC service is down)

    def start(self) -> None:
        """Begin watching (a card already in the reader is reported as inserted)."""

    def stop(self) -> None:
        """Stop watching."""

    @property
    def card_present(self) -> bool:
        return False

    @property
    def atr(self) -> bytes | None:
        """The ATR of the card last reported inserted, if known (it tells a contactless
        reader's card from a contact one: :mod:`gui.reader_kind`)."""
        return None


class MockCardWatch(CardWatch):
    """The mock card's slot: :meth:`insert` and :meth:`remove` act on the card and signal it.

    The card itself is moved on a small thread of its own: a mock card in the middle of a
    (slow) transaction holds its lock, and pulling it out must not wait for that. Removal is
    signalled at once (the applicant took the card); insertion once the card is in.
    """

    def __init__(self, card: Any = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.card = card
        self._present = False
        self._slot = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mock-card-slot")

    @property
    def card_present(self) -> bool:
        return self._present

    @property
    def atr(self) -> bytes | None:
        atr = getattr(self.card, "atr", None)
        return atr if isinstance(atr, bytes) else None

    def set_card(self, card: Any) -> None:
        """Put another card by the slot (remove the one inside first)."""
        if self._present:
            self.remove()
        self.card = card

    def insert(self) -> None:
        if self._present and self.card is not None and not getattr(self.card, "present", True):
            # the card left by itself (a contactless card lifted mid-command: the mock's
            # "lift" fault): the slot saw it go, and now sees it placed again
            self._present = False
            self.removed.emit()
        if self._present or self.card is None:
            return
        self._present = True
        card = self.card

        def put_in() -> None:
            card.insert()
            self.inserted.emit()  # queued to the GUI thread

        self._slot.submit(put_in)

    def remove(self) -> None:
        if not self._present:
            return
        self._present = False
        if self.card is not None:
            self._slot.submit(self.card.remove)
        self.removed.emit()

    def stop(self) -> None:
        self._slot.shutdown(wait=False, cancel_futures=False)


class PcscCardWatch(CardWatch):
    """Card events of one PC/SC reader (``reader``: a case-insensitive part of its name) or,
    without one, of the first reader a card shows up in."""

    _event = Signal(str, str, object)  # kind, reader, ATR: crosses from the watcher thread

    def __init__(self, reader: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._wanted = reader.casefold() if reader else None
        self._watcher: Any = None
        self._holding: str | None = None  # the reader whose card the kiosk is using
        self._atr: bytes | None = None  # the ATR of that card, as the watcher reported it
        self._event.connect(self._on_event)

    @property
    def card_present(self) -> bool:
        return self._holding is not None

    @property
    def reader(self) -> str | None:
        return self._holding

    @property
    def atr(self) -> bytes | None:
        return self._atr

    def start(self) -> None:
        from apdu.pcsc import CardWatcher  # pyscard, only in real mode

        self._watcher = CardWatcher(self._callback)
        self._watcher.start()

    def stop(self) -> None:
        if self._watcher is not None:
            try:
                self._watcher.stop()
            except RuntimeError:
                logger.exception("the card watcher did not stop")
            self._watcher = None

    def _callback(self, event: Any) -> None:  # the watcher's thread
        atr = event.atr if isinstance(event.atr, bytes) else None
        self._event.emit(str(event.kind), str(event.reader), atr)

    def _matches(self, reader: str) -> bool:
        return self._wanted is None or self._wanted in reader.casefold()

    def _on_event(self, kind: str, reader: str, atr: bytes | None) -> None:  # the GUI thread
        if kind == "inserted" and self._holding is None and self._matches(reader):
            self._holding = reader
            self._atr = atr
            self.inserted.emit()
        elif kind == "removed" and reader == self._holding:
            self._holding = None
            self.removed.emit()
        elif kind in ("service_lost", "service_back", "reader_added", "reader_removed"):
            self.status.emit(f"{kind} {reader}".strip())
            if kind in ("service_lost", "service_back"):
                self.available.emit(kind == "service_back")
