"""Scene/transition/frame arithmetic: the ad lasts the sum of its scenes, to the frame."""

from __future__ import annotations

import pytest

from domain.enums import Transition
from domain.errors import DomainError
from domain.media.timing import TRANSITION_SECONDS, plan_timeline


def test_boundaries_are_rounded_cumulative_durations() -> None:
    tl = plan_timeline([30 / 7] * 7, fps=30)
    assert tl.total_frames == 900
    assert tl.boundaries == (0, 129, 257, 386, 514, 643, 771, 900)
    assert sum(tl.scene_frames(i) for i in range(7)) == 900
    assert tl.total_seconds == 30.0


def test_transitions_add_a_tail_to_the_outgoing_clip() -> None:
    tl = plan_timeline([2.0, 1.5, 2.5], [Transition.FADE, Transition.CUT, Transition.DISSOLVE])
    assert tl.transitions == (
        Transition.CUT,
        Transition.CUT,
        Transition.DISSOLVE,
    )  # first is ignored
    assert tl.overlaps == (0, 0, 15)
    assert [tl.clip_frames(i) for i in range(3)] == [60, 60, 75]
    assert tl.clip_frames(1) / tl.fps == 2.0
    # xfade output = offset + incoming length: the sum of clips minus overlaps is the total
    assert sum(tl.clip_frames(i) for i in range(3)) - sum(tl.overlaps) == tl.total_frames == 180


@pytest.mark.parametrize("transition", list(Transition))
def test_every_transition_keeps_the_total(transition: Transition) -> None:
    tl = plan_timeline([2.0, 2.0, 2.0], [transition] * 3)
    assert tl.total_frames == 180
    expected = round(TRANSITION_SECONDS[transition] * 30)
    assert tl.overlaps == (0, expected, expected)
    assert sum(tl.clip_frames(i) for i in range(3)) - sum(tl.overlaps) == 180


def test_transition_is_shortened_to_half_the_shorter_scene() -> None:
    tl = plan_timeline([0.3, 5.0], [Transition.CUT, Transition.FADE])
    assert tl.overlaps == (0, 4)  # 9 frames // 2, not the 18 a FADE wants


def test_caption_window_waits_for_the_transition() -> None:
    tl = plan_timeline([2.0, 2.0], [Transition.CUT, Transition.DISSOLVE])
    assert tl.caption_window(0) == (0.15, 1.85)
    assert tl.caption_window(1) == pytest.approx((2.65, 3.85))
    short = plan_timeline([0.8], [Transition.CUT])
    assert short.caption_window(0) == (0.0, 0.8)


@pytest.mark.parametrize(
    ("durations", "transitions"),
    [([], None), ([1.0, -1.0], None), ([0.01, 1.0], None), ([1.0, 1.0], [Transition.CUT])],
)
def test_bad_layouts_are_invalid(
    durations: list[float], transitions: list[Transition] | None
) -> None:
    with pytest.raises(DomainError) as caught:
        plan_timeline(durations, transitions)
    assert caught.value.code == "INVALID"
