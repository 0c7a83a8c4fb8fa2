"""The voices a server offers: each configured voice provider's voices, by reference."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from domain.ports.voice import VoiceInfo
from domain.services.pipeline.providers import ProviderRegistry


@dataclass(frozen=True, slots=True)
class OfferedVoice:
    """A voice and the provider reference a job picks it with (``providers.voice``)."""

    provider: str
    voice: VoiceInfo


async def offered_voices(registry: ProviderRegistry) -> list[OfferedVoice]:
    """Every voice of every configured voice provider, providers in reference order."""

    def collect() -> list[OfferedVoice]:
        return [
            OfferedVoice(ref, info)
            for ref in sorted(registry.voice)
            for info in registry.voice[ref].voices()
        ]

    return await asyncio.to_thread(collect)


__all__ = ["OfferedVoice", "offered_voices"]
