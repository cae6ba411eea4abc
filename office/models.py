"""The office's own tables (beside the ledger's): kiosks, staff, their sessions, the holder
challenges already answered, and the digital deliveries (a signed PDF and its one-time link).

Secrets are never stored: a kiosk token and a session token are stored as their
SHA-256 (they are 256-bit random values, so a fast hash is enough), a password
as its argon2id hash. The schema is made by the Alembic migrations in
``office/migrations`` (version table ``office_alembic_version``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import Boolean, Index, LargeBinary, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from jpki.ledger.models import UtcDateTime

__all__ = [
    "ChallengeRow",
    "DeliveryRow",
    "KioskRow",
    "OfficeBase",
    "StaffRow",
    "StaffSessionRow",
]

_NAMING: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "pk": "pk_%(table_name)s",
}


class OfficeBase(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)


class KioskRow(OfficeBase):
    __tablename__ = "office_kiosks"

    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class StaffRow(OfficeBase):
    __tablename__ = "office_staff"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    #: RFC 6238 secret (base32), or NULL: no second factor.
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    roles: Mapped[str] = mapped_column(String(100))  # comma-separated StaffRole values
    disabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: The last TOTP time step used (a code is good once).
    totp_last_step: Mapped[str | None] = mapped_column(String(20), nullable=True)


class StaffSessionRow(OfficeBase):
    __tablename__ = "office_staff_sessions"
    __table_args__ = (Index("ix_office_staff_sessions_username", "username"),)

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: Free use for the web console (its CSRF secret, say); the API does not use it.
    data: Mapped[str | None] = mapped_column(Text, nullable=True)


class ChallengeRow(OfficeBase):
    """A holder challenge that has been answered (a challenge is good for one answer)."""

    __tablename__ = "office_used_challenges"
    __table_args__ = (Index("ix_office_used_challenges_expires_at", "expires_at"),)

    nonce_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DeliveryRow(OfficeBase):
    """A request's certificate PDF as the institution signed it, and its one-time link."""

    __tablename__ = "office_deliveries"

    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    #: The SHA-256 of the PDF the issuer uploaded (before the institution's signature).
    upload_sha256: Mapped[str] = mapped_column(String(64))
    attached_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attached_by: Mapped[str] = mapped_column(String(100))
    #: The link's token (SHA-256), set when the request is issued.
    token_sha256: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    link_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
