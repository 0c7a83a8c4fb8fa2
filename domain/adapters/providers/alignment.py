"""Forced alignment of a known English text to speech, offline, with pocketsphinx.

pocketsphinx ships a US English acoustic model and dictionary in its wheel. Told the words
(``Decoder.set_align_text``), it finds where each is spoken, at 10 ms resolution. Written words
are mapped to spoken ones first (numbers, symbols; see ``spoken_words``), words the dictionary
lacks get a rough pronunciation, and the times come back per *written* word, in order, so the
captions show the text as written. A word the search leaves out now and then (usually the last,
folded into the trailing silence) is placed in that silence, bounded by where the speech is
audible. Runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from domain.adapters.providers.spoken_words import rough_phones, spoken_words
from domain.adapters.providers.wav import Pcm, read_wav, resample, speech_span, to_int16
from domain.ports.voice import AlignmentFailed, WordTiming

ALIGNER = "pocketsphinx"
_RATE = 16_000
_FPS = 100  # pocketsphinx frames per second
_SILENCE = {"<sil>", "[NOISE]", "++NOISE++", "<noise>"}


_decoder: Any = None
_lock = threading.Lock()


def _loaded_decoder() -> Any:
    """One decoder per process (loading the model takes seconds; aligning takes far less)."""
    global _decoder
    if _decoder is None:
        try:
            from pocketsphinx import Decoder
        except ImportError as exc:  # pragma: no cover - a runtime dependency
            raise AlignmentFailed("alignment needs the pocketsphinx package") from exc
        _decoder = Decoder(samprate=_RATE, loglevel="FATAL", lm=None)
    return _decoder


def align_pcm(pcm: Pcm, text: str) -> tuple[WordTiming, ...]:
    """Timings of the written words of ``text`` in ``pcm`` (:class:`AlignmentFailed` if not found)."""
    written = text.split()
    spoken = [spoken_words(word) for word in written]
    flat = [word for words in spoken for word in words]
    if not flat:
        return ()
    audio = to_int16(resample(pcm, _RATE))
    with _lock:
        decoder = _loaded_decoder()
        for word in set(flat):
            if decoder.lookup_word(word) is None:
                decoder.add_word(word, rough_phones(word), False)
        decoder.set_align_text(" ".join(flat))
        decoder.start_utt()
        decoder.process_raw(audio, full_utt=True)
        decoder.end_utt()
        segments = [
            (seg.word.split("(")[0], seg.start_frame / _FPS, (seg.end_frame + 1) / _FPS)
            for seg in decoder.seg()
            if seg.word not in ("<s>", "</s>", "(NULL)")
        ]
    spans = _match(flat, segments, speech_span(pcm))
    timings: list[WordTiming] = []
    position = 0
    last_end = 0.0
    for word, parts in zip(written, spoken, strict=True):
        if not parts:  # punctuation only ("—"): no time of its own
            timings.append(WordTiming(word, last_end, last_end))
            continue
        start, end = spans[position][0], spans[position + len(parts) - 1][1]
        position += len(parts)
        timings.append(WordTiming(word, start, end))
        last_end = end
    return tuple(timings)


def _match(
    words: list[str], segments: list[tuple[str, float, float]], speech: tuple[float, float]
) -> list[tuple[float, float]]:
    """A (start, end) for every expected word, in order.

    The aligner now and then leaves a word out (typically the last one, folded into the
    trailing silence); a few such words are placed in the silence or gap where they must be,
    spread by length. More than a quarter missing means the text is not in this audio.
    """
    found: list[tuple[float, float] | None] = [None] * len(words)
    silences = [(start, end) for name, start, end in segments if name in _SILENCE]
    index = 0
    for name, start, end in segments:
        if name in _SILENCE:
            continue
        while index < len(words) and words[index] != name:
            index += 1
        if index == len(words):
            break
        found[index] = (start, end)
        index += 1
    missing = sum(1 for span in found if span is None)
    if missing == len(words) or missing > max(1, len(words) // 4):
        raise AlignmentFailed("the text could not be aligned to the audio")
    index = 0
    while index < len(found):
        if found[index] is not None:
            index += 1
            continue
        run_end = index
        while run_end < len(found) and found[run_end] is None:
            run_end += 1
        before = found[index - 1] if index > 0 else None
        after = found[run_end] if run_end < len(found) else None
        start = before[1] if before else speech[0]
        end = after[0] if after else speech[1]
        if end - start < 0.05 * (run_end - index):  # no gap for them
            if after is None:  # at the end: the trailing silence, up to where speech stops
                gap = next((g for g in silences if g[0] >= start - 0.01), (start, start + 0.1))
                end = max(start + 0.05 * (run_end - index), min(gap[1], speech[1]))
            elif before is not None:  # between two words: the earlier one shares its time
                start = (before[0] + before[1]) / 2
                found[index - 1] = (before[0], start)
                end = before[1]
            else:  # at the start: the next word shares its time
                end = (after[0] + after[1]) / 2
                found[run_end] = (end, after[1])
                start = after[0]
        weights = [len(words[i]) + 1 for i in range(index, run_end)]
        at = start
        for offset, weight in enumerate(weights):
            length = (end - start) * weight / sum(weights)
            found[index + offset] = (at, at + length)
            at += length
        index = run_end
    return [span for span in found if span is not None]


class PocketsphinxAligner:
    """A ``WordAligner`` for English, offline."""

    def supports(self, language: str) -> bool:
        return language.lower().startswith("en")

    async def align(self, audio: Path, text: str) -> tuple[WordTiming, ...]:
        return await asyncio.to_thread(lambda: align_pcm(read_wav(audio), text))


__all__ = ["ALIGNER", "PocketsphinxAligner", "align_pcm"]
