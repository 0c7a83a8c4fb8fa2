"""Subscribers asking for the same event shape share one execution; different shapes do not."""

from __future__ import annotations

import asyncio
from typing import Any

from domain.bootstrap import Container
from domain.services.events import job_channel
from domain.services.tenancy import authenticate
from resolvers.context import Context
from resolvers.shared_results import shared_results
from schema.app import build_schema
from schema.ids import encode_id
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


UPDATED = """subscription($jobId: ID!) {
  jobUpdated(jobId: $jobId) { id status progress events(first: 10) { totalCount } }
}"""


async def test_job_watchers_share_the_load_and_the_execution(container: Container) -> None:
    job = await seed_job(container.session_factory)
    async with container.session_factory() as session:
        principal = await authenticate(session, f"Bearer {job.key}")
    schema = build_schema(container.settings)
    gid = encode_id("Job", job.job_id)
    statements: list[str] = []

    from sqlalchemy import event

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM jobs" in statement:
            statements.append(statement)

    event.listen(container.engine.sync_engine, "before_cursor_execute", count)
    cache = shared_results(schema._schema)
    started = asyncio.Event()
    first_results: list[Any] = []

    async def watch() -> Any:
        # Each subscription runs in its own task, as on a WebSocket.
        ctx = Context(request=None, response=None, container=container, principal=principal)  # type: ignore[arg-type]
        stream = await schema.subscribe(UPDATED, variable_values={"jobId": gid}, context_value=ctx)
        try:
            first_results.append(await anext(stream))
            await started.wait()
            return await anext(stream)
        finally:
            await stream.aclose()

    try:
        watchers = [asyncio.create_task(watch()) for _ in range(5)]
        async with asyncio.timeout(10):
            while len(first_results) < 5:
                await asyncio.sleep(0.01)
        assert all(r.data["jobUpdated"]["status"] == "QUEUED" for r in first_results)
        hits = cache.hits
        statements.clear()
        started.set()
        await asyncio.sleep(0.05)
        await emit(container.session_factory, container.bus, job.job_id, progress=0.5)
        updated = await asyncio.wait_for(asyncio.gather(*watchers), 10)
    finally:
        event.remove(container.engine.sync_engine, "before_cursor_execute", count)
    datas = [r.data["jobUpdated"] for r in updated if r.data]
    assert len(datas) == 5
    assert all(d == datas[0] for d in datas)
    assert datas[0]["progress"] == 0.5 and datas[0]["events"]["totalCount"] == 1
    # One read of the job for five watchers (besides the writer's own), and four of the five
    # executions were shared.
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len([s for s in reads if "organization_id" in s.split("WHERE", 1)[1]]) == 1
    assert cache.hits - hits == 4
