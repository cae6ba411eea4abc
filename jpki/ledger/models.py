"""The ledger's tables (SQLAlchemy 2 declarative models).

``certificate_requests`` holds one row per request: the signed bytes exactly
as signed (``document``) and the CMS signature (``signature``), plus columns
derived from them for filtering — none of which changes after the insert (a
trigger rejects it) — and the current status. The columns are a cache: what
is shown is derived from the signed document again (:mod:`jpki.ledger.integrity`).

``audit_log`` is append-only and hash-chained (:mod:`jpki.ledger.chain`): one
row per change (who, when, from → to, why, the hashes of the request's signed
bytes), each carrying the hash of the one before it and, when the ledger has
an audit key, a MAC. Triggers reject UPDATE and DELETE (and TRUNCATE on
PostgreSQL; on SQLite also INSERT OR REPLACE / UPSERT over an existing row).
``audit_chain_head`` is the chain's one-row head (its last position and hash).

The schema itself is made by the Alembic migrations in
``jpki/ledger/migrations``, not by ``create_all``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ADMIN_ACTIONS",
    "AuditAction",
    "AuditRow",
    "Base",
    "ChainHeadRow",
    "RequestRow",
    "Status",
    "UtcDateTime",
]


class Status(StrEnum):
    """Where a request is: submitted → approved / rejected → issued → delivered /
    downloaded / expired (the changes: :data:`jpki.ledger.lifecycle.TRANSITIONS`)."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    ISSUED = "issued"
    DELIVERED = "delivered"
    DOWNLOADED = "downloaded"
    EXPIRED = "expired"


class AuditAction(StrEnum):
    """What an audit entry records: a request's change (``submit`` … ``purge``) or an
    event of the office around it (credentials refused, kiosks and staff managed)."""

    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    ISSUE = "issue"
    DELIVER = "deliver"
    DOWNLOAD = "download"
    EXPIRE = "expire"
    PURGE = "purge"
    # events with a subject instead of a request
    REFUSED = "refused"  # a credential or a submission was refused
    KIOSK_ADD = "kiosk-add"
    KIOSK_REVOKE = "kiosk-revoke"
    STAFF_ADD = "staff-add"
    STAFF_CHANGE = "staff-change"  # roles, password, TOTP, disabled


#: The actions that concern no request (their entry names a ``subject``).
ADMIN_ACTIONS: Final = frozenset(
    {
        AuditAction.REFUSED,
        AuditAction.KIOSK_ADD,
        AuditAction.KIOSK_REVOKE,
        AuditAction.STAFF_ADD,
        AuditAction.STAFF_CHANGE,
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes, stored as UTC (``timestamptz`` on PostgreSQL, ISO text on SQLite)
    and always read back as aware UTC datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("the ledger stores timezone-aware times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


_NAMING: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "pk": "pk_%(table_name)s",
}

_ID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only

_STATUS_CHECK: Final = "status IN ({})".format(", ".join(f"'{s.value}'" for s in Status))
_ACTION_CHECK: Final = "action IN ({})".format(", ".join(f"'{a.value}'" for a in AuditAction))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)


class RequestRow(Base):
    __tablename__ = "certificate_requests"
    __table_args__ = (
        CheckConstraint(_STATUS_CHECK, name="status"),
        CheckConstraint("copies BETWEEN 1 AND 10", name="copies"),
        Index("ix_certificate_requests_status_submitted", "status", "submitted_at"),
        Index("ix_certificate_requests_submitted_at", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(36), unique=True)
    content_sha256: Mapped[str] = mapped_column(String(64))
    signature_sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    detached: Mapped[bool] = mapped_column(Boolean)
    document_version: Mapped[int] = mapped_column(Integer)

    kiosk_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(48))
    language: Mapped[str] = mapped_column(String(8))
    copies: Mapped[int] = mapped_column(Integer)
    delivery_method: Mapped[str] = mapped_column(String(24))
    applicant_name: Mapped[str] = mapped_column(String(200))
    #: ISO 8601 with the register's precision: ``1980``, ``1980-05`` or ``1980-05-01``.
    applicant_birth_date: Mapped[str] = mapped_column(String(10))
    signer_issuer: Mapped[str] = mapped_column(String(500))
    signer_serial: Mapped[str] = mapped_column(String(40))
    request_time: Mapped[datetime] = mapped_column(UtcDateTime)
    signing_time: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)

    status: Mapped[str] = mapped_column(String(16))
    status_changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    #: End of the download window (digital PDF) or of the print deadline (convenience store).
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    #: Bumped by every change (1 after the insert); an UPDATE that finds another value fails.
    revision: Mapped[int] = mapped_column(Integer)
    #: The chain position of this request's latest audit entry (which records its status).
    audit_seq: Mapped[int] = mapped_column(BigInteger)
    #: SHA-256 of the user-authentication certificate the applicant authenticated with at the
    #: kiosk (verified by the office), so that they can list their own requests; or NULL.
    auth_cert_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012 - SQLAlchemy's convention


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(_ACTION_CHECK, name="action"),
        Index("ix_audit_log_request_id", "request_id", "id"),
        Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    #: The position in the hash chain: 1, 2, 3… without gaps (``id`` may have gaps).
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    # no foreign key: outlives a purge; NULL for an event that concerns no request
    request_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    subject: Mapped[str | None] = mapped_column(String(100), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: The request's signed bytes (document, CMS signature) and holder, bound into the chain.
    content_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    signature_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    auth_cert_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: The request's deadlines after this change (``issue`` sets them).
    issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    #: HMAC of ``entry_hash`` under the ledger's audit key (NULL when it has none).
    mac: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ChainHeadRow(Base):
    """The audit chain's head: one row (``id`` 1) with the last entry's position and hash.
    ``key_id`` names the audit key the chain is sealed with (NULL: no key)."""

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="single"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    mac: Mapped[str | None] = mapped_column(String(64), nullable=True)
