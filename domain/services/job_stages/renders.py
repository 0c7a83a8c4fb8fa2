"""The composed master stored, and renders (default output and exports) being encoded."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import JobEventType, JobStage, JobStatus, RenderStatus
from domain.errors import InvalidState
from domain.models import Job, Render
from domain.models.base import utcnow
from domain.services.events import record_job_event
from domain.services.job_stages.state import (
    BUSY_RENDER_STATUSES,
    StageFailure,
    is_export_run,
    require_running,
    set_error,
)


async def composition_ready(
    session: AsyncSession, job: Job, asset_id: uuid.UUID, product_share: float | None = None
) -> None:
    """The composed master is stored (renders are made from it), with the share of its frames
    showing a product shot."""
    require_running(job, JobStage.COMPOSE)
    job.composition_asset_id = asset_id
    job.product_screen_share = product_share
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
        require_running(job, JobStage.RENDER)


async def render_started(session: AsyncSession, job: Job, render: Render) -> None:
    """A render (default output or export) is being encoded."""
    _require_rendering(job)
    render.status = RenderStatus.RENDERING
    render.progress = 0.0
    render.clear_error()
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
    render.clear_error()
    await _render_event(session, job, render, "render ready")


async def render_failed(
    session: AsyncSession, job: Job, render: Render, error: StageFailure
) -> None:
    """A render failed (an export's failure leaves a completed job COMPLETED)."""
    render.status = RenderStatus.FAILED
    set_error(render, error, JobStage.RENDER)
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


__all__ = [
    "composition_ready",
    "render_completed",
    "render_failed",
    "render_progress",
    "render_started",
    "renders_to_make",
]
