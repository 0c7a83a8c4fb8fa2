"""Job and scene durations: limits, and splitting a duration into scenes that sum to it exactly.

Durations are handled in whole milliseconds: a requested duration is rounded to the millisecond,
and scene durations are whole milliseconds whose sum is exactly the requested number, so their
decimal values (``1.043 + ... + 1.042``) add up to the requested value (``7.3``) exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from domain.errors import DomainError, ErrorCode, Invalid

MIN_JOB_SECONDS = 5.0
MAX_JOB_SECONDS = 120.0
MIN_SCENES = 3
MAX_SCENES = 7
#: Scene length limits when a person edits a scene.
MIN_SCENE_SECONDS = 0.5
MAX_SCENE_SECONDS = 60.0


def to_ms(seconds: float) -> int:
    """Seconds as whole milliseconds (through the float's shortest decimal form)."""
    return int((Decimal(repr(float(seconds))) * 1000).to_integral_value(ROUND_HALF_UP))


def from_ms(ms: int) -> float:
    """Whole milliseconds as seconds."""
    return ms / 1000


def total_seconds(durations: Sequence[float]) -> float:
    """The exact sum of durations (added in milliseconds, no float drift)."""
    return from_ms(sum(to_ms(d) for d in durations))


def clean_job_duration(value: float, field: str = "durationSeconds") -> float:
    """A job duration within 5..120 s, rounded to the millisecond."""
    if not math.isfinite(value) or not MIN_JOB_SECONDS <= value <= MAX_JOB_SECONDS:
        raise Invalid(
            f"{field} must be between {MIN_JOB_SECONDS:g} and {MAX_JOB_SECONDS:g} seconds", [field]
        )
    return from_ms(to_ms(value))


def clean_scene_duration(value: float, field: str = "durationSeconds") -> float:
    """A scene duration within 0.5..60 s, rounded to the millisecond."""
    if not math.isfinite(value) or not MIN_SCENE_SECONDS <= value <= MAX_SCENE_SECONDS:
        raise Invalid(
            f"{field} must be between {MIN_SCENE_SECONDS:g} and {MAX_SCENE_SECONDS:g} seconds",
            [field],
        )
    return from_ms(to_ms(value))


def clean_scene_count(value: int | None, field: str = "sceneCount") -> int | None:
    """A scene count within 3..7 (``None``: the planner chooses)."""
    if value is None:
        return None
    if not MIN_SCENES <= value <= MAX_SCENES:
        raise Invalid(f"{field} must be between {MIN_SCENES} and {MAX_SCENES}", [field])
    return value


def require_scene_count(count: int, field: str = "sceneIds") -> None:
    """``LIMIT_EXCEEDED`` when an edit would leave a job with fewer than 3 or more than 7 scenes."""
    if not MIN_SCENES <= count <= MAX_SCENES:
        raise DomainError(
            ErrorCode.LIMIT_EXCEEDED,
            f"a job has {MIN_SCENES} to {MAX_SCENES} scenes (this would make {count})",
            [field],
        )


def default_scene_count(duration: float) -> int:
    """About one scene per six seconds, within 3..7."""
    return max(MIN_SCENES, min(MAX_SCENES, round(duration / 6)))


def split_duration(total: float, weights: Sequence[float]) -> list[float]:
    """Split ``total`` seconds into ``len(weights)`` parts proportional to ``weights``.

    Parts are whole milliseconds (largest-remainder rounding, ties to the earliest part) and
    their sum is exactly ``total`` rounded to the millisecond. Every part gets at least 1 ms.
    """
    if not weights:
        raise ValueError("no parts to split into")
    if any(not math.isfinite(w) or w <= 0 for w in weights):
        raise ValueError("weights must be positive")
    total_ms = to_ms(total)
    if total_ms < len(weights):
        raise ValueError("total too short for that many parts")
    scale = Decimal(total_ms) / Decimal(repr(math.fsum(weights)))
    exact = [Decimal(repr(w)) * scale for w in weights]
    parts = [int(x) for x in exact]  # floor (all positive)
    short = total_ms - sum(parts)
    order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:short]:
        parts[i] += 1
    for i, part in enumerate(parts):  # never a zero-length part
        if part == 0:
            donor = max(range(len(parts)), key=lambda j: parts[j])
            parts[donor] -= 1
            parts[i] = 1
    assert sum(parts) == total_ms
    return [from_ms(p) for p in parts]


__all__ = [
    "MAX_JOB_SECONDS",
    "MAX_SCENES",
    "MAX_SCENE_SECONDS",
    "MIN_JOB_SECONDS",
    "MIN_SCENES",
    "MIN_SCENE_SECONDS",
    "clean_job_duration",
    "clean_scene_count",
    "clean_scene_duration",
    "default_scene_count",
    "from_ms",
    "require_scene_count",
    "split_duration",
    "to_ms",
    "total_seconds",
]
