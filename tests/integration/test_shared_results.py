"""Subscribers asking for the same event shape share one execution; different shapes do not."""

from __future__ import annotations

import asyncio
from typing import Any

from domain.bootstrap import Container
from domain.services.events import job_channel
from domain.services.tenancy import authenticate
from resolvers.context import Context
from schema.app import build_schema
from schema.ids import encode_id
from schema.shared_results import shared_results
from tests.support.jobs import emit, seed_job

EVENTS = """subscription($jobId: ID!, $after: String, $withMessage: Boolean = true) {
  jobEvents(jobId: $jobId, after: $after) {
    sequence type status progress message @include(if: $withMessage)
  }
}"""

OTHER_SHAPE = """subscription($jobId: ID!) { jobEvents(jobId: $jobId) { sequence cursor } }"""


async def test_one_execution_per_distinct_shape(container: Container) -> None:
    job = await seed_job(container.session_factory)
    async with container.session_factory() as session:
        principal = await authenticate(session, f"Bearer {job.key}")
    schema = build_schema(container.settings)
    gid = encode_id("Job", job.job_id)

    async def start(query: str, variables: dict[str, Any]) -> Any:
        ctx = Context(request=None, response=None, container=container, principal=principal)  # type: ignore[arg-type]
        return await schema.subscribe(query, variable_values=variables, context_value=ctx)

    streams = [
        await start(EVENTS, {"jobId": gid}),
        await start(EVENTS, {"jobId": gid, "after": None}),  # root-field-only variable differs
        await start(EVENTS, {"jobId": gid, "withMessage": False}),  # shapes the event
        await start(OTHER_SHAPE, {"jobId": gid}),
    ]
    firsts = [asyncio.ensure_future(anext(s)) for s in streams]
    async with asyncio.timeout(10):
        while container.bus.subscriber_count(job_channel(job.job_id)) < 4:  # type: ignore[attr-defined]
            await asyncio.sleep(0.01)
    cache = shared_results(schema._schema)
    hits, misses = cache.hits, cache.misses
    await emit(container.session_factory, container.bus, job.job_id, message="hello")
    results = await asyncio.wait_for(asyncio.gather(*firsts), 10)
    for stream in streams:
        await stream.aclose()

    assert all(not r.errors for r in results), [r.errors for r in results]
    full, same, without_message, other = (r.data["jobEvents"] for r in results)
    assert (
        full
        == same
        == {
            "sequence": 1,
            "type": "PROGRESS",
            "status": "QUEUED",
            "progress": 0.0,
            "message": "hello",
        }
    )
    assert without_message == {
        "sequence": 1,
        "type": "PROGRESS",
        "status": "QUEUED",
        "progress": 0.0,
    }
    assert set(other) == {"sequence", "cursor"}
    # Four subscribers, three shapes: three executions, one shared.
    assert cache.misses - misses == 3
    assert cache.hits - hits == 1
