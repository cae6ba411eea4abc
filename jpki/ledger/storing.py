"""Storing verified submissions: the rows and first audit entries of one batch, written while the
caller holds the audit chain's head (:meth:`jpki.ledger.Ledger.store`).

A submission whose request id is stored already gives that record back (the same
signed bytes: idempotent) or a :class:`RequestConflict` (other bytes). The new
rows and their entries go in with two bulk INSERTs, no RETURNING: the fewest round
trips while every other writer waits for the head.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..requests import CertificateRequest
from .chain import next_entry
from .errors import LedgerError, RejectReason, RequestConflict
from .integrity import derived_columns
from .models import AuditAction, AuditRow, ChainHeadRow, RequestRow, Status
from .records import SubmitResult, VerifiedRequest, record_of

__all__ = ["Submission", "chunks", "existing_rows", "store_batch"]

_IN_CHUNK: Final = 500  # values per IN (...) list
_V = TypeVar("_V")


@dataclass(frozen=True)
class Submission:
    """A verified submission to store (:meth:`Ledger.store`): who submits it (``actor``,
    default ``kiosk:<id>``), when, and the SHA-256 of the user-authentication certificate
    the applicant proved at the kiosk (``auth_cert_sha256``, to list their own requests)."""

    verified: VerifiedRequest
    at: datetime
    actor: str | None = None
    auth_cert_sha256: str | None = None


def chunks(values: Sequence[_V]) -> Iterator[list[_V]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield list(values[start : start + _IN_CHUNK])


def existing_rows(session: Session, request_ids: Sequence[str]) -> dict[str, RequestRow]:
    ids = sorted(set(request_ids))
    return {
        row.request_id: row
        for chunk in chunks(ids)
        for row in session.scalars(select(RequestRow).where(RequestRow.request_id.in_(chunk)))
    }


def store_batch(
    session: Session,
    head: ChainHeadRow,
    key: bytes | None,
    submissions: Sequence[Submission],
    existing: dict[str, RequestRow],
) -> list[SubmitResult | LedgerError]:
    """Insert what is new of ``submissions`` (``existing``: the rows stored already) and
    chain a ``submit`` entry for each; every submission's result or error, in order."""
    outcomes: list[tuple[RequestRow, CertificateRequest] | SubmitResult | LedgerError] = []
    rows: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for submission in submissions:
        request = submission.verified.request
        row = existing.get(request.request_id)
        if row is not None:
            outcomes.append(_existing(row, submission.verified))
            continue
        values = _new_row(submission, head.seq + 1)
        entries.append(
            next_entry(
                head,
                key,
                request_id=request.request_id,
                at=submission.at,
                actor=submission.actor or f"kiosk:{request.kiosk_id}",
                action=AuditAction.SUBMIT.value,
                to_status=Status.SUBMITTED.value,
                content_sha256=values["content_sha256"],
                signature_sha256=values["signature_sha256"],
                auth_cert_sha256=values["auth_cert_sha256"],
            )
        )
        rows.append(values)
        row = RequestRow(**values)  # a snapshot for the result; the insert is below
        existing[request.request_id] = row
        outcomes.append((row, request))
    if rows:
        session.execute(insert(RequestRow), rows)
        session.execute(insert(AuditRow), entries)
    session.flush()
    return [
        SubmitResult(record_of(o[0], o[1]), created=True) if isinstance(o, tuple) else o
        for o in outcomes
    ]


def _existing(row: RequestRow, verified: VerifiedRequest) -> SubmitResult | LedgerError:
    if row.content_sha256 != verified.content_sha256:
        return RequestConflict(
            RejectReason.CONFLICT,
            f"request {row.request_id} is already stored with other signed content "
            f"(SHA-256 {row.content_sha256[:16]}…); a new request needs a new id",
            request_id=row.request_id,
        )
    return SubmitResult(record_of(row), created=False)


def _new_row(submission: Submission, seq: int) -> dict[str, Any]:
    verified = submission.verified
    request = verified.request
    at = submission.at
    return {
        **derived_columns(request),
        "request_id": request.request_id,
        "content_sha256": verified.content_sha256,
        "signature_sha256": verified.signature_sha256,
        "document": verified.document,
        "signature": verified.signature,
        "detached": verified.detached,
        "document_version": 1,
        "signing_time": verified.verification.signing_time,
        "submitted_at": at,
        "status": Status.SUBMITTED.value,
        "status_changed_at": at,
        "status_reason": None,
        "issued_at": None,
        "expires_at": None,
        "audit_seq": seq,
        "auth_cert_sha256": submission.auth_cert_sha256,
        "revision": 1,
    }
