"""The hash-chained audit trail, office events, the holder link, and tighter triggers.

* ``audit_log`` gets its chain position (``seq``), ``prev_hash``, ``entry_hash`` and
  ``mac``, the hashes of the request's signed bytes and holder, the request's
  deadlines, and ``subject`` for events that concern no request (``request_id``
  may be NULL; ``action`` takes the office's events too). Entries already there
  are chained in the order they were written (without a MAC).
* ``audit_chain_head``: the chain's last position and hash (one row).
* ``certificate_requests`` gets ``audit_seq`` (its latest entry) and
  ``auth_cert_sha256`` (the holder's user-authentication certificate).
* Triggers: every column the signed document decides is immutable, not only the
  signed bytes; on SQLite an INSERT that would replace a row (INSERT OR REPLACE,
  REPLACE, UPSERT) is refused; the chain head never moves back nor disappears.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from jpki.ledger.chain import GENESIS, body_of, entry_hash
from jpki.ledger.models import UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = ("submitted", "approved", "rejected", "issued", "delivered", "downloaded", "expired")
_OLD_ACTIONS = ("submit", "approve", "reject", "issue", "deliver", "download", "expire", "purge")
_ACTIONS = (
    *_OLD_ACTIONS,
    "refused",
    "kiosk-add",
    "kiosk-revoke",
    "staff-add",
    "staff-change",
)
#: Columns of a request written once, on submission: its signed bytes and what they decide.
IMMUTABLE = (
    "id",
    "request_id",
    "content_sha256",
    "signature_sha256",
    "document",
    "signature",
    "detached",
    "document_version",
    "kiosk_id",
    "kind",
    "language",
    "copies",
    "delivery_method",
    "applicant_name",
    "applicant_birth_date",
    "signer_issuer",
    "signer_serial",
    "request_time",
    "signing_time",
    "submitted_at",
    "auth_cert_sha256",
)
_OLD_IMMUTABLE = (
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
    bind = op.get_bind()
    dialect = bind.dialect.name
    if dialect == "sqlite":
        for name in (
            "audit_log_no_update",
            "audit_log_no_delete",
            "certificate_requests_signed_bytes_immutable",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete")

    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=True),
        sa.Column("mac", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_chain_head"),
        sa.CheckConstraint("id = 1", name="ck_audit_chain_head_single"),
    )
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("subject", sa.String(100), nullable=True))
        batch.add_column(sa.Column("content_sha256", sa.String(64), nullable=True))
        batch.add_column(sa.Column("signature_sha256", sa.String(64), nullable=True))
        batch.add_column(sa.Column("auth_cert_sha256", sa.String(64), nullable=True))
        batch.add_column(sa.Column("issued_at", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("expires_at", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("entry_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("mac", sa.String(64), nullable=True))
        batch.alter_column("request_id", existing_type=sa.String(36), nullable=True)
        batch.alter_column(
            "action", existing_type=sa.String(16), type_=sa.String(24), existing_nullable=False
        )
        batch.drop_constraint("ck_audit_log_action", type_="check")
        batch.create_check_constraint("ck_audit_log_action", _in("action", _ACTIONS))
    with op.batch_alter_table("certificate_requests") as batch:
        batch.add_column(sa.Column("audit_seq", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("auth_cert_sha256", sa.String(64), nullable=True))

    head_seq, head_hash = _chain_existing(bind)
    op.execute(
        sa.text(
            "INSERT INTO audit_chain_head (id, seq, entry_hash, key_id, mac) "
            "VALUES (1, :seq, :hash, NULL, NULL)"
        ).bindparams(seq=head_seq, hash=head_hash)
    )

    with op.batch_alter_table("audit_log") as batch:
        for column in ("seq", "prev_hash", "entry_hash"):
            batch.alter_column(
                column,
                existing_type=sa.BigInteger() if column == "seq" else sa.String(64),
                nullable=False,
            )
        batch.create_unique_constraint("uq_audit_log_seq", ["seq"])
    with op.batch_alter_table("certificate_requests") as batch:
        batch.alter_column("audit_seq", existing_type=sa.BigInteger(), nullable=False)
    op.create_index(
        "ix_certificate_requests_auth_cert", "certificate_requests", ["auth_cert_sha256"]
    )
    op.create_index("ix_audit_log_subject", "audit_log", ["subject", "seq"])

    if dialect == "postgresql":
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete")
        _postgresql_triggers(IMMUTABLE)
    elif dialect == "sqlite":
        _sqlite_triggers(IMMUTABLE)


def _chain_existing(bind: Any) -> tuple[int, str]:
    """Chain the entries already written, in the order they were written."""
    audit = sa.table(
        "audit_log",
        sa.column("id", sa.BigInteger()),
        sa.column("request_id", sa.String()),
        sa.column("at", UtcDateTime()),
        sa.column("actor", sa.String()),
        sa.column("action", sa.String()),
        sa.column("from_status", sa.String()),
        sa.column("to_status", sa.String()),
        sa.column("reason", sa.Text()),
        sa.column("seq", sa.BigInteger()),
        sa.column("content_sha256", sa.String()),
        sa.column("signature_sha256", sa.String()),
        sa.column("issued_at", UtcDateTime()),
        sa.column("expires_at", UtcDateTime()),
        sa.column("prev_hash", sa.String()),
        sa.column("entry_hash", sa.String()),
    )
    requests = sa.table(
        "certificate_requests",
        sa.column("request_id", sa.String()),
        sa.column("content_sha256", sa.String()),
        sa.column("signature_sha256", sa.String()),
        sa.column("issued_at", UtcDateTime()),
        sa.column("expires_at", UtcDateTime()),
        sa.column("audit_seq", sa.BigInteger()),
    )
    stored = {
        row.request_id: row
        for row in bind.execute(
            sa.select(
                requests.c.request_id,
                requests.c.content_sha256,
                requests.c.signature_sha256,
                requests.c.issued_at,
                requests.c.expires_at,
            )
        )
    }
    issued: set[str] = set()
    latest: dict[str, int] = {}
    seq, prev = 0, GENESIS
    rows = bind.execute(
        sa.select(
            audit.c.id,
            audit.c.request_id,
            audit.c.at,
            audit.c.actor,
            audit.c.action,
            audit.c.from_status,
            audit.c.to_status,
            audit.c.reason,
        ).order_by(audit.c.id)
    ).all()
    for entry in rows:
        seq += 1
        request = stored.get(entry.request_id)
        if entry.action == "issue":
            issued.add(entry.request_id)
        dated = entry.request_id in issued
        values = {
            "seq": seq,
            "request_id": entry.request_id,
            "subject": None,
            "at": entry.at,
            "actor": entry.actor,
            "action": entry.action,
            "from_status": entry.from_status,
            "to_status": entry.to_status,
            "reason": entry.reason,
            "content_sha256": request.content_sha256 if request is not None else None,
            "signature_sha256": request.signature_sha256 if request is not None else None,
            "auth_cert_sha256": None,
            "issued_at": request.issued_at if request is not None and dated else None,
            "expires_at": request.expires_at if request is not None and dated else None,
        }
        digest = entry_hash(prev, body_of(values))
        bind.execute(
            audit.update()
            .where(audit.c.id == entry.id)
            .values(
                seq=seq,
                content_sha256=values["content_sha256"],
                signature_sha256=values["signature_sha256"],
                issued_at=values["issued_at"],
                expires_at=values["expires_at"],
                prev_hash=prev,
                entry_hash=digest,
            )
        )
        prev = digest
        latest[entry.request_id] = seq
    for request_id in stored:
        bind.execute(
            requests.update()
            .where(requests.c.request_id == request_id)
            .values(audit_seq=latest.get(request_id, 0))
        )
    return seq, prev


def _postgresql_triggers(immutable: Sequence[str]) -> None:
    _postgresql_immutable(immutable)
    op.execute(
        """
        CREATE OR REPLACE FUNCTION ledger_audit_chain_head_forward() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'UPDATE' OR NEW.id <> OLD.id OR NEW.seq < OLD.seq
               OR (NEW.seq = OLD.seq AND NEW.entry_hash <> OLD.entry_hash)
               OR (OLD.key_id IS NOT NULL AND NEW.key_id IS DISTINCT FROM OLD.key_id) THEN
                RAISE EXCEPTION 'the audit chain head only moves forward'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE OR DELETE ON audit_chain_head
        FOR EACH ROW EXECUTE FUNCTION ledger_audit_chain_head_forward()
        """
    )
    op.execute(
        """
        CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_audit_log_append_only()
        """
    )


def _sqlite_triggers(immutable: Sequence[str]) -> None:
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"""
            CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log
            BEGIN
                SELECT RAISE(ABORT, 'audit_log is append-only: {event} is not allowed');
            END
            """
        )
    # REPLACE deletes the row it conflicts with without firing DELETE triggers (unless
    # recursive_triggers is on, which the writer chooses): refuse such inserts up front.
    op.execute(
        """
        CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
        WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id OR seq = NEW.seq)
        BEGIN
            SELECT RAISE(ABORT, 'audit_log is append-only: an entry cannot be replaced');
        END
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER certificate_requests_signed_bytes_immutable
        BEFORE UPDATE OF {", ".join(immutable)} ON certificate_requests
        BEGIN
            SELECT RAISE(ABORT, 'the signed request cannot be changed');
        END
        """
    )
    op.execute(
        """
        CREATE TRIGGER certificate_requests_no_replace BEFORE INSERT ON certificate_requests
        WHEN EXISTS (
            SELECT 1 FROM certificate_requests
            WHERE id = NEW.id OR request_id = NEW.request_id
        )
        BEGIN
            SELECT RAISE(ABORT, 'a stored request cannot be replaced');
        END
        """
    )
    op.execute(
        """
        CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE ON audit_chain_head
        WHEN NEW.id <> OLD.id OR NEW.seq < OLD.seq
             OR (NEW.seq = OLD.seq AND NEW.entry_hash <> OLD.entry_hash)
             OR (OLD.key_id IS NOT NULL AND NEW.key_id IS NOT OLD.key_id)
        BEGIN
            SELECT RAISE(ABORT, 'the audit chain head only moves forward');
        END
        """
    )
    op.execute(
        """
        CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head
        BEGIN
            SELECT RAISE(ABORT, 'the audit chain head cannot be deleted');
        END
        """
    )
    op.execute(
        """
        CREATE TRIGGER audit_chain_head_no_replace BEFORE INSERT ON audit_chain_head
        WHEN EXISTS (SELECT 1 FROM audit_chain_head)
        BEGIN
            SELECT RAISE(ABORT, 'the audit chain head cannot be replaced');
        END
        """
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in (
            "audit_log_no_update",
            "audit_log_no_delete",
            "audit_log_no_replace",
            "certificate_requests_signed_bytes_immutable",
            "certificate_requests_no_replace",
            "audit_chain_head_forward",
            "audit_chain_head_no_delete",
            "audit_chain_head_no_replace",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_chain_head_forward ON audit_chain_head")
        op.execute("DROP TRIGGER IF EXISTS audit_chain_head_no_truncate ON audit_chain_head")
        op.execute("DROP FUNCTION IF EXISTS ledger_audit_chain_head_forward()")
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete")
    op.execute("DELETE FROM audit_log WHERE request_id IS NULL")
    op.drop_index("ix_audit_log_subject", table_name="audit_log")
    op.drop_index("ix_certificate_requests_auth_cert", table_name="certificate_requests")
    with op.batch_alter_table("certificate_requests") as batch:
        batch.drop_column("auth_cert_sha256")
        batch.drop_column("audit_seq")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint("uq_audit_log_seq", type_="unique")
        for column in (
            "seq",
            "subject",
            "content_sha256",
            "signature_sha256",
            "auth_cert_sha256",
            "issued_at",
            "expires_at",
            "prev_hash",
            "entry_hash",
            "mac",
        ):
            batch.drop_column(column)
        batch.alter_column("request_id", existing_type=sa.String(36), nullable=False)
        batch.drop_constraint("ck_audit_log_action", type_="check")
        batch.create_check_constraint("ck_audit_log_action", _in("action", _OLD_ACTIONS))
        batch.alter_column(
            "action", existing_type=sa.String(24), type_=sa.String(16), existing_nullable=False
        )
    op.drop_table("audit_chain_head")
    if dialect == "postgresql":
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete")
        _postgresql_immutable(_OLD_IMMUTABLE)
    elif dialect == "sqlite":
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
            BEFORE UPDATE OF {", ".join(_OLD_IMMUTABLE)} ON certificate_requests
            BEGIN
                SELECT RAISE(ABORT, 'the signed request cannot be changed');
            END
            """
        )


def _postgresql_immutable(immutable: Sequence[str]) -> None:
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in immutable)
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION ledger_request_signed_bytes_immutable() RETURNS trigger
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
