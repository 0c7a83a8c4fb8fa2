"""The job-event store port: what a live job stream reads from the durable half of events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.models import JobEvent
from domain.services.event_history import JobProgress


class EventSource(Protocol):
    """What a stream reads from the store; each call runs in its own short transaction.

    Implemented by :class:`domain.services.event_history.StoredEvents`.
    """

    async def events_after(self, sequence: int, limit: int) -> Sequence[JobEvent]:
        """Up to ``limit`` stored events with a sequence above ``sequence``, in order."""
        ...

    async def progress(self, trigger: object = None) -> JobProgress:
        """The job's current status and last event sequence. ``trigger`` is the bus message
        that prompted the read, if any: readers prompted by the very same message may share
        one read (it is as fresh for each of them, as it began after that message arrived)."""
        ...


__all__ = ["EventSource"]
