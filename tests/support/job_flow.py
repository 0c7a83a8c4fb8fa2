"""Drive jobs through the pipeline's state changes the way the stage services do, without media.

The API tests use these to put a job in a given state (storyboard ready, rendering, completed,
failed) and then check what the GraphQL surface allows. Stored outputs are real asset rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters.providers.builtin_planner import OfflinePlanner
from domain.enums import AssetKind, AssetRole, AssetStatus, JobStage, JobStatus
from domain.models import Asset, Campaign, Client, Job, Render
from domain.rules.pricing import DEFAULT_PRICES, PriceTable
from domain.services import job_stages, jobs
from domain.services.job_stages import planning
from domain.services.unit_of_work import UnitOfWork
from schema.ids import decode_any, encode_id


@dataclass
class Failure:
    """A stage failure (the shape of the pipeline's ``StageError``)."""

    code: str
    message: str
    stage: JobStage | None = None
    retryable: bool = False


def key_of(global_id: str) -> uuid.UUID:
    return decode_any(global_id)[1]


async def add_asset(
    session_factory: async_sessionmaker[AsyncSession],
    client_gid: str,
    role: AssetRole | None,
    kind: AssetKind = AssetKind.IMAGE,
    status: AssetStatus = AssetStatus.READY,
) -> str:
    """A stored brand asset row of the client (global ID)."""
    async with session_factory() as session:
        client = await session.get(Client, key_of(client_gid))
        assert client is not None
        asset = Asset(
            organization_id=client.organization_id,
            client_id=client.id,
            kind=kind,
            role=role,
            status=status,
            filename=f"{(role or kind).value.lower()}.bin",
            content_type="image/png" if kind is AssetKind.IMAGE else "audio/wav",
            byte_size=10,
            storage_key=f"test/{uuid.uuid4()}",
        )
        session.add(asset)
        await session.commit()
        return encode_id("Asset", asset.id)


async def _generated(session: AsyncSession, job: Job, role: AssetRole) -> uuid.UUID:
    campaign = await session.get(Campaign, job.campaign_id)
    assert campaign is not None
    asset = Asset(
        organization_id=job.organization_id,
        client_id=campaign.client_id,
        campaign_id=campaign.id,
        job_id=job.id,
        kind=AssetKind.IMAGE if role is not AssetRole.CLIP else AssetKind.VIDEO,
        role=role,
        status=AssetStatus.READY,
        storage_key=f"gen/{uuid.uuid4()}",
    )
    session.add(asset)
    await session.flush()
    return asset.id


class Flow:
    """Run pipeline transitions on one job, committing each step like a worker does."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        job_gid: str,
        prices: PriceTable = DEFAULT_PRICES,
    ) -> None:
        self.session_factory = session_factory
        self.job_id = key_of(job_gid)
        self.prices = prices

    async def _run(self, step: Any) -> Any:
        async with self.session_factory() as session:
            uow = UnitOfWork(session)
            job = await session.scalar(select(Job).where(Job.id == self.job_id))
            assert job is not None
            result = await step(session, job)
            await uow.commit()
            return result

    async def status(self) -> tuple[JobStatus, JobStage | None]:
        async def step(session: AsyncSession, job: Job) -> tuple[JobStatus, JobStage | None]:
            return job.status, job.stage

        result: tuple[JobStatus, JobStage | None] = await self._run(step)
        return result

    async def plan(self) -> None:
        async def step(session: AsyncSession, job: Job) -> None:
            await job_stages.start_stage(session, job, JobStage.PLAN)
            await planning.run_plan(session, job, OfflinePlanner(), prices=self.prices)
            assert (
                await job_stages.complete_stage(session, job, JobStage.PLAN) is JobStage.STORYBOARD
            )

        await self._run(step)

    async def storyboard(self) -> JobStage | None:
        async def step(session: AsyncSession, job: Job) -> JobStage | None:
            await job_stages.start_stage(session, job, JobStage.STORYBOARD)
            for scene in await jobs.scenes_of(session, job):
                if scene.image_asset_id is None:
                    await job_stages.scene_image_started(session, job, scene)
                    image = await _generated(session, job, AssetRole.STORYBOARD)
                    await job_stages.scene_image_ready(session, job, scene, image)
            return await job_stages.complete_stage(session, job, JobStage.STORYBOARD)

        result: JobStage | None = await self._run(step)
        return result

    async def clips(self) -> None:
        async def step(session: AsyncSession, job: Job) -> None:
            await job_stages.start_stage(session, job, JobStage.CLIPS)
            for scene in await jobs.scenes_of(session, job):
                if scene.clip_asset_id is None:
                    await job_stages.scene_clip_started(session, job, scene)
                    clip = await _generated(session, job, AssetRole.CLIP)
                    last = await _generated(session, job, AssetRole.LAST_FRAME)
                    await job_stages.scene_clip_ready(session, job, scene, clip, last)
            assert await job_stages.complete_stage(session, job, JobStage.CLIPS) is JobStage.COMPOSE

        await self._run(step)

    async def compose(self) -> None:
        async def step(session: AsyncSession, job: Job) -> None:
            await job_stages.start_stage(session, job, JobStage.COMPOSE)
            if job.composition_asset_id is None:
                master = await _generated(session, job, AssetRole.RENDER)
                await job_stages.composition_ready(session, job, master)
            assert (
                await job_stages.complete_stage(session, job, JobStage.COMPOSE) is JobStage.RENDER
            )

        await self._run(step)

    async def render(self) -> None:
        async def step(session: AsyncSession, job: Job) -> None:
            await job_stages.start_stage(session, job, JobStage.RENDER)
            for render in await job_stages.renders_to_make(session, job):
                await job_stages.render_started(session, job, render)
                out = await _generated(session, job, AssetRole.RENDER)
                await job_stages.render_completed(session, job, render, out)
            assert await job_stages.complete_stage(session, job, JobStage.RENDER) is None

        await self._run(step)

    async def fail(
        self, stage: JobStage, code: str = "MEDIA_FAILED", retryable: bool = False
    ) -> None:
        async def step(session: AsyncSession, job: Job) -> None:
            await job_stages.start_stage(session, job, stage)
            await job_stages.fail_stage(
                session, job, Failure(code, f"{stage.value} broke", stage, retryable)
            )

        await self._run(step)

    async def to_storyboard_ready(self) -> None:
        await self.plan()
        assert await self.storyboard() is None

    async def after_approval(self) -> None:
        await self.clips()
        await self.compose()
        await self.render()

    async def renders(self) -> list[Render]:
        async def step(session: AsyncSession, job: Job) -> list[Render]:
            return await jobs.renders_of(session, job)

        result: list[Render] = await self._run(step)
        return result


__all__ = ["Failure", "Flow", "add_asset", "key_of"]
