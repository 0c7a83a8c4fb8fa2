"""Storing a scene's finished clip: the clip and its exact last frame become the scene's CLIP and
LAST_FRAME assets in one transaction (with the provider call's price, for a paid clip).

Shared by generated clips (``pipeline.clips``) and clips cut from footage (``pipeline.footage``).
Uploaded files are removed again when the transaction fails, so nothing is left half stored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from domain.enums import AssetKind, AssetRole
from domain.media.types import Size
from domain.models import Scene
from domain.services import job_stages
from domain.services.pipeline import files, ledger
from domain.services.pipeline.context import StageContext


@dataclass(frozen=True, slots=True)
class PaidCall:
    """The ledger call that made the clip and what it cost."""

    call_id: uuid.UUID
    cost_usd: Decimal


async def store_clip(
    ctx: StageContext, scene_id: uuid.UUID, clip: Path, size: Size, *, paid: PaidCall | None = None
) -> None:
    """Store ``clip`` (and its last frame, extracted here) as the scene's clip, record ``paid``'s
    success and the cost variance, remove the local files and report the clip ready."""
    deps = ctx.deps
    frame = ctx.work / f"last-{scene_id.hex}.png"
    await deps.media.last_frame(clip, frame)
    info = await deps.media.probe(clip)
    clip_upload = await files.upload(
        deps.storage,
        ctx.org_id,
        files.Output(
            clip, "video/mp4", AssetKind.VIDEO, info.width, info.height, info.duration,
            info.video_codec, info.audio_codec,
        ),
    )  # fmt: skip
    frame_upload: files.Uploaded | None = None
    try:
        frame_upload = await files.upload(
            deps.storage,
            ctx.org_id,
            files.Output(frame, "image/png", AssetKind.IMAGE, size.width, size.height),
        )
        async with ctx.transaction() as (session, job):
            row = await session.get(Scene, scene_id, populate_existing=True)
            assert row is not None
            number = row.position + 1
            clip_asset = await files.add_asset(
                session, job, clip_upload, AssetRole.CLIP, filename=f"scene-{number}.mp4"
            )
            frame_asset = await files.add_asset(
                session, job, frame_upload, AssetRole.LAST_FRAME,
                filename=f"scene-{number}-last-frame.png",
            )  # fmt: skip
            if paid is not None:
                await ledger.record_success(
                    session, paid.call_id, cost_usd=paid.cost_usd, asset_id=clip_asset.id
                )
            await job_stages.scene_clip_ready(session, job, row, clip_asset.id, frame_asset.id)
            if paid is not None:
                await job_stages.note_cost_variance(session, job)
    except BaseException:
        await files.discard(deps.storage, clip_upload)
        await files.discard(deps.storage, frame_upload)
        raise
    for path in (clip, frame):
        path.unlink(missing_ok=True)
    ctx.produced += 1
    await ctx.scene_progress(scene_id, 1.0, "clip ready")


__all__ = ["PaidCall", "store_clip"]
