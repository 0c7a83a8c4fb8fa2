"""Scenes cut from uploaded footage: their key image and clip come from the video, not a provider.

Used by the STORYBOARD and CLIPS stages for a scene with ``footage_asset_id``. Nothing is
generated, so no provider call is reserved in the ledger and the scene costs nothing. The
in-point is the scene's ``trim_start_seconds`` or, without one, a steady moment the media
engine measures (the same for the key image and the clip: the key image is the clip's first
frame). The clip is stored like a generated one (a CLIP asset and its LAST_FRAME), so a scene
after it can CONTINUE from its exact last frame.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from domain.enums import AssetKind, AssetRole
from domain.media.types import Size
from domain.models import Scene
from domain.services import job_stages
from domain.services.pipeline import files
from domain.services.pipeline.clip_store import store_clip
from domain.services.pipeline.context import StageContext


async def _source(ctx: StageContext, scene: Scene) -> Path:
    assert scene.footage_asset_id is not None
    async with ctx.deps.session_factory() as session:
        return await files.fetch(
            session, ctx.deps.storage, ctx.org_id, scene.footage_asset_id, ctx.work,
            what=f"the footage of scene {scene.position + 1}",
        )  # fmt: skip


async def _start(ctx: StageContext, scene: Scene, source: Path) -> float:
    cut = await ctx.deps.media.footage_cut(
        source, trim_start=scene.trim_start_seconds, scene_seconds=scene.duration_seconds
    )
    return cut.start_seconds


async def footage_image(ctx: StageContext, scene_id: uuid.UUID, size: Size) -> None:
    """Store the footage's frame at the in-point as the scene's key image."""
    deps = ctx.deps
    async with ctx.transaction() as (session, job):
        scene = await session.get(Scene, scene_id, populate_existing=True)
        if scene is None or scene.image_asset_id is not None:
            return
        await job_stages.scene_image_started(session, job, scene)
    source = await _source(ctx, scene)
    output = ctx.work / f"image-{scene.id.hex}.png"
    await deps.media.footage_still(
        source, output, size=size, start_seconds=await _start(ctx, scene, source)
    )
    uploaded = await files.upload(
        deps.storage,
        ctx.org_id,
        files.Output(output, "image/png", AssetKind.IMAGE, size.width, size.height),
    )
    try:
        async with ctx.transaction() as (session, job):
            row = await session.get(Scene, scene_id, populate_existing=True)
            assert row is not None
            asset = await files.add_asset(
                session, job, uploaded, AssetRole.STORYBOARD,
                filename=f"scene-{row.position + 1}.png",
            )  # fmt: skip
            await job_stages.scene_image_ready(session, job, row, asset.id)
    except BaseException:
        await files.discard(deps.storage, uploaded)
        raise
    output.unlink(missing_ok=True)
    ctx.produced += 1


async def footage_clip(
    ctx: StageContext, scene_id: uuid.UUID, *, size: Size, frames: int, fps: int
) -> None:
    """Cut the scene's clip (``frames`` frames at ``fps``) from its footage, store it and its
    exact last frame."""
    deps = ctx.deps
    async with ctx.transaction() as (session, job):
        scene = await session.get(Scene, scene_id, populate_existing=True)
        if scene is None:
            return
        await job_stages.scene_clip_started(session, job, scene)
    source = await _source(ctx, scene)
    start = await _start(ctx, scene, source)

    async def progress(fraction: float) -> None:
        await ctx.scene_progress(scene_id, fraction * 0.9, "cutting footage")

    clip = await deps.media.footage_clip(
        source, ctx.work / f"clip-{scene.id.hex}.mp4",
        size=size, frames=frames, fps=fps, start_seconds=start, on_progress=progress,
    )  # fmt: skip
    await store_clip(ctx, scene_id, clip, size)


__all__ = ["footage_clip", "footage_image"]
