"""RENDER: the job's default output and every requested export, from the stored composition.

Checkpoint: each ``Render`` row's ``asset_id``. The default output (MP4, H.264/AAC, at the
working resolution and the job's aspect ratio) is the composition itself: it is made in exactly
that format, so it is reused, not encoded twice. Exports (``exportJob``) re-encode it to their
format and resolution; an export to another aspect ratio, or with captions burned in where the
job's composition has none (or without where it has them), is composed again from the stored
clips first.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select

from domain.enums import AssetKind, AssetRole, RenderStatus, Resolution, VideoFormat
from domain.errors import ErrorCode
from domain.media.composition import RenderOptions
from domain.media.encoding import CONTENT_TYPES, EXTENSIONS
from domain.models import Job, Render
from domain.services import job_stages
from domain.services.pipeline import files
from domain.services.pipeline.aspect_clips import remake_clips
from domain.services.pipeline.compose import build_composition
from domain.services.pipeline.context import StageContext
from domain.services.pipeline.errors import StageError


def _is_default_shape(render: Render, job: Job, resolution: Resolution) -> bool:
    return (
        render.format is VideoFormat.MP4
        and render.resolution is resolution
        and render.aspect_ratio is job.aspect_ratio
        and render.burns_captions(job) == job.captions
    )


async def _ensure_default(ctx: StageContext) -> None:
    """The job's default render row (created here when the job has none yet)."""
    async with ctx.transaction() as (session, job):
        found = await session.scalar(
            select(Render.id).where(Render.job_id == job.id, Render.is_default.is_(True))
        )
        if found is not None:
            return
        session.add(
            Render(
                id=uuid.uuid4(),
                organization_id=job.organization_id,
                job_id=job.id,
                format=VideoFormat.MP4,
                resolution=Resolution(ctx.settings.render_resolution),
                aspect_ratio=job.aspect_ratio,
                is_default=True,
                status=RenderStatus.QUEUED,
            )
        )


async def _pending(ctx: StageContext) -> list[uuid.UUID]:
    async with ctx.transaction() as (session, job):
        return [render.id for render in await job_stages.renders_to_make(session, job)]


async def _render_one(ctx: StageContext, render_id: uuid.UUID) -> None:
    deps = ctx.deps
    resolution = Resolution(ctx.settings.render_resolution)
    async with ctx.transaction() as (session, job):
        render = await session.get(Render, render_id, populate_existing=True)
        if render is None or render.status not in (RenderStatus.QUEUED, RenderStatus.RENDERING):
            return
        if job.composition_asset_id is None:
            raise StageError(ErrorCode.INVALID_STATE.value, "the job has no composition yet")
        if render.asset_id is not None:  # stored by an earlier run that died before finishing
            await job_stages.render_completed(session, job, render, render.asset_id)
            ctx.reused += 1
            return
        if _is_default_shape(render, job, resolution):
            # the composition is already this output: record it, encode nothing
            await job_stages.render_completed(session, job, render, job.composition_asset_id)
            ctx.produced += 1
            return
        await job_stages.render_started(session, job, render)
        options = RenderOptions(
            format=render.format,
            resolution=render.resolution,
            aspect_ratio=render.aspect_ratio,
            quality=render.quality,
        )
        composition_id = job.composition_asset_id
        captions = render.burns_captions(job)
    output = ctx.work / f"render-{render_id.hex}.{EXTENSIONS[options.format]}"
    last = 0.0

    async def progress(fraction: float) -> None:
        nonlocal last
        if fraction - last < 0.1 or fraction >= 1.0:
            return
        last = fraction
        async with ctx.transaction() as (session, job):
            row = await session.get(Render, render_id, populate_existing=True)
            if row is not None and row.status is RenderStatus.RENDERING:
                await job_stages.render_progress(session, job, row, fraction)

    source = await _source(ctx, render_id, composition_id, options, captions)
    info = await deps.media.render(source, output, options, on_progress=progress)
    uploaded = await files.upload(
        deps.storage,
        ctx.org_id,
        files.Output(
            output,
            CONTENT_TYPES[options.format],
            AssetKind.VIDEO,
            width=info.width,
            height=info.height,
            duration_seconds=info.duration,
            video_codec=info.video_codec,
            audio_codec=info.audio_codec,
        ),
    )
    try:
        async with ctx.transaction() as (session, job):
            render = await session.get(Render, render_id, populate_existing=True)
            if render is None or render.status is not RenderStatus.RENDERING:
                raise StageError(ErrorCode.INVALID_STATE.value, "the render was withdrawn")
            asset = await files.add_asset(
                session,
                job,
                uploaded,
                AssetRole.RENDER,
                filename=f"ad-{render.resolution.value.lower()}.{EXTENSIONS[options.format]}",
            )
            await job_stages.render_completed(session, job, render, asset.id)
    except BaseException:
        await files.discard(deps.storage, uploaded)
        raise
    output.unlink(missing_ok=True)
    ctx.produced += 1


async def _source(
    ctx: StageContext,
    render_id: uuid.UUID,
    composition_id: uuid.UUID,
    options: RenderOptions,
    captions: bool,
) -> Path:
    """What an export encodes: the stored composition at the job's own aspect ratio and captions
    setting; otherwise the storyboard composed again with that aspect's layouts (the stored
    clips fitted to it, captions, panels, logo and end card placed for it) and the captions
    burned in or not, never the master letterboxed. Built-in scenes far from the export's
    shape are made again for its frame (``pipeline.aspect_clips``)."""
    async with ctx.transaction() as (session, job):
        if options.aspect_ratio is job.aspect_ratio and captions == job.captions:
            return await files.fetch(
                session, ctx.deps.storage, ctx.org_id, composition_id, ctx.work,
                what="the composition",
            )  # fmt: skip
    inputs = ctx.work / f"relaid-{render_id.hex}"
    inputs.mkdir(exist_ok=True)
    remade = await remake_clips(ctx, options.aspect_ratio, inputs)
    async with ctx.transaction() as (session, job):
        built = await build_composition(
            ctx, session, job, inputs, options.aspect_ratio, captions=captions, clips=remade
        )
    source = inputs / "composition.mp4"
    await ctx.deps.media.compose(built.composition, source)
    return source


async def run(ctx: StageContext) -> None:
    """Render the default output (first) and every queued export."""
    await _ensure_default(ctx)
    pending = await _pending(ctx)
    for index, render_id in enumerate(pending):
        await _render_one(ctx, render_id)
        await ctx.report((index + 1) / len(pending), "rendering", force=True)


__all__ = ["run"]
