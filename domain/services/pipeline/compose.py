"""COMPOSE: the scene clips, transitions, captions, logo, end card, music and the voice (each
scene's narration, or an uploaded voice-over; the music ducks under it) become one ad.

A narrated job's captions follow the speech: short phrases timed from each scene's word timings
(burned in when the job has captions), also stored as SRT and WebVTT files (CAPTIONS assets).

Checkpoint: ``jobs.composition_asset_id``. A job whose composition is stored composes nothing;
editing a scene clears it (the jobs service does), and the next run composes again from the
stored clips.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import (
    AspectRatio,
    AssetKind,
    AssetRole,
    CaptionStyle,
    FootageAudio,
    SceneBeat,
    SceneLayout,
)
from domain.errors import ErrorCode
from domain.media.composition import Composition, SceneClip, TimedCaption, VoiceOver
from domain.media.timing import DEFAULT_FPS, plan_timeline
from domain.models import Asset, Job
from domain.rules.captions import Cue, caption_cues, shift, to_srt, to_webvtt
from domain.rules.narration import LEAD_SECONDS
from domain.services import job_stages
from domain.services.jobs.queries import scenes_of
from domain.services.pipeline import files
from domain.services.pipeline.brand import resolve_brand, working_size
from domain.services.pipeline.context import StageContext
from domain.services.pipeline.errors import StageError
from domain.services.pipeline.layouts import callouts_of, plan_layouts
from domain.services.pipeline.narration import words_from_json
from domain.services.pipeline.warnings import note_logo_size


async def _stored_composition(ctx: StageContext) -> bool:
    async with ctx.transaction() as (session, job):
        if job.composition_asset_id is None:
            return False
        asset = await session.get(Asset, job.composition_asset_id)
        return asset is not None and asset.storage_key is not None


@dataclass(frozen=True, slots=True)
class Built:
    """A job's composition at one frame size, its caption cues, and its layouts' product share."""

    composition: Composition
    cues: list[Cue]
    product_share: float
    logo_id: uuid.UUID | None = None


async def build_composition(
    ctx: StageContext,
    session: AsyncSession,
    job: Job,
    inputs: Path,
    aspect: AspectRatio,
    *,
    captions: bool | None = None,
    clips: Mapping[uuid.UUID, Path] | None = None,
) -> Built:
    """The job's composition laid out for ``aspect`` (the job's own or another: the stored
    clips are fitted to it, layouts, captions, logo and end card placed for it), at the
    working resolution, its files in ``inputs``; the captions (the speech's timed phrases, a
    silent full-frame scene's line) burned in as ``captions`` says (None: as the job has them),
    the layouts planned for the job's own setting either way; ``clips`` (scene ID -> clip)
    replaces stored clips with ones made for that aspect (``pipeline.aspect_clips``)."""
    burned = job.captions if captions is None else captions
    size = working_size(ctx.settings, aspect)
    deps = ctx.deps
    scenes = await scenes_of(session, job)
    if not scenes:
        raise StageError(ErrorCode.INVALID_STATE.value, "the job has no scenes")
    brand = await resolve_brand(session, job, scenes)
    plan = await plan_layouts(session, job, scenes, aspect)
    made = clips or {}
    laid: list[SceneClip] = []
    for scene, layout in zip(scenes, plan.layouts, strict=True):
        if scene.clip_asset_id is None:
            raise StageError(
                ErrorCode.INVALID_STATE.value,
                f"scene {scene.position + 1} has no clip yet",
            )
        path = made.get(scene.id) or await files.fetch(
            session,
            deps.storage,
            ctx.org_id,
            scene.clip_asset_id,
            inputs,
            what=f"the clip of scene {scene.position + 1}",
        )
        spoken = scene.narration_asset_id is not None
        designed = layout is not SceneLayout.FULL  # the layout sets the words itself
        # a designed layout's words are part of its design (planned for the job's captions);
        # the rest is the captions an export may burn in or not
        caption = scene.caption if designed or (burned and not spoken) else None
        sound = scene.footage_asset_id is not None and scene.footage_audio is FootageAudio.MIX
        laid.append(
            SceneClip(
                path, scene.duration_seconds, scene.transition, caption, sound=sound,
                layout=layout,
            )
        )  # fmt: skip

    async def fetch(asset_id: uuid.UUID | None, what: str) -> Path | None:
        return await files.fetch_optional(
            session, deps.storage, ctx.org_id, asset_id, inputs, what=what
        )

    logo = await fetch(brand.logo_id, "the logo")
    music = await fetch(brand.music_id, "the music track")
    voiceover = await fetch(brand.voiceover_id, "the voice-over")
    font = await fetch(brand.font_id, "the brand font")
    timeline = plan_timeline(
        [s.duration_seconds for s in scenes], [s.transition for s in scenes], fps=DEFAULT_FPS
    )
    voice: list[VoiceOver] = [VoiceOver(voiceover, 0.0)] if voiceover else []
    cues: list[Cue] = []
    for index, scene in enumerate(scenes):
        if scene.narration_asset_id is None or voiceover:
            continue
        start = timeline.start_seconds(index) + LEAD_SECONDS
        path = await files.fetch(
            session, deps.storage, ctx.org_id, scene.narration_asset_id, inputs,
            what=f"the narration of scene {scene.position + 1}",
        )  # fmt: skip
        voice.append(VoiceOver(path, start))
        words = shift(words_from_json(scene.narration_words), start)
        cues.extend(caption_cues(words, timeline.fps))
    burn = bool(cues) and burned
    composition = Composition(
        scenes=tuple(laid),
        size=size,
        brand_colors=brand.colors,
        logo=logo,
        font=font,
        call_to_action=brand.call_to_action,
        end_card_headline=brand.headline,
        end_card_scene=scenes[-1].beat is SceneBeat.END_CARD,
        music=music,
        voice=tuple(voice),
        timed_captions=tuple(_timed(c) for c in cues) if burn else (),
        caption_style=caption_style(dict(job.brief or {})),
        features=callouts_of(job),
    )
    return Built(composition, cues, plan.product_share(timeline), brand.logo_id)


async def run(ctx: StageContext) -> None:
    """Compose the job's clips into its master MP4 (once)."""
    if await _stored_composition(ctx):
        ctx.reused += 1
        return
    deps = ctx.deps
    inputs = ctx.work / "inputs"
    inputs.mkdir()
    async with ctx.transaction() as (session, job):
        built = await build_composition(ctx, session, job, inputs, job.aspect_ratio)
        size = built.composition.size
        await note_logo_size(session, job, built.logo_id, size)
    composition, cues, share = built.composition, built.cues, built.product_share
    output = ctx.work / "composition.mp4"

    async def progress(fraction: float) -> None:
        await ctx.report(fraction * 0.95, f"composing (product shots on screen {share:.0%})")

    info = await deps.media.compose(composition, output, on_progress=progress)
    subtitles = await _upload_captions(ctx, cues)
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
            await _add_captions(session, job, subtitles)
            await job_stages.composition_ready(session, job, asset.id, share)
    except BaseException:
        await files.discard(deps.storage, uploaded)
        for sub in subtitles:
            await files.discard(deps.storage, sub)
        raise
    ctx.produced += 1


def _timed(cue: Cue) -> TimedCaption:
    """A cue as the engine burns it in, with when each of its words is spoken."""
    words = tuple((w.start_frame / cue.fps, w.end_frame / cue.fps) for w in cue.words)
    return TimedCaption(cue.text, cue.start, cue.end, words)


def caption_style(brief: dict[str, object]) -> CaptionStyle:
    """The brief's caption style (BOX when it names none, or one this version does not know)."""
    name = str(brief.get("caption_style") or "")
    return CaptionStyle(name) if name in CaptionStyle.__members__ else CaptionStyle.BOX


#: The caption files of a narrated ad: (file name, content type, writer).
CAPTION_FILES = (("captions.srt", "application/x-subrip"), ("captions.vtt", "text/vtt"))


async def _upload_captions(ctx: StageContext, cues: list[Cue]) -> list[files.Uploaded]:
    """Write the SRT and WebVTT files of ``cues`` to storage (none without cues)."""
    if not cues:
        return []
    texts = (to_srt(cues), to_webvtt(cues))
    uploaded: list[files.Uploaded] = []
    try:
        for (name, content_type), text in zip(CAPTION_FILES, texts, strict=True):
            path = ctx.work / name
            path.write_text(text, encoding="utf-8")
            uploaded.append(
                await files.upload(
                    ctx.deps.storage, ctx.org_id, files.Output(path, content_type, None)
                )
            )
    except BaseException:
        for sub in uploaded:
            await files.discard(ctx.deps.storage, sub)
        raise
    return uploaded


async def _add_captions(session: AsyncSession, job: Job, uploaded: list[files.Uploaded]) -> None:
    for sub, (name, _) in zip(uploaded, CAPTION_FILES, strict=False):
        await files.add_asset(session, job, sub, AssetRole.CAPTIONS, filename=name)


__all__ = ["CAPTION_FILES", "run"]
