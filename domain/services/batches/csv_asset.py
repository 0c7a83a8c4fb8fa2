"""The rows of a batch from an uploaded CSV file (a DATA asset of the organization).

The asset is looked up in the caller's organization only (another organization's asset is
``NOT_FOUND``, like a missing one); it must be READY and of kind DATA. Its recorded size is
checked against the data limit before a byte is read, and the row count against the batch limit
while parsing, before any job is made. Errors name ``csvAssetId`` (and the row and field).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.assets.csv_data import parse_csv
from domain.assets.limits import AssetLimits
from domain.enums import AssetKind, AssetStatus
from domain.errors import DomainError, ErrorCode, Invalid, InvalidState, NotFound
from domain.models import Asset
from domain.ports.storage import Storage

FIELD = "csvAssetId"


def _too_large(cap: int) -> DomainError:
    return DomainError(ErrorCode.TOO_LARGE, f"the CSV file is larger than {cap} bytes", [FIELD])


async def rows_of_csv_asset(
    session: AsyncSession,
    storage: Storage,
    org_id: uuid.UUID,
    asset_id: uuid.UUID,
    *,
    limits: AssetLimits,
    max_rows: int,
) -> list[dict[str, str]]:
    """The asset's rows as ``{header field: value}`` (1 to ``max_rows`` of them)."""
    asset = await session.scalar(
        select(Asset).where(Asset.id == asset_id, Asset.organization_id == org_id)
    )
    if asset is None:
        raise NotFound("asset", [FIELD])
    if asset.status is not AssetStatus.READY or asset.storage_key is None:
        raise InvalidState(f"the asset is {asset.status.value}, not READY", [FIELD])
    if asset.kind is not AssetKind.DATA:
        raise Invalid("the asset is not a CSV file (upload it with the role DATA)", [FIELD])
    cap = limits.max_bytes(AssetKind.DATA)
    if (asset.byte_size or 0) > cap:
        raise _too_large(cap)
    content = bytearray()
    async for chunk in storage.read(asset.storage_key):
        content += chunk
        if len(content) > cap:
            raise _too_large(cap)
    rows = parse_csv(bytes(content), max_rows=max_rows, field=[FIELD])
    if not rows:
        raise Invalid("the CSV has no rows", [FIELD])
    return rows


__all__ = ["rows_of_csv_asset"]
