"""The one thread that talks to the card: a QObject living in a QThread.

The window sends effects to :meth:`CardWorker.run_effect` through a queued
signal; the worker runs them one after another with the kiosk services
(blocking card and ledger work) and emits the resulting flow events with
:attr:`CardWorker.event_ready`. The UI thread never waits for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QThread, Signal, Slot

from . import texts
from .flow import (
    CardChecked,
    CardProblem,
    Effect,
    Event,
    ListMyRequests,
    PinResult,
    ReadCard,
    RequestsListed,
    Wipe,
)

logger = logging.getLogger(__name__)


class Services(Protocol):
    """What the worker needs of :class:`gui.services.KioskServices`."""

    def run(self, effect: Any) -> Any: ...


def unexpected_event(effect: Effect) -> Event | None:
    """The event reporting that ``effect`` failed unexpectedly (the details go to the log):
    "something went wrong" in the effect's language; ``None`` for :class:`~gui.flow.Wipe`."""
    if isinstance(effect, Wipe):
        return None
    message = texts.text(effect.language, texts.SOMETHING_WENT_WRONG)
    if isinstance(effect, ReadCard):
        return CardChecked(effect.session, problem=CardProblem.UNREADABLE, detail=message)
    if isinstance(effect, ListMyRequests):
        return RequestsListed(effect.session, error=message)
    return PinResult(effect.session, ok=False, error=message)


class CardWorker(QObject):
    """Runs effects with the services; create the services in the thread (:meth:`start`)."""

    event_ready = Signal(object)
    failed = Signal(str)  # the services could not be created
    ready = Signal()

    def __init__(self, make_services: Callable[[], Services]) -> None:
        super().__init__()
        self._make_services = make_services
        self._services: Services | None = None
        self._error = ""

    @property
    def services(self) -> Services | None:
        return self._services

    @Slot()
    def start(self) -> None:
        """Create the services (opening the ledger can take a moment): in the worker thread."""
        if self._services is not None:
            return
        try:
            self._services = self._make_services()
        except Exception as exc:
            logger.exception("the kiosk services could not be started")
            self._error = f"{type(exc).__name__}: {exc}"
            self.failed.emit(self._error)
            return
        self.ready.emit()

    @Slot(object)
    def run_effect(self, effect: Effect) -> None:
        """Run ``effect`` and emit the event it ends in."""
        if self._services is None:
            self.start()
        services = self._services
        if services is None:
            logger.error(
                "%s: the services are not running: %s",
                type(effect).__name__,
                self._error or "not started",
            )
            event = unexpected_event(effect)
        else:
            try:
                event = services.run(effect)
            except Exception:
                if not isinstance(effect, Wipe):
                    logger.exception("%s failed", type(effect).__name__)
                event = unexpected_event(effect)
        if event is not None:
            self.event_ready.emit(event)

    @Slot()
    def shut_down(self) -> None:
        close = getattr(self._services, "close", None)
        if callable(close):
            try:
                close()
            except Exception:
                logger.exception("closing the kiosk services failed")


class WorkerThread(QObject):
    """Owns the QThread and the :class:`CardWorker` moved into it."""

    submit = Signal(object)  # an Effect, to the worker (queued)
    _start = Signal()
    _shut_down = Signal()

    def __init__(
        self, make_services: Callable[[], Services], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.qthread = QThread()
        self.qthread.setObjectName("card-worker")
        self.worker = CardWorker(make_services)
        self.worker.moveToThread(self.qthread)
        self.submit.connect(self.worker.run_effect)
        self._start.connect(self.worker.start)
        self._shut_down.connect(self.worker.shut_down)
        self.qthread.finished.connect(self.worker.deleteLater)

    def start(self) -> None:
        self.qthread.start()
        self._start.emit()

    def stop(self, timeout_ms: int = 10000) -> None:
        if not self.qthread.isRunning():
            return
        self._shut_down.emit()
        self.qthread.quit()
        if not self.qthread.wait(timeout_ms):
            logger.error("the card worker did not stop within %d ms", timeout_ms)
