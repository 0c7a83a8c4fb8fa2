"""A job's stages starting, finishing and failing, its progress, and its completion."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import JobEventType, JobStage, JobStatus, RenderStatus
from domain.errors import InvalidState
from domain.models import Job, Render, Scene
from domain.models.base import utcnow
from domain.rules.job_states import STATUS_OF_STAGE, next_stage, progress_at, require_transition
from domain.services.events import record_job_event
from domain.services.job_stages.renders import render_failed
from domain.services.job_stages.state import (
    BUSY_RENDER_STATUSES,
    RUNNING_SCENE_STATUSES,
    StageFailure,
    error_payload,
    is_export_run,
    require_running,
    set_error,
    stored_scene_status,
)
from domain.services.progress import advance_progress


async def _settle_running_scenes(session: AsyncSession, job: Job) -> None:
    """Scenes left mid-work go back to what their stored outputs say."""
    scenes = (
        await session.scalars(
            select(Scene).where(Scene.job_id == job.id, Scene.status.in_(RUNNING_SCENE_STATUSES))
        )
    ).all()
    for scene in scenes:
        scene.status = stored_scene_status(scene)


async def start_stage(session: AsyncSession, job: Job, stage: JobStage) -> None:
    """A worker begins (or resumes) ``stage``; ``job.stage`` must already name it.

    QUEUED becomes PLANNING; other statuses already match the stage. A RENDER run on a completed
    job (exports) leaves the job COMPLETED. Raises ``InvalidState`` when the job is not due to run
    ``stage`` (canceled, failed, waiting for approval, at another stage).
    """
    if is_export_run(job, stage):
        await record_job_event(
            session, job, JobEventType.STAGE_STARTED, "rendering exports", payload={"export": True}
        )
        return
    require_running(job, stage)
    target = STATUS_OF_STAGE[stage]
    if job.status is not target:
        require_transition(job.status, target)
        job.status = target
    job.started_at = job.started_at or utcnow()
    await advance_progress(session, job, progress_at(stage, 0.0))
    await session.flush()
    await record_job_event(session, job, JobEventType.STAGE_STARTED, f"{stage.value} started")


async def complete_stage(session: AsyncSession, job: Job, stage: JobStage) -> JobStage | None:
    """``stage`` finished: move the job on and return the stage to run next (``None``: none).

    - PLAN -> STORYBOARD
    - STORYBOARD -> CLIPS when the storyboard is approved (or ``autoApprove`` on the first pass),
      else the job waits at STORYBOARD_READY (returns ``None``)
    - CLIPS -> COMPOSE -> RENDER
    - RENDER -> the job is COMPLETED (returns ``None``)
    """
    if is_export_run(job, stage):
        await record_job_event(
            session, job, JobEventType.STAGE_COMPLETED, "exports rendered", payload={"export": True}
        )
        return None
    require_running(job, stage)
    if job.status is not STATUS_OF_STAGE[stage]:
        raise InvalidState(f"the job is {job.status.value}, not running {stage.value}", ["jobId"])
    await record_job_event(session, job, JobEventType.STAGE_COMPLETED, f"{stage.value} done")
    if stage is JobStage.RENDER:
        await complete_job(session, job)
        return None
    following = next_stage(stage)
    assert following is not None
    if stage is JobStage.STORYBOARD:
        if job.approved_at is None and job.auto_approve and job.completed_at is None:
            job.approved_at = utcnow()
        if job.approved_at is None:
            require_transition(job.status, JobStatus.STORYBOARD_READY)
            job.status = JobStatus.STORYBOARD_READY
            job.stage = None
            await advance_progress(session, job, progress_at(JobStage.CLIPS, 0.0))
            await session.flush()
            await record_job_event(
                session, job, JobEventType.STORYBOARD_READY, "storyboard ready for approval"
            )
            return None
    target = STATUS_OF_STAGE[following]
    if target is not job.status:
        require_transition(job.status, target)
    job.status = target
    job.stage = following
    await advance_progress(session, job, progress_at(following, 0.0))
    await session.flush()
    if target is not STATUS_OF_STAGE[stage]:
        await record_job_event(session, job, JobEventType.STATUS_CHANGED, f"{target.value}")
    return following


async def complete_job(session: AsyncSession, job: Job) -> None:
    """The default render is stored: the job is COMPLETED."""
    require_transition(job.status, JobStatus.COMPLETED)
    job.status = JobStatus.COMPLETED
    job.stage = None
    await advance_progress(session, job, 1.0)
    job.completed_at = utcnow()
    job.clear_error()
    await session.flush()
    await record_job_event(session, job, JobEventType.JOB_COMPLETED, "the ad is ready")


async def fail_stage(session: AsyncSession, job: Job, error: StageFailure) -> None:
    """A stage failed for good: the job becomes FAILED with ``error`` (retry resumes there).

    A canceled (or already failed) job is left as it is. A failed export run on a completed job
    fails its queued renders and leaves the job COMPLETED.
    """
    stage = error.stage or job.stage
    if stage is not None and is_export_run(job, stage):
        renders = (
            await session.scalars(
                select(Render).where(
                    Render.job_id == job.id, Render.status.in_(BUSY_RENDER_STATUSES)
                )
            )
        ).all()
        for render in renders:
            await render_failed(session, job, render, error)
        return
    if job.status in (JobStatus.CANCELED, JobStatus.FAILED):
        return
    require_transition(job.status, JobStatus.FAILED)
    job.status = JobStatus.FAILED
    job.stage = stage
    set_error(job, error, stage)
    await _settle_running_scenes(session, job)
    if stage is JobStage.RENDER:
        renders = (
            await session.scalars(
                select(Render).where(
                    Render.job_id == job.id, Render.status.in_(BUSY_RENDER_STATUSES)
                )
            )
        ).all()
        for render in renders:
            render.status = RenderStatus.FAILED
            set_error(render, error, stage)
    await session.flush()
    await record_job_event(
        session,
        job,
        JobEventType.JOB_FAILED,
        error.message[:500],
        payload=error_payload(error, stage),
    )


async def report_progress(
    session: AsyncSession,
    job: Job,
    fraction: float,
    *,
    message: str = "",
    scene_id: uuid.UUID | None = None,
) -> None:
    """The running stage is ``fraction`` (0..1) done; overall progress never goes backwards."""
    require_running(job)
    if job.stage is not None:
        await advance_progress(session, job, progress_at(job.stage, fraction))
    await session.flush()
    await record_job_event(session, job, JobEventType.PROGRESS, message, scene_id=scene_id)


__all__ = ["complete_job", "complete_stage", "fail_stage", "report_progress", "start_stage"]
