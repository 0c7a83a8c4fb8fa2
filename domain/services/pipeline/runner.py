"""Run one stage of one job: lease, heartbeat, the stage body, then the job's next move.

``execute_stage`` is what both runners call (the embedded asyncio runner and arq workers), via
the thin ``run_stage`` task. It is safe to call any number of times for the same job and stage:

- it acts only when the job is due for that stage and the lease is free (else it returns);
- the stage bodies skip work already stored, so a second run produces nothing twice;
- while the body runs, a heartbeat extends the lease and watches the job: a CANCELED job (or a
  lost lease) cancels the body, which kills its FFmpeg children and removes its scratch files;
- success moves the job on and enqueues the next stage; a retryable ``StageError`` re-queues the
  same stage after a jittered back-off (up to ``stage_max_attempts``); anything else fails the job
  with a ``StageError {code, stage, message, retryable}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import anyio
from sqlalchemy import exists, select, update

from domain.enums import JobEventType, JobStage, JobStatus, RenderStatus
from domain.errors import InvalidState
from domain.models import Job, Render
from domain.models.base import utcnow
from domain.models.pipeline import StageRun, StageRunOutcome
from domain.observability import log_context
from domain.observability.await_chain import await_chain
from domain.services import job_stages
from domain.services.events import record_job_event
from domain.services.pipeline import lease
from domain.services.pipeline.backoff import backoff_delay
from domain.services.pipeline.context import PipelineDeps, StageContext
from domain.services.pipeline.errors import StageError, classify
from domain.services.pipeline.flow import due_stage, stage_task_key
from domain.services.pipeline.workdir import work_dir
from domain.services.stage_queue import enqueue_stage
from domain.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

#: How long a canceled stage body may take to stop before it is left behind (and logged).
BODY_STOP_SECONDS = 10.0

StageBody = Callable[[StageContext], Awaitable[None]]


class Outcome(StrEnum):
    """What ``execute_stage`` did."""

    SKIPPED = "SKIPPED"  # nothing due, stale request, or another owner holds the lease
    COMPLETED = "COMPLETED"
    RETRY_SCHEDULED = "RETRY_SCHEDULED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    LEASE_LOST = "LEASE_LOST"


@dataclass(frozen=True, slots=True)
class StageResult:
    """The outcome, and for a scheduled retry how long until it runs."""

    outcome: Outcome
    stage: JobStage | None = None
    retry_in: float | None = None
    error: StageError | None = None


def stage_bodies() -> dict[JobStage, StageBody]:
    """The stage functions, by stage."""
    from domain.services.pipeline import clips, compose, plan, render, storyboard

    return {
        JobStage.PLAN: plan.run,
        JobStage.STORYBOARD: storyboard.run,
        JobStage.CLIPS: clips.run,
        JobStage.COMPOSE: compose.run,
        JobStage.RENDER: render.run,
    }


async def _pending_renders(deps: PipelineDeps, job_id: uuid.UUID) -> bool:
    async with deps.session_factory() as session:
        found = await session.scalar(
            select(
                exists().where(
                    Render.job_id == job_id,
                    Render.status.in_([RenderStatus.QUEUED, RenderStatus.RENDERING]),
                )
            )
        )
        return bool(found)


async def execute_stage(
    deps: PipelineDeps,
    job_id: uuid.UUID,
    requested: JobStage | None,
    *,
    owner_base: str,
    bodies: dict[JobStage, StageBody] | None = None,
) -> StageResult:
    """Run the stage the job is due for (if it is ``requested``, or any when ``None``)."""
    async with deps.session_factory() as session:
        job = await session.get(Job, job_id)
        if job is None or job.status in (JobStatus.FAILED, JobStatus.CANCELED):
            return StageResult(Outcome.SKIPPED)
        status, current, org_id = job.status, job.stage, job.organization_id
        not_before = job.next_run_at
    pending = status is JobStatus.COMPLETED and await _pending_renders(deps, job_id)
    stage = due_stage(status, current, pending_renders=pending)
    if stage is None or (requested is not None and requested is not stage):
        return StageResult(Outcome.SKIPPED, stage)
    if not_before is not None and not_before - utcnow() > timedelta(seconds=1):
        return StageResult(Outcome.SKIPPED, stage)  # an early duplicate of a delayed retry
    owner = f"{owner_base}:{uuid.uuid4().hex[:6]}"
    seconds = deps.settings.lease_seconds
    if not await lease.acquire(deps.session_factory, job_id, owner, seconds):
        return StageResult(Outcome.SKIPPED, stage)
    try:
        return await _run_leased(deps, job_id, org_id, stage, owner, bodies or stage_bodies())
    finally:
        with anyio.CancelScope(shield=True):
            await lease.release(deps.session_factory, job_id, owner)


async def _run_leased(
    deps: PipelineDeps,
    job_id: uuid.UUID,
    org_id: uuid.UUID,
    stage: JobStage,
    owner: str,
    bodies: dict[JobStage, StageBody],
) -> StageResult:
    run_id = await _begin(deps, job_id, stage, owner)
    if run_id is None:
        return StageResult(Outcome.SKIPPED, stage)
    log_context.bind(organization_id=org_id)
    root = deps.settings.pipeline_work_dir
    try:
        async with work_dir(root, f"{job_id.hex[:12]}-{stage.value.lower()}") as path:
            ctx = StageContext(deps, job_id, org_id, stage, owner, path)
            stop = await _supervise(ctx, bodies[stage](ctx))
    except asyncio.CancelledError:
        with anyio.CancelScope(shield=True):
            await _finish_run(deps, run_id, StageRunOutcome.INTERRUPTED)
        raise
    except Exception as exc:
        error = classify(exc, stage)
        if not isinstance(exc, StageError) and error.code == "INTERNAL":
            log.exception("stage %s of job %s crashed", stage.value, job_id)
        return await _after_error(deps, job_id, stage, owner, run_id, error)
    if stop is Outcome.CANCELED:
        await _finish_run(deps, run_id, StageRunOutcome.CANCELED)
        return StageResult(Outcome.CANCELED, stage)
    if stop is Outcome.LEASE_LOST:
        await _finish_run(deps, run_id, StageRunOutcome.INTERRUPTED)
        return StageResult(Outcome.LEASE_LOST, stage)
    follow = await _complete(deps, job_id, stage, owner, run_id, ctx)
    if follow is not None:
        await enqueue_stage(deps.queue, job_id, follow, key=stage_task_key(job_id, follow))
    return StageResult(Outcome.COMPLETED, stage)


async def _supervise(ctx: StageContext, body: Awaitable[None]) -> Outcome | None:
    """Run ``body`` while a heartbeat keeps the lease; stop it when the job is canceled.

    A heartbeat that cannot reach the database is retried; once the lease may have expired
    without one succeeding, the body is stopped (another runner may own the job by then).
    """
    deps = ctx.deps
    seconds = deps.settings.lease_seconds
    interval = max(0.2, min(2.0, seconds / 3))
    task: asyncio.Task[None] = asyncio.ensure_future(body)
    last_beat = time.monotonic()
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=interval)
            if done:
                break
            reason: Outcome | None = None
            try:
                beat = await lease.heartbeat(deps.session_factory, ctx.job_id, ctx.owner, seconds)
            except Exception:
                log.warning("heartbeat of job %s failed", ctx.job_id, exc_info=True)
                if time.monotonic() - last_beat >= seconds:
                    reason = Outcome.LEASE_LOST
            else:
                last_beat = time.monotonic()
                if not beat.held:
                    reason = Outcome.LEASE_LOST
                elif beat.status is JobStatus.CANCELED:
                    reason = Outcome.CANCELED
            if reason is not None:
                await _stop_body(ctx, task)
                return reason
    except BaseException:
        with anyio.CancelScope(shield=True):
            await _stop_body(ctx, task)
        raise
    task.result()  # re-raises the body's error
    return None


async def _stop_body(ctx: StageContext, task: asyncio.Task[None]) -> None:
    """Cancel a stage's body and wait for it, at most ``BODY_STOP_SECONDS``: a body stuck where
    it cannot be cancelled is logged with where it waits and left behind, so the stage still
    gives its lease back (its job is canceled, or the lease is lost already)."""
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=BODY_STOP_SECONDS)
    if not done:
        log.error(
            "the %s stage of job %s did not stop within %gs of its cancel; left behind:\n%s",
            ctx.stage.value, ctx.job_id, BODY_STOP_SECONDS, await_chain(task),
        )  # fmt: skip
        return
    with contextlib.suppress(asyncio.CancelledError, Exception):
        task.result()


async def _begin(
    deps: PipelineDeps, job_id: uuid.UUID, stage: JobStage, owner: str
) -> uuid.UUID | None:
    """Mark the stage started (status, event, attempt count) and open a stage-run record."""
    async with deps.session_factory() as session:
        uow = UnitOfWork(session, bus=deps.bus, queue=deps.queue)
        job = await session.get(Job, job_id, populate_existing=True)
        if job is None or job.lease_owner != owner:
            return None
        try:
            await job_stages.start_stage(session, job, stage)
        except InvalidState:  # canceled or moved on since the task was queued
            await uow.rollback()
            return None
        job.attempts += 1
        job.next_run_at = None
        run = StageRun(
            id=uuid.uuid4(),
            organization_id=job.organization_id,
            job_id=job.id,
            stage=stage,
            owner=owner,
            outcome=StageRunOutcome.RUNNING,
        )
        session.add(run)
        await uow.commit()
        return run.id


async def _finish_run(
    deps: PipelineDeps,
    run_id: uuid.UUID,
    outcome: StageRunOutcome,
    *,
    ctx: StageContext | None = None,
    error: StageError | None = None,
) -> None:
    async with deps.session_factory() as session:
        await session.execute(
            update(StageRun)
            .where(StageRun.id == run_id)
            .values(
                outcome=outcome,
                finished_at=utcnow(),
                produced=ctx.produced if ctx else 0,
                reused=ctx.reused if ctx else 0,
                error_code=error.code if error else None,
                error_message=error.message[:2000] if error else None,
            )
        )
        await session.commit()


async def _complete(
    deps: PipelineDeps,
    job_id: uuid.UUID,
    stage: JobStage,
    owner: str,
    run_id: uuid.UUID,
    ctx: StageContext,
) -> JobStage | None:
    """Move the job past ``stage``; returns the stage to enqueue next (``None``: wait or done)."""
    async with deps.session_factory() as session:
        uow = UnitOfWork(session, bus=deps.bus, queue=deps.queue)
        if not await lease.still_owner(session, job_id, owner):
            await uow.rollback()
            return None
        job = await session.get(Job, job_id, populate_existing=True)
        assert job is not None
        try:
            follow = await job_stages.complete_stage(session, job, stage)
        except InvalidState:  # canceled while the last step was being stored
            await uow.rollback()
            await _finish_run(deps, run_id, StageRunOutcome.CANCELED, ctx=ctx)
            return None
        job.attempts = 0
        await session.execute(
            update(StageRun)
            .where(StageRun.id == run_id)
            .values(
                outcome=StageRunOutcome.COMPLETED,
                finished_at=utcnow(),
                produced=ctx.produced,
                reused=ctx.reused,
            )
        )
        await uow.commit()
    if follow is None and stage is JobStage.RENDER and await _pending_renders(deps, job_id):
        follow = JobStage.RENDER  # an export was requested while the default render ran
    return follow


async def _after_error(
    deps: PipelineDeps,
    job_id: uuid.UUID,
    stage: JobStage,
    owner: str,
    run_id: uuid.UUID,
    error: StageError,
) -> StageResult:
    """Schedule a retry with back-off, or fail the job with the error."""
    settings = deps.settings
    delay: float | None = None
    async with deps.session_factory() as session:
        uow = UnitOfWork(session, bus=deps.bus, queue=deps.queue)
        job = await session.get(Job, job_id, populate_existing=True)
        assert job is not None
        if job.status is JobStatus.CANCELED or job.lease_owner != owner:
            await uow.rollback()
            await _finish_run(deps, run_id, StageRunOutcome.CANCELED, error=error)
            return StageResult(Outcome.CANCELED, stage, error=error)
        if error.retryable and job.attempts < settings.stage_max_attempts:
            delay = backoff_delay(
                job.attempts, base=settings.retry_base_seconds, cap=settings.retry_max_seconds
            )
            job.next_run_at = utcnow() + timedelta(seconds=delay)
            outcome = StageRunOutcome.RETRYING
            await session.flush()
            await record_job_event(
                session,
                job,
                JobEventType.PROGRESS,
                f"{stage.value} failed ({error.code}); retrying in {delay:.1f}s",
                payload={"error": error.code, "retryInSeconds": round(delay, 2)},
            )
        else:
            outcome = StageRunOutcome.FAILED
            job.next_run_at = None
            job.attempts = 0
            await job_stages.fail_stage(session, job, error)
        await session.execute(
            update(StageRun)
            .where(StageRun.id == run_id)
            .values(
                outcome=outcome,
                finished_at=utcnow(),
                error_code=error.code,
                error_message=error.message[:2000],
            )
        )
        attempt = job.attempts
        await uow.commit()
    if delay is not None:
        key = stage_task_key(job_id, stage, f"retry{attempt}")
        await enqueue_stage(deps.queue, job_id, stage, key=key, delay_seconds=delay)
        return StageResult(Outcome.RETRY_SCHEDULED, stage, retry_in=delay, error=error)
    return StageResult(Outcome.FAILED, stage, error=error)


__all__ = [
    "Outcome",
    "StageBody",
    "StageResult",
    "execute_stage",
    "stage_bodies",
]
