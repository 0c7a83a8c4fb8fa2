"""The task-queue port: how the API and the pipeline ask for background work.

A task is named (one of the constants below) and takes keyword arguments that are plain JSON
values (IDs as strings). Both backends call the same functions from ``tasks``: the embedded runner
as asyncio tasks in the server process, arq in worker processes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

#: Run one pipeline stage of a job: ``run_stage(job_id=str, stage=str)``.
RUN_STAGE = "run_stage"
#: Download and ingest a URL import: ``import_asset(asset_id=str, attempt=int)``.
IMPORT_ASSET = "import_asset"
#: Advance a bundle: wait for (and ask for) its renders, then zip them: ``build_bundle(bundle_id=str)``.
BUILD_BUNDLE = "build_bundle"
#: Re-queue stages whose lease expired (arq runs it as a cron job; the embedded runner loops).
SWEEP_LEASES = "sweep_leases"

#: Make one attempt of a webhook delivery: ``deliver_webhook(delivery_id=str)``.
DELIVER_WEBHOOK = "deliver_webhook"
#: Enqueue webhook deliveries that are due (arq runs it as a cron job; the embedded runner loops).
SWEEP_WEBHOOKS = "sweep_webhooks"
#: Remove stored objects no row claims after the grace period (arq cron; the embedded runner loops).
SWEEP_STORAGE = "sweep_storage"

#: A task function: ``await task(ctx, **kwargs)`` (``ctx`` holds the process's container).
TaskFunction = Callable[..., Awaitable[Any]]


class TaskQueue(Protocol):
    """Enqueue named tasks; ``key`` makes an enqueue idempotent while that task is pending."""

    async def enqueue(
        self, task: str, *, key: str | None = None, delay_seconds: float = 0.0, **kwargs: Any
    ) -> None:
        """Schedule ``task(**kwargs)``."""
        ...

    async def start(self) -> None:
        """Begin running (embedded) or connect (remote)."""
        ...

    async def stop(self) -> None:
        """Stop accepting work and release resources."""
        ...


__all__ = [
    "BUILD_BUNDLE",
    "DELIVER_WEBHOOK",
    "IMPORT_ASSET",
    "RUN_STAGE",
    "SWEEP_LEASES",
    "SWEEP_STORAGE",
    "SWEEP_WEBHOOKS",
    "TaskFunction",
    "TaskQueue",
]
