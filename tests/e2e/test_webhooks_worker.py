"""Webhook deliveries on a real ``adreel worker`` (arq on Redis, PostgreSQL): an endpoint that
hangs holds neither a pipeline stage nor another endpoint.

The worker runs one pipeline slot (``ADREEL_WORKER_MAX_JOBS=1``): were deliveries on the
pipeline's queue, the hanging attempt would hold the only slot and the PLAN stage would wait for
it. They run in the webhook lane (``<queue>:webhooks``) instead, one attempt at a time per
endpoint, so while the slow receiver holds its first request the job is planned and the fast
receiver gets every message; the slow one gets the rest once it answers.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from domain.bootstrap import Container
from domain.enums import JobStatus, WebhookDeliveryStatus
from domain.models import Job, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from domain.settings import Settings
from schema.ids import decode_id, encode_id
from tests.conftest import REDIS_URL, Api, create_pg_database, drop_pg_database
from tests.support.jobs import seed_job
from tests.support.pipeline import (
    CREATE_JOB,
    settings_env,
    start_worker,
)
from tests.support.webhook_receiver import Receiver, receiver

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

CREATE_ENDPOINT = """mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { endpoint { id } userErrors { code message } } }"""


class Hooks:
    """A receiver whose ``/slow`` path hangs until ``release`` is set; ``/fast`` answers."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.fast_answered: list[float] = []

    def slow(self, n: int) -> tuple[int, bytes]:
        self.release.wait(120)
        return 200, b"late"

    def fast(self, n: int) -> tuple[int, bytes]:
        self.fast_answered.append(time.monotonic())
        return 200, b"quick"


@pytest.fixture
def hooks() -> Iterator[tuple[Hooks, Receiver]]:
    behaviour = Hooks()
    with receiver({"/slow": behaviour.slow, "/fast": behaviour.fast}) as rec:
        try:
            yield behaviour, rec
        finally:
            behaviour.release.set()


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.fixture
def settings(data_dir: Path, database_url: str, hooks: tuple[Hooks, Receiver]) -> Settings:
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
        lease_seconds=3.0,
        sweep_interval_seconds=1.0,
        worker_max_jobs=1,
        webhook_concurrency=2,
        webhook_timeout_seconds=60.0,
        fetch_allowed_networks=["127.0.0.1/32"],
        fetch_allowed_ports=[hooks[1].port],
    )


async def _deliveries(container: Container, url: str) -> list[WebhookDelivery]:
    async with container.session_factory() as session:
        rows = await session.scalars(
            select(WebhookDelivery)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookEndpoint.url == url)
            .order_by(WebhookDelivery.created_at)
        )
        return list(rows.all())


async def _planned(container: Container, job_id: uuid.UUID) -> bool:
    """The PLAN stage is done: the storyboard waits for approval (its messages are written in
    the same transaction as the status)."""
    async with container.session_factory() as session:
        status = await session.scalar(select(Job.status).where(Job.id == job_id))
        return status is JobStatus.STORYBOARD_READY


async def test_a_hanging_endpoint_holds_no_stage_and_no_other_endpoint(
    container: Container,
    http: Any,
    settings: Settings,
    hooks: tuple[Hooks, Receiver],
    workers: list[Any],
    tmp_path: Path,
) -> None:
    behaviour, rec = hooks
    workers.append(start_worker(settings_env(settings), tmp_path / "worker.log"))
    seeded = await seed_job(container.session_factory)
    api = Api(http, seeded.key)
    for path in ("/slow", "/fast"):
        r = await api(
            CREATE_ENDPOINT,
            {"input": {"url": rec.url(path), "eventTypes": ["JOB_STATUS_CHANGED"]}},
        )
        assert r["data"]["createWebhookEndpoint"]["userErrors"] == [], r
    async with container.session_factory() as session:
        seeded_job = await session.get(Job, seeded.job_id)
        assert seeded_job is not None
        campaign_id = seeded_job.campaign_id
    r = await api(
        CREATE_JOB,
        {
            "input": {
                "campaignId": encode_id("Campaign", campaign_id),
                "brief": {"product": "Kettle", "audience": "cooks", "callToAction": "Buy"},
                "durationSeconds": 6.0,
                "aspectRatio": "PORTRAIT_9_16",
                "sceneCount": 3,
            }
        },
    )
    assert r["data"]["createJob"]["userErrors"] == [], r
    job_id = decode_id(r["data"]["createJob"]["job"]["id"], "Job", "jobId")

    # while the slow receiver holds its first request: the PLAN stage completes on the one
    # pipeline slot, and the fast receiver gets every message the job sent so far
    deadline = time.monotonic() + 300
    while True:
        planned = await _planned(container, job_id)  # first: its messages are written by then
        fast = await _deliveries(container, rec.url("/fast"))
        done = [d for d in fast if d.status is WebhookDeliveryStatus.DELIVERED]
        if planned and len(fast) >= 3 and len(done) == len(fast) and rec.on("/slow"):
            break
        assert time.monotonic() < deadline, (planned, [d.status for d in fast])
        await asyncio.sleep(0.1)
    assert not behaviour.release.is_set()
    assert len(rec.on("/slow")) == 1  # one attempt at a time to the slow endpoint
    slow = await _deliveries(container, rec.url("/slow"))
    assert len(slow) == len(fast)
    assert [d.status for d in slow] == [WebhookDeliveryStatus.PENDING] * len(slow)
    assert sorted(d.attempts for d in slow) == [0] * (len(slow) - 1) + [1]  # the rest wait
    fast_done_at = behaviour.fast_answered[-1]

    behaviour.release.set()
    released_at = time.monotonic()
    deadline = time.monotonic() + 300
    while True:
        slow = await _deliveries(container, rec.url("/slow"))
        if all(d.status is WebhookDeliveryStatus.DELIVERED for d in slow):
            break
        assert time.monotonic() < deadline, [(d.status, d.attempts) for d in slow]
        await asyncio.sleep(0.1)
    async with container.session_factory() as session:
        attempts = list(
            await session.scalars(
                select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_([d.id for d in slow]))
            )
        )
    assert sorted(a.number for a in attempts) == [1] * len(slow)  # waiting cost no attempt
    assert all(a.succeeded for a in attempts)
    assert len({r.headers["webhook-id"] for r in rec.on("/slow")}) == len(slow)
    print(
        f"fast receiver done {released_at - fast_done_at:.2f} s before the slow one answered; "
        f"{len(slow)} slow deliveries, one at a time"
    )
