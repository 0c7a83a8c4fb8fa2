"""Redis pub/sub event bus: events published by any process reach subscribers on every process.

One dedicated Redis connection per process carries every subscription; a reader task fans each
message out to the local subscribers of its channel through bounded queues. Channels are
subscribed when their first local subscriber arrives and unsubscribed when the last one leaves.

When the connection drops (Redis restarted, connection killed, no answer to a health ping) the
reader reconnects with capped, jittered exponential backoff, re-subscribes every channel, and
after each channel is live again gives its subscribers a ``Gap``: whatever was published
meanwhile is lost to pub/sub, and the consumer re-reads durable state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import EqualJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from domain.adapters.bus.subscription import LocalSubscription
from domain.ports.bus import DEFAULT_SUBSCRIBER_QUEUE, BusStopped, BusUnavailable, Gap

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Channel:
    """Local state of one subscribed channel."""

    name: str
    subscribers: set[LocalSubscription] = field(default_factory=set)
    #: The connection a SUBSCRIBE for this channel was sent on (None: not sent yet).
    sent_on: AbstractConnection | None = None
    #: True once Redis acknowledged the subscription on the current connection.
    live: bool = False


@dataclass(frozen=True, slots=True)
class _PendingAck:
    kind: str  # "subscribe" | "unsubscribe"
    name: str
    channel: _Channel | None


class RedisEventBus:
    """``EventBus`` over Redis pub/sub with one subscriber connection per process.

    ``channel_prefix`` namespaces every channel on the Redis server (several deployments or test
    runs can share one Redis). ``client_name`` is the connection name shown by ``CLIENT LIST``.
    """

    def __init__(
        self,
        url: str,
        *,
        subscriber_queue: int = DEFAULT_SUBSCRIBER_QUEUE,
        channel_prefix: str = "",
        client_name: str = "adreel-bus",
        subscribe_timeout: float = 5.0,
        health_check_interval: float = 5.0,
        reconnect_initial_delay: float = 0.05,
        reconnect_max_delay: float = 2.0,
    ) -> None:
        self._url = url
        self._subscriber_queue = subscriber_queue
        self._prefix = channel_prefix
        self._prefix_bytes = channel_prefix.encode()
        self._client_name = client_name
        self._subscribe_timeout = subscribe_timeout
        self._health_check_interval = health_check_interval
        self._initial_delay = reconnect_initial_delay
        self._max_delay = reconnect_max_delay

        self._channels: dict[str, _Channel] = {}
        self._pending: deque[_PendingAck] = deque()
        self._lock = asyncio.Lock()
        self._conn: AbstractConnection | None = None
        self._connected = asyncio.Event()
        self._publisher: Redis | None = None
        self._sub_pool: ConnectionPool | None = None
        self._reader: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._stopped = True
        #: Times the subscriber connection was (re-)established; for monitoring and tests.
        self.connections_made = 0

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Create the publisher client and start the subscriber connection's reader task."""
        if self._reader is not None:
            return
        self._stopped = False
        retry = Retry(EqualJitterBackoff(cap=1.0, base=0.05), 3)
        self._publisher = Redis.from_url(
            self._url,
            retry=retry,
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
            health_check_interval=30,
            client_name=f"{self._client_name}-pub",
        )
        self._sub_pool = ConnectionPool.from_url(self._url, client_name=self._client_name)
        self._reader = asyncio.create_task(self._run(), name="redis-event-bus-reader")

    async def stop(self) -> None:
        """Stop the reader, close every subscription with ``BusStopped``, release connections."""
        self._stopped = True
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        for task in list(self._background):
            task.cancel()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        for channel in list(self._channels.values()):
            for subscriber in list(channel.subscribers):
                subscriber.close(BusStopped())
        self._channels.clear()
        if self._publisher is not None:
            await self._publisher.aclose()
            self._publisher = None
        if self._sub_pool is not None:
            await self._sub_pool.disconnect()
            self._sub_pool = None

    @property
    def connected(self) -> bool:
        """Whether the subscriber connection is up."""
        return self._conn is not None

    async def wait_connected(self) -> None:
        """Wait until the subscriber connection is up (wrap in ``asyncio.timeout`` to bound it)."""
        await self._connected.wait()

    def subscriber_count(self, channel: str) -> int:
        """Local subscribers of ``channel`` (for limits and tests)."""
        state = self._channels.get(channel)
        return len(state.subscribers) if state is not None else 0

    # -- publishing ----------------------------------------------------------------------------

    async def publish(self, channel: str, message: bytes | str) -> None:
        """PUBLISH ``message`` on ``channel``; ``BusUnavailable`` when Redis cannot be reached."""
        if self._publisher is None:
            raise BusUnavailable("event bus is not started")
        try:
            await self._publisher.publish(self._prefix + channel, message)
        except RedisError as exc:
            raise BusUnavailable(f"could not publish on the event bus: {exc}") from exc

    # -- subscribing ---------------------------------------------------------------------------

    def subscribe(self, channel: str) -> LocalSubscription:
        """A subscription to ``channel``; entering it waits until Redis confirmed the channel."""
        return LocalSubscription(channel, self._subscriber_queue, self._attach, self._detach)

    async def _attach(self, subscription: LocalSubscription) -> None:
        if self._stopped:
            raise BusStopped()
        state = self._channels.get(subscription.channel)
        if state is None:
            state = _Channel(subscription.channel)
            self._channels[subscription.channel] = state
        state.subscribers.add(subscription)
        if state.live:
            subscription.ready = True
            subscription.ready_event.set()
            return
        await self._send_subscribe(state)
        try:
            async with asyncio.timeout(self._subscribe_timeout):
                await subscription.ready_event.wait()
        except TimeoutError:
            # Redis is unreachable: go on; a Gap follows as soon as the channel is live.
            log.warning("event bus: channel %r not confirmed yet; continuing", subscription.channel)
        subscription.ready = True

    def _detach(self, subscription: LocalSubscription) -> None:
        state = self._channels.get(subscription.channel)
        if state is None or subscription not in state.subscribers:
            return
        state.subscribers.discard(subscription)
        if not state.subscribers:
            del self._channels[state.name]
            if state.sent_on is not None and state.sent_on is self._conn and not self._stopped:
                self._spawn(self._send_unsubscribe(state.name, state.sent_on))

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _send_subscribe(self, state: _Channel) -> None:
        async with self._lock:
            conn = self._conn
            if conn is None or state.sent_on is conn or self._channels.get(state.name) is not state:
                return  # disconnected (the reconnect subscribes it), already sent, or abandoned
            self._pending.append(_PendingAck("subscribe", state.name, state))
            state.sent_on = conn
            await self._send(conn, "SUBSCRIBE", self._prefix + state.name)

    async def _send_unsubscribe(self, name: str, conn: AbstractConnection) -> None:
        async with self._lock:
            if conn is not self._conn or name in self._channels:
                return  # reconnected (never subscribed there) or subscribed again meanwhile
            self._pending.append(_PendingAck("unsubscribe", name, None))
            await self._send(conn, "UNSUBSCRIBE", self._prefix + name)

    async def _send(self, conn: AbstractConnection, *args: str) -> None:
        """Send a command on the subscriber connection; failures are the reader's to handle."""
        if not conn.is_connected:
            return  # never let a send silently reconnect the connection object
        try:
            await conn.send_command(*args, check_health=False)
        except (RedisError, OSError) as exc:
            log.info("event bus: sending %s failed (%s); the reader reconnects", args[0], exc)

    # -- the reader ----------------------------------------------------------------------------

    async def _run(self) -> None:
        delay = self._initial_delay
        while not self._stopped:
            assert self._sub_pool is not None
            conn: AbstractConnection = self._sub_pool.make_connection()  # type: ignore[no-untyped-call]
            try:
                await conn.connect()  # type: ignore[no-untyped-call]
                await self._resubscribe_all(conn)
                self.connections_made += 1
                self._connected.set()
                delay = self._initial_delay
                await self._read(conn)
            except (RedisError, OSError) as exc:
                if self.connections_made and self._conn is conn:
                    log.warning("event bus: subscriber connection lost (%s); reconnecting", exc)
                else:
                    log.warning("event bus: cannot connect to Redis (%s); retrying", exc)
            finally:
                self._connection_lost(conn)
                with contextlib.suppress(Exception):
                    await conn.disconnect(nowait=True)
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(delay * 2, self._max_delay)

    async def _resubscribe_all(self, conn: AbstractConnection) -> None:
        async with self._lock:
            self._pending.clear()
            self._conn = conn
            names = []
            for state in self._channels.values():
                state.sent_on = conn
                state.live = False
                self._pending.append(_PendingAck("subscribe", state.name, state))
                names.append(self._prefix + state.name)
            if names:
                await conn.send_command("SUBSCRIBE", *names, check_health=False)

    def _connection_lost(self, conn: AbstractConnection) -> None:
        if self._conn is conn:
            self._conn = None
            self._connected.clear()
            self._pending.clear()
            for state in self._channels.values():
                state.live = False
                state.sent_on = None

    async def _read(self, conn: AbstractConnection) -> None:
        ping_outstanding = False
        while True:
            response = await conn.read_response(
                timeout=self._health_check_interval, disconnect_on_error=True
            )
            if response is None:  # quiet for a whole interval: make sure the server is there
                if ping_outstanding:
                    raise RedisTimeoutError("no answer to the event bus health check")
                ping_outstanding = True
                async with self._lock:
                    await conn.send_command("PING", check_health=False)
                continue
            ping_outstanding = False
            self._handle(response)

    def _handle(self, response: Any) -> None:
        if not isinstance(response, list) or not response:
            return  # +PONG outside subscribed mode
        kind = response[0]
        if kind == b"message" and len(response) == 3:
            name = self._local_name(response[1])
            state = self._channels.get(name) if name is not None else None
            if state is not None:
                data = response[2]
                for subscriber in list(state.subscribers):
                    subscriber.offer(data)
        elif kind == b"subscribe":
            self._acknowledged("subscribe", self._local_name(response[1]))
        elif kind == b"unsubscribe":
            self._acknowledged("unsubscribe", self._local_name(response[1]))

    def _local_name(self, raw: Any) -> str | None:
        if not isinstance(raw, bytes) or not raw.startswith(self._prefix_bytes):
            return None
        return raw[len(self._prefix_bytes) :].decode()

    def _acknowledged(self, kind: str, name: str | None) -> None:
        while self._pending:
            ack = self._pending.popleft()
            if ack.kind == kind and ack.name == name:
                break
            log.warning("event bus: unexpected %s acknowledgement for %r", kind, name)
        else:
            return
        state = ack.channel
        if kind != "subscribe" or state is None or self._channels.get(state.name) is not state:
            return
        state.live = True
        for subscriber in list(state.subscribers):
            if subscriber.ready:
                # It was live before (or gave up waiting): messages may have been lost meanwhile.
                subscriber.offer(Gap("event bus reconnected"))
            else:
                subscriber.ready = True
                subscriber.ready_event.set()


__all__ = ["RedisEventBus"]
