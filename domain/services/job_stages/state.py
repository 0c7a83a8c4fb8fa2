"""What the stage transitions share: the job's state read for the action rules, the checks that
a stage may still act, and how a failure is written on a row.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import JobAction, JobStage, JobStatus, RenderStatus, SceneStatus
from domain.errors import InvalidState
from domain.models import Job, Render, Scene
from domain.rules.job_states import ACTIVE_STATUSES, JobSnapshot, available_actions

BUSY_RENDER_STATUSES = frozenset({RenderStatus.QUEUED, RenderStatus.RENDERING})

RUNNING_SCENE_STATUSES = frozenset({SceneStatus.GENERATING_IMAGE, SceneStatus.RENDERING})


class StageFailure(Protocol):
    """What a stage failure carries (``domain.services.pipeline.errors.StageError`` fits)."""

    code: str
    message: str
    stage: JobStage | None
    retryable: bool


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


def require_running(job: Job, stage: JobStage | None = None) -> None:
    """``InvalidState`` unless the job is running (``stage``, when given)."""
    if job.status not in ACTIVE_STATUSES:
        raise InvalidState(f"the job is {job.status.value}", ["jobId"])
    if stage is not None and job.stage is not stage:
        current = job.stage.value if job.stage else "no stage"
        raise InvalidState(f"the job is at {current}, not {stage.value}", ["jobId"])


def set_error(
    row: Job | Scene | Render, error: StageFailure | None, stage: JobStage | None
) -> None:
    """Write ``error`` (failed at ``stage`` unless it names its own) on a row, or clear it."""
    row.error_code = error.code if error else None
    row.error_stage = (error.stage or stage) if error else None
    row.error_message = error.message[:4000] if error else None
    row.error_retryable = bool(error.retryable) if error else False


def error_payload(error: StageFailure, stage: JobStage | None) -> dict[str, object]:
    """The payload of a failure event."""
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


__all__ = [
    "BUSY_RENDER_STATUSES",
    "RUNNING_SCENE_STATUSES",
    "StageFailure",
    "error_payload",
    "is_export_run",
    "job_actions",
    "job_snapshot",
    "require_running",
    "set_error",
    "stored_scene_status",
]
