"""How every mutation runs: one unit of work, user errors for expected failures, events and stage
runs after commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from domain.services.unit_of_work import UnitOfWork
from resolvers.context import Context

T = TypeVar("T")


async def in_transaction(ctx: Context, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in the operation's session as one unit of work and commit it; the events it
    recorded are published and the stages it requested are enqueued only after the commit.

    A ``DomainError`` (or anything else) rolls everything back and propagates for the resolver
    to turn into ``userErrors``; nothing is half-written, announced or enqueued.
    """
    async with UnitOfWork(ctx.session, bus=ctx.container.bus, queue=ctx.container.queue) as uow:
        return await work(uow.session)
