"""``exportBundle``: ask for one ZIP of several jobs' renders (made first when missing).

The bundle is recorded RENDERING with one item per job and render shape; renders of completed
jobs that do not exist yet are asked for at once (``exportJob``'s machinery), and the bundle's
task is enqueued after the commit. The task (``assembly``) waits for every render, asking for
those of jobs that complete later, then writes the ZIP.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import (
    AspectRatio,
    JobStatus,
    RenderQuality,
    RenderStatus,
    Resolution,
    VideoFormat,
)
from domain.errors import DomainError, Invalid, InvalidState, NotFound, ValidationErrors
from domain.models import Bundle, BundleStatus, Job, Render
from domain.ports.queue import BUILD_BUNDLE
from domain.services.jobs.exports import export_job
from domain.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

MAX_BUNDLE_JOBS = 50
MAX_BUNDLE_SHAPES = 8


@dataclass(frozen=True, slots=True)
class RenderShape:
    """A render asked for in every job of the bundle (``aspect_ratio`` None: the job's own;
    ``captions`` None: burned in as the job has them)."""

    format: VideoFormat
    resolution: Resolution
    aspect_ratio: AspectRatio | None = None
    captions: bool | None = None


def request_build(session: AsyncSession, bundle_id: uuid.UUID, delay_seconds: float = 0.0) -> None:
    """Enqueue the bundle's task once the transaction commits."""

    async def dispatch(uow: UnitOfWork) -> None:
        if uow.queue is None:
            log.warning("no queue: bundle %s not built", bundle_id)
            return
        await uow.queue.enqueue(BUILD_BUNDLE, delay_seconds=delay_seconds, bundle_id=str(bundle_id))

    UnitOfWork.of(session).after_commit(dispatch, key=("bundle", bundle_id))


async def claim_renders(session: AsyncSession, org_id: uuid.UUID, bundle: Bundle) -> None:
    """Give every item of a completed job its render: an existing one of that shape and captions
    setting (not failed), else a new export asked for now."""
    items = [dict(item) for item in bundle.items]
    for item in items:
        if item.get("render"):
            continue
        job = await session.get(Job, uuid.UUID(item["job"]))
        if job is None or job.status is not JobStatus.COMPLETED:
            continue
        shape = (VideoFormat(item["format"]), Resolution(item["resolution"]),
                 AspectRatio(item["aspect_ratio"]))  # fmt: skip
        captions = {"true": True, "false": False}.get(item.get("captions", ""))
        burned = job.captions if captions is None else captions
        candidates = (
            await session.scalars(
                select(Render).where(
                    Render.job_id == job.id,
                    Render.format == shape[0],
                    Render.resolution == shape[1],
                    Render.aspect_ratio == shape[2],
                    Render.status.not_in([RenderStatus.FAILED, RenderStatus.CANCELED]),
                )
            )
        ).all()
        existing = next((r for r in candidates if r.burns_captions(job) == burned), None)
        render = existing or await export_job(
            session, org_id, job.id, format=shape[0], resolution=shape[1],
            aspect_ratio=shape[2], quality=RenderQuality.BALANCED, captions=captions,
        )  # fmt: skip
        item["render"] = str(render.id)
    bundle.items = items


async def export_bundle(
    session: AsyncSession,
    org_id: uuid.UUID,
    job_ids: Sequence[uuid.UUID],
    shapes: Sequence[RenderShape],
    *,
    captions: bool,
    max_files: int,
) -> Bundle:
    """Record a bundle of ``shapes`` renders of each job, ask for the missing renders of completed
    jobs, and enqueue the bundle's task. Failed and canceled jobs are refused."""
    unique = list(dict.fromkeys(job_ids))
    if not 1 <= len(unique) <= MAX_BUNDLE_JOBS:
        raise Invalid(f"give 1 to {MAX_BUNDLE_JOBS} jobs", ["jobIds"])
    if not 1 <= len(shapes) <= MAX_BUNDLE_SHAPES:
        raise Invalid(f"give 1 to {MAX_BUNDLE_SHAPES} renders", ["renders"])
    rows = {
        j.id: j
        for j in await session.scalars(
            select(Job).where(Job.id.in_(unique), Job.organization_id == org_id)
        )
    }
    errors: list[DomainError] = []
    for index, job_id in enumerate(job_ids):
        job = rows.get(job_id)
        if job is None:
            errors.append(NotFound("job", ["jobIds", str(index)]))
        elif job.status in (JobStatus.FAILED, JobStatus.CANCELED):
            errors.append(InvalidState(f"the job is {job.status.value}", ["jobIds", str(index)]))
    if errors:
        raise ValidationErrors(errors)
    items: list[dict[str, str]] = []
    for job_id in unique:
        job = rows[job_id]
        for shape in shapes:
            item = {
                "job": str(job.id),
                "format": shape.format.value,
                "resolution": shape.resolution.value,
                "aspect_ratio": (shape.aspect_ratio or job.aspect_ratio).value,
            }
            if shape.captions is not None and shape.captions != job.captions:
                item["captions"] = "true" if shape.captions else "false"
            if item not in items:
                items.append(item)
    files = len(items) + (2 * len(unique) if captions else 0)
    if files > max_files:
        raise Invalid(
            f"a bundle holds at most {max_files} files (this would be {files})", ["renders"]
        )
    bundle = Bundle(
        id=uuid.uuid4(), organization_id=org_id, status=BundleStatus.RENDERING,
        progress=0.0, items=items, captions=captions,
    )  # fmt: skip
    session.add(bundle)
    await claim_renders(session, org_id, bundle)
    await session.flush()
    request_build(session, bundle.id)
    return bundle


async def get_bundle(session: AsyncSession, org_id: uuid.UUID, bundle_id: uuid.UUID) -> Bundle:
    """The organization's bundle, or ``NotFound``."""
    bundle = await session.scalar(
        select(Bundle).where(Bundle.id == bundle_id, Bundle.organization_id == org_id)
    )
    if bundle is None:
        raise NotFound("bundle", ["bundleId"])
    return bundle


__all__ = [
    "MAX_BUNDLE_JOBS",
    "MAX_BUNDLE_SHAPES",
    "RenderShape",
    "claim_renders",
    "export_bundle",
    "get_bundle",
    "request_build",
]
