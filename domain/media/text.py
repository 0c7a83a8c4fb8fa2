"""Line wrapping for captions and cards, given a width-measuring function (pure)."""

from __future__ import annotations

import math
from collections.abc import Callable

Measure = Callable[[str, int], float]
"""``measure(text, font_size) -> width in pixels`` of one line."""


def _break_word(word: str, size: int, width: int, measure: Measure) -> list[str]:
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and measure(current + char, size) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, size: int, width: int, measure: Measure) -> list[str]:
    """Greedy word wrap keeping every character; explicit newlines are kept as breaks."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if measure(candidate, size) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            if measure(word, size) <= width:
                current = word
            else:
                *full, current = _break_word(word, size, width, measure)
                lines.extend(full)
        lines.append(current)
    return lines


def balance(text: str, size: int, width: int, measure: Measure) -> list[str]:
    """Greedy wrap, then the narrowest width giving the same line count: no lonely last word.
    Never narrower than the widest word that fits: balancing does not break words."""
    lines = wrap(text, size, width, measure)
    if len(lines) < 2:
        return lines
    widest = max((measure(word, size) for word in text.split()), default=0.0)
    low, high = max(1, min(width, math.ceil(widest))), width
    while low < high:
        middle = (low + high) // 2
        if len(wrap(text, size, middle, measure)) <= len(lines):
            high = middle
        else:
            low = middle + 1
    return wrap(text, size, high, measure)


def fit_text(
    text: str,
    *,
    size: int,
    width: int,
    max_lines: int,
    measure: Measure,
    min_scale: float = 0.6,
) -> tuple[list[str], int]:
    """Wrap (balanced) at ``size``; shrink the font (to ``min_scale``) until it fits ``max_lines``."""
    floor = max(8, round(size * min_scale))
    current = size
    while True:
        lines = balance(text, current, width, measure)
        if len(lines) <= max_lines or current <= floor:
            return lines, current
        current = max(floor, round(current * 0.9))


__all__ = ["Measure", "balance", "fit_text", "wrap"]
