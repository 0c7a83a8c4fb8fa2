"""The voice provider port: a line of narration in, a WAV file with its duration (and, when the
provider knows them, word timings) out.

Like the image and video ports, a provider writes its output to the path it is given, reports
what the call cost and classifies its own failures (``ProviderError`` with ``retryable``) at its
boundary. A voice that is not installed is a :class:`VoiceNotAvailable` domain error: an offline
provider never fetches one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from domain.errors import Invalid
from domain.rules.captions import WordTiming
from domain.rules.narration import MAX_SPEED, MIN_SPEED


class AlignmentFailed(Exception):
    """The text could not be found in the audio (the caller falls back to estimated timings)."""


class VoiceNotAvailable(Invalid):
    """The voice (or its model) is not installed or not offered by the provider."""

    def __init__(self, message: str) -> None:
        super().__init__(message, ["voice"])


@dataclass(frozen=True, slots=True)
class VoiceInfo:
    """A voice a provider offers."""

    id: str
    language: str
    name: str = ""
    gender: str = ""


@dataclass(frozen=True, slots=True)
class SpeechRequest:
    """One narration line: the text, which voice speaks it, in which language, how fast.

    ``speed`` is clamped to ``[MIN_SPEED, MAX_SPEED]`` by the providers (natural speech only).
    An empty ``voice`` means the provider's default voice.
    """

    text: str
    voice: str = ""
    language: str = "en"
    speed: float = 1.0
    seed: int = 0

    @property
    def bounded_speed(self) -> float:
        return min(MAX_SPEED, max(MIN_SPEED, self.speed))


@dataclass(frozen=True, slots=True)
class Speech:
    """What one synthesis produced: a mono 16-bit WAV file, its length, and what it cost.

    ``words`` are the provider's own timings when it gives them (ElevenLabs), else empty: the
    caller then aligns the known text to the audio. ``timing`` says where ``words`` came from:
    ``"provider"``, ``"aligned"``, ``"phrases"`` (synthesised phrase by phrase) or ``"estimated"``
    (spread over the speech by length, when alignment failed); empty without words.
    """

    path: Path
    duration_seconds: float
    provider: str
    model: str
    voice: str
    words: tuple[WordTiming, ...] = ()
    cost_usd: float = 0.0
    timing: str = ""


class VoiceProvider(Protocol):
    """Speaks narration lines; ``word_timings`` says whether it also says when each word is."""

    name: str
    word_timings: bool

    def voices(self) -> tuple[VoiceInfo, ...]:
        """The voices this provider offers (only ones it can use without fetching anything)."""
        ...

    def estimate_usd(self, request: SpeechRequest) -> float:
        """Price of :meth:`synthesize` for ``request``, before calling it."""
        ...

    async def synthesize(self, request: SpeechRequest, output: Path) -> Speech:
        """Write a mono 16-bit WAV of ``request.text`` spoken to ``output``."""
        ...


class WordAligner(Protocol):
    """Finds when each word of a known text is spoken in an audio file (forced alignment)."""

    def supports(self, language: str) -> bool:
        """Whether texts in ``language`` can be aligned."""
        ...

    async def align(self, audio: Path, text: str) -> tuple[WordTiming, ...]:
        """Timings of the written words of ``text`` in ``audio`` (all of them, in order);
        :class:`AlignmentFailed` when the text is not found in it."""
        ...


__all__ = [
    "MAX_SPEED",
    "MIN_SPEED",
    "AlignmentFailed",
    "Speech",
    "SpeechRequest",
    "VoiceInfo",
    "VoiceNotAvailable",
    "VoiceProvider",
    "WordAligner",
    "WordTiming",
]
