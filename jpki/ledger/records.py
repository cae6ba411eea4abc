"""What the ledger hands out: snapshots of stored requests and audit entries, and how they show
times (ISO 8601 in UTC for data, JST for people)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ..cms import CmsVerification
from ..requests import CertificateRequest, DeliveryMethod
from .models import AuditAction, AuditRow, RequestRow, Status

__all__ = [
    "AuditEntry",
    "RequestRecord",
    "SubmitResult",
    "VerifiedRequest",
    "entry_of",
    "iso",
    "record_of",
]


@dataclass(frozen=True)
class RequestRecord:
    """A stored request (a snapshot; the ledger is the truth)."""

    request_id: str
    status: Status
    status_changed_at: datetime
    status_reason: str | None
    submitted_at: datetime
    kiosk_id: str
    kind: str
    language: str
    copies: int
    delivery_method: DeliveryMethod
    applicant_name: str
    applicant_birth_date: date
    signer_issuer: str
    signer_serial: str
    request_time: datetime
    signing_time: datetime | None
    issued_at: datetime | None
    expires_at: datetime | None
    content_sha256: str
    signature_sha256: str
    document: bytes
    signature: bytes
    detached: bool
    revision: int

    @property
    def request(self) -> CertificateRequest:
        """The signed request document, parsed (any certificate kind accepted)."""
        return CertificateRequest.from_bytes(self.document, allowed_kinds=None)

    def summary(self) -> dict[str, Any]:
        """The columns staff list and export (no signature bytes)."""
        return {
            "request_id": self.request_id,
            "status": self.status.value,
            "status_changed_at": iso(self.status_changed_at),
            "status_reason": self.status_reason,
            "submitted_at": iso(self.submitted_at),
            "kiosk_id": self.kiosk_id,
            "kind": self.kind,
            "language": self.language,
            "copies": self.copies,
            "delivery_method": self.delivery_method.value,
            "applicant_name": self.applicant_name,
            "applicant_birth_date": self.applicant_birth_date.isoformat(),
            "request_time": iso(self.request_time),
            "signing_time": iso(self.signing_time),
            "issued_at": iso(self.issued_at),
            "expires_at": iso(self.expires_at),
            "content_sha256": self.content_sha256,
        }


@dataclass(frozen=True)
class AuditEntry:
    """One change: who did what when, from which status to which, and why."""

    id: int
    request_id: str
    at: datetime
    actor: str
    action: AuditAction
    from_status: Status | None
    to_status: Status | None
    reason: str | None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "request_id": self.request_id,
            "at": iso(self.at),
            "actor": self.actor,
            "action": self.action.value,
            "from_status": self.from_status.value if self.from_status else None,
            "to_status": self.to_status.value if self.to_status else None,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class VerifiedRequest:
    """A submission that passed every check (what :meth:`Ledger.verify` returns)."""

    request: CertificateRequest
    document: bytes
    signature: bytes
    detached: bool
    verification: CmsVerification
    content_sha256: str
    signature_sha256: str


@dataclass(frozen=True)
class SubmitResult:
    record: RequestRecord
    created: bool  # False: the same signed request was already stored


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def record_of(row: RequestRow) -> RequestRecord:
    return RequestRecord(
        request_id=row.request_id,
        status=Status(row.status),
        status_changed_at=row.status_changed_at,
        status_reason=row.status_reason,
        submitted_at=row.submitted_at,
        kiosk_id=row.kiosk_id,
        kind=row.kind,
        language=row.language,
        copies=row.copies,
        delivery_method=DeliveryMethod(row.delivery_method),
        applicant_name=row.applicant_name,
        applicant_birth_date=row.applicant_birth_date,
        signer_issuer=row.signer_issuer,
        signer_serial=row.signer_serial,
        request_time=row.request_time,
        signing_time=row.signing_time,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        content_sha256=row.content_sha256,
        signature_sha256=row.signature_sha256,
        document=bytes(row.document),
        signature=bytes(row.signature),
        detached=row.detached,
        revision=row.revision,
    )


def entry_of(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        request_id=row.request_id,
        at=row.at,
        actor=row.actor,
        action=AuditAction(row.action),
        from_status=Status(row.from_status) if row.from_status else None,
        to_status=Status(row.to_status) if row.to_status else None,
        reason=row.reason,
    )
