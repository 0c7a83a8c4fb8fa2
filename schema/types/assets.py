"""Assets: types, inputs and payloads."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import strawberry
from strawberry.file_uploads import Upload

from domain import models
from domain.errors import ErrorCode
from domain.services.assets import duplicate_message, signed_file_url
from schema.enums import AssetKind, AssetRole, AssetStatus
from schema.errors import UserError
from schema.ids import encode_id
from schema.types.node import Node
from schema.types.stage_error import StageError


@strawberry.type(description="A stored file: brand material or something the pipeline generated.")
class Asset(Node):
    kind: AssetKind | None
    role: AssetRole | None
    status: AssetStatus
    filename: str | None
    content_type: str | None
    byte_size: float | None = strawberry.field(description="Bytes (a Float: files pass 2^31).")
    sha256: str | None
    width: int | None
    height: int | None
    duration_seconds: float | None
    video_codec: str | None
    audio_codec: str | None
    source_url: str | None
    error: StageError | None
    created_at: datetime
    model: strawberry.Private[models.Asset]

    @classmethod
    def from_model(cls, m: models.Asset) -> Asset:
        ready = m.status == AssetStatus.READY
        message = m.error_message
        if m.error_code == ErrorCode.DUPLICATE and m.duplicate_of_id is not None:
            message = duplicate_message(encode_id("Asset", m.duplicate_of_id), None)
        return cls(
            id=encode_id("Asset", m.id),
            kind=m.kind,
            role=m.role,
            status=m.status,
            filename=m.filename,
            content_type=m.content_type,
            byte_size=float(m.byte_size) if m.byte_size is not None else None,
            sha256=m.sha256 if ready else None,
            width=m.width,
            height=m.height,
            duration_seconds=m.duration_seconds,
            video_codec=m.video_codec,
            audio_codec=m.audio_codec,
            source_url=m.source_url,
            error=StageError.of(m.error_code, m.error_stage, message, m.error_retryable),
            created_at=m.created_at,
            model=m,
        )

    @strawberry.field(
        description=(
            "The READY asset with the same bytes that this upload or import duplicated (it is "
            "then FAILED with the error code DUPLICATE and keeps no file of its own)."
        )
    )
    async def duplicate_of(self, info: strawberry.Info) -> Asset | None:
        target = self.model.duplicate_of_id
        if target is None:
            return None
        row = await info.context.loaders.by_id(models.Asset).load(target)
        return Asset.from_model(row) if row is not None else None

    @strawberry.field(description="A signed, expiring download URL (null until READY).")
    async def url(self, info: strawberry.Info) -> str | None:
        m = self.model
        if m.status != AssetStatus.READY or not m.storage_key:
            return None
        c = info.context.container
        return await signed_file_url(
            c.storage,
            c.settings,
            m.storage_key,
            m.content_type,
            m.filename,
            base=info.context.base_url,
            now=time.time(),
        )

    @strawberry.field(description="A signed, expiring URL of a JPEG poster (images and videos).")
    async def thumbnail_url(self, info: strawberry.Info) -> str | None:
        m = self.model
        if m.status != AssetStatus.READY or not m.thumbnail_key:
            return None
        c = info.context.container
        return await signed_file_url(
            c.storage,
            c.settings,
            m.thumbnail_key,
            "image/jpeg",
            None,
            base=info.context.base_url,
            now=time.time(),
        )


async def load_asset(info: strawberry.Info, asset_id: uuid.UUID | None) -> Asset | None:
    """The asset with this id (through the request's loader), or ``None``."""
    if asset_id is None:
        return None
    row = await info.context.loaders.asset().load(asset_id)
    return Asset.from_model(row) if row is not None else None


async def load_assets(info: strawberry.Info, ids: Sequence[str | uuid.UUID]) -> list[Asset]:
    """The assets with these ids, in order, skipping any that no longer exist."""
    keys = [i if isinstance(i, uuid.UUID) else uuid.UUID(i) for i in ids]
    rows = await info.context.loaders.asset().load_many(keys)
    return [Asset.from_model(r) for r in rows if r is not None]


def asset_filters(kind: Any, role: Any) -> tuple[Any, ...] | None:
    """Extra WHERE clauses for nested asset connections (``None`` when unfiltered)."""
    clauses: list[Any] = []
    if kind is not None:
        clauses.append(models.Asset.kind == AssetKind(kind))
    if role is not None:
        clauses.append(models.Asset.role == AssetRole(role))
    return tuple(clauses) or None


@strawberry.input(description="Send with a multipart request and the X-Adreel-Upload: 1 header.")
class UploadAssetInput:
    file: Upload
    client_id: strawberry.ID | None = None
    campaign_id: strawberry.ID | None = None
    role: AssetRole | None = None


@strawberry.input
class CreateAssetUploadInput:
    client_id: strawberry.ID | None = None
    campaign_id: strawberry.ID | None = None
    role: AssetRole | None = None
    filename: str | None = None
    content_type: str | None = None
    byte_size: float = strawberry.field(description="Exact size of the file that will be PUT.")


@strawberry.input
class ImportAssetFromUrlInput:
    url: str
    client_id: strawberry.ID | None = None
    campaign_id: strawberry.ID | None = None
    role: AssetRole | None = None


@strawberry.input
class DeleteAssetInput:
    asset_id: strawberry.ID


@strawberry.type
class AssetPayload:
    asset: Asset | None = None
    duplicate: bool = strawberry.field(
        default=False, description="True when the client already had these exact bytes."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateAssetUploadPayload:
    asset: Asset | None = None
    upload_url: str | None = strawberry.field(
        default=None, description="PUT the raw bytes here once, before expiresAt."
    )
    expires_at: datetime | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteAssetPayload:
    deleted_asset_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
