"""How every mutation runs: one transaction, user errors for expected failures, events after commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.services.events import commit_and_publish, discard_pending
from resolvers.context import Context

T = TypeVar("T")


async def in_transaction(ctx: Context, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in the operation's session and commit (publishing its events).

    A ``DomainError`` rolls everything back and propagates for the resolver to turn into
    ``userErrors``; nothing is half-written.
    """
    session = ctx.session
    try:
        result = await work(session)
        await commit_and_publish(session, ctx.container.bus)
        return result
    except DomainError:
        await session.rollback()
        discard_pending(session)
        raise
    except BaseException:
        await session.rollback()
        discard_pending(session)
        raise
