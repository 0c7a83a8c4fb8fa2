"""A PENDING asset that could not be filled: FAILED with its error, a DUPLICATE, or kept
PENDING for a retry.
"""

from __future__ import annotations

import uuid

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.assets.sniff import Sniffed
from domain.enums import AssetStatus
from domain.errors import DomainError, ErrorCode, NotFound
from domain.models import Asset
from domain.services.assets.deps import Staged
from domain.services.assets.retries import RetryPolicy, RetryScheduled, is_retryable
from domain.services.assets.storing import duplicate_message
from domain.services.unit_of_work import UnitOfWork
from domain.services.webhooks.outbox import record_asset_webhooks


async def record_failure(
    session: AsyncSession,
    asset: Asset,
    error: DomainError,
    stage_name: str,
    retry: RetryPolicy | None,
) -> None:
    """FAILED, or (retryable, attempts left) PENDING with the error and ``RetryScheduled``."""
    if retry is None or not is_retryable(error):
        await fail_asset(session, asset, error, stage_name)
        return
    if retry.last:
        attempts = "attempt" if retry.max_attempts == 1 else "attempts"
        await fail_asset(
            session,
            asset,
            error,
            stage_name,
            retryable=False,
            message=f"{error.message} (gave up after {retry.max_attempts} {attempts})",
        )
        return
    delay = retry.delay()
    asset_id = asset_identity(asset)
    await session.rollback()
    await session.execute(
        update(Asset)
        .where(Asset.id == asset_id, Asset.status == AssetStatus.PENDING)
        .values(
            error_code=str(error.code)[:64],
            error_stage=stage_name[:32],
            error_message=(
                f"{error.message} (attempt {retry.attempt} of {retry.max_attempts}; "
                f"retrying in {delay:.1f}s)"
            )[:2000],
            error_retryable=True,
        )
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    raise RetryScheduled(error, delay, retry.attempt + 1) from error


async def mark_duplicate(
    session: AsyncSession,
    asset_id: uuid.UUID,
    stage_name: str,
    existing: Asset,
    staged: Staged,
    sniffed: Sniffed,
) -> Asset:
    """Turn a PENDING asset FAILED as a ``DUPLICATE`` of ``existing`` (it keeps no files)."""
    await session.execute(
        update(Asset)
        .where(Asset.id == asset_id)
        .values(
            status=AssetStatus.FAILED,
            kind=sniffed.kind,
            content_type=sniffed.content_type,
            byte_size=staged.byte_size,
            sha256=staged.sha256,
            storage_key=None,
            thumbnail_key=None,
            duplicate_of_id=existing.id,
            error_code=str(ErrorCode.DUPLICATE),
            error_stage=stage_name[:32],
            error_message=duplicate_message(str(existing.id), existing.filename),
            error_retryable=False,
        )
        .execution_options(synchronize_session=False)
    )
    duplicate = await session.get(Asset, asset_id, populate_existing=True)
    if duplicate is not None:
        await record_asset_webhooks(session, duplicate)
    await UnitOfWork.of(session).commit()
    if duplicate is None:  # deleted in between
        raise NotFound("asset")
    return duplicate


async def fail_asset(
    session: AsyncSession,
    asset: Asset,
    error: DomainError,
    stage_name: str,
    *,
    retryable: bool | None = None,
    message: str | None = None,
) -> None:
    """Record ``error`` on a PENDING asset (it becomes FAILED; it has no stored files).

    ``retryable`` and ``message`` override what the error says.
    """
    asset_id = asset_identity(asset)
    await session.rollback()
    await mark_failed(
        session,
        asset_id,
        str(error.code),
        stage_name,
        error.message if message is None else message,
        retryable=is_retryable(error) if retryable is None else retryable,
    )


def asset_identity(asset: Asset) -> uuid.UUID:
    """The key of a persistent asset without touching (possibly expired) attributes."""
    identity = sa_inspect(asset).identity
    if identity is not None:
        return uuid.UUID(str(identity[0]))
    return asset.id


async def mark_failed(
    session: AsyncSession,
    asset_id: uuid.UUID,
    code: str,
    stage_name: str,
    message: str,
    *,
    retryable: bool,
) -> None:
    """Turn an asset FAILED with the error given (its files are gone or never stored)."""
    await session.execute(
        update(Asset)
        .where(Asset.id == asset_id)
        .values(
            status=AssetStatus.FAILED,
            storage_key=None,
            thumbnail_key=None,
            error_code=code[:64],
            error_stage=stage_name[:32],
            error_message=message[:2000],
            error_retryable=retryable,
        )
        .execution_options(synchronize_session=False)
    )
    failed = await session.get(Asset, asset_id, populate_existing=True)
    if failed is not None:
        await record_asset_webhooks(session, failed)
    await UnitOfWork.of(session).commit()


__all__ = ["asset_identity", "fail_asset", "mark_duplicate", "mark_failed", "record_failure"]
