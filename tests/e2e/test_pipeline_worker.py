"""The pipeline on real ``adreel worker`` processes (arq on Redis, PostgreSQL), and a crash.

The API only enqueues (its queue is arq on a queue name unique to the test); stages run in worker
subprocesses started with ``adreel worker``. The crash test SIGKILLs a worker in the middle of a
clip: the lease expires, the sweeper re-queues the stage, a second worker finishes the job, and
nothing already stored is made again.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from domain.bootstrap import Container
from domain.enums import AssetRole, JobStage, SceneStatus
from domain.models import Asset, Scene
from domain.models.pipeline import ProviderCall, StageRun, StageRunOutcome
from domain.settings import Settings
from schema.ids import decode_id
from tests.conftest import REDIS_URL, Api, create_pg_database, drop_pg_database
from tests.integration.test_pipeline_embedded import check_continuity
from tests.support.pipeline import (
    create_job,
    decode,
    download,
    integrated_loudness,
    make_brand,
    settings_env,
    start_worker,
    stop_worker,
    wait_for_job,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

LEASE_SECONDS = 3.0
SWEEP_SECONDS = 1.0


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.fixture
def settings(data_dir: Path, database_url: str) -> Settings:
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=database_url,
        redis_url=REDIS_URL,
        queue_name=f"adreel:test:{uuid.uuid4().hex}",
        bus_channel_prefix=f"t{uuid.uuid4().hex[:8]}:",
        public_url="http://adreel.test",
        secret_key="test-secret-" + uuid.uuid4().hex,
        render_resolution="P480",
        lease_seconds=LEASE_SECONDS,
        sweep_interval_seconds=SWEEP_SECONDS,
        scene_concurrency=1,
    )


def spawn(settings: Settings, workers: list[Any], log: Path) -> Any:
    process = start_worker(settings_env(settings), log)
    workers.append(process)
    return process


def job_uuid(job_id: str) -> uuid.UUID:
    return decode_id(job_id, "Job", "jobId")


async def check_output(
    http: httpx.AsyncClient, job: dict[str, Any], tmp: Path, seconds: float
) -> None:
    ad = await download(http, job["output"]["asset"]["url"], tmp / "ad.mp4")
    decoded = decode(ad)
    assert (decoded.width, decoded.height) == (480, 854)
    assert abs(decoded.seconds - seconds) <= 1 / 30 + 1e-9
    assert decoded.has_audio
    assert abs(integrated_loudness(ad) - (-14.0)) <= 1.0
    assert await check_continuity(http, job, tmp) >= 1


async def test_job_runs_on_an_arq_worker(
    api: Api,
    http: httpx.AsyncClient,
    container: Container,
    settings: Settings,
    workers: list[Any],
    tmp_path: Path,
) -> None:
    spawn(settings, workers, tmp_path / "worker.log")
    brand = await make_brand(api, tmp_path / "kit", music_seconds=10)
    # the logo alone: product photos fill their scenes (cuts), generated scenes continue
    job_id = await create_job(api, brand, durationSeconds=6.0, sceneCount=4, assetIds=[brand.logo])
    job = await wait_for_job(api, job_id, {"COMPLETED"}, timeout=420)
    await check_output(http, job, tmp_path, 6.0)
    async with container.session_factory() as session:
        owners = set(
            await session.scalars(select(StageRun.owner).where(StageRun.job_id == job_uuid(job_id)))
        )
    assert owners and all(o.startswith("worker:") for o in owners), owners
    # the worker reports its health where `adreel worker --check` looks
    adreel = str(Path(sys.executable).parent / "adreel")
    check = subprocess.run([adreel, "worker", "--check"], env=settings_env(settings), timeout=60)
    assert check.returncode == 0


async def test_worker_killed_mid_clip_loses_nothing(
    api: Api,
    http: httpx.AsyncClient,
    container: Container,
    settings: Settings,
    workers: list[Any],
    tmp_path: Path,
) -> None:
    first = spawn(settings, workers, tmp_path / "worker-1.log")
    brand = await make_brand(api, tmp_path / "kit", music_seconds=10)
    job_id = await create_job(
        api, brand, durationSeconds=8.0, sceneCount=5, assetIds=[brand.logo, brand.products[0]]
    )
    job = job_uuid(job_id)

    # wait until one clip is stored and the next one is being rendered, then kill the worker
    deadline = time.monotonic() + 300
    while True:
        async with container.session_factory() as session:
            statuses = list(
                await session.scalars(
                    select(Scene.status).where(Scene.job_id == job).order_by(Scene.position)
                )
            )
        if SceneStatus.RENDERED in statuses and SceneStatus.RENDERING in statuses:
            break
        assert time.monotonic() < deadline, statuses
        await asyncio.sleep(0.02)
    stop_worker(first, signal.SIGKILL)
    killed_at = time.time()
    async with container.session_factory() as session:
        stored_before = set(
            await session.scalars(
                select(Scene.id).where(Scene.job_id == job, Scene.clip_asset_id.is_not(None))
            )
        )
    assert stored_before

    spawn(settings, workers, tmp_path / "worker-2.log")
    state = await wait_for_job(api, job_id, {"COMPLETED"}, timeout=420)
    await check_output(http, state, tmp_path, 8.0)

    async with container.session_factory() as session:
        runs = list(
            await session.scalars(
                select(StageRun).where(StageRun.job_id == job).order_by(StageRun.created_at)
            )
        )
        calls = list(await session.scalars(select(ProviderCall).where(ProviderCall.job_id == job)))
        clips = await session.scalar(
            select(func.count())
            .select_from(Asset)
            .where(Asset.job_id == job, Asset.role == AssetRole.CLIP)
        )
        scenes = list(await session.scalars(select(Scene).where(Scene.job_id == job)))

    # each scene has exactly one clip
    assert clips == len(scenes) == 5
    assert len({s.clip_asset_id for s in scenes}) == 5
    # the stages stored before the crash ran once; the interrupted one resumed on the new worker
    by_stage: dict[JobStage, list[StageRun]] = {}
    for run in runs:
        by_stage.setdefault(run.stage, []).append(run)
    assert len(by_stage[JobStage.PLAN]) == len(by_stage[JobStage.STORYBOARD]) == 1
    interrupted, resumed = by_stage[JobStage.CLIPS]
    assert interrupted.outcome is StageRunOutcome.INTERRUPTED
    assert resumed.outcome is StageRunOutcome.COMPLETED and resumed.owner != interrupted.owner
    assert resumed.reused == len(stored_before)
    # the delay is bounded by the lease and the sweep interval (plus start-up of the new worker)
    assert resumed.created_at.timestamp() - killed_at < LEASE_SECONDS + SWEEP_SECONDS + 10
    # no provider call for stored work was repeated: plan and images once, stored clips once
    for call in calls:
        if call.operation != "video" or call.scene_id in stored_before:
            assert call.attempts == 1, (call.operation, call.attempts)
        else:
            assert call.attempts in (1, 2)
    assert sum(1 for c in calls if c.operation == "video") == 5
