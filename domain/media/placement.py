"""Where a fitted subject (a product picture) stands in a built-in key image, clear of the
job's character.

Pure. Without a character the subject is centred in the frame's upper middle (clear of the
caption band). In a scene that shows the character too, the subject moves beside it: to the
largest room left, right, above or below where the clip's move can ever bring the character's
box (``reach``), so the two never cover each other (the character is composited over the
moving clip afterwards, in its own box, still); of rooms nearly as large, the one nearest the
usual place.
"""

from __future__ import annotations

import math

from domain.media.geometry import Box
from domain.media.types import Size

#: Where the subject's centre sits, as a share of the frame's height.
CENTRE = 0.44
#: The lowest a subject beside a character may reach, as a share of the frame's height.
LOWEST = 0.8
#: Rooms fitting a subject at least this share of the largest one's size are as good: the one
#: nearest the usual place wins.
NEAR_LARGEST = 0.9
#: The gap between the subject and the character (and the frame's edge), as a share of the
#: frame's short side.
GAP = 0.04


def overlap(a: Box, b: Box) -> int:
    """The area (pixels) two boxes share."""
    w = min(a.right, b.right) - max(a.x, b.x)
    h = min(a.bottom, b.bottom) - max(a.y, b.y)
    return max(0, w) * max(0, h)


def _fit(subject: Size, width: float, height: float) -> tuple[int, int]:
    ratio = min(width / max(1, subject.width), height / max(1, subject.height))
    return max(1, round(subject.width * ratio)), max(1, round(subject.height * ratio))


def _in_room(subject: Size, room: Box, most: tuple[float, float], centre_y: float) -> Box:
    """The subject fitted into ``room`` (at most ``most``), centred across it, its centre at
    ``centre_y`` when the room allows."""
    w, h = _fit(subject, min(most[0], room.width), min(most[1], room.height))
    x = room.x + (room.width - w) // 2
    y = round(min(max(centre_y - h / 2, room.y), room.bottom - h))
    return Box(x, y, w, h)


def reach(character: Box, frame: Size, motion: tuple[float, float, float]) -> Box:
    """Where in the still a point can be that the clip's move (``motion``: its greatest zoom,
    its drifts across and down) ever shows inside ``character``'s box: a subject outside it
    never slides under the character however the still moves (the character stays put)."""

    def span(low: int, high: int, side: int, drift: float) -> tuple[int, int]:
        ends = []
        for zoom in (1.0, motion[0]):
            for position in (0.5 - drift / 2, 0.5 + drift / 2):
                shift = side / 2 + side * (position - 0.5)
                ends += [shift + (edge - shift) / zoom for edge in (low, high)]
        return math.floor(min(ends)), math.ceil(max(ends))

    x, right = span(character.x, character.right, frame.width, motion[1])
    y, bottom = span(character.y, character.bottom, frame.height, motion[2])
    return Box(x, y, right - x, bottom - y)


def subject_box(
    frame: Size, subject: Size, most: tuple[float, float], character: Box | None = None
) -> Box:
    """The box of a subject of ``subject``'s proportions, at most ``most`` (width, height)
    pixels: centred at :data:`CENTRE` of the frame's height, or, when that would touch
    ``character``'s box, in the largest room beside it (:data:`GAP` apart; of rooms nearly as
    large, the one nearest the usual place)."""
    centre_y = frame.height * CENTRE
    whole = Box(0, 0, frame.width, frame.height)
    centred = _in_room(subject, whole, most, centre_y)
    if character is None or overlap(centred, character) == 0:
        return centred
    gap = round(min(frame.width, frame.height) * GAP)
    low = round(frame.height * LOWEST)
    rooms = [
        Box(gap, gap, character.x - 2 * gap, low - gap),  # left
        Box(character.right + gap, gap, frame.width - character.right - 2 * gap, low - gap),
        Box(gap, gap, frame.width - 2 * gap, character.y - 2 * gap),  # above
        Box(gap, character.bottom + gap, frame.width - 2 * gap, low - character.bottom - gap),
    ]
    fitted = [
        _in_room(subject, room, most, centre_y)
        for room in rooms
        if room.width > 0 and room.height > 0
    ]
    if not fitted:
        return centred
    largest = max(box.width * box.height for box in fitted)
    near = [box for box in fitted if box.width * box.height >= largest * NEAR_LARGEST]
    return min(near, key=lambda box: _distance(box, centred))


def _distance(a: Box, b: Box) -> float:
    return float(
        (a.x + a.width / 2 - b.x - b.width / 2) ** 2
        + (a.y + a.height / 2 - b.y - b.height / 2) ** 2
    )


__all__ = ["CENTRE", "GAP", "NEAR_LARGEST", "overlap", "reach", "subject_box"]
