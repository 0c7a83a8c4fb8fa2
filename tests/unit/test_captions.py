"""Caption rules: phrases, frame-exact cues, SRT and WebVTT output, word highlights."""

from __future__ import annotations

import itertools

from domain.rules.captions import (
    Cue,
    WordTiming,
    caption_cues,
    cues,
    phrases,
    shift,
    snap,
    spread_words,
    to_srt,
    to_webvtt,
    words_from_characters,
)


def timed(text: str, start: float = 0.0, each: float = 0.3, gap: float = 0.05):
    out = []
    at = start
    for word in text.split():
        out.append(WordTiming(word, at, at + each))
        at += each + gap
    return tuple(out)


def texts(found):
    return [p.text for p in found]


def test_phrases_break_at_sentence_end_and_keep_two_to_six_words():
    words = timed("Meet the lightest running shoe we have ever made. Order yours today.")
    assert texts(phrases(words)) == [
        "Meet the lightest running shoe",
        "we have ever made.",
        "Order yours today.",
    ]


def test_phrases_break_at_clause_marks_when_long_enough():
    words = timed("Built to last, designed to travel anywhere.")
    assert texts(phrases(words)) == ["Built to last,", "designed to travel anywhere."]


def test_short_clause_does_not_stand_alone():
    words = timed("Yes, it works everywhere you go.")
    assert texts(phrases(words)) == ["Yes, it works everywhere you go."]


def test_phrases_respect_max_chars_and_max_words():
    words = timed("one two three four five six seven eight nine ten eleven twelve thirteen.")
    found = phrases(words, max_chars=20)
    assert all(len(p.text) <= 20 for p in found)
    assert all(2 <= len(p.words) <= 6 for p in found)
    assert " ".join(texts(found)) == " ".join(w.text for w in words)


def test_lone_last_word_borrows_from_the_phrase_before():
    words = timed("Fresh bread baked every morning near you")
    found = phrases(words, max_words=6)
    assert texts(found) == ["Fresh bread baked every morning", "near you"]


def test_long_pause_ends_a_phrase():
    first = timed("Wait for it", start=0.0)
    second = timed("here it comes now", start=first[-1].end + 1.0)
    assert texts(phrases(first + second)) == ["Wait for it", "here it comes now"]


def test_one_word_sentence_stays_its_own_cue():
    assert texts(phrases(timed("Hurry! Sale ends soon."))) == ["Hurry!", "Sale ends soon."]


def test_cues_snap_to_frames_within_half_a_frame():
    words = timed("Clean water for every home. In just five minutes.", start=0.123, each=0.271)
    found = phrases(words)
    result = cues(found, 30)
    for phrase, cue in zip(found, result, strict=True):
        assert abs(cue.start - phrase.start) <= 1 / 60 + 1e-9
        assert abs(cue.end - phrase.end) <= 1 / 60 + 1e-9
    for before, after in itertools.pairwise(result):
        assert before.end_frame <= after.start_frame


def test_cues_never_overlap_and_last_at_least_a_frame():
    words = (WordTiming("a.", 0.0, 0.001), WordTiming("b.", 0.002, 0.003), WordTiming("c", 1, 2))
    result = cues(phrases(words), 30)
    assert [(c.start_frame, c.end_frame) for c in result] == [(0, 1), (1, 2), (30, 60)]


def test_snap_rounds_to_nearest_frame():
    assert snap(0.0, 30) == 0
    assert snap(1 / 60, 30) == 1
    assert snap(0.49, 30) == 15
    assert snap(2.0, 25) == 50


def test_srt_exact_output():
    result = caption_cues(timed("Save time and money. With one simple app!", each=0.25), 30)
    assert to_srt(result) == (
        "1\n00:00:00,000 --> 00:00:01,167\nSave time and money.\n"
        "\n"
        "2\n00:00:01,200 --> 00:00:02,367\nWith one simple app!\n"
    )


def test_webvtt_exact_output_and_escaping():
    result = (Cue("Salt & <pepper>", 30, 75, 30), Cue("Now", 3600 * 30, 3600 * 30 + 1, 30))
    assert to_webvtt(result) == (
        "WEBVTT\n"
        "\n"
        "00:00:01.000 --> 00:00:02.500\nSalt &amp; &lt;pepper&gt;\n"
        "\n"
        "01:00:00.000 --> 01:00:00.033\nNow\n"
    )


def test_webvtt_highlight_tags_each_word():
    result = caption_cues(timed("Try it free", each=0.5, gap=0.0), 30)
    assert to_webvtt(result, highlight=True) == (
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nTry <00:00:00.500>it <00:00:01.000>free\n"
    )


def test_webvtt_highlight_tags_only_move_forward():
    words = (WordTiming("a", 0.0, 0.01), WordTiming("b", 0.005, 0.02), WordTiming("c", 0.5, 1.0))
    assert to_webvtt(caption_cues(words, 30), highlight=True) == (
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\na b <00:00:00.500>c\n"
    )


def test_word_marks_cover_the_cue_without_gaps():
    result = caption_cues(timed("Sleep better tonight with soft sheets", start=0.4), 30)
    for cue in result:
        assert cue.words[0].start_frame == cue.start_frame
        assert cue.words[-1].end_frame == cue.end_frame
        for before, after in itertools.pairwise(cue.words):
            assert before.end_frame == after.start_frame


def test_words_from_characters_groups_runs():
    text = "Hi there,  you!"
    starts = [i * 0.1 for i in range(len(text))]
    ends = [s + 0.1 for s in starts]
    words = words_from_characters(list(text), starts, ends)
    assert [w.text for w in words] == ["Hi", "there,", "you!"]
    assert words[1].start == starts[3] and words[1].end == ends[8]
    assert words[2].start == starts[11] and abs(words[2].end - 1.5) < 1e-9


def test_spread_words_and_shift():
    words = spread_words("ab abcd", 1.0, 2.0)
    assert [w.text for w in words] == ["ab", "abcd"]
    assert words[0].start == 1.0 and abs(words[-1].end - 2.0) < 1e-9
    assert abs(words[0].end - (1 + 3 / 8)) < 1e-9
    moved = shift(words, 2.0)
    assert moved[0].start == 3.0
    assert spread_words("   ", 0, 1) == ()
