"""How far a batch (or any set of jobs) is: total, done, failed, running."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import JobStatus
from domain.models import Job


@dataclass(frozen=True, slots=True)
class Counts:
    """Jobs by where they stand: done (COMPLETED), failed (FAILED or CANCELED), running (rest)."""

    total: int
    done: int
    failed: int
    running: int


async def batch_counts(session: AsyncSession, org_id: uuid.UUID, batch_id: uuid.UUID) -> Counts:
    """The counts of a batch's jobs (one grouped query)."""
    rows = (
        await session.execute(
            select(Job.status, func.count())
            .where(Job.organization_id == org_id, Job.batch_id == batch_id)
            .group_by(Job.status)
        )
    ).all()
    by_status = {status: count for status, count in rows}
    done = by_status.get(JobStatus.COMPLETED, 0)
    failed = by_status.get(JobStatus.FAILED, 0) + by_status.get(JobStatus.CANCELED, 0)
    total = sum(by_status.values())
    return Counts(total, done, failed, total - done - failed)


__all__ = ["Counts", "batch_counts"]
