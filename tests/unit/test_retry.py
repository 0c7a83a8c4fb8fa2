"""Retrying a failed job as a use case, against an in-memory database and a fake unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from domain.enums import JobEventType, JobStage, JobStatus, RenderStatus, SceneStatus
from domain.errors import InvalidState
from domain.services import job_stages, jobs
from schema.ids import encode_id
from tests.support.fakes import FakeUnitOfWork, Seeded, SessionFactory, memory_database, seed_job
from tests.support.job_flow import Failure, Flow


@pytest.fixture
async def factory() -> AsyncIterator[SessionFactory]:
    async with memory_database() as sessions:
        yield sessions


async def retry(factory: SessionFactory, seeded: Seeded) -> FakeUnitOfWork:
    async with factory() as session, FakeUnitOfWork(session) as uow:
        await jobs.retry_job(session, seeded.org_id, seeded.job_id)
    return uow


async def state(factory: SessionFactory, seeded: Seeded) -> tuple[Any, list[Any], list[Any]]:
    async with factory() as session:
        job = await jobs.get_job(session, seeded.org_id, seeded.job_id)
        return job, await jobs.scenes_of(session, job), await jobs.renders_of(session, job)


async def approved(factory: SessionFactory) -> tuple[Seeded, Flow]:
    seeded = await seed_job(factory)
    flow = Flow(factory, encode_id("Job", seeded.job_id))
    await flow.to_storyboard_ready()
    async with factory() as session, FakeUnitOfWork(session):
        await jobs.approve_storyboard(session, seeded.org_id, seeded.job_id)
    return seeded, flow


async def test_retry_resumes_at_the_failed_stage_and_clears_the_error(
    factory: SessionFactory,
) -> None:
    seeded, flow = await approved(factory)
    await flow.fail(JobStage.CLIPS, code="PROVIDER_UNAVAILABLE", retryable=True)
    job, _, _ = await state(factory, seeded)
    assert (job.status, job.error_code) == (JobStatus.FAILED, "PROVIDER_UNAVAILABLE")

    uow = await retry(factory, seeded)

    job, scenes, _ = await state(factory, seeded)
    assert (job.status, job.stage) == (JobStatus.RENDERING, JobStage.CLIPS)
    assert (job.error_code, job.error_stage, job.error_message, job.error_retryable) == (
        None,
        None,
        None,
        False,
    )
    assert job.attempts == 0 and job.next_run_at is None
    assert all(s.status is SceneStatus.IMAGE_READY for s in scenes)
    assert uow.memory_bus.event_types() == [JobEventType.STATUS_CHANGED.value]
    assert uow.memory_queue.stages() == [(seeded.job_id, JobStage.CLIPS)]


async def test_retry_of_a_failed_plan_queues_the_job_again(factory: SessionFactory) -> None:
    seeded = await seed_job(factory)
    async with factory() as session, FakeUnitOfWork(session):
        job = await jobs.get_job(session, seeded.org_id, seeded.job_id)
        await job_stages.start_stage(session, job, JobStage.PLAN)
        await job_stages.fail_stage(session, job, Failure("INTERNAL", "planner broke"))

    uow = await retry(factory, seeded)

    job, scenes, _ = await state(factory, seeded)
    assert (job.status, job.stage, scenes) == (JobStatus.QUEUED, JobStage.PLAN, [])
    assert uow.memory_queue.stages() == [(seeded.job_id, JobStage.PLAN)]


async def test_retry_requeues_failed_renders(factory: SessionFactory) -> None:
    seeded, flow = await approved(factory)
    await flow.clips()
    await flow.compose()
    async with factory() as session, FakeUnitOfWork(session):
        job = await jobs.get_job(session, seeded.org_id, seeded.job_id)
        await job_stages.start_stage(session, job, JobStage.RENDER)
        await job_stages.fail_stage(
            session, job, Failure("MEDIA_FAILED", "encoder broke", JobStage.RENDER)
        )
    _, _, renders = await state(factory, seeded)
    assert [(r.status, r.error_code) for r in renders] == [(RenderStatus.FAILED, "MEDIA_FAILED")]

    uow = await retry(factory, seeded)

    job, _, renders = await state(factory, seeded)
    assert (job.status, job.stage) == (JobStatus.COMPOSING, JobStage.RENDER)
    assert [(r.status, r.progress, r.error_code) for r in renders] == [
        (RenderStatus.QUEUED, 0.0, None)
    ]
    assert uow.memory_queue.stages() == [(seeded.job_id, JobStage.RENDER)]


async def test_retry_of_a_running_job_is_refused_and_enqueues_nothing(
    factory: SessionFactory,
) -> None:
    seeded, _ = await approved(factory)
    async with factory() as session:
        uow = FakeUnitOfWork(session)
        with pytest.raises(InvalidState):
            async with uow:
                await jobs.retry_job(session, seeded.org_id, seeded.job_id)
    assert (uow.commits, uow.rollbacks) == (0, 1)
    assert uow.memory_bus.messages == [] and uow.memory_queue.tasks == []
    job, _, _ = await state(factory, seeded)
    assert job.status is JobStatus.RENDERING


async def test_hooks_run_in_order_after_commit_and_a_failing_one_does_not_stop_the_rest(
    factory: SessionFactory,
) -> None:
    ran: list[str] = []

    async def first(_: Any) -> None:
        ran.append("first")
        raise RuntimeError("bus down")

    async def second(_: Any) -> None:
        ran.append("second")

    async with factory() as session:
        uow = FakeUnitOfWork(session)
        uow.after_commit(first)
        uow.after_commit(second, key="once")
        uow.after_commit(second, key="once")
        assert (ran, uow.pending) == ([], 2)
        await uow.commit()
    assert ran == ["first", "second"] and uow.pending == 0


async def test_a_use_case_run_before_the_caller_opened_its_unit_of_work_keeps_its_hooks(
    factory: SessionFactory,
) -> None:
    seeded, flow = await approved(factory)
    await flow.fail(JobStage.CLIPS)
    async with factory() as session:
        await jobs.retry_job(session, seeded.org_id, seeded.job_id)
        uow = FakeUnitOfWork(session)  # takes over the hooks registered on the session
        await uow.commit()
    assert uow.memory_queue.stages() == [(seeded.job_id, JobStage.CLIPS)]
