"""Ken Burns motion rules."""

from __future__ import annotations

import itertools

import pytest

from domain.enums import ShotType
from domain.media.motion import (
    KenBurns,
    Window,
    ease,
    ken_burns_for,
    window,
)
from domain.media.types import Size


@pytest.mark.parametrize("shot", list(ShotType))
def test_continuing_clips_open_on_the_identity(shot: ShotType) -> None:
    for seed in range(5):
        motion = ken_burns_for(shot, seed, continues=True)
        assert (motion.zoom_start, motion.x_start, motion.y_start) == (1.0, 0.5, 0.5)
        assert motion.zoom_end > 1.0


@pytest.mark.parametrize("shot", list(ShotType))
def test_moves_are_deterministic_and_stay_inside_the_picture(shot: ShotType) -> None:
    for seed in range(10):
        motion = ken_burns_for(shot, seed)
        assert motion == ken_burns_for(shot, seed)
        assert min(motion.zoom_start, motion.zoom_end) >= 1.0
        assert max(motion.zoom_start, motion.zoom_end) <= 1.2
        for position in (motion.x_start, motion.x_end, motion.y_start, motion.y_end):
            assert 0.0 <= position <= 1.0


def test_zoom_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        KenBurns(0.9, 1.0)


def test_a_window_eases_from_rest_to_rest_and_never_zooms_below_one() -> None:
    size = Size(1920, 1080)
    motion = KenBurns(1.0, 1.1, 0.3, 0.7)
    first, last = window(motion, 61, 0, size), window(motion, 61, 60, size)
    assert first == Window(0.0, 0.0, 1.0) and first.identity  # a zoom of 1: the still itself
    assert last.scale == pytest.approx(1 / 1.1)
    # the pan reaches 0.7 of the room the zoom leaves: the window's right edge stays inside
    room = 1920 * (1 - 1 / 1.1)
    assert last.left == pytest.approx(0.7 * room)
    assert last.left + 1920 * last.scale < 1920
    assert last.top == pytest.approx(0.5 * 1080 * (1 - 1 / 1.1))
    steps = [window(motion, 61, n, size).left for n in range(61)]
    moves = [b - a for a, b in itertools.pairwise(steps)]
    assert moves[0] < moves[30] / 20 and moves[-1] < moves[30] / 20  # at rest at both ends
    assert all(move > 0 for move in moves)  # and never backwards
    assert ease(0, 1) == 0.0 and window(KenBurns(1.0, 1.0), 1, 0, size).identity
