"""The certificate-request ledger: signed requests, their status and an append-only audit trail.

>>> from jpki.ledger import Ledger, LedgerConfig
>>> with Ledger.open("sqlite:////tmp/ledger.sqlite3") as ledger:   # doctest: +SKIP
...     result = ledger.submit(signature, document)   # re-verified; idempotent
...     ledger.change(result.record.request_id, "approve", actor="staff:sato")

* :mod:`~jpki.ledger.store` — :class:`Ledger`: submit, query, change, purge;
* :mod:`~jpki.ledger.lifecycle` — the table of status changes (:data:`TRANSITIONS`);
* :mod:`~jpki.ledger.chain` — the hash-chained audit trail; :mod:`~jpki.ledger.integrity` —
  a stored request checked against its signed document and audit entry;
* :mod:`~jpki.ledger.verification` — what a submission must pass; :mod:`~jpki.ledger.storing`
  — storing a batch of them;
* :mod:`~jpki.ledger.records` — the snapshots handed out (:class:`RequestRecord`, …);
* :mod:`~jpki.ledger.engine` — the database URL, engine and migrations;
* :mod:`~jpki.ledger.models` — the tables; :mod:`~jpki.ledger.errors`; :mod:`~jpki.ledger.config`.
"""

from .chain import AuditKeyError, ChainBreak, ChainReport
from .config import DEFAULT_DOWNLOAD_WINDOW, DEFAULT_MAX_SIGNATURE_SIZE, LedgerConfig
from .engine import create_ledger_engine, default_ledger_path, migrate, resolve_url
from .errors import (
    DeadlinePassed,
    InvalidTransition,
    LedgerError,
    LedgerNotFound,
    NotALedger,
    RejectReason,
    RequestConflict,
    RequestNotFound,
    SubmissionRejected,
)
from .integrity import RequestTampered
from .lifecycle import FINAL_STATUSES, TRANSITIONS, Transition
from .models import AuditAction, Status
from .records import AuditEntry, RequestRecord, SubmitResult, VerifiedRequest
from .store import Ledger, Submission

__all__ = [
    "DEFAULT_DOWNLOAD_WINDOW",
    "DEFAULT_MAX_SIGNATURE_SIZE",
    "FINAL_STATUSES",
    "TRANSITIONS",
    "AuditAction",
    "AuditEntry",
    "AuditKeyError",
    "ChainBreak",
    "ChainReport",
    "DeadlinePassed",
    "InvalidTransition",
    "Ledger",
    "LedgerConfig",
    "LedgerError",
    "LedgerNotFound",
    "NotALedger",
    "RejectReason",
    "RequestConflict",
    "RequestNotFound",
    "RequestRecord",
    "RequestTampered",
    "Status",
    "Submission",
    "SubmissionRejected",
    "SubmitResult",
    "Transition",
    "VerifiedRequest",
    "create_ledger_engine",
    "default_ledger_path",
    "migrate",
    "resolve_url",
]
