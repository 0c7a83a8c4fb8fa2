"""What a job's brand material is: the logo, the music, the colours, the call to action."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import AspectRatio, AssetKind, AssetRole, AssetStatus, Resolution
from domain.media.geometry import frame_size
from domain.media.types import Size
from domain.models import Asset, Campaign, Client, Job, Scene
from domain.settings import Settings


@dataclass(frozen=True, slots=True)
class Brand:
    """A job's brand material, resolved to asset IDs (or ``None``)."""

    colors: tuple[str, ...]
    logo_id: uuid.UUID | None
    music_id: uuid.UUID | None
    call_to_action: str | None
    headline: str | None
    voiceover_id: uuid.UUID | None = None
    font_id: uuid.UUID | None = None


def brief_text(brief: dict[str, Any], name: str) -> str | None:
    """A brief field by its snake_case or camelCase name, stripped; ``None`` when empty."""
    camel = name.split("_")[0] + "".join(part.title() for part in name.split("_")[1:])
    value = brief.get(name, brief.get(camel))
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _uuids(values: Iterable[object]) -> list[uuid.UUID]:
    found: list[uuid.UUID] = []
    for value in values:
        try:
            found.append(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


async def _first_with_role(
    session: AsyncSession, org_id: uuid.UUID, ids: list[uuid.UUID], role: AssetRole
) -> uuid.UUID | None:
    if not ids:
        return None
    rows = await session.execute(
        select(Asset.id).where(
            Asset.organization_id == org_id,
            Asset.id.in_(ids),
            Asset.role == role,
            Asset.status == AssetStatus.READY,
        )
    )
    present = {row[0] for row in rows}
    return next((i for i in ids if i in present), None)


async def brand_font(session: AsyncSession, job: Job, ids: list[uuid.UUID]) -> uuid.UUID | None:
    """The job's FONT asset (given to the job or a scene), else the newest FONT of its client's
    brand kit (a READY brand asset, not generated): captions and the end card are set in it."""
    given = await _first_with_role(session, job.organization_id, ids, AssetRole.FONT)
    if given is not None:
        return given
    client_id = await session.scalar(
        select(Campaign.client_id).where(
            Campaign.id == job.campaign_id, Campaign.organization_id == job.organization_id
        )
    )
    return await session.scalar(
        select(Asset.id)
        .where(
            Asset.organization_id == job.organization_id,
            Asset.client_id == client_id,
            Asset.job_id.is_(None),
            Asset.role == AssetRole.FONT,
            Asset.kind == AssetKind.FONT,
            Asset.status == AssetStatus.READY,
        )
        .order_by(Asset.created_at.desc(), Asset.id.desc())
        .limit(1)
    )


async def resolve_brand(session: AsyncSession, job: Job, scenes: list[Scene]) -> Brand:
    """The logo (a LOGO asset given to the job or a scene), the music (the job's ``music``, else
    a MUSIC asset given to it), an uploaded VOICEOVER given to the job, the brand font, the
    client's brand colours and the brief's call to action."""
    org = job.organization_id
    ids = _uuids(job.asset_ids or [])
    for scene in scenes:
        ids.extend(i for i in _uuids(scene.asset_ids or []) if i not in ids)
    logo = await _first_with_role(session, org, ids, AssetRole.LOGO)
    music = job.music_asset_id or await _first_with_role(session, org, ids, AssetRole.MUSIC)
    voiceover = await _first_with_role(session, org, ids, AssetRole.VOICEOVER)
    font = await brand_font(session, job, ids)
    colors = await session.scalar(
        select(Client.brand_colors)
        .join(Campaign, Campaign.client_id == Client.id)
        .where(Campaign.id == job.campaign_id, Campaign.organization_id == org)
    )
    brief = job.brief or {}
    return Brand(
        colors=tuple(colors or ()),
        logo_id=logo,
        music_id=music,
        call_to_action=brief_text(brief, "call_to_action"),
        headline=brief_text(brief, "product"),
        voiceover_id=voiceover,
        font_id=font,
    )


def working_size(settings: Settings, aspect: AspectRatio) -> Size:
    """The frame size key images, clips and the composition are made at."""
    return frame_size(Resolution(settings.render_resolution), aspect)


__all__ = ["Brand", "brand_font", "brief_text", "resolve_brand", "working_size"]
