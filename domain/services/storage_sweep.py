"""The orphaned-file sweep: remove stored objects no asset row claims, after a grace period.

Every object Adreel writes lives under ``orgs/<org>/assets/<asset id>/`` and is written before
its row is committed (no transaction is held open during an upload). A process killed between
the two leaves a file that nothing points at; the key names the row that should have claimed
it, so such files are findable. An object is claimed when an asset row holds its key (as the
original or the thumbnail) or when the asset its key names is still PENDING (a write under
way). Unclaimed objects older than the grace period are removed, and so are the leftovers of
writes that never finished (local temp files, incomplete S3 multipart uploads).
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.enums import AssetStatus
from domain.models import Asset
from domain.models.base import utcnow
from domain.ports.storage import Storage, StoredObject

log = logging.getLogger(__name__)

#: Where every asset's objects live.
ASSET_PREFIX = "orgs/"
_ASSET_KEY = re.compile(r"^orgs/[0-9a-f]{32}/assets/(?P<asset>[0-9a-f]{32})/")
_BATCH = 500


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What one sweep saw and removed."""

    scanned: int
    removed: list[str]
    partials: int


async def _claimed(session: AsyncSession, objects: list[StoredObject]) -> set[str]:
    keys = [o.key for o in objects]
    rows = await session.execute(
        select(Asset.storage_key, Asset.thumbnail_key).where(
            or_(Asset.storage_key.in_(keys), Asset.thumbnail_key.in_(keys))
        )
    )
    claimed = {key for row in rows for key in row if key}
    named: dict[uuid.UUID, list[str]] = {}
    for key in keys:
        match = _ASSET_KEY.match(key)
        if match and key not in claimed:
            named.setdefault(uuid.UUID(match["asset"]), []).append(key)
    if named:
        pending = await session.scalars(
            select(Asset.id).where(Asset.id.in_(named), Asset.status == AssetStatus.PENDING)
        )
        for asset_id in pending:
            claimed.update(named[asset_id])
    return claimed


async def sweep_storage(
    session_factory: async_sessionmaker[AsyncSession],
    storage: Storage,
    *,
    grace_seconds: float,
    now: datetime | None = None,
) -> SweepReport:
    """Remove unclaimed objects (and dead partial writes) older than ``grace_seconds``."""
    cutoff = (now or utcnow()) - timedelta(seconds=grace_seconds)
    scanned = 0
    removed: list[str] = []
    batch: list[StoredObject] = []

    async def settle() -> None:
        async with session_factory() as session:
            claimed = await _claimed(session, batch)
        for found in batch:
            if found.key not in claimed:
                await storage.delete(found.key)
                removed.append(found.key)
                log.info("removed orphaned object %s (%d bytes)", found.key, found.byte_size)
        batch.clear()

    async for found in storage.list_objects(ASSET_PREFIX):
        scanned += 1
        if found.modified < cutoff:
            batch.append(found)
            if len(batch) >= _BATCH:
                await settle()
    if batch:
        await settle()
    partials = await storage.remove_partials(cutoff)
    return SweepReport(scanned=scanned, removed=removed, partials=partials)


__all__ = ["ASSET_PREFIX", "SweepReport", "sweep_storage"]
