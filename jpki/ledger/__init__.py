"""The certificate-request ledger: signed requests, their status and an append-only audit trail.

>>> from jpki.ledger import Ledger, LedgerConfig
>>> with Ledger.open("sqlite:////tmp/ledger.sqlite3") as ledger:   # doctest: +SKIP
...     result = ledger.submit(signature, document)   # re-verified; idempotent
...     ledger.approve(result.record.request_id, actor="staff:sato")
"""

from .models import FINAL_STATUSES, AuditAction, Status
from .store import (
    DEFAULT_DOWNLOAD_WINDOW,
    DEFAULT_MAX_SIGNATURE_SIZE,
    AuditEntry,
    DeadlinePassed,
    InvalidTransition,
    Ledger,
    LedgerConfig,
    LedgerError,
    RejectReason,
    RequestConflict,
    RequestNotFound,
    RequestRecord,
    SubmissionRejected,
    SubmitResult,
    VerifiedRequest,
    create_ledger_engine,
    default_ledger_path,
    migrate,
    resolve_url,
)

__all__ = [
    "DEFAULT_DOWNLOAD_WINDOW",
    "DEFAULT_MAX_SIGNATURE_SIZE",
    "FINAL_STATUSES",
    "AuditAction",
    "AuditEntry",
    "DeadlinePassed",
    "InvalidTransition",
    "Ledger",
    "LedgerConfig",
    "LedgerError",
    "RejectReason",
    "RequestConflict",
    "RequestNotFound",
    "RequestRecord",
    "Status",
    "SubmissionRejected",
    "SubmitResult",
    "VerifiedRequest",
    "create_ledger_engine",
    "default_ledger_path",
    "migrate",
    "resolve_url",
]
