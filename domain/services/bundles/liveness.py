"""Keeping bundles moving: a heartbeat while a step works, one zipper at a time, and finding the
bundles whose task was lost (a killed worker, a restarted server) so the sweep can re-enqueue them.

Every step of a bundle's task stamps ``updated_at``; while the ZIP is written a heartbeat stamps
it every ``HEARTBEAT_SECONDS``. A bundle still RENDERING or ZIPPING whose stamp is older than
``stale_after(poll)`` has no live task: the sweep enqueues a new one. Only one step may zip: the
move to ZIPPING is a conditional update that a second step (or a re-enqueued one) loses while the
first is alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update

from domain.models import Bundle, BundleStatus
from domain.models.base import utcnow

HEARTBEAT_SECONDS = 15.0


def stale_after(poll_seconds: float) -> timedelta:
    """How old a live bundle's stamp may get: four heartbeats or ten polls, whichever is longer."""
    return timedelta(seconds=max(4 * HEARTBEAT_SECONDS, 10 * poll_seconds))


async def claim_zipping(session: Any, bundle_id: uuid.UUID, poll_seconds: float) -> bool:
    """Move the bundle to ZIPPING unless another live step already zips it (the caller commits)."""
    now = utcnow()
    result = await session.execute(
        update(Bundle)
        .where(
            Bundle.id == bundle_id,
            or_(
                Bundle.status == BundleStatus.RENDERING,
                and_(
                    Bundle.status == BundleStatus.ZIPPING,
                    Bundle.updated_at < now - stale_after(poll_seconds),
                ),
            ),
        )
        .values(status=BundleStatus.ZIPPING, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


@contextlib.asynccontextmanager
async def heartbeat(session_factory: Any, bundle_id: uuid.UUID) -> AsyncIterator[None]:
    """Stamp the bundle every ``HEARTBEAT_SECONDS`` while the block runs."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            async with session_factory() as session:
                await session.execute(
                    update(Bundle).where(Bundle.id == bundle_id).values(updated_at=utcnow())
                )
                await session.commit()

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def stale_bundles(session_factory: Any, poll_seconds: float) -> list[uuid.UUID]:
    """Bundles still RENDERING or ZIPPING whose task stopped stamping them."""
    async with session_factory() as session:
        return list(
            await session.scalars(
                select(Bundle.id).where(
                    Bundle.status.in_([BundleStatus.RENDERING, BundleStatus.ZIPPING]),
                    Bundle.updated_at < utcnow() - stale_after(poll_seconds),
                )
            )
        )


__all__ = ["HEARTBEAT_SECONDS", "claim_zipping", "heartbeat", "stale_after", "stale_bundles"]
