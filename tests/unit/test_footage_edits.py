"""Footage scene edits as use cases, against an in-memory database and a fake unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from domain.enums import AssetKind, AssetRole, FootageAudio, SceneContinuity
from domain.errors import DomainError, ErrorCode
from domain.services import jobs
from schema.ids import encode_id
from tests.support.fakes import FakeUnitOfWork, SessionFactory, memory_database, seed_job
from tests.support.job_flow import Flow, add_asset, key_of


@pytest.fixture
async def factory() -> AsyncIterator[SessionFactory]:
    async with memory_database() as sessions:
        yield sessions


async def _edit(factory: SessionFactory, work: Any) -> Any:
    async with factory() as session, FakeUnitOfWork(session):
        return await work(session)


async def _refused(factory: SessionFactory, work: Any) -> DomainError:
    async with factory() as session:
        with pytest.raises(DomainError) as caught:
            async with FakeUnitOfWork(session):
                await work(session)
        return caught.value


async def test_replace_scene_clip_cuts_from_footage_and_refuses_continue(
    factory: SessionFactory,
) -> None:
    seeded = await seed_job(factory, continuity=True)
    flow = Flow(factory, encode_id("Job", seeded.job_id))
    await flow.to_storyboard_ready()
    client = encode_id("Client", seeded.client_id)
    video = key_of(await add_asset(factory, client, AssetRole.FOOTAGE, AssetKind.VIDEO))
    image = key_of(await add_asset(factory, client, AssetRole.PRODUCT))
    async with factory() as session:
        job = await jobs.get_job(session, seeded.org_id, seeded.job_id)
        scenes = await jobs.scenes_of(session, job)
    follower = next(s for s in scenes if s.continuity is SceneContinuity.CONTINUE)
    cut = next(s for s in scenes[1:] if s.continuity is SceneContinuity.CUT)
    org = seeded.org_id

    error = await _refused(
        factory, lambda s: jobs.replace_scene_clip(s, org, follower.id, video, 1.0)
    )
    assert error.code is ErrorCode.INVALID
    assert f"scene {follower.position + 1} " in error.message
    error = await _refused(factory, lambda s: jobs.replace_scene_clip(s, org, cut.id, image))
    assert error.code is ErrorCode.INVALID and error.field == ["assetId"]

    scene = await _edit(factory, lambda s: jobs.replace_scene_clip(s, org, cut.id, video, 1.5))
    assert scene.footage_asset_id == video and scene.trim_start_seconds == 1.5
    assert scene.image_asset_id is None and scene.clip_asset_id is None  # cut again, for free
    assert scene.estimated_cost_usd == cut.estimated_cost_usd

    # the sound setting only changes the composition; a CONTINUE onto the footage is refused
    assert await flow.storyboard() is None  # the new key image
    fields = jobs.SceneFields({"footage_audio": FootageAudio.MIX})
    mixed = await _edit(factory, lambda s: jobs.update_scene(s, org, cut.id, fields))
    assert mixed.footage_audio is FootageAudio.MIX and mixed.image_asset_id is not None
    cont = jobs.SceneFields({"continuity": SceneContinuity.CONTINUE})
    error = await _refused(factory, lambda s: jobs.update_scene(s, org, cut.id, cont))
    assert error.code is ErrorCode.INVALID and error.message.startswith(
        f"scene {cut.position + 1} shows uploaded footage"
    )

    # regenerating returns the scene to a generated clip
    back = await _edit(factory, lambda s: jobs.regenerate_scene(s, org, cut.id, "generate it"))
    assert back.footage_asset_id is None and str(video) not in back.asset_ids
    assert back.trim_start_seconds is None
