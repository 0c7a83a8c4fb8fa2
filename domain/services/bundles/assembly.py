"""A bundle's task, one step at a time: wait for its renders, then write and store its ZIP.

Each step checks every item: a render of a job that completed since is asked for, a failed render
or job fails the bundle, and while renders are still being made the step returns how long to wait
before the next (the caller re-enqueues the task). When every render is COMPLETED the ZIP is
streamed from storage into storage (``archive``): the renders, each job's captions (SubRip and
WebVTT) when asked for, and ``manifest.json``. It is recorded as an asset of the first job, served
like every other file (signed URLs, ranges).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import select

from domain.assets.keys import original_key
from domain.enums import AssetStatus, JobStatus, RenderStatus
from domain.media.encoding import EXTENSIONS
from domain.media.subtitles import srt, webvtt
from domain.media.timing import DEFAULT_FPS, plan_timeline
from domain.models import Asset, Bundle, BundleStatus, Campaign, Job, Render, Scene
from domain.models.base import utcnow
from domain.ports.bus import Publisher
from domain.ports.queue import TaskQueue
from domain.ports.storage import Storage
from domain.services.bundles.archive import Member, write_zip
from domain.services.bundles.liveness import claim_zipping, heartbeat
from domain.services.bundles.requests import claim_renders
from domain.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

#: The share of a bundle's progress its renders stand for (the rest is the ZIP).
RENDER_SHARE = 0.9


@dataclass(frozen=True)
class BundleDeps:
    """What a bundle's task uses."""

    session_factory: Any
    storage: Storage
    queue: TaskQueue | None = None
    bus: Publisher | None = None


def _fail(bundle: Bundle, code: str, message: str) -> None:
    bundle.status = BundleStatus.FAILED
    bundle.error_code, bundle.error_message = code, message[:2000]


async def _check(session: Any, bundle: Bundle) -> bool:
    """Whether every render is COMPLETED (asks for new ones; fails the bundle when one cannot be)."""
    await claim_renders(session, bundle.organization_id, bundle)
    done = 0
    for item in bundle.items:
        job = await session.get(Job, uuid.UUID(item["job"]))
        if job is None or job.status in (JobStatus.FAILED, JobStatus.CANCELED):
            state = job.status.value if job else "deleted"
            _fail(bundle, "JOB_FAILED", f"job {item['job']} is {state}")
            return False
        render = (
            await session.get(Render, uuid.UUID(item["render"])) if item.get("render") else None
        )
        if render is None:
            continue
        if render.status in (RenderStatus.FAILED, RenderStatus.CANCELED):
            _fail(
                bundle, "RENDER_FAILED", f"render {render.id} of job {job.id} {render.status.value}"
            )
            return False
        done += render.status is RenderStatus.COMPLETED and render.asset_id is not None
    bundle.progress = round(RENDER_SHARE * done / max(1, len(bundle.items)), 4)
    return done == len(bundle.items)


async def _members(session: Any, storage: Storage, bundle: Bundle) -> list[Member]:
    members: list[Member] = []
    jobs: dict[str, tuple[int, Job]] = {}
    for item in bundle.items:
        if item["job"] not in jobs:
            job = await session.get(Job, uuid.UUID(item["job"]))
            jobs[item["job"]] = (len(jobs) + 1, job)
        number, job = jobs[item["job"]]
        render = await session.get(Render, uuid.UUID(item["render"]))
        asset = await session.get(Asset, render.asset_id)
        if asset is None or asset.status is not AssetStatus.READY or not asset.storage_key:
            raise LookupError(f"the file of render {render.id} is missing")
        key = asset.storage_key
        folder = f"{number:02d}-{job.id.hex[:8]}"
        burned = render.burns_captions(job)
        # the job's own captions setting is the plain name; the other one is marked
        marked = "" if burned == job.captions else ("-captions" if burned else "-no-captions")
        name = (f"{folder}/ad-{render.resolution.value.lower()}-"
                f"{render.aspect_ratio.value.lower()}{marked}.{EXTENSIONS[render.format]}")  # fmt: skip
        members.append(
            Member(
                name=name,
                chunks=partial(storage.read, key),
                modified=render.completed_at or utcnow(),
                describe={
                    "kind": "render",
                    "job": str(job.id),
                    "variant": _variant(job),
                    "render": str(render.id),
                    "format": render.format.value,
                    "resolution": render.resolution.value,
                    "aspectRatio": render.aspect_ratio.value,
                    "captionsBurnedIn": burned,
                    "width": asset.width,
                    "height": asset.height,
                    "durationSeconds": asset.duration_seconds,
                },
            )
        )
    if bundle.captions:
        for number, job in jobs.values():
            members.extend(await _caption_members(session, job, number))
    return members


def _variant(job: Job) -> dict[str, str] | None:
    return {"group": str(job.variant_group_id)} if job.variant_group_id else None


async def _caption_members(session: Any, job: Job, number: int) -> list[Member]:
    scenes = list(
        await session.scalars(select(Scene).where(Scene.job_id == job.id).order_by(Scene.position))
    )
    captions = [s.caption for s in scenes]
    if not job.captions or not any(c.strip() for c in captions):
        return []
    timeline = plan_timeline([s.duration_seconds for s in scenes],
                             [s.transition for s in scenes], fps=DEFAULT_FPS)  # fmt: skip
    folder = f"{number:02d}-{job.id.hex[:8]}"
    out = []
    for extension, text in (("srt", srt(captions, timeline)), ("vtt", webvtt(captions, timeline))):
        data = text.encode()

        async def chunks(data: bytes = data) -> Any:
            yield data

        out.append(
            Member(
                name=f"{folder}/captions.{extension}",
                chunks=chunks,
                modified=job.completed_at or utcnow(),
                describe={
                    "kind": "captions",
                    "job": str(job.id),
                    "variant": _variant(job),
                    "format": extension.upper(),
                },
            )
        )
    return out


async def build_step(deps: BundleDeps, bundle_id: uuid.UUID, poll_seconds: float) -> float | None:
    """One step of the bundle's task; returns the seconds to wait before the next (``None``: the
    bundle is finished, failed, gone, or being zipped by another live step)."""
    async with deps.session_factory() as session:
        async with UnitOfWork(session, bus=deps.bus, queue=deps.queue):
            bundle = await session.get(Bundle, bundle_id)
            if bundle is None or bundle.status not in (
                BundleStatus.RENDERING,
                BundleStatus.ZIPPING,
            ):
                return None
            bundle.updated_at = utcnow()  # the step's stamp (see ``liveness``)
            ready = await _check(session, bundle)
            if not ready:
                return poll_seconds if bundle.status is BundleStatus.RENDERING else None
            await session.flush()
            if not await claim_zipping(session, bundle_id, poll_seconds):
                return None
        try:
            members = await _members(session, deps.storage, bundle)
            first = await session.get(Job, uuid.UUID(bundle.items[0]["job"]))
            if first is None:
                raise LookupError("its first job is gone")
            client_id = await session.scalar(
                select(Campaign.client_id).where(Campaign.id == first.campaign_id)
            )
            if client_id is None:
                raise LookupError("its first job's client is gone")
        except LookupError as exc:
            await session.rollback()
            async with UnitOfWork(session):
                row = await session.get(Bundle, bundle_id, populate_existing=True)
                if row is not None:
                    _fail(row, "ASSET_MISSING", str(exc))
            return None
        org_id, first_id, campaign_id = bundle.organization_id, first.id, first.campaign_id
        await session.rollback()  # no transaction stays open while the ZIP is written
    asset_id = uuid.uuid4()
    key = original_key(org_id, asset_id, "zip")
    try:
        async with heartbeat(deps.session_factory, bundle_id):
            written = await write_zip(
                deps.storage, key, members,
                manifest={"bundle": str(bundle_id), "createdAt": utcnow().isoformat()},
                modified=utcnow(),
            )  # fmt: skip
    except Exception as exc:
        log.warning("bundle %s could not be written", bundle_id, exc_info=True)
        await deps.storage.delete(key)
        async with deps.session_factory() as session, UnitOfWork(session):
            bundle = await session.get(Bundle, bundle_id)
            if bundle is not None:
                _fail(bundle, "BUNDLE_FAILED", str(exc) or type(exc).__name__)
        return None
    async with deps.session_factory() as session, UnitOfWork(session):
        bundle = await session.get(Bundle, bundle_id)
        assert bundle is not None
        session.add(
            Asset(
                id=asset_id, organization_id=org_id, client_id=client_id,
                campaign_id=campaign_id, job_id=first_id, kind=None, role=None,
                status=AssetStatus.READY, filename=f"bundle-{bundle_id.hex[:8]}.zip",
                content_type="application/zip", byte_size=written.byte_size,
                sha256=written.sha256, storage_key=key,
            )
        )  # fmt: skip
        bundle.asset_id = asset_id
        bundle.status = BundleStatus.COMPLETED
        bundle.progress = 1.0
        bundle.completed_at = utcnow()
    return None


__all__ = ["RENDER_SHARE", "BundleDeps", "build_step"]
