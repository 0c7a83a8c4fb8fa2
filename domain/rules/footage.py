"""Rules of uploaded footage in scenes: in-points, a steady start, and continuity.

A scene with a video asset takes its clip from that footage instead of generating one: the
clip is the scene's duration of footage from the in-point (``trim_start_seconds``). Without an
in-point a *steady* one is picked: the first moment after any fade-in or flash, measured on the
first seconds of the footage (:func:`steady_start`), moved earlier when the footage would
otherwise end before the scene does. Footage shorter than its scene holds its last frame.

Continuity: a scene after footage may CONTINUE from the footage's last frame; a CONTINUE *into*
footage is impossible (the footage's first frame is what it is) and refused, naming the scene.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from domain.enums import SceneContinuity
from domain.errors import Invalid

#: Longest in-point accepted (the longest upload is shorter than this).
MAX_TRIM_SECONDS = 3600.0

#: How much of the footage's start is measured for a steady in-point.
STEADY_SCAN_SECONDS = 4.0

#: A frame is steady when its brightness is within this fraction of the settled level (above
#: black) and it differs little from the frame before; the steady stretch must last this long.
STEADY_LEVEL = 0.9
STEADY_SECONDS = 0.5

#: Luma of video black (limited range).
BLACK_LUMA = 16.0


@dataclass(frozen=True, slots=True)
class FrameStat:
    """One analysed frame: its time, mean luma (``YAVG``) and change from the last (``YDIF``)."""

    seconds: float
    luma: float
    change: float


def clean_trim_start(value: float | None, field: str = "trimStartSeconds") -> float | None:
    """An in-point in seconds (``None``: picked automatically); millisecond precision."""
    if value is None:
        return None
    if not math.isfinite(value) or value < 0 or value > MAX_TRIM_SECONDS:
        raise Invalid(f"{field} must be between 0 and {MAX_TRIM_SECONDS:g} seconds", [field])
    return round(value, 3)


def require_trim_within(trim: float | None, footage_seconds: float | None, field: str) -> None:
    """``INVALID`` when the in-point is at or past the end of the footage."""
    if trim is not None and footage_seconds is not None and trim >= footage_seconds:
        raise Invalid(
            f"{field} {trim:g} s is past the end of the footage ({footage_seconds:.3f} s)", [field]
        )


def steady_start(frames: Sequence[FrameStat], *, fps: float) -> float:
    """The first moment from which the picture is steady for :data:`STEADY_SECONDS`.

    The settled level is the median luma of the last half of the measured frames; a frame is
    steady when it is at least :data:`STEADY_LEVEL` of that level above black (a fade from black
    is not) and changes no more than three times the typical change (a flash or a fade is not).
    0.0 when the footage starts steady or too little was measured.
    """
    if len(frames) < 4:
        return 0.0
    settled = statistics.median(f.luma for f in frames[len(frames) // 2 :]) - BLACK_LUMA
    typical = statistics.median(f.change for f in frames[len(frames) // 2 :])
    limit = max(1.0, 3 * typical)
    run = max(1, round(STEADY_SECONDS * fps))

    def steady(frame: FrameStat) -> bool:
        lit = settled <= 0 or frame.luma - BLACK_LUMA >= STEADY_LEVEL * settled
        return lit and frame.change <= limit

    for index in range(len(frames) - run + 1):
        if all(steady(f) for f in frames[index : index + run]):
            return frames[index].seconds if index > 0 else 0.0
    return 0.0


def in_point(
    trim: float | None, steady: float, footage_seconds: float | None, scene_seconds: float
) -> float:
    """Where the scene's clip starts in the footage.

    The scene's own ``trim`` when set; otherwise the ``steady`` start, moved earlier (never
    before 0) when the footage would end before the scene does.
    """
    if trim is not None:
        return trim
    if footage_seconds is None:
        return steady
    return max(0.0, min(steady, footage_seconds - scene_seconds))


def held_seconds(start: float, footage_seconds: float | None, scene_seconds: float) -> float:
    """How long the footage's last frame is held at the end of the scene (0: none)."""
    if footage_seconds is None:
        return 0.0
    return max(0.0, scene_seconds - max(0.0, footage_seconds - start))


def footage_cannot_continue(position: int, field: str = "continuity") -> Invalid:
    """The ``INVALID`` error of a CONTINUE into the footage of the scene at ``position``."""
    return Invalid(
        f"scene {position + 1} shows uploaded footage and cannot CONTINUE the previous shot "
        "(footage opens on its own first frame): make it a CUT",
        [field],
    )


def continue_into_footage(
    continuity: Sequence[SceneContinuity], footage: Sequence[bool], field: str = "continuity"
) -> Invalid | None:
    """``INVALID`` naming the first scene that would CONTINUE into footage, else ``None``."""
    for index, (kind, has_footage) in enumerate(zip(continuity, footage, strict=True)):
        if index > 0 and has_footage and kind is SceneContinuity.CONTINUE:
            return footage_cannot_continue(index, field)
    return None


__all__ = [
    "BLACK_LUMA",
    "MAX_TRIM_SECONDS",
    "STEADY_SCAN_SECONDS",
    "FrameStat",
    "clean_trim_start",
    "continue_into_footage",
    "footage_cannot_continue",
    "held_seconds",
    "in_point",
    "require_trim_within",
    "steady_start",
]
