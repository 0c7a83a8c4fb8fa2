"""Subscriptions across processes over Redis pub/sub, and through a Redis restart."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from arq.connections import RedisSettings, create_pool
from gql import GraphQLRequest

from domain.adapters.bus.redis import RedisEventBus
from domain.enums import JobEventType, JobStatus
from tests.support.jobs import emit, seed_job
from tests.support.redis_server import SHARED_REDIS_URL, private_redis, unique_prefix
from tests.support.subscriptions import (
    JOB_EVENTS,
    PROTOCOLS,
    gql_client,
    job_gid,
    wait_subscribed,
)

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[2]


def redis_bus(url: str, prefix: str, **kw: Any) -> RedisEventBus:
    return RedisEventBus(
        url,
        channel_prefix=prefix,
        client_name=f"adreel-test-{uuid.uuid4().hex[:8]}",
        reconnect_initial_delay=0.02,
        reconnect_max_delay=0.3,
        **kw,
    )


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_events_from_an_arq_worker_process_reach_a_subscriber(
    live_api, database_url: str, data_dir: Path, protocol: str
) -> None:
    prefix = unique_prefix()
    queue = f"{prefix}queue"
    async with live_api(bus=redis_bus(SHARED_REDIS_URL, prefix)) as live:
        job = await seed_job(live.container.session_factory)
        env = {
            **os.environ,
            "ADREEL_ENV": "test",
            "ADREEL_DATABASE_URL": database_url,
            "ADREEL_DATA_DIR": str(data_dir / "worker"),
            "ADREEL_REDIS_URL": SHARED_REDIS_URL,
            "ADREEL_BUS_CHANNEL_PREFIX": prefix,
            "ADREEL_TEST_QUEUE": queue,
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "arq", "tests.support.event_worker.WorkerSettings"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        pool = await create_pool(RedisSettings.from_dsn(SHARED_REDIS_URL))
        try:
            received: list[dict[str, Any]] = []
            async with gql_client(live, job.key, protocol) as session:
                request = GraphQLRequest(JOB_EVENTS, variable_values={"jobId": job_gid(job)})
                stream = session.subscribe(request)

                async def start_worker_job() -> None:
                    await wait_subscribed(live, job)
                    await pool.enqueue_job(
                        "drive_job", str(job.job_id), 40, 0.005, _queue_name=queue
                    )

                starter = asyncio.create_task(start_worker_job())
                async with asyncio.timeout(60):
                    async for result in stream:
                        received.append(result["jobEvents"])
                await starter
            # Nothing was stored when the subscription started: all of it came live, from
            # the worker process, through Redis.
            assert [e["sequence"] for e in received] == list(range(1, 42))
            assert received[-1]["status"] == "COMPLETED"
            pids = {e["message"] for e in received}
            assert pids == {f"worker pid {worker.pid}"}
            assert worker.pid != os.getpid()
        finally:
            await pool.aclose()
            worker.terminate()
            try:
                _, err = worker.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                _, err = worker.communicate()
            if worker.returncode not in (0, -15):
                print(err.decode(errors="replace")[-3000:])


async def test_a_redis_restart_mid_job_loses_nothing(live_api) -> None:
    prefix = unique_prefix()
    with private_redis() as server:
        api_bus = redis_bus(server.url, prefix, subscribe_timeout=0.5)
        async with live_api(bus=api_bus) as live:
            sf = live.container.session_factory
            job = await seed_job(sf)
            writer = redis_bus(server.url, prefix)
            await writer.start()
            total = 120
            progress_seen = asyncio.Event()

            async def run_job() -> None:
                for i in range(total):
                    await emit(sf, writer, job.job_id, progress=(i + 1) / (total + 1))
                    await asyncio.sleep(0.01)
                await emit(
                    sf, writer, job.job_id, JobEventType.JOB_COMPLETED, status=JobStatus.COMPLETED
                )

            async def stay_subscribed(protocol: str) -> list[int]:
                """One subscription kept open through the outage."""
                seen: list[int] = []
                async with gql_client(live, job.key, protocol) as session:
                    request = GraphQLRequest(JOB_EVENTS, variable_values={"jobId": job_gid(job)})
                    async for result in session.subscribe(request):
                        seen.append(result["jobEvents"]["sequence"])
                        if len(seen) == 30:
                            progress_seen.set()
                return seen

            async def resubscribe(protocol: str) -> list[int]:
                """A client that drops during the outage and comes back with its cursor."""
                seen: list[int] = []
                cursor = None
                async with gql_client(live, job.key, protocol) as session:
                    request = GraphQLRequest(JOB_EVENTS, variable_values={"jobId": job_gid(job)})
                    async for result in session.subscribe(request):
                        seen.append(result["jobEvents"]["sequence"])
                        cursor = result["jobEvents"]["cursor"]
                        if len(seen) == 30:
                            break
                await outage_started.wait()
                async with gql_client(live, job.key, protocol) as session:
                    request = GraphQLRequest(
                        JOB_EVENTS, variable_values={"jobId": job_gid(job), "after": cursor}
                    )
                    async for result in session.subscribe(request):
                        seen.append(result["jobEvents"]["sequence"])
                return seen

            outage_started = asyncio.Event()
            clients = [asyncio.create_task(stay_subscribed(p)) for p in PROTOCOLS] + [
                asyncio.create_task(resubscribe(p)) for p in PROTOCOLS
            ]
            await wait_subscribed(live, job, 4)
            job_task = asyncio.create_task(run_job())
            await asyncio.wait_for(progress_seen.wait(), 30)

            server.stop()  # Redis goes away mid-job; the job keeps recording events
            outage_started.set()
            await asyncio.sleep(1.0)
            assert not api_bus.connected
            server.start()

            await asyncio.wait_for(job_task, 60)
            results = await asyncio.wait_for(asyncio.gather(*clients), 60)
            await writer.stop()
            expected = list(range(1, total + 2))
            for seen in results:
                assert seen == expected
            assert api_bus.connections_made >= 2
