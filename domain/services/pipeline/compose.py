"""COMPOSE: the scene clips, transitions, captions, logo, end card, music and an uploaded
voice-over (the music ducks under it) become one ad.

Checkpoint: ``jobs.composition_asset_id``. A job whose composition is stored composes nothing;
editing a scene clears it (the jobs service does), and the next run composes again from the
stored clips.
"""

from __future__ import annotations

from domain.enums import AssetKind, AssetRole, FootageAudio, SceneBeat
from domain.errors import ErrorCode
from domain.media.composition import Composition, SceneClip, VoiceOver
from domain.models import Asset
from domain.services import job_stages
from domain.services.jobs.queries import scenes_of
from domain.services.pipeline import files
from domain.services.pipeline.brand import resolve_brand, working_size
from domain.services.pipeline.context import StageContext
from domain.services.pipeline.errors import StageError
from domain.services.pipeline.warnings import note_logo_size


async def _stored_composition(ctx: StageContext) -> bool:
    async with ctx.transaction() as (session, job):
        if job.composition_asset_id is None:
            return False
        asset = await session.get(Asset, job.composition_asset_id)
        return asset is not None and asset.storage_key is not None


async def run(ctx: StageContext) -> None:
    """Compose the job's clips into its master MP4 (once)."""
    if await _stored_composition(ctx):
        ctx.reused += 1
        return
    deps = ctx.deps
    inputs = ctx.work / "inputs"
    inputs.mkdir()
    async with ctx.transaction() as (session, job):
        scenes = await scenes_of(session, job)
        if not scenes:
            raise StageError(ErrorCode.INVALID_STATE.value, "the job has no scenes")
        brand = await resolve_brand(session, job, scenes)
        size = working_size(ctx.settings, job.aspect_ratio)
        await note_logo_size(session, job, brand.logo_id, size)
        clips: list[SceneClip] = []
        for scene in scenes:
            if scene.clip_asset_id is None:
                raise StageError(
                    ErrorCode.INVALID_STATE.value,
                    f"scene {scene.position + 1} has no clip yet",
                )
            path = await files.fetch(
                session,
                deps.storage,
                ctx.org_id,
                scene.clip_asset_id,
                inputs,
                what=f"the clip of scene {scene.position + 1}",
            )
            caption = scene.caption if job.captions else None
            sound = scene.footage_asset_id is not None and scene.footage_audio is FootageAudio.MIX
            clips.append(
                SceneClip(path, scene.duration_seconds, scene.transition, caption, sound=sound)
            )
        logo = (
            await files.fetch(
                session, deps.storage, ctx.org_id, brand.logo_id, inputs, what="the logo"
            )
            if brand.logo_id
            else None
        )
        music = (
            await files.fetch(
                session, deps.storage, ctx.org_id, brand.music_id, inputs, what="the music track"
            )
            if brand.music_id
            else None
        )
        voiceover = (
            await files.fetch(
                session, deps.storage, ctx.org_id, brand.voiceover_id, inputs, what="the voice-over"
            )
            if brand.voiceover_id
            else None
        )
    composition = Composition(
        scenes=tuple(clips),
        size=size,
        brand_colors=brand.colors,
        logo=logo,
        call_to_action=brand.call_to_action,
        end_card_headline=brand.headline,
        end_card_scene=scenes[-1].beat is SceneBeat.END_CARD,
        music=music,
        voice=(VoiceOver(voiceover, 0.0),) if voiceover else (),
    )
    output = ctx.work / "composition.mp4"

    async def progress(fraction: float) -> None:
        await ctx.report(fraction * 0.95, "composing")

    info = await deps.media.compose(composition, output, on_progress=progress)
    uploaded = await files.upload(
        deps.storage,
        ctx.org_id,
        files.Output(
            output,
            "video/mp4",
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
            asset = await files.add_asset(
                session, job, uploaded, AssetRole.RENDER, filename="composition.mp4"
            )
            await job_stages.composition_ready(session, job, asset.id)
    except BaseException:
        await files.discard(deps.storage, uploaded)
        raise
    ctx.produced += 1


__all__ = ["run"]
