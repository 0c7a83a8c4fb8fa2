"""Assets: brand material uploaded by users and everything the pipeline generates."""

from __future__ import annotations

import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.enums import AssetKind, AssetRole, AssetStatus
from domain.models.base import Entity, str_enum

#: Rows the per-client content-hash uniqueness applies to: READY brand assets (not generated).
BRAND_READY = text("status = 'READY' AND job_id IS NULL")


class Asset(Entity):
    """A stored file with what validation learned about it.

    Belongs to a client, optionally to a campaign and a job (generated frames, clips, renders).
    A client holds one READY brand asset (no job) per content hash: the partial unique index
    makes that a database guarantee, so two identical uploads racing cannot both be stored.
    """

    __tablename__ = "assets"
    __table_args__ = (
        Index("ix_assets_client_sha256", "client_id", "sha256"),
        Index(
            "uq_assets_brand_sha256",
            "client_id",
            "sha256",
            unique=True,
            sqlite_where=BRAND_READY,
            postgresql_where=BRAND_READY,
        ),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    client_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("clients.id", ondelete="CASCADE"), index=True, nullable=False
    )
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("campaigns.id", ondelete="SET NULL"), index=True, nullable=True
    )
    job_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True, nullable=True)
    kind: Mapped[AssetKind | None] = mapped_column(str_enum(AssetKind), nullable=True)
    role: Mapped[AssetRole | None] = mapped_column(str_enum(AssetRole), nullable=True)
    status: Mapped[AssetStatus] = mapped_column(
        str_enum(AssetStatus), default=AssetStatus.PENDING, nullable=False
    )
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    content_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    byte_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    video_codec: Mapped[str | None] = mapped_column(String(50), nullable=True)
    audio_codec: Mapped[str | None] = mapped_column(String(50), nullable=True)
    source_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    storage_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    #: SHA-256 of the nonce of the signed upload URL issued for this PENDING asset; cleared
    #: when that URL is used (single use), so a replayed or forged URL finds no match.
    upload_nonce_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    thumbnail_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_stage: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_retryable: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    #: Set on a PENDING upload/import that turned FAILED (``DUPLICATE``) because the client
    #: already had these bytes: the READY asset it duplicates.
    duplicate_of_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("assets.id", ondelete="SET NULL"), index=True, nullable=True
    )

    def clear_error(self) -> None:
        """Forget the last failure (the asset is READY after all)."""
        self.error_code = self.error_stage = self.error_message = None
        self.error_retryable = False
