"""The designed layout of each scene of a job, and the share of the ad showing a product shot."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import AspectRatio, AssetKind, AssetRole, SceneBeat, SceneLayout
from domain.media.geometry import ASPECT_RATIOS
from domain.media.layout_geometry import kept_share
from domain.media.timing import DEFAULT_FPS, Timeline, plan_timeline
from domain.media.types import Size
from domain.models import Asset, Job, Scene
from domain.rules.brief import CALLOUTS, Brief
from domain.rules.layouts import choose_layouts, product_share


@dataclass(frozen=True, slots=True)
class ScenePlan:
    """Each scene's layout, whether it shows a product shot, and the share of frames that do."""

    layouts: tuple[SceneLayout, ...]
    products: tuple[bool, ...]

    def product_share(self, timeline: Timeline) -> float:
        """Share of the ad's frames showing a product shot (by the timeline's scene frames)."""
        frames = [timeline.scene_frames(i) for i in range(timeline.scene_count)]
        return product_share(frames, self.products, self.layouts)


def _ids(values: Sequence[object]) -> list[uuid.UUID]:
    out = []
    for value in values:
        try:
            out.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return out


#: A cover fit keeping less than this share of a clip counts as a shape far from the clip's.
FAR_SHAPE = 0.6


def reshaped(clip: AspectRatio, frame: AspectRatio) -> bool:
    """Whether a clip made for ``clip`` cover-fitted to ``frame`` would keep less than
    :data:`FAR_SHAPE` of itself (9:16 clips in a 16:9 frame keep 32%)."""
    return kept_share(Size(*ASPECT_RATIOS[clip]), Size(*ASPECT_RATIOS[frame])) < FAR_SHAPE


async def plan_layouts(
    session: AsyncSession, job: Job, scenes: Sequence[Scene], aspect: AspectRatio | None = None
) -> ScenePlan:
    """The layouts the built-in planner gives these scenes (by beat, the brief's tone and
    whether each scene has a product picture) for a frame of ``aspect`` (the job's own by
    default; one far from it splits every product scene)."""
    wanted = shown_asset_ids(scenes)
    rows = await session.execute(
        select(Asset.id).where(
            Asset.organization_id == job.organization_id,
            Asset.id.in_(wanted),
            Asset.role == AssetRole.PRODUCT,
            Asset.kind.in_((AssetKind.IMAGE, AssetKind.VIDEO)),
        )
    )
    return layouts_for(job, scenes, {row[0] for row in rows}, aspect)


def shown_asset_ids(scenes: Sequence[Scene]) -> set[uuid.UUID]:
    """Every asset ID the scenes show (to look up which are product pictures)."""
    return {i for scene in scenes for i in _ids(scene.asset_ids or [])}


def is_product_picture(asset: Asset) -> bool:
    """Whether ``asset`` is a product shot (a PRODUCT image or video)."""
    return asset.role is AssetRole.PRODUCT and asset.kind in (AssetKind.IMAGE, AssetKind.VIDEO)


def layouts_for(
    job: Job,
    scenes: Sequence[Scene],
    product_ids: set[uuid.UUID],
    aspect: AspectRatio | None = None,
) -> ScenePlan:
    """``plan_layouts`` once the scenes' product pictures (``product_ids``) are known."""
    products = tuple(bool(product_ids.intersection(_ids(s.asset_ids or []))) for s in scenes)
    words = [bool(job.captions and (s.caption or "").strip()) for s in scenes]
    tone = str((job.brief or {}).get("tone") or "")
    beats = [s.beat or SceneBeat.CUSTOM for s in scenes]
    far = aspect is not None and reshaped(job.aspect_ratio, aspect)
    characters = [s.character_asset_id is not None for s in scenes]
    features = len(callouts_of(job))
    layouts = choose_layouts(
        beats, products, words, tone, reshaped=far, characters=characters, features=features
    )
    return ScenePlan(tuple(layouts), products)


def planned_share(job: Job, scenes: Sequence[Scene], product_ids: set[uuid.UUID]) -> float:
    """The share of the ad's frames the layouts plan to show a product shot (0 without
    scenes), by the scenes' durations and transitions at the composition's frame rate."""
    if not scenes:
        return 0.0
    timeline = plan_timeline(
        [s.duration_seconds for s in scenes], [s.transition for s in scenes], fps=DEFAULT_FPS
    )
    return layouts_for(job, scenes, product_ids).product_share(timeline)


def callouts_of(job: Job) -> tuple[str, ...]:
    """The features a FEATURES scene of the job calls out: the brief's first four."""
    return Brief.from_dict(job.brief or {}).features[: CALLOUTS[1]]


__all__ = [
    "FAR_SHAPE",
    "ScenePlan",
    "callouts_of",
    "is_product_picture",
    "layouts_for",
    "plan_layouts",
    "planned_share",
    "reshaped",
    "shown_asset_ids",
]
