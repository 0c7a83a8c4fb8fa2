"""``adreel storage sweep``: remove orphaned files now."""

from __future__ import annotations

import asyncio

from domain.bootstrap import build_container
from domain.settings import Settings


async def _sweep(settings: Settings, grace_seconds: float | None) -> tuple[int, int, int]:
    from tasks.storage import sweep_container

    container = await build_container(settings)
    try:
        report = await sweep_container(container, grace_seconds)
    finally:
        await container.close()
    return report.scanned, len(report.removed), report.partials


def storage_sweep(settings: Settings, grace_seconds: float | None) -> int:
    """Sweep once and print what was scanned and removed."""
    scanned, removed, partials = asyncio.run(_sweep(settings, grace_seconds))
    print(f"scanned {scanned} object(s); removed {removed} orphaned, {partials} partial write(s)")
    return 0


__all__ = ["storage_sweep"]
