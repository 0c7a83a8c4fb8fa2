"""Scripts written to be spoken in their scene's time: the planners' word budget.

Pure rules on top of :mod:`domain.rules.narration`. A scene of ``s`` seconds holds at most
``script_budget(s, language)`` words (characters for languages written without spaces): its
time less the lead-in and tail, at the language's natural rate. The built-in planner offers
several lines per beat, longest first, and keeps the longest one within budget
(:func:`longest_fitting`); a hosted planner's lines are shortened to the budget at a sentence,
then a clause, then a word boundary (:func:`fit_script`). The end card says the call to action,
which the user wrote and which is never shortened: :func:`room_for_line` lengthens the end card
so it can be said, taking the time from the other scenes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from domain.rules.durations import from_ms, to_ms
from domain.rules.narration import (
    LEAD_SECONDS,
    TAIL_SECONDS,
    NarrationTooLong,
    fit_scenes,
    script_budget,
    speech_seconds,
    spoken_units,
)

_SENTENCE = re.compile(r"[^.!?…]+[.!?…]+[\"')\]]*|[^.!?…]+$")
_CLAUSE = re.compile(r"[,;:\u2013\u2014]")
_TOKEN = re.compile(r"\S+")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def _close(text: str) -> str:
    text = text.strip().rstrip(",;:-\u2013\u2014 ")
    return text if not text or text[-1] in ".!?…" else text + "."


def fit_script(text: str, scene_seconds: float, language: str = "en") -> str:
    """``text`` if it can be said in the scene, else the longest start of it that can: whole
    sentences first, then the first clause, then whole words (empty if not one word fits)."""
    return cut_to_units(text, script_budget(scene_seconds, language), language)


def cut_to_units(text: str, budget: int, language: str = "en") -> str:
    """``text`` if it has at most ``budget`` words (characters for languages written without
    spaces), else its longest start that has: whole sentences, then the first clause, then
    whole words."""
    text = " ".join(text.split())
    if spoken_units(text, language) <= budget:
        return text
    kept: list[str] = []
    for sentence in _sentences(text):
        if spoken_units(" ".join([*kept, sentence]), language) > budget:
            break
        kept.append(sentence)
    if kept:
        return " ".join(kept)
    first = _sentences(text)[0] if _sentences(text) else text
    clause = _CLAUSE.split(first, maxsplit=1)[0]
    if 0 < spoken_units(clause, language) <= budget:
        return _close(clause)
    words: list[str] = []
    for token in _TOKEN.findall(first):
        if spoken_units(" ".join([*words, token]), language) > budget:
            break
        words.append(token)
    if not words and budget > 0 and spoken_units(first, language) > 0:  # no spaces (ja, zh...)
        cut = ""
        for char in first:
            if spoken_units(cut + char, language) > budget:
                break
            cut += char
        return cut
    return _close(" ".join(words))


def longest_fitting(candidates: Iterable[str], scene_seconds: float, language: str = "en") -> str:
    """The first of ``candidates`` (give them longest first) that can be said in the scene; the
    last one shortened by :func:`fit_script` when none can."""
    last = ""
    budget = script_budget(scene_seconds, language)
    for line in candidates:
        line = " ".join(line.split())
        if not line:
            continue
        if spoken_units(line, language) <= budget:
            return line
        last = line
    return fit_script(last, scene_seconds, language)


def needed_seconds(text: str, language: str = "en") -> float:
    """How long a scene must be to say ``text`` at a natural pace (0 when it says nothing)."""
    if spoken_units(text, language) == 0:
        return 0.0
    return speech_seconds(text, language) + LEAD_SECONDS + TAIL_SECONDS


def room_for_line(
    durations: Sequence[float], index: int, text: str, language: str = "en"
) -> list[float]:
    """Durations where scene ``index`` is long enough to say ``text`` at a natural pace, the
    time taken from the other scenes in proportion to their room; the total is unchanged to the
    millisecond. Unchanged when the scene is long enough already, or when the whole ad is too
    short for the line (the narration step then reports it)."""
    speech = [0.0] * len(durations)
    speech[index] = speech_seconds(text, language)
    if speech[index] <= 0 or to_ms(needed_seconds(text, language)) <= to_ms(durations[index]):
        return list(durations)
    try:
        fit = fit_scenes(durations, speech, max_speed=1.0)
    except NarrationTooLong:
        return list(durations)
    return [from_ms(to_ms(d)) for d in fit.durations]


__all__ = [
    "cut_to_units",
    "fit_script",
    "longest_fitting",
    "needed_seconds",
    "room_for_line",
]
