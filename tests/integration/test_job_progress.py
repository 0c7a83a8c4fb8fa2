"""A job's progress, and the progress of every event in its order, never decrease: concurrent
stage reports (stale readers included), retries and edits."""

from __future__ import annotations

import asyncio
import itertools
import random
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from domain.enums import JobStage, JobStatus
from domain.models import Job, JobEvent
from domain.rules.job_states import progress_at
from domain.services import job_stages
from domain.services.jobs import retry_job
from tests.support.jobs import seed_job

JOBS = 24
CHAINS = 6


async def _events(container, job_id: uuid.UUID) -> list[float]:
    async with container.session_factory() as session:
        rows = await session.scalars(
            select(JobEvent.progress).where(JobEvent.job_id == job_id).order_by(JobEvent.sequence)
        )
        return list(rows)


async def _job(container, job_id: uuid.UUID):
    async with container.session_factory() as session:
        job = await session.scalar(select(Job).where(Job.id == job_id))
        assert job is not None
        return job


async def _at(container, job_id: uuid.UUID, status: JobStatus, stage: JobStage | None) -> None:
    async with container.session_factory() as session:
        job = await session.scalar(select(Job).where(Job.id == job_id))
        assert job is not None
        job.status, job.stage = status, stage
        await session.commit()


async def _report(container, job_id: uuid.UUID, fraction: float, rng: random.Random) -> None:
    """A scene chain's report: load the job, wait (another chain may commit meanwhile), write."""
    async with container.session_factory() as session:
        job = await session.scalar(select(Job).where(Job.id == job_id))
        assert job is not None
        await asyncio.sleep(rng.random() * 0.05)
        await job_stages.report_progress(session, job, fraction, message="clips")
        await session.commit()


def _non_decreasing(values: list[float]) -> bool:
    return all(a <= b for a, b in itertools.pairwise(values))


async def test_concurrent_reports_over_many_jobs_never_go_back(container) -> None:
    rng = random.Random(9)
    jobs = [(await seed_job(container.session_factory)).job_id for _ in range(JOBS)]
    for job_id in jobs:
        await _at(container, job_id, JobStatus.RENDERING, JobStage.CLIPS)
    fractions = {job_id: [rng.random() for _ in range(CHAINS)] for job_id in jobs}
    await asyncio.gather(
        *(
            _report(container, job_id, fraction, rng)
            for job_id in jobs
            for fraction in fractions[job_id]
        )
    )
    for job_id in jobs:
        progress = await _events(container, job_id)
        assert len(progress) == CHAINS
        assert _non_decreasing(progress), progress
        job = await _job(container, job_id)
        assert job.progress == progress_at(JobStage.CLIPS, max(fractions[job_id]))
        assert progress[-1] == job.progress


@dataclass
class _Failure:
    code: str = "PROVIDER_ERROR"
    message: str = "the provider failed"
    stage: JobStage | None = JobStage.CLIPS
    retryable: bool = False


async def test_a_retry_holds_progress_until_the_rerun_passes_it(container) -> None:
    seeded = await seed_job(container.session_factory)
    await _at(container, seeded.job_id, JobStatus.RENDERING, JobStage.CLIPS)
    async with container.session_factory() as session:
        job = await session.scalar(select(Job).where(Job.id == seeded.job_id))
        assert job is not None
        await job_stages.report_progress(session, job, 0.6)
        await job_stages.fail_stage(session, job, _Failure())
        await session.commit()
    held = (await _job(container, seeded.job_id)).progress
    assert held == progress_at(JobStage.CLIPS, 0.6)
    async with container.session_factory() as session:
        job = await retry_job(session, seeded.org_id, seeded.job_id)
        await session.commit()
    assert (await _job(container, seeded.job_id)).progress == held  # not back to the stage start
    async with container.session_factory() as session:
        job = await session.scalar(select(Job).where(Job.id == seeded.job_id))
        assert job is not None
        # the re-run starts at the first stage with work missing (here PLAN): the bar holds
        await job_stages.report_progress(session, job, 1.0)
        assert job.progress == held
        job.status, job.stage = JobStatus.RENDERING, JobStage.CLIPS
        for fraction in (0.1, 0.5, 0.9):  # the re-run starts over; the bar moves past 0.6 only
            await job_stages.report_progress(session, job, fraction)
        await session.commit()
    progress = await _events(container, seeded.job_id)
    assert _non_decreasing(progress), progress
    assert progress[-1] == progress_at(JobStage.CLIPS, 0.9)
