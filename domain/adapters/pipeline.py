"""Builds what the pipeline stages need from the process container: the FFmpeg media engine,
the built-in providers (planner, image, video) and the price table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.rules.pricing import BUILTIN
from domain.services.jobs import price_table
from domain.services.pipeline.context import PipelineDeps
from domain.services.pipeline.lease import new_owner_id
from domain.services.pipeline.providers import ProviderRegistry

if TYPE_CHECKING:
    from domain.bootstrap import Container


def pipeline_deps(container: Container) -> PipelineDeps:
    """The stage dependencies of this process (built once, kept on the container).

    ``container.extras["providers"]`` may hold a ``ProviderRegistry`` to use instead of the
    built-in one (hosted providers, or priced fakes in tests).
    """
    deps = container.extras.get("pipeline")
    if isinstance(deps, PipelineDeps):
        deps.queue = container.queue
        return deps
    from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
    from domain.adapters.providers.builtin_image import BuiltinImageProvider
    from domain.adapters.providers.builtin_planner import OfflinePlanner
    from domain.adapters.providers.builtin_video import BuiltinVideoProvider

    settings = container.settings
    engine = FfmpegMediaEngine(
        settings.ffmpeg,
        timeout=settings.stage_timeout_seconds,
        max_pixels=settings.asset_max_pixels,
    )
    providers = container.extras.get("providers")
    if not isinstance(providers, ProviderRegistry):
        from domain.adapters.assets import url_fetcher
        from domain.adapters.providers.hosted import hosted_providers

        prices = price_table(settings.provider_prices)
        hosted = hosted_providers(settings, prices, url_fetcher(container))
        providers = ProviderRegistry(
            planner={BUILTIN: OfflinePlanner(), **hosted.planner},
            image={
                BUILTIN: BuiltinImageProvider(max_pixels=settings.asset_max_pixels),
                **hosted.image,
            },
            video={BUILTIN: BuiltinVideoProvider(engine), **hosted.video},
            prices=prices,
        )
    deps = PipelineDeps(
        settings=settings,
        session_factory=container.session_factory,
        storage=container.storage,
        bus=container.bus,
        queue=container.queue,
        media=engine,
        providers=providers,
    )
    container.extras["pipeline"] = deps
    return deps


def lease_owner_base(container: Container, kind: str = "embedded") -> str:
    """This process's lease-owner name (each stage run adds a suffix)."""
    owner = container.extras.get("lease_owner")
    if isinstance(owner, str):
        return owner
    owner = new_owner_id(kind)
    container.extras["lease_owner"] = owner
    return owner


__all__ = ["lease_owner_base", "pipeline_deps"]
