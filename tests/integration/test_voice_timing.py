"""Word timings whatever the provider: its own, aligned, or phrase by phrase (and what each costs)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from domain.adapters.providers.alignment import PocketsphinxAligner
from domain.adapters.providers.builtin_voice import BuiltinVoice
from domain.adapters.providers.elevenlabs_voice import ElevenLabsConfig, ElevenLabsVoice
from domain.adapters.providers.openai_planner import OpenAIConfig
from domain.adapters.providers.openai_voice import OpenAIVoice
from domain.adapters.providers.timed_voice import PHRASE_GAP_SECONDS, TimedVoice, phrase_texts
from domain.adapters.providers.wav import read_wav, speech_span
from domain.ports.voice import AlignmentFailed, SpeechRequest, WordTiming
from domain.rules.captions import caption_cues, phrases
from domain.rules.pricing import Price
from tests.support.fake_speech import SECONDS_PER_CHAR, FakeElevenLabs, FakeOpenAISpeech

LINE = "Fresh bread, baked every morning in your neighborhood. Order yours today!"
FPS = 30


class NoAlignment:
    def supports(self, language: str) -> bool:
        return True

    async def align(self, audio: Path, text: str) -> tuple[WordTiming, ...]:
        raise AlignmentFailed("not found")


@pytest.fixture
def openai() -> Iterator[FakeOpenAISpeech]:
    service = FakeOpenAISpeech()
    with service.running():
        yield service


def openai_voice(fake: FakeOpenAISpeech) -> OpenAIVoice:
    config = OpenAIConfig(base_url=f"{fake.base}/v1", api_key=fake.api_key)
    return OpenAIVoice(
        config, "tts-1", Price(per_call=Decimal("0.001"), per_1k_chars=Decimal("0.015"))
    )


def test_phrase_texts_are_caption_phrases() -> None:
    assert phrase_texts(LINE) == [
        "Fresh bread,", "baked every morning in", "your neighborhood.", "Order yours today!",
    ]  # fmt: skip


async def test_provider_timings_pass_through(tmp_path: Path) -> None:
    fake = FakeElevenLabs()
    with fake.running():
        voice = TimedVoice(ElevenLabsVoice(ElevenLabsConfig(fake.api_key, fake.base)), None)
        speech = await voice.synthesize(SpeechRequest(LINE), tmp_path / "e.wav")
    assert speech.timing == "provider" and len(fake.seen("POST")) == 1
    assert [w.text for w in speech.words] == LINE.split()


async def test_failed_alignment_spreads_words_without_paying_twice(openai, tmp_path) -> None:
    voice = TimedVoice(openai_voice(openai), NoAlignment())
    request = SpeechRequest(LINE)
    speech = await voice.synthesize(request, tmp_path / "o.wav")
    assert len(openai.seen("POST")) == 1
    assert speech.timing == "estimated"
    assert [w.text for w in speech.words] == LINE.split()
    assert speech.words[0].start == pytest.approx(0.0, abs=0.011)
    assert speech.words[-1].end == pytest.approx(speech.duration_seconds, abs=0.011)
    assert voice.estimate_usd(request) == speech.cost_usd


async def test_a_language_the_aligner_does_not_know_is_synthesised_phrase_by_phrase(
    openai, tmp_path
) -> None:
    voice = TimedVoice(openai_voice(openai), PocketsphinxAligner())
    line = "Du pain frais, cuit chaque matin dans votre quartier. Commandez le vôtre!"
    request = SpeechRequest(line, language="fr")
    speech = await voice.synthesize(request, tmp_path / "f.wav")
    parts = phrase_texts(line)
    calls = openai.seen("POST")
    assert [c.json()["input"] for c in calls] == parts
    assert speech.timing == "phrases"
    assert speech.cost_usd == pytest.approx(voice.estimate_usd(request))
    assert speech.cost_usd == pytest.approx(
        sum(openai_voice(openai).estimate_usd(SpeechRequest(p)) for p in parts)
    )
    assert list(tmp_path.iterdir()) == [tmp_path / "f.wav"]  # the pieces are gone
    # each phrase is exactly where it was placed: cues within one frame of it
    lengths = [len(p) * SECONDS_PER_CHAR for p in parts]
    starts = [sum(lengths[:i]) + i * PHRASE_GAP_SECONDS for i in range(len(parts))]
    assert speech.duration_seconds == pytest.approx(starts[-1] + lengths[-1], abs=0.002)
    assert read_wav(speech.path).duration_seconds == pytest.approx(speech.duration_seconds)
    cues = caption_cues(speech.words, FPS)
    assert [c.text for c in cues] == parts
    for cue, start, length in zip(cues, starts, lengths, strict=True):
        assert abs(cue.start - start) <= 1 / FPS
        assert abs(cue.end - (start + length)) <= 1 / FPS


async def test_builtin_voice_is_aligned(tmp_path: Path) -> None:
    voice = TimedVoice(BuiltinVoice(), PocketsphinxAligner())
    speech = await voice.synthesize(SpeechRequest(LINE), tmp_path / "b.wav")
    assert speech.timing == "aligned"
    assert [w.text for w in speech.words] == LINE.split()
    start, end = speech_span(read_wav(speech.path))
    assert abs(speech.words[0].start - start) <= 0.1
    assert abs(speech.words[-1].end - end) <= 0.1
    found = phrases(speech.words)
    for phrase, cue in zip(found, caption_cues(speech.words, FPS), strict=True):
        assert abs(cue.start - phrase.start) <= 1 / FPS and abs(cue.end - phrase.end) <= 1 / FPS


async def test_builtin_voice_without_aligner_goes_phrase_by_phrase(tmp_path: Path) -> None:
    voice = TimedVoice(BuiltinVoice(), None)
    speech = await voice.synthesize(
        SpeechRequest("Save time. And money, with one simple app."), tmp_path / "p.wav"
    )
    assert speech.timing == "phrases"
    assert [w.text for w in speech.words] == "Save time. And money, with one simple app.".split()
    assert speech.cost_usd == 0.0
