"""The embedded runner: the pipeline's task functions run as asyncio tasks in this process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from domain.observability import tracing
from domain.observability.await_chain import await_chain
from domain.observability.metrics import record_enqueued
from domain.ports.queue import TaskFunction

log = logging.getLogger(__name__)

#: How long ``EmbeddedQueue.stop`` waits for cancelled tasks to end.
STOP_GRACE_SECONDS = 15.0


class EmbeddedQueue:
    """Runs ``handlers[task](ctx, **kwargs)`` with at most ``concurrency`` tasks at once; a task
    named in ``lanes`` runs in a lane of its own instead, with that many at once."""

    def __init__(
        self,
        handlers: Mapping[str, TaskFunction],
        ctx: dict[str, Any],
        *,
        concurrency: int = 2,
        lanes: Mapping[str, int] | None = None,
    ) -> None:
        self._handlers = dict(handlers)
        self._ctx = ctx
        self._semaphore = asyncio.Semaphore(max(1, concurrency))
        self._lanes = {name: asyncio.Semaphore(max(1, n)) for name, n in (lanes or {}).items()}
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = False
        self._running = 0

    async def depth(self) -> int:
        """Tasks queued or waiting for a slot (delayed retries among them), not running."""
        return max(0, len(self._tasks) - self._running)

    async def start(self) -> None:
        self._stopped = False

    async def enqueue(
        self, task: str, *, key: str | None = None, delay_seconds: float = 0.0, **kwargs: Any
    ) -> None:
        if task not in self._handlers:
            raise KeyError(f"unknown task {task!r}")
        if self._stopped:
            return
        if key is not None and key in self._pending and not self._pending[key].done():
            return
        record_enqueued(task)
        with tracing.span(f"enqueue {task}", "producer", task=task, key=key):
            # the new task copies this context: its spans continue the caller's trace
            running = asyncio.create_task(self._run(task, key, delay_seconds, kwargs), name=task)
        self._tasks.add(running)
        running.add_done_callback(self._tasks.discard)
        if key is not None:
            self._pending[key] = running

    async def _run(
        self, task: str, key: str | None, delay_seconds: float, kwargs: dict[str, Any]
    ) -> None:
        try:
            if delay_seconds > 0:
                await asyncio.sleep(delay_seconds)
            async with self._lanes.get(task, self._semaphore):
                if key is not None:
                    self._pending.pop(key, None)
                self._running += 1
                try:
                    await self._handlers[task](self._ctx, **kwargs)
                finally:
                    self._running -= 1
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("task %s failed", task)

    async def join(self) -> None:
        """Wait until no task is pending or running (tests and the demo use this)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        """Cancel every task and wait for them, at most ``STOP_GRACE_SECONDS``: a task stuck
        where it cannot be cancelled (a thread that never returns) is logged with its stack and
        left behind rather than hang the shutdown (its lease brings its work back)."""
        self._stopped = True
        tasks = list(self._tasks)
        for running in tasks:
            running.cancel()
        if not tasks:
            return
        _, stuck = await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)
        for task in stuck:
            log.error("task %s did not stop within %gs; left behind:\n%s", task.get_name(),
                      STOP_GRACE_SECONDS, await_chain(task))  # fmt: skip
