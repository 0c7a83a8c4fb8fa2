"""Scene edits as use cases, against an in-memory database and a fake unit of work (no server)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import JobEventType, JobStage, JobStatus, RenderStatus, SceneBeat
from domain.errors import ErrorCode, InvalidState, ValidationErrors
from domain.models import Job
from domain.services import jobs
from schema.ids import encode_id
from tests.support.fakes import FakeUnitOfWork, Seeded, SessionFactory, memory_database, seed_job
from tests.support.job_flow import Flow

T = TypeVar("T")


@pytest.fixture
async def factory() -> AsyncIterator[SessionFactory]:
    async with memory_database() as sessions:
        yield sessions


async def in_uow(
    factory: SessionFactory, work: Callable[[AsyncSession], Awaitable[T]]
) -> tuple[T, FakeUnitOfWork]:
    async with factory() as session, FakeUnitOfWork(session) as uow:
        return await work(session), uow


async def failing(
    factory: SessionFactory, work: Callable[[AsyncSession], Awaitable[Any]]
) -> tuple[BaseException, FakeUnitOfWork]:
    async with factory() as session:
        uow = FakeUnitOfWork(session)
        with pytest.raises(Exception) as caught:
            async with uow:
                await work(session)
        return caught.value, uow


async def storyboard_ready(factory: SessionFactory) -> Seeded:
    seeded = await seed_job(factory)
    await Flow(factory, encode_id("Job", seeded.job_id)).to_storyboard_ready()
    return seeded


async def job_and_scenes(factory: SessionFactory, seeded: Seeded) -> tuple[Job, list[Any]]:
    async with factory() as session:
        job = await jobs.get_job(session, seeded.org_id, seeded.job_id)
        return job, await jobs.scenes_of(session, job)


async def test_caption_edit_keeps_images_and_needs_no_stage(factory: SessionFactory) -> None:
    seeded = await storyboard_ready(factory)
    _, scenes = await job_and_scenes(factory, seeded)
    target = scenes[1]

    async def work(session: AsyncSession) -> Any:
        fields = jobs.SceneFields({"caption": "  Run further  "})
        return await jobs.update_scene(session, seeded.org_id, target.id, fields)

    scene, uow = await in_uow(factory, work)
    assert scene.caption == "Run further"
    assert scene.image_asset_id == target.image_asset_id
    assert uow.commits == 1
    assert uow.memory_bus.event_types() == [JobEventType.SCENE_UPDATED.value]
    assert uow.memory_queue.tasks == []
    job, _ = await job_and_scenes(factory, seeded)
    assert job.status is JobStatus.STORYBOARD_READY


async def test_prompt_edit_remakes_the_key_image_after_commit(factory: SessionFactory) -> None:
    seeded = await storyboard_ready(factory)
    _, scenes = await job_and_scenes(factory, seeded)

    async def work(session: AsyncSession) -> Any:
        fields = jobs.SceneFields({"prompt": "a runner at dawn"})
        return await jobs.update_scene(session, seeded.org_id, scenes[0].id, fields)

    scene, uow = await in_uow(factory, work)
    assert scene.image_asset_id is None
    assert uow.memory_bus.event_types() == [
        JobEventType.SCENE_UPDATED.value,
        JobEventType.STATUS_CHANGED.value,
    ]
    assert uow.memory_queue.stages() == [(seeded.job_id, JobStage.STORYBOARD)]
    job, _ = await job_and_scenes(factory, seeded)
    assert (job.status, job.stage) == (JobStatus.PLANNING, JobStage.STORYBOARD)


async def test_invalid_edit_rolls_back_and_announces_nothing(factory: SessionFactory) -> None:
    seeded = await storyboard_ready(factory)
    _, scenes = await job_and_scenes(factory, seeded)

    async def work(session: AsyncSession) -> Any:
        fields = jobs.SceneFields({"caption": "x" * 201, "duration_seconds": None})
        return await jobs.update_scene(session, seeded.org_id, scenes[0].id, fields)

    error, uow = await failing(factory, work)
    assert isinstance(error, ValidationErrors)
    assert sorted((e.field or [""])[0] for e in error.errors) == ["caption", "durationSeconds"]
    assert (uow.commits, uow.rollbacks, uow.pending) == (0, 1, 0)
    assert uow.memory_bus.messages == [] and uow.memory_queue.tasks == []
    _, after = await job_and_scenes(factory, seeded)
    assert after[0].caption == scenes[0].caption


async def test_added_scene_goes_before_the_end_card(factory: SessionFactory) -> None:
    seeded = await storyboard_ready(factory)
    job, scenes = await job_and_scenes(factory, seeded)
    assert scenes[-1].beat is SceneBeat.END_CARD

    async def work(session: AsyncSession) -> Any:
        fields = jobs.SceneFields({"title": "Close-up", "duration_seconds": 2.5})
        return await jobs.add_scene(session, seeded.org_id, seeded.job_id, None, fields)

    scene, uow = await in_uow(factory, work)
    after_job, after = await job_and_scenes(factory, seeded)
    assert [s.id for s in after].index(scene.id) == len(scenes) - 1
    assert after[-1].beat is SceneBeat.END_CARD
    assert [s.position for s in after] == list(range(len(scenes) + 1))
    assert after_job.duration_seconds == pytest.approx(job.duration_seconds + 2.5)
    assert after_job.estimated_cost_usd >= job.estimated_cost_usd
    assert uow.memory_queue.stages() == [(seeded.job_id, JobStage.STORYBOARD)]


async def test_reorder_must_name_every_scene_once(factory: SessionFactory) -> None:
    seeded = await storyboard_ready(factory)
    _, scenes = await job_and_scenes(factory, seeded)
    ids = [s.id for s in scenes]

    async def partial(session: AsyncSession) -> Any:
        return await jobs.reorder_scenes(session, seeded.org_id, seeded.job_id, ids[:-1])

    error, uow = await failing(factory, partial)
    assert getattr(error, "code", None) is ErrorCode.INVALID and uow.rollbacks == 1

    async def swap(session: AsyncSession) -> Any:
        order = [ids[1], ids[0], *ids[2:]]
        return await jobs.reorder_scenes(session, seeded.org_id, seeded.job_id, order)

    _, uow = await in_uow(factory, swap)
    _, after = await job_and_scenes(factory, seeded)
    assert [s.id for s in after][:2] == [ids[1], ids[0]]
    assert uow.memory_bus.event_types().count(JobEventType.SCENE_UPDATED.value) == 2


async def test_regenerate_counts_a_refinement_until_the_limit(factory: SessionFactory) -> None:
    seeded = await storyboard_ready(factory)
    _, scenes = await job_and_scenes(factory, seeded)

    async def regenerate(session: AsyncSession) -> Any:
        return await jobs.regenerate_scene(session, seeded.org_id, scenes[0].id, "brighter")

    scene, uow = await in_uow(factory, regenerate)
    assert (scene.refinements, scene.feedback) == (1, ["brighter"])
    assert uow.memory_queue.stages() == [(seeded.job_id, JobStage.STORYBOARD)]
    job, _ = await job_and_scenes(factory, seeded)
    assert job.refinements_used == 1
    # The job is back at the storyboard stage: a scene edit must wait for it.
    error, uow = await failing(factory, regenerate)
    assert isinstance(error, InvalidState) and uow.memory_queue.tasks == []


async def test_caption_edit_of_a_completed_job_asks_for_approval_again(
    factory: SessionFactory,
) -> None:
    seeded = await storyboard_ready(factory)
    flow = Flow(factory, encode_id("Job", seeded.job_id))

    async def approve(session: AsyncSession) -> Any:
        return await jobs.approve_storyboard(session, seeded.org_id, seeded.job_id)

    await in_uow(factory, approve)
    await flow.after_approval()
    _, scenes = await job_and_scenes(factory, seeded)

    async def work(session: AsyncSession) -> Any:
        fields = jobs.SceneFields({"caption": "New line"})
        return await jobs.update_scene(session, seeded.org_id, scenes[0].id, fields)

    _, uow = await in_uow(factory, work)
    job, _ = await job_and_scenes(factory, seeded)
    assert job.status is JobStatus.STORYBOARD_READY and job.composition_asset_id is None
    assert uow.memory_bus.event_types()[-1] == JobEventType.STORYBOARD_READY.value
    assert all(r.status is RenderStatus.QUEUED for r in await flow.renders())
