"""Where a designed layout puts the scene's picture, per aspect (16:9, 9:16, 1:1, 4:5)."""

from __future__ import annotations

from domain.media.geometry import Box, even
from domain.media.types import Size


def split_regions(size: Size) -> tuple[Box, Box]:
    """(picture, panel) of a split screen: side by side on landscape frames (the picture on the
    left, 56%), stacked on the others (the picture on top: 55% of a 9:16 frame, half of a square
    or 4:5 one, so the panel keeps room for a headline above the caption area)."""
    w, h = size.width, size.height
    if w > h * 1.2:
        cut = even(w * 0.56)
        return Box(0, 0, cut, h), Box(cut, 0, w - cut, h)
    cut = even(h * (0.55 if h > w * 1.5 else 0.5))
    return Box(0, 0, w, cut), Box(0, cut, w, h - cut)


__all__ = ["split_regions"]
