"""Frame sizes for (resolution, aspect ratio) pairs and the safe area text must stay inside."""

from __future__ import annotations

from dataclasses import dataclass

from domain.enums import AspectRatio, Resolution
from domain.media.types import Size

#: Width:height of each aspect ratio.
ASPECT_RATIOS: dict[AspectRatio, tuple[int, int]] = {
    AspectRatio.LANDSCAPE_16_9: (16, 9),
    AspectRatio.PORTRAIT_9_16: (9, 16),
    AspectRatio.SQUARE_1_1: (1, 1),
    AspectRatio.VERTICAL_4_5: (4, 5),
}

#: The short side of the frame for each resolution name.
SHORT_SIDES: dict[Resolution, int] = {
    Resolution.P480: 480,
    Resolution.P720: 720,
    Resolution.P1080: 1080,
    Resolution.P2160: 2160,
}


def even(value: float) -> int:
    """Nearest even integer (H.264 4:2:0 needs even dimensions), at least 2."""
    return max(2, 2 * round(value / 2))


def frame_size(resolution: Resolution, aspect: AspectRatio) -> Size:
    """The output frame: the resolution names the short side, the long side follows the ratio.

    P1080 16:9 is 1920x1080, 9:16 is 1080x1920, 1:1 is 1080x1080, 4:5 is 1080x1350.
    """
    short = SHORT_SIDES[resolution]
    w, h = ASPECT_RATIOS[aspect]
    if w >= h:
        return Size(even(short * w / h), short)
    return Size(short, even(short * h / w))


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in pixels."""

    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height


def safe_area(size: Size) -> Box:
    """Title-safe area: text and logos stay inside it.

    Portrait frames keep more room at the bottom and top, where social apps draw their own UI.
    """
    portrait = size.height > size.width
    side = 0.08
    top = 0.10 if portrait else 0.08
    bottom = 0.20 if portrait else 0.10
    x = round(size.width * side)
    y = round(size.height * top)
    return Box(x, y, size.width - 2 * x, size.height - y - round(size.height * bottom))


__all__ = ["ASPECT_RATIOS", "SHORT_SIDES", "Box", "even", "frame_size", "safe_area"]
