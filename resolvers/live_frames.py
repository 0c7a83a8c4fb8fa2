"""Live subscription events rendered once and written straight to every subscriber's socket.

An event a thousand subscribers watch used to travel, for each of them, from the bus queue
through the subscription's generators, graphql-core's per-event executor, Strawberry's stream
and handler, Starlette, the middlewares and uvicorn before reaching the socket. A *live
delivery* short-cuts the live part of that trip: as the event arrives on the bus (while the
subscription is waiting for it, so every earlier message has been sent), it is executed once per
operation shape (``resolvers.shared_results``), encoded once, framed once per operation id
(``resolvers.direct_socket.text_frame``) and written to the socket, all in the bus's own loop:
no task, no await, per subscriber only the frame lookup and the write.

What stays on the ordinary path, one subscriber at a time: the stored events replayed first, a
gap, results with errors (never shared), sockets that are backed up or closing, the legacy
``graphql-ws`` protocol, and anything not served by uvicorn's ``websockets-sansio``
implementation. After a final event written directly, the stream checks the store and completes
the operation as before. The bytes are the same either way.
"""

from __future__ import annotations

import inspect
import json
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graphql import ExecutionResult, GraphQLSchema, OperationDefinitionNode

from resolvers.direct_socket import DirectSocket, text_frame
from resolvers.schema_state import schema_state
from resolvers.shared_results import SharedEventExecutor, subscription_executor

#: Rendered events kept (only the one being fanned out right now is ever needed again).
CACHE_SIZE = 16
#: Routes (distinct subscription scopes) interned before the table starts over.
ROUTES = 4096
#: Frames kept per rendered event, one per distinct operation id (most clients use a few).
FRAMES_PER_EVENT = 64

T = TypeVar("T")


_dumps = json.JSONEncoder(separators=(",", ":")).encode


@dataclass(slots=True)
class _Rendered:
    """An event's ``data`` as JSON (None: not shareable) and its frames by operation id."""

    text: str | None
    frames: dict[str, bytes] = field(default_factory=dict)

    def frame(self, operation_id: str) -> bytes:
        found = self.frames.get(operation_id)
        if found is not None:
            return found
        message = f'{{"id":{_dumps(operation_id)},"type":"next","payload":{{"data":{self.text}}}}}'
        frame = text_frame(message)
        if len(self.frames) < FRAMES_PER_EVENT:
            self.frames[operation_id] = frame
        return frame


@dataclass(slots=True, eq=True)
class Route:
    """An operation scope and the conversion of an event into the root value it executes on,
    with what was rendered on it for the event fanned out last (found by identity)."""

    scope: Hashable
    convert: Callable[[Any], object]
    event: object = field(default=None, compare=False)
    rendered: _Rendered | None = field(default=None, compare=False)

    def __hash__(self) -> int:
        return hash((self.scope, self.convert))


class LiveFrames:
    """A small LRU of rendered events, by (share key, operation scope).

    In front of it sits the event being fanned out right now: every subscriber of a job receives
    the very same decoded event object, so each route keeps what it rendered for the last event
    it saw, and ``render`` answers by identity (no conversion, no share key built and hashed).
    Routes are interned by ``route``, so subscribers of one scope share that memory.
    """

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, _Rendered] = OrderedDict()
        self._routes: dict[Route, Route] = {}
        self._event: object = None  # the event fanned out last
        self._touched: list[Route] = []  # the routes that rendered it
        self.hits = 0
        self.misses = 0

    def route(self, scope: Hashable, convert: Callable[[Any], object]) -> Route:
        """The one route object for equal (scope, conversion) pairs, to ``render`` events on."""
        key = Route(scope, convert)
        if len(self._routes) >= ROUTES:  # interning only saves time: forget, never grow
            self._routes.clear()
        return self._routes.setdefault(key, key)

    def render(
        self, event: object, route: Route, executor: SharedEventExecutor
    ) -> _Rendered | None:
        """``event`` converted and rendered on ``route`` (None: it carries no share key); for
        the event the route saw last, what was rendered for it already."""
        if event is route.event:
            return route.rendered
        if event is not self._event:  # routes hold the event being fanned out, no older one
            for touched in self._touched:
                touched.event = touched.rendered = None
            self._event, self._touched = event, []
        self._touched.append(route)
        payload = route.convert(event)
        share = getattr(payload, "share_key", None)
        found = None if share is None else self.rendered((share, route.scope), executor, payload)
        route.event, route.rendered = event, found
        return found

    def rendered(self, key: Hashable, executor: SharedEventExecutor, payload: object) -> _Rendered:
        """The entry of ``key``: ``payload`` executed by ``executor`` and encoded, on first use."""
        found = self._items.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        found = self._items[key] = _render(executor, payload)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return found


def live_frames(schema: GraphQLSchema) -> LiveFrames:
    """The rendered-event cache of a schema (kept on the schema object itself)."""
    return schema_state(schema, "adreel.live_frames", LiveFrames, LiveFrames)


@dataclass(frozen=True, slots=True)
class Outlet:
    """Where an operation's live events may be written directly: its socket, its id, and
    whether it still runs (the client may have completed it)."""

    socket: DirectSocket
    operation_id: str
    running: Callable[[], bool]


_outlet: ContextVar[Outlet | None] = ContextVar("adreel_live_outlet", default=None)


def open_outlet(outlet: Outlet) -> None:
    """Offer the operation running in the current task a direct way to its socket."""
    _outlet.set(outlet)


def _render(executor: SharedEventExecutor, payload: object) -> _Rendered:
    result = executor.build_per_event_executor(payload).execute_operation(False)
    if inspect.isawaitable(result):  # resolved asynchronously: the ordinary path awaits it
        if inspect.iscoroutine(result):
            result.close()
        return _Rendered(None)
    if not isinstance(result, ExecutionResult) or result.errors or result.extensions:
        return _Rendered(None)
    return _Rendered(_dumps(result.data))


def live_delivery(
    operation: OperationDefinitionNode, convert: Callable[[T], object]
) -> Callable[[T], bool] | None:
    """``deliver(event)`` writing the event's ``next`` message straight to the socket of the
    subscription ``operation`` running in this task (True if written), or ``None`` when this
    subscription cannot be served that way. ``convert`` turns an event into the root value
    the operation executes on; it must carry a ``share_key``."""
    outlet = _outlet.get()
    executor = subscription_executor(operation)
    if outlet is None or executor is None:
        return None
    scope = executor.share_scope()
    if scope is None:
        return None
    frames = live_frames(executor.schema)
    route = frames.route(scope, convert)
    socket, operation_id, running = outlet.socket, outlet.operation_id, outlet.running

    def deliver(event: T) -> bool:
        # the route's last event is this one for every subscriber but the first: no call
        rendered = route.rendered if event is route.event else frames.render(event, route, executor)
        if rendered is None or rendered.text is None or not running():
            return False
        return socket.write(rendered.frame(operation_id))

    return deliver


__all__ = ["CACHE_SIZE", "LiveFrames", "Outlet", "live_delivery", "live_frames", "open_outlet"]
