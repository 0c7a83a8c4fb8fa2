"""One unit of work: a transaction on a session, and what must happen only once it commits.

Use cases change rows in a session and register *after-commit hooks* on the session's unit of
work (``record_job_event`` registers the event's publication, ``request_stage`` the stage's
dispatch). The caller that owns the transaction opens the unit of work with the adapters the
hooks need and ends it: ``commit()`` commits and then runs the hooks in the order they were
registered; ``rollback()`` (or a failed commit) drops them, so nothing is announced that did not
happen. No caller pairs a commit with a publish or a dispatch by hand::

    async with UnitOfWork(session, bus=bus, queue=queue) as uow:
        await jobs.retry_job(uow.session, org_id, job_id)
    # committed; the job's events are published and its stage is enqueued
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Hashable
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession

from domain.ports.bus import Publisher
from domain.ports.queue import TaskQueue

log = logging.getLogger(__name__)

_KEY = "adreel.unit_of_work"


#: Work to do once the transaction committed; it is given the unit of work (for its adapters).
Hook = Callable[["UnitOfWork"], Awaitable[None]]


class UnitOfWork:
    """A session's transaction with after-commit hooks and the adapters they use.

    Creating one attaches it to ``session`` (taking over hooks registered before, e.g. by a use
    case run before the caller opened it); ``UnitOfWork.of(session)`` finds it from inside a
    use case. ``bus`` and ``queue`` may be ``None``: events then stay in the database (replay
    serves them) and requested stages are left to the sweeper.
    """

    def __init__(
        self,
        session: AsyncSession,
        *,
        bus: Publisher | None = None,
        queue: TaskQueue | None = None,
    ) -> None:
        self.session = session
        self.bus = bus
        self.queue = queue
        previous: UnitOfWork | None = session.info.get(_KEY)
        self._hooks: list[Hook] = previous._hooks if previous is not None else []
        self._keys: set[Hashable] = previous._keys if previous is not None else set()
        session.info[_KEY] = self

    @classmethod
    def of(cls, session: AsyncSession) -> UnitOfWork:
        """The unit of work ``session`` belongs to (a bare one, without adapters, if none)."""
        current: UnitOfWork | None = session.info.get(_KEY)
        return current if current is not None else cls(session)

    def after_commit(self, hook: Hook, *, key: Hashable | None = None) -> None:
        """Run ``hook`` once the transaction commits; a second hook with the same ``key`` is
        ignored until then (e.g. one dispatch per requested stage)."""
        if key is not None:
            if key in self._keys:
                return
            self._keys.add(key)
        self._hooks.append(hook)

    @property
    def pending(self) -> int:
        """How many hooks wait for the commit."""
        return len(self._hooks)

    def _take(self) -> list[Hook]:
        hooks = list(self._hooks)
        self._hooks.clear()
        self._keys.clear()
        return hooks

    async def commit(self) -> None:
        """Commit, then run the hooks in order (a failing hook is logged; the rest still run).

        A failed commit rolls back and drops the hooks before the error propagates.
        """
        try:
            await self.session.commit()
        except BaseException:
            await self.rollback()
            raise
        for hook in self._take():
            try:
                await hook(self)
            except Exception:  # the change is durable; whatever the hook announces is recoverable
                log.warning("an after-commit hook failed", exc_info=True)

    async def rollback(self) -> None:
        """Roll back and forget the hooks."""
        self._take()
        await self.session.rollback()

    def discard(self) -> None:
        """Forget the hooks without touching the session (it is being thrown away)."""
        self._take()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            await self.commit()
        else:
            await self.rollback()


__all__ = ["Hook", "UnitOfWork"]
