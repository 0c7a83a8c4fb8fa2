"""Ken Burns motion rules."""

from __future__ import annotations

import pytest

from domain.enums import ShotType
from domain.media.motion import CONTINUE_MOTION, KenBurns, ken_burns_for, perspective_filter


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


def test_perspective_is_evaluated_per_frame_with_eased_subpixel_corners() -> None:
    text = perspective_filter(CONTINUE_MOTION, 61)
    assert text.startswith("perspective=x0=")
    assert text.endswith(":interpolation=linear:eval=frame")
    assert "(on/60)*(on/60)*(3-2*(on/60))" in text  # smoothstep: at rest at both ends
    assert "max(1\\," in text  # rounding can never zoom below 1 (which would leave the picture)
    assert perspective_filter(KenBurns(1.0, 1.0), 1).count("max(1\\,1)") == 16
