"""STORYBOARD: one key image per scene, from the job's image provider (a scene cut from
uploaded footage takes the footage's frame at its in-point, see ``pipeline.footage``).

Checkpoint: ``scenes.image_asset_id``. A scene whose image is stored is never drawn again; the
provider call of a scene is keyed by what the image depends on (prompt, title, shot, assets,
feedback, size), so a crash between the call and the scene update reuses the stored result,
while an edit of the scene asks for a new image. Scenes run in parallel (``scene_concurrency``).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from domain.enums import AssetKind, AssetRole, AssetStatus
from domain.errors import InvalidState
from domain.media.types import Size
from domain.models import Asset, Scene
from domain.ports.providers import ImageRequest
from domain.rules.budget import money
from domain.rules.characters import character_in_key_image
from domain.rules.pricing import ProviderKind
from domain.services import job_stages
from domain.services.jobs.queries import scenes_of
from domain.services.pipeline import files, ledger, rewrite
from domain.services.pipeline.brand import resolve_brand, working_size
from domain.services.pipeline.calls import attempt_call
from domain.services.pipeline.context import StageContext
from domain.services.pipeline.errors import StageError, classify
from domain.services.pipeline.footage import footage_image
from domain.services.pipeline.shared import (
    fingerprint,
    first_error,
    run_bounded,
    scene_seed,
)

#: Roles of a brand asset a key image is built around, by preference.
_SOURCE_ROLES = (AssetRole.PRODUCT, AssetRole.CHARACTER, AssetRole.BACKGROUND)


async def source_asset(ctx: StageContext, scene: Scene) -> Asset | None:
    """The first image asset of the scene with a role a key image is built around."""
    ids: list[uuid.UUID] = []
    for value in scene.asset_ids or []:
        try:
            ids.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    if not ids:
        return None
    async with ctx.deps.session_factory() as session:
        rows = list(
            await session.scalars(
                select(Asset).where(
                    Asset.organization_id == ctx.org_id,
                    Asset.id.in_(ids),
                    Asset.kind == AssetKind.IMAGE,
                    Asset.role.in_(_SOURCE_ROLES),
                    Asset.status == AssetStatus.READY,
                )
            )
        )
    for role in _SOURCE_ROLES:
        for asset_id in ids:
            match = next((a for a in rows if a.id == asset_id and a.role is role), None)
            if match is not None:
                return match
    return None


def key_image_request(
    scene: Scene,
    size: Size,
    colors: tuple[str, ...],
    source: Path | None,
    source_role: AssetRole | None,
    character: Path | None = None,
) -> ImageRequest:
    """The key image request of ``scene`` at ``size`` (its latest feedback, its seed)."""
    return ImageRequest(
        size=size,
        title=scene.title,
        prompt=scene.prompt,
        shot_type=scene.shot_type,
        brand_colors=colors,
        source_image=source,
        source_role=source_role,
        text="",  # no words in key images: captions and the end card are drawn at composition
        seed=scene_seed(scene.id),
        feedback=scene.feedback[-1] if scene.feedback else None,
        character_image=character,
    )


async def _scene_image(
    ctx: StageContext, scene_id: uuid.UUID, size: Size, colors: tuple[str, ...]
) -> None:
    deps = ctx.deps
    async with ctx.transaction() as (session, job):
        scene = await session.get(Scene, scene_id, populate_existing=True)
        if scene is None:
            return
        if scene.image_asset_id is not None:
            ctx.reused += 1
            return
        ref, provider = deps.providers.image_for(job.providers)
        clip_ref = deps.providers.choice(job.providers).ref(ProviderKind.VIDEO)
        feedback = scene.feedback[-1] if scene.feedback else None
    if scene.footage_asset_id is not None:
        await footage_image(ctx, scene_id, size)  # the footage's frame: nothing is generated
        return
    source = await source_asset(ctx, scene)
    drawn = character_in_key_image(ref, clip_ref, source.role if source else None)
    character_id = scene.character_asset_id if drawn else None
    key = ledger.call_key(
        ctx.job_id,
        "image",
        scene.id,
        fingerprint(
            ref, scene.title, scene.prompt, scene.shot_type, source.id if source else None,
            feedback, scene.refinements, size, colors,
            *([character_id] if character_id else []),
        ),
    )  # fmt: skip
    spec = ledger.CallSpec(
        key=key,
        stage=ctx.stage,
        operation="image",
        provider=ref,
        model=getattr(provider, "model", ""),
        estimate_usd=deps.providers.estimate(ProviderKind.IMAGE, ref),
        scene_id=scene.id,
    )
    call = await ledger.reserve(deps.session_factory, ctx.org_id, ctx.job_id, spec)
    if call.asset_id is not None:  # stored by a run that died before updating the scene
        async with ctx.transaction() as (session, job):
            row = await session.get(Scene, scene_id, populate_existing=True)
            if row is not None and row.image_asset_id is None:
                await job_stages.scene_image_ready(session, job, row, call.asset_id)
        ctx.reused += 1
        return
    async with ctx.transaction() as (session, job):
        row = await session.get(Scene, scene_id, populate_existing=True)
        assert row is not None
        source_path = await files.fetch_source(session, deps.storage, ctx.org_id, source, ctx.work)
        character = await files.fetch_optional(
            session, deps.storage, ctx.org_id, character_id, ctx.work,
            what=f"the character of scene {scene.position + 1}",
        )  # fmt: skip
        await job_stages.scene_image_started(session, job, row)  # after the reads: no lock held
    request = key_image_request(
        scene, size, colors, source_path, source.role if source else None, character
    )
    output = ctx.work / f"image-{scene.id.hex}.png"
    generated = await attempt_call(ctx, call, lambda: provider.generate_image(request, output))
    uploaded = await files.upload(
        deps.storage,
        ctx.org_id,
        files.Output(generated.path, "image/png", AssetKind.IMAGE, size.width, size.height),
    )
    try:
        async with ctx.transaction() as (session, job):
            row = await session.get(Scene, scene_id, populate_existing=True)
            assert row is not None
            asset = await files.add_asset(
                session, job, uploaded, AssetRole.STORYBOARD,
                filename=f"scene-{row.position + 1}.png",
            )  # fmt: skip
            await ledger.record_success(
                session,
                call.id,
                cost_usd=money(Decimal(str(generated.cost_usd))),
                asset_id=asset.id,
            )
            await job_stages.scene_image_ready(session, job, row, asset.id)
            await job_stages.note_cost_variance(session, job)
    except BaseException:
        await files.discard(deps.storage, uploaded)
        raise
    ctx.produced += 1


async def _fail_scene(ctx: StageContext, scene_id: uuid.UUID, error: StageError) -> None:
    async with ctx.transaction() as (session, job):
        scene = await session.get(Scene, scene_id, populate_existing=True)
        if scene is not None and scene.image_asset_id is None:
            await job_stages.scene_failed(session, job, scene, error)


async def run(ctx: StageContext) -> None:
    """Write again the words of scenes regenerated with feedback, then draw every scene's
    missing key image."""
    await rewrite.run(ctx)
    async with ctx.transaction() as (session, job):
        scenes = await scenes_of(session, job)
        if not scenes:
            raise StageError("INVALID_STATE", "the job has no scenes to draw")
        brand = await resolve_brand(session, job, scenes)
        size = working_size(ctx.settings, job.aspect_ratio)
    total = len(scenes)
    done = sum(1 for s in scenes if s.image_asset_id is not None)

    def job_for(scene_id: uuid.UUID) -> Callable[[], Awaitable[None]]:
        async def draw() -> None:
            nonlocal done
            try:
                await _scene_image(ctx, scene_id, size, brand.colors)
            except InvalidState:
                raise
            except Exception as exc:
                await _fail_scene(ctx, scene_id, classify(exc, ctx.stage))
                raise
            done += 1
            await ctx.report(done / total, "key images", force=True)

        return draw

    failures = await run_bounded(
        ctx.settings.scene_concurrency,
        [job_for(s.id) for s in scenes if s.image_asset_id is None],
    )
    error = first_error(failures, ctx)
    if error is not None:
        raise error


__all__ = ["key_image_request", "run", "source_asset"]
