"""Checking what a job or scene use case is given: collected errors, the assets it names."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import AssetKind, AssetRole, AssetStatus
from domain.errors import DomainError, Invalid, InvalidState, NotFound, ValidationErrors
from domain.models import Asset
from domain.rules.asset_roles import PlanAsset, role_fits_kind


def collect_errors(errors: list[DomainError], fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, or ``None`` with its domain errors added to ``errors``."""
    try:
        return fn(*args, **kwargs)
    except ValidationErrors as exc:
        errors.extend(exc.errors)
    except DomainError as exc:
        errors.append(exc)
    return None


def footage_of(assets: Sequence[Asset]) -> Asset | None:
    """The scene's footage: its first video asset (a scene takes at most one)."""
    return next((a for a in assets if a.kind is AssetKind.VIDEO), None)


def plan_asset(asset: Asset) -> PlanAsset:
    """An asset as the planner sees it."""
    return PlanAsset(str(asset.id), asset.role, asset.kind)


#: How many product shots a job takes from the brand kit when it names no assets.
BRAND_KIT_PRODUCTS = 4


def _kit(
    org_id: uuid.UUID, client_id: uuid.UUID, role: AssetRole, kind: AssetKind = AssetKind.IMAGE
) -> Select[Asset]:
    """The client's READY uploads (not generated ones) of ``role`` and ``kind``."""
    return select(Asset).where(
        Asset.organization_id == org_id,
        Asset.client_id == client_id,
        Asset.job_id.is_(None),
        Asset.role == role,
        Asset.kind == kind,
        Asset.status == AssetStatus.READY,
    )


_NEWEST = (Asset.created_at.desc(), Asset.id.desc())


async def brand_kit(session: AsyncSession, org_id: uuid.UUID, client_id: uuid.UUID) -> list[Asset]:
    """What a job naming no assets takes from its client's brand kit (READY uploads, not
    generated ones): the newest logo, the newest product shots, the first character image."""
    logo = await session.scalar(_kit(org_id, client_id, AssetRole.LOGO).order_by(*_NEWEST).limit(1))
    products = await session.scalars(
        _kit(org_id, client_id, AssetRole.PRODUCT).order_by(*_NEWEST).limit(BRAND_KIT_PRODUCTS)
    )
    # the character stays the same one across jobs: the oldest
    character = await session.scalar(
        _kit(org_id, client_id, AssetRole.CHARACTER).order_by(Asset.created_at, Asset.id).limit(1)
    )
    return [a for a in (logo, *products, character) if a is not None]


async def brand_kit_music(
    session: AsyncSession, org_id: uuid.UUID, client_id: uuid.UUID
) -> Asset | None:
    """The music a job naming no assets and no music takes: the brand kit's newest READY
    MUSIC upload (``None`` when it has none)."""
    query = _kit(org_id, client_id, AssetRole.MUSIC, AssetKind.AUDIO).order_by(*_NEWEST).limit(1)
    music: Asset | None = await session.scalar(query)
    return music


async def load_assets(
    session: AsyncSession,
    org_id: uuid.UUID,
    client_id: uuid.UUID,
    ids: Sequence[uuid.UUID],
    field: str,
    *,
    visual_only: bool = False,
) -> list[Asset]:
    """The organization's READY assets of this client, in the order given (duplicates dropped).

    Unknown and foreign IDs are NOT_FOUND (indistinguishable); a pending or failed asset is
    INVALID_STATE; another client's asset is INVALID.
    """
    unique = list(dict.fromkeys(ids))
    rows = (
        (
            await session.scalars(
                select(Asset).where(Asset.id.in_(unique), Asset.organization_id == org_id)
            )
        ).all()
        if unique
        else []
    )
    found = {a.id: a for a in rows}
    errors: list[DomainError] = []
    out: list[Asset] = []
    for asset_id in unique:
        asset = found.get(asset_id)
        path = [field, str(ids.index(asset_id))] if field != "music" else [field]
        if asset is None:
            errors.append(NotFound("asset", path))
        elif asset.status is not AssetStatus.READY:
            errors.append(InvalidState(f"asset is {asset.status.value}, not READY", path))
        elif asset.client_id != client_id:
            errors.append(Invalid("asset belongs to another client", path))
        elif visual_only and asset.kind not in (AssetKind.IMAGE, AssetKind.VIDEO):
            errors.append(Invalid("a scene takes image and video assets only", path))
        elif not role_fits_kind(asset.role, asset.kind):
            kind = asset.kind.value.lower() if asset.kind else "unknown"
            errors.append(
                Invalid(f"a {asset.role.value if asset.role else ''} asset cannot be {kind}", path)
            )
        else:
            out.append(asset)
    if errors:
        raise ValidationErrors(errors)
    return out


__all__ = [
    "BRAND_KIT_PRODUCTS",
    "brand_kit",
    "brand_kit_music",
    "collect_errors",
    "footage_of",
    "load_assets",
    "plan_asset",
]
