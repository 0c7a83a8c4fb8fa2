"""Feature callouts (the FEATURES layout): when each comes in, where each row goes, and the
colours of its numbered marker.

Pure rules. The rows are drawn by ``domain.adapters.ffmpeg.feature_panel``; each one is a
picture that rises in after the one before, like a kinetic headline's lines.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.media import colors
from domain.media.contrast import MIN_CONTRAST, ratio

#: When the first callout comes in after the scene's words may show (seconds).
FIRST_IN = 0.25
#: The most time between two callouts coming in (seconds).
STAGGER = 0.55
#: The share of the scene's window by which every callout is in.
ALL_IN_BY = 0.5

WHITE: colors.RGB = (255, 255, 255)
INK: colors.RGB = (20, 20, 24)


def callout_starts(start: float, end: float, count: int) -> list[float]:
    """When each of ``count`` callouts comes in, one after another, all within the first
    :data:`ALL_IN_BY` of the window ``[start, end)`` (seconds)."""
    if count <= 0:
        return []
    span = max(0.0, end - start)
    first = start + min(FIRST_IN, span * 0.1)
    step = min(STAGGER, max(0.0, span * ALL_IN_BY - (first - start)) / max(1, count - 1))
    return [first + step * index for index in range(count)]


def callout_rows(top: int, height: int, heights: Sequence[int], gap: int) -> list[int]:
    """The top of each row (of ``heights``, ``gap`` apart), the block centred in ``height``
    from ``top`` (from ``top`` when it does not fit)."""
    block = sum(heights) + gap * max(0, len(heights) - 1)
    y = top + max(0, (height - block) // 2)
    out = []
    for row in heights:
        out.append(y)
        y += row + gap
    return out


def marker_colors(accent: colors.RGB) -> tuple[colors.RGB, colors.RGB]:
    """(fill, ink) of a numbered marker: the accent colour with white or near-black numbers,
    whichever reads better, the fill shaded until they keep :data:`MIN_CONTRAST`."""
    fill = accent
    for _ in range(40):
        ink = max((WHITE, INK), key=lambda c: ratio(c, fill))
        if ratio(ink, fill) >= MIN_CONTRAST:
            return fill, ink
        fill = colors.shade(fill, 0.15)
    return fill, WHITE


__all__ = ["ALL_IN_BY", "callout_rows", "callout_starts", "marker_colors"]
