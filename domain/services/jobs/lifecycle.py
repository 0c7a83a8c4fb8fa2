"""A job's lifecycle actions: approving its storyboard, canceling it, retrying it after a failure."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import JobAction, JobEventType, JobStage, JobStatus, RenderStatus, SceneStatus
from domain.errors import InvalidState
from domain.models import Job, Render, Scene
from domain.models.base import utcnow
from domain.rules.job_states import STATUS_OF_STAGE, progress_at, require_action, require_transition
from domain.services.events import record_job_event
from domain.services.job_stages import (
    BUSY_RENDER_STATUSES,
    RUNNING_SCENE_STATUSES,
    job_snapshot,
    stored_scene_status,
)
from domain.services.jobs.queries import get_job, renders_of, scenes_of
from domain.services.jobs.scene_narration import job_line
from domain.services.progress import advance_progress
from domain.services.stage_queue import request_stage


def _unspoken(job: Job, scenes: Sequence[Scene]) -> bool:
    """A voiced job has a scene with words to say and no narration stored for them."""
    return job.voiceover and any(s.narration_words is None and job_line(job, s) for s in scenes)


def _first_missing_stage(job: Job, scenes: Sequence[Scene], renders: Sequence[Render]) -> JobStage:
    """The earliest stage with work left (stored work is never redone)."""
    if not scenes:
        return JobStage.PLAN
    if any(s.image_asset_id is None for s in scenes):
        return JobStage.STORYBOARD
    if any(s.clip_asset_id is None for s in scenes) or _unspoken(job, scenes):
        return JobStage.CLIPS  # narration is the first step of CLIPS
    if job.composition_asset_id is None:
        return JobStage.COMPOSE
    if any(r.status is not RenderStatus.COMPLETED for r in renders):
        return JobStage.RENDER
    return JobStage.COMPOSE


async def move_to_stage(
    session: AsyncSession, job: Job, stage: JobStage, message: str, *, queued: bool = False
) -> None:
    """Put the job at ``stage`` (its status follows) and ask for the stage to run."""
    target = JobStatus.QUEUED if queued else STATUS_OF_STAGE[stage]
    if target is not job.status:
        require_transition(job.status, target)
    job.status = target
    job.stage = stage
    await advance_progress(session, job, progress_at(stage, 0.0))
    await session.flush()
    await record_job_event(session, job, JobEventType.STATUS_CHANGED, message)
    request_stage(session, job.id, stage)


async def approve_storyboard(session: AsyncSession, org_id: uuid.UUID, job_id: uuid.UUID) -> Job:
    """Approve the storyboard: rendering starts at the first stage with work left."""
    job = await get_job(session, org_id, job_id, for_update=True)
    require_action(await job_snapshot(session, job), JobAction.APPROVE_STORYBOARD)
    scenes = await scenes_of(session, job)
    renders = await renders_of(session, job)
    job.approved_at = utcnow()
    stage = _first_missing_stage(job, scenes, renders)
    if stage is JobStage.PLAN:  # cannot happen: approval needs scenes
        raise InvalidState("the job has no scenes to approve", ["jobId"])
    await move_to_stage(session, job, stage, "storyboard approved")
    return job


async def cancel_job(session: AsyncSession, org_id: uuid.UUID, job_id: uuid.UUID) -> Job:
    """Cancel a job that has not finished; running workers stop at their next check."""
    job = await get_job(session, org_id, job_id, for_update=True)
    require_action(await job_snapshot(session, job), JobAction.CANCEL)
    require_transition(job.status, JobStatus.CANCELED)
    job.status = JobStatus.CANCELED
    for scene in await scenes_of(session, job):
        if scene.status in RUNNING_SCENE_STATUSES:
            scene.status = stored_scene_status(scene)
    for render in await renders_of(session, job):
        if render.status in BUSY_RENDER_STATUSES:
            render.status = RenderStatus.CANCELED
    await session.flush()
    await record_job_event(session, job, JobEventType.JOB_CANCELED, "job canceled")
    return job


async def retry_job(session: AsyncSession, org_id: uuid.UUID, job_id: uuid.UUID) -> Job:
    """Resume a failed job at the stage that failed (earlier when edits removed stored work);
    everything already stored is kept."""
    job = await get_job(session, org_id, job_id, for_update=True)
    require_action(await job_snapshot(session, job), JobAction.RETRY)
    scenes = await scenes_of(session, job)
    renders = await renders_of(session, job)
    failed_at = job.error_stage or job.stage or JobStage.PLAN
    missing = _first_missing_stage(job, scenes, renders)
    order = list(JobStage)
    stage = failed_at if order.index(failed_at) <= order.index(missing) else missing
    for scene in scenes:
        if scene.status is SceneStatus.FAILED or scene.status in RUNNING_SCENE_STATUSES:
            scene.status = stored_scene_status(scene)
        scene.clear_error()
    for render in renders:
        if render.status in (RenderStatus.FAILED, RenderStatus.CANCELED):
            render.status = RenderStatus.QUEUED
            render.progress = 0.0
            render.clear_error()
    job.clear_error()
    job.attempts = 0
    job.next_run_at = None
    await move_to_stage(
        session,
        job,
        stage,
        f"retrying at {stage.value}",
        queued=stage is JobStage.PLAN,
    )
    return job


__all__ = ["approve_storyboard", "cancel_job", "move_to_stage", "retry_job"]
