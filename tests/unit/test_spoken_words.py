"""What a voice says for written words, rough pronunciations, and placing words the aligner missed."""

from __future__ import annotations

import pytest

from domain.adapters.providers.alignment import _match
from domain.adapters.providers.spoken_words import number_words, rough_phones, spoken_words
from domain.ports.voice import AlignmentFailed


def test_spoken_words() -> None:
    assert spoken_words("Today,") == ["today"]
    assert spoken_words("50%") == ["fifty", "percent"]
    assert spoken_words("$9.99") == ["nine", "point", "nine", "nine", "dollars"]
    assert spoken_words("1,250") == ["one", "thousand", "two", "hundred", "fifty"]
    assert spoken_words("well-made") == ["well", "made"]
    assert spoken_words("Zappo\u2019s") == ["zappo's"]
    assert spoken_words("R&D") == ["r", "and", "d"]
    assert spoken_words("—") == []


def test_number_words() -> None:
    assert number_words(0) == ["zero"]
    assert number_words(42) == ["forty", "two"]
    assert number_words(2_000_017) == ["two", "million", "seventeen"]


def test_rough_phones() -> None:
    assert rough_phones("zappo") == "Z AE P AA"
    assert rough_phones("shine") == "SH IH N"
    assert rough_phones("!!") == "AH"


def test_missing_words_are_placed_where_they_must_be() -> None:
    speech = (0.2, 1.0)
    assert _match(["a", "b", "c"], [("a", 0.2, 0.5), ("b", 0.5, 0.8), ("<sil>", 0.8, 1.2)], speech)[
        -1
    ] == (0.8, 1.0)
    assert _match(["a", "b", "c"], [("a", 0.2, 0.5), ("<sil>", 0.5, 0.7), ("c", 0.7, 0.8)], speech)[
        1
    ] == (0.5, 0.7)
    spans = _match(["a", "b", "c"], [("a", 0.2, 0.5), ("c", 0.5, 0.8)], speech)
    assert spans == [(0.2, 0.35), (0.35, 0.5), (0.5, 0.8)]
    with pytest.raises(AlignmentFailed):
        _match(["a", "b", "c", "d"], [("a", 0.2, 0.5)], speech)
