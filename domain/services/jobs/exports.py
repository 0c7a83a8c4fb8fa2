"""Exports: more renders of a completed job (other formats, sizes, aspect ratios, qualities,
with or without burned-in captions)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import (
    AspectRatio,
    JobAction,
    JobEventType,
    JobStage,
    RenderQuality,
    RenderStatus,
    Resolution,
    VideoFormat,
)
from domain.errors import DomainError, ErrorCode
from domain.models import Render
from domain.rules.job_states import require_action
from domain.services.events import record_job_event
from domain.services.job_stages import job_snapshot
from domain.services.jobs.queries import get_job, renders_of
from domain.services.stage_queue import request_stage

MAX_RENDERS_PER_JOB = 20


async def export_job(
    session: AsyncSession,
    org_id: uuid.UUID,
    job_id: uuid.UUID,
    *,
    format: VideoFormat = VideoFormat.MP4,
    resolution: Resolution = Resolution.P1080,
    aspect_ratio: AspectRatio | None = None,
    quality: RenderQuality = RenderQuality.BALANCED,
    captions: bool | None = None,
) -> Render:
    """Ask for a render of a completed job (``captions`` None: burned in as the job has them).
    The same request again returns the same render (re-queued when it had failed or was
    canceled); a request naming the job's own captions setting is the same as one naming none."""
    job = await get_job(session, org_id, job_id, for_update=True)
    require_action(await job_snapshot(session, job), JobAction.EXPORT)
    aspect = aspect_ratio or job.aspect_ratio
    burned = job.captions if captions is None else captions
    renders = await renders_of(session, job)
    same = next(
        (
            r
            for r in renders
            if (r.format, r.resolution, r.aspect_ratio, r.quality, r.burns_captions(job))
            == (format, resolution, aspect, quality, burned)
        ),
        None,
    )
    if same is not None and same.status in (
        RenderStatus.COMPLETED,
        RenderStatus.QUEUED,
        RenderStatus.RENDERING,
    ):
        return same
    if same is None:
        if len(renders) >= MAX_RENDERS_PER_JOB:
            raise DomainError(
                ErrorCode.LIMIT_EXCEEDED,
                f"at most {MAX_RENDERS_PER_JOB} renders per job",
                ["jobId"],
            )
        same = Render(
            organization_id=org_id,
            job_id=job.id,
            format=format,
            resolution=resolution,
            aspect_ratio=aspect,
            quality=quality,
            captions=captions,
            is_default=False,
        )
        session.add(same)
    same.status = RenderStatus.QUEUED
    same.progress = 0.0
    same.asset_id = None
    same.completed_at = None
    same.clear_error()
    await session.flush()
    await record_job_event(
        session,
        job,
        JobEventType.RENDER_UPDATED,
        f"export queued: {format.value} {resolution.value} {aspect.value}",
        payload={
            "renderId": str(same.id),
            "renderStatus": same.status.value,
            "format": format.value,
            "resolution": resolution.value,
            "aspectRatio": aspect.value,
            "captions": same.captions,
            "progress": 0.0,
        },
    )
    request_stage(session, job.id, JobStage.RENDER)
    return same


__all__ = ["MAX_RENDERS_PER_JOB", "export_job"]
