"""Where a designed layout puts the scene's picture, per aspect (16:9, 9:16, 1:1, 4:5)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain.media.geometry import Box, even, safe_area
from domain.media.types import Size

#: The room kept clear above the safe area's bottom for two caption lines, as a share of the
#: frame's short side.
CAPTION_ROOM = 0.24


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


@dataclass(frozen=True, slots=True)
class FeatureBoxes:
    """A FEATURES scene: the ``picture`` (the scene's clip, cover-fitted), the brand ``panel``
    and, inside the panel and the safe area, clear of the caption area, the ``heading`` (the
    scene's words) above the ``callouts`` (the features, one row each)."""

    picture: Box
    panel: Box
    heading: Box
    callouts: Box


def features_boxes(size: Size, *, captions: bool = True) -> FeatureBoxes:
    """The boxes of a FEATURES scene: the picture on the left of a landscape, square or 4:5
    frame (half of a landscape one, 40% of the others), on top of a 9:16 one (36%), the panel
    in the rest; its words clear of the caption area when ``captions`` show over the scene."""
    w, h = size.width, size.height
    safe = safe_area(size)
    unit = min(w, h)
    margin = round(unit * 0.05)
    if h > w * 1.5:
        cut = even(h * 0.36)
        picture, panel = Box(0, 0, w, cut), Box(0, cut, w, h - cut)
        left, right, top = safe.x, safe.right, panel.y + margin
    else:
        cut = even(w * (0.5 if w > h * 1.2 else 0.4))
        picture, panel = Box(0, 0, cut, h), Box(cut, 0, w - cut, h)
        left, right, top = panel.x + margin, safe.right, safe.y + margin // 2
    bottom = safe.bottom - (round(unit * CAPTION_ROOM) if captions else margin // 2)
    heading = round(unit * 0.15)
    return FeatureBoxes(
        picture,
        panel,
        Box(left, top, right - left, heading),
        Box(left, top + heading, right - left, max(unit // 6, bottom - top - heading)),
    )


def centred(boxes: FeatureBoxes, block: int) -> FeatureBoxes:
    """``boxes`` with the heading and a callout block ``block`` pixels high moved down together
    so they sit in the middle of the room the two boxes had."""
    room = boxes.callouts.bottom - boxes.heading.y
    used = boxes.heading.height + min(block, boxes.callouts.height)
    down = max(0, (room - used) // 2)
    heading = replace(boxes.heading, y=boxes.heading.y + down)
    callouts = replace(boxes.callouts, y=heading.bottom, height=min(block, boxes.callouts.height))
    if callouts.bottom > boxes.callouts.bottom:  # never below the room it had
        callouts = replace(callouts, y=boxes.callouts.bottom - callouts.height)
    return replace(boxes, heading=heading, callouts=callouts)


__all__ = [
    "CAPTION_ROOM",
    "FeatureBoxes",
    "centred",
    "features_boxes",
    "kept_share",
    "picture_size",
    "split_regions",
]
