"""The embedded runner's chores: resume interrupted jobs and URL imports on start, sweep leases."""

from __future__ import annotations

import asyncio
import logging

from domain.bootstrap import Container
from domain.ports.queue import IMPORT_ASSET
from domain.services.assets import import_task_key, pending_imports
from domain.services.pipeline.sweeper import remove_work_dirs, resume_on_start, sweep
from domain.services.webhooks.sweep import sweep_webhooks
from tasks.bundles import requeue_stale_bundles
from tasks.storage import sweep_container

log = logging.getLogger(__name__)


def loop_time() -> float:
    """The running loop's clock."""
    return asyncio.get_running_loop().time()


#: Lease owners of embedded runners start with this (leases of an earlier run are dead).
EMBEDDED_OWNER_PREFIX = "embedded:"


async def resume_interrupted(container: Container) -> int:
    """Queue every job a previous run of this server left half-way; returns how many."""
    # scratch space of an earlier run of this server is garbage now
    await remove_work_dirs(container.settings.pipeline_work_dir)
    resumed = await resume_on_start(container.pipeline, owner_prefix=EMBEDDED_OWNER_PREFIX)
    if resumed:
        log.info("resuming %d interrupted job(s)", len(resumed))
    return len(resumed)


async def resume_imports(container: Container) -> int:
    """Queue again the URL imports a previous run of this server left PENDING; returns how many.

    The embedded runner keeps its queue in memory, so a restart forgets downloads (and their
    scheduled retries); arq keeps them in Redis and needs no help.
    """
    assert container.queue is not None, "the embedded runner is attached before it starts"
    async with container.session_factory() as session:
        asset_ids = await pending_imports(session)
    for asset_id in asset_ids:
        await container.queue.enqueue(
            IMPORT_ASSET, key=import_task_key(asset_id), asset_id=str(asset_id)
        )
    if asset_ids:
        log.info("resuming %d URL import(s)", len(asset_ids))
    return len(asset_ids)


async def sweep_forever(container: Container) -> None:
    """Sweep expired leases, bundles whose task was lost and due webhook deliveries every
    ``sweep_interval_seconds``, and orphaned files every ``storage_sweep_interval_seconds``,
    until cancelled."""
    interval = max(0.2, container.settings.sweep_interval_seconds)
    storage_due = loop_time()
    while True:
        await asyncio.sleep(interval)
        if loop_time() >= storage_due:
            storage_due = loop_time() + container.settings.storage_sweep_interval_seconds
            try:
                await sweep_container(container)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("storage sweep failed")
        try:
            await sweep(container.pipeline)
            await requeue_stale_bundles(container)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("lease sweep failed")
        try:
            await sweep_webhooks(container.webhooks)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("webhook sweep failed")


async def start(container: Container) -> asyncio.Task[None]:
    """Resume interrupted jobs, imports and webhook deliveries, then keep sweeping; cancel the
    task to stop."""
    await resume_interrupted(container)
    await resume_imports(container)
    await sweep_webhooks(container.webhooks)
    return asyncio.create_task(sweep_forever(container), name="adreel-sweeper")


async def stop(task: asyncio.Task[None] | None) -> None:
    """Stop the background sweeper."""
    if task is None:
        return
    task.cancel()
    _, stuck = await asyncio.wait([task], timeout=15.0)
    if stuck:  # a sweep inside a call that cannot be cancelled: do not hang the shutdown
        log.error("the sweeper did not stop within 15s; left behind")
    elif not task.cancelled() and task.exception() is not None:
        log.error("the sweeper ended with %r", task.exception())


__all__ = [
    "EMBEDDED_OWNER_PREFIX",
    "resume_imports",
    "resume_interrupted",
    "start",
    "stop",
    "sweep_forever",
]
