"""The three ways in: a synchronous upload, a PENDING asset filled by a signed PUT, or by an
import from a URL.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterable

import anyio
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.assets.limits import too_large
from domain.enums import AssetKind, AssetRole, AssetStatus
from domain.errors import DomainError, Invalid, InvalidState, NotFound
from domain.models import Asset
from domain.security.signing import new_nonce
from domain.services.assets.deps import AssetDeps, Ingested
from domain.services.assets.failures import (
    asset_identity,
    mark_duplicate,
    mark_failed,
    record_failure,
)
from domain.services.assets.ownership import clean_filename, resolve_owner
from domain.services.assets.retries import RetryPolicy
from domain.services.assets.staging import inspect, stage
from domain.services.assets.storing import commit_ready, find_duplicate, store_files
from domain.services.webhooks.outbox import record_asset_webhooks

#: Placed in ``storage_key`` while a signed upload streams: claims the single use atomically.
UPLOAD_CLAIM = "upload:in-progress"


async def upload_asset(
    session: AsyncSession,
    deps: AssetDeps,
    *,
    org_id: uuid.UUID,
    client_id: uuid.UUID | None,
    campaign_id: uuid.UUID | None,
    role: AssetRole | None,
    filename: str | None,
    chunks: AsyncIterable[bytes],
) -> Ingested:
    """Ingest an upload synchronously: a READY asset (or the existing one), or an error and no row."""
    owner, campaign = await resolve_owner(session, org_id, client_id, campaign_id)
    staged = await stage(chunks, deps.work_dir, deps.limits, data=role is AssetRole.DATA)
    try:
        sniffed, info = await inspect(staged, deps)
        existing = await find_duplicate(session, org_id, owner, staged.sha256)
        if existing is not None:
            return Ingested(existing, duplicate=True)
        asset = Asset(
            id=uuid.uuid4(),
            organization_id=org_id,
            client_id=owner,
            campaign_id=campaign,
            role=role,
            filename=clean_filename(filename),
        )
        stored = await store_files(asset, staged, sniffed, info, deps)
        session.add(asset)
        await record_asset_webhooks(session, asset)
        winner = await commit_ready(
            session, deps.storage, stored, org_id=org_id, client_id=owner, sha256=staged.sha256
        )
        if winner is not None:
            return Ingested(winner, duplicate=True)
        return Ingested(asset)
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.Path(staged.path).unlink(missing_ok=True)


class UnknownNonce(Exception):
    """The upload URL's nonce is not the one issued for the asset (forged, or from an older URL)."""

    def __init__(self) -> None:
        super().__init__("this upload URL was not issued for this asset")


async def create_pending_asset(
    session: AsyncSession,
    deps: AssetDeps,
    *,
    org_id: uuid.UUID,
    client_id: uuid.UUID | None,
    campaign_id: uuid.UUID | None,
    role: AssetRole | None,
    filename: str | None = None,
    content_type: str | None = None,
    byte_size: int | None = None,
    source_url: str | None = None,
) -> Asset:
    """A PENDING asset awaiting bytes (signed upload) or a download (import); committed."""
    owner, campaign = await resolve_owner(session, org_id, client_id, campaign_id)
    if byte_size is not None:
        cap = deps.limits.max_bytes(AssetKind.DATA if role is AssetRole.DATA else None)
        if byte_size <= 0:
            raise Invalid("byteSize must be positive", ["byteSize"])
        if byte_size > cap:
            raise too_large(cap)
    asset = Asset(
        id=uuid.uuid4(),
        organization_id=org_id,
        client_id=owner,
        campaign_id=campaign,
        role=role,
        status=AssetStatus.PENDING,
        filename=clean_filename(filename),
        content_type=(content_type or "")[:100] or None,
        byte_size=byte_size,
        source_url=source_url,
    )
    session.add(asset)
    await session.commit()
    return asset


async def issue_upload_nonce(session: AsyncSession, asset: Asset) -> str:
    """A fresh nonce for the PENDING asset's signed upload URL; only its hash is stored
    (committed), and only the URL carrying it can take the upload, once."""
    nonce = new_nonce()
    asset.upload_nonce_hash = _nonce_hash(nonce)
    await session.commit()
    return nonce


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode("utf-8")).hexdigest()


async def claim_upload(session: AsyncSession, asset_id: uuid.UUID, nonce: str) -> Asset:
    """Take the single use of a signed upload URL: only one PUT ever gets a PENDING asset,
    and only with the nonce issued for it (``UnknownNonce`` otherwise)."""
    claimed = await session.execute(
        update(Asset)
        .where(
            Asset.id == asset_id,
            Asset.status == AssetStatus.PENDING,
            Asset.storage_key.is_(None),
            Asset.source_url.is_(None),
            Asset.upload_nonce_hash == _nonce_hash(nonce),
        )
        .values(storage_key=UPLOAD_CLAIM, upload_nonce_hash=None)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    if getattr(claimed, "rowcount", 0) != 1:
        current = await session.get(Asset, asset_id, populate_existing=True)
        if current is None:
            raise NotFound("asset")
        if current.status is AssetStatus.PENDING and current.storage_key is None:
            raise UnknownNonce()  # still waiting for its upload: not the nonce issued for it
        raise InvalidState("this upload URL was already used", ["uploadUrl"])
    asset = await session.get(Asset, asset_id, populate_existing=True)
    if asset is None:  # deleted in between
        raise NotFound("asset")
    return asset


async def complete_pending(
    session: AsyncSession,
    deps: AssetDeps,
    asset: Asset,
    chunks: AsyncIterable[bytes],
    *,
    stage_name: str = "UPLOAD",
    exact_size: bool = False,
    retry: RetryPolicy | None = None,
) -> Ingested:
    """Fill a PENDING asset from ``chunks``: READY; FAILED with the error (no files); or, when
    the client already has these bytes, FAILED with code ``DUPLICATE`` and ``duplicate_of_id``
    set (nothing stored), returned as ``Ingested(asset, duplicate=True, duplicate_of=existing)``.

    Domain errors are recorded on the asset and re-raised for the caller to report. With a
    ``retry`` policy a retryable error before the last attempt keeps the asset PENDING (the error
    recorded, retryable) and raises ``RetryScheduled``; on the last attempt it is FAILED with
    ``retryable`` false. The caller's transaction is committed first (it only read the asset).
    """
    declared = asset.byte_size if exact_size else None
    asset_id = asset_identity(asset)
    # End the transaction the asset was read in: no pooled connection (nor, in SQLite, a read
    # snapshot) is held while the bytes arrive and are probed, which can take minutes.
    await session.commit()
    try:
        staged = await stage(
            chunks,
            deps.work_dir,
            deps.limits,
            max_bytes=declared,
            data=asset.role is AssetRole.DATA,
        )
    except DomainError as exc:
        await record_failure(session, asset, exc, stage_name, retry)
        raise
    try:
        if declared is not None and staged.byte_size != declared:
            raise Invalid(
                f"received {staged.byte_size} bytes but {declared} were announced", ["byteSize"]
            )
        sniffed, info = await inspect(staged, deps)
        existing = await find_duplicate(
            session, asset.organization_id, asset.client_id, staged.sha256
        )
        if existing is None:
            stored = await store_files(asset, staged, sniffed, info, deps)
            await record_asset_webhooks(session, asset)
            existing = await commit_ready(
                session,
                deps.storage,
                stored,
                org_id=asset.organization_id,
                client_id=asset.client_id,
                sha256=staged.sha256,
            )
            if existing is None:
                return Ingested(asset)
        duplicate = await mark_duplicate(session, asset_id, stage_name, existing, staged, sniffed)
        return Ingested(duplicate, duplicate=True, duplicate_of=existing)
    except DomainError as exc:
        await record_failure(session, asset, exc, stage_name, retry)
        raise
    except BaseException:
        with anyio.CancelScope(shield=True):
            await session.rollback()
            await mark_failed(
                session, asset_id, "INTERNAL", stage_name, "ingestion failed", retryable=True
            )
        raise
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.Path(staged.path).unlink(missing_ok=True)


__all__ = [
    "UPLOAD_CLAIM",
    "claim_upload",
    "complete_pending",
    "create_pending_asset",
    "upload_asset",
]
