"""CLIPS: one clip per scene from its key image, plus the clip's exact last frame (a scene with
uploaded footage has its clip cut from it instead, see ``pipeline.footage``).

Scenes form *chains*: a CUT scene starts a chain, each CONTINUE scene after it joins it. A
CONTINUE clip must open on the previous clip's exact last frame (stored as its LAST_FRAME asset),
so a chain renders in order; separate chains render in parallel (``scene_concurrency``).

Checkpoint: ``scenes.clip_asset_id`` (and ``last_frame_asset_id``). A stored clip is never
rendered again; its provider call is keyed by everything the clip depends on (key image, start
frame, frame count, size), so a crash between the call and the scene update reuses the result.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from domain.enums import AssetKind, AssetRole, SceneContinuity
from domain.errors import ErrorCode, InvalidState
from domain.media.timing import DEFAULT_FPS, Timeline, plan_timeline
from domain.media.types import Size
from domain.models import Asset, Scene
from domain.ports.providers import VideoRequest
from domain.rules.budget import money
from domain.rules.characters import continuity_with_characters
from domain.rules.pricing import BUILTIN, ProviderKind
from domain.services import job_stages
from domain.services.jobs.queries import scenes_of
from domain.services.pipeline import files, ledger, narration
from domain.services.pipeline.brand import working_size
from domain.services.pipeline.calls import attempt_call
from domain.services.pipeline.clip_store import PaidCall, store_clip
from domain.services.pipeline.context import StageContext
from domain.services.pipeline.errors import StageError, classify
from domain.services.pipeline.footage import footage_clip
from domain.services.pipeline.shared import (
    fingerprint,
    first_error,
    run_bounded,
    scene_seed,
)


def chains(continuity: Sequence[SceneContinuity]) -> list[list[int]]:
    """Scene indexes grouped into chains: a new chain at every CUT (and at the first scene)."""
    groups: list[list[int]] = []
    for index, kind in enumerate(continuity):
        if index == 0 or kind is not SceneContinuity.CONTINUE:
            groups.append([index])
        else:
            groups[-1].append(index)
    return groups


@dataclass(frozen=True, slots=True)
class _Plan:
    scene_ids: tuple[uuid.UUID, ...]
    timeline: Timeline
    size: Size
    continuity: tuple[SceneContinuity, ...]


async def _is_stored(ctx: StageContext, asset_id: uuid.UUID | None) -> bool:
    if asset_id is None:
        return False
    async with ctx.deps.session_factory() as session:
        asset = await session.get(Asset, asset_id)
        return asset is not None and asset.storage_key is not None


async def _store_last_frame(ctx: StageContext, scene_id: uuid.UUID, clip_id: uuid.UUID) -> None:
    """Extract and store the last frame of a stored clip whose last frame is missing."""
    deps = ctx.deps
    async with ctx.transaction() as (session, _job):
        clip_path = await files.fetch(
            session, deps.storage, ctx.org_id, clip_id, ctx.work, what="a stored clip"
        )
    frame = ctx.work / f"last-{scene_id.hex}.png"
    await deps.media.last_frame(clip_path, frame)
    info = await deps.media.probe(frame)
    uploaded = await files.upload(
        deps.storage,
        ctx.org_id,
        files.Output(frame, "image/png", AssetKind.IMAGE, info.width, info.height),
    )
    try:
        async with ctx.transaction() as (session, job):
            scene = await session.get(Scene, scene_id, populate_existing=True)
            assert scene is not None
            asset = await files.add_asset(session, job, uploaded, AssetRole.LAST_FRAME)
            await job_stages.scene_clip_ready(session, job, scene, clip_id, asset.id)
    except BaseException:
        await files.discard(deps.storage, uploaded)
        raise


def clip_request(
    scene: Scene,
    image: Path,
    size: Size,
    frames: int,
    fps: int,
    start: Path | None = None,
    character: Path | None = None,
) -> VideoRequest:
    """The clip request of ``scene``: ``frames`` at ``fps`` from its key image ``image``
    (opening on ``start``, the previous clip's last frame, when it continues it)."""
    return VideoRequest(
        image=image,
        size=size,
        duration_seconds=frames / fps,
        fps=fps,
        shot_type=scene.shot_type,
        prompt=scene.prompt,
        start_image=start,
        seed=scene_seed(scene.id),
        character_image=character,
    )


async def _scene_clip(ctx: StageContext, plan: _Plan, index: int) -> None:
    deps = ctx.deps
    scene_id = plan.scene_ids[index]
    continues = index > 0 and plan.continuity[index] is SceneContinuity.CONTINUE
    async with ctx.transaction() as (session, job):
        scene = await session.get(Scene, scene_id, populate_existing=True)
        if scene is None:
            return
        previous = (
            await session.get(Scene, plan.scene_ids[index - 1], populate_existing=True)
            if continues
            else None
        )
        ref, provider = deps.providers.video_for(job.providers)
    if await _is_stored(ctx, scene.clip_asset_id):
        assert scene.clip_asset_id is not None
        if not await _is_stored(ctx, scene.last_frame_asset_id):
            await _store_last_frame(ctx, scene_id, scene.clip_asset_id)
        ctx.reused += 1
        return
    if scene.footage_asset_id is not None:  # cut from uploaded footage: nothing is generated
        await footage_clip(
            ctx, scene_id, size=plan.size, frames=plan.timeline.clip_frames(index),
            fps=plan.timeline.fps,
        )  # fmt: skip
        return
    if scene.image_asset_id is None:
        raise StageError(
            ErrorCode.INVALID_STATE.value,
            f"scene {scene.position + 1} has no key image: regenerate it, then retry",
        )
    start_frame_id = previous.last_frame_asset_id if previous is not None else None
    if continues and start_frame_id is None:
        raise StageError(
            ErrorCode.INVALID_STATE.value,
            f"scene {scene.position + 1} continues a scene whose clip is not rendered",
        )
    frames = plan.timeline.clip_frames(index)
    fps = plan.timeline.fps
    character_id = scene.character_asset_id
    key = ledger.call_key(
        ctx.job_id,
        "clip",
        scene.id,
        fingerprint(ref, scene.image_asset_id, start_frame_id, frames, fps, plan.size,
                    scene.shot_type, scene.prompt, *([character_id] if character_id else [])),
    )  # fmt: skip
    seconds = frames / fps
    spec = ledger.CallSpec(
        key=key,
        stage=ctx.stage,
        operation="video",
        provider=ref,
        model=getattr(provider, "model", ""),
        estimate_usd=deps.providers.estimate(ProviderKind.VIDEO, ref, seconds=seconds),
        scene_id=scene.id,
    )
    call = await ledger.reserve(deps.session_factory, ctx.org_id, ctx.job_id, spec)
    clip_id = call.asset_id
    if clip_id is not None and await _is_stored(ctx, clip_id):
        await _store_last_frame(ctx, scene_id, clip_id)  # a run died before updating the scene
        ctx.reused += 1
        return
    async with ctx.transaction() as (session, job):
        row = await session.get(Scene, scene_id, populate_existing=True)
        assert row is not None
        image = await files.fetch(
            session, deps.storage, ctx.org_id, scene.image_asset_id, ctx.work,
            what=f"the key image of scene {scene.position + 1}",
        )  # fmt: skip
        start = await files.fetch_optional(
            session, deps.storage, ctx.org_id, start_frame_id, ctx.work,
            what=f"the last frame of scene {scene.position}",
        )  # fmt: skip
        character = await files.fetch_optional(
            session, deps.storage, ctx.org_id, character_id, ctx.work,
            what=f"the character of scene {scene.position + 1}",
        )  # fmt: skip
        await job_stages.scene_clip_started(session, job, row)  # after the reads: no lock held
    request = clip_request(scene, image, plan.size, frames, fps, start, character)
    raw = ctx.work / f"raw-{scene.id.hex}.mp4"

    async def progress(fraction: float) -> None:
        await ctx.scene_progress(scene_id, fraction * 0.9, "rendering clip")

    generated = await attempt_call(
        ctx, call, lambda: provider.generate_clip(request, raw, on_progress=progress)
    )
    clip = generated.path
    if ref != BUILTIN:  # a provider's clip is re-gridded to the exact frames, size and rate
        clip = await deps.media.normalize_clip(
            generated.path, ctx.work / f"clip-{scene.id.hex}.mp4",
            size=plan.size, frames=frames, fps=fps,
        )  # fmt: skip
    cost = money(Decimal(str(generated.cost_usd)))
    await store_clip(ctx, scene_id, clip, plan.size, paid=PaidCall(call.id, cost))
    for path in (raw, image):
        path.unlink(missing_ok=True)


async def _fail_scene(ctx: StageContext, scene_id: uuid.UUID, error: StageError) -> None:
    async with ctx.transaction() as (session, job):
        scene = await session.get(Scene, scene_id, populate_existing=True)
        if scene is not None and scene.clip_asset_id is None:
            await job_stages.scene_failed(session, job, scene, error)


async def run(ctx: StageContext) -> None:
    """Narrate a voiced job's scenes (fixing their durations), then render every scene's
    missing clip: chains in parallel, each chain in order."""
    await narration.run(ctx)
    async with ctx.transaction() as (session, job):
        scenes = await scenes_of(session, job)
        if not scenes:
            raise StageError(ErrorCode.INVALID_STATE.value, "the job has no scenes")
        plan = _Plan(
            scene_ids=tuple(s.id for s in scenes),
            timeline=plan_timeline(
                [s.duration_seconds for s in scenes],
                [s.transition for s in scenes],
                fps=DEFAULT_FPS,
            ),
            size=working_size(ctx.settings, job.aspect_ratio),
            continuity=tuple(
                continuity_with_characters(
                    [s.continuity for s in scenes],
                    [str(s.character_asset_id) if s.character_asset_id else None for s in scenes],
                )
            ),
        )
    total = len(scenes)
    done = 0

    def chain_job(indexes: list[int]) -> Callable[[], Awaitable[None]]:
        async def render_chain() -> None:
            nonlocal done
            for index in indexes:
                try:
                    await _scene_clip(ctx, plan, index)
                except InvalidState:
                    raise
                except Exception as exc:
                    await _fail_scene(ctx, plan.scene_ids[index], classify(exc, ctx.stage))
                    raise
                done += 1
                await ctx.report(done / total, "clips", force=True)

        return render_chain

    failures = await run_bounded(
        ctx.settings.scene_concurrency, [chain_job(c) for c in chains(plan.continuity)]
    )
    error = first_error(failures, ctx)
    if error is not None:
        raise error


__all__ = ["chains", "clip_request", "run"]
