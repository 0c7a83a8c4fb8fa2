"""The arq worker: ``adreel worker`` runs the pipeline's task functions from Redis.

Each worker process builds one Container (engine, storage, bus) at start-up, enqueues follow-up
stages through arq's own connection, and runs the lease sweeper as an arq cron job (a unique cron
job: one worker sweeps at a time). arq re-runs a job killed with its worker only after the
longest job timeout; the lease sweeper is what bounds the delay (``ADREEL_LEASE_SECONDS``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar

from arq.connections import RedisSettings
from arq.cron import CronJob, cron
from arq.worker import Function, async_check_health, func

from domain.adapters.db import ping
from domain.adapters.queue.arq import DEFAULT_QUEUE_NAME, ArqQueue
from domain.bootstrap import build_container
from domain.ports.queue import DELIVER_WEBHOOK, SWEEP_LEASES, SWEEP_STORAGE, SWEEP_WEBHOOKS
from domain.settings import Settings
from tasks.registry import task_functions
from tasks.resilient_worker import ResilientWorker

log = logging.getLogger(__name__)


async def startup(ctx: dict[str, Any]) -> None:
    """Build this worker's container into arq's ``ctx`` (making it a ``WorkerContext``);
    follow-up tasks go through arq's own Redis pool."""
    settings: Settings = ctx.get("settings") or Settings()
    container = await build_container(
        settings,
        queue=ArqQueue.from_pool(ctx["redis"], settings.queue_name),
        owner_kind="worker",
    )
    await container.start()
    ctx["container"] = container
    log.info("worker %s ready on queue %s", container.lease_owner, settings.queue_name)


async def shutdown(ctx: dict[str, Any]) -> None:
    """Release the container's connections."""
    container = ctx.get("container")
    if container is not None:
        await container.close()


async def probe_database(ctx: dict[str, Any]) -> None:
    """``ServiceUnavailable`` unless this worker's database answers."""
    container = ctx.get("container")
    if container is not None:
        await ping(container.engine)


def _timeout(settings: Settings, name: str) -> float:
    """A webhook attempt is bounded by its own short deadline; other tasks by the stage one."""
    if name == DELIVER_WEBHOOK:
        return settings.webhook_timeout_seconds + 30.0
    return settings.stage_timeout_seconds


def functions(settings: Settings) -> list[Function]:
    """Every registered task as an arq function (timeouts from the settings)."""
    return [
        func(function, name=name, timeout=_timeout(settings, name), max_tries=5)  # type: ignore[arg-type]
        for name, function in task_functions().items()
    ]


def sweep_cron(settings: Settings) -> CronJob:
    """The lease sweeper, every ``sweep_interval_seconds`` (whole seconds, at least 1)."""
    from tasks.pipeline import sweep_leases

    every = max(1, min(60, round(settings.sweep_interval_seconds)))
    return cron(
        sweep_leases,  # type: ignore[arg-type]
        name=f"{SWEEP_LEASES}:{settings.queue_name}",
        second=set(range(0, 60, every)),
        run_at_startup=True,
        unique=True,
        timeout=max(30.0, settings.lease_seconds),
        keep_result=0,
    )


def webhook_sweep_cron(settings: Settings) -> CronJob:
    """The webhook sweep (due deliveries), as often as the lease sweeper."""
    from tasks.webhooks import sweep_webhooks

    every = max(1, min(60, round(settings.sweep_interval_seconds)))
    return cron(
        sweep_webhooks,  # type: ignore[arg-type]
        name=f"{SWEEP_WEBHOOKS}:{settings.queue_name}",
        second=set(range(0, 60, every)),
        run_at_startup=True,
        unique=True,
        timeout=60.0,
        keep_result=0,
    )


def storage_sweep_cron(settings: Settings) -> CronJob:
    """The orphaned-file sweep, every ``storage_sweep_interval_seconds`` (at most hourly)."""
    from tasks.storage import sweep_storage

    minutes = max(1, min(60, round(settings.storage_sweep_interval_seconds / 60)))
    return cron(
        sweep_storage,  # type: ignore[arg-type]
        name=f"{SWEEP_STORAGE}:{settings.queue_name}",
        minute=set(range(0, 60, minutes)),
        second=0,
        run_at_startup=True,
        unique=True,
        timeout=3600.0,
        keep_result=0,
    )


class WorkerSettings:
    """Defaults for arq; ``worker_options`` fills in what comes from ``ADREEL_*`` settings."""

    functions: ClassVar[list[Function]] = []
    on_startup = startup
    on_shutdown = shutdown
    keep_result = 0  # job ids (our dedupe keys) are free again as soon as a task ends
    max_tries = 5
    queue_name = DEFAULT_QUEUE_NAME
    job_timeout = 3600
    health_check_interval = 10


def worker_options(settings: Settings) -> dict[str, Any]:
    """The arq ``Worker`` arguments for these settings."""
    if not settings.redis_url:
        raise SystemExit("adreel worker needs ADREEL_REDIS_URL (the embedded server runs its own)")
    return {
        "functions": functions(settings),
        "cron_jobs": [
            sweep_cron(settings),
            webhook_sweep_cron(settings),
            storage_sweep_cron(settings),
        ],
        "redis_settings": _redis_settings(settings.redis_url),
        "queue_name": settings.queue_name,
        "max_jobs": settings.worker_max_jobs,
        "job_timeout": settings.stage_timeout_seconds,
        "health_check_interval": settings.worker_health_seconds,
        "ctx": {"settings": settings},
        "database_probe": probe_database,
        "backoff_max_seconds": settings.outage_backoff_max_seconds,
    }


def _redis_settings(url: str) -> RedisSettings:
    """A worker started while Redis is down waits for it (a try every 2 s) rather than exit."""
    redis = RedisSettings.from_dsn(url)
    redis.conn_retries = 1_000_000
    redis.conn_retry_delay = 2
    return redis


def check_health(settings: Settings) -> int:
    """0 when a worker on this queue recorded its health recently (arq's health key), else 1."""
    if not settings.redis_url:
        raise SystemExit("adreel worker needs ADREEL_REDIS_URL")
    return asyncio.run(
        async_check_health(
            RedisSettings.from_dsn(settings.redis_url), queue_name=settings.queue_name
        )
    )


def run_worker(settings: Settings) -> None:
    """Run a worker until SIGINT/SIGTERM (running tasks are cancelled and re-queued by arq);
    Redis and database outages are ridden out (see ``tasks.resilient_worker``)."""
    options = {**_defaults(), **worker_options(settings)}
    ResilientWorker(**options).run()


def _defaults() -> dict[str, Any]:
    return {
        "on_startup": WorkerSettings.on_startup,
        "on_shutdown": WorkerSettings.on_shutdown,
        "keep_result": WorkerSettings.keep_result,
        "max_tries": WorkerSettings.max_tries,
    }


__all__ = ["WorkerSettings", "check_health", "run_worker", "shutdown", "startup", "worker_options"]
