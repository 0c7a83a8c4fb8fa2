"""Forced alignment of a known English text to speech, offline, with pocketsphinx.

pocketsphinx ships a US English acoustic model and dictionary in its wheel. Told the words
(``Decoder.set_align_text``), it finds where each is spoken, at 10 ms resolution. Written words
are mapped to spoken ones first (numbers, symbols; see ``spoken_words``), words the dictionary
lacks get a rough pronunciation, and the times come back per *written* word, in order, so the
captions show the text as written. Runs in a worker thread.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from domain.adapters.providers.spoken_words import rough_phones, spoken_words
from domain.adapters.providers.wav import Pcm, read_wav, resample, to_int16
from domain.ports.voice import AlignmentFailed, WordTiming

ALIGNER = "pocketsphinx"
_RATE = 16_000
_FRAMES_PER_SECOND = 100
_FILLERS = {"<s>", "</s>", "<sil>", "[NOISE]", "(NULL)"}


def align_pcm(pcm: Pcm, text: str) -> tuple[WordTiming, ...]:
    """Timings of the written words of ``text`` in ``pcm`` (:class:`AlignmentFailed` if not found)."""
    try:
        from pocketsphinx import Decoder
    except ImportError as exc:  # pragma: no cover - a runtime dependency
        raise AlignmentFailed("alignment needs the pocketsphinx package") from exc
    written = text.split()
    spoken = [spoken_words(word) for word in written]
    flat = [word for words in spoken for word in words]
    if not flat:
        return ()
    decoder = Decoder(samprate=_RATE, loglevel="FATAL")
    for word in set(flat):
        if decoder.lookup_word(word) is None:
            decoder.add_word(word, rough_phones(word), False)
    decoder.set_align_text(" ".join(flat))
    decoder.start_utt()
    decoder.process_raw(to_int16(resample(pcm, _RATE)), full_utt=True)
    decoder.end_utt()
    found = [
        (segment.word.split("(")[0], segment.start_frame, segment.end_frame + 1)
        for segment in decoder.seg()
        if segment.word not in _FILLERS
    ]
    if [name for name, _, _ in found] != flat:
        raise AlignmentFailed("the text could not be aligned to the audio")
    timings: list[WordTiming] = []
    position = 0
    last_end = 0.0
    for word, parts in zip(written, spoken, strict=True):
        if not parts:  # punctuation only ("—"): no time of its own
            timings.append(WordTiming(word, last_end, last_end))
            continue
        first, last = found[position], found[position + len(parts) - 1]
        position += len(parts)
        start, end = first[1] / _FRAMES_PER_SECOND, last[2] / _FRAMES_PER_SECOND
        timings.append(WordTiming(word, start, end))
        last_end = end
    return tuple(timings)


class PocketsphinxAligner:
    """A ``WordAligner`` for English, offline."""

    def supports(self, language: str) -> bool:
        return language.lower().startswith("en")

    async def align(self, audio: Path, text: str) -> tuple[WordTiming, ...]:
        return await asyncio.to_thread(lambda: align_pcm(read_wav(audio), text))


__all__ = ["ALIGNER", "PocketsphinxAligner", "align_pcm"]
