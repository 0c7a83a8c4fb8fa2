"""An offline English recogniser (pocketsphinx's bundled model) and word error rate.

Used to measure how intelligible a voice is: synthesise a fixed set of ad lines, transcribe
them, compare word by word with the text.
"""

from __future__ import annotations

import re

from domain.adapters.providers.wav import Pcm, resample, to_int16

#: Ten ad lines in plain words (no brand names or numbers, so every word is in the recogniser's
#: dictionary and the measure is about the voice, not about text normalisation).
AD_LINES = (
    "Meet the lightest running shoe we have ever made.",
    "Your morning coffee, ready before you wake up.",
    "Clean water for every home in just five minutes.",
    "Tired of waiting in line? Order from your phone.",
    "Fresh bread baked every morning in your neighborhood.",
    "Save time and money with one simple app.",
    "Built to last, designed to travel anywhere.",
    "Try it free for thirty days and feel the difference.",
    "Sleep better tonight with our soft cotton sheets.",
    "Visit our store today and get a second pair free.",
)

_WORD = re.compile(r"[a-z']+")


def words(text: str) -> list[str]:
    """Lower-case words without punctuation."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edit distance in words, reference word count)."""
    ref, hyp = words(reference), words(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1], len(ref)


def word_error_rate(pairs: list[tuple[str, str]]) -> float:
    """Corpus WER over (reference, hypothesis) pairs."""
    errors = total = 0
    for reference, hypothesis in pairs:
        e, n = word_errors(reference, hypothesis)
        errors += e
        total += n
    return errors / total if total else 0.0


def transcribe(pcm: Pcm) -> str:
    """What pocketsphinx's bundled US English model hears in ``pcm``."""
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=16000, loglevel="FATAL")
    decoder.start_utt()
    decoder.process_raw(to_int16(resample(pcm, 16000)), full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr if hyp is not None else ""
