"""Loads a connection starts for its nodes' fields before the executor reaches them.

Resolving a field that awaits a DataLoader costs a coroutine per node and makes the executor
gather every node of the list in its own task. A connection resolver that knows its rows can
instead load, in one batch each, the fields selected on ``edges { node { ... } }`` (the very
statements the loaders would run) before returning; the node fields then find their keys
loaded and answer with plain values, and the whole page completes without a task.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import TypeVar

import strawberry
from strawberry.types.nodes import SelectedField, Selection

T = TypeVar("T")
R = TypeVar("R")


def settled(load: Awaitable[T], convert: Callable[[T], R]) -> R | Awaitable[R]:
    """``convert`` of a load's value: at once when it is already loaded (a primed DataLoader
    key, whose failure raises here as it would when awaited), else once it is."""
    if isinstance(load, asyncio.Future) and load.done():
        return convert(load.result())
    return _then(load, convert)


async def _then(load: Awaitable[T], convert: Callable[[T], R]) -> R:
    return convert(await load)


def _plain(selections: Iterable[Selection], name: str | None = None) -> Iterator[SelectedField]:
    """The selections that are fields (named ``name``) without directives: what surely runs."""
    for selection in selections:
        if (
            isinstance(selection, SelectedField)
            and not selection.directives
            and (name is None or selection.name == name)
        ):
            yield selection


def node_fields(info: strawberry.Info) -> list[SelectedField]:
    """The fields selected on ``edges { node { ... } }`` of the connection being resolved, in
    document order. Fields under a fragment or a directive are left out: they load as usual."""
    return [
        field
        for connection in info.selected_fields
        if isinstance(connection, SelectedField)
        for edges in _plain(connection.selections, "edges")
        for node in _plain(edges.selections, "node")
        for field in _plain(node.selections)
    ]


__all__ = ["node_fields", "settled"]
