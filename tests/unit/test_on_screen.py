"""Words on screen once: a designed panel and the narration's captions over the same scene."""

from __future__ import annotations

from domain.rules.on_screen import captions_shown, repeats, words_of


def test_words_are_compared_without_case_or_punctuation() -> None:
    assert words_of("Made for you, Ana!") == ["made", "for", "you", "ana"]
    assert repeats("Made for busy parents", "made for busy parents.")
    assert not repeats("", "anything") and not repeats("Words", "")


def test_captions_repeating_the_panel_are_not_shown() -> None:
    panel = "TrailRunner 2 shoes and the Summit bottle"
    said = ["Ready for something new?", "Meet TrailRunner 2 shoes", "and the Summit bottle,",
            "made for trail runners."]  # fmt: skip
    assert captions_shown(panel, said) == [True, False, False, True]
    # a phrase holding all of a short panel's words repeats it too
    assert captions_shown("Made to move", ["made to move, every day", "Run further."]) == [
        False,
        True,
    ]
    assert captions_shown("See the difference", ["Glow serum, every day."]) == [True]


def test_a_features_panel_hides_the_callouts_said_again() -> None:
    panel = "Feel the difference Hydrates for 24 hours SPF 30 sun shield No sticky feel"
    said = ["Glow serum: hydrates", "for 24 hours, SPF 30", "and no sticky feel.",
            "Your skin, every morning."]  # fmt: skip
    # the phrases saying the callouts again go; one mostly other words stays
    assert captions_shown(panel, said) == [True, False, False, True]
