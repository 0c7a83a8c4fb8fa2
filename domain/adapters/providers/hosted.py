"""The hosted providers a process offers, built from its settings and price table.

A provider is offered once its credentials are set (``ADREEL_OPENAI_API_KEY`` or a custom
``ADREEL_OPENAI_BASE_URL``, ``ADREEL_REPLICATE_API_TOKEN``, ``ADREEL_GEMINI_API_KEY``,
``ADREEL_ELEVENLABS_API_KEY``). Then every
reference of that provider in the price table is registered for its kind (the table is the
catalogue: ``replicate:owner/model`` priced as an image model becomes an image provider), plus
the configured default models. A job picks them by reference in its ``providers`` input; a
reference must be priced to be accepted when the job is created.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from domain.adapters.fetch import UrlFetcher
from domain.adapters.providers.alignment import PocketsphinxAligner
from domain.adapters.providers.elevenlabs_voice import ElevenLabsConfig, ElevenLabsVoice
from domain.adapters.providers.minimax import MiniMaxConfig, MiniMaxVideoProvider
from domain.adapters.providers.openai_planner import DEFAULT_BASE_URL as OPENAI_DEFAULT_BASE_URL
from domain.adapters.providers.openai_planner import OpenAIConfig, OpenAIPlanner
from domain.adapters.providers.openai_voice import DEFAULT_MODEL as OPENAI_VOICE_MODEL
from domain.adapters.providers.openai_voice import OpenAIVoice
from domain.adapters.providers.replicate import (
    ReplicateClient,
    ReplicateConfig,
    ReplicateImageProvider,
    ReplicateVideoProvider,
)
from domain.adapters.providers.timed_voice import TimedVoice
from domain.adapters.providers.veo import VeoConfig, VeoVideoProvider
from domain.ports.providers import ImageProvider, PlannerProvider, VideoProvider
from domain.ports.voice import VoiceProvider
from domain.rules.pricing import Price, PriceTable, ProviderKind, split_ref
from domain.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class HostedProviders:
    """Hosted providers by reference, per kind."""

    planner: dict[str, PlannerProvider] = field(default_factory=dict)
    image: dict[str, ImageProvider] = field(default_factory=dict)
    video: dict[str, VideoProvider] = field(default_factory=dict)
    voice: dict[str, VoiceProvider] = field(default_factory=dict)


def _secret(value: object) -> str | None:
    getter = getattr(value, "get_secret_value", None)
    raw = getter() if callable(getter) else value
    return raw.strip() or None if isinstance(raw, str) else None


def _models(prices: PriceTable, kind: ProviderKind, provider: str, default: str) -> list[str]:
    """The models of ``provider`` to register for ``kind``: the default one and every priced one."""
    found = [default] if default else []
    for ref in prices.refs(kind):
        name, model = split_ref(ref)
        if name == provider and model and model not in found:
            found.append(model)
    return found


def _price(prices: PriceTable, kind: ProviderKind, ref: str) -> Price:
    return prices.price(kind, ref) if prices.knows(kind, ref) else Price()


def openai_config(settings: Settings) -> OpenAIConfig:
    return OpenAIConfig(
        base_url=settings.openai_base_url,
        api_key=_secret(settings.openai_api_key),
        response_format=settings.openai_response_format,
        timeout_seconds=settings.openai_timeout_seconds,
    )


def replicate_config(settings: Settings, token: str) -> ReplicateConfig:
    return ReplicateConfig(
        api_token=token,
        base_url=settings.replicate_base_url,
        delivery_hosts=tuple(settings.replicate_delivery_hosts),
        wait_seconds=settings.replicate_wait_seconds,
        poll_seconds=settings.replicate_poll_seconds,
        timeout_seconds=settings.replicate_timeout_seconds,
        data_uri_max_bytes=settings.replicate_data_uri_max_bytes,
        model_inputs=settings.replicate_model_inputs,
        max_image_bytes=settings.asset_max_image_bytes,
        max_video_bytes=settings.asset_max_video_bytes,
        max_pixels=settings.asset_max_pixels,
    )


def veo_config(settings: Settings, key: str) -> VeoConfig:
    return VeoConfig(
        api_key=key,
        base_url=settings.gemini_base_url,
        poll_seconds=settings.veo_poll_seconds,
        timeout_seconds=settings.veo_timeout_seconds,
        durations=tuple(settings.veo_durations),
        resolution=settings.veo_resolution or None,
        max_video_bytes=settings.asset_max_video_bytes,
    )


def _register(
    table: dict[str, T],
    prices: PriceTable,
    kind: ProviderKind,
    family: str,
    default: str,
    make: Callable[[str, Price], T],
) -> None:
    """Put ``make(model, price)`` in ``table`` under ``family:model`` for every model of the
    family (a model its adapter refuses is logged and left out)."""
    for model in _models(prices, kind, family, default):
        ref = f"{family}:{model}"
        try:
            table[ref] = make(model, _price(prices, kind, ref))
        except ValueError as exc:
            log.warning("%s provider %s is not registered: %s", kind.value, ref, exc)


def hosted_providers(
    settings: Settings, prices: PriceTable, fetcher: UrlFetcher
) -> HostedProviders:
    """Every hosted provider the settings enable (``fetcher`` downloads their outputs)."""
    hosted = HostedProviders()
    image, video, voice = ProviderKind.IMAGE, ProviderKind.VIDEO, ProviderKind.VOICE

    def timed(spoken: VoiceProvider) -> TimedVoice:
        return TimedVoice(spoken, PocketsphinxAligner())

    openai = openai_config(settings)
    if openai.api_key or openai.base_url.rstrip("/") != OPENAI_DEFAULT_BASE_URL:
        for model in _models(prices, ProviderKind.PLANNER, "openai", settings.openai_model):
            try:
                planner = OpenAIPlanner(openai, model)
            except ValueError as exc:
                log.warning("planner openai:%s is not registered: %s", model, exc)
                continue
            hosted.planner[planner.ref] = planner
        _register(hosted.voice, prices, voice, "openai", OPENAI_VOICE_MODEL,
                  lambda m, p: timed(OpenAIVoice(openai, m, p)))  # fmt: skip
    token = _secret(settings.replicate_api_token)
    if token:
        client = ReplicateClient(replicate_config(settings, token), fetcher)
        _register(hosted.image, prices, image, "replicate", settings.replicate_image_model,
                  lambda m, p: ReplicateImageProvider(client, m, p))  # fmt: skip
        _register(hosted.video, prices, video, "replicate", settings.replicate_video_model,
                  lambda m, p: ReplicateVideoProvider(client, m, p))  # fmt: skip
    eleven = _secret(settings.elevenlabs_api_key)
    if eleven:
        speech = ElevenLabsConfig(eleven, settings.elevenlabs_base_url)
        _register(hosted.voice, prices, voice, "elevenlabs", settings.elevenlabs_model,
                  lambda m, p: timed(ElevenLabsVoice(speech, m, p)))  # fmt: skip
    key = _secret(settings.gemini_api_key)
    if key:
        config = veo_config(settings, key)
        _register(hosted.video, prices, video, "veo", settings.veo_model,
                  lambda m, p: VeoVideoProvider(config, m, p, fetcher))  # fmt: skip
    minimax = _secret(settings.minimax_api_key)
    if minimax:
        mm_config = minimax_config(settings, minimax)
        _register(hosted.video, prices, video, "minimax", settings.minimax_video_model,
                  lambda m, p: MiniMaxVideoProvider(mm_config, m, p, fetcher))  # fmt: skip
    return hosted


def minimax_config(settings: Settings, key: str) -> MiniMaxConfig:
    return MiniMaxConfig(
        api_key=key,
        base_url=settings.minimax_base_url,
        poll_seconds=settings.minimax_poll_seconds,
        timeout_seconds=settings.minimax_timeout_seconds,
        max_video_bytes=settings.asset_max_video_bytes,
    )


__all__ = [
    "HostedProviders",
    "hosted_providers",
    "minimax_config",
    "openai_config",
    "replicate_config",
    "veo_config",
]
