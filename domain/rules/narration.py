"""Narration that fits the ad: natural speaking rates, script budgets, scene durations that
follow the spoken lengths while the ad keeps exactly its requested duration.

Pure rules. The planner writes each scene's script within :func:`script_budget` of its scene.
After synthesis, :func:`fit_scenes` lengthens scenes whose narration does not fit (taking the
time from scenes with room to spare, in proportion to their room), and when the whole ad is too
short for its narration at a natural pace, speeds every line up by the same factor, never beyond
``MAX_SPEED``. Words are never cut; a narration that cannot fit is a :class:`NarrationTooLong`
error that says by how much.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from domain.errors import DomainError, ErrorCode
from domain.rules.durations import MIN_SCENE_SECONDS, from_ms, to_ms

#: The slowest and fastest speaking rate a voice is asked for (1.0 = its natural pace).
MIN_SPEED = 0.8
MAX_SPEED = 1.2
#: Silence kept before a scene's narration starts and after it ends (cuts breathe).
LEAD_SECONDS = 0.25
TAIL_SECONDS = 0.35

#: Natural ad narration, in words per second (about 150 words a minute in English).
WORDS_PER_SECOND = {
    "en": 2.5, "es": 2.7, "fr": 2.6, "it": 2.6, "pt": 2.6, "de": 2.2, "nl": 2.4, "sv": 2.3,
    "da": 2.3, "no": 2.3, "fi": 1.9, "pl": 2.1, "ru": 2.1, "tr": 2.1, "id": 2.3, "vi": 3.0,
}  # fmt: skip
#: Languages written without spaces between words, in characters per second.
CHARS_PER_SECOND = {"ja": 7.0, "zh": 4.5, "ko": 6.0, "th": 7.0}
DEFAULT_WORDS_PER_SECOND = 2.3

_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*", re.UNICODE)


class NarrationTooLong(DomainError):
    """The narration cannot be spoken in the ad's duration at a natural pace."""

    def __init__(self, message: str, field: list[str] | None = None) -> None:
        super().__init__(ErrorCode.LIMIT_EXCEEDED, message, field or ["scenes", "script"])


def _base(language: str) -> str:
    return language.split("-")[0].split("_")[0].lower()


def spoken_units(text: str, language: str = "en") -> int:
    """Words in ``text`` (characters, for languages written without spaces)."""
    if _base(language) in CHARS_PER_SECOND:
        return sum(1 for c in text if c.isalnum())
    return len(_WORD.findall(text))


def units_per_second(language: str = "en") -> float:
    """The natural speaking rate for ``language`` (words, or characters, per second)."""
    base = _base(language)
    return CHARS_PER_SECOND.get(base) or WORDS_PER_SECOND.get(base, DEFAULT_WORDS_PER_SECOND)


def speech_seconds(text: str, language: str = "en") -> float:
    """About how long ``text`` takes to say at a natural pace."""
    return spoken_units(text, language) / units_per_second(language)


def script_budget(scene_seconds: float, language: str = "en") -> int:
    """The most words (characters) a scene's script may have to be said naturally in the scene."""
    room = scene_seconds - LEAD_SECONDS - TAIL_SECONDS
    return max(0, math.floor(room * units_per_second(language) + 1e-9))


def fits(text: str, scene_seconds: float, language: str = "en") -> bool:
    """Whether ``text`` is within the budget of a scene of ``scene_seconds``."""
    return spoken_units(text, language) <= script_budget(scene_seconds, language)


@dataclass(frozen=True, slots=True)
class Fit:
    """Scene durations (summing exactly to the ad's) and the speed every line is spoken at."""

    durations: tuple[float, ...]
    speed: float = 1.0


def _needed_ms(speech: float, speed: float) -> int:
    if speech <= 0:
        return to_ms(MIN_SCENE_SECONDS)
    spoken = math.ceil(speech / speed * 1000 - 1e-6)
    return max(to_ms(MIN_SCENE_SECONDS), spoken + to_ms(LEAD_SECONDS + TAIL_SECONDS))


def _share(amount: int, weights: Sequence[int]) -> list[int]:
    """``amount`` ms split in proportion to ``weights`` (largest remainder, earliest first)."""
    total = sum(weights)
    exact = [amount * w / total for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: amount - sum(parts)]:
        parts[i] += 1
    return parts


def _too_long(speech: Sequence[float], total_ms: int, max_speed: float) -> NarrationTooLong:
    at_max = sum(_needed_ms(s, max_speed) for s in speech)
    over = max(0.001, (at_max - total_ms) / 1000)
    return NarrationTooLong(
        f"the narration needs {at_max / 1000:.1f} s even at {max_speed:g}x speed, "
        f"{over:.1f} s more than the ad's {total_ms / 1000:g} s: shorten the scripts by "
        f"about {math.ceil(over * DEFAULT_WORDS_PER_SECOND)} words or lengthen the ad"
    )


def fit_scenes(
    planned: Sequence[float],
    speech: Sequence[float],
    *,
    total: float | None = None,
    max_speed: float = MAX_SPEED,
) -> Fit:
    """Scene durations that hold each scene's narration (``speech[i]`` seconds at speed 1).

    Scenes that already hold their narration keep their length unless another scene needs time;
    then the time is taken from the scenes with room, in proportion to their room. ``total``
    (default: the planned sum) stays exact to the millisecond.
    """
    if len(planned) != len(speech) or not planned:
        raise ValueError("one speech length per scene")
    total_ms = to_ms(total if total is not None else math.fsum(planned))
    planned_ms = [to_ms(p) for p in planned]
    if sum(planned_ms) != total_ms:  # planned durations that do not add up: rescale first
        planned_ms = _share(total_ms, [max(1, p) for p in planned_ms])
    speed = 1.0
    needed = [_needed_ms(s, speed) for s in speech]
    if sum(needed) > total_ms:
        speaking = sum(s for s in speech if s > 0)
        fixed = sum(n for n, s in zip(needed, speech, strict=True) if s <= 0)
        pads = to_ms(LEAD_SECONDS + TAIL_SECONDS) * sum(1 for s in speech if s > 0)
        spare_ms = total_ms - fixed - pads
        speed = speaking * 1000 / spare_ms if spare_ms > 0 else math.inf
        if speed > max_speed + 1e-9:
            raise _too_long(speech, total_ms, max_speed)
        speed = math.ceil(speed * 1000) / 1000  # a little faster, never a little too slow
        needed = [_needed_ms(s, speed) for s in speech]
        while sum(needed) > total_ms and speed < max_speed:  # rounding of each line to the ms
            speed = min(max_speed, round(speed + 0.001, 3))
            needed = [_needed_ms(s, speed) for s in speech]
        if sum(needed) > total_ms:
            raise _too_long(speech, total_ms, max_speed)
    deficit = sum(max(0, n - p) for n, p in zip(needed, planned_ms, strict=True))
    room = [max(0, p - n) for n, p in zip(needed, planned_ms, strict=True)]
    taken = _share(deficit, room) if deficit else [0] * len(room)
    durations = [max(n, p) - t for n, p, t in zip(needed, planned_ms, taken, strict=True)]
    slack = total_ms - sum(durations)  # after a speed-up the needs may leave a few ms over
    if slack:
        for i, extra in enumerate(_share(slack, [max(1, d) for d in durations])):
            durations[i] += extra
    return Fit(tuple(from_ms(d) for d in durations), speed)


__all__ = [
    "CHARS_PER_SECOND",
    "DEFAULT_WORDS_PER_SECOND",
    "LEAD_SECONDS",
    "MAX_SPEED",
    "MIN_SPEED",
    "TAIL_SECONDS",
    "WORDS_PER_SECOND",
    "Fit",
    "NarrationTooLong",
    "fit_scenes",
    "fits",
    "script_budget",
    "speech_seconds",
    "spoken_units",
    "units_per_second",
]
