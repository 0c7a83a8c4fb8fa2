"""A tiny arq worker that drives a job's events from its own process, as pipeline stages do.

Run with ``arq tests.support.event_worker.WorkerSettings`` and the environment variables
``ADREEL_DATABASE_URL``, ``ADREEL_REDIS_URL``, ``ADREEL_BUS_CHANNEL_PREFIX`` and
``ADREEL_TEST_QUEUE`` (a queue name unique to the test).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any, ClassVar

from arq.connections import RedisSettings

from domain.bootstrap import build_container
from domain.enums import JobEventType, JobStatus
from domain.settings import Settings
from tests.support.jobs import emit


async def startup(ctx: dict[str, Any]) -> None:
    container = await build_container(Settings())
    await container.bus.start()
    ctx["container"] = container


async def shutdown(ctx: dict[str, Any]) -> None:
    await ctx["container"].close()


async def drive_job(ctx: dict[str, Any], job_id: str, count: int, pause: float) -> int:
    """Record ``count`` progress events and a completion, each published after its commit."""
    container = ctx["container"]
    key = uuid.UUID(job_id)
    for i in range(count):
        await emit(
            container.session_factory,
            container.bus,
            key,
            progress=(i + 1) / (count + 1),
            message=f"worker pid {os.getpid()}",
        )
        await asyncio.sleep(pause)
    return await emit(
        container.session_factory,
        container.bus,
        key,
        JobEventType.JOB_COMPLETED,
        status=JobStatus.COMPLETED,
        progress=1.0,
        message=f"worker pid {os.getpid()}",
    )


class WorkerSettings:
    functions: ClassVar[list[Any]] = [drive_job]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(
        os.environ.get("ADREEL_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    queue_name = os.environ.get("ADREEL_TEST_QUEUE", "adreel-test-events")
    max_jobs = 2
    poll_delay = 0.05
