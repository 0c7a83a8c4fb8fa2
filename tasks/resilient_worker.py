"""An arq worker that rides out Redis and database outages instead of exiting.

arq's own poll loop lets a Redis connection error escape and end the process. Here every poll
that fails on a connection is followed by a pause growing from one second up to
``outage_backoff_max_seconds``, and the next poll tries again (redis-py reconnects by itself).
The database is checked once per health interval: while it is unreachable the worker takes no new
work and withdraws its health record, so ``adreel worker --check`` answers 1 until it is back.
Running tasks are left alone: a stage that fails on the outage is retried, and one whose end
could not be recorded in Redis is re-queued by the lease sweeper.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from arq.worker import Worker
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.exceptions import WatchError

from domain.errors import ServiceUnavailable
from domain.services.pipeline.backoff import backoff_delay

log = logging.getLogger("adreel.worker")

#: Errors that mean "Redis is not answering" rather than a bug. arq handles a real WATCH
#: conflict itself; a ``WatchError`` that escapes its poll is redis-py's report of a connection
#: lost while watching.
REDIS_OUTAGE = (RedisConnectionError, RedisTimeoutError, WatchError, ConnectionError, OSError)

DatabaseProbe = Callable[[dict[str, Any]], Awaitable[None]]


class ResilientWorker(Worker):
    """``arq.worker.Worker`` with reconnection back-off and truthful health."""

    def __init__(
        self,
        *args: Any,
        database_probe: DatabaseProbe | None = None,
        backoff_max_seconds: float = 30.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.database_probe = database_probe
        self.backoff_max_seconds = backoff_max_seconds
        self.failures = 0
        self.database_down = False
        self._database_checked_at = 0.0

    async def _poll_iteration(self) -> None:
        try:
            if await self._database_unavailable():
                await self._back_off("database")
                return
            await super()._poll_iteration()
        except REDIS_OUTAGE as exc:
            log.warning("Redis unreachable (%s: %s)", type(exc).__name__, exc)
            await self._back_off("Redis")
            return
        if self.failures:
            log.info("connections back after %d failed poll(s): taking work again", self.failures)
            self.failures = 0
            self._last_health_check = 0  # record health at the next poll, not an interval later

    async def _database_unavailable(self) -> bool:
        """Probe the database once per health interval (every poll while it is down)."""
        if self.database_probe is None:
            return False
        now = time.monotonic()
        if not self.database_down and now - self._database_checked_at < self.health_check_interval:
            return False
        self._database_checked_at = now
        try:
            await self.database_probe(self.ctx)
        except ServiceUnavailable as exc:
            if not self.database_down:
                log.warning("database unreachable (%s): taking no new work", exc)
            self.database_down = True
            self.allow_pick_jobs = False
            await self.pool.delete(self.health_check_key)  # `adreel worker --check` fails now
            return True
        if self.database_down:
            log.info("database reachable again")
            self.database_down = False
            self.allow_pick_jobs = True
            self._last_health_check = 0
        return False

    async def _back_off(self, what: str) -> None:
        self.failures += 1
        delay = backoff_delay(self.failures, base=1.0, cap=self.backoff_max_seconds)
        log.info("%s outage: poll %d failed, next try in %.1fs", what, self.failures, delay)
        await asyncio.sleep(delay)


__all__ = ["REDIS_OUTAGE", "DatabaseProbe", "ResilientWorker"]
