"""One writer thread per service instance: verified submissions are stored in batches.

Every submission needs the audit chain's head (one line of entries across all
instances), and with PostgreSQL's fsync on a commit costs a disk flush (~2-3 ms
here). Committing each submission alone would cap an instance at a few hundred a
second; :class:`BatchWriter` takes whatever has queued up while the previous
commit ran and stores it in one transaction (:meth:`jpki.ledger.Ledger.store`):
the batch grows with the load, the flushes do not.

A batch that fails as a whole (the database went away) fails each of its
submissions with that error; the HTTP layer answers 503 and the kiosk keeps the
request in its outbox. Nothing is retried here: a kiosk's resubmission is
idempotent.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from typing import Final

from jpki.ledger import Ledger, LedgerError, Submission, SubmitResult
from jpki.verdict import one_line

__all__ = ["BatchWriter"]

logger = logging.getLogger(__name__)
_STOP: Final = None


class BatchWriter:
    """Stores :class:`~jpki.ledger.Submission` objects in batches of at most ``max_batch``."""

    def __init__(self, ledger: Ledger, *, max_batch: int = 256) -> None:
        self.ledger = ledger
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[Submission, Future[SubmitResult]] | None]
        self._queue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="ledger-writer", daemon=True)
        self._started = False
        self.batches = 0
        self.stored = 0

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        if self._started:
            self._queue.put(_STOP)
            self._thread.join(timeout)
            self._started = False

    def submit(self, submission: Submission) -> Future[SubmitResult]:
        """Queue ``submission``; the future gets its :class:`SubmitResult` or the
        :class:`~jpki.ledger.LedgerError` (or database error) that refused it."""
        if not self._started:
            raise RuntimeError("the writer is not running")
        future: Future[SubmitResult] = Future()
        self._queue.put((submission, future))
        return future

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            self._write(batch)
            if stop:
                return

    def _write(self, batch: list[tuple[Submission, Future[SubmitResult]]]) -> None:
        try:
            results = self.ledger.store([submission for submission, _ in batch])
        except Exception as exc:  # the database: every submission of the batch fails alike
            # the first line only: a database error goes on to quote the submitted values
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            logger.warning("storing a batch of %d failed: %s", len(batch), one_line(first))
            for _, future in batch:
                future.set_exception(exc)
            return
        self.batches += 1
        for (_, future), result in zip(batch, results, strict=True):
            if isinstance(result, LedgerError):
                future.set_exception(result)
            else:
                self.stored += result.created
                future.set_result(result)
