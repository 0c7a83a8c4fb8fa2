"""Asset use cases: one ingestion path behind the three ways in (multipart upload, signed PUT,
import from URL), plus lookup, listing and deletion, always scoped to one organization.

Ingestion order: stream to a local scratch file (byte cap enforced while streaming, SHA-256 on
the way) -> type by magic bytes -> hardened probe -> limits -> per-client dedupe by SHA-256 ->
thumbnail -> store -> READY. A failure leaves no stored file, and no row for the synchronous
upload (the PUT and import ways keep their PENDING row and turn it FAILED with a code).

Dedupe: the synchronous upload returns the client's existing asset; a PENDING asset (signed PUT,
import) turns FAILED with code ``DUPLICATE`` and ``duplicate_of_id`` pointing at the existing one,
so its ID keeps resolving. A partial unique index (one READY brand asset per client and hash)
makes this hold under concurrency: the loser of a race removes what it stored and dedupes.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import anyio
from sqlalchemy import Select, exists, func, or_, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.assets.keys import original_key, thumbnail_key
from domain.assets.limits import AssetLimits, check_media, check_size, too_large
from domain.assets.sniff import SNIFF_BYTES, Sniffed, sniff
from domain.enums import AssetKind, AssetRole, AssetStatus
from domain.errors import DomainError, ErrorCode, Invalid, InvalidState, NotFound
from domain.models import Asset, Campaign, Client, Job, Render, Scene
from domain.ports.queue import IMPORT_ASSET
from domain.ports.storage import ByteMeter, ObjectTooLarge, Storage
from domain.security.signing import UrlSigner, stable_expiry
from domain.services.pipeline.backoff import backoff_delay
from domain.settings import Settings

log = logging.getLogger(__name__)

#: Placed in ``storage_key`` while a signed upload streams: claims the single use atomically.
UPLOAD_CLAIM = "upload:in-progress"

#: The background task that downloads an imported asset (kwargs: ``asset_id``, ``attempt``).
IMPORT_TASK = IMPORT_ASSET

_WRITE_BUFFER = 1024 * 1024


# --- what ingestion needs -------------------------------------------------------------------


@dataclass(frozen=True)
class MediaInfo:
    """What the hardened probe learned."""

    width: int | None
    height: int | None
    duration_seconds: float | None
    video_codec: str | None
    audio_codec: str | None


class MediaInspector(Protocol):
    """The media engine as ingestion sees it (hardened probe + poster thumbnails)."""

    async def probe(self, path: Path, sniffed: Sniffed) -> MediaInfo:
        """Probe a local file whose container the sniffer decided (no network, forced demuxer)."""
        ...

    async def thumbnail(self, source: Path, sniffed: Sniffed, target: Path) -> None:
        """Write a JPEG poster of an image or video to ``target``."""
        ...


@dataclass
class AssetDeps:
    """Dependencies of the ingestion service."""

    storage: Storage
    inspector: MediaInspector
    limits: AssetLimits = field(default_factory=AssetLimits)
    work_dir: Path = Path("var/tmp/ingest")


@dataclass(frozen=True)
class Staged:
    """A fully received file in local scratch space."""

    path: Path
    byte_size: int
    sha256: str
    sniffed: Sniffed


@dataclass(frozen=True)
class Ingested:
    """The outcome of an ingestion.

    ``duplicate``: the client already had these bytes. For the synchronous upload ``asset`` is
    then the existing asset; for a PENDING asset (signed PUT, import) ``asset`` is that asset,
    now FAILED with code ``DUPLICATE``, and ``duplicate_of`` the existing one.
    """

    asset: Asset
    duplicate: bool = False
    duplicate_of: Asset | None = None


@dataclass(frozen=True)
class RetryPolicy:
    """How a background ingestion (URL import) retries a retryable failure.

    ``attempt`` is the current attempt (1-based). Before the last attempt a retryable error keeps
    the asset PENDING and schedules the next attempt after a jittered exponential back-off; on the
    last one the asset turns FAILED with ``retryable`` false.
    """

    attempt: int
    max_attempts: int
    base_seconds: float = 2.0
    cap_seconds: float = 60.0

    def delay(self) -> float:
        """Seconds to wait before the next attempt."""
        return backoff_delay(self.attempt, base=self.base_seconds, cap=self.cap_seconds)

    @property
    def last(self) -> bool:
        """Whether no attempt follows this one."""
        return self.attempt >= self.max_attempts


class RetryScheduled(Exception):
    """A retryable failure left the asset PENDING: the caller runs attempt ``next_attempt`` after
    ``delay_seconds`` (``error`` is what went wrong this time)."""

    def __init__(self, error: DomainError, delay_seconds: float, next_attempt: int) -> None:
        super().__init__(error.message)
        self.error = error
        self.delay_seconds = delay_seconds
        self.next_attempt = next_attempt


def is_retryable(error: DomainError) -> bool:
    """Whether trying the same thing later may succeed (timeouts, 5xx, connection resets)."""
    return bool(getattr(error, "retryable", False))


def import_task_key(asset_id: uuid.UUID | str, attempt: int = 1) -> str:
    """The queue key of an import attempt (one per attempt: a queue may refuse a reused key)."""
    return f"import:{asset_id}" if attempt <= 1 else f"import:{asset_id}:{attempt}"


def duplicate_message(existing_ref: str, filename: str | None) -> str:
    """The message of a ``DUPLICATE`` failure, naming the existing asset."""
    named = f" ({filename})" if filename else ""
    return f"the client already has these exact bytes as asset {existing_ref}{named}"


# --- ownership ------------------------------------------------------------------------------


async def resolve_owner(
    session: AsyncSession,
    org_id: uuid.UUID,
    client_id: uuid.UUID | None,
    campaign_id: uuid.UUID | None,
) -> tuple[uuid.UUID, uuid.UUID | None]:
    """The (client, campaign) an asset will belong to, checked against the organization.

    A campaign alone implies its client; a campaign of another client is ``INVALID``.
    """
    if campaign_id is not None:
        campaign = await session.scalar(
            select(Campaign).where(Campaign.id == campaign_id, Campaign.organization_id == org_id)
        )
        if campaign is None:
            raise NotFound("campaign", ["campaignId"])
        if client_id is not None and campaign.client_id != client_id:
            raise Invalid("the campaign belongs to another client", ["campaignId"])
        return campaign.client_id, campaign.id
    if client_id is None:
        raise Invalid("clientId or campaignId is required", ["clientId"])
    found = await session.scalar(
        select(Client.id).where(Client.id == client_id, Client.organization_id == org_id)
    )
    if found is None:
        raise NotFound("client", ["clientId"])
    return client_id, None


def clean_filename(filename: str | None) -> str | None:
    """A display name: the last path segment, printable, at most 255 characters."""
    if not filename:
        return None
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip()[:255]
    return name or None


# --- staging and validation -----------------------------------------------------------------


async def stage(
    chunks: AsyncIterable[bytes],
    work_dir: Path,
    limits: AssetLimits,
    *,
    max_bytes: int | None = None,
) -> Staged:
    """Stream ``chunks`` into a scratch file, deciding the type from the first bytes.

    The cap starts at the largest per-kind limit (or ``max_bytes``) and tightens to the kind's
    own limit once the type is known, so an oversize file is refused while it streams.
    """
    await anyio.Path(work_dir).mkdir(parents=True, exist_ok=True)
    path = work_dir / f"{uuid.uuid4().hex}.part"
    cap = limits.max_bytes() if max_bytes is None else min(max_bytes, limits.max_bytes())
    meter = ByteMeter(cap)
    head = bytearray()
    sniffed: Sniffed | None = None
    try:
        async with await anyio.open_file(path, "wb") as handle:
            buffer = bytearray()
            async for chunk in chunks:
                meter.feed(chunk)
                if sniffed is None:
                    head += chunk[: SNIFF_BYTES - len(head)]
                    if len(head) >= SNIFF_BYTES:
                        sniffed = sniff(bytes(head))
                        kind_cap = limits.max_bytes(sniffed.kind)
                        if meter.max_bytes is None or kind_cap < meter.max_bytes:
                            meter.max_bytes = kind_cap
                        if meter.byte_size > kind_cap:
                            raise ObjectTooLarge(kind_cap)
                buffer += chunk
                if len(buffer) >= _WRITE_BUFFER:
                    await handle.write(buffer)
                    buffer.clear()
            if buffer:
                await handle.write(buffer)
        if sniffed is None:
            sniffed = sniff(bytes(head))
        check_size(limits, sniffed.kind, meter.byte_size)
    except BaseException as exc:
        with anyio.CancelScope(shield=True):
            await anyio.Path(path).unlink(missing_ok=True)
        if isinstance(exc, ObjectTooLarge):
            raise too_large(exc.max_bytes) from exc
        raise
    return Staged(path=path, byte_size=meter.byte_size, sha256=meter.sha256, sniffed=sniffed)


async def inspect(staged: Staged, deps: AssetDeps) -> tuple[Sniffed, MediaInfo]:
    """Probe a staged file and apply the limits; returns the (possibly refined) type and info."""
    sniffed = staged.sniffed
    info = await deps.inspector.probe(staged.path, sniffed)
    if sniffed.kind is AssetKind.VIDEO and not info.video_codec and info.audio_codec:
        # An MP4/MOV container holding only sound is an audio asset.
        from domain.assets.sniff import M4A

        sniffed = M4A
        info = MediaInfo(None, None, info.duration_seconds, None, info.audio_codec)
        check_size(deps.limits, sniffed.kind, staged.byte_size)
    if sniffed.kind is AssetKind.AUDIO and not info.audio_codec:
        raise DomainError(ErrorCode.UNSUPPORTED_MEDIA, "no audio stream found", ["file"])
    if sniffed.kind is AssetKind.VIDEO and not info.video_codec:
        raise DomainError(ErrorCode.UNSUPPORTED_MEDIA, "no video stream found", ["file"])
    check_media(
        deps.limits,
        sniffed.kind,
        width=info.width,
        height=info.height,
        duration_seconds=info.duration_seconds,
    )
    return sniffed, info


async def find_duplicate(
    session: AsyncSession, org_id: uuid.UUID, client_id: uuid.UUID, sha256: str
) -> Asset | None:
    """The READY brand asset (not generated by a job) of the client with the same bytes."""
    return await session.scalar(
        select(Asset)
        .where(
            Asset.organization_id == org_id,
            Asset.client_id == client_id,
            Asset.sha256 == sha256,
            Asset.status == AssetStatus.READY,
            Asset.job_id.is_(None),
        )
        .order_by(Asset.created_at)
        .limit(1)
    )


async def _store(
    asset: Asset, staged: Staged, sniffed: Sniffed, info: MediaInfo, deps: AssetDeps
) -> list[str]:
    """Write the original and its thumbnail; fill the asset's fields; return the stored keys."""
    stored: list[str] = []
    thumb_path = staged.path.with_suffix(".thumb.jpg")
    try:
        if sniffed.kind in (AssetKind.IMAGE, AssetKind.VIDEO):
            await deps.inspector.thumbnail(staged.path, sniffed, thumb_path)
        key = original_key(asset.organization_id, asset.id, sniffed.extension)
        await deps.storage.write_file(key, staged.path, content_type=sniffed.content_type)
        stored.append(key)
        thumb: str | None = None
        if await anyio.Path(thumb_path).exists():
            thumb = thumbnail_key(asset.organization_id, asset.id)
            await deps.storage.write_file(thumb, thumb_path, content_type="image/jpeg")
            stored.append(thumb)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await _delete_quietly(deps.storage, stored)
        raise
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.Path(thumb_path).unlink(missing_ok=True)
    asset.kind = sniffed.kind
    asset.content_type = sniffed.content_type
    asset.byte_size = staged.byte_size
    asset.sha256 = staged.sha256
    asset.width, asset.height = info.width, info.height
    asset.duration_seconds = info.duration_seconds
    asset.video_codec, asset.audio_codec = info.video_codec, info.audio_codec
    asset.storage_key, asset.thumbnail_key = key, thumb
    asset.status = AssetStatus.READY
    asset.error_code = asset.error_stage = asset.error_message = None
    asset.error_retryable = False
    return stored


async def _delete_quietly(storage: Storage, keys: list[str]) -> None:
    for key in keys:
        try:
            await storage.delete(key)
        except Exception:
            log.exception("could not delete stored object %s", key)


async def _commit_ready(
    session: AsyncSession,
    storage: Storage,
    stored: list[str],
    *,
    org_id: uuid.UUID,
    client_id: uuid.UUID,
    sha256: str,
) -> Asset | None:
    """Commit an asset that just turned READY; ``None`` when it did.

    When a concurrent ingestion of the same bytes for the same client committed first, the
    unique index refuses this one: the files just stored are removed and the winner returned.
    Any other failure also removes them, and is raised.
    """
    try:
        await session.commit()
        return None
    except IntegrityError:
        with anyio.CancelScope(shield=True):
            await session.rollback()
            await _delete_quietly(storage, stored)
        winner = await find_duplicate(session, org_id, client_id, sha256)
        if winner is None:
            raise
        log.info("concurrent upload of the same bytes: keeping asset %s", winner.id)
        return winner
    except BaseException:
        with anyio.CancelScope(shield=True):
            await session.rollback()
            await _delete_quietly(storage, stored)
        raise


# --- the three ways in ----------------------------------------------------------------------


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
    staged = await stage(chunks, deps.work_dir, deps.limits)
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
        stored = await _store(asset, staged, sniffed, info, deps)
        session.add(asset)
        winner = await _commit_ready(
            session, deps.storage, stored, org_id=org_id, client_id=owner, sha256=staged.sha256
        )
        if winner is not None:
            return Ingested(winner, duplicate=True)
        return Ingested(asset)
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.Path(staged.path).unlink(missing_ok=True)


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
        if byte_size <= 0:
            raise Invalid("byteSize must be positive", ["byteSize"])
        if byte_size > deps.limits.max_bytes():
            raise too_large(deps.limits.max_bytes())
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


async def claim_upload(session: AsyncSession, asset_id: uuid.UUID) -> Asset:
    """Take the single use of a signed upload URL: only one PUT ever gets a PENDING asset."""
    claimed = await session.execute(
        update(Asset)
        .where(
            Asset.id == asset_id,
            Asset.status == AssetStatus.PENDING,
            Asset.storage_key.is_(None),
            Asset.source_url.is_(None),
        )
        .values(storage_key=UPLOAD_CLAIM)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    if getattr(claimed, "rowcount", 0) != 1:
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
    ``retryable`` false.
    """
    declared = asset.byte_size if exact_size else None
    asset_id = _identity(asset)
    try:
        staged = await stage(chunks, deps.work_dir, deps.limits, max_bytes=declared)
    except DomainError as exc:
        await _record_failure(session, asset, exc, stage_name, retry)
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
            stored = await _store(asset, staged, sniffed, info, deps)
            existing = await _commit_ready(
                session,
                deps.storage,
                stored,
                org_id=asset.organization_id,
                client_id=asset.client_id,
                sha256=staged.sha256,
            )
            if existing is None:
                return Ingested(asset)
        duplicate = await _mark_duplicate(session, asset_id, stage_name, existing, staged, sniffed)
        return Ingested(duplicate, duplicate=True, duplicate_of=existing)
    except DomainError as exc:
        await _record_failure(session, asset, exc, stage_name, retry)
        raise
    except BaseException:
        with anyio.CancelScope(shield=True):
            await session.rollback()
            await _mark_failed(
                session, asset_id, "INTERNAL", stage_name, "ingestion failed", retryable=True
            )
        raise
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.Path(staged.path).unlink(missing_ok=True)


async def _record_failure(
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
    asset_id = _identity(asset)
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


async def _mark_duplicate(
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
    await session.commit()
    duplicate = await session.get(Asset, asset_id, populate_existing=True)
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
    asset_id = _identity(asset)
    await session.rollback()
    await _mark_failed(
        session,
        asset_id,
        str(error.code),
        stage_name,
        error.message if message is None else message,
        retryable=is_retryable(error) if retryable is None else retryable,
    )


def _identity(asset: Asset) -> uuid.UUID:
    """The key of a persistent asset without touching (possibly expired) attributes."""
    identity = sa_inspect(asset).identity
    if identity is not None:
        return uuid.UUID(str(identity[0]))
    return asset.id


async def _mark_failed(
    session: AsyncSession,
    asset_id: uuid.UUID,
    code: str,
    stage_name: str,
    message: str,
    *,
    retryable: bool,
) -> None:
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
    await session.commit()


# --- serving -------------------------------------------------------------------------------


async def signed_file_url(
    storage: Storage,
    settings: Settings,
    key: str,
    content_type: str | None,
    filename: str | None,
    *,
    now: float,
) -> str:
    """A download URL for a stored object: presigned by the bucket when configured and
    available, else a signed ``/files/...`` URL on this server (stable within half its TTL)."""
    ttl = settings.file_url_ttl_seconds
    if settings.storage_presign_downloads:
        direct = await storage.presign_get(
            key, expires_in=ttl, content_type=content_type, filename=filename
        )
        if direct:
            return direct
    signer = UrlSigner(settings.secret_key)
    return signer.file_url(key, stable_expiry(now, ttl), base=settings.public_url)


async def pending_imports(session: AsyncSession) -> list[uuid.UUID]:
    """Assets still waiting for their URL download (an embedded runner that restarted lost them)."""
    rows = await session.scalars(
        select(Asset.id)
        .where(Asset.status == AssetStatus.PENDING, Asset.source_url.is_not(None))
        .order_by(Asset.created_at)
    )
    return list(rows)


def limits_from_settings(settings: Settings) -> AssetLimits:
    """The asset limits configured by ``ADREEL_ASSET_MAX_*``."""
    return AssetLimits(
        max_image_bytes=settings.asset_max_image_bytes,
        max_video_bytes=settings.asset_max_video_bytes,
        max_audio_bytes=settings.asset_max_audio_bytes,
        max_pixels=settings.asset_max_pixels,
        max_duration_seconds=settings.asset_max_duration_seconds,
    )


# --- queries and deletion -------------------------------------------------------------------


def assets_query(
    org_id: uuid.UUID,
    *,
    client_id: uuid.UUID | None = None,
    campaign_id: uuid.UUID | None = None,
    kind: AssetKind | None = None,
    role: AssetRole | None = None,
) -> Select[Asset]:
    """The organization's assets, filtered."""
    stmt = select(Asset).where(Asset.organization_id == org_id)
    if client_id is not None:
        stmt = stmt.where(Asset.client_id == client_id)
    if campaign_id is not None:
        stmt = stmt.where(Asset.campaign_id == campaign_id)
    if kind is not None:
        stmt = stmt.where(Asset.kind == kind)
    if role is not None:
        stmt = stmt.where(Asset.role == role)
    return stmt


async def get_asset(session: AsyncSession, org_id: uuid.UUID, asset_id: uuid.UUID) -> Asset:
    """An asset of the organization; another organization's asset is simply not found."""
    asset = await session.scalar(
        select(Asset).where(Asset.id == asset_id, Asset.organization_id == org_id)
    )
    if asset is None:
        raise NotFound("asset", ["assetId"])
    return asset


async def asset_in_use(session: AsyncSession, asset: Asset) -> bool:
    """Whether a job still uses the asset: as music, a job or scene asset, a scene's image/clip/
    last frame, or a render's output (generated assets carry their job in ``job_id``)."""
    if asset.job_id is not None:
        return True
    org = asset.organization_id
    direct = [
        select(exists().where(Job.organization_id == org, Job.music_asset_id == asset.id)),
        select(
            exists().where(
                Scene.organization_id == org,
                or_(
                    Scene.image_asset_id == asset.id,
                    Scene.clip_asset_id == asset.id,
                    Scene.last_frame_asset_id == asset.id,
                ),
            )
        ),
        select(exists().where(Render.asset_id == asset.id)),
    ]
    for stmt in direct:
        if await session.scalar(stmt):
            return True
    # JSON lists of IDs: compared in Python (portable across SQLite and PostgreSQL).
    target = str(asset.id)
    for ids in await session.scalars(select(Job.asset_ids).where(Job.organization_id == org)):
        if ids and target in {str(i) for i in ids}:
            return True
    for ids in await session.scalars(select(Scene.asset_ids).where(Scene.organization_id == org)):
        if ids and target in {str(i) for i in ids}:
            return True
    return False


async def delete_asset(
    session: AsyncSession, storage: Storage, org_id: uuid.UUID, asset_id: uuid.UUID
) -> uuid.UUID:
    """Delete an asset and its stored files; an asset a job still uses is ``INVALID_STATE``."""
    asset = await get_asset(session, org_id, asset_id)
    if await asset_in_use(session, asset):
        raise InvalidState("the asset is used by a job", ["assetId"])
    keys = [k for k in (asset.storage_key, asset.thumbnail_key) if k and k != UPLOAD_CLAIM]
    await session.delete(asset)
    await session.commit()
    await _delete_quietly(storage, keys)
    return asset_id


async def count_assets(session: AsyncSession, stmt: Select[Asset]) -> int:
    """Row count of an asset query."""
    return int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


__all__ = [
    "IMPORT_TASK",
    "UPLOAD_CLAIM",
    "AssetDeps",
    "Ingested",
    "MediaInfo",
    "MediaInspector",
    "RetryPolicy",
    "RetryScheduled",
    "Staged",
    "asset_in_use",
    "assets_query",
    "claim_upload",
    "clean_filename",
    "complete_pending",
    "count_assets",
    "create_pending_asset",
    "delete_asset",
    "duplicate_message",
    "fail_asset",
    "find_duplicate",
    "get_asset",
    "import_task_key",
    "inspect",
    "is_retryable",
    "limits_from_settings",
    "pending_imports",
    "resolve_owner",
    "signed_file_url",
    "stage",
    "upload_asset",
]
