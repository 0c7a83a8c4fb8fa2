"""Database helpers for tests: whole-database snapshots and a SQL statement counter."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.models import Base


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: equal snapshots mean nothing changed."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = (await conn.execute(select(table))).all()
            tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return tables


class StatementCounter:
    """Counts the SQL statements an engine sends while ``counting()`` is active."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine.sync_engine
        self.statements: list[str] = []
        self._active = False

    def _before(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self._active:
            self.statements.append(statement)

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        """Collect the statements sent inside the block (a fresh list each time)."""
        self.statements = []
        self._active = True
        event.listen(self.engine, "before_cursor_execute", self._before)
        try:
            yield self.statements
        finally:
            self._active = False
            event.remove(self.engine, "before_cursor_execute", self._before)


async def insert_jobs(
    session_factory: Any,
    campaign_global_id: str,
    statuses: list[Any],
    *,
    estimated: float = 1.25,
    actual: float = 1.0,
    duration: float = 15.0,
) -> None:
    """Jobs under a campaign, written directly (the pipeline's own API is not needed for stats)."""
    from decimal import Decimal

    from domain.enums import AspectRatio
    from domain.models import Campaign, Job
    from schema.ids import decode_id

    campaign_id = decode_id(campaign_global_id, "Campaign")
    async with session_factory() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        for status in statuses:
            session.add(
                Job(
                    organization_id=campaign.organization_id,
                    campaign_id=campaign.id,
                    status=status,
                    brief={"product": "Shoes", "prompt": "run"},
                    duration_seconds=duration,
                    aspect_ratio=AspectRatio.LANDSCAPE_16_9,
                    estimated_cost_usd=Decimal(str(estimated)),
                    actual_cost_usd=Decimal(str(actual)),
                )
            )
        await session.commit()
