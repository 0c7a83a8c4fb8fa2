"""Narration with word timings whatever the provider: the captions always know when words are.

:class:`TimedVoice` wraps any ``VoiceProvider`` and fills ``Speech.words`` from the best source
there is, decided *before* paying for anything:

1. the provider's own timings (ElevenLabs);
2. else forced alignment of the known text to the audio, when the aligner knows the language
   (English, offline); if the text cannot be found in the audio, the words are spread over the
   speech by length (``timing="estimated"``) rather than paying for the line twice;
3. else synthesis phrase by phrase (2 to 6 words, as the captions will show them), joined with
   short pauses into one file: each phrase's span is then known exactly.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from domain.adapters.providers.wav import Pcm, concatenate, read_wav, speech_span, write_wav
from domain.ports.voice import (
    AlignmentFailed,
    Speech,
    SpeechRequest,
    VoiceInfo,
    VoiceProvider,
    WordAligner,
)
from domain.rules.captions import WordTiming, phrases, shift, spread_words

#: Silence between two phrases synthesised one by one.
PHRASE_GAP_SECONDS = 0.12


def phrase_texts(text: str) -> list[str]:
    """``text`` cut into the phrases the captions will show."""
    return [p.text for p in phrases(spread_words(text, 0.0, max(1.0, len(text) / 10)))]


class TimedVoice:
    """A ``VoiceProvider`` whose speech always carries word timings."""

    word_timings = True

    def __init__(self, provider: VoiceProvider, aligner: WordAligner | None) -> None:
        self.provider = provider
        self.aligner = aligner
        self.name = provider.name

    def voices(self) -> tuple[VoiceInfo, ...]:
        return self.provider.voices()

    def _by_phrases(self, request: SpeechRequest) -> bool:
        if self.provider.word_timings:
            return False
        return self.aligner is None or not self.aligner.supports(request.language)

    def estimate_usd(self, request: SpeechRequest) -> float:
        if not self._by_phrases(request):
            return self.provider.estimate_usd(request)
        return sum(
            self.provider.estimate_usd(_part(request, part)) for part in phrase_texts(request.text)
        )

    async def synthesize(self, request: SpeechRequest, output: Path) -> Speech:
        if self._by_phrases(request):
            return await self._phrase_by_phrase(request, output)
        speech = await self.provider.synthesize(request, output)
        if speech.words:
            return speech
        assert self.aligner is not None
        try:
            words = await self.aligner.align(speech.path, request.text)
            timing = "aligned"
        except AlignmentFailed:
            start, end = speech_span(await asyncio.to_thread(read_wav, speech.path))
            words = spread_words(request.text, start, end)
            timing = "estimated"
        return replace(speech, words=words, timing=timing)

    async def _phrase_by_phrase(self, request: SpeechRequest, output: Path) -> Speech:
        parts = phrase_texts(request.text)
        pieces: list[Pcm] = []
        words: list[WordTiming] = []
        cost = 0.0
        offset = 0.0
        first: Speech | None = None
        for index, text in enumerate(parts):
            path = output.with_name(f"{output.stem}.phrase{index}.wav")
            try:
                speech = await self.provider.synthesize(_part(request, text), path)
                pcm = await asyncio.to_thread(read_wav, speech.path)
            finally:
                path.unlink(missing_ok=True)
            first = first or speech
            cost += speech.cost_usd
            start, end = speech_span(pcm)
            words += shift(spread_words(text, start, end), offset)
            pieces.append(pcm)
            offset += pcm.duration_seconds + (PHRASE_GAP_SECONDS if index < len(parts) - 1 else 0)
        if first is None:
            return await self.provider.synthesize(request, output)
        gaps = [PHRASE_GAP_SECONDS] * (len(pieces) - 1) + [0.0]
        joined = concatenate(pieces, gaps)
        await asyncio.to_thread(write_wav, joined, output)
        return Speech(
            path=output,
            duration_seconds=joined.duration_seconds,
            provider=first.provider,
            model=first.model,
            voice=first.voice,
            words=tuple(words),
            cost_usd=cost,
            timing="phrases",
        )


def _part(request: SpeechRequest, text: str) -> SpeechRequest:
    return SpeechRequest(text, request.voice, request.language, request.speed, request.seed)


__all__ = ["PHRASE_GAP_SECONDS", "TimedVoice", "phrase_texts"]
