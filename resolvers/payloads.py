"""How a mutation answers an expected failure: its payload with ``userErrors``, nothing else."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, Protocol, TypeVar

import strawberry

from domain.errors import DomainError
from resolvers.context import context_of
from schema.errors import UserError, user_errors

P = ParamSpec("P")
R_co = TypeVar("R_co", covariant=True)
R = TypeVar("R")


class PayloadType(Protocol[R_co]):
    """A payload class: built with only ``user_errors`` when the operation failed."""

    def __call__(self, *, user_errors: list[UserError]) -> R_co: ...


def user_errors_as(
    payload: PayloadType[R], *, rollback: bool = False
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Coroutine[Any, Any, R]]]:
    """Decorate a resolver so a ``DomainError`` it raises becomes ``payload(user_errors=...)``.

    The resolver's body is the success path and returns its payload. ``rollback=True`` first
    rolls the operation's session back, for resolvers whose services write without
    ``in_transaction`` (which rolls back itself).
    """

    def decorate(resolver: Callable[P, Awaitable[R]]) -> Callable[P, Coroutine[Any, Any, R]]:
        @functools.wraps(resolver)
        async def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return await resolver(*args, **kwargs)
            except DomainError as exc:
                if rollback:
                    await context_of(_info(args, kwargs)).session.rollback()
                return payload(user_errors=user_errors(exc))

        return run

    return decorate


def _info(args: tuple[object, ...], kwargs: dict[str, object]) -> strawberry.Info:
    """The resolver's ``info`` argument, however Strawberry passed it."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, strawberry.Info):
            return value
    raise TypeError("a resolver with rollback=True must take `info: strawberry.Info`")


__all__ = ["PayloadType", "user_errors_as"]
