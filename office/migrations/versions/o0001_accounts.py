"""The office's tables: kiosks, staff, staff sessions, answered holder challenges.

Revision ID: o0001
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jpki.ledger.models import UtcDateTime

revision: str = "o0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "office_kiosks",
        sa.Column("kiosk_id", sa.String(64), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("kiosk_id", name="pk_office_kiosks"),
        sa.UniqueConstraint("token_sha256", name="uq_office_kiosks_token_sha256"),
    )
    op.create_table(
        "office_staff",
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("totp_secret", sa.String(64), nullable=True),
        sa.Column("roles", sa.String(100), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("totp_last_step", sa.String(20), nullable=True),
        sa.PrimaryKeyConstraint("username", name="pk_office_staff"),
    )
    op.create_table(
        "office_staff_sessions",
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("data", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("token_sha256", name="pk_office_staff_sessions"),
    )
    op.create_index("ix_office_staff_sessions_username", "office_staff_sessions", ["username"])
    op.create_table(
        "office_used_challenges",
        sa.Column("nonce_sha256", sa.String(64), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("nonce_sha256", name="pk_office_used_challenges"),
    )
    op.create_index(
        "ix_office_used_challenges_expires_at", "office_used_challenges", ["expires_at"]
    )


def downgrade() -> None:
    op.drop_table("office_used_challenges")
    op.drop_table("office_staff_sessions")
    op.drop_table("office_staff")
    op.drop_table("office_kiosks")
