"""Execute a subscription event once for all subscribers that asked for the same thing.

A thousand clients watching one job receive the same event; executing the GraphQL selection for
each of them is by far the largest cost of a delivery. An event payload that carries a
``share_key`` (its identity: immutable content, context-independent fields) is executed once
per distinct operation and variable values; every other subscriber with the same document gets
the same (read-only) result. Variables used only by the root field's arguments (``jobId``,
``after``) choose the stream, not the shape of each event, so they are left out of the key.
Results with errors are never shared.

The executor of a subscription is reachable from its own operation's task through
``subscription_executor`` (a live delivery renders events with it; see ``resolvers.live_frames``).
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from contextvars import ContextVar
from typing import Any, cast

from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    Visitor,
    visit,
)

from resolvers.plain_fields import PlainFieldsExecutor
from resolvers.schema_state import schema_state

#: Shared results kept per schema (a few per live event is all that is ever needed).
CACHE_SIZE = 512


class _SharedResults:
    """A small LRU of execution results, or of executions still running."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, ExecutionResult | asyncio.Future[ExecutionResult]] = (
            OrderedDict()
        )
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> ExecutionResult | asyncio.Future[ExecutionResult] | None:
        found = self._items.get(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
            self._items.move_to_end(key)
        return found

    def put(self, key: Hashable, result: ExecutionResult | asyncio.Future[ExecutionResult]) -> None:
        self._items[key] = result
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def forget(self, key: Hashable, result: object) -> None:
        if self._items.get(key) is result:
            del self._items[key]


def shared_results(schema: GraphQLSchema) -> _SharedResults:
    """The shared-result cache of a schema (kept on the schema object itself)."""
    return schema_state(
        schema, "adreel.shared_results", _SharedResults, lambda: _SharedResults(CACHE_SIZE)
    )


class _VariableUses(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        self.names.add(node.name.value)


def _variables_used(node: Any) -> set[str]:
    uses = _VariableUses()
    visit(node, uses)
    return uses.names


def _operation_key(operation: OperationDefinitionNode) -> Hashable | None:
    """(document text, operation name, variables that shape each event), or None."""
    if operation.loc is None or len(operation.selection_set.selections) != 1:
        return None
    root = operation.selection_set.selections[0]
    if not isinstance(root, FieldNode):
        return None
    shaping: set[str] = set()
    for directive in root.directives or ():
        shaping |= _variables_used(directive)
    if root.selection_set is not None:
        shaping |= _variables_used(root.selection_set)
    name = operation.name.value if operation.name else None
    return (operation.loc.source.body, name, frozenset(shaping))


_subscription: ContextVar[SharedEventExecutor | None] = ContextVar(
    "adreel_subscription_executor", default=None
)


def subscription_executor(operation: OperationDefinitionNode) -> SharedEventExecutor | None:
    """The executor running ``operation`` (a subscription) in the current task, if any."""
    executor = _subscription.get()
    return executor if executor is not None and executor.operation is operation else None


class SharedEventExecutor(PlainFieldsExecutor):
    """Strawberry's executor, sharing the results of shareable subscription events."""

    #: What names an event's result beside its share key (False: never shared); set once.
    _scope: Hashable | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.operation.operation is OperationType.SUBSCRIPTION:
            _subscription.set(self)

    def share_scope(self) -> Hashable | None:
        """(operation key, values of the variables that shape each event, base URL), or None
        when this operation's events are never shared; computed once per subscription."""
        if self._scope is None:
            self._scope = _share_scope(self) or False
        return self._scope or None

    def build_per_event_executor(self, payload: Any) -> Any:
        self.share_scope()  # once, on the subscription's executor: every copy inherits it
        return super().build_per_event_executor(payload)

    def execute_operation(self, serially: bool | None = None) -> Any:
        share = getattr(self.root_value, "share_key", None)
        scope = self._scope
        if share is None or not scope:
            return super().execute_operation(serially)
        key = (share, scope)
        cache = shared_results(self.schema)
        found = cache.get(key)
        if isinstance(found, ExecutionResult):
            return found
        execute = super().execute_operation
        if found is not None:  # another subscriber is executing it right now
            return _join(found, lambda: execute(serially))
        result = execute(serially)
        if self.is_awaitable(result):
            running: asyncio.Future[ExecutionResult] = asyncio.ensure_future(
                cast("Awaitable[ExecutionResult]", result)
            )
            cache.put(key, running)
            running.add_done_callback(lambda done: _settle(cache, key, done))
            return _outcome(running)
        if isinstance(result, ExecutionResult) and not result.errors:
            cache.put(key, result)
        return result


def _share_scope(executor: SharedEventExecutor) -> Hashable | None:
    operation_key = _operation_key(executor.operation)
    if operation_key is None:
        return None
    _, _, shaping = cast("tuple[str, str | None, frozenset[str]]", operation_key)
    coerced = executor.variable_values.coerced
    values = json.dumps({n: coerced.get(n) for n in sorted(shaping)}, default=str)
    # signed URLs in a result address the server the way its subscriber reached it
    base_url = getattr(executor.context_value, "base_url", None)
    return (operation_key, values, base_url)


def _settle(cache: _SharedResults, key: Hashable, done: asyncio.Future[ExecutionResult]) -> None:
    """Keep a finished execution's result; forget a failed one (its waiters run their own)."""
    if done.cancelled() or done.exception() is not None or done.result().errors:
        cache.forget(key, done)
    else:
        cache.put(key, done.result())


async def _outcome(running: asyncio.Future[ExecutionResult]) -> ExecutionResult:
    """Wait for a shared execution without letting this caller's cancellation stop it."""
    await asyncio.wait({running})
    return running.result()


async def _join(running: asyncio.Future[ExecutionResult], own: Callable[[], Any]) -> Any:
    """The result of an execution in progress; this subscriber's own one if that one failed."""
    await asyncio.wait({running})
    if not running.cancelled() and running.exception() is None and not running.result().errors:
        return running.result()
    result = own()
    if inspect.isawaitable(result):
        result = await result
    return result


__all__ = ["CACHE_SIZE", "SharedEventExecutor", "shared_results", "subscription_executor"]
