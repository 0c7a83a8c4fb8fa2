"""Moving bytes between storage and a stage's scratch directory.

Inputs are copied from storage to local files (FFmpeg reads local files only); outputs are
stored under a fresh asset's key and recorded as a READY asset of the job. A stored file that
has vanished (deleted from storage mid-job) becomes a clear ``ASSET_MISSING`` stage error.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.assets.keys import original_key
from domain.enums import AssetKind, AssetRole, AssetStatus
from domain.models import Asset, Campaign, Job
from domain.ports.storage import ObjectNotFound, Storage
from domain.services.pipeline.errors import asset_missing

log = logging.getLogger(__name__)

#: File extension of each content type the pipeline writes.
EXTENSIONS: dict[str, str] = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "audio/wav": "wav",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "application/x-subrip": "srt",
    "text/vtt": "vtt",
}


@dataclass(frozen=True, slots=True)
class Output:
    """A file a stage produced, with what the stage knows about it."""

    path: Path
    content_type: str
    kind: AssetKind | None
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    video_codec: str | None = None
    audio_codec: str | None = None


def _label(role: AssetRole) -> str:
    return role.value.lower().replace("_", "-")


async def fetch(
    session: AsyncSession,
    storage: Storage,
    org_id: uuid.UUID,
    asset_id: uuid.UUID,
    directory: Path,
    *,
    what: str = "an asset",
) -> Path:
    """Copy a READY asset of the organization into ``directory``; returns the local path."""
    asset = await session.scalar(
        select(Asset).where(Asset.id == asset_id, Asset.organization_id == org_id)
    )
    if asset is None or asset.status is not AssetStatus.READY or not asset.storage_key:
        raise asset_missing(what)
    extension = asset.storage_key.rsplit(".", 1)[-1] if "." in asset.storage_key else "bin"
    target = directory / f"{asset.id.hex}.{extension}"
    if await anyio.Path(target).exists():
        return target
    try:
        await storage.read_to_file(asset.storage_key, target)
    except ObjectNotFound:
        await anyio.Path(target).unlink(missing_ok=True)
        name = f"{what} ({asset.filename})" if asset.filename else what
        raise asset_missing(name) from None
    return target


async def fetch_optional(
    session: AsyncSession,
    storage: Storage,
    org_id: uuid.UUID,
    asset_id: uuid.UUID | None,
    directory: Path,
    *,
    what: str = "an asset",
) -> Path | None:
    """``fetch`` for an asset that may not be there (``None`` in, ``None`` out)."""
    if asset_id is None:
        return None
    return await fetch(session, storage, org_id, asset_id, directory, what=what)


async def fetch_source(
    session: AsyncSession,
    storage: Storage,
    org_id: uuid.UUID,
    source: Asset | None,
    directory: Path,
) -> Path | None:
    """A scene's source asset (its product shot, its background...), if it has one."""
    if source is None:
        return None
    role = source.role.value.lower() if source.role else "image"
    return await fetch(session, storage, org_id, source.id, directory, what=f"the {role} asset")


@dataclass(frozen=True, slots=True)
class Uploaded:
    """An output already written to storage, waiting for its asset row."""

    asset_id: uuid.UUID
    key: str
    byte_size: int
    sha256: str
    output: Output


async def upload(storage: Storage, org_id: uuid.UUID, output: Output) -> Uploaded:
    """Write ``output`` to storage under a fresh asset key (before any database write, so no
    transaction is held open during the upload)."""
    asset_id = uuid.uuid4()
    key = original_key(org_id, asset_id, EXTENSIONS.get(output.content_type, "bin"))
    written = await storage.write_file(key, output.path, content_type=output.content_type)
    return Uploaded(asset_id, key, written.byte_size, written.sha256, output)


async def add_asset(
    session: AsyncSession,
    job: Job,
    uploaded: Uploaded,
    role: AssetRole,
    *,
    filename: str | None = None,
) -> Asset:
    """Record an uploaded output as a READY asset of the job (the caller commits)."""
    client_id = await session.scalar(
        select(Campaign.client_id).where(Campaign.id == job.campaign_id)
    )
    assert client_id is not None
    output = uploaded.output
    extension = uploaded.key.rsplit(".", 1)[-1]
    asset = Asset(
        id=uploaded.asset_id,
        organization_id=job.organization_id,
        client_id=client_id,
        campaign_id=job.campaign_id,
        job_id=job.id,
        kind=output.kind,
        role=role,
        status=AssetStatus.READY,
        filename=filename or f"{_label(role)}.{extension}",
        content_type=output.content_type,
        byte_size=uploaded.byte_size,
        sha256=uploaded.sha256,
        width=output.width,
        height=output.height,
        duration_seconds=output.duration_seconds,
        video_codec=output.video_codec,
        audio_codec=output.audio_codec,
        storage_key=uploaded.key,
    )
    session.add(asset)
    return asset


async def discard(storage: Storage, uploaded: Uploaded | None) -> None:
    """Remove an upload whose asset row was never committed."""
    if uploaded is not None:
        try:
            await storage.delete(uploaded.key)
        except Exception:  # best effort: an orphaned object is harmless
            log.warning("could not remove unrecorded upload %s", uploaded.key, exc_info=True)


__all__ = ["EXTENSIONS", "Output", "Uploaded", "add_asset", "discard", "fetch", "upload"]
