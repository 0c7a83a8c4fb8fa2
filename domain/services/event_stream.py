"""Live job streams that lose nothing: replay stored events, then follow the bus, exactly once.

The order of operations is what makes it lossless:

1. subscribe to the job's bus channel (live from here on),
2. read the stored events after the client's cursor and deliver them,
3. deliver live events, dropping any sequence already delivered; when a live event skips a
   sequence, or the bus reports a ``Gap`` (it reconnected), read the store again from the last
   delivered sequence.

Events are committed before they are published, so whatever the bus lost is in the store.
A stream ends after the event that leaves the job in a final state, once the store confirms no
later event exists (a retried job carries on).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from domain.enums import FINAL_JOB_STATUSES
from domain.models import JobEvent
from domain.ports.bus import EventBus, Gap, SubscriptionClosed
from domain.services.event_history import JobProgress, event_from_message
from domain.services.events import job_channel

#: Stored events read per query while catching up.
CATCH_UP_BATCH = 200

T = TypeVar("T")


class EventSource(Protocol):
    """What a stream reads from the store; each call runs in its own short transaction."""

    async def events_after(self, sequence: int, limit: int) -> Sequence[JobEvent]:
        """Up to ``limit`` stored events with a sequence above ``sequence``, in order."""
        ...

    async def progress(self) -> JobProgress:
        """The job's current status and last event sequence."""
        ...


async def stream_job_events(
    bus: EventBus,
    job_id: uuid.UUID,
    after: int,
    source: EventSource,
    *,
    on_closed: Callable[[SubscriptionClosed], None] | None = None,
    batch: int = CATCH_UP_BATCH,
) -> AsyncIterator[JobEvent]:
    """Every event of the job with a sequence above ``after``, in order, each exactly once.

    ``on_closed`` is called the moment the bus closes the live subscription (for instance
    ``SubscriberOverflow`` when the consumer stopped reading); iteration then raises that error.
    """
    async with bus.subscribe(job_channel(job_id)) as live:
        if on_closed is not None:
            live.add_close_callback(on_closed)
        last = after
        last_final = False  # the last delivered event left the job in a final state

        async def catch_up() -> AsyncIterator[JobEvent]:
            nonlocal last, last_final
            while True:
                stored = await source.events_after(last, batch)
                for event in stored:
                    if event.sequence > last:
                        last, last_final = event.sequence, event.status in FINAL_JOB_STATUSES
                        yield event
                if len(stored) < batch:
                    return

        async def finished() -> bool:
            progress = await source.progress()
            return progress.final and last >= progress.last_sequence

        async for event in catch_up():
            yield event
        if await finished():
            return

        async for item in live:
            if isinstance(item, Gap):
                async for event in catch_up():
                    yield event
                if await finished():
                    return
                continue
            event = event_from_message(item)
            if event.job_id != job_id or event.sequence <= last:
                continue  # a duplicate (already replayed, or published twice)
            if event.sequence == last + 1:
                last, last_final = event.sequence, event.status in FINAL_JOB_STATUSES
                yield event
            else:  # the bus lost something: the store has it
                async for stored_event in catch_up():
                    yield stored_event
            if last_final and await finished():
                return


async def watch_job(
    bus: EventBus,
    job_id: uuid.UUID,
    load: Callable[[], Awaitable[T]],
    is_final: Callable[[T], bool],
    *,
    on_closed: Callable[[SubscriptionClosed], None] | None = None,
) -> AsyncIterator[T]:
    """The job now, then again after every change, until it is final.

    ``load`` reads the job fresh (own transaction). A burst of events queued while the previous
    load ran is coalesced into one load: a watcher always sees the latest state, never a backlog.
    """
    async with bus.subscribe(job_channel(job_id)) as live:
        if on_closed is not None:
            live.add_close_callback(on_closed)
        current = await load()
        yield current
        if is_final(current):
            return
        async for _ in live:
            for _ in range(live.pending):
                await anext(live)
            current = await load()
            yield current
            if is_final(current):
                return


__all__ = ["CATCH_UP_BATCH", "EventSource", "stream_job_events", "watch_job"]
