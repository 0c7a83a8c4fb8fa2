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


def picture_size(size: Size, split: bool) -> Size:
    """The size of the box a scene's clip fills in a frame of ``size``: the picture side of
    a split screen (``split``: a SPLIT scene with words), else the whole frame."""
    if not split:
        return size
    media, _ = split_regions(size)
    return Size(media.width, media.height)


def kept_share(clip: Size, box: Size) -> float:
    """The share of a ``clip`` that a cover fit to ``box`` keeps (1.0 for the same shape)."""
    ratio = (clip.width / clip.height) / (box.width / box.height)
    return min(ratio, 1 / ratio)


__all__ = ["kept_share", "picture_size", "split_regions"]
