"""What ingestion is given (storage, inspector, limits, scratch space) and what it hands on."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from domain.assets.limits import AssetLimits
from domain.assets.sniff import Sniffed
from domain.models import Asset
from domain.ports.media import MediaInspector
from domain.ports.storage import Storage
from domain.settings import Settings


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


def limits_from_settings(settings: Settings) -> AssetLimits:
    """The asset limits configured by ``ADREEL_ASSET_MAX_*``."""
    return AssetLimits(
        max_image_bytes=settings.asset_max_image_bytes,
        max_video_bytes=settings.asset_max_video_bytes,
        max_audio_bytes=settings.asset_max_audio_bytes,
        max_pixels=settings.asset_max_pixels,
        max_duration_seconds=settings.asset_max_duration_seconds,
        max_data_bytes=settings.asset_max_data_bytes,
        max_data_rows=settings.asset_max_data_rows,
    )


__all__ = ["AssetDeps", "Ingested", "Staged", "limits_from_settings"]
