"""Background work for assets: the download of an imported asset."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from domain.adapters.assets import asset_deps, url_fetcher
from domain.bootstrap import Container
from domain.enums import AssetStatus
from domain.errors import DomainError
from domain.models import Asset
from domain.services.assets import complete_pending

log = logging.getLogger(__name__)


async def import_asset(ctx: dict[str, Any], *, asset_id: str) -> None:
    """Download a PENDING asset's ``source_url`` through the SSRF-safe fetcher and ingest it.

    Idempotent: an asset that is no longer PENDING is left alone. Failures are recorded on the
    asset (FAILED with a code); nothing is stored for them.
    """
    container: Container = ctx["container"]
    deps = asset_deps(container)
    fetcher = url_fetcher(container)
    async with container.session_factory() as session:
        asset = await session.get(Asset, uuid.UUID(asset_id))
        if asset is None or asset.status != AssetStatus.PENDING or not asset.source_url:
            return
        chunks = fetcher.stream(asset.source_url, max_bytes=deps.limits.max_bytes())
        try:
            await complete_pending(session, deps, asset, chunks, stage_name="IMPORT")
        except DomainError as exc:
            log.info("import of asset %s failed: %s %s", asset_id, exc.code, exc.message)
