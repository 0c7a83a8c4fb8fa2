"""The hosted voices against fake speech APIs on loopback: shapes, timings, priced, errors."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from domain.adapters.providers.elevenlabs_voice import ElevenLabsConfig, ElevenLabsVoice
from domain.adapters.providers.errors import ProviderError
from domain.adapters.providers.openai_planner import OpenAIConfig
from domain.adapters.providers.openai_voice import OpenAIVoice
from domain.adapters.providers.wav import read_wav
from domain.ports.voice import SpeechRequest
from domain.rules.captions import caption_cues
from domain.rules.pricing import Price
from tests.support.fake_http import json_answer
from tests.support.fake_speech import (
    SECONDS_PER_CHAR,
    FakeElevenLabs,
    FakeOpenAISpeech,
    elevenlabs_error,
    openai_error,
)

LINE = "Fresh bread, baked every morning. Order yours today!"
PRICE = Price(per_1k_chars=Decimal("0.015"))


@pytest.fixture
def openai() -> Iterator[FakeOpenAISpeech]:
    service = FakeOpenAISpeech()
    with service.running():
        yield service


@pytest.fixture
def eleven() -> Iterator[FakeElevenLabs]:
    service = FakeElevenLabs()
    with service.running():
        yield service


def openai_voice(fake: FakeOpenAISpeech, key: str | None = None) -> OpenAIVoice:
    config = OpenAIConfig(base_url=f"{fake.base}/v1", api_key=key or fake.api_key)
    return OpenAIVoice(config, "tts-1", PRICE)


def eleven_voice(fake: FakeElevenLabs, key: str | None = None) -> ElevenLabsVoice:
    config = ElevenLabsConfig(api_key=key or fake.api_key, base_url=fake.base)
    return ElevenLabsVoice(config, "eleven_multilingual_v2", Price(per_1k_chars=Decimal("0.3")))


async def test_openai_speech_request_shape_and_audio(openai: FakeOpenAISpeech, tmp_path: Path):
    voice = openai_voice(openai)
    request = SpeechRequest(LINE, voice="nova", speed=1.5)
    assert voice.estimate_usd(request) == float(PRICE.cost(chars=len(LINE))) > 0
    speech = await voice.synthesize(request, tmp_path / "n.wav")

    (call,) = openai.seen("POST")
    assert call.path == "/v1/audio/speech"
    assert call.headers["authorization"] == f"Bearer {openai.api_key}"
    assert call.json() == {
        "model": "tts-1", "voice": "nova", "input": LINE, "response_format": "wav", "speed": 1.2,
    }  # fmt: skip
    expected = len(LINE) * SECONDS_PER_CHAR / 1.2
    assert speech.duration_seconds == pytest.approx(expected, abs=0.001)
    assert read_wav(speech.path).sample_rate == 24_000
    assert (speech.provider, speech.model, speech.voice) == ("openai", "tts-1", "nova")
    assert speech.words == ()  # no timings from this API: the caller aligns
    assert speech.cost_usd == voice.estimate_usd(request)
    assert voice.name == "openai:tts-1"
    assert "alloy" in [v.id for v in voice.voices()]


async def test_openai_default_voice(openai: FakeOpenAISpeech, tmp_path: Path):
    openai.voices = ("alloy",)
    speech = await openai_voice(openai).synthesize(
        SpeechRequest("Hello there."), tmp_path / "a.wav"
    )
    assert speech.voice == "alloy"


@pytest.mark.parametrize(
    ("answer", "code", "retryable"),
    [
        (openai_error(429, "Rate limit reached for tts-1", kind="requests",
                      code="rate_limit_exceeded", **{"Retry-After": "7"}), "RATE_LIMITED", True),
        (openai_error(429, "You exceeded your current quota", kind="insufficient_quota",
                      code="insufficient_quota"), "PROVIDER_BILLING", False),
        (openai_error(500, "The server had an error", kind="server_error"),
         "PROVIDER_UNAVAILABLE", True),
        (openai_error(503, "Service Unavailable", kind="server_error"), "PROVIDER_UNAVAILABLE", True),
        (json_answer(200, {"object": "error"}), "PROVIDER_BAD_OUTPUT", True),
        ((200, {"Content-Type": "audio/wav"}, b"RIFF\x00\x00not a wav"), "PROVIDER_BAD_OUTPUT", True),
    ],
)  # fmt: skip
async def test_openai_errors_are_classified(openai, tmp_path, answer, code, retryable):
    openai.faults.append(answer)
    with pytest.raises(ProviderError) as caught:
        await openai_voice(openai).synthesize(SpeechRequest(LINE), tmp_path / "x.wav")
    assert (caught.value.code, caught.value.retryable) == (code, retryable)
    if code == "RATE_LIMITED":
        assert caught.value.retry_after == 7
    assert not (tmp_path / "x.wav").exists()


async def test_openai_bad_key_and_bad_voice_are_not_retried(openai, tmp_path):
    with pytest.raises(ProviderError) as caught:
        await openai_voice(openai, key="wrong").synthesize(SpeechRequest(LINE), tmp_path / "x.wav")
    assert (caught.value.code, caught.value.retryable, caught.value.status) == (
        "PROVIDER_AUTH", False, 401,
    )  # fmt: skip
    with pytest.raises(ProviderError) as caught:
        await openai_voice(openai).synthesize(SpeechRequest(LINE, voice="bob"), tmp_path / "x.wav")
    assert (caught.value.code, caught.value.retryable) == ("PROVIDER_REJECTED", False)


async def test_unreachable_server_is_retryable(tmp_path):
    config = OpenAIConfig(base_url="http://127.0.0.1:9/v1", api_key="k", timeout_seconds=2)
    with pytest.raises(ProviderError) as caught:
        await OpenAIVoice(config).synthesize(SpeechRequest(LINE), tmp_path / "x.wav")
    assert (caught.value.code, caught.value.retryable) == ("PROVIDER_UNAVAILABLE", True)


async def test_elevenlabs_request_shape_audio_and_word_timings(eleven: FakeElevenLabs, tmp_path):
    voice = eleven_voice(eleven)
    speech = await voice.synthesize(SpeechRequest(LINE, speed=0.5), tmp_path / "e.wav")

    (call,) = eleven.seen("POST")
    assert call.path == "/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/with-timestamps"
    assert call.query == {"output_format": ["pcm_24000"]}
    assert call.headers["xi-api-key"] == eleven.api_key
    assert call.json() == {
        "text": LINE, "model_id": "eleven_multilingual_v2", "voice_settings": {"speed": 0.8},
    }  # fmt: skip
    assert [w.text for w in speech.words] == LINE.split()
    step = SECONDS_PER_CHAR / 0.8
    assert speech.words[0].start == pytest.approx(0.1, abs=0.002)
    assert speech.words[1].start == pytest.approx(0.1 + len("Fresh ") * step, abs=0.002)
    assert speech.words[-1].end == pytest.approx(0.1 + len(LINE) * step, abs=0.002)
    assert speech.duration_seconds == pytest.approx(0.2 + len(LINE) * step, abs=0.001)
    assert speech.cost_usd == voice.estimate_usd(SpeechRequest(LINE)) > 0
    # captions follow the provider's timings to the frame
    found = caption_cues(speech.words, 30)
    assert [c.text for c in found] == ["Fresh bread,", "baked every morning.", "Order yours today!"]
    assert found[0].start == pytest.approx(speech.words[0].start, abs=1 / 30)
    assert found[-1].end == pytest.approx(speech.words[-1].end, abs=1 / 30)


@pytest.mark.parametrize(
    ("answer", "code", "retryable"),
    [
        (elevenlabs_error(401, "quota_exceeded", "This request exceeds your quota."),
         "PROVIDER_BILLING", False),
        (elevenlabs_error(429, "too_many_concurrent_requests", "Too many concurrent requests",
                          **{"Retry-After": "3"}), "RATE_LIMITED", True),
        (elevenlabs_error(503, "service_unavailable", "Service temporarily unavailable"),
         "PROVIDER_UNAVAILABLE", True),
        (json_answer(500, {"detail": "Internal Server Error"}), "PROVIDER_UNAVAILABLE", True),
        ((200, {"Content-Type": "application/json"}, b"{not json"), "PROVIDER_BAD_OUTPUT", True),
        (json_answer(200, {"alignment": None}), "PROVIDER_BAD_OUTPUT", True),
        (json_answer(200, {"audio_base64": "!!!"}), "PROVIDER_BAD_OUTPUT", True),
        (json_answer(200, {"audio_base64": "AAAA", "alignment": {"characters": ["a", "b"],
         "character_start_times_seconds": [0], "character_end_times_seconds": [0, 1]}}),
         "PROVIDER_BAD_OUTPUT", True),
    ],
)  # fmt: skip
async def test_elevenlabs_errors_are_classified(eleven, tmp_path, answer, code, retryable):
    eleven.faults.append(answer)
    with pytest.raises(ProviderError) as caught:
        await eleven_voice(eleven).synthesize(SpeechRequest(LINE), tmp_path / "x.wav")
    assert (caught.value.code, caught.value.retryable) == (code, retryable)
    if code == "RATE_LIMITED":
        assert caught.value.retry_after == 3


async def test_elevenlabs_bad_key_and_unknown_voice(eleven, tmp_path):
    with pytest.raises(ProviderError) as caught:
        await eleven_voice(eleven, key="nope").synthesize(SpeechRequest(LINE), tmp_path / "x.wav")
    assert (caught.value.code, caught.value.retryable) == ("PROVIDER_AUTH", False)
    assert "Invalid API key" in caught.value.message
    with pytest.raises(ProviderError) as caught:
        await eleven_voice(eleven).synthesize(
            SpeechRequest(LINE, voice="ghost"), tmp_path / "x.wav"
        )
    assert (caught.value.code, caught.value.retryable) == ("PROVIDER_REJECTED", False)
    assert "was not found" in caught.value.message
