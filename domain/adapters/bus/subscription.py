"""One local subscriber of an event bus: a bounded queue with a clear way to be closed.

Both bus backends fan messages out to these. ``offer`` never blocks and never grows the queue past
its bound: a subscriber that is full when a message arrives is closed with ``SubscriberOverflow``
and its backlog is dropped at once.

A consumer may also take items the moment they arrive (``take_directly``): while it is parked
waiting for its next item with nothing queued, an arriving item is first offered to its ``take``
callback, and queued only when ``take`` declines it. Order is kept: ``take`` never sees an item
while an earlier one is queued or still being handled by the consumer.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from types import TracebackType

from domain.ports.bus import BusItem, SubscriberOverflow, SubscriptionClosed

log = logging.getLogger(__name__)


class LocalSubscription:
    """A bounded, closable queue of bus items for one consumer (implements ``Subscription``).

    ``attach`` runs on ``__aenter__`` (register with the backend, wait until the channel is live);
    ``detach`` runs once, when the consumer leaves or the bus closes the subscription.
    """

    __slots__ = (
        "_attach",
        "_callbacks",
        "_channel",
        "_closed",
        "_detach",
        "_detached",
        "_items",
        "_maxsize",
        "_take",
        "_waiter",
        "ready",
        "ready_event",
    )

    def __init__(
        self,
        channel: str,
        maxsize: int,
        attach: Callable[[LocalSubscription], Awaitable[None]],
        detach: Callable[[LocalSubscription], None],
    ) -> None:
        if maxsize < 1:
            raise ValueError("a subscriber queue holds at least one message")
        self._channel = channel
        self._maxsize = maxsize
        self._attach = attach
        self._detach = detach
        self._items: deque[BusItem] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._closed: SubscriptionClosed | None = None
        self._callbacks: list[Callable[[SubscriptionClosed], None]] = []
        self._detached = False
        self._take: Callable[[BusItem], bool] | None = None
        #: Set by the backend once the channel is live for this subscriber (see the Redis backend).
        self.ready = False
        self.ready_event = asyncio.Event()

    @property
    def channel(self) -> str:
        """The channel name as given to ``subscribe``."""
        return self._channel

    @property
    def closed_reason(self) -> SubscriptionClosed | None:
        """Why the bus closed this subscription, or ``None`` while open."""
        return self._closed

    @property
    def pending(self) -> int:
        """Messages queued and not yet consumed."""
        return len(self._items)

    def add_close_callback(self, callback: Callable[[SubscriptionClosed], None]) -> None:
        """Call ``callback(reason)`` once when the bus closes this subscription."""
        if self._closed is not None:
            callback(self._closed)
        else:
            self._callbacks.append(callback)

    def take_directly(self, take: Callable[[BusItem], bool] | None) -> None:
        """Offer arriving items to ``take`` while the consumer waits with nothing queued.

        ``take(item)`` runs synchronously in the publisher's task; True means it handled the
        item (it is not queued), False queues it as usual. ``None`` turns this off.
        """
        self._take = take

    def offer(self, item: BusItem) -> bool:
        """Queue ``item`` without blocking; close the subscriber when full. False if closed."""
        if self._closed is not None:
            return False
        take = self._take
        if take is not None and not self._items:
            waiter = self._waiter
            if waiter is not None and not waiter.done():
                try:  # inline: this runs once per subscriber of every live message
                    if take(item):
                        return True
                except Exception:  # the consumer handles it the ordinary way (and meets the error)
                    log.exception("taking a bus item directly failed on %r", self._channel)
        if len(self._items) >= self._maxsize:
            self.close(SubscriberOverflow(self._channel, self._maxsize))
            return False
        self._items.append(item)
        self._wake()
        return True

    def close(self, reason: SubscriptionClosed) -> None:
        """Close with ``reason``: drop the backlog, wake the consumer, detach from the backend."""
        if self._closed is not None:
            return
        self._closed = reason
        self._items.clear()
        self._wake()
        self.ready_event.set()
        self._do_detach()
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(reason)

    def _do_detach(self) -> None:
        if not self._detached:
            self._detached = True
            self._detach(self)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def __aenter__(self) -> LocalSubscription:
        if self._detached:
            raise RuntimeError("a subscription can be entered only once")
        try:
            await self._attach(self)
        except BaseException:
            self._do_detach()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._items.clear()
        self._do_detach()

    def __aiter__(self) -> LocalSubscription:
        return self

    async def __anext__(self) -> BusItem:
        while not self._items:
            if self._closed is not None:
                raise self._closed
            if self._detached:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()


__all__ = ["LocalSubscription"]
