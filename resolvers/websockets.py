"""WebSocket connections: clear close codes, per-key connection limits, closing stalled clients.

Every GraphQL WebSocket runs inside a ``GuardedConnection`` (see ``serve_guarded``), which lets
any part of the server close the connection with a code and a reason at once, even while a send
to a client that stopped reading is blocked: the connection stops reading the client, its
operations are cancelled (so their subscriptions and queues are freed), and the close frame is
sent as soon as the socket accepts it, or given up after ``close_timeout``.

Close codes (both protocols):

- 4401 no API key in ``connection_init``; 4403 invalid or revoked key (also when the key is
  revoked while the connection is open: within a second, announced on the event bus);
- 4408 no ``connection_init`` within ``ADREEL_WS_INIT_TIMEOUT_SECONDS``;
- 4429 too many open connections for this API key;
- 1013 the client fell too far behind a subscription (reconnect with the last cursor);
- 1001 the server is shutting down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from domain.ports.bus import EventBus, Gap, SubscriberOverflow, SubscriptionClosed
from domain.services.tenancy import KEYS_REVOKED_CHANNEL

log = logging.getLogger("adreel.websockets")

CLOSE_GOING_AWAY = 1001
CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_INIT_TIMEOUT = 4408
CLOSE_TOO_MANY_CONNECTIONS = 4429

_SCOPE_KEY = "adreel.connection"
_MAX_REASON_BYTES = 120  # a close frame's reason holds at most 123 bytes


def _reason(text: str) -> str:
    encoded = text.encode()[:_MAX_REASON_BYTES]
    return encoded.decode(errors="ignore")


class GuardedConnection:
    """The ASGI channel of one WebSocket connection, closable from anywhere at any time."""

    __slots__ = (
        "_aborted", "_close_sent", "_close_task", "_close_timeout", "_on_finish", "_override",
        "_receive", "_send", "aborted_with",
    )  # fmt: skip

    def __init__(self, receive: Receive, send: Send, close_timeout: float) -> None:
        self._receive = receive
        self._send = send
        self._close_timeout = close_timeout
        self._aborted: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._close_sent = False
        self._override: tuple[int, str] | None = None
        self._close_task: asyncio.Task[None] | None = None
        self._on_finish: list[Callable[[], None]] = []
        #: Set once the connection was closed by ``abort``: (code, reason).
        self.aborted_with: tuple[int, str] | None = None

    @property
    def open(self) -> bool:
        """Neither closed nor closing: messages may still be sent (``abort`` marks the close
        sent as well, so one flag tells; live fan-out reads it once per socket and event)."""
        return not self._close_sent

    async def receive(self) -> Message:
        """The client's next message, or a disconnect as soon as the connection is aborted."""
        if self._aborted.done():
            return self._aborted.result()
        incoming = asyncio.ensure_future(self._receive())
        done, _ = await asyncio.wait({incoming, self._aborted}, return_when=asyncio.FIRST_COMPLETED)
        if incoming in done:
            return incoming.result()
        incoming.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await incoming
        return self._aborted.result()

    async def send(self, message: Message) -> None:
        """Pass a message on; after the close frame, drop whatever the application still sends."""
        if self._close_sent or self._aborted.done():
            return
        if message["type"] == "websocket.close":
            self._close_sent = True
            if self._override is not None:
                code, reason = self._override
                message = {"type": "websocket.close", "code": code, "reason": reason}
        await self._send(message)

    def close_with(self, code: int, reason: str) -> None:
        """Use ``code`` and ``reason`` for the next close the application sends.

        Lets a handshake hook that can only raise a generic rejection pick the close code.
        """
        self._override = (code, _reason(reason))

    def abort(self, code: int, reason: str) -> None:
        """Close now, from any task, even while a send is blocked on a stalled socket."""
        if self._aborted.done():
            return
        reason = _reason(reason)
        self.aborted_with = (code, reason)
        log.info("closing WebSocket connection: %s %s", code, reason)
        if not self._close_sent:
            self._close_sent = True
            self._close_task = asyncio.create_task(self._send_close(code, reason))
        self._aborted.set_result({"type": "websocket.disconnect", "code": code, "reason": reason})

    async def _send_close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(self._close_timeout):
                await self._send({"type": "websocket.close", "code": code, "reason": reason})

    def on_finish(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when the connection is over (to release a slot, say)."""
        self._on_finish.append(callback)

    async def finish(self) -> None:
        """Wait (bounded) for a pending close frame, then run the finish callbacks."""
        if self._close_task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._close_task
        callbacks, self._on_finish = self._on_finish, []
        for callback in callbacks:
            callback()


async def serve_guarded(
    app: Callable[[Scope, Receive, Send], Awaitable[None]],
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    close_timeout: float,
) -> None:
    """Run a WebSocket ASGI app inside a ``GuardedConnection`` (reachable via ``connection_of``)."""
    connection = GuardedConnection(receive, send, close_timeout)
    scope[_SCOPE_KEY] = connection
    try:
        await app(scope, connection.receive, connection.send)
    finally:
        await connection.finish()


def connection_of(request: Any) -> GuardedConnection | None:
    """The guarded connection a WebSocket request runs in (``None`` for HTTP requests)."""
    if not isinstance(request, WebSocket):
        return None
    found = request.scope.get(_SCOPE_KEY)
    return found if isinstance(found, GuardedConnection) else None


def close_on_bus_close(request: Any) -> Callable[[SubscriptionClosed], None]:
    """A bus close callback that closes the request's WebSocket with the matching code."""

    def on_closed(reason: SubscriptionClosed) -> None:
        connection = connection_of(request)
        if connection is not None:
            code = (
                CLOSE_TRY_AGAIN_LATER
                if isinstance(reason, SubscriberOverflow)
                else CLOSE_GOING_AWAY
            )
            connection.abort(code, reason.reason)

    return on_closed


class KeyWatch:
    """Closes (4403) the open connections of API keys revoked while connected.

    Two ways, so a revocation takes effect within a second: ``listen`` follows the bus channel
    on which every revocation is announced (all processes sharing the bus close at once), and a
    background loop re-checks every key with open connections in one query every ``interval``
    seconds (it runs only while connections are open) for an announcement the bus lost or a
    revocation made where the bus does not reach (``adreel keys revoke`` without Redis).
    """

    def __init__(
        self, active_keys: Callable[[set[uuid.UUID]], Awaitable[set[uuid.UUID]]], interval: float
    ) -> None:
        self._active_keys = active_keys
        self._interval = interval
        self._connections: dict[uuid.UUID, set[GuardedConnection]] = {}
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncio.Task[None] | None = None

    def watch(self, key_id: uuid.UUID, connection: GuardedConnection) -> None:
        """Watch ``connection`` (opened with ``key_id``) until it finishes."""
        self._connections.setdefault(key_id, set()).add(connection)
        connection.on_finish(lambda: self._forget(key_id, connection))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="websocket-key-watch")

    def revoked(self, key_id: uuid.UUID) -> int:
        """Close every connection of ``key_id`` now; how many there were."""
        connections = list(self._connections.get(key_id, ()))
        for connection in connections:
            connection.abort(CLOSE_FORBIDDEN, "API key revoked")
        return len(connections)

    async def listen(self, bus: EventBus) -> None:
        """Follow revocations announced on the bus (subscribed before this returns)."""
        subscription = bus.subscribe(KEYS_REVOKED_CHANNEL)
        entered = asyncio.get_running_loop().create_future()

        async def follow() -> None:
            try:
                async with subscription as messages:
                    entered.set_result(None)
                    async for item in messages:
                        if isinstance(item, Gap):
                            await self._recheck()
                            continue
                        try:
                            key_id = uuid.UUID(item.decode())
                        except ValueError:
                            log.warning("ignored a malformed key revocation message")
                            continue
                        self.revoked(key_id)
            except SubscriptionClosed:
                pass
            except BaseException as exc:
                if not entered.done():
                    entered.set_exception(exc)
                raise

        self._listener = asyncio.create_task(follow(), name="websocket-key-revocations")
        await entered

    def _forget(self, key_id: uuid.UUID, connection: GuardedConnection) -> None:
        found = self._connections.get(key_id)
        if found is not None:
            found.discard(connection)
            if not found:
                del self._connections[key_id]

    async def _recheck(self) -> None:
        keys = set(self._connections)
        if not keys:
            return
        try:
            active = await self._active_keys(keys)
        except Exception:  # a database blip: check again next time
            log.warning("could not re-check API keys of open connections", exc_info=True)
            return
        for key_id in keys - active:
            self.revoked(key_id)

    async def _run(self) -> None:
        while self._connections:
            await asyncio.sleep(self._interval)
            await self._recheck()

    async def stop(self) -> None:
        """Stop the background loop and the bus listener (connections stay as they are)."""
        for task in (self._task, self._listener):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._task = self._listener = None


class ConnectionLimiter:
    """Open WebSocket connections per API key, counted in this process."""

    def __init__(self, max_per_key: int) -> None:
        self.max_per_key = max_per_key
        self._open: dict[uuid.UUID, int] = {}

    def acquire(self, key_id: uuid.UUID) -> bool:
        """Take a slot for ``key_id``; False when the key is at its limit."""
        count = self._open.get(key_id, 0)
        if count >= self.max_per_key:
            return False
        self._open[key_id] = count + 1
        return True

    def release(self, key_id: uuid.UUID) -> None:
        """Give a slot back."""
        count = self._open.get(key_id, 0) - 1
        if count > 0:
            self._open[key_id] = count
        else:
            self._open.pop(key_id, None)


__all__ = [
    "CLOSE_FORBIDDEN",
    "CLOSE_GOING_AWAY",
    "CLOSE_INIT_TIMEOUT",
    "CLOSE_TOO_MANY_CONNECTIONS",
    "CLOSE_TRY_AGAIN_LATER",
    "CLOSE_UNAUTHORIZED",
    "ConnectionLimiter",
    "GuardedConnection",
    "KeyWatch",
    "close_on_bus_close",
    "connection_of",
    "serve_guarded",
]
