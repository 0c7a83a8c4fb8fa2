"""Loads a connection starts for its nodes' fields before the executor reaches them.

Resolving a field that awaits a DataLoader costs a coroutine per node and makes the executor
gather every node of the list in its own task. A connection resolver that knows its rows can
instead load, in one batch each, the fields selected on ``edges { node { ... } }`` (the very
statements the loaders would run) before returning; the node fields then find their keys
loaded and answer with plain values, and the whole page completes without a task.

It can go one step further and ``settle`` a node field: register, for that field's place in
the document, the answer each node gets from the loaded values. The executor
(``resolvers.plain_fields``) then completes the field with that answer directly, without
building its arguments and running the resolver chain once per node. A node without a settled
answer, or whose answer raises, takes the field's resolver, which gives the same value or error.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import strawberry
from graphql import FieldNode, SelectionSetNode
from strawberry.types.nodes import SelectedField, convert_selections

T = TypeVar("T")
R = TypeVar("R")

#: What a settled answer gives for a node it has no value for.
UNSETTLED: Any = object()

#: Per operation: by a node field's place in the document (the ``id`` of its node: nodes are
#: frozen dataclasses whose hash walks their whole subtree, and equal subtrees compare equal),
#: its answer for a node.
SettledAnswers = dict[int, Callable[[Any], Any]]


def settled(load: Awaitable[T], convert: Callable[[T], R]) -> R | Awaitable[R]:
    """``convert`` of a load's value: at once when it is already loaded (a primed DataLoader
    key, whose failure raises here as it would when awaited), else once it is."""
    if isinstance(load, asyncio.Future) and load.done():
        return convert(load.result())
    return _then(load, convert)


async def _then(load: Awaitable[T], convert: Callable[[T], R]) -> R:
    return convert(await load)


def _plain(selection_set: SelectionSetNode | None, name: str | None = None) -> Iterator[FieldNode]:
    """The selections that are fields (named ``name``) without directives: what surely runs."""
    for selection in selection_set.selections if selection_set is not None else ():
        if (
            isinstance(selection, FieldNode)
            and not selection.directives
            and (name is None or selection.name.value == name)
        ):
            yield selection


def node_fields(info: strawberry.Info) -> list[tuple[FieldNode, SelectedField]]:
    """The fields selected on ``edges { node { ... } }`` of the connection being resolved, in
    document order: each field's node in the document and its selection as Strawberry reads
    it (arguments with variables applied). Fields under a fragment or a directive are left out:
    they load as usual."""
    raw = info._raw_info  # the document's nodes, which Strawberry's selections do not keep
    return [
        (field, _selected(raw, field))
        for connection in raw.field_nodes
        for edges in _plain(connection.selection_set, "edges")
        for node in _plain(edges.selection_set, "node")
        for field in _plain(node.selection_set)
    ]


def _selected(raw: Any, field: FieldNode) -> SelectedField:
    selected = convert_selections(raw, [field])[0]
    assert isinstance(selected, SelectedField)
    return selected


def settle(
    answers: SettledAnswers,
    field: FieldNode,
    ids: Iterable[uuid.UUID],
    values: Iterable[T],
    convert: Callable[[T], Any],
) -> None:
    """Answer ``field`` on each node (a row type: ``source.model.id``) with ``convert`` of its
    loaded value, as its resolver would."""
    by_id: Mapping[uuid.UUID, T] = dict(zip(ids, values, strict=True))

    def answer(source: Any) -> Any:
        value = by_id.get(source.model.id, UNSETTLED)
        return value if value is UNSETTLED else convert(value)

    answers[id(field)] = answer


__all__ = ["UNSETTLED", "SettledAnswers", "node_fields", "settle", "settled"]
