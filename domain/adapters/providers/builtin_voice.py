"""The built-in offline voice: hibari-tts (Apache-2.0), a 7.9 MB distilled Kokoro voice whose
model, lexicon and phonemizer ship inside its wheel.

Only voices already on disk are offered: ``heart`` (American English, female) is in the wheel;
hibari's other voices download on first use, which this adapter never lets happen: asking for
one that is not installed is a :class:`~domain.ports.voice.VoiceNotAvailable` error, and so is a
missing package or model file. Synthesis runs in a worker thread (42x real time per CPU second
measured here; its author reports about 130x on an idle core); the engine is loaded once per
voice and reused.

Why hibari (ten ad lines, pocketsphinx as the listener, one core; ``docs/voice.md``): a word
error rate of 7 %, against 14 to 23 % for piper-tts with the en_US-joe voice (a GPL-3.0 engine,
2x real time) and 83 % for espeak-ng (GPL-3.0, robotic).
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import numpy as np

from domain.adapters.providers.wav import Pcm, trim_silence, write_wav
from domain.ports.voice import Speech, SpeechRequest, VoiceInfo, VoiceNotAvailable

PROVIDER = "builtin"
MODEL = "hibari"
DEFAULT_VOICE = "heart"
_INSTALL = "the built-in voice needs the hibari-tts package (pip install hibari-tts)"


def _registry() -> dict[str, dict[str, Any]]:
    try:
        from hibari.voices import VOICES
    except ImportError as exc:
        raise VoiceNotAvailable(_INSTALL) from exc
    return dict(VOICES)


def _language(entry: dict[str, Any]) -> str:
    return "en-GB" if entry.get("british") else "en-US"


def installed_model(voice: str) -> Path:
    """The model file of ``voice`` if it is on this machine; never downloads it."""
    registry = _registry()
    if voice not in registry:
        raise VoiceNotAvailable(
            f"the built-in provider has no voice {voice!r} (it has: {', '.join(registry)})"
        )
    from hibari.voices import voice_path

    try:
        path = Path(voice_path(voice, download_missing=False))
    except FileNotFoundError as exc:
        raise VoiceNotAvailable(
            f"the built-in voice {voice!r} is not installed on this machine and is never "
            "downloaded at run time; use 'heart' or install the voice file by hand"
        ) from exc
    if not path.is_file():
        raise VoiceNotAvailable(f"the model file of the built-in voice {voice!r} is missing")
    return path


class BuiltinVoice:
    """A ``VoiceProvider`` speaking English offline with hibari-tts (free)."""

    name = PROVIDER
    word_timings = False

    def __init__(self, *, threads: int = 1) -> None:
        self.threads = threads
        self._engines: dict[str, Any] = {}
        self._lock = threading.Lock()

    def voices(self) -> tuple[VoiceInfo, ...]:
        found: list[VoiceInfo] = []
        try:
            registry = _registry()
        except VoiceNotAvailable:
            return ()
        for voice, entry in registry.items():
            try:
                installed_model(voice)
            except VoiceNotAvailable:
                continue
            found.append(
                VoiceInfo(
                    id=voice,
                    language=_language(entry),
                    name=voice.title(),
                    gender=str(entry.get("gender", "")),
                )
            )
        return tuple(found)

    def estimate_usd(self, request: SpeechRequest) -> float:
        return 0.0

    def _engine(self, voice: str) -> Any:
        with self._lock:
            engine = self._engines.get(voice)
            if engine is None:
                model = installed_model(voice)
                from hibari import Hibari

                engine = Hibari(voice=voice, model=str(model), threads=self.threads)
                self._engines[voice] = engine
            return engine

    def _speak(self, request: SpeechRequest, output: Path) -> Speech:
        voice = request.voice or DEFAULT_VOICE
        language = request.language.lower()
        if not language.startswith("en"):
            raise VoiceNotAvailable(
                f"the built-in voice speaks English only, not {request.language!r}; "
                "choose a hosted voice for this language"
            )
        engine = self._engine(voice)
        with self._lock:  # one onnxruntime session per voice: one call at a time
            samples = engine(request.text, speed=request.bounded_speed, seed=request.seed)
        # the engine pads each line with about 0.3 s of silence before and 0.45 s after it; the
        # narration step places its own lead-in and tail, so that padding would make every line
        # seem longer than it is said and short ads fail to fit
        pcm = trim_silence(Pcm(np.asarray(samples, np.float32), int(engine.sample_rate)))
        write_wav(pcm, output)
        return Speech(
            path=output,
            duration_seconds=pcm.duration_seconds,
            provider=PROVIDER,
            model=MODEL,
            voice=voice,
        )

    async def synthesize(self, request: SpeechRequest, output: Path) -> Speech:
        return await asyncio.to_thread(self._speak, request, output)


__all__ = ["DEFAULT_VOICE", "MODEL", "PROVIDER", "BuiltinVoice", "installed_model"]
