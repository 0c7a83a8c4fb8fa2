"""Leases, the sweeper and the provider-call ledger against real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from domain.bootstrap import Container
from domain.enums import JobStage, JobStatus
from domain.models import Job
from domain.models.base import utcnow
from domain.models.pipeline import ProviderCall, ProviderCallStatus, StageRun, StageRunOutcome
from domain.services.pipeline import lease, ledger
from domain.services.pipeline.context import PipelineDeps
from domain.services.pipeline.errors import StageError
from domain.services.pipeline.runner import Outcome, execute_stage
from domain.services.pipeline.sweeper import resume_on_start, sweep
from tests.support.jobs import seed_job


class RecordingQueue:
    """A queue that only remembers what was asked of it."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str | None, float, dict[str, Any]]] = []

    async def enqueue(
        self, task: str, *, key: str | None = None, delay_seconds: float = 0.0, **kwargs: Any
    ) -> None:
        self.sent.append((task, key, delay_seconds, kwargs))

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@pytest.fixture
def queue(container: Container) -> RecordingQueue:
    recording = RecordingQueue()
    container.queue = recording
    return recording


@pytest.fixture
def deps(container: Container, queue: RecordingQueue) -> PipelineDeps:
    return container.pipeline


async def set_job(container: Container, job_id: uuid.UUID, **values: Any) -> None:
    async with container.session_factory() as session:
        await session.execute(update(Job).where(Job.id == job_id).values(**values))
        await session.commit()


async def test_one_owner_at_a_time(container: Container) -> None:
    seeded = await seed_job(container.session_factory)
    factory, job = container.session_factory, seeded.job_id
    assert await lease.acquire(factory, job, "a", 30)
    assert not await lease.acquire(factory, job, "b", 30)
    beat = await lease.heartbeat(factory, job, "a", 30)
    assert beat.held and beat.status is JobStatus.QUEUED
    assert not (await lease.heartbeat(factory, job, "b", 30)).held
    await lease.release(factory, job, "b")  # not b's lease: nothing happens
    assert not await lease.acquire(factory, job, "b", 30)
    await lease.release(factory, job, "a")
    assert await lease.acquire(factory, job, "b", 30)
    # an expired lease is free for the taking
    await set_job(container, job, lease_expires_at=utcnow() - timedelta(seconds=1))
    assert await lease.acquire(factory, job, "c", 30)
    assert not (await lease.heartbeat(factory, job, "b", 30)).held


async def test_concurrent_acquires_have_one_winner(container: Container) -> None:
    seeded = await seed_job(container.session_factory)
    wins = await asyncio.gather(
        *(lease.acquire(container.session_factory, seeded.job_id, f"o{i}", 30) for i in range(8))
    )
    assert wins.count(True) == 1


async def test_sweeper_requeues_a_dead_owners_stage(
    container: Container, deps: PipelineDeps, queue: RecordingQueue
) -> None:
    seeded = await seed_job(container.session_factory)
    job = seeded.job_id
    await set_job(
        container,
        job,
        status=JobStatus.RENDERING,
        stage=JobStage.CLIPS,
        lease_owner="worker:dead:1:abc",
        lease_expires_at=utcnow() - timedelta(seconds=2),
    )
    async with container.session_factory() as session:
        session.add(
            StageRun(
                organization_id=seeded.org_id,
                job_id=job,
                stage=JobStage.CLIPS,
                owner="worker:dead:1:abc",
            )
        )
        await session.commit()
    report = await sweep(deps)
    assert report.expired == [job]
    ((task, key, delay, kwargs),) = queue.sent
    assert task == "run_stage" and kwargs == {"job_id": str(job), "stage": "CLIPS"}
    assert key is not None and key.startswith(f"run_stage:{job}:CLIPS:swept-") and delay == 0
    async with container.session_factory() as session:
        row = await session.get(Job, job)
        assert row is not None and row.lease_owner is None and row.lease_expires_at is None
        run = await session.scalar(select(StageRun).where(StageRun.job_id == job))
        assert run is not None and run.outcome is StageRunOutcome.INTERRUPTED
    # a second sweep finds nothing new
    assert (await sweep(deps)).expired == []


async def test_sweeper_leaves_live_leases_and_back_offs_alone(
    container: Container, deps: PipelineDeps, queue: RecordingQueue
) -> None:
    live = (await seed_job(container.session_factory)).job_id
    waiting = (await seed_job(container.session_factory)).job_id
    orphan = (await seed_job(container.session_factory)).job_id
    old = utcnow() - timedelta(hours=1)
    await set_job(container, live, status=JobStatus.RENDERING, stage=JobStage.CLIPS,
                  lease_owner="w", lease_expires_at=utcnow() + timedelta(seconds=30))  # fmt: skip
    await set_job(container, waiting, status=JobStatus.RENDERING, stage=JobStage.CLIPS,
                  next_run_at=utcnow() + timedelta(seconds=30))  # fmt: skip
    await set_job(container, orphan, status=JobStatus.COMPOSING, stage=JobStage.COMPOSE)
    async with container.session_factory() as session:  # make them look quiet for an hour
        await session.execute(
            update(Job).where(Job.id.in_([live, waiting, orphan])).values(updated_at=old)
        )
        await session.commit()
    report = await sweep(deps)
    assert report.expired == [] and report.orphans == [orphan]
    assert [(k["job_id"], k["stage"]) for _, _, _, k in queue.sent] == [(str(orphan), "COMPOSE")]


async def test_resume_on_start_clears_own_leases_and_keeps_back_off(
    container: Container, deps: PipelineDeps, queue: RecordingQueue
) -> None:
    mine = (await seed_job(container.session_factory)).job_id
    backing_off = (await seed_job(container.session_factory)).job_id
    await set_job(container, mine, status=JobStatus.PLANNING, stage=JobStage.STORYBOARD,
                  lease_owner="embedded:host:1:x", lease_expires_at=utcnow() + timedelta(hours=1))  # fmt: skip
    await set_job(container, backing_off, status=JobStatus.RENDERING, stage=JobStage.CLIPS,
                  next_run_at=utcnow() + timedelta(seconds=20))  # fmt: skip
    resumed = await resume_on_start(deps, owner_prefix="embedded:")
    assert set(resumed) >= {mine, backing_off}
    sent = {k["job_id"]: (k["stage"], delay) for _, _, delay, k in queue.sent}
    assert sent[str(mine)] == ("STORYBOARD", 0.0)
    stage, delay = sent[str(backing_off)]
    assert stage == "CLIPS" and 10 < delay <= 20


async def test_stage_runs_only_when_due_and_free(container: Container, deps: PipelineDeps) -> None:
    job = (await seed_job(container.session_factory)).job_id
    await set_job(container, job, status=JobStatus.STORYBOARD_READY, stage=None)
    assert (
        await execute_stage(deps, job, JobStage.CLIPS, owner_base="t")
    ).outcome is Outcome.SKIPPED
    await set_job(container, job, status=JobStatus.RENDERING, stage=JobStage.CLIPS,
                  lease_owner="other", lease_expires_at=utcnow() + timedelta(seconds=30))  # fmt: skip
    ran: list[JobStage] = []

    async def body(ctx: Any) -> None:
        ran.append(ctx.stage)

    bodies = {JobStage.CLIPS: body}
    result = await execute_stage(deps, job, JobStage.CLIPS, owner_base="t", bodies=bodies)  # type: ignore[arg-type]
    assert result.outcome is Outcome.SKIPPED and ran == []
    # a stale request for another stage is skipped too
    await set_job(container, job, lease_owner=None, lease_expires_at=None)
    assert (
        await execute_stage(deps, job, JobStage.PLAN, owner_base="t")
    ).outcome is Outcome.SKIPPED


async def test_retryable_failure_schedules_a_backed_off_retry(
    container: Container, deps: PipelineDeps, queue: RecordingQueue
) -> None:
    job = (await seed_job(container.session_factory)).job_id
    await set_job(container, job, status=JobStatus.COMPOSING, stage=JobStage.COMPOSE)

    async def flaky(ctx: Any) -> None:
        raise StageError("PROVIDER_UNAVAILABLE", "busy", retryable=True)

    bodies = {JobStage.COMPOSE: flaky}
    first = await execute_stage(deps, job, JobStage.COMPOSE, owner_base="t", bodies=bodies)  # type: ignore[arg-type]
    assert first.outcome is Outcome.RETRY_SCHEDULED and first.retry_in is not None
    ((_, key, delay, kwargs),) = queue.sent
    assert kwargs["stage"] == "COMPOSE" and delay == first.retry_in
    assert key is not None and key.endswith(":retry1")
    # an early duplicate while the back-off runs is ignored
    early = await execute_stage(deps, job, JobStage.COMPOSE, owner_base="t", bodies=bodies)  # type: ignore[arg-type]
    assert early.outcome is Outcome.SKIPPED
    # attempts run out: the job fails with the error, marked retryable
    await set_job(container, job, next_run_at=None, attempts=deps.settings.stage_max_attempts)
    last = await execute_stage(deps, job, JobStage.COMPOSE, owner_base="t", bodies=bodies)  # type: ignore[arg-type]
    assert last.outcome is Outcome.FAILED
    async with container.session_factory() as session:
        row = await session.get(Job, job)
        assert row is not None and row.status is JobStatus.FAILED
        assert (row.error_code, row.error_stage, row.error_retryable) == (
            "PROVIDER_UNAVAILABLE", JobStage.COMPOSE, True,
        )  # fmt: skip
        assert row.lease_owner is None


async def test_budget_reservations_never_overspend(container: Container) -> None:
    seeded = await seed_job(container.session_factory)
    await set_job(container, seeded.job_id, budget_usd=Decimal("0.10"))

    def spec(n: int) -> ledger.CallSpec:
        return ledger.CallSpec(
            key=f"{seeded.job_id}:image:{n}", stage=JobStage.STORYBOARD, operation="image",
            provider="priced", estimate_usd=Decimal("0.04"),
        )  # fmt: skip

    results = await asyncio.gather(
        *(ledger.reserve(container.session_factory, seeded.org_id, seeded.job_id, spec(n))
          for n in range(5)),
        return_exceptions=True,
    )  # fmt: skip
    reserved = [r for r in results if isinstance(r, ProviderCall)]
    refused = [r for r in results if isinstance(r, StageError)]
    assert len(reserved) == 2 and len(refused) == 3
    assert all(e.code == "BUDGET_EXCEEDED" and not e.retryable for e in refused)
    async with container.session_factory() as session:
        job = await session.get(Job, seeded.job_id)
        assert job is not None and job.actual_cost_usd == Decimal("0.08")
        # one succeeds cheaper than listed, the other fails: the job pays 0.03
        await ledger.record_success(session, reserved[0].id, cost_usd=Decimal("0.03"))
        await session.commit()
    await ledger.record_failure(
        container.session_factory, reserved[1].id, StageError("X", "failed")
    )
    async with container.session_factory() as session:
        job = await session.get(Job, seeded.job_id, populate_existing=True)
        assert job is not None and job.actual_cost_usd == Decimal("0.03")
        stored = await ledger.find_stored(session, reserved[0].idempotency_key)
        assert stored is not None and stored.status is ProviderCallStatus.SUCCEEDED
    # a stored call is returned as it is: no second reservation, no second request (the calls
    # raced for the budget, so the first stored one may be any of the five)
    first = int(reserved[0].idempotency_key.rsplit(":", 1)[1])
    again = await ledger.reserve(
        container.session_factory, seeded.org_id, seeded.job_id, spec(first)
    )
    assert again.id == reserved[0].id and again.status is ProviderCallStatus.SUCCEEDED
    async with container.session_factory() as session:
        job = await session.get(Job, seeded.job_id, populate_existing=True)
        assert job is not None and job.actual_cost_usd == Decimal("0.03")
