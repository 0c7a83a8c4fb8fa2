"""A real job, run by the pipeline on an ``adreel worker`` process, watched live to the end."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import GraphQLRequest

from tests.conftest import REDIS_URL, Api, create_pg_database, drop_pg_database, new_key
from tests.support.live_server import TRANSPORT_WS
from tests.support.pipeline import create_job, make_brand, start_worker, stop_worker, worker_env
from tests.support.subscriptions import JOB_EVENTS, gql_client

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

WATCH = """subscription($jobId: ID!) { jobUpdated(jobId: $jobId) { status stage progress } }"""


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    """PostgreSQL only: the API and the worker process share it."""
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


async def test_a_real_job_streams_from_the_worker_to_the_end(
    live_api, data_dir: Path, tmp_path: Path
) -> None:
    settings: dict[str, Any] = {
        "redis_url": REDIS_URL,
        "queue_name": f"adreel:test:{uuid.uuid4().hex}",
        "bus_channel_prefix": f"t{uuid.uuid4().hex[:8]}:",
        "render_resolution": "P480",
        "scene_concurrency": 1,
        "secret_key": "test-secret-" + uuid.uuid4().hex,
    }
    async with live_api(**settings) as live:
        worker = start_worker(
            worker_env(
                env="test",
                data_dir=data_dir,
                database_url=live.container.settings.database_url,
                **settings,
            ),
            tmp_path / "worker.log",
        )
        try:
            key = await new_key(live.container, f"live-{uuid.uuid4().hex[:6]}")
            async with httpx.AsyncClient(base_url=live.base_url, timeout=60) as http:
                api = Api(http, key)
                brand = await make_brand(api, tmp_path / "kit", music_seconds=8)
                job_id = await create_job(api, brand, durationSeconds=5.0, sceneCount=3)

            events: list[dict[str, Any]] = []
            states: list[dict[str, Any]] = []

            async def follow_events() -> None:
                async with gql_client(live, key, TRANSPORT_WS) as session:
                    request = GraphQLRequest(JOB_EVENTS, variable_values={"jobId": job_id})
                    async for result in session.subscribe(request):
                        events.append(result["jobEvents"])

            async def follow_job() -> None:
                async with gql_client(live, key, TRANSPORT_WS) as session:
                    request = GraphQLRequest(WATCH, variable_values={"jobId": job_id})
                    async for result in session.subscribe(request):
                        states.append(result["jobUpdated"])

            await asyncio.wait_for(asyncio.gather(follow_events(), follow_job()), 600)
        finally:
            stop_worker(worker)
            log = (tmp_path / "worker.log").read_text(errors="replace")

    # Every event the pipeline recorded, in order, each once, ending with the completion.
    assert [e["sequence"] for e in events] == list(range(1, len(events) + 1)), log[-3000:]
    assert events[-1]["type"] == "JOB_COMPLETED" and events[-1]["status"] == "COMPLETED"
    statuses = [e["status"] for e in events]
    for status in ("PLANNING", "RENDERING", "COMPOSING", "COMPLETED"):
        assert status in statuses, statuses
    assert states[-1]["status"] == "COMPLETED" and states[-1]["progress"] == 1.0
    # progress never goes back, on the event stream and on the job
    progress = [e["progress"] for e in events]
    assert progress == sorted(progress), progress
    assert [s["progress"] for s in states] == sorted(s["progress"] for s in states)
    assert len(states) >= 2
