"""Narration over any OpenAI-compatible speech API (OpenAI, and self-hosted servers that speak it).

``POST {base_url}/audio/speech`` with ``model``, ``voice``, ``input``, ``speed`` and
``response_format: "wav"``; the answer is the audio itself. The API gives no timings, so the
caller aligns the text to the audio. Errors are classified at this boundary like the planner's:
429 and 5xx retryable, 401/403 credentials, ``insufficient_quota`` billing, an answer that is
not WAV audio a retryable ``PROVIDER_BAD_OUTPUT``.
"""

from __future__ import annotations

from pathlib import Path

from domain.adapters.providers.errors import PROVIDER_BAD_OUTPUT, ProviderError
from domain.adapters.providers.http import api_client, send
from domain.adapters.providers.openai_planner import OpenAIConfig
from domain.adapters.providers.wav import parse_wav, write_wav
from domain.ports.voice import Speech, SpeechRequest, VoiceInfo
from domain.rules.pricing import Price

PROVIDER = "openai"
DEFAULT_MODEL = "tts-1"
DEFAULT_VOICE = "alloy"
#: The voices of OpenAI's speech models (they speak the language of the text they are given).
OPENAI_VOICES = (
    "alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse",
)  # fmt: skip


class OpenAIVoice:
    """A ``VoiceProvider`` over ``POST /audio/speech``."""

    def __init__(
        self,
        config: OpenAIConfig,
        model: str = DEFAULT_MODEL,
        price: Price | None = None,
        *,
        voice_ids: tuple[str, ...] = OPENAI_VOICES,
    ) -> None:
        if not model or len(model) > 200 or any(c.isspace() for c in model):
            raise ValueError(f"not a model name: {model[:100]!r}")
        self.config = config
        self.model = model
        self.price = price or Price()
        self.voice_ids = voice_ids
        self.name = f"{PROVIDER}:{model}"
        self.word_timings = False

    def voices(self) -> tuple[VoiceInfo, ...]:
        return tuple(VoiceInfo(id=v, language="*", name=v.title()) for v in self.voice_ids)

    def estimate_usd(self, request: SpeechRequest) -> float:
        return float(self.price.cost(chars=len(request.text)))

    def request_body(self, request: SpeechRequest) -> dict[str, object]:
        return {
            "model": self.model,
            "voice": request.voice or DEFAULT_VOICE,
            "input": request.text,
            "response_format": "wav",
            "speed": request.bounded_speed,
        }

    async def synthesize(self, request: SpeechRequest, output: Path) -> Speech:
        headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
        async with api_client(
            self.config.base_url, headers, timeout_seconds=self.config.timeout_seconds
        ) as api:
            response = await send(
                api,
                "POST",
                "/audio/speech",
                provider=PROVIDER,
                json_body=self.request_body(request),
            )
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind in ("application/json", "text/html", "text/plain"):
            raise ProviderError(
                PROVIDER_BAD_OUTPUT,
                f"the answer is {kind}, not audio",
                retryable=True,
                provider=PROVIDER,
                status=response.status_code,
            )
        pcm = parse_wav(response.content, provider=PROVIDER)
        if pcm.duration_seconds <= 0:
            raise ProviderError(
                PROVIDER_BAD_OUTPUT, "the audio is empty", retryable=True, provider=PROVIDER
            )
        write_wav(pcm, output)
        return Speech(
            path=output,
            duration_seconds=pcm.duration_seconds,
            provider=PROVIDER,
            model=self.model,
            voice=request.voice or DEFAULT_VOICE,
            cost_usd=self.estimate_usd(request),
        )


__all__ = ["DEFAULT_MODEL", "DEFAULT_VOICE", "OPENAI_VOICES", "PROVIDER", "OpenAIVoice"]
