"""Builds what the pipeline stages need from settings: the FFmpeg media engine, the price table
and the provider registry (the built-in planner, image, video and voice providers plus the
hosted ones the settings enable)."""

from __future__ import annotations

from domain.adapters.fetch import UrlFetcher
from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
from domain.rules.pricing import BUILTIN, PriceTable
from domain.services.jobs import price_table
from domain.services.pipeline.providers import ProviderRegistry
from domain.settings import Settings


def build_media(settings: Settings) -> FfmpegMediaEngine:
    """The FFmpeg media engine with the stage timeout and the pixel cap of the settings."""
    return FfmpegMediaEngine(
        settings.ffmpeg,
        timeout=settings.stage_timeout_seconds,
        max_pixels=settings.asset_max_pixels,
    )


def build_prices(settings: Settings) -> PriceTable:
    """The default price table with ``ADREEL_PROVIDER_PRICES`` applied."""
    return price_table(settings.provider_prices)


def build_providers(
    settings: Settings, media: FfmpegMediaEngine, prices: PriceTable, fetcher: UrlFetcher
) -> ProviderRegistry:
    """The built-in providers under ``builtin`` and every hosted provider the settings enable
    (``fetcher`` downloads their outputs)."""
    from domain.adapters.providers.alignment import PocketsphinxAligner
    from domain.adapters.providers.builtin_image import BuiltinImageProvider
    from domain.adapters.providers.builtin_planner import OfflinePlanner
    from domain.adapters.providers.builtin_video import BuiltinVideoProvider
    from domain.adapters.providers.builtin_voice import BuiltinVoice
    from domain.adapters.providers.hosted import hosted_providers
    from domain.adapters.providers.timed_voice import TimedVoice

    hosted = hosted_providers(settings, prices, fetcher)
    return ProviderRegistry(
        planner={BUILTIN: OfflinePlanner(), **hosted.planner},
        image={
            BUILTIN: BuiltinImageProvider(max_pixels=settings.asset_max_pixels),
            **hosted.image,
        },
        video={BUILTIN: BuiltinVideoProvider(media), **hosted.video},
        voice={BUILTIN: TimedVoice(BuiltinVoice(), PocketsphinxAligner()), **hosted.voice},
        prices=prices,
    )


__all__ = ["build_media", "build_prices", "build_providers"]
