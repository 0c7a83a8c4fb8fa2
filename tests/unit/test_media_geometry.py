"""Frame sizes per resolution and aspect ratio, and the safe area."""

from __future__ import annotations

import pytest

from domain.enums import AspectRatio, Resolution
from domain.media.geometry import frame_size, safe_area
from domain.media.types import Size

A = AspectRatio


@pytest.mark.parametrize(
    ("resolution", "aspect", "size"),
    [
        (Resolution.P480, A.LANDSCAPE_16_9, (854, 480)),
        (Resolution.P720, A.LANDSCAPE_16_9, (1280, 720)),
        (Resolution.P1080, A.LANDSCAPE_16_9, (1920, 1080)),
        (Resolution.P2160, A.LANDSCAPE_16_9, (3840, 2160)),
        (Resolution.P1080, A.PORTRAIT_9_16, (1080, 1920)),
        (Resolution.P480, A.PORTRAIT_9_16, (480, 854)),
        (Resolution.P1080, A.SQUARE_1_1, (1080, 1080)),
        (Resolution.P1080, A.VERTICAL_4_5, (1080, 1350)),
        (Resolution.P2160, A.VERTICAL_4_5, (2160, 2700)),
        (Resolution.P720, A.VERTICAL_4_5, (720, 900)),
    ],
)
def test_frame_sizes(resolution: Resolution, aspect: AspectRatio, size: tuple[int, int]) -> None:
    assert frame_size(resolution, aspect) == Size(*size)


@pytest.mark.parametrize("resolution", list(Resolution))
@pytest.mark.parametrize("aspect", list(AspectRatio))
def test_every_size_is_even(resolution: Resolution, aspect: AspectRatio) -> None:
    size = frame_size(resolution, aspect)
    assert size.width % 2 == 0 and size.height % 2 == 0


def test_safe_area_leaves_more_room_at_the_bottom_of_portrait_frames() -> None:
    portrait = safe_area(Size(1080, 1920))
    assert (portrait.x, portrait.y, portrait.width, portrait.height) == (86, 192, 908, 1344)
    assert portrait.bottom == 1536
    landscape = safe_area(Size(1920, 1080))
    assert (landscape.x, landscape.y, landscape.right, landscape.bottom) == (154, 86, 1766, 972)
