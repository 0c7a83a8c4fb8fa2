"""Use cases for clients and campaigns, always scoped to one organization."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import CampaignStatus, JobStatus
from domain.errors import DomainError, ErrorCode, InvalidState, NotFound
from domain.models import Campaign, Client, Job
from domain.services.validation import (
    clean_colors,
    clean_money,
    clean_name,
    clean_optional_text,
    clean_website,
    contains_pattern,
    name_key,
)


@dataclass(frozen=True)
class Stats:
    """Aggregates over a client's or campaign's jobs, computed in SQL."""

    campaign_count: int = 0
    job_count: int = 0
    completed_job_count: int = 0
    failed_job_count: int = 0
    estimated_cost_usd: Decimal = Decimal(0)
    actual_cost_usd: Decimal = Decimal(0)
    rendered_seconds: float = 0.0


def clients_query(org_id: uuid.UUID, search: str | None = None) -> Select[Client]:
    """The organization's clients, optionally filtered by a case-insensitive name search."""
    stmt = select(Client).where(Client.organization_id == org_id)
    if search and search.strip():
        pattern = contains_pattern(search, "search")
        stmt = stmt.where(Client.name_key.like(pattern, escape="\\"))
    return stmt


def campaigns_query(
    org_id: uuid.UUID,
    client_id: uuid.UUID | None = None,
    status: CampaignStatus | None = None,
) -> Select[Campaign]:
    """The organization's campaigns, optionally of one client and status."""
    stmt = select(Campaign).where(Campaign.organization_id == org_id)
    if client_id is not None:
        stmt = stmt.where(Campaign.client_id == client_id)
    if status is not None:
        stmt = stmt.where(Campaign.status == status)
    return stmt


async def get_client(session: AsyncSession, org_id: uuid.UUID, client_id: uuid.UUID) -> Client:
    """A client of the organization; another organization's client is simply not found."""
    client = await session.scalar(
        select(Client).where(Client.id == client_id, Client.organization_id == org_id)
    )
    if client is None:
        raise NotFound("client", ["clientId"])
    return client


async def get_campaign(
    session: AsyncSession, org_id: uuid.UUID, campaign_id: uuid.UUID
) -> Campaign:
    """A campaign of the organization; another organization's campaign is simply not found."""
    campaign = await session.scalar(
        select(Campaign).where(Campaign.id == campaign_id, Campaign.organization_id == org_id)
    )
    if campaign is None:
        raise NotFound("campaign", ["campaignId"])
    return campaign


async def _flush_unique(session: AsyncSession, what: str) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise DomainError(
            ErrorCode.DUPLICATE, f"a {what} with this name already exists", ["name"]
        ) from exc


async def _name_taken(session: AsyncSession, stmt: Select[Any]) -> bool:
    return bool(await session.scalar(select(exists(stmt))))


async def create_client(
    session: AsyncSession,
    org_id: uuid.UUID,
    *,
    name: str,
    website: str | None = None,
    industry: str | None = None,
    brand_colors: list[str] | None = None,
) -> Client:
    """Create a client; names are unique per organization (case-insensitive)."""
    name = clean_name(name, "name")
    client = Client(
        organization_id=org_id,
        name=name,
        name_key=name_key(name),
        website=clean_website(website),
        industry=clean_optional_text(industry, "industry", max_length=200),
        brand_colors=clean_colors(brand_colors or []),
    )
    if await _name_taken(
        session,
        select(Client.id).where(
            Client.organization_id == org_id, Client.name_key == client.name_key
        ),
    ):
        raise DomainError(ErrorCode.DUPLICATE, "a client with this name already exists", ["name"])
    session.add(client)
    await _flush_unique(session, "client")
    return client


async def update_client(
    session: AsyncSession, org_id: uuid.UUID, client_id: uuid.UUID, changes: dict[str, Any]
) -> Client:
    """Apply the given field changes (absent keys stay as they are)."""
    client = await get_client(session, org_id, client_id)
    if "name" in changes:
        name = clean_name(changes["name"] or "", "name")
        key = name_key(name)
        if key != client.name_key and await _name_taken(
            session,
            select(Client.id).where(Client.organization_id == org_id, Client.name_key == key),
        ):
            raise DomainError(
                ErrorCode.DUPLICATE, "a client with this name already exists", ["name"]
            )
        client.name, client.name_key = name, key
    if "website" in changes:
        client.website = clean_website(changes["website"])
    if "industry" in changes:
        client.industry = clean_optional_text(changes["industry"], "industry", max_length=200)
    if "brand_colors" in changes:
        client.brand_colors = clean_colors(changes["brand_colors"] or [])
    await _flush_unique(session, "client")
    return client


async def delete_client(session: AsyncSession, org_id: uuid.UUID, client_id: uuid.UUID) -> Client:
    """Delete a client that has no campaigns left (refused with ``INVALID_STATE`` otherwise)."""
    client = await get_client(session, org_id, client_id)
    if await session.scalar(select(exists().where(Campaign.client_id == client.id))):
        raise InvalidState("the client still has campaigns: delete them first", ["clientId"])
    await session.delete(client)
    await session.flush()
    return client


async def create_campaign(
    session: AsyncSession,
    org_id: uuid.UUID,
    *,
    client_id: uuid.UUID,
    name: str,
    objective: str | None = None,
    status: CampaignStatus = CampaignStatus.DRAFT,
    budget_usd: float | None = None,
) -> Campaign:
    """Create a campaign under one of the organization's clients."""
    client = await get_client(session, org_id, client_id)
    name = clean_name(name, "name")
    campaign = Campaign(
        organization_id=org_id,
        client_id=client.id,
        name=name,
        name_key=name_key(name),
        objective=clean_optional_text(objective, "objective", max_length=2000),
        status=status,
        budget_usd=clean_money(budget_usd, "budgetUsd"),
    )
    if await _name_taken(
        session,
        select(Campaign.id).where(
            Campaign.client_id == client.id, Campaign.name_key == campaign.name_key
        ),
    ):
        raise DomainError(
            ErrorCode.DUPLICATE, "this client already has a campaign with this name", ["name"]
        )
    session.add(campaign)
    await _flush_unique(session, "campaign")
    return campaign


async def update_campaign(
    session: AsyncSession, org_id: uuid.UUID, campaign_id: uuid.UUID, changes: dict[str, Any]
) -> Campaign:
    """Apply the given field changes (absent keys stay as they are)."""
    campaign = await get_campaign(session, org_id, campaign_id)
    if "name" in changes:
        name = clean_name(changes["name"] or "", "name")
        key = name_key(name)
        if key != campaign.name_key and await _name_taken(
            session,
            select(Campaign.id).where(
                Campaign.client_id == campaign.client_id, Campaign.name_key == key
            ),
        ):
            raise DomainError(
                ErrorCode.DUPLICATE, "this client already has a campaign with this name", ["name"]
            )
        campaign.name, campaign.name_key = name, key
    if "objective" in changes:
        campaign.objective = clean_optional_text(changes["objective"], "objective", max_length=2000)
    if "status" in changes and changes["status"] is not None:
        campaign.status = changes["status"]
    if "budget_usd" in changes:
        campaign.budget_usd = clean_money(changes["budget_usd"], "budgetUsd")
    await _flush_unique(session, "campaign")
    return campaign


async def delete_campaign(
    session: AsyncSession, org_id: uuid.UUID, campaign_id: uuid.UUID
) -> Campaign:
    """Delete a campaign that has no jobs (refused with ``INVALID_STATE`` otherwise)."""
    campaign = await get_campaign(session, org_id, campaign_id)
    if await session.scalar(select(exists().where(Job.campaign_id == campaign.id))):
        raise InvalidState("the campaign has jobs: it cannot be deleted", ["campaignId"])
    await session.delete(campaign)
    await session.flush()
    return campaign


def _job_aggregates() -> list[Any]:
    completed = JobStatus.COMPLETED
    failed = JobStatus.FAILED
    return [
        func.count(Job.id),
        func.count(case((Job.status == completed, Job.id))),
        func.count(case((Job.status == failed, Job.id))),
        func.coalesce(func.sum(Job.estimated_cost_usd), 0),
        func.coalesce(func.sum(Job.actual_cost_usd), 0),
        func.coalesce(
            func.sum(case((Job.status == completed, Job.duration_seconds), else_=0.0)), 0.0
        ),
    ]


def _stats(row: Sequence[Any], campaign_count: int = 0) -> Stats:
    return Stats(
        campaign_count=campaign_count,
        job_count=int(row[0]),
        completed_job_count=int(row[1]),
        failed_job_count=int(row[2]),
        estimated_cost_usd=Decimal(str(row[3])),
        actual_cost_usd=Decimal(str(row[4])),
        rendered_seconds=float(row[5]),
    )


async def client_stats(
    session: AsyncSession, org_id: uuid.UUID, client_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Stats]:
    """Stats of many clients in two aggregate statements."""
    campaign_counts: dict[uuid.UUID, int] = {
        client_id: count
        for client_id, count in (
            await session.execute(
                select(Campaign.client_id, func.count(Campaign.id))
                .where(Campaign.organization_id == org_id, Campaign.client_id.in_(client_ids))
                .group_by(Campaign.client_id)
            )
        ).all()
    }
    job_rows = {
        row[0]: row[1:]
        for row in (
            await session.execute(
                select(Campaign.client_id, *_job_aggregates())
                .join(Job, Job.campaign_id == Campaign.id)
                .where(Campaign.organization_id == org_id, Campaign.client_id.in_(client_ids))
                .group_by(Campaign.client_id)
            )
        ).all()
    }
    empty = (0, 0, 0, 0, 0, 0.0)
    return {
        cid: _stats(job_rows.get(cid, empty), campaign_counts.get(cid, 0)) for cid in client_ids
    }


async def campaign_stats(
    session: AsyncSession, org_id: uuid.UUID, campaign_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Stats]:
    """Stats of many campaigns in one aggregate statement."""
    rows = {
        row[0]: row[1:]
        for row in (
            await session.execute(
                select(Job.campaign_id, *_job_aggregates())
                .where(Job.organization_id == org_id, Job.campaign_id.in_(campaign_ids))
                .group_by(Job.campaign_id)
            )
        ).all()
    }
    empty = (0, 0, 0, 0, 0, 0.0)
    return {cid: _stats(rows.get(cid, empty)) for cid in campaign_ids}
