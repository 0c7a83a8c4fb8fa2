"""Alembic environment: runs on the connection handed over by ``domain.adapters.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from domain.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `adreel migrate`")
_run(connection)
