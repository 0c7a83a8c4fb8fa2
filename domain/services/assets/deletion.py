"""Deleting an asset no job uses, with its stored files."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidState
from domain.ports.storage import Storage
from domain.services.assets.intake import UPLOAD_CLAIM
from domain.services.assets.queries import asset_in_use, get_asset
from domain.services.assets.storing import delete_quietly


async def delete_asset(
    session: AsyncSession, storage: Storage, org_id: uuid.UUID, asset_id: uuid.UUID
) -> uuid.UUID:
    """Delete an asset and its stored files; an asset a job still uses is ``INVALID_STATE``."""
    asset = await get_asset(session, org_id, asset_id)
    if await asset_in_use(session, asset):
        raise InvalidState("the asset is used by a job", ["assetId"])
    keys = [k for k in (asset.storage_key, asset.thumbnail_key) if k and k != UPLOAD_CLAIM]
    await session.delete(asset)
    await session.commit()
    await delete_quietly(storage, keys)
    return asset_id


__all__ = ["delete_asset"]
