"""``replaceSceneClip``: an uploaded video becomes a scene's clip instead of a generated one.

The scene keeps its other assets; its footage is swapped (or added) and its in-point set, then
the edit goes through ``update_scene`` like any other: the scene's key image and clip are cut
from the footage again (nothing is generated or paid for), and the composition is made again.
Other scenes keep their clips, except one that CONTINUEs from this scene's last frame.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import AssetKind
from domain.errors import DomainError, Invalid, ValidationErrors
from domain.models import Asset, Scene
from domain.rules.pricing import DEFAULT_PRICES, PriceTable
from domain.services.jobs.queries import get_scene
from domain.services.jobs.scene_edits import update_scene
from domain.services.jobs.scene_fields import SceneFields


async def replace_scene_clip(
    session: AsyncSession,
    org_id: uuid.UUID,
    scene_id: uuid.UUID,
    asset_id: uuid.UUID,
    trim_start_seconds: float | None = None,
    *,
    prices: PriceTable = DEFAULT_PRICES,
) -> Scene:
    """Cut the scene's clip from the video ``asset_id`` from ``trim_start_seconds`` (``None``: a
    steady in-point). ``INVALID`` for an asset that is not a video, or a scene that CONTINUEs
    the previous shot (footage cannot)."""
    scene = await get_scene(session, org_id, scene_id)
    kind = await session.scalar(
        select(Asset.kind).where(Asset.id == asset_id, Asset.organization_id == org_id)
    )
    if kind is not None and kind is not AssetKind.VIDEO:
        raise Invalid("the clip must be a video asset", ["assetId"])
    keep = [i for i in scene.asset_ids if i != str(scene.footage_asset_id)]
    fields = SceneFields(
        {"asset_ids": [*map(uuid.UUID, keep), asset_id], "trim_start_seconds": trim_start_seconds}
    )
    try:
        return await update_scene(session, org_id, scene_id, fields, prices=prices)
    except DomainError as exc:
        for error in [exc, *(exc.errors if isinstance(exc, ValidationErrors) else [])]:
            if error.field and error.field[0] == "assetIds":
                error.field = ["assetId"]  # the scene's asset list is this mutation's assetId
        raise


__all__ = ["replace_scene_clip"]
