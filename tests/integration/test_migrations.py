"""Models == migrations: a freshly migrated database matches ``Base.metadata`` exactly.

An entity or column added to ``domain/models`` without a migration (or the reverse) makes the
autogenerate comparison non-empty, and this test prints what is missing.
"""

from __future__ import annotations

import pprint
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from domain.adapters.db import create_engine
from domain.adapters.migrate import alembic_config, upgrade
from domain.models import Base
from tests.conftest import PG_ADMIN_URL, create_pg_database, drop_pg_database, require_service


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def empty_database(request, tmp_path: Path):
    """A database no migration has touched yet."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    require_service("PostgreSQL", PG_ADMIN_URL)
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "compare_server_default": False,
            "target_metadata": Base.metadata,
        },
    )
    return list(compare_metadata(context, Base.metadata))


async def test_models_match_migrations(empty_database: str) -> None:
    engine = create_engine(empty_database)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(_diff)
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    finally:
        await engine.dispose()
    assert version == head
    assert not diff, (
        "domain/models and the migrations disagree. Put the missing schema change in your area's "
        "migration slot under domain/adapters/migrations/versions/ "
        "(op.add_column / op.create_table / op.create_index ..., batch_alter_table for SQLite):\n"
        + pprint.pformat(diff)
    )


async def test_upgrade_is_idempotent(empty_database: str) -> None:
    engine = create_engine(empty_database)
    try:
        await upgrade(engine)
        await upgrade(engine)
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
    finally:
        await engine.dispose()


def test_one_linear_history() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, f"migration history branched: {script.get_heads()}"
    revisions = list(script.walk_revisions())
    assert revisions[-1].revision == "0001"
