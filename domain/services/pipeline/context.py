"""What a stage run carries: its dependencies, its job, its scratch directory, its progress.

A stage function receives a :class:`StageContext` and uses it to open transactions on its job
(every state change records a job event in the same transaction) and to report progress.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.enums import JobEventType, JobStage, JobStatus
from domain.models import Job
from domain.ports.bus import Publisher
from domain.ports.media import MediaEngine
from domain.ports.queue import TaskQueue
from domain.ports.storage import Storage
from domain.rules.job_states import progress_at
from domain.services.events import record_job_event
from domain.services.pipeline.providers import ProviderRegistry
from domain.services.progress import advance_progress
from domain.services.unit_of_work import UnitOfWork
from domain.settings import Settings

#: Least time between two stored progress events of one stage (scene progress included).
PROGRESS_INTERVAL_SECONDS = 0.5


@dataclass
class PipelineDeps:
    """Everything the stages need, built once per process from the container."""

    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    storage: Storage
    bus: Publisher | None
    queue: TaskQueue | None
    media: MediaEngine
    providers: ProviderRegistry


@dataclass
class StageContext:
    """One run of one stage of one job, under a lease held by ``owner``."""

    deps: PipelineDeps
    job_id: uuid.UUID
    org_id: uuid.UUID
    stage: JobStage
    owner: str
    work: Path
    produced: int = 0
    reused: int = 0
    _last_report: float = field(default=0.0, repr=False)
    _last_fraction: float = field(default=-1.0, repr=False)
    _scene_reports: dict[uuid.UUID, float] = field(default_factory=dict, repr=False)

    @property
    def settings(self) -> Settings:
        return self.deps.settings

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[tuple[AsyncSession, Job]]:
        """A session with the job loaded; commits (and publishes its events) when the block ends."""
        async with self.deps.session_factory() as session:
            job = await session.scalar(
                select(Job).where(Job.id == self.job_id, Job.organization_id == self.org_id)
            )
            if job is None:
                raise LookupError(f"job {self.job_id} is gone")
            async with UnitOfWork(session, bus=self.deps.bus, queue=self.deps.queue):
                yield session, job

    async def report(self, fraction: float, message: str = "", *, force: bool = False) -> None:
        """Set the job's progress to where this stage is; stored at most every half second."""
        now = time.monotonic()
        if not force and (
            now - self._last_report < PROGRESS_INTERVAL_SECONDS or fraction <= self._last_fraction
        ):
            return
        self._last_report, self._last_fraction = now, fraction
        async with self.transaction() as (session, job):
            if job.status is not JobStatus.COMPLETED:  # an export does not move a finished job
                await advance_progress(session, job, progress_at(self.stage, fraction))
            await session.flush()
            await record_job_event(
                session, job, JobEventType.PROGRESS, message, payload={"stageProgress": fraction}
            )

    async def scene_progress(
        self, scene_id: uuid.UUID, fraction: float, message: str = "", **payload: Any
    ) -> None:
        """A throttled progress event for one scene (the demo's per-scene bars read these)."""
        last = self._scene_reports.get(scene_id, -1.0)
        if fraction < 1.0 and fraction - last < 0.1:
            return
        self._scene_reports[scene_id] = fraction
        async with self.transaction() as (session, job):
            await record_job_event(
                session,
                job,
                JobEventType.PROGRESS,
                message,
                scene_id=scene_id,
                payload={"sceneProgress": round(fraction, 3), **payload},
            )


__all__ = ["PROGRESS_INTERVAL_SECONDS", "PipelineDeps", "StageContext"]
