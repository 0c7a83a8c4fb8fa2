"""Builds what the asset service needs from settings: the media inspector (the FFmpeg engine's
hardened probe and thumbnails), limits, scratch space and the SSRF-safe URL fetcher."""

from __future__ import annotations

from domain.adapters.fetch import FetchConfig, UrlFetcher
from domain.ports.storage import Storage
from domain.services.assets import AssetDeps, limits_from_settings
from domain.settings import Settings


def build_asset_deps(settings: Settings, storage: Storage) -> AssetDeps:
    """The ingestion dependencies for these settings, storing into ``storage``."""
    from domain.adapters.media_inspector import FfmpegInspector

    return AssetDeps(
        storage=storage,
        inspector=FfmpegInspector(settings),
        limits=limits_from_settings(settings),
        work_dir=settings.data_dir / "tmp" / "ingest",
    )


def build_fetcher(settings: Settings) -> UrlFetcher:
    """The SSRF-safe fetcher configured by ``ADREEL_FETCH_*``."""
    return UrlFetcher(
        FetchConfig(
            allowed_ports=frozenset(settings.fetch_allowed_ports),
            timeout_seconds=settings.fetch_timeout_seconds,
            allowed_networks=tuple(settings.fetch_allowed_networks),
        )
    )


__all__ = ["build_asset_deps", "build_fetcher"]
