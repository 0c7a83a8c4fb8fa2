"""Costs while a job runs: the variance against the estimate, scene cost totals."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import JobEventType
from domain.models import Job, JobEvent
from domain.rules.budget import money, over_variance, variance_ratio
from domain.services.events import record_job_event


async def note_cost_variance(session: AsyncSession, job: Job) -> bool:
    """Record a COST_VARIANCE event when actual cost passes the estimate by more than 20%.

    Call after recording a provider call's cost. Reads the job's current costs; records at most
    one event per estimate (a new estimate, after edits, can be reported again). Returns whether
    an event was recorded.
    """
    await session.refresh(job, ["actual_cost_usd", "estimated_cost_usd"])
    estimated, actual = money(job.estimated_cost_usd), money(job.actual_cost_usd)
    if not over_variance(estimated, actual):
        return False
    previous = (
        await session.scalars(
            select(JobEvent.payload).where(
                JobEvent.job_id == job.id, JobEvent.type == JobEventType.COST_VARIANCE
            )
        )
    ).all()
    if any(p.get("estimatedUsd") == str(estimated) for p in previous):
        return False
    ratio = variance_ratio(estimated, actual)
    await record_job_event(
        session,
        job,
        JobEventType.COST_VARIANCE,
        f"actual cost ${actual:.2f} is over the ${estimated:.2f} estimate by more than 20%",
        payload={
            "estimatedUsd": str(estimated),
            "actualUsd": str(actual),
            "varianceRatio": ratio,
        },
    )
    return True


__all__ = ["note_cost_variance"]
