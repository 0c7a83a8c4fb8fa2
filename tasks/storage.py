"""Background storage chores: the sweep of orphaned files."""

from __future__ import annotations

from domain.bootstrap import Container
from domain.services.storage_sweep import SweepReport
from domain.services.storage_sweep import sweep_storage as sweep_orphans
from tasks.context import WorkerContext


async def sweep_container(container: Container, grace_seconds: float | None = None) -> SweepReport:
    """Sweep this container's storage with its settings' grace period (or ``grace_seconds``)."""
    settings = container.settings
    grace = settings.storage_sweep_grace_seconds if grace_seconds is None else grace_seconds
    return await sweep_orphans(container.session_factory, container.storage, grace_seconds=grace)


async def sweep_storage(ctx: WorkerContext) -> dict[str, int]:
    """Remove objects no row claims (older than the grace period); returns how many."""
    report = await sweep_container(ctx["container"])
    return {"scanned": report.scanned, "removed": len(report.removed), "partials": report.partials}


__all__ = ["sweep_container", "sweep_storage"]
