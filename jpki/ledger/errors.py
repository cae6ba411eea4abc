"""The ledger's errors: one base, :class:`LedgerError`, and why a submission was refused."""

from __future__ import annotations

from enum import StrEnum

from ..cms import CmsReason
from ..errors import JpkiError

__all__ = [
    "DeadlinePassed",
    "InvalidTransition",
    "LedgerError",
    "LedgerNotFound",
    "NotALedger",
    "RejectReason",
    "RequestConflict",
    "RequestNotFound",
    "SubmissionRejected",
]


class LedgerError(JpkiError):
    """Base of the ledger's errors; the message says what to do."""


class LedgerNotFound(LedgerError):
    """There is no ledger where one was to be opened, and none was to be created."""


class NotALedger(LedgerError):
    """The database given holds something else than a ledger; it was left as it was."""


class RejectReason(StrEnum):
    """Why a submission was refused (nothing was stored)."""

    MALFORMED = "malformed"  # not bytes, empty
    TOO_LARGE = "too-large"
    SIGNATURE = "signature"  # the CMS did not verify (``cms_reason`` says why)
    WRONG_CERTIFICATE = "wrong-certificate"  # not signed with the signature certificate
    SCHEMA = "schema"  # the signed document is not a valid request
    IDENTITY_MISMATCH = "identity-mismatch"  # the document names someone else
    STALE = "stale"  # signed too long ago, or the document postdates the signature
    CONFLICT = "conflict"  # the request id is taken by other signed bytes


class SubmissionRejected(LedgerError):
    """The submission was refused and nothing was stored."""

    def __init__(
        self,
        reason: RejectReason,
        message: str,
        *,
        cms_reason: CmsReason | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.cms_reason = cms_reason
        self.request_id = request_id


class RequestConflict(SubmissionRejected):
    """Another signed request with the same request id is already stored."""


class RequestNotFound(LedgerError, LookupError):
    """No request with that id (or id prefix)."""


class InvalidTransition(LedgerError):
    """The request is not in a status that allows this change."""


class DeadlinePassed(InvalidTransition):
    """The download window or print deadline has passed; the request is now expired."""
