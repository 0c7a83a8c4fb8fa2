"""Lossless job event streams over a real database (SQLite and PostgreSQL) and real buses."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from domain.adapters.bus.memory import MemoryEventBus
from domain.bootstrap import Container
from domain.enums import JobEventType, JobStatus
from domain.errors import Invalid
from domain.models import Job, JobEvent
from domain.ports.bus import SubscriberOverflow, SubscriptionClosed
from domain.services.event_history import (
    StoredEvents,
    check_first,
    decode_event_cursor,
    encode_event_cursor,
    events_pages_by_job,
)
from domain.services.event_stream import SharedLoads, stream_job_events, watch_job
from domain.services.events import event_message, job_channel
from domain.services.pagination import Page
from tests.integration.test_bus_redis import kill_named_clients, make_bus
from tests.support.jobs import SeededJob, emit, seed_job
from tests.support.redis_server import SHARED_REDIS_URL


class Collector:
    """Runs a stream in a task and collects sequences."""

    def __init__(self, stream: AsyncIterator[JobEvent]) -> None:
        self.seen: list[int] = []
        self.types: list[JobEventType] = []
        self.done = False
        self.task = asyncio.create_task(self._run(stream))

    async def _run(self, stream: AsyncIterator[JobEvent]) -> None:
        async for event in stream:
            self.seen.append(event.sequence)
            self.types.append(event.type)
        self.done = True

    async def wait_for(self, count: int, timeout: float = 10) -> None:
        async with asyncio.timeout(timeout):
            while len(self.seen) < count:
                if self.task.done():
                    self.task.result()
                    break
                await asyncio.sleep(0.005)

    async def finish(self, timeout: float = 10) -> None:
        await asyncio.wait_for(self.task, timeout)


def stream(container: Container, job: SeededJob, after: int = 0, bus=None, **kw):
    return stream_job_events(
        bus or container.bus,
        job.job_id,
        after,
        StoredEvents(container.session_factory, job.org_id, job.job_id),
        **kw,
    )


async def test_replay_then_live_then_complete(container: Container) -> None:
    job = await seed_job(container.session_factory)
    sf, bus = container.session_factory, container.bus
    await emit(sf, bus, job.job_id, JobEventType.JOB_CREATED)
    await emit(sf, bus, job.job_id, JobEventType.STATUS_CHANGED, status=JobStatus.PLANNING)
    await emit(sf, bus, job.job_id, JobEventType.PROGRESS, progress=0.1)

    c = Collector(stream(container, job))
    await c.wait_for(3)
    assert c.seen == [1, 2, 3]
    for i in range(4):
        await emit(sf, bus, job.job_id, progress=0.2 + i / 10)
    await c.wait_for(7)
    assert not c.done
    await emit(sf, bus, job.job_id, JobEventType.JOB_COMPLETED, status=JobStatus.COMPLETED)
    await c.finish()
    assert c.seen == list(range(1, 9))
    assert c.types[-1] == JobEventType.JOB_COMPLETED

    # Resuming from a cursor gives exactly the later events, then completes.
    late = Collector(stream(container, job, after=5))
    await late.finish()
    assert late.seen == [6, 7, 8]
    done = Collector(stream(container, job, after=8))
    await done.finish()
    assert done.seen == []


async def test_duplicates_are_dropped_and_a_sequence_jump_reads_the_store(
    container: Container,
) -> None:
    job = await seed_job(container.session_factory)
    sf, bus = container.session_factory, container.bus
    c = Collector(stream(container, job))
    await asyncio.sleep(0.05)
    await emit(sf, bus, job.job_id)
    await c.wait_for(1)
    # Published twice (a retried publish): delivered once.
    async with sf() as session:
        first = await session.get(JobEvent, await _event_id(container, job, 1))
        assert first is not None
        await bus.publish(job_channel(job.job_id), event_message(first))
    # Two events whose publish was lost, then one that is published: the jump triggers a read.
    await emit(sf, None, job.job_id)
    await emit(sf, None, job.job_id)
    await emit(sf, bus, job.job_id)
    await c.wait_for(4)
    await emit(sf, bus, job.job_id, JobEventType.JOB_FAILED, status=JobStatus.FAILED)
    await c.finish()
    assert c.seen == [1, 2, 3, 4, 5]


async def _event_id(container: Container, job: SeededJob, sequence: int) -> uuid.UUID:
    from sqlalchemy import select

    async with container.session_factory() as session:
        found = await session.scalar(
            select(JobEvent.id).where(JobEvent.job_id == job.job_id, JobEvent.sequence == sequence)
        )
        assert found is not None
        return found


async def test_a_retried_job_keeps_streaming_past_its_failure(container: Container) -> None:
    job = await seed_job(container.session_factory)
    sf, bus = container.session_factory, container.bus
    await emit(sf, bus, job.job_id, JobEventType.JOB_FAILED, status=JobStatus.FAILED)
    await emit(sf, bus, job.job_id, JobEventType.STATUS_CHANGED, status=JobStatus.PLANNING)
    c = Collector(stream(container, job))
    await c.wait_for(2)
    assert not c.done
    await emit(sf, bus, job.job_id, JobEventType.JOB_CANCELED, status=JobStatus.CANCELED)
    await c.finish()
    assert c.seen == [1, 2, 3]


async def test_a_gap_on_the_redis_bus_rereads_the_store(container: Container) -> None:
    job = await seed_job(container.session_factory)
    sf = container.session_factory
    bus = make_bus(SHARED_REDIS_URL)
    await bus.start()
    # The writers publish on the same (prefixed) Redis channels through their own bus.
    writer = make_bus(SHARED_REDIS_URL, channel_prefix=bus._prefix)
    await writer.start()
    try:
        c = Collector(stream(container, job, bus=bus))
        await asyncio.sleep(0.1)
        await emit(sf, writer, job.job_id)
        await c.wait_for(1)
        # Recorded but never published (as if published while the bus was down)...
        await emit(sf, None, job.job_id)
        await emit(sf, None, job.job_id)
        assert c.seen == [1]
        # ...and the subscriber connection drops: the Gap after reconnecting recovers them.
        assert await kill_named_clients(SHARED_REDIS_URL, bus._client_name) == 1
        await c.wait_for(3)
        for _ in range(20):  # published while reconnecting or after: each exactly once
            await emit(sf, writer, job.job_id)
        await emit(sf, writer, job.job_id, JobEventType.JOB_COMPLETED, status=JobStatus.COMPLETED)
        await c.finish()
        assert c.seen == list(range(1, 25))
    finally:
        await writer.stop()
        await bus.stop()


async def test_a_stream_that_falls_behind_is_closed_with_a_reason(container: Container) -> None:
    job = await seed_job(container.session_factory)
    bus = MemoryEventBus(subscriber_queue=4)
    closed: list[SubscriptionClosed] = []
    events = stream(container, job, bus=bus, on_closed=closed.append)
    waiting = asyncio.create_task(anext(events))
    await asyncio.sleep(0.05)
    for _ in range(3):  # the first is taken by the waiting consumer; it then stops reading
        await emit(container.session_factory, bus, job.job_id)
    assert (await waiting).sequence == 1
    for _ in range(6):
        await emit(container.session_factory, bus, job.job_id)
    assert len(closed) == 1 and isinstance(closed[0], SubscriberOverflow)
    with pytest.raises(SubscriberOverflow):
        await anext(events)
    assert bus.subscriber_count(job_channel(job.job_id)) == 0


async def test_watch_job_yields_the_latest_state_until_final(container: Container) -> None:
    job = await seed_job(container.session_factory)
    sf, bus = container.session_factory, container.bus

    triggers: list[object] = []

    async def load(trigger: object) -> Job:
        triggers.append(trigger)
        async with sf() as session:
            found = await session.get(Job, job.job_id)
            assert found is not None
            return found

    seen: list[tuple[JobStatus, float]] = []

    async def run() -> None:
        async for current in watch_job(
            bus,
            job.job_id,
            load,
            lambda j: j.status in {JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELED},
        ):
            seen.append((current.status, current.progress))

    task = asyncio.create_task(run())
    await asyncio.sleep(0.05)
    assert seen == [(JobStatus.QUEUED, 0.0)]
    await emit(sf, bus, job.job_id, JobEventType.STATUS_CHANGED, status=JobStatus.RENDERING)
    await asyncio.sleep(0.05)
    await emit(sf, bus, job.job_id, progress=0.5)
    await asyncio.sleep(0.05)
    await emit(
        sf, bus, job.job_id, JobEventType.JOB_COMPLETED, status=JobStatus.COMPLETED, progress=1
    )
    await asyncio.wait_for(task, 10)
    assert seen[0] == (JobStatus.QUEUED, 0.0)
    assert (JobStatus.RENDERING, 0.0) in seen and (JobStatus.RENDERING, 0.5) in seen
    assert seen[-1] == (JobStatus.COMPLETED, 1.0)
    assert triggers[0] is None and all(isinstance(t, bytes) for t in triggers[1:])


async def test_shared_loads_run_once_per_key_and_retry_failures() -> None:
    loads = SharedLoads[int](size=2)
    calls: list[str] = []

    async def slow(value: int) -> int:
        calls.append(f"load {value}")
        await asyncio.sleep(0.05)
        return value

    results = await asyncio.gather(*(loads.load("a", lambda: slow(1)) for _ in range(100)))
    assert results == [1] * 100 and calls == ["load 1"]
    assert await loads.load("a", lambda: slow(2)) == 1  # still remembered

    async def failing() -> int:
        calls.append("fail")
        raise RuntimeError("database blip")

    with pytest.raises(RuntimeError):
        await loads.load("b", failing)
    assert await loads.load("b", lambda: slow(3)) == 3  # the failure was forgotten
    await loads.load("c", lambda: slow(4))  # bounded: "a" is evicted
    assert await loads.load("a", lambda: slow(5)) == 5

    # A caller that gives up does not cancel the load for the others.
    first = asyncio.ensure_future(loads.load("d", lambda: slow(6)))
    second = asyncio.ensure_future(loads.load("d", lambda: slow(7)))
    await asyncio.sleep(0.01)
    first.cancel()
    assert await second == 6


async def events_page(
    session: AsyncSession,
    org_id: uuid.UUID,
    job_id: uuid.UUID,
    first: int | None = None,
    after: str | None = None,
) -> Page[Any]:
    """One forward page of one job's events, as ``Job.events(first, after)`` reads it."""
    start = decode_event_cursor(after, job_id)
    pages = await events_pages_by_job(session, org_id, [job_id], start, check_first(first))
    return pages[job_id]


async def test_event_pages_and_cursors(container: Container) -> None:
    job = await seed_job(container.session_factory)
    other = await seed_job(container.session_factory)
    for _ in range(5):
        await emit(container.session_factory, None, job.job_id)
    async with container.session_factory() as session:
        page = await events_page(session, job.org_id, job.job_id, first=2)
        assert [e.sequence for e in page.items] == [1, 2]
        assert page.has_next and not page.has_previous and page.total_count == 5
        page2 = await events_page(session, job.org_id, job.job_id, first=10, after=page.cursors[-1])
        assert [e.sequence for e in page2.items] == [3, 4, 5]
        assert not page2.has_next and page2.has_previous
        # Another organization sees nothing of this job.
        foreign = await events_page(session, other.org_id, job.job_id, first=10)
        assert foreign.items == [] and foreign.total_count == 0
        with pytest.raises(Invalid):
            await events_page(session, job.org_id, job.job_id, first=101)
    assert decode_event_cursor(encode_event_cursor(job.job_id, 7), job.job_id) == 7
    with pytest.raises(Invalid):
        decode_event_cursor(encode_event_cursor(other.job_id, 7), job.job_id)
    with pytest.raises(Invalid):
        decode_event_cursor("not-a-cursor", job.job_id)


async def test_a_completed_job_keeps_streaming_while_an_export_renders(
    container: Container,
) -> None:
    from sqlalchemy import update

    from domain.enums import AspectRatio, RenderStatus, Resolution, VideoFormat
    from domain.models import Render

    job = await seed_job(container.session_factory)
    sf, bus = container.session_factory, container.bus
    await emit(sf, bus, job.job_id, JobEventType.JOB_COMPLETED, status=JobStatus.COMPLETED)
    async with sf() as session:
        render = Render(
            organization_id=job.org_id,
            job_id=job.job_id,
            format=VideoFormat.WEBM,
            resolution=Resolution.P480,
            aspect_ratio=AspectRatio.SQUARE_1_1,
            status=RenderStatus.RENDERING,
        )
        session.add(render)
        await session.commit()
        render_id = render.id
    c = Collector(stream(container, job))
    await c.wait_for(1)
    await emit(sf, bus, job.job_id, JobEventType.RENDER_UPDATED, progress=0.5)
    await c.wait_for(2)
    await asyncio.sleep(0.1)
    assert not c.done, "the export is still rendering: its progress must keep streaming"
    async with sf() as session:
        await session.execute(
            update(Render).where(Render.id == render_id).values(status=RenderStatus.COMPLETED)
        )
        await session.commit()
    await emit(sf, bus, job.job_id, JobEventType.RENDER_UPDATED, progress=1.0)
    await c.finish()
    assert c.seen == [1, 2, 3]


async def test_live_events_in_order_are_delivered_directly_and_the_rest_streamed(
    container: Container,
) -> None:
    job = await seed_job(container.session_factory)
    sf, bus = container.session_factory, container.bus
    await emit(sf, bus, job.job_id, JobEventType.JOB_CREATED)  # stored before: replayed
    direct: list[int] = []
    declined = {4}  # the consumer cannot take this one directly: the stream yields it

    def deliver(event: JobEvent) -> bool:
        if event.sequence in declined:
            return False
        direct.append(event.sequence)
        return True

    c = Collector(stream(container, job, deliver=deliver))
    await c.wait_for(1)
    await asyncio.sleep(0.05)  # live, waiting for the next event
    for _ in range(3):
        await emit(sf, bus, job.job_id)  # 2, 3, 4
        await asyncio.sleep(0.02)
    # Published twice: dropped, whichever way it arrives.
    async with sf() as session:
        second = await session.get(JobEvent, await _event_id(container, job, 2))
        assert second is not None
        await bus.publish(job_channel(job.job_id), event_message(second))
    await emit(sf, None, job.job_id)  # 5, its publish lost: 6 arrives with a jump
    await emit(sf, bus, job.job_id)  # 6
    await c.wait_for(4)
    await asyncio.sleep(0.02)
    await emit(sf, bus, job.job_id)  # 7: in order again
    await asyncio.sleep(0.02)
    await emit(sf, bus, job.job_id, JobEventType.JOB_COMPLETED, status=JobStatus.COMPLETED)
    await c.finish()
    # The replay, the declined event and the store read after the jump went through the
    # stream; the others directly (when the stream was waiting as they arrived, as the pauses
    # make it), the final one too, after which the stream ended; each event reached the
    # consumer once, in order.
    assert {1, 4, 5, 6} <= set(c.seen)
    assert direct and set(direct) <= {2, 3, 7, 8}
    assert sorted(direct + c.seen) == list(range(1, 9))
    assert c.seen == sorted(c.seen) and direct == sorted(direct)


async def test_streams_ended_by_the_same_final_message_share_one_progress_read(
    container: Container,
) -> None:
    job = await seed_job(container.session_factory)
    sf, bus = container.session_factory, container.bus
    await emit(sf, bus, job.job_id, JobEventType.JOB_CREATED)
    loads = SharedLoads[Any]()
    reads: list[object] = []

    class CountedEvents(StoredEvents):
        async def _progress(self):  # type: ignore[no-untyped-def]
            reads.append(self)
            return await super()._progress()

    def source() -> StoredEvents:
        return CountedEvents(sf, job.org_id, job.job_id, loads.load)

    direct: list[list[int]] = [[], [], []]
    collectors = []
    for taken in direct:
        deliver = (
            (lambda e, t=taken: t.append(e.sequence) or True) if taken is not direct[2] else None
        )
        collectors.append(
            Collector(stream_job_events(bus, job.job_id, 0, source(), deliver=deliver))
        )
    for c in collectors:
        await c.wait_for(1)
    await asyncio.sleep(0.05)  # every stream is live
    reads.clear()  # each stream read the progress once after its replay, alone
    await emit(sf, bus, job.job_id)
    await emit(sf, bus, job.job_id, JobEventType.JOB_COMPLETED, status=JobStatus.COMPLETED)
    for c in collectors:
        await c.finish()
    # two streams took the live events directly, one through the stream; all three ended on
    # the final message with a single read of the job's progress between them
    assert direct[0] == direct[1] == [2, 3]
    assert collectors[2].seen == [1, 2, 3]
    assert len(reads) == 1


async def test_a_progress_read_without_a_message_is_never_shared(container: Container) -> None:
    job = await seed_job(container.session_factory)
    sf = container.session_factory
    calls: list[object] = []

    async def share(key: object, read: Any) -> Any:
        calls.append(key)
        return await read()

    source = StoredEvents(sf, job.org_id, job.job_id, share)
    await source.progress()
    await source.progress(None)
    assert calls == []
    await source.progress(b"message")
    assert calls == [(job.org_id, job.job_id, b"message")]
