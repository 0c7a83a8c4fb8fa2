"""Caption wrapping (pure, with a fake measure: every character is 10 px at size 20)."""

from __future__ import annotations

from domain.media.text import balance, fit_text, wrap


def measure(text: str, size: int) -> float:
    return len(text) * size / 2


def test_wrap_keeps_every_character() -> None:
    text = "It's 50% off: now, [today]; C:\\path"
    lines = wrap(text, 20, 130, measure)
    assert lines == ["It's 50% off:", "now, [today];", "C:\\path"]
    assert " ".join(lines) == text


def test_long_words_are_broken_and_newlines_kept() -> None:
    assert wrap("abcdefghijklmnop\nxy", 20, 50, measure) == ["abcde", "fghij", "klmno", "p", "xy"]


def test_fit_shrinks_until_the_line_limit() -> None:
    lines, size = fit_text(
        "one two three four five six", size=20, width=100, max_lines=2, measure=measure
    )
    assert len(lines) <= 2 and size < 20
    lines, size = fit_text("tiny", size=20, width=100, max_lines=2, measure=measure)
    assert (lines, size) == (["tiny"], 20)


def test_fit_never_goes_below_the_floor() -> None:
    lines, size = fit_text(
        "word " * 50, size=20, width=100, max_lines=1, measure=measure, min_scale=0.5
    )
    assert size == 10 and len(lines) > 1


def test_balanced_wrap_avoids_a_lonely_last_word() -> None:
    text = "Caption number 0 for the ad"
    assert wrap(text, 20, 250, measure) == ["Caption number 0 for the", "ad"]
    assert balance(text, 20, 250, measure) == ["Caption number", "0 for the ad"]
    assert fit_text(text, size=20, width=250, max_lines=3, measure=measure)[0] == [
        "Caption number",
        "0 for the ad",
    ]


def test_balancing_never_breaks_a_word_that_fits() -> None:
    # "TrailRunner shoes" at 120 px: two lines; narrower than "TrailRunner" would split it
    assert wrap("TrailRunner shoes", 20, 120, measure) == ["TrailRunner", "shoes"]
    assert balance("TrailRunner shoes", 20, 120, measure) == ["TrailRunner", "shoes"]
    assert balance("abcdefghijklmnop xy", 20, 50, measure) == ["abcde", "fghij", "klmno", "p xy"]
