"""The console's digital delivery: the institution-signed certificate PDF of a request and its
one-time download link (the link's token stored as its SHA-256).

Revision ID: o0002
Revises: o0001
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jpki.ledger.models import UtcDateTime

revision: str = "o0002"
down_revision: str | None = "o0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "office_deliveries",
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("upload_sha256", sa.String(64), nullable=False),
        sa.Column("attached_at", UtcDateTime(), nullable=False),
        sa.Column("attached_by", sa.String(100), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=True),
        sa.Column("link_expires_at", UtcDateTime(), nullable=True),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("request_id", name="pk_office_deliveries"),
        sa.UniqueConstraint("token_sha256", name="uq_office_deliveries_token_sha256"),
    )


def downgrade() -> None:
    op.drop_table("office_deliveries")
