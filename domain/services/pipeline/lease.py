"""Job leases: one owner runs a job's stage at a time; a heartbeat keeps the lease alive.

The lease lives on the ``jobs`` row (``lease_owner``, ``lease_expires_at``). Acquiring is one
conditional UPDATE, so two workers can never both win; a lease whose owner died simply expires
and the sweeper (:mod:`domain.services.pipeline.sweeper`) hands the stage to someone else.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.enums import JobStatus
from domain.models import Job
from domain.models.base import utcnow


def new_owner_id(kind: str = "worker") -> str:
    """A unique lease owner name: host, process and a random suffix (readable in the database)."""
    return f"{kind}:{socket.gethostname()[:48]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """What a heartbeat learned: whether the lease is still ours, and the job's status."""

    held: bool
    status: JobStatus | None


async def acquire(
    session_factory: async_sessionmaker[AsyncSession],
    job_id: uuid.UUID,
    owner: str,
    seconds: float,
    *,
    now: datetime | None = None,
) -> bool:
    """Take the job's lease if it is free, expired, or already ours. Commits."""
    now = now or utcnow()
    async with session_factory() as session:
        result = await session.execute(
            update(Job)
            .where(
                Job.id == job_id,
                or_(
                    Job.lease_owner.is_(None),
                    Job.lease_owner == owner,
                    and_(Job.lease_expires_at.is_not(None), Job.lease_expires_at < now),
                ),
            )
            .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=seconds))
            .returning(Job.id)
            .execution_options(synchronize_session=False)
        )
        won = result.scalar_one_or_none() is not None
        await session.commit()
        return won


async def heartbeat(
    session_factory: async_sessionmaker[AsyncSession],
    job_id: uuid.UUID,
    owner: str,
    seconds: float,
) -> Heartbeat:
    """Extend our lease; report whether we still hold it and the job's current status. Commits."""
    async with session_factory() as session:
        result = await session.execute(
            update(Job)
            .where(Job.id == job_id, Job.lease_owner == owner)
            .values(lease_expires_at=utcnow() + timedelta(seconds=seconds))
            .returning(Job.status)
            .execution_options(synchronize_session=False)
        )
        status = result.scalar_one_or_none()
        await session.commit()
        return Heartbeat(held=status is not None, status=status)


async def release(
    session_factory: async_sessionmaker[AsyncSession], job_id: uuid.UUID, owner: str
) -> None:
    """Give the lease up (only if it is still ours). Commits."""
    async with session_factory() as session:
        await session.execute(
            update(Job)
            .where(Job.id == job_id, Job.lease_owner == owner)
            .values(lease_owner=None, lease_expires_at=None)
            .execution_options(synchronize_session=False)
        )
        await session.commit()


async def still_owner(session: AsyncSession, job_id: uuid.UUID, owner: str) -> bool:
    """Inside a transaction: whether ``owner`` holds the lease (checked before a stage's final write)."""
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.lease_owner == owner)
        .values(lease_owner=owner)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none() is not None


__all__ = ["Heartbeat", "acquire", "heartbeat", "new_owner_id", "release", "still_owner"]
