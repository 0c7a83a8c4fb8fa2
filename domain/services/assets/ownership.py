"""Who an asset belongs to (client, campaign), and the name it is shown by."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Invalid, NotFound
from domain.models import Campaign, Client


async def resolve_owner(
    session: AsyncSession,
    org_id: uuid.UUID,
    client_id: uuid.UUID | None,
    campaign_id: uuid.UUID | None,
) -> tuple[uuid.UUID, uuid.UUID | None]:
    """The (client, campaign) an asset will belong to, checked against the organization.

    A campaign alone implies its client; a campaign of another client is ``INVALID``.
    """
    if campaign_id is not None:
        campaign = await session.scalar(
            select(Campaign).where(Campaign.id == campaign_id, Campaign.organization_id == org_id)
        )
        if campaign is None:
            raise NotFound("campaign", ["campaignId"])
        if client_id is not None and campaign.client_id != client_id:
            raise Invalid("the campaign belongs to another client", ["campaignId"])
        return campaign.client_id, campaign.id
    if client_id is None:
        raise Invalid("clientId or campaignId is required", ["clientId"])
    found = await session.scalar(
        select(Client.id).where(Client.id == client_id, Client.organization_id == org_id)
    )
    if found is None:
        raise NotFound("client", ["clientId"])
    return client_id, None


def clean_filename(filename: str | None) -> str | None:
    """A display name: the last path segment, printable, at most 255 characters."""
    if not filename:
        return None
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip()[:255]
    return name or None


__all__ = ["clean_filename", "resolve_owner"]
