"""The arq worker: ``adreel worker`` runs the pipeline's task functions from Redis.

Two lanes, each an arq queue with its own worker: the pipeline (stages, imports, bundles; at most
``ADREEL_WORKER_MAX_JOBS`` at once) on ``ADREEL_QUEUE_NAME``, and webhook deliveries (at most
``ADREEL_WEBHOOK_CONCURRENCY`` at once, each within its short deadline) on
``<queue>:webhooks``, so an endpoint that hangs never holds a stage's slot. ``adreel worker``
runs both lanes in one process; ``--queue pipeline`` or ``--queue webhooks`` runs one.

Each lane builds one Container (engine, storage, bus) at start-up, enqueues follow-up tasks
through arq's own connection, and runs its sweep as an arq cron job (a unique cron job: one
worker sweeps at a time): the lease sweeper on the pipeline lane, the due deliveries on the
webhook lane. arq re-runs a job killed with its worker only after the longest job timeout; the
lease sweeper is what bounds the delay (``ADREEL_LEASE_SECONDS``).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import signal
from typing import Any, ClassVar, Literal

from arq.connections import RedisSettings
from arq.cron import CronJob, cron
from arq.worker import Function, async_check_health, func, get_kwargs

from domain.adapters.db import ping
from domain.adapters.queue.arq import DEFAULT_QUEUE_NAME, ArqQueue, webhook_queue_name
from domain.bootstrap import build_container, queue_routes
from domain.observability import tracing
from domain.observability.exposition import multiprocess_dir
from domain.observability.listener import start_listener
from domain.ports.queue import (
    DELIVER_WEBHOOK,
    SWEEP_LEASES,
    SWEEP_STORAGE,
    SWEEP_WEBHOOKS,
    TaskFunction,
)
from domain.settings import Settings
from tasks.registry import task_functions
from tasks.resilient_worker import ResilientWorker

log = logging.getLogger(__name__)

#: What ``adreel worker --queue`` runs.
Lane = Literal["all", "pipeline", "webhooks"]
LANES: tuple[Lane, ...] = ("all", "pipeline", "webhooks")


async def startup(ctx: dict[str, Any]) -> None:
    """Build this worker's container into arq's ``ctx`` (making it a ``WorkerContext``);
    follow-up tasks go through arq's own Redis pool."""
    settings: Settings = ctx.get("settings") or Settings()
    container = await build_container(
        settings,
        queue=ArqQueue.from_pool(ctx["redis"], settings.queue_name, routes=queue_routes(settings)),
        owner_kind="worker",
    )
    await container.start()
    ctx["container"] = container
    log.info("worker %s ready", container.lease_owner)


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


def traced(function: TaskFunction) -> TaskFunction:
    """``function`` continuing the trace its enqueuer sent along (``tracing.TRACE_KWARG``)."""

    @functools.wraps(function)
    async def run(ctx: dict[str, Any], **kwargs: Any) -> Any:
        carrier = kwargs.pop(tracing.TRACE_KWARG, None)
        with tracing.continued(carrier if isinstance(carrier, dict) else None):
            return await function(ctx, **kwargs)

    return run


def _timeout(settings: Settings, name: str) -> float:
    """A delivery task (an endpoint's turn: at most two attempt deadlines) by the webhook
    deadline; other tasks by the stage one."""
    if name == DELIVER_WEBHOOK:
        return 2 * settings.webhook_timeout_seconds + 30.0
    return settings.stage_timeout_seconds


def functions(settings: Settings, *, webhooks: bool = False) -> list[Function]:
    """The lane's registered tasks as arq functions (timeouts from the settings): webhook
    deliveries alone, or every other task."""
    return [
        func(traced(function), name=name, timeout=_timeout(settings, name), max_tries=5)  # type: ignore[arg-type]
        for name, function in task_functions().items()
        if (name == DELIVER_WEBHOOK) is webhooks
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
        name=f"{SWEEP_WEBHOOKS}:{webhook_queue_name(settings.queue_name)}",
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


def _redis(settings: Settings) -> RedisSettings:
    """Redis for a worker; one started while Redis is down waits for it (a try every 2 s)."""
    if not settings.redis_url:
        raise SystemExit("adreel worker needs ADREEL_REDIS_URL (the embedded server runs its own)")
    redis = RedisSettings.from_dsn(settings.redis_url)
    redis.conn_retries = 1_000_000
    redis.conn_retry_delay = 2
    return redis


def _resilience(settings: Settings) -> dict[str, Any]:
    """How a lane rides out outages (``tasks.resilient_worker``) and reports its health."""
    return {
        "health_check_interval": settings.worker_health_seconds,
        "database_probe": probe_database,
        "backoff_max_seconds": settings.outage_backoff_max_seconds,
    }


def worker_options(settings: Settings) -> dict[str, Any]:
    """The arq ``Worker`` arguments of the pipeline lane for these settings."""
    return {
        "functions": functions(settings),
        "cron_jobs": [sweep_cron(settings), storage_sweep_cron(settings)],
        "redis_settings": _redis(settings),
        "queue_name": settings.queue_name,
        "max_jobs": settings.worker_max_jobs,
        "job_timeout": settings.stage_timeout_seconds,
        "ctx": {"settings": settings},
        **_resilience(settings),
    }


def webhook_worker_options(settings: Settings) -> dict[str, Any]:
    """The arq ``Worker`` arguments of the webhook lane: deliveries only, many at once, each
    bounded by the attempt's deadline."""
    return {
        "functions": functions(settings, webhooks=True),
        "cron_jobs": [webhook_sweep_cron(settings)],
        "redis_settings": _redis(settings),
        "queue_name": webhook_queue_name(settings.queue_name),
        "max_jobs": settings.webhook_concurrency,
        "job_timeout": _timeout(settings, DELIVER_WEBHOOK),
        "ctx": {"settings": settings},
        **_resilience(settings),
    }


def lane_options(settings: Settings, lane: Lane) -> list[dict[str, Any]]:
    """The arq ``Worker`` arguments of every lane ``lane`` stands for."""
    options = []
    if lane in ("all", "pipeline"):
        options.append(worker_options(settings))
    if lane in ("all", "webhooks"):
        options.append(webhook_worker_options(settings))
    return options


def check_health(settings: Settings, lane: Lane = "all") -> int:
    """0 when a worker of each lane recorded its health recently (arq's health key), else 1."""
    if not settings.redis_url:
        raise SystemExit("adreel worker needs ADREEL_REDIS_URL")
    redis = RedisSettings.from_dsn(settings.redis_url)  # a few tries, not a worker's patience

    async def check() -> int:
        for options in lane_options(settings, lane):
            if await async_check_health(redis, queue_name=options["queue_name"]):
                return 1
        return 0

    return asyncio.run(check())


async def run_lanes(settings: Settings, lane: Lane) -> None:
    """Run the lanes' workers in this event loop until SIGINT/SIGTERM or one of them stops
    (running tasks are cancelled and re-queued by arq); Redis and database outages are ridden
    out (see ``tasks.resilient_worker``)."""
    workers = [
        ResilientWorker(**{**get_kwargs(WorkerSettings), **options, "handle_signals": False})  # type: ignore[arg-type]
        for options in lane_options(settings, lane)
    ]
    listener = None
    if settings.metrics_port:  # one metrics listener for the process, whatever the lanes
        listener = start_listener(settings.metrics_host, settings.metrics_port)
        log.info("worker metrics on %s:%d", settings.metrics_host, listener.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    runs = [asyncio.create_task(w.async_run(), name=f"arq:{w.queue_name}") for w in workers]
    stopped = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([*runs, stopped], return_when=asyncio.FIRST_COMPLETED)
    finally:
        for worker in workers:
            await worker.close()
        stopped.cancel()
        await asyncio.gather(*runs, stopped, return_exceptions=True)
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        if listener is not None:
            listener.close()
        if multiprocess_dir() is not None:
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def run_worker(settings: Settings, lane: Lane = "all") -> None:
    """Run the lanes until SIGINT/SIGTERM."""
    tracing.setup(settings, "adreel-worker")
    asyncio.run(run_lanes(settings, lane))


__all__ = [
    "LANES",
    "WorkerSettings",
    "check_health",
    "lane_options",
    "run_lanes",
    "run_worker",
    "shutdown",
    "startup",
    "webhook_worker_options",
    "worker_options",
]
