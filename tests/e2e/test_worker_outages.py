"""``adreel worker`` rides out a Redis outage: stopped mid-job, started again, the job completes.

A private ``redis-server`` (the shared one is never stopped) carries the queue; the worker is a
real subprocess. While Redis is down the worker stays alive and ``adreel worker --check`` says
it is not healthy; once Redis is back the worker reconnects, reports in again and finishes the
job (the follow-up stage lost with Redis's memory is re-queued by the lease sweeper).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from domain.bootstrap import Container, build_container
from domain.enums import JobStatus
from domain.models import Job
from domain.settings import Settings
from schema.ids import decode_id
from tests.conftest import Api, new_key
from tests.support.pipeline import (
    create_job,
    make_brand,
    settings_env,
    start_worker,
    stop_worker,
    wait_for_job,
)
from tests.support.redis_server import RedisServer

pytestmark = [pytest.mark.slow]


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def outage_settings(tmp_path: Path, redis_server: RedisServer) -> Settings:
    data_dir = tmp_path / "var"
    data_dir.mkdir(parents=True)
    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=f"sqlite+aiosqlite:///{data_dir / 'db.sqlite3'}",
        redis_url=redis_server.url,
        queue_name=f"adreel:test:{uuid.uuid4().hex}",
        public_url="http://adreel.test",
        secret_key="test-secret-" + uuid.uuid4().hex,
        render_resolution="P480",
        lease_seconds=3.0,
        sweep_interval_seconds=1.0,
        scene_concurrency=1,
        worker_health_seconds=1.0,
        outage_backoff_max_seconds=2.0,
    )


def check(settings: Settings) -> int:
    adreel = str(Path(sys.executable).parent / "adreel")
    return subprocess.run(
        [adreel, "worker", "--check"], env=settings_env(settings), timeout=60, capture_output=True
    ).returncode


async def wait_until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.2)


@pytest.fixture
async def stack(outage_settings: Settings) -> AsyncIterator[tuple[Api, Container]]:
    from server import create_app

    container = await build_container(outage_settings, migrate=True)
    try:
        app = create_app(outage_settings, container)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://adreel.test") as h:
                yield Api(h, await new_key(container, "outage")), container
    finally:
        await container.close()


async def test_worker_rides_out_a_redis_restart_mid_job(
    stack: tuple[Api, Container],
    outage_settings: Settings,
    redis_server: RedisServer,
    tmp_path: Path,
) -> None:
    api, container = stack
    settings = outage_settings
    log = tmp_path / "worker.log"
    worker = start_worker(settings_env(settings), log)
    try:
        brand = await make_brand(api, tmp_path / "kit", music_seconds=10)
        job_id = await create_job(
            api, brand, durationSeconds=6.0, sceneCount=3, assetIds=[brand.logo]
        )
        job = decode_id(job_id, "Job", "jobId")

        async def rendering() -> bool:
            async with container.session_factory() as session:
                status = await session.scalar(select(Job.status).where(Job.id == job))
            return status in (JobStatus.RENDERING, JobStatus.COMPOSING)

        await wait_until(rendering, 300, "the job never reached its clips")
        await wait_until(lambda: asyncio.to_thread(lambda: check(settings) == 0), 60, "no health")

        redis_server.stop()
        await asyncio.sleep(4.0)  # several polls fail meanwhile
        assert worker.poll() is None, log.read_text()[-3000:]
        assert check(settings) == 1  # Redis down: not healthy
        redis_server.start()

        state = await wait_for_job(api, job_id, {"COMPLETED"}, timeout=420)
        assert state["status"] == "COMPLETED"
        assert worker.poll() is None
        await wait_until(lambda: asyncio.to_thread(lambda: check(settings) == 0), 60, "no health")
        text = log.read_text()
        assert "Redis unreachable" in text and "taking work again" in text
    finally:
        stop_worker(worker)
