"""A scene's key image and clip being made, stored, or failing."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import JobEventType, JobStage, JobStatus, SceneStatus
from domain.models import Job, Scene
from domain.services.events import record_job_event
from domain.services.job_stages.state import StageFailure, error_payload, require_running, set_error


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
    require_running(job, JobStage.STORYBOARD)
    scene.status = SceneStatus.GENERATING_IMAGE
    scene.clear_error()
    await _scene_event(session, job, scene, f"scene {scene.position + 1}: key image")


async def scene_image_ready(
    session: AsyncSession, job: Job, scene: Scene, image_asset_id: uuid.UUID
) -> None:
    """The scene's key image is stored."""
    require_running(job, JobStage.STORYBOARD)
    scene.image_asset_id = image_asset_id
    scene.status = SceneStatus.IMAGE_READY
    scene.clear_error()
    await _scene_event(session, job, scene, f"scene {scene.position + 1}: key image ready")


async def scene_clip_started(session: AsyncSession, job: Job, scene: Scene) -> None:
    """The scene's clip is being rendered."""
    require_running(job, JobStage.CLIPS)
    scene.status = SceneStatus.RENDERING
    scene.clear_error()
    await _scene_event(session, job, scene, f"scene {scene.position + 1}: rendering clip")


async def scene_clip_ready(
    session: AsyncSession,
    job: Job,
    scene: Scene,
    clip_asset_id: uuid.UUID,
    last_frame_asset_id: uuid.UUID | None,
) -> None:
    """The scene's clip (and its exact last frame) are stored."""
    require_running(job, JobStage.CLIPS)
    scene.clip_asset_id = clip_asset_id
    scene.last_frame_asset_id = last_frame_asset_id
    scene.status = SceneStatus.RENDERED
    scene.clear_error()
    await _scene_event(session, job, scene, f"scene {scene.position + 1}: clip ready")


async def scene_failed(session: AsyncSession, job: Job, scene: Scene, error: StageFailure) -> None:
    """The scene could not be made; the stage usually fails the job next (``fail_stage``)."""
    if job.status is JobStatus.CANCELED:
        return
    scene.status = SceneStatus.FAILED
    set_error(scene, error, job.stage)
    await session.flush()
    await record_job_event(
        session,
        job,
        JobEventType.SCENE_FAILED,
        f"scene {scene.position + 1}: {error.message[:300]}",
        scene_id=scene.id,
        payload={"position": scene.position, **error_payload(error, job.stage)},
    )


__all__ = [
    "scene_clip_ready",
    "scene_clip_started",
    "scene_failed",
    "scene_image_ready",
    "scene_image_started",
]
