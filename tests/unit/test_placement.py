"""A product shown with the character stands beside it: their boxes never overlap, in every
aspect, whatever the proportions of the product and of the character."""

from __future__ import annotations

import itertools

import pytest

from domain.enums import AspectRatio, Resolution, ShotType
from domain.media.character import character_box
from domain.media.geometry import Box, frame_size
from domain.media.motion import shot_motion
from domain.media.placement import CENTRE, overlap, reach, subject_box
from domain.media.types import Size

#: The most of the smaller box the two may share.
TOLERANCE = 0.01
PRODUCTS = [Size(400, 1000), Size(900, 1200), Size(1200, 800), Size(1000, 1000)]
CHARACTERS = [Size(300, 900), Size(600, 1000), Size(800, 800), Size(1200, 900)]


def _most(frame: Size, scale: float = 0.74) -> tuple[float, float]:
    tall = frame.height > frame.width * 1.2
    return frame.width * scale, frame.height * scale * (0.6 if tall else 0.78)


def _inside(box: Box, frame: Size) -> bool:
    return box.x >= 0 and box.y >= 0 and box.right <= frame.width and box.bottom <= frame.height


@pytest.mark.parametrize("aspect", list(AspectRatio))
@pytest.mark.parametrize("cutout", [True, False])
def test_the_product_and_the_character_do_not_overlap(aspect: AspectRatio, cutout: bool) -> None:
    frame = frame_size(Resolution.P1080, aspect)
    unit = min(frame.width, frame.height)
    for product, person in itertools.product(PRODUCTS, CHARACTERS):
        who = character_box(frame, person, cutout=cutout)
        box = subject_box(frame, product, _most(frame), who)
        smaller = min(box.width * box.height, who.width * who.height)
        assert overlap(box, who) <= smaller * TOLERANCE, (aspect, product, person, box, who)
        assert _inside(box, frame)
        assert box.width * box.height >= (unit * 0.2) ** 2 * 0.5, (aspect, product, box)
        assert abs(box.width / box.height - product.width / product.height) < 0.05


@pytest.mark.parametrize("aspect", list(AspectRatio))
def test_without_a_character_the_product_is_centred(aspect: AspectRatio) -> None:
    frame = frame_size(Resolution.P1080, aspect)
    box = subject_box(frame, Size(900, 1200), _most(frame))
    assert abs(box.x + box.width / 2 - frame.width / 2) <= 1
    assert abs(box.y + box.height / 2 - frame.height * CENTRE) <= 1
    # a character far from it changes nothing
    aside = Box(frame.width - 10, 0, 10, 10)
    assert subject_box(frame, Size(900, 1200), _most(frame), aside) == box


def test_of_rooms_nearly_as_large_the_one_nearest_the_usual_place_wins() -> None:
    frame = frame_size(Resolution.P480, AspectRatio.PORTRAIT_9_16)
    who = Box(277, 358, 184, 496)  # a slim cut-out at the bottom right
    box = subject_box(frame, Size(900, 1200), _most(frame), who)
    assert box.right <= who.x  # beside it, not pushed up against the top edge
    assert abs(box.y + box.height / 2 - frame.height * CENTRE) <= 1


def _moved(box: Box, frame: Size, zoom: float, px: float, py: float) -> Box:
    """``box`` as the clip's move shows it at one window (zoom, positions in the room)."""
    room = 1 - 1 / zoom
    left = frame.width * (0.5 + (px - 0.5) * room) - frame.width / 2 / zoom
    top = frame.height * (0.5 + (py - 0.5) * room) - frame.height / 2 / zoom
    x, y = (box.x - left) * zoom, (box.y - top) * zoom
    return Box(round(x), round(y), round(box.width * zoom), round(box.height * zoom))


@pytest.mark.parametrize("shot", list(ShotType))
@pytest.mark.parametrize("aspect", list(AspectRatio))
def test_the_clips_move_never_brings_the_product_under_the_character(
    shot: ShotType, aspect: AspectRatio
) -> None:
    frame = frame_size(Resolution.P1080, aspect)
    zoom, drift_x, drift_y = shot_motion(shot)
    for product, person, cutout in itertools.product(PRODUCTS, CHARACTERS, (True, False)):
        who = character_box(frame, person, cutout=cutout)
        box = subject_box(frame, product, _most(frame), reach(who, frame, (zoom, drift_x, drift_y)))
        unit = min(frame.width, frame.height)
        assert box.width * box.height >= (unit * 0.2) ** 2 * 0.5, (shot, product, person, box)
        for z, px, py in itertools.product(
            (1.0, zoom),
            (0.5 - drift_x / 2, 0.5 + drift_x / 2),
            (0.5 - drift_y / 2, 0.5 + drift_y / 2),
        ):
            seen = _moved(box, frame, z, px, py)
            smaller = min(seen.width * seen.height, who.width * who.height)
            assert overlap(seen, who) <= smaller * TOLERANCE, (shot, product, person, z, px, py)
