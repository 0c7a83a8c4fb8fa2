"""A product shown with the character stands beside it: their boxes never overlap, in every
aspect, whatever the proportions of the product and of the character."""

from __future__ import annotations

import itertools

import pytest

from domain.enums import AspectRatio, Resolution
from domain.media.character import character_box
from domain.media.geometry import Box, frame_size
from domain.media.placement import CENTRE, overlap, subject_box
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
