"""The built-in offline voice: intelligible, offline-only, and aligned to its text."""

from __future__ import annotations

import asyncio
import itertools
import sys
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from domain.adapters.providers.alignment import PocketsphinxAligner, align_pcm
from domain.adapters.providers.builtin_voice import BuiltinVoice
from domain.adapters.providers.wav import Pcm, concatenate, read_wav
from domain.ports.voice import SpeechRequest, VoiceNotAvailable
from domain.rules.captions import caption_cues, phrases
from tests.support.speech import AD_LINES, transcribe, word_error_rate

#: Measured on the ten AD_LINES with pocketsphinx's bundled model: 7.0 % (hibari "heart", seeded,
#: the same on every run); the rejected candidates scored 14 to 23 % (piper-tts with
#: en_US-joe-medium: its synthesis is random, so the figure moves between runs) and 82.6 %
#: (espeak-ng). The bound leaves room for another onnxruntime or numpy build, not for a worse voice.
BUILTIN_MAX_WER = 0.12


@pytest.fixture(scope="module")
def voice() -> BuiltinVoice:
    return BuiltinVoice()


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to download (a voice, a model) fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the built-in voice tried to fetch something")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def speak(provider: BuiltinVoice, text: str, path: Path, **kwargs: object):
    return asyncio.run(provider.synthesize(SpeechRequest(text, **kwargs), path))  # type: ignore[arg-type]


def test_builtin_voice_is_intelligible(voice: BuiltinVoice, tmp_path: Path) -> None:
    pairs = []
    for index, line in enumerate(AD_LINES):
        speech = speak(voice, line, tmp_path / f"{index}.wav")
        assert speech.provider == "builtin" and speech.voice == "heart"
        assert speech.cost_usd == 0.0 and speech.words == ()
        pcm = read_wav(speech.path)
        assert pcm.sample_rate == 24_000
        assert abs(pcm.duration_seconds - speech.duration_seconds) < 1e-6
        pairs.append((line, transcribe(pcm)))
    assert word_error_rate(pairs) <= BUILTIN_MAX_WER, pairs


def test_speed_is_bounded(voice: BuiltinVoice, tmp_path: Path) -> None:
    normal = speak(voice, "Order from your phone today.", tmp_path / "a.wav")
    silly = speak(voice, "Order from your phone today.", tmp_path / "b.wav", speed=3.0)
    bounded = speak(voice, "Order from your phone today.", tmp_path / "c.wav", speed=1.2)
    assert silly.duration_seconds == pytest.approx(bounded.duration_seconds, rel=0.02)
    assert silly.duration_seconds > normal.duration_seconds / 1.3


def test_only_installed_voices_are_offered(
    voice: BuiltinVoice, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIBARI_HOME", str(tmp_path / "empty-cache"))
    offered = voice.voices()
    assert [v.id for v in offered] == ["heart"]
    assert offered[0].language == "en-US"


def test_a_voice_that_is_not_installed_fails_clearly_without_fetching(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIBARI_HOME", str(tmp_path / "empty-cache"))
    fresh = BuiltinVoice()
    with pytest.raises(VoiceNotAvailable, match="never downloaded") as caught:
        speak(fresh, "Hello there.", tmp_path / "x.wav", voice="emma")
    assert caught.value.field == ["voice"]
    with pytest.raises(VoiceNotAvailable, match="no voice 'nobody'"):
        speak(fresh, "Hello there.", tmp_path / "x.wav", voice="nobody")
    with pytest.raises(VoiceNotAvailable, match="English only"):
        speak(fresh, "Bonjour.", tmp_path / "x.wav", language="fr")
    assert not (tmp_path / "x.wav").exists()


def test_a_missing_package_fails_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "hibari.voices", None)
    with pytest.raises(VoiceNotAvailable, match="hibari-tts"):
        speak(BuiltinVoice(), "Hello there.", tmp_path / "x.wav")
    assert BuiltinVoice().voices() == ()


def _speech_span(pcm: Pcm) -> tuple[float, float]:
    """First and last 10 ms window above -40 dBFS (where the voice is audible)."""
    window = pcm.sample_rate // 100
    frames = len(pcm.samples) // window
    rms = np.sqrt((pcm.samples[: frames * window].reshape(frames, window) ** 2).mean(axis=1))
    loud = np.flatnonzero(rms > 10 ** (-40 / 20))
    return loud[0] / 100, (loud[-1] + 1) / 100


def test_alignment_finds_each_phrase_where_it_is_spoken(
    voice: BuiltinVoice, tmp_path: Path
) -> None:
    """Phrases synthesised one by one (so where each is spoken is known), joined with pauses,
    then the whole text aligned: cues land within one frame of the alignment, and the
    alignment within a few frames of where each phrase is audible."""
    lines = ["Fresh bread every morning.", "Only at Zappo's from $4.99!", "Order yours now."]
    parts = [
        read_wav(speak(voice, line, tmp_path / f"p{i}.wav").path) for i, line in enumerate(lines)
    ]
    gaps = [0.7, 0.7, 0.0]
    joined = concatenate(parts, gaps)
    words = align_pcm(joined, " ".join(lines))
    assert [w.text for w in words] == " ".join(lines).split()
    found = phrases(words)
    assert [p.text for p in found] == lines
    fps = 30
    for phrase, cue in zip(found, caption_cues(words, fps), strict=True):
        assert abs(cue.start - phrase.start) <= 1 / fps
        assert abs(cue.end - phrase.end) <= 1 / fps
    offset = 0.0
    for part, gap, phrase in zip(parts, gaps, found, strict=True):
        start, end = _speech_span(part)
        assert abs(phrase.start - (offset + start)) <= 0.1, (
            phrase.text,
            phrase.start,
            offset + start,
        )
        assert abs(phrase.end - (offset + end)) <= 0.1, (phrase.text, phrase.end, offset + end)
        offset += part.duration_seconds + gap


def test_every_ad_line_aligns(voice: BuiltinVoice, tmp_path: Path) -> None:
    for index, line in enumerate(AD_LINES):
        speech = speak(voice, line, tmp_path / f"{index}.wav")
        words = align_pcm(read_wav(speech.path), line)
        assert [w.text for w in words] == line.split()
        assert all(a.end <= b.start + 1e-9 for a, b in itertools.pairwise(words))


def test_aligner_port(voice: BuiltinVoice, tmp_path: Path) -> None:
    speech = speak(voice, "Save time and money.", tmp_path / "s.wav")
    aligner = PocketsphinxAligner()
    assert aligner.supports("en-US") and not aligner.supports("de")
    words = asyncio.run(aligner.align(speech.path, "Save time and money."))
    assert [w.text for w in words] == ["Save", "time", "and", "money."]
    assert all(0 <= w.start < w.end <= speech.duration_seconds for w in words)
