"""Alembic environment of the office's own tables (kiosks, staff, sessions).

:func:`office.database.migrate_office` runs it with an open connection in
``config.attributes["connection"]``; its version table is ``office_alembic_version``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from office.models import OfficeBase

VERSION_TABLE = "office_alembic_version"

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("the office's migrations run through office.database.migrate_office")
    context.configure(
        connection=connection,
        target_metadata=OfficeBase.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
