"""The scale-out queue backend: tasks go to arq on Redis, ``adreel worker`` processes run them."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from arq.connections import ArqRedis, RedisSettings, create_pool

from domain.observability import tracing
from domain.observability.metrics import record_enqueued

log = logging.getLogger(__name__)

DEFAULT_QUEUE_NAME = "adreel:queue"


def webhook_queue_name(queue_name: str) -> str:
    """The arq queue of webhook deliveries beside the pipeline's ``queue_name``."""
    return f"{queue_name}:webhooks"


class ArqQueue:
    """``TaskQueue`` over arq: ``key`` becomes the arq job id, so a pending duplicate is dropped.

    A task named in ``routes`` goes to that arq queue instead of ``queue_name`` (webhook
    deliveries have a queue, and workers, of their own)."""

    def __init__(
        self,
        redis_url: str,
        queue_name: str = DEFAULT_QUEUE_NAME,
        *,
        routes: Mapping[str, str] | None = None,
    ) -> None:
        self.redis_url = redis_url
        self.queue_name = queue_name
        self.routes = dict(routes or {})
        self._pool: ArqRedis | None = None
        self._owns_pool = True

    @classmethod
    def from_pool(
        cls, pool: ArqRedis, queue_name: str, *, routes: Mapping[str, str] | None = None
    ) -> ArqQueue:
        """Share an existing arq connection (inside a worker, arq's own pool)."""
        queue = cls("", queue_name, routes=routes)
        queue._pool = pool
        queue._owns_pool = False
        return queue

    async def start(self) -> None:
        if self._pool is None:
            self._pool = await create_pool(
                RedisSettings.from_dsn(self.redis_url), default_queue_name=self.queue_name
            )

    async def enqueue(
        self, task: str, *, key: str | None = None, delay_seconds: float = 0.0, **kwargs: Any
    ) -> None:
        if self._pool is None:
            await self.start()
        assert self._pool is not None
        record_enqueued(task)
        with tracing.span(f"enqueue {task}", "producer", task=task, key=key):
            carrier = tracing.inject()
            if carrier:  # the worker continues this trace (tasks.worker unwraps it)
                kwargs[tracing.TRACE_KWARG] = carrier
            job = await self._pool.enqueue_job(
                task,
                _job_id=key,
                _queue_name=self.routes.get(task, self.queue_name),
                _defer_by=delay_seconds if delay_seconds > 0 else None,
                **kwargs,
            )
        if job is None:
            log.debug("task %s with key %s is already queued", task, key)

    async def depth(self) -> int:
        """Tasks waiting in the queue (arq's sorted set; deferred ones included)."""
        if self._pool is None:
            await self.start()
        assert self._pool is not None
        return int(await self._pool.zcard(self.queue_name))

    async def stop(self) -> None:
        if self._pool is not None and self._owns_pool:
            await self._pool.aclose()
        self._pool = None


__all__ = ["DEFAULT_QUEUE_NAME", "ArqQueue", "webhook_queue_name"]
