"""Seed a job and drive its event log the way the pipeline does (state change + event, one commit)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.enums import AspectRatio, JobEventType, JobStage, JobStatus
from domain.models import Campaign, Client, Job
from domain.ports.bus import EventBus
from domain.services.events import record_job_event
from domain.services.tenancy import create_api_key
from domain.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class SeededJob:
    key: str
    org_id: uuid.UUID
    job_id: uuid.UUID


async def seed_job(
    session_factory: async_sessionmaker[AsyncSession], org_name: str | None = None
) -> SeededJob:
    """A fresh organization (with an API key), client, campaign and QUEUED job."""
    async with session_factory() as session:
        issued = await create_api_key(session, org_name or f"org-{uuid.uuid4().hex[:8]}")
        org_id = issued.organization.id
        client = Client(organization_id=org_id, name="Acme", name_key="acme")
        session.add(client)
        await session.flush()
        campaign = Campaign(
            organization_id=org_id, client_id=client.id, name="Launch", name_key="launch"
        )
        session.add(campaign)
        await session.flush()
        job = Job(
            organization_id=org_id,
            campaign_id=campaign.id,
            brief={"product": "Shoes", "prompt": "run"},
            duration_seconds=15.0,
            aspect_ratio=AspectRatio.LANDSCAPE_16_9,
        )
        session.add(job)
        await session.commit()
        return SeededJob(issued.key, org_id, job.id)


async def add_key(session_factory: async_sessionmaker[AsyncSession], org_name: str) -> str:
    """Another API key (for a new or existing organization)."""
    async with session_factory() as session:
        issued = await create_api_key(session, org_name)
        await session.commit()
        return issued.key


async def emit(
    session_factory: async_sessionmaker[AsyncSession],
    bus: EventBus | None,
    job_id: uuid.UUID,
    type: JobEventType = JobEventType.PROGRESS,
    *,
    status: JobStatus | None = None,
    stage: JobStage | None = None,
    progress: float | None = None,
    message: str = "",
) -> int:
    """Change the job and record the matching event in one transaction, publish after commit."""
    async with session_factory() as session:
        uow = UnitOfWork(session, bus=bus)
        job = await session.scalar(select(Job).where(Job.id == job_id))
        assert job is not None
        if status is not None:
            job.status = status
        if stage is not None:
            job.stage = stage
        if progress is not None:
            job.progress = progress
        await session.flush()
        event = await record_job_event(session, job, type, message)
        await uow.commit()
        return event.sequence
