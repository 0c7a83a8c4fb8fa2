"""A job's progress only moves forward.

``Job.progress`` is the furthest point the job has reached (0..1), and every ``JobEvent`` carries
the value at its place in the event order, so both never decrease over the job's life:

- concurrent writers (scene chains of one stage, API and workers) cannot lose a higher value:
  the database keeps the larger of the stored and the new value in one statement;
- a retry or an edit re-runs work below that point without moving it back: the job holds its
  progress until the re-run passes it (its status and stage say what is running);
- a finished job stays at 1.0, through exports and edits.
"""

from __future__ import annotations

from sqlalchemy import case, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from domain.models import Job


async def advance_progress(session: AsyncSession, job: Job, value: float) -> float:
    """Raise the job's stored progress to ``value`` unless it is already further; returns (and
    puts on ``job``) the stored progress."""
    value = round(min(1.0, max(0.0, value)), 4)
    stored = await session.scalar(
        update(Job)
        .where(Job.id == job.id)
        .values(progress=case((Job.progress < value, value), else_=Job.progress))
        .returning(Job.progress)
        .execution_options(synchronize_session=False)
    )
    assert stored is not None
    set_committed_value(job, "progress", stored)
    return float(stored)


__all__ = ["advance_progress"]
