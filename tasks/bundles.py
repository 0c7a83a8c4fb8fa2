"""Background work for bundles: one step of a bundle, re-enqueued while its renders are made;
the sweep re-enqueues bundles whose task was lost."""

from __future__ import annotations

import uuid

from domain.bootstrap import Container
from domain.ports.queue import BUILD_BUNDLE
from domain.services.bundles.assembly import BundleDeps, build_step
from domain.services.bundles.liveness import stale_bundles
from tasks.context import WorkerContext


async def build_bundle(ctx: WorkerContext, *, bundle_id: str) -> None:
    """Advance the bundle (``domain.services.bundles.assembly``); wait and come back while its
    renders are still being made."""
    container = ctx["container"]
    deps = BundleDeps(container.session_factory, container.storage, container.queue, container.bus)
    delay = await build_step(deps, uuid.UUID(bundle_id), container.settings.bundle_poll_seconds)
    if delay is not None and container.queue is not None:
        await container.queue.enqueue(BUILD_BUNDLE, delay_seconds=delay, bundle_id=bundle_id)


async def requeue_stale_bundles(container: Container) -> int:
    """Enqueue a step for every bundle whose task stopped (run by the lease sweep)."""
    if container.queue is None:
        return 0
    ids = await stale_bundles(container.session_factory, container.settings.bundle_poll_seconds)
    for bundle_id in ids:
        await container.queue.enqueue(BUILD_BUNDLE, bundle_id=str(bundle_id))
    return len(ids)


__all__ = ["build_bundle", "requeue_stale_bundles"]
