"""The sweeper: hands stages whose runner died to another runner, and resumes jobs on start.

A runner killed with SIGKILL leaves its lease on the job; the lease expires ``lease_seconds``
after its last heartbeat, and the next sweep (every ``sweep_interval_seconds``) clears it and
re-queues the stage. A job therefore waits at most about ``lease_seconds + sweep_interval_seconds``
and loses nothing: the stage skips whatever its dead predecessor already stored.

The sweep also re-queues *orphans*: jobs due for a stage with no lease, no pending back-off and
no change for a while (an enqueue lost between a commit and a crash). Every sweep is safe to run
concurrently in several workers: each re-queue is won by one conditional UPDATE.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, or_, select, update

from domain.enums import JobStatus, RenderStatus
from domain.models import Job, Render
from domain.models.base import utcnow
from domain.models.pipeline import StageRun, StageRunOutcome
from domain.observability.metrics import record_lease_expiries
from domain.services.pipeline.context import PipelineDeps
from domain.services.pipeline.flow import ACTIVE_STATUSES, due_stage, stage_task_key
from domain.services.stage_queue import enqueue_stage

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    """Jobs whose expired lease was cleared, and orphans re-queued, by this sweep."""

    expired: list[uuid.UUID] = field(default_factory=list)
    orphans: list[uuid.UUID] = field(default_factory=list)


async def _requeue(deps: PipelineDeps, job: Job, suffix: str | None) -> None:
    """Queue the stage ``job`` is due for, no earlier than its pending back-off allows."""
    stage = due_stage(job.status, job.stage, pending_renders=job.status is JobStatus.COMPLETED)
    if stage is None:
        return
    delay = 0.0
    if job.next_run_at is not None:
        delay = max(0.0, (job.next_run_at - utcnow()).total_seconds())
    key = stage_task_key(job.id, stage, suffix)
    await enqueue_stage(deps.queue, job.id, stage, key=key, delay_seconds=delay)


async def remove_work_dirs(root: Path, job_id: uuid.UUID | None = None) -> int:
    """Remove scratch directories a dead runner left (of one job, or all); returns how many.

    Only this host's directories are visible: a runner on another host leaves its own behind
    until that host's next start.
    """

    def work() -> int:
        if not root.is_dir():
            return 0
        prefix = f"{job_id.hex[:12]}-" if job_id is not None else ""
        removed = 0
        for entry in root.iterdir():
            if entry.is_dir() and entry.name.startswith(prefix):
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        return removed

    return await asyncio.to_thread(work)


async def sweep(deps: PipelineDeps, *, now: datetime | None = None) -> SweepReport:
    """One pass: clear expired leases and re-queue their stages; re-queue orphaned jobs."""
    now = now or utcnow()
    report = SweepReport()
    async with deps.session_factory() as session:
        expired = list(
            await session.scalars(
                select(Job).where(
                    Job.lease_owner.is_not(None),
                    Job.lease_expires_at.is_not(None),
                    Job.lease_expires_at < now,
                )
            )
        )
    for job in expired:
        async with deps.session_factory() as session:
            won = await session.execute(
                update(Job)
                .where(
                    Job.id == job.id,
                    Job.lease_owner == job.lease_owner,
                    Job.lease_expires_at < now,
                )
                .values(lease_owner=None, lease_expires_at=None)
                .returning(Job.id)
                .execution_options(synchronize_session=False)
            )
            if won.scalar_one_or_none() is None:
                await session.rollback()
                continue
            await session.execute(
                update(StageRun)
                .where(
                    StageRun.job_id == job.id,
                    StageRun.owner == job.lease_owner,
                    StageRun.outcome == StageRunOutcome.RUNNING,
                )
                .values(outcome=StageRunOutcome.INTERRUPTED, finished_at=now)
            )
            await session.commit()
        log.warning("lease of %s on job %s expired; re-queueing", job.lease_owner, job.id)
        await remove_work_dirs(deps.settings.pipeline_work_dir, job.id)
        report.expired.append(job.id)
        record_lease_expiries(1)
        await _requeue(deps, job, f"swept-{uuid.uuid4().hex[:8]}")

    quiet = now - timedelta(seconds=2 * deps.settings.lease_seconds)
    async with deps.session_factory() as session:
        waiting = or_(Job.next_run_at.is_(None), Job.next_run_at < quiet)
        orphans = list(
            await session.scalars(
                select(Job).where(
                    Job.lease_owner.is_(None),
                    Job.updated_at < quiet,
                    waiting,
                    or_(
                        Job.status.in_(ACTIVE_STATUSES),
                        and_(
                            Job.status == JobStatus.COMPLETED,
                            Job.id.in_(
                                select(Render.job_id).where(
                                    Render.status.in_(
                                        [RenderStatus.QUEUED, RenderStatus.RENDERING]
                                    ),
                                    Render.updated_at < quiet,
                                )
                            ),
                        ),
                    ),
                )
            )
        )
    for job in orphans:
        report.orphans.append(job.id)
        await _requeue(deps, job, None if job.status is not JobStatus.COMPLETED else "export")
    return report


async def resume_on_start(deps: PipelineDeps, *, owner_prefix: str) -> list[uuid.UUID]:
    """Embedded runner start-up: leases held by an earlier run of this process kind are dead.

    Clears them (``lease_owner`` starting with ``owner_prefix``), then queues every job that is
    due for a stage. Returns the queued job IDs.
    """
    now = utcnow()
    async with deps.session_factory() as session:
        await session.execute(
            update(StageRun)
            .where(
                StageRun.owner.startswith(owner_prefix, autoescape=True),
                StageRun.outcome == StageRunOutcome.RUNNING,
            )
            .values(outcome=StageRunOutcome.INTERRUPTED, finished_at=now)
        )
        await session.execute(
            update(Job)
            .where(Job.lease_owner.startswith(owner_prefix, autoescape=True))
            .values(lease_owner=None, lease_expires_at=None)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        jobs = list(
            await session.scalars(
                select(Job).where(
                    Job.lease_owner.is_(None),
                    or_(
                        Job.status.in_(ACTIVE_STATUSES),
                        and_(
                            Job.status == JobStatus.COMPLETED,
                            Job.id.in_(
                                select(Render.job_id).where(
                                    Render.status.in_([RenderStatus.QUEUED, RenderStatus.RENDERING])
                                )
                            ),
                        ),
                    ),
                )
            )
        )
    for job in jobs:
        await _requeue(deps, job, None)
    return [job.id for job in jobs]


__all__ = ["SweepReport", "remove_work_dirs", "resume_on_start", "sweep"]
