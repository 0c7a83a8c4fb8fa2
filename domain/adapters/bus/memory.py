"""In-process event bus: the embedded default, when the API and the job runner share one process."""

from __future__ import annotations

from domain.adapters.bus.subscription import LocalSubscription
from domain.ports.bus import DEFAULT_SUBSCRIBER_QUEUE, BusStopped


class MemoryEventBus:
    """Fans published messages out to local subscribers through bounded queues (``EventBus``).

    Nothing is ever lost between publisher and a subscriber that keeps up, so it never yields a
    ``Gap``; a subscriber that falls ``subscriber_queue`` messages behind is closed.
    """

    def __init__(self, *, subscriber_queue: int = DEFAULT_SUBSCRIBER_QUEUE) -> None:
        self._subscriber_queue = subscriber_queue
        self._channels: dict[str, set[LocalSubscription]] = {}
        self._stopped = False

    async def start(self) -> None:
        """Nothing to open; allows reuse after ``stop``."""
        self._stopped = False

    async def stop(self) -> None:
        """Close every subscription with ``BusStopped``."""
        self._stopped = True
        for subscribers in list(self._channels.values()):
            for subscriber in list(subscribers):
                subscriber.close(BusStopped())
        self._channels.clear()

    async def publish(self, channel: str, message: bytes | str) -> None:
        """Queue ``message`` on every subscriber of ``channel`` (never blocks)."""
        data = message.encode() if isinstance(message, str) else bytes(message)
        subscribers = self._channels.get(channel)
        if subscribers:
            for subscriber in list(subscribers):
                subscriber.offer(data)

    def subscribe(self, channel: str) -> LocalSubscription:
        """A subscription to ``channel``; live as soon as it is entered."""
        return LocalSubscription(channel, self._subscriber_queue, self._attach, self._detach)

    def subscriber_count(self, channel: str) -> int:
        """Local subscribers of ``channel`` (for limits and tests)."""
        return len(self._channels.get(channel, ()))

    async def _attach(self, subscription: LocalSubscription) -> None:
        if self._stopped:
            raise BusStopped()
        self._channels.setdefault(subscription.channel, set()).add(subscription)
        subscription.ready = True
        subscription.ready_event.set()

    def _detach(self, subscription: LocalSubscription) -> None:
        subscribers = self._channels.get(subscription.channel)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._channels[subscription.channel]


__all__ = ["MemoryEventBus"]
