"""Fakes for fast use-case tests: a recording unit of work and in-memory adapters.

The use cases take an ``AsyncSession`` and express their reads and writes in SQL, so the
in-memory adapter for the database is a real session on an in-memory SQLite database (tables
made from the models, no migrations, no files): the use cases run unchanged, in milliseconds.
The bus and the task queue are plain in-memory recorders, and ``FakeUnitOfWork`` records each
commit and rollback with what its after-commit hooks published and enqueued, so a test can check
that nothing is announced before the commit or after a rollback.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

from domain.enums import AspectRatio, JobStage
from domain.models import Base, Campaign, Client
from domain.models.tenancy import Organization
from domain.services import jobs
from domain.services.unit_of_work import UnitOfWork

SessionFactory = async_sessionmaker[AsyncSession]


@dataclass
class MemoryBus:
    """An event bus that keeps what was published."""

    messages: list[tuple[str, str]] = field(default_factory=list)

    async def publish(self, channel: str, message: str) -> None:
        self.messages.append((channel, message))

    def event_types(self) -> list[str]:
        """The ``type`` of each published job event, in order."""
        return [json.loads(message)["type"] for _, message in self.messages]


@dataclass
class MemoryQueue:
    """A task queue that keeps what was enqueued (nothing runs)."""

    tasks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def enqueue(
        self, task: str, *, key: str | None = None, delay_seconds: float = 0.0, **kwargs: Any
    ) -> None:
        self.tasks.append((task, kwargs))

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def stages(self) -> list[tuple[uuid.UUID, JobStage]]:
        """The stage runs asked for, in order."""
        return [(uuid.UUID(kw["job_id"]), JobStage(kw["stage"])) for _, kw in self.tasks]


class FakeUnitOfWork(UnitOfWork):
    """A unit of work over an in-memory session with in-memory adapters; counts its outcomes."""

    def __init__(self, session: AsyncSession) -> None:
        self.memory_bus = MemoryBus()
        self.memory_queue = MemoryQueue()
        super().__init__(session, bus=self.memory_bus, queue=self.memory_queue)
        self.commits = 0
        self.rollbacks = 0

    async def commit(self) -> None:
        await super().commit()
        self.commits += 1

    async def rollback(self) -> None:
        await super().rollback()
        self.rollbacks += 1


def _foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@asynccontextmanager
async def memory_database() -> AsyncIterator[SessionFactory]:
    """Sessions on a fresh in-memory SQLite database holding every table."""
    engine = create_async_engine(
        "sqlite+aiosqlite://",
        poolclass=StaticPool,
        connect_args={"check_same_thread": False},
    )
    event.listen(engine.sync_engine, "connect", _foreign_keys)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    try:
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class Seeded:
    """An organization with a client and a campaign, and a job created by the use case."""

    org_id: uuid.UUID
    client_id: uuid.UUID
    campaign_id: uuid.UUID
    job_id: uuid.UUID


async def seed_job(factory: SessionFactory, **brief: Any) -> Seeded:
    """Create an organization, client and campaign, and a job through ``jobs.create_job``."""
    async with factory() as session:
        org = Organization(name=f"org-{uuid.uuid4().hex[:8]}")
        session.add(org)
        await session.flush()
        client = Client(organization_id=org.id, name="Acme", name_key="acme")
        session.add(client)
        await session.flush()
        campaign = Campaign(
            organization_id=org.id, client_id=client.id, name="Launch", name_key="launch"
        )
        session.add(campaign)
        await session.flush()
        new = jobs.NewJob(
            campaign_id=campaign.id,
            product=brief.pop("product", "Trail shoes"),
            duration_seconds=brief.pop("duration_seconds", 15.0),
            aspect_ratio=brief.pop("aspect_ratio", AspectRatio.LANDSCAPE_16_9),
            **brief,
        )
        async with UnitOfWork(session):
            job = await jobs.create_job(session, org.id, new)
        return Seeded(org.id, client.id, campaign.id, job.id)


__all__ = [
    "FakeUnitOfWork",
    "MemoryBus",
    "MemoryQueue",
    "Seeded",
    "SessionFactory",
    "memory_database",
    "seed_job",
]
