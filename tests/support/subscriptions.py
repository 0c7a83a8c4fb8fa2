"""Helpers for GraphQL subscription tests: queries, gql clients, driving a job's events."""

from __future__ import annotations

import asyncio
from typing import Any

from gql import Client
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport

from domain.enums import JobEventType, JobStatus
from domain.services.events import job_channel
from schema.ids import encode_id
from tests.support.jobs import SeededJob, emit
from tests.support.live_server import LEGACY_WS, TRANSPORT_WS, Live, ws_url

PROTOCOLS = [TRANSPORT_WS, LEGACY_WS]

JOB_EVENTS = """
subscription($jobId: ID!, $after: String) {
  jobEvents(jobId: $jobId, after: $after) {
    sequence cursor type jobId sceneId status stage progress message at
  }
}"""

JOB_UPDATED = """
subscription($jobId: ID!) {
  jobUpdated(jobId: $jobId) {
    id status progress
    events(first: 100) { totalCount edges { cursor node { sequence } } pageInfo { hasNextPage } }
  }
}"""


def gql_client(live: Live, key: str | None, protocol: str) -> Client:
    payload = {"authorization": f"Bearer {key}"} if key else {}
    transport = WebsocketsTransport(
        url=ws_url(live.base_url), init_payload=payload, subprotocols=[protocol]
    )
    return Client(transport=transport)


def first_error(exc: TransportQueryError) -> dict[str, Any]:
    assert exc.errors
    error: dict[str, Any] = exc.errors[0]
    return error


def job_gid(job: SeededJob) -> str:
    return encode_id("Job", job.job_id)


async def drive(live: Live, job: SeededJob, count: int, *, final: bool = True, pause: float = 0):
    """Record ``count`` progress events (then a completion), as the pipeline would."""
    c = live.container
    for i in range(count):
        await emit(c.session_factory, c.bus, job.job_id, progress=(i + 1) / (count + 1))
        if pause:
            await asyncio.sleep(pause)
    if final:
        await emit(
            c.session_factory,
            c.bus,
            job.job_id,
            JobEventType.JOB_COMPLETED,
            status=JobStatus.COMPLETED,
            progress=1.0,
        )


async def wait_subscribed(live: Live, job: SeededJob, count: int = 1) -> None:
    async with asyncio.timeout(10):
        while live.container.bus.subscriber_count(job_channel(job.job_id)) < count:  # type: ignore[attr-defined]
            await asyncio.sleep(0.01)
