"""Background work for assets: the download of an imported asset, retried with back-off."""

from __future__ import annotations

import logging
import uuid

from domain.enums import AssetStatus
from domain.errors import DomainError
from domain.models import Asset
from domain.observability.metrics import record_upload
from domain.ports.queue import IMPORT_ASSET
from domain.services.assets import (
    RetryPolicy,
    RetryScheduled,
    complete_pending,
    fail_asset,
    import_task_key,
)
from domain.services.unit_of_work import UnitOfWork
from tasks.context import WorkerContext

log = logging.getLogger(__name__)


async def import_asset(ctx: WorkerContext, *, asset_id: str, attempt: int = 1) -> None:
    """Download a PENDING asset's ``source_url`` through the SSRF-safe fetcher and ingest it.

    Idempotent: an asset that is no longer PENDING is left alone. A retryable failure (timeout,
    5xx, connection reset) is tried again after a jittered exponential back-off, at most
    ``ADREEL_ASSET_IMPORT_MAX_ATTEMPTS`` times in all; other failures, and the last attempt's,
    are recorded on the asset (FAILED with a code); nothing is stored for them.
    """
    container = ctx["container"]
    settings = container.settings
    deps = container.assets
    fetcher = container.fetcher
    policy = RetryPolicy(
        attempt=attempt,
        max_attempts=settings.asset_import_max_attempts,
        base_seconds=settings.asset_import_retry_base_seconds,
        cap_seconds=settings.asset_import_retry_max_seconds,
    )
    async with container.session_factory() as session:
        UnitOfWork(session, bus=container.bus, queue=container.queue)  # its commits run its hooks
        asset = await session.get(Asset, uuid.UUID(asset_id))
        if asset is None or asset.status != AssetStatus.PENDING or not asset.source_url:
            return
        chunks = fetcher.stream(asset.source_url, max_bytes=deps.limits.max_bytes())
        try:
            result = await complete_pending(
                session, deps, asset, chunks, stage_name="IMPORT", retry=policy
            )
            record_upload("url_import", result.asset.byte_size or 0)
        except RetryScheduled as scheduled:
            log.info(
                "import of asset %s failed (%s); attempt %d in %.1fs",
                asset_id,
                scheduled.error.code,
                scheduled.next_attempt,
                scheduled.delay_seconds,
            )
            try:
                assert container.queue is not None, "a task runs with a queue attached"
                await container.queue.enqueue(
                    IMPORT_ASSET,
                    key=import_task_key(asset_id, scheduled.next_attempt),
                    delay_seconds=scheduled.delay_seconds,
                    asset_id=asset_id,
                    attempt=scheduled.next_attempt,
                )
            except Exception:
                log.exception("could not schedule the next import attempt of %s", asset_id)
                await fail_asset(session, asset, scheduled.error, "IMPORT", retryable=False)
        except DomainError as exc:
            log.info("import of asset %s failed: %s %s", asset_id, exc.code, exc.message)
