"""Builds what the asset service needs from the process container: the media inspector (the
FFmpeg engine's hardened probe and thumbnails), limits, scratch space and the URL fetcher."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.adapters.fetch import FetchConfig, UrlFetcher
from domain.services.assets import AssetDeps, limits_from_settings

if TYPE_CHECKING:
    from domain.bootstrap import Container


def asset_deps(container: Container) -> AssetDeps:
    """The ingestion dependencies of this process (built once, kept on the container)."""
    deps = container.extras.get("asset_deps")
    if isinstance(deps, AssetDeps):
        return deps
    from domain.adapters.media_inspector import FfmpegInspector

    settings = container.settings
    deps = AssetDeps(
        storage=container.storage,
        inspector=FfmpegInspector(settings),
        limits=limits_from_settings(settings),
        work_dir=settings.data_dir / "tmp" / "ingest",
    )
    container.extras["asset_deps"] = deps
    return deps


def url_fetcher(container: Container) -> UrlFetcher:
    """The SSRF-safe fetcher configured by ``ADREEL_FETCH_*`` (tests may place their own)."""
    fetcher = container.extras.get("url_fetcher")
    if isinstance(fetcher, UrlFetcher):
        return fetcher
    settings = container.settings
    fetcher = UrlFetcher(
        FetchConfig(
            allowed_ports=frozenset(settings.fetch_allowed_ports),
            timeout_seconds=settings.fetch_timeout_seconds,
        )
    )
    container.extras["url_fetcher"] = fetcher
    return fetcher


__all__ = ["asset_deps", "url_fetcher"]
