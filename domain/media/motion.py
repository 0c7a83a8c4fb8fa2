"""Ken Burns motion: a slow zoom/pan over a still, as sub-pixel-exact perspective expressions.

``zoompan`` rounds its crop window to whole pixels, which makes slow moves stutter; the
``perspective`` filter samples the source at fractional coordinates every frame, so motion stays
smooth however slow it is. A zoom of 1 centred on the frame is the identity: the first frame of a
CONTINUE clip is then exactly its start image.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from domain.enums import ShotType
from domain.media.escape import filter_value, fmt


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


def _ease(frames: int) -> str:
    """Smoothstep of the frame position: starts and ends at rest, no velocity jump at a seam."""
    if frames <= 1:
        return "0"
    p = f"(on/{frames - 1})"
    return f"({p}*{p}*(3-2*{p}))"


def _lerp(a: float, b: float, e: str) -> str:
    if a == b:
        return fmt(a)
    sign = "+" if b > a else "-"
    return f"({fmt(a)}{sign}{fmt(abs(b - a))}*{e})"


def perspective_filter(motion: KenBurns, frames: int, *, interpolation: str = "linear") -> str:
    """``perspective=...`` mapping the moving window to the full frame, evaluated per frame."""
    e = _ease(frames)
    zoom = f"max(1,{_lerp(motion.zoom_start, motion.zoom_end, e)})"  # rounding never dips below 1
    half_w = f"(W/2/{zoom})"
    half_h = f"(H/2/{zoom})"
    room = f"(1-1/{zoom})"
    cx = f"W*(0.5+({_lerp(motion.x_start, motion.x_end, e)}-0.5)*{room})"
    cy = f"H*(0.5+({_lerp(motion.y_start, motion.y_end, e)}-0.5)*{room})"
    left, right = f"{cx}-{half_w}", f"{cx}+{half_w}"
    top, bottom = f"{cy}-{half_h}", f"{cy}+{half_h}"
    corners = {
        "x0": left, "y0": top, "x1": right, "y1": top,
        "x2": left, "y2": bottom, "x3": right, "y3": bottom,
    }  # fmt: skip
    options = ":".join(f"{key}={filter_value(value)}" for key, value in corners.items())
    return f"perspective={options}:interpolation={interpolation}:eval=frame"


__all__ = ["CONTINUE_MOTION", "KenBurns", "ken_burns_for", "perspective_filter", "shot_motion"]
