"""Live job streams that lose nothing: replay stored events, then follow the bus, exactly once.

The order of operations is what makes it lossless:

1. subscribe to the job's bus channel (live from here on),
2. read the stored events after the client's cursor and deliver them,
3. deliver live events, dropping any sequence already delivered; when a live event skips a
   sequence, or the bus reports a ``Gap`` (it reconnected), read the store again from the last
   delivered sequence.

Events are committed before they are published, so whatever the bus lost is in the store.
A consumer that can hand a live event on at once (``deliver``) gets the next one in order the
moment it arrives, without a trip through the stream: see ``stream_job_events``.
A stream ends after the event that leaves the job in a final state, once the store confirms no
later event exists (a retried job carries on).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from domain.enums import FINAL_JOB_STATUSES
from domain.models import JobEvent
from domain.ports.bus import BusItem, EventBus, Gap, SubscriptionClosed
from domain.ports.events import EventSource
from domain.services.event_history import event_from_message, message_facts
from domain.services.events import job_channel

#: Stored events read per query while catching up.
CATCH_UP_BATCH = 200

T = TypeVar("T")


async def stream_job_events(
    bus: EventBus,
    job_id: uuid.UUID,
    after: int,
    source: EventSource,
    *,
    on_closed: Callable[[SubscriptionClosed], None] | None = None,
    batch: int = CATCH_UP_BATCH,
    deliver: Callable[[JobEvent], bool] | None = None,
) -> AsyncIterator[JobEvent]:
    """Every event of the job with a sequence above ``after``, in order, each exactly once.

    ``on_closed`` is called the moment the bus closes the live subscription (for instance
    ``SubscriberOverflow`` when the consumer stopped reading); iteration then raises that error.

    ``deliver(event)``, when given, is offered each live event that is simply the next one (no
    gap) as it arrives, while the stream waits for it (everything before it has been consumed):
    True means it was delivered (the stream does not yield it), False that the stream yields it
    as usual. Gaps and catch-up always go through the stream; after a final event delivered
    that way, the stream checks the store and ends as it would have.
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

        async def finished(trigger: BusItem | None = None) -> bool:
            progress = await source.progress(trigger)
            return progress.final and last >= progress.last_sequence

        async for event in catch_up():
            yield event
        if await finished():
            return

        if deliver is not None:
            job_number = job_id.int  # an int compares in C; a UUID's __eq__ is Python code

            def take(item: BusItem) -> bool:
                nonlocal last, last_final
                if not isinstance(item, bytes):
                    return False
                event, event_job, sequence, final = message_facts(item)
                if sequence <= last or event_job.int != job_number:
                    return True  # a duplicate or another job's, dropped as the loop below would
                if sequence != last + 1 or not deliver(event):
                    return False
                last, last_final = sequence, final
                # a final event is queued all the same: the stream wakes to see whether it ended
                return not final

            live.take_directly(take)

        async for item in live:
            if isinstance(item, Gap):
                async for event in catch_up():
                    yield event
                if await finished():
                    return
                continue
            event = event_from_message(item)
            if event.job_id != job_id:
                continue
            if event.sequence <= last:
                # a duplicate (already replayed, or published twice), or the final event that
                # was delivered directly: then the stream ends if the store says so
                if event.sequence == last and last_final and await finished(item):
                    return
                continue
            if event.sequence == last + 1:
                last, last_final = event.sequence, event.status in FINAL_JOB_STATUSES
                yield event
            else:  # the bus lost something: the store has it
                async for stored_event in catch_up():
                    yield stored_event
            if last_final and await finished(item):
                return


async def watch_job(
    bus: EventBus,
    job_id: uuid.UUID,
    load: Callable[[BusItem | None], Awaitable[T]],
    is_final: Callable[[T], bool],
    *,
    on_closed: Callable[[SubscriptionClosed], None] | None = None,
) -> AsyncIterator[T]:
    """The job now, then again after every change, until it is final.

    ``load(trigger)`` reads the job fresh (own transaction); ``trigger`` is the bus item that
    woke the watcher (``None`` for the first load), so watchers woken by the very same message
    can share one read (see ``SharedLoads``). A burst of events queued while the previous load
    ran is coalesced into one load: a watcher sees the latest state, never a backlog.
    """
    async with bus.subscribe(job_channel(job_id)) as live:
        if on_closed is not None:
            live.add_close_callback(on_closed)
        current = await load(None)
        yield current
        if is_final(current):
            return
        async for item in live:
            for _ in range(live.pending):
                item = await anext(live)
            current = await load(item)
            yield current
            if is_final(current):
                return


class SharedLoads(Generic[T]):
    """Runs a load once per key and hands every caller the same result.

    Watchers of one job are woken by the very same bus message (the same ``bytes`` object), so a
    key of (job, message) lets a thousand watchers share one database read. Recent keys are kept
    (bounded); a failed load is forgotten so the next caller retries it.
    """

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._loads: OrderedDict[Hashable, asyncio.Future[T]] = OrderedDict()

    async def load(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        """The result of ``load()`` for ``key``, running it only if no caller did yet."""
        pending = self._loads.get(key)
        if pending is None:
            pending = asyncio.ensure_future(load())
            self._loads[key] = pending
            pending.add_done_callback(lambda done: self._forget_failed(key, done))
            while len(self._loads) > self._size:
                self._loads.popitem(last=False)
        return await asyncio.shield(pending)

    def _forget_failed(self, key: Hashable, done: asyncio.Future[T]) -> None:
        if (done.cancelled() or done.exception() is not None) and self._loads.get(key) is done:
            del self._loads[key]


__all__ = ["CATCH_UP_BATCH", "SharedLoads", "stream_job_events", "watch_job"]
