"""Narration fitting rules: rates, budgets, scene durations adapted to the spoken lengths."""

from __future__ import annotations

import pytest

from domain.errors import ErrorCode
from domain.rules.durations import to_ms
from domain.rules.narration import (
    LEAD_SECONDS,
    MAX_SPEED,
    TAIL_SECONDS,
    NarrationTooLong,
    fit_scenes,
    fits,
    script_budget,
    speech_seconds,
    spoken_units,
    units_per_second,
)

PADS = LEAD_SECONDS + TAIL_SECONDS


def ms_sum(values) -> int:
    return sum(to_ms(v) for v in values)


def test_rates_per_language():
    assert units_per_second("en") == 2.5
    assert units_per_second("en-GB") == 2.5
    assert units_per_second("de_DE") == 2.2
    assert units_per_second("ja") == 7.0
    assert units_per_second("xx") == 2.3


def test_spoken_units_count_words_or_characters():
    assert spoken_units("Don't wait — order your well-made shoes today!") == 7
    assert spoken_units("今日だけ半額", "ja") == 6
    assert speech_seconds("one two three four five") == pytest.approx(2.0)


def test_script_budget_per_scene():
    assert script_budget(5.0) == 11  # (5 - 0.6) s * 2.5 words/s
    assert script_budget(0.5) == 0
    assert script_budget(4.0, "de") == 7
    assert fits("Meet the lightest running shoe we have ever made.", 5.0)
    assert not fits("Meet the lightest running shoe we have ever made.", 3.0)


def test_scenes_that_fit_keep_their_durations():
    fit = fit_scenes([5.0, 5.0, 5.0], [2.0, 3.0, 0.0])
    assert fit.durations == (5.0, 5.0, 5.0) and fit.speed == 1.0


def test_a_long_line_takes_time_from_scenes_with_room():
    planned = [3.0, 3.0, 4.0]
    fit = fit_scenes(planned, [4.0, 1.0, 1.0])
    assert fit.speed == 1.0
    assert ms_sum(fit.durations) == ms_sum(planned)
    assert fit.durations[0] == pytest.approx(4.0 + PADS)
    assert fit.durations[1] >= 1.0 + PADS and fit.durations[2] >= 1.0 + PADS
    # the room is taken in proportion to it: scene 3 had 2.4 s spare, scene 2 had 1.4 s
    assert (4.0 - fit.durations[2]) > (3.0 - fit.durations[1])


def test_total_is_exact_to_the_millisecond_with_awkward_numbers():
    planned = [1.043, 2.217, 1.5, 2.54]
    fit = fit_scenes(planned, [1.91, 0.3, 1.777, 0.2], total=7.3)
    assert ms_sum(fit.durations) == 7300
    assert all(d >= 0.5 for d in fit.durations)


def test_too_much_narration_speeds_every_line_up_within_the_bound():
    planned = [4.0, 4.0, 4.0]
    speech = [4.0, 4.0, 3.5]  # 11.5 s of speech + 1.8 s of pads in 12 s
    fit = fit_scenes(planned, speech)
    assert 1.0 < fit.speed <= MAX_SPEED
    assert ms_sum(fit.durations) == 12000
    for duration, seconds in zip(fit.durations, speech, strict=True):
        assert duration + 1e-9 >= seconds / fit.speed + PADS  # never a word cut


def test_narration_that_cannot_fit_is_a_clear_error():
    with pytest.raises(NarrationTooLong) as caught:
        fit_scenes([3.0, 3.0, 3.0], [5.0, 5.0, 5.0])
    assert caught.value.code is ErrorCode.LIMIT_EXCEEDED
    assert "shorten the scripts" in caught.value.message
    assert "1.2x" in caught.value.message


def test_scenes_without_narration_keep_at_least_the_minimum():
    fit = fit_scenes([1.0, 1.0, 8.0], [0.0, 0.0, 9.0])
    assert ms_sum(fit.durations) == 10000
    assert fit.durations[0] >= 0.5 and fit.durations[1] >= 0.5
    assert fit.durations[2] + 1e-9 >= 9.0 / fit.speed + PADS


def test_planned_durations_off_the_total_are_rescaled():
    fit = fit_scenes([2.0, 2.0, 2.0], [0.5, 0.5, 0.5], total=9.0)
    assert ms_sum(fit.durations) == 9000


def test_one_speech_length_per_scene():
    with pytest.raises(ValueError):
        fit_scenes([1.0, 2.0], [1.0])
