"""Words on screen once: a designed panel and the narration's captions over the same scene."""

from __future__ import annotations

from domain.rules.on_screen import Words, repeats, shown_words, words_of


def test_words_are_compared_without_case_or_punctuation() -> None:
    assert words_of("Made for you, Ana!") == ["made", "for", "you", "ana"]
    assert repeats("Made for busy parents", ["made for busy", "parents."])
    assert not repeats("See the difference", ["Glow serum is made for you."])
    assert not repeats("", ["anything"]) and not repeats("Words", [])


def test_the_panel_keeps_words_the_captions_only_repeat() -> None:
    # the narration says the panel's headline: the captions over the scene are hidden
    assert shown_words("Made for busy parents", ["Made for busy parents."]) is Words.PANEL
    # the captions say much more: they keep the words, the panel is drawn without
    long = ["You want more from every day.", "Glow serum is made for busy parents."]
    assert shown_words("Made for busy parents", long) is Words.CAPTIONS
    # different words: both show
    assert shown_words("See the difference", ["Glow serum, every day."]) is Words.BOTH


def test_a_features_panel_keeps_its_callouts() -> None:
    said = ["You want more from every day.", "Glow serum hydrates for 24 hours"]
    assert shown_words("Hydrates for 24 hours", said) is Words.CAPTIONS
    assert shown_words("Hydrates for 24 hours", said, panel_only=True) is Words.PANEL
    # the narration says the callouts: the captions are the ones that repeat
    panel = "Feel the difference Hydrates for 24 hours SPF 30 No sticky feel"
    assert shown_words(panel, ["Glow serum: hydrates for 24 hours, SPF 30"], panel_only=True) is (
        Words.PANEL
    )
    assert shown_words(panel, ["Your skin, every morning."], panel_only=True) is Words.BOTH
