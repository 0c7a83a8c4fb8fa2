"""A worker whose database is unreachable takes no new work and withdraws its health record
(``adreel worker --check`` fails); when the database answers again it reports in at once."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from arq.connections import RedisSettings, create_pool
from arq.worker import async_check_health

from domain.errors import ServiceUnavailable
from tasks.resilient_worker import ResilientWorker

pytestmark = [pytest.mark.redis]


async def noop(ctx: dict[str, Any]) -> None:
    return None


async def test_database_outage_withdraws_health_and_pauses_work(redis_url: str) -> None:
    down = {"value": False}

    async def probe(ctx: dict[str, Any]) -> None:
        if down["value"]:
            raise ServiceUnavailable("database", "refused")

    queue = f"adreel:test:{uuid.uuid4().hex}"
    redis = RedisSettings.from_dsn(redis_url)
    pool = await create_pool(redis, default_queue_name=queue)
    worker = ResilientWorker(
        [noop],
        queue_name=queue,
        redis_pool=pool,
        handle_signals=False,
        health_check_interval=0.2,
        database_probe=probe,
        backoff_max_seconds=0.1,
    )
    try:
        await worker._poll_iteration()
        assert await async_check_health(redis, queue_name=queue) == 0

        down["value"] = True
        worker._database_checked_at = 0.0
        await worker._poll_iteration()
        assert worker.database_down and not worker.allow_pick_jobs
        assert await async_check_health(redis, queue_name=queue) == 1
        await pool.enqueue_job("noop", _queue_name=queue)
        await worker._poll_iteration()
        assert worker.jobs_complete == 0 and not worker.tasks  # nothing taken meanwhile

        down["value"] = False
        await worker._poll_iteration()
        assert not worker.database_down and worker.allow_pick_jobs
        assert await async_check_health(redis, queue_name=queue) == 0
    finally:
        await pool.delete(worker.health_check_key)
        await pool.aclose()
