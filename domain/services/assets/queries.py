"""Reading assets, always scoped to one organization: lists, one asset, whether a job uses it."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import AssetKind, AssetRole, AssetStatus
from domain.errors import NotFound
from domain.models import Asset, Job, Render, Scene


def assets_query(
    org_id: uuid.UUID,
    *,
    client_id: uuid.UUID | None = None,
    campaign_id: uuid.UUID | None = None,
    kind: AssetKind | None = None,
    role: AssetRole | None = None,
) -> Select[Asset]:
    """The organization's assets, filtered."""
    stmt = select(Asset).where(Asset.organization_id == org_id)
    if client_id is not None:
        stmt = stmt.where(Asset.client_id == client_id)
    if campaign_id is not None:
        stmt = stmt.where(Asset.campaign_id == campaign_id)
    if kind is not None:
        stmt = stmt.where(Asset.kind == kind)
    if role is not None:
        stmt = stmt.where(Asset.role == role)
    return stmt


async def get_asset(session: AsyncSession, org_id: uuid.UUID, asset_id: uuid.UUID) -> Asset:
    """An asset of the organization; another organization's asset is simply not found."""
    asset = await session.scalar(
        select(Asset).where(Asset.id == asset_id, Asset.organization_id == org_id)
    )
    if asset is None:
        raise NotFound("asset", ["assetId"])
    return asset


async def asset_in_use(session: AsyncSession, asset: Asset) -> bool:
    """Whether a job still uses the asset: as music, a job or scene asset, a scene's image/clip/
    last frame, or a render's output (generated assets carry their job in ``job_id``)."""
    if asset.job_id is not None:
        return True
    org = asset.organization_id
    direct = [
        select(exists().where(Job.organization_id == org, Job.music_asset_id == asset.id)),
        select(
            exists().where(
                Scene.organization_id == org,
                or_(
                    Scene.image_asset_id == asset.id,
                    Scene.clip_asset_id == asset.id,
                    Scene.last_frame_asset_id == asset.id,
                ),
            )
        ),
        select(exists().where(Render.asset_id == asset.id)),
    ]
    for stmt in direct:
        if await session.scalar(stmt):
            return True
    # JSON lists of IDs: compared in Python (portable across SQLite and PostgreSQL).
    target = str(asset.id)
    for ids in await session.scalars(select(Job.asset_ids).where(Job.organization_id == org)):
        if ids and target in {str(i) for i in ids}:
            return True
    for ids in await session.scalars(select(Scene.asset_ids).where(Scene.organization_id == org)):
        if ids and target in {str(i) for i in ids}:
            return True
    return False


async def count_assets(session: AsyncSession, stmt: Select[Asset]) -> int:
    """Row count of an asset query."""
    return int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


async def pending_imports(session: AsyncSession) -> list[uuid.UUID]:
    """Assets still waiting for their URL download (an embedded runner that restarted lost them)."""
    rows = await session.scalars(
        select(Asset.id)
        .where(Asset.status == AssetStatus.PENDING, Asset.source_url.is_not(None))
        .order_by(Asset.created_at)
    )
    return list(rows)


__all__ = ["asset_in_use", "assets_query", "count_assets", "get_asset", "pending_imports"]
