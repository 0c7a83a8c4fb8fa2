"""State kept on a graphql-core schema object: made once, shared by every execution of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from graphql import GraphQLSchema

S = TypeVar("S")


def schema_state(schema: GraphQLSchema, key: str, kind: type[S], make: Callable[[], S]) -> S:
    """The ``kind`` object kept under ``key`` on ``schema``; ``make()`` builds it the first time."""
    found = schema.extensions.get(key)
    if isinstance(found, kind):
        return found
    made = schema.extensions[key] = make()
    return made


__all__ = ["schema_state"]
