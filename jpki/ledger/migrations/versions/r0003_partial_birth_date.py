"""A birth date the resident register knows only in part (生年月日不詳).

``certificate_requests.applicant_birth_date`` was a DATE; a certificate may carry
``19800000`` (month and day unknown) or ``19800500`` (day unknown), which no DATE
holds. The column becomes ISO 8601 text with the register's precision: ``1980``,
``1980-05`` or ``1980-05-01`` (a complete date reads as before). Existing rows keep
their dates, written ``YYYY-MM-DD``.

SQLite rebuilds the table to change a column's type, which drops its triggers: they are
read from ``sqlite_master`` first and put back as they were; the values are copied as
text (SQLite's CAST to DATE would keep only the year). PostgreSQL changes the type
in place (its triggers name no column). Downgrading refuses while a partial date is
stored (a DATE cannot hold it).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "certificate_requests"
_COLUMN = "applicant_birth_date"


def _sqlite_triggers() -> list[str]:
    rows = op.get_bind().execute(
        sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t "
            "ORDER BY name"
        ),
        {"t": _TABLE},
    )
    saved = []
    for name, sql in rows.all():
        saved.append(sql)
        op.execute(f"DROP TRIGGER {name}")
    return saved


def _retype(old: sa.types.TypeEngine[Any], new: sa.types.TypeEngine[Any], using: str) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            f"ALTER TABLE {_TABLE} ALTER COLUMN {_COLUMN} TYPE "
            f"{new.compile(dialect=op.get_bind().dialect)} USING {using}"
        )
        return
    bind = op.get_bind()
    saved = _sqlite_triggers() if dialect == "sqlite" else []
    # SQLite copies the column with CAST(... AS DATE), which reads '1990-04-01' as the
    # number 1990: keep the text and write it back (the triggers are not back yet)
    values = bind.execute(sa.text(f"SELECT id, {_COLUMN} FROM {_TABLE}")).all()  # noqa: S608
    with op.batch_alter_table(_TABLE) as batch:
        batch.alter_column(_COLUMN, existing_type=old, type_=new, existing_nullable=False)
    update = sa.text(f"UPDATE {_TABLE} SET {_COLUMN} = :value WHERE id = :id")  # noqa: S608
    for row_id, value in values:
        bind.execute(update, {"id": row_id, "value": str(value)})
    for sql in saved:
        op.execute(sql)


def upgrade() -> None:
    _retype(sa.Date(), sa.String(10), f"to_char({_COLUMN}, 'YYYY-MM-DD')")


def downgrade() -> None:
    partial = (
        op.get_bind()
        .execute(sa.text(f"SELECT COUNT(*) FROM {_TABLE} WHERE length({_COLUMN}) < 10"))  # noqa: S608
        .scalar_one()
    )
    if partial:
        raise RuntimeError(
            f"cannot downgrade below 0003: {partial} request(s) hold a birth date whose "
            "month or day is unknown, which a DATE column cannot hold"
        )
    _retype(sa.String(10), sa.Date(), f"{_COLUMN}::date")
