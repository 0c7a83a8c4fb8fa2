"""Ken Burns motion: a slow zoom/pan over a still, as a sub-pixel window per frame.

``zoompan`` rounds its crop window to whole pixels, which makes slow moves stutter; each frame
here samples the still at fractional coordinates, so motion stays smooth however slow it is. A
zoom of 1 centred on the frame is the identity: the first frame of a CONTINUE clip is then
exactly its start image.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from domain.enums import ShotType
from domain.media.types import Size


@dataclass(frozen=True, slots=True)
class KenBurns:
    """Zoom factors (>= 1) and window positions at the first and last frame.

    A position is a fraction of the room the zoom leaves to move in (0 = left/top edge, 0.5 =
    centred, 1 = right/bottom edge), so a pan never runs into the frame edge and never kinks.
    """

    zoom_start: float = 1.0
    zoom_end: float = 1.1
    x_start: float = 0.5
    x_end: float = 0.5
    y_start: float = 0.5
    y_end: float = 0.5

    def __post_init__(self) -> None:
        if self.zoom_start < 1 or self.zoom_end < 1:
            raise ValueError(
                "Ken Burns zoom factors must be >= 1 (the window stays inside the image)"
            )


#: Motion for a clip that continues the previous one: it opens on the identity (its start image).
CONTINUE_MOTION = KenBurns(1.0, 1.06)

# (zoom range, horizontal drift, vertical drift) per shot type; drifts are fractions of the room.
_SHOT_MOTION: dict[ShotType, tuple[float, float, float]] = {
    ShotType.WIDE: (0.08, 0.6, 0.0),
    ShotType.MEDIUM: (0.10, 0.4, 0.2),
    ShotType.CLOSE_UP: (0.14, 0.2, 0.2),
    ShotType.EXTREME_CLOSE_UP: (0.18, 0.1, 0.1),
    ShotType.OVERHEAD: (0.07, 0.5, 0.5),
    ShotType.PRODUCT: (0.12, 0.0, 0.0),
}


def shot_motion(shot: ShotType) -> tuple[float, float, float]:
    """The most a shot's move zooms (the factor) and drifts (across and down, as fractions of
    the room the zoom leaves), whatever its seed."""
    zoom, drift_x, drift_y = _SHOT_MOTION[shot]
    return 1.0 + zoom, drift_x, drift_y


def ken_burns_for(shot: ShotType, seed: int, *, continues: bool = False) -> KenBurns:
    """A tasteful, deterministic move for a shot type; ``continues`` forces an identity opening."""
    zoom, drift_x, drift_y = _SHOT_MOTION[shot]
    rng = random.Random(seed)
    dx = drift_x * rng.choice((-1.0, 1.0))
    dy = drift_y * rng.choice((-1.0, 1.0))
    if continues:
        return KenBurns(1.0, 1.0 + zoom, 0.5, 0.5 + dx / 2, 0.5, 0.5 + dy / 2)
    if rng.random() < 0.35 and shot is not ShotType.PRODUCT:  # sometimes pull out instead of in
        return KenBurns(1.0 + zoom, 1.0, 0.5 + dx / 2, 0.5 - dx / 2, 0.5 + dy / 2, 0.5 - dy / 2)
    return KenBurns(1.0, 1.0 + zoom, 0.5 - dx / 2, 0.5 + dx / 2, 0.5 - dy / 2, 0.5 + dy / 2)


@dataclass(frozen=True, slots=True)
class Window:
    """The part of the still one frame shows, in the still's pixels: output pixel ``(x, y)``
    samples the still at ``(left + x * scale, top + y * scale)`` (``scale`` is ``1 / zoom``)."""

    left: float
    top: float
    scale: float

    @property
    def identity(self) -> bool:
        """The frame is the still itself."""
        return self.left == 0 and self.top == 0 and self.scale == 1


def ease(n: int, frames: int) -> float:
    """Smoothstep of frame ``n``'s position in ``frames``: starts and ends at rest, so there is
    no velocity jump at a seam."""
    if frames <= 1:
        return 0.0
    p = n / (frames - 1)
    return p * p * (3 - 2 * p)


def window(motion: KenBurns, frames: int, n: int, size: Size) -> Window:
    """Where frame ``n`` of a ``frames``-frame move looks, sub-pixel exact (no whole-pixel
    stepping however slow the move)."""
    e = ease(n, frames)
    zoom = max(1.0, motion.zoom_start + (motion.zoom_end - motion.zoom_start) * e)
    room = 1 - 1 / zoom
    x = motion.x_start + (motion.x_end - motion.x_start) * e
    y = motion.y_start + (motion.y_end - motion.y_start) * e
    left = size.width * ((x - 0.5) * room + 0.5 - 0.5 / zoom)
    top = size.height * ((y - 0.5) * room + 0.5 - 0.5 / zoom)
    return Window(left, top, 1 / zoom)


__all__ = [
    "CONTINUE_MOTION",
    "KenBurns",
    "Window",
    "ease",
    "ken_burns_for",
    "shot_motion",
    "window",
]
