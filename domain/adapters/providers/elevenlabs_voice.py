"""Narration with ElevenLabs, timed to the character.

``POST {base_url}/v1/text-to-speech/{voice_id}/with-timestamps?output_format=pcm_24000`` with
``text``, ``model_id`` and ``voice_settings.speed``; the JSON answer carries ``audio_base64``
(raw 16-bit PCM at 24 kHz for this format) and ``alignment`` with one start and end time per
character, turned here into word timings for the captions.

Errors are classified at this boundary (``http.send``): ElevenLabs puts its reason in
``detail.status`` (``invalid_api_key``; ``quota_exceeded``, sent with a 401, is billing); 429 and
5xx are retryable; an answer without usable audio is a retryable ``PROVIDER_BAD_OUTPUT``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from domain.adapters.providers.errors import PROVIDER_BAD_OUTPUT, ProviderError
from domain.adapters.providers.http import api_client, json_of, send
from domain.adapters.providers.wav import from_int16, write_wav
from domain.ports.voice import Speech, SpeechRequest, VoiceInfo
from domain.rules.captions import WordTiming, words_from_characters
from domain.rules.pricing import Price

PROVIDER = "elevenlabs"
DEFAULT_BASE_URL = "https://api.elevenlabs.io"
DEFAULT_MODEL = "eleven_multilingual_v2"
#: "Rachel", one of ElevenLabs' premade voices.
DEFAULT_VOICE = "21m00Tcm4TlvDq8ikWAM"
SAMPLE_RATE = 24_000


@dataclass(frozen=True)
class ElevenLabsConfig:
    """Where the API is and the key to it."""

    api_key: str
    base_url: str = DEFAULT_BASE_URL
    timeout_seconds: float = 120.0
    voices: tuple[VoiceInfo, ...] = (VoiceInfo(DEFAULT_VOICE, "*", "Rachel", "female"),)


def _bad(message: str) -> ProviderError:
    return ProviderError(PROVIDER_BAD_OUTPUT, message, retryable=True, provider=PROVIDER)


def _numbers(values: Any, count: int, name: str) -> list[float]:
    if not isinstance(values, Sequence) or len(values) != count:
        raise _bad(f"the alignment's {name} do not match its characters")
    out: list[float] = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad(f"the alignment's {name} are not numbers")
        out.append(float(value))
    return out


def parse_answer(body: Mapping[str, Any]) -> tuple[bytes, tuple[WordTiming, ...]]:
    """The PCM bytes and word timings of a ``with-timestamps`` answer."""
    encoded = body.get("audio_base64")
    if not isinstance(encoded, str) or not encoded:
        raise _bad("the answer has no audio")
    try:
        audio = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _bad("the audio is not base64") from exc
    alignment = body.get("alignment") or body.get("normalized_alignment")
    if not isinstance(alignment, Mapping):
        return audio, ()
    characters = alignment.get("characters")
    if not isinstance(characters, Sequence) or not all(isinstance(c, str) for c in characters):
        raise _bad("the alignment has no characters")
    starts = _numbers(alignment.get("character_start_times_seconds"), len(characters), "starts")
    ends = _numbers(alignment.get("character_end_times_seconds"), len(characters), "ends")
    return audio, words_from_characters(list(characters), starts, ends)


class ElevenLabsVoice:
    """A ``VoiceProvider`` over ElevenLabs' ``with-timestamps`` endpoint."""

    def __init__(
        self, config: ElevenLabsConfig, model: str = DEFAULT_MODEL, price: Price | None = None
    ) -> None:
        if not model or len(model) > 200 or any(c.isspace() for c in model):
            raise ValueError(f"not a model name: {model[:100]!r}")
        self.config = config
        self.model = model
        self.price = price or Price()
        self.name = f"{PROVIDER}:{model}"
        self.word_timings = True

    def voices(self) -> tuple[VoiceInfo, ...]:
        return self.config.voices

    def estimate_usd(self, request: SpeechRequest) -> float:
        return float(self.price.cost(chars=len(request.text)))

    def request_body(self, request: SpeechRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "text": request.text,
            "model_id": self.model,
            "voice_settings": {"speed": request.bounded_speed},
        }
        language = request.language.split("-")[0].lower()
        if language and self.model.startswith(("eleven_turbo_v2_5", "eleven_flash_v2_5")):
            body["language_code"] = language
        return body

    async def synthesize(self, request: SpeechRequest, output: Path) -> Speech:
        voice = request.voice or DEFAULT_VOICE
        path = f"/v1/text-to-speech/{quote(voice, safe='')}/with-timestamps"
        async with api_client(
            self.config.base_url,
            {"xi-api-key": self.config.api_key, "Accept": "application/json"},
            timeout_seconds=self.config.timeout_seconds,
        ) as api:
            response = await send(
                api,
                "POST",
                f"{path}?output_format=pcm_{SAMPLE_RATE}",
                provider=PROVIDER,
                json_body=self.request_body(request),
            )
        audio, words = parse_answer(json_of(response, provider=PROVIDER))
        pcm = from_int16(audio, SAMPLE_RATE)
        if pcm.duration_seconds <= 0:
            raise _bad("the audio is empty")
        write_wav(pcm, output)
        return Speech(
            path=output,
            duration_seconds=pcm.duration_seconds,
            provider=PROVIDER,
            model=self.model,
            voice=voice,
            words=words,
            cost_usd=self.estimate_usd(request),
            timing="provider" if words else "",
        )


__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MODEL",
    "DEFAULT_VOICE",
    "PROVIDER",
    "ElevenLabsConfig",
    "ElevenLabsVoice",
    "parse_answer",
]
