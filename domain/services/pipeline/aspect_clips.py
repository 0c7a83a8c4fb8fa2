"""Clips made again for an export to another aspect ratio (built-in scenes only).

The stored clips are made for the job's own aspect; cover-fitted to a frame of another shape
they lose much of the picture (a 16:9 clip in a 9:16 frame keeps 32% of its width: a subject
beside the centre is cut off). When a cover fit would keep less than :data:`REMAKE_BELOW` of
a clip, an export of a job whose key images and clips both come from the built-in providers
(free) draws each generated scene's key image again at the size of the box its clip fills in
the export's frame (the whole frame, or a split screen's picture side: an uploaded photo
covers it around its focal point whatever its shape, a cut-out product shot is fitted whole,
the character is placed for that frame) and moves over it again, chain by chain (a CONTINUE
clip opens on the remade clip before it). Nothing is stored: the clips live in the export's
work folder.

Scenes cut from uploaded footage, and every scene of a job with a hosted image or video
provider, keep their stored clips (cropped): making a hosted clip again would be paid for.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from domain.enums import AspectRatio, SceneContinuity, SceneLayout
from domain.media.layout_geometry import kept_share, picture_size
from domain.media.timing import DEFAULT_FPS, plan_timeline
from domain.media.types import Size
from domain.ports.providers import ImageProvider, ImageRequest, VideoProvider, VideoRequest
from domain.rules.characters import character_in_key_image, continuity_with_characters
from domain.rules.pricing import BUILTIN, ProviderKind
from domain.services.jobs.queries import scenes_of
from domain.services.pipeline import files
from domain.services.pipeline.brand import resolve_brand, working_size
from domain.services.pipeline.clips import chains, clip_request
from domain.services.pipeline.context import StageContext
from domain.services.pipeline.layouts import plan_layouts
from domain.services.pipeline.shared import first_error, run_bounded
from domain.services.pipeline.storyboard import key_image_request, source_asset

#: A cover fit keeping less than this share of a stored clip has built-in scenes made again
#: (full frames of every pair of aspects but 1:1 and 4:5, which keep 80%).
REMAKE_BELOW = 0.8


@dataclass(frozen=True, slots=True)
class SceneShape:
    """What decides whether one scene is made again for an export."""

    generated: bool  # a key image and clip the built-in providers made (no footage)
    box: Size  # the box its clip fills in the export's frame
    continues: bool  # a CONTINUE scene (it opens on the clip before)


def remade_chains(clip: Size, scenes: Sequence[SceneShape], builtin: bool) -> list[list[int]]:
    """The chains of scenes (indexes, in order) an export makes again, from stored clips of
    size ``clip``: whole chains of generated scenes (a CONTINUE scene must open on the clip
    before it) whose boxes are all one size that a cover fit of ``clip`` would keep less than
    :data:`REMAKE_BELOW` of; none unless the job's image and video providers are ``builtin``
    (a hosted clip made again would be paid for)."""
    if not builtin:
        return []
    cut, joined = SceneContinuity.CUT, SceneContinuity.CONTINUE
    groups = chains([joined if s.continues else cut for s in scenes])
    out = []
    for group in groups:
        boxes = {scenes[i].box for i in group}
        if len(boxes) != 1 or not all(scenes[i].generated for i in group):
            continue
        if kept_share(clip, boxes.pop()) < REMAKE_BELOW:
            out.append(group)
    return out


@dataclass(frozen=True, slots=True)
class _Remake:
    """One scene to make again: its key image request and its clip request (whose start
    frame is filled in once the clip before it exists)."""

    scene_id: uuid.UUID
    image: ImageRequest
    clip: VideoRequest


async def _plan(
    ctx: StageContext, aspect: AspectRatio, folder: Path
) -> tuple[list[list[_Remake]], ImageProvider, VideoProvider] | None:
    """The chains of scenes to make again, with the providers (``None``: none)."""
    deps = ctx.deps
    async with ctx.transaction() as (session, job):
        if aspect is job.aspect_ratio:
            return None
        choice = deps.providers.choice(job.providers)
        builtin = BUILTIN == choice.ref(ProviderKind.IMAGE) == choice.ref(ProviderKind.VIDEO)
        scenes = await scenes_of(session, job)
        size = working_size(ctx.settings, aspect)
        layouts = (await plan_layouts(session, job, scenes, aspect)).layouts
        continuity = continuity_with_characters(
            [s.continuity for s in scenes],
            [str(s.character_asset_id) if s.character_asset_id else None for s in scenes],
        )
        shapes = [
            SceneShape(
                generated=s.footage_asset_id is None and s.image_asset_id is not None,
                box=picture_size(
                    size, layout is SceneLayout.SPLIT and bool((s.caption or "").strip())
                ),
                continues=index > 0 and continuity[index] is SceneContinuity.CONTINUE,
            )
            for index, (s, layout) in enumerate(zip(scenes, layouts, strict=True))
        ]
        clip = working_size(ctx.settings, job.aspect_ratio)
        groups = remade_chains(clip, shapes, builtin)
        if not groups:
            return None
        _, images = deps.providers.image_for(job.providers)
        _, videos = deps.providers.video_for(job.providers)
        brand = await resolve_brand(session, job, scenes)
        timeline = plan_timeline(
            [s.duration_seconds for s in scenes], [s.transition for s in scenes], fps=DEFAULT_FPS
        )
        chained: list[list[_Remake]] = []
        for group in groups:
            chained.append([])
            for index in group:
                scene, box = scenes[index], shapes[index].box
                source = await source_asset(ctx, scene)
                role = source.role if source else None
                source_path = await files.fetch_source(
                    session, deps.storage, ctx.org_id, source, folder
                )
                character = await files.fetch_optional(
                    session, deps.storage, ctx.org_id, scene.character_asset_id, folder,
                    what=f"the character of scene {scene.position + 1}",
                )  # fmt: skip
                image = replace(
                    key_image_request(
                        scene,
                        box,
                        brand.colors,
                        source_path,
                        role,
                        character if character_in_key_image(BUILTIN, BUILTIN, role) else None,
                    ),
                    cover=True,  # an uploaded photo covers the box around its focal point
                )
                request = clip_request(
                    scene, folder / f"key-{scene.id.hex}.png", box,
                    timeline.clip_frames(index), timeline.fps, character=character,
                )  # fmt: skip
                chained[-1].append(_Remake(scene.id, image, request))
    return chained, images, videos


async def remake_clips(
    ctx: StageContext, aspect: AspectRatio, folder: Path
) -> dict[uuid.UUID, Path]:
    """Scene ID -> a clip made for a frame of ``aspect``, for every scene the export makes
    again (empty when it keeps the stored clips), written in ``folder``."""
    planned = await _plan(ctx, aspect, folder)
    if planned is None:
        return {}
    grouped, images, videos = planned
    made: dict[uuid.UUID, Path] = {}

    def chain_job(chain: list[_Remake]) -> Callable[[], Awaitable[None]]:
        async def render_chain() -> None:
            last: Path | None = None  # the last frame of the clip before, in a chain
            for remake in chain:
                await images.generate_image(remake.image, remake.clip.image)
                clip = folder / f"clip-{remake.scene_id.hex}.mp4"
                await videos.generate_clip(replace(remake.clip, start_image=last), clip)
                last = folder / f"last-{remake.scene_id.hex}.png"
                await ctx.deps.media.last_frame(clip, last)
                made[remake.scene_id] = clip

        return render_chain

    failures = await run_bounded(ctx.settings.scene_concurrency, [chain_job(c) for c in grouped])
    error = first_error(failures, ctx)
    if error is not None:
        raise error
    return made


__all__ = ["REMAKE_BELOW", "SceneShape", "remade_chains", "remake_clips"]
