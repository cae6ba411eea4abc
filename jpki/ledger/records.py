"""What the ledger hands out: snapshots of stored requests and audit entries, and how they show
times (ISO 8601 in UTC for data, JST for people).

A :class:`RequestRecord`'s request fields (applicant, kind, copies, delivery…) are
derived from the stored signed document, not read from the row's columns, and
``problems`` lists every way the row disagrees with that document or with its
audit trail (:mod:`jpki.ledger.integrity`): a record with problems is tampered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ..birthdate import BirthDate
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
    applicant_birth_date: BirthDate
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
    audit_seq: int = 0
    auth_cert_sha256: str | None = None
    #: Every way the stored row disagrees with its signed document or its audit trail.
    problems: tuple[str, ...] = ()

    @property
    def tampered(self) -> bool:
        return bool(self.problems)

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
            "tampered": list(self.problems),
        }


@dataclass(frozen=True)
class AuditEntry:
    """One change: who did what when, from which status to which, and why; or an event of
    the office (``subject`` instead of ``request_id``). ``seq`` is its position in the
    hash chain, ``entry_hash`` its hash there."""

    id: int
    request_id: str | None
    at: datetime
    actor: str
    action: AuditAction
    from_status: Status | None
    to_status: Status | None
    reason: str | None
    seq: int = 0
    subject: str | None = None
    entry_hash: str = ""

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seq": self.seq,
            "request_id": self.request_id,
            "subject": self.subject,
            "at": iso(self.at),
            "actor": self.actor,
            "action": self.action.value,
            "from_status": self.from_status.value if self.from_status else None,
            "to_status": self.to_status.value if self.to_status else None,
            "reason": self.reason,
            "entry_hash": self.entry_hash,
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


def record_of(
    row: RequestRow,
    request: CertificateRequest | str | None = None,
    problems: tuple[str, ...] = (),
) -> RequestRecord:
    """A snapshot of ``row``: the request fields from its signed document (``request``, parsed
    already, or why it could not be; parsed here when ``None``), the status from the row.
    Fields the document cannot give (it is unreadable) come from the columns."""
    from .integrity import DERIVED, derived_columns, parse_document

    parsed = parse_document(row.document) if request is None else request
    fields: dict[str, Any] = {name: getattr(row, name) for name in DERIVED}
    if isinstance(parsed, str):
        problems = problems or (parsed,)
    else:
        fields.update(derived_columns(parsed))
    return RequestRecord(
        request_id=row.request_id,
        status=Status(row.status),
        status_changed_at=row.status_changed_at,
        status_reason=row.status_reason,
        submitted_at=row.submitted_at,
        kiosk_id=fields["kiosk_id"],
        kind=fields["kind"],
        language=fields["language"],
        copies=fields["copies"],
        delivery_method=DeliveryMethod(fields["delivery_method"]),
        applicant_name=fields["applicant_name"],
        applicant_birth_date=_birth_date(fields["applicant_birth_date"]),
        signer_issuer=fields["signer_issuer"],
        signer_serial=fields["signer_serial"],
        request_time=fields["request_time"],
        signing_time=row.signing_time,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        content_sha256=row.content_sha256,
        signature_sha256=row.signature_sha256,
        document=bytes(row.document),
        signature=bytes(row.signature),
        detached=row.detached,
        revision=row.revision,
        audit_seq=row.audit_seq,
        auth_cert_sha256=row.auth_cert_sha256,
        problems=problems,
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
        seq=row.seq,
        subject=row.subject,
        entry_hash=row.entry_hash,
    )


def _birth_date(value: object) -> BirthDate:
    """A birth-date column (ISO text; a ``date`` from a ledger not yet migrated to 0003)."""
    if isinstance(value, str):
        return BirthDate.from_iso(value)
    if isinstance(value, date):
        return BirthDate.of(value)
    raise TypeError(f"a birth date column holds {type(value).__name__}")
