"""The event-bus port: best-effort live fan-out of small messages on named channels.

The bus is the *live* half of job events; the database is the durable half. A message may be
lost (a Redis restart, a subscriber closed for being slow), so a bus never promises delivery. What
it does promise:

- ``publish`` never blocks on subscribers: each local subscriber has a bounded queue, and one that
  falls behind is closed with ``SubscriberOverflow`` instead of growing memory.
- When the bus cannot rule out that messages were lost while a subscription was live (it had to
  reconnect and re-subscribe), it yields a ``Gap`` marker on every affected subscription, *after*
  the channel is live again. A consumer re-reads durable state on a ``Gap`` and misses nothing.
- ``subscribe`` returns an async context manager; once ``__aenter__`` returns, every message
  published afterwards is delivered (or a ``Gap`` follows). Read durable state *after* entering.

Usage::

    async with bus.subscribe("job:42") as messages:
        backlog = await read_stored_events()      # after entering: nothing falls between
        async for item in messages:
            if isinstance(item, Gap):
                ...  # re-read stored events
            else:
                ...  # item is the published bytes
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, runtime_checkable

#: Default bound of each subscriber's queue (messages), when a backend is not told otherwise.
DEFAULT_SUBSCRIBER_QUEUE = 1024


class BusError(Exception):
    """Base class of event-bus failures."""


class BusUnavailable(BusError):
    """The bus backend could not be reached (publishing failed); the message was not sent."""


class SubscriptionClosed(BusError):
    """A subscription was closed by the bus; ``reason`` says why, in words fit for a close frame."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SubscriberOverflow(SubscriptionClosed):
    """The subscriber fell more than its queue bound behind; its backlog was dropped."""

    def __init__(self, channel: str, limit: int) -> None:
        super().__init__(f"subscriber too slow: more than {limit} messages behind on {channel!r}")
        self.channel = channel
        self.limit = limit


class BusStopped(SubscriptionClosed):
    """The bus was stopped (server shutting down)."""

    def __init__(self) -> None:
        super().__init__("event bus stopped")


@dataclass(frozen=True, slots=True)
class Gap:
    """Messages on this channel may have been lost; re-read durable state before continuing."""

    reason: str


#: What a subscription yields: the published payload, or a gap marker.
BusItem = bytes | Gap


@runtime_checkable
class Subscription(Protocol):
    """One local subscriber's view of a channel: an async context manager and async iterator.

    Iteration ends with ``SubscriptionClosed`` (or a subclass) when the bus closes the
    subscription; leaving the ``async with`` block unsubscribes.
    """

    @property
    def channel(self) -> str:
        """The channel name as given to ``subscribe``."""
        ...

    @property
    def closed_reason(self) -> SubscriptionClosed | None:
        """Why the bus closed this subscription, or ``None`` while it is open."""
        ...

    @property
    def pending(self) -> int:
        """Items queued and not consumed yet (lets a consumer coalesce a burst)."""
        ...

    def add_close_callback(self, callback: Callable[[SubscriptionClosed], None]) -> None:
        """Call ``callback`` (synchronously, once) the moment the bus closes this subscription.

        Lets a consumer that is blocked elsewhere (say, writing to a stalled socket) react at once.
        Called immediately when the subscription is already closed.
        """
        ...

    def take_directly(self, take: Callable[[BusItem], bool] | None) -> None:
        """Offer each arriving item to ``take`` first while the consumer waits with nothing queued.

        ``take`` runs synchronously as the item arrives and returns True when it handled it (the
        item is then not queued). Order is kept: ``take`` never sees an item while an earlier one
        is queued or being handled. ``None`` turns it off.
        """
        ...

    async def __aenter__(self) -> Subscription: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def __aiter__(self) -> AsyncIterator[BusItem]: ...

    async def __anext__(self) -> BusItem: ...


class Publisher(Protocol):
    """The publishing half of a bus: all that committing job events needs (``EventBus`` fits)."""

    async def publish(self, channel: str, message: str) -> None:
        """Send ``message`` to every subscriber of ``channel``."""
        ...


@runtime_checkable
class EventBus(Protocol):
    """Publish/subscribe on named channels. Implementations: in memory, Redis pub/sub."""

    async def start(self) -> None:
        """Open connections and background tasks (idempotent)."""
        ...

    async def stop(self) -> None:
        """Close every subscription with ``BusStopped`` and release connections (idempotent)."""
        ...

    async def publish(self, channel: str, message: bytes | str) -> None:
        """Send ``message`` (``str`` is UTF-8 encoded) to every subscriber of ``channel``.

        Raises ``BusUnavailable`` when the backend cannot be reached.
        """
        ...

    def subscribe(self, channel: str) -> Subscription:
        """A subscription to ``channel``; enter it (``async with``) to start receiving."""
        ...


__all__ = [
    "DEFAULT_SUBSCRIBER_QUEUE",
    "BusError",
    "BusItem",
    "BusStopped",
    "BusUnavailable",
    "EventBus",
    "Gap",
    "Publisher",
    "SubscriberOverflow",
    "Subscription",
    "SubscriptionClosed",
]
