"""The first ledger schema: requests, the append-only audit log and their triggers.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jpki.ledger.models import UtcDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_STATUSES = ("submitted", "approved", "rejected", "issued", "delivered", "downloaded", "expired")
_ACTIONS = ("submit", "approve", "reject", "issue", "deliver", "download", "expire", "purge")
#: Columns of a request that are written once, on submission.
_IMMUTABLE = (
    "request_id",
    "content_sha256",
    "signature_sha256",
    "document",
    "signature",
    "submitted_at",
)


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "certificate_requests",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("signature_sha256", sa.String(64), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("detached", sa.Boolean(), nullable=False),
        sa.Column("document_version", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("delivery_method", sa.String(24), nullable=False),
        sa.Column("applicant_name", sa.String(200), nullable=False),
        sa.Column("applicant_birth_date", sa.Date(), nullable=False),
        sa.Column("signer_issuer", sa.String(500), nullable=False),
        sa.Column("signer_serial", sa.String(40), nullable=False),
        sa.Column("request_time", UtcDateTime(), nullable=False),
        sa.Column("signing_time", UtcDateTime(), nullable=True),
        sa.Column("submitted_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_changed_at", UtcDateTime(), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("issued_at", UtcDateTime(), nullable=True),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_certificate_requests"),
        sa.UniqueConstraint("request_id", name="uq_certificate_requests_request_id"),
        sa.CheckConstraint(_in("status", _STATUSES), name="ck_certificate_requests_status"),
        sa.CheckConstraint("copies BETWEEN 1 AND 10", name="ck_certificate_requests_copies"),
    )
    op.create_index(
        "ix_certificate_requests_status_submitted",
        "certificate_requests",
        ["status", "submitted_at"],
    )
    op.create_index(
        "ix_certificate_requests_submitted_at", "certificate_requests", ["submitted_at"]
    )
    op.create_table(
        "audit_log",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        sa.CheckConstraint(_in("action", _ACTIONS), name="ck_audit_log_action"),
    )
    op.create_index("ix_audit_log_request_id", "audit_log", ["request_id", "id"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _postgresql_triggers()
    elif dialect == "sqlite":
        _sqlite_triggers()


def _postgresql_triggers() -> None:
    op.execute(
        """
        CREATE FUNCTION ledger_audit_log_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION ledger_audit_log_append_only()
        """
    )
    op.execute(
        """
        CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_audit_log_append_only()
        """
    )
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _IMMUTABLE)
    op.execute(
        f"""
        CREATE FUNCTION ledger_request_signed_bytes_immutable() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF {changed} THEN
                RAISE EXCEPTION 'the signed request % cannot be changed', OLD.request_id
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER certificate_requests_signed_bytes_immutable
        BEFORE UPDATE ON certificate_requests
        FOR EACH ROW EXECUTE FUNCTION ledger_request_signed_bytes_immutable()
        """
    )


def _sqlite_triggers() -> None:
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"""
            CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log
            BEGIN
                SELECT RAISE(ABORT, 'audit_log is append-only: {event} is not allowed');
            END
            """
        )
    op.execute(
        f"""
        CREATE TRIGGER certificate_requests_signed_bytes_immutable
        BEFORE UPDATE OF {", ".join(_IMMUTABLE)} ON certificate_requests
        BEGIN
            SELECT RAISE(ABORT, 'the signed request cannot be changed');
        END
        """
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute(
            "DROP TRIGGER IF EXISTS certificate_requests_signed_bytes_immutable "
            "ON certificate_requests"
        )
        op.execute("DROP FUNCTION IF EXISTS ledger_audit_log_append_only()")
        op.execute("DROP FUNCTION IF EXISTS ledger_request_signed_bytes_immutable()")
    op.drop_table("audit_log")
    op.drop_table("certificate_requests")
