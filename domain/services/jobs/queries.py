"""Reading jobs, scenes and renders, always scoped to one organization."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import JobStatus
from domain.errors import NotFound
from domain.models import Job, Render, Scene
from domain.rules.job_states import JobSnapshot
from domain.services.job_stages import BUSY_RENDER_STATUSES


def jobs_query(
    org_id: uuid.UUID,
    campaign_id: uuid.UUID | None = None,
    statuses: Sequence[JobStatus] | None = None,
) -> Select[Job]:
    """The organization's jobs, optionally of one campaign and some statuses."""
    stmt = select(Job).where(Job.organization_id == org_id)
    if campaign_id is not None:
        stmt = stmt.where(Job.campaign_id == campaign_id)
    if statuses:
        stmt = stmt.where(Job.status.in_(list(statuses)))
    return stmt


@lru_cache(maxsize=256)
def status_filter(statuses: tuple[JobStatus, ...]) -> tuple[ColumnElement[bool], ...]:
    """The WHERE clause of a job status filter; the same object for the same statuses, so nested
    connections filtered alike share one DataLoader."""
    return (Job.status.in_(list(statuses)),)


async def get_job(
    session: AsyncSession, org_id: uuid.UUID, job_id: uuid.UUID, *, for_update: bool = False
) -> Job:
    """A job of the organization (locked for the transaction when ``for_update``)."""
    stmt = select(Job).where(Job.id == job_id, Job.organization_id == org_id)
    if for_update:
        stmt = stmt.with_for_update()
    job = await session.scalar(stmt)
    if job is None:
        raise NotFound("job", ["jobId"])
    return job


async def get_scene(
    session: AsyncSession, org_id: uuid.UUID, scene_id: uuid.UUID, field: str = "sceneId"
) -> Scene:
    """A scene of the organization."""
    scene = await session.scalar(
        select(Scene).where(Scene.id == scene_id, Scene.organization_id == org_id)
    )
    if scene is None:
        raise NotFound("scene", [field])
    return scene


async def scenes_of(session: AsyncSession, job: Job) -> list[Scene]:
    """The job's scenes in order."""
    return list(
        (
            await session.scalars(
                select(Scene)
                .where(Scene.job_id == job.id, Scene.organization_id == job.organization_id)
                .order_by(Scene.position, Scene.created_at, Scene.id)
            )
        ).all()
    )


async def renders_of(session: AsyncSession, job: Job) -> list[Render]:
    """The job's renders, default output first, then oldest first."""
    return list(
        (
            await session.scalars(
                select(Render)
                .where(Render.job_id == job.id, Render.organization_id == job.organization_id)
                .order_by(Render.is_default.desc(), Render.created_at, Render.id)
            )
        ).all()
    )


def snapshot_from(job: Job, scenes: Sequence[Scene], renders: Sequence[Render]) -> JobSnapshot:
    """The state-machine view of a job from rows already loaded (no queries)."""
    return JobSnapshot(
        status=job.status,
        has_scenes=bool(scenes),
        renders_busy=job.status is JobStatus.COMPLETED
        and any(r.status in BUSY_RENDER_STATUSES for r in renders),
        refinements_used=job.refinements_used,
        refinements_limit=job.refinements_limit,
    )


__all__ = [
    "get_job",
    "get_scene",
    "jobs_query",
    "renders_of",
    "scenes_of",
    "snapshot_from",
    "status_filter",
]
