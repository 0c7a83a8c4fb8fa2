"""The state changes the pipeline makes: stages starting, finishing and failing; scene and render
progress. Each function changes the job (and its scenes/renders) and records the matching job
event in the caller's transaction; the caller commits with ``commit_and_publish``.

None of these enqueue anything: ``complete_stage`` returns the stage to run next, and the caller
either runs it or asks for it with ``stage_queue.request_stage`` + ``dispatch_stages``.

A stage must stop when the job is no longer running it: every function here raises
``InvalidState`` when the job was canceled (or otherwise left the stage) meanwhile, except
``fail_stage`` which leaves a canceled job alone.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Protocol

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import (
    JobAction,
    JobEventType,
    JobStage,
    JobStatus,
    RenderStatus,
    SceneStatus,
)
from domain.errors import InvalidState
from domain.models import Job, JobEvent, Render, Scene
from domain.models.base import utcnow
from domain.rules.budget import money, over_variance, variance_ratio
from domain.rules.job_states import (
    ACTIVE_STATUSES,
    STATUS_OF_STAGE,
    JobSnapshot,
    available_actions,
    next_stage,
    progress_at,
    require_transition,
)
from domain.services.events import record_job_event
from domain.services.progress import advance_progress

BUSY_RENDER_STATUSES = frozenset({RenderStatus.QUEUED, RenderStatus.RENDERING})
RUNNING_SCENE_STATUSES = frozenset({SceneStatus.GENERATING_IMAGE, SceneStatus.RENDERING})


class StageFailure(Protocol):
    """What a stage failure carries (``domain.services.pipeline.errors.StageError`` fits)."""

    code: str
    message: str
    stage: JobStage | None
    retryable: bool


# --- reading a job's state -------------------------------------------------------------------


async def job_snapshot(session: AsyncSession, job: Job) -> JobSnapshot:
    """What the action rules need, read from the database."""
    has_scenes = bool(await session.scalar(select(exists().where(Scene.job_id == job.id))))
    renders_busy = job.status is JobStatus.COMPLETED and bool(
        await session.scalar(
            select(exists().where(Render.job_id == job.id, Render.status.in_(BUSY_RENDER_STATUSES)))
        )
    )
    return JobSnapshot(
        status=job.status,
        has_scenes=has_scenes,
        renders_busy=renders_busy,
        refinements_used=job.refinements_used,
        refinements_limit=job.refinements_limit,
    )


async def job_actions(session: AsyncSession, job: Job) -> list[JobAction]:
    """``Job.availableActions``: what the state machine allows now."""
    return available_actions(await job_snapshot(session, job))


def is_export_run(job: Job, stage: JobStage) -> bool:
    """A RENDER run on a completed job: it renders queued exports and leaves the job COMPLETED."""
    return job.status is JobStatus.COMPLETED and stage is JobStage.RENDER


def _require_running(job: Job, stage: JobStage | None = None) -> None:
    if job.status not in ACTIVE_STATUSES:
        raise InvalidState(f"the job is {job.status.value}", ["jobId"])
    if stage is not None and job.stage is not stage:
        current = job.stage.value if job.stage else "no stage"
        raise InvalidState(f"the job is at {current}, not {stage.value}", ["jobId"])


def _set_error(
    row: Job | Scene | Render, error: StageFailure | None, stage: JobStage | None
) -> None:
    row.error_code = error.code if error else None
    row.error_stage = (error.stage or stage) if error else None
    row.error_message = error.message[:4000] if error else None
    row.error_retryable = bool(error.retryable) if error else False


def _error_payload(error: StageFailure, stage: JobStage | None) -> dict[str, object]:
    failed_at = error.stage or stage
    return {
        "code": error.code,
        "stage": failed_at.value if failed_at else None,
        "retryable": bool(error.retryable),
    }


def stored_scene_status(scene: Scene) -> SceneStatus:
    """The status a scene's stored outputs justify (used when work stops or restarts)."""
    if scene.clip_asset_id is not None:
        return SceneStatus.RENDERED
    if scene.image_asset_id is not None:
        return SceneStatus.IMAGE_READY
    return SceneStatus.PENDING


async def _settle_running_scenes(session: AsyncSession, job: Job) -> None:
    """Scenes left mid-work go back to what their stored outputs say."""
    scenes = (
        await session.scalars(
            select(Scene).where(Scene.job_id == job.id, Scene.status.in_(RUNNING_SCENE_STATUSES))
        )
    ).all()
    for scene in scenes:
        scene.status = stored_scene_status(scene)


# --- stages ----------------------------------------------------------------------------------


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
    _require_running(job, stage)
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
    _require_running(job, stage)
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
    _set_error(job, None, None)
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
    _set_error(job, error, stage)
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
            _set_error(render, error, stage)
    await session.flush()
    await record_job_event(
        session,
        job,
        JobEventType.JOB_FAILED,
        error.message[:500],
        payload=_error_payload(error, stage),
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
    _require_running(job)
    if job.stage is not None:
        await advance_progress(session, job, progress_at(job.stage, fraction))
    await session.flush()
    await record_job_event(session, job, JobEventType.PROGRESS, message, scene_id=scene_id)


# --- scenes ----------------------------------------------------------------------------------


async def _scene_event(
    session: AsyncSession, job: Job, scene: Scene, message: str, type: JobEventType | None = None
) -> None:
    await session.flush()
    await record_job_event(
        session,
        job,
        type or JobEventType.SCENE_UPDATED,
        message,
        scene_id=scene.id,
        payload={"position": scene.position, "sceneStatus": scene.status.value},
    )


async def scene_image_started(session: AsyncSession, job: Job, scene: Scene) -> None:
    """The scene's key image is being generated."""
    _require_running(job, JobStage.STORYBOARD)
    scene.status = SceneStatus.GENERATING_IMAGE
    _set_error(scene, None, None)
    await _scene_event(session, job, scene, f"scene {scene.position + 1}: key image")


async def scene_image_ready(
    session: AsyncSession, job: Job, scene: Scene, image_asset_id: uuid.UUID
) -> None:
    """The scene's key image is stored."""
    _require_running(job, JobStage.STORYBOARD)
    scene.image_asset_id = image_asset_id
    scene.status = SceneStatus.IMAGE_READY
    _set_error(scene, None, None)
    await _scene_event(session, job, scene, f"scene {scene.position + 1}: key image ready")


async def scene_clip_started(session: AsyncSession, job: Job, scene: Scene) -> None:
    """The scene's clip is being rendered."""
    _require_running(job, JobStage.CLIPS)
    scene.status = SceneStatus.RENDERING
    _set_error(scene, None, None)
    await _scene_event(session, job, scene, f"scene {scene.position + 1}: rendering clip")


async def scene_clip_ready(
    session: AsyncSession,
    job: Job,
    scene: Scene,
    clip_asset_id: uuid.UUID,
    last_frame_asset_id: uuid.UUID | None,
) -> None:
    """The scene's clip (and its exact last frame) are stored."""
    _require_running(job, JobStage.CLIPS)
    scene.clip_asset_id = clip_asset_id
    scene.last_frame_asset_id = last_frame_asset_id
    scene.status = SceneStatus.RENDERED
    _set_error(scene, None, None)
    await _scene_event(session, job, scene, f"scene {scene.position + 1}: clip ready")


async def scene_failed(session: AsyncSession, job: Job, scene: Scene, error: StageFailure) -> None:
    """The scene could not be made; the stage usually fails the job next (``fail_stage``)."""
    if job.status is JobStatus.CANCELED:
        return
    scene.status = SceneStatus.FAILED
    _set_error(scene, error, job.stage)
    await session.flush()
    await record_job_event(
        session,
        job,
        JobEventType.SCENE_FAILED,
        f"scene {scene.position + 1}: {error.message[:300]}",
        scene_id=scene.id,
        payload={"position": scene.position, **_error_payload(error, job.stage)},
    )


# --- composition and renders -----------------------------------------------------------------


async def composition_ready(session: AsyncSession, job: Job, asset_id: uuid.UUID) -> None:
    """The composed master is stored (renders are made from it)."""
    _require_running(job, JobStage.COMPOSE)
    job.composition_asset_id = asset_id
    await session.flush()
    await record_job_event(
        session, job, JobEventType.PROGRESS, "composition ready", payload={"composition": True}
    )


async def _render_event(session: AsyncSession, job: Job, render: Render, message: str) -> None:
    await session.flush()
    await record_job_event(
        session,
        job,
        JobEventType.RENDER_UPDATED,
        message,
        payload={
            "renderId": str(render.id),
            "renderStatus": render.status.value,
            "format": render.format.value,
            "resolution": render.resolution.value,
            "aspectRatio": render.aspect_ratio.value,
            "progress": render.progress,
        },
    )


def _require_rendering(job: Job) -> None:
    if not (is_export_run(job, JobStage.RENDER) or job.stage is JobStage.RENDER):
        raise InvalidState(f"the job is {job.status.value}, not rendering", ["jobId"])
    if job.status is not JobStatus.COMPLETED:
        _require_running(job, JobStage.RENDER)


async def render_started(session: AsyncSession, job: Job, render: Render) -> None:
    """A render (default output or export) is being encoded."""
    _require_rendering(job)
    render.status = RenderStatus.RENDERING
    render.progress = 0.0
    _set_error(render, None, None)
    await _render_event(session, job, render, "rendering")


async def render_progress(session: AsyncSession, job: Job, render: Render, fraction: float) -> None:
    """A render is ``fraction`` done."""
    _require_rendering(job)
    render.progress = round(min(1.0, max(render.progress, fraction)), 4)
    await _render_event(session, job, render, "rendering")


async def render_completed(
    session: AsyncSession, job: Job, render: Render, asset_id: uuid.UUID
) -> None:
    """A render is stored as ``asset_id``."""
    _require_rendering(job)
    render.status = RenderStatus.COMPLETED
    render.progress = 1.0
    render.asset_id = asset_id
    render.completed_at = utcnow()
    _set_error(render, None, None)
    await _render_event(session, job, render, "render ready")


async def render_failed(
    session: AsyncSession, job: Job, render: Render, error: StageFailure
) -> None:
    """A render failed (an export's failure leaves a completed job COMPLETED)."""
    render.status = RenderStatus.FAILED
    _set_error(render, error, JobStage.RENDER)
    await _render_event(session, job, render, f"render failed: {error.message[:300]}")


async def renders_to_make(session: AsyncSession, job: Job) -> list[Render]:
    """The job's renders waiting to be encoded (QUEUED), default output first."""
    return list(
        (
            await session.scalars(
                select(Render)
                .where(Render.job_id == job.id, Render.status.in_(BUSY_RENDER_STATUSES))
                .order_by(Render.is_default.desc(), Render.created_at, Render.id)
            )
        ).all()
    )


# --- costs -----------------------------------------------------------------------------------


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


def scene_cost_total(scenes: list[Scene]) -> Decimal:
    """The sum of scenes' estimated costs."""
    return money(sum((s.estimated_cost_usd for s in scenes), Decimal(0)))


__all__ = [
    "StageFailure",
    "complete_job",
    "complete_stage",
    "composition_ready",
    "fail_stage",
    "is_export_run",
    "job_actions",
    "job_snapshot",
    "note_cost_variance",
    "render_completed",
    "render_failed",
    "render_progress",
    "render_started",
    "renders_to_make",
    "report_progress",
    "scene_clip_ready",
    "scene_clip_started",
    "scene_failed",
    "scene_image_ready",
    "scene_image_started",
    "start_stage",
    "stored_scene_status",
]
