# ruff: noqa: RUF001
"""Type in any script: every character of the corpus has a glyph (character map and rendering),
right-to-left order, a clear error for characters no font has, contrast of caption boxes."""

from __future__ import annotations

import unicodedata
from importlib import util

import numpy as np
import pytest
from PIL import Image, ImageDraw

from domain.adapters.ffmpeg import typeset
from domain.adapters.ffmpeg.caption_art import caption_box
from domain.media.caption_ink import BOX_OPACITY, WHITE
from domain.media.contrast import MIN_CONTRAST, over, ratio
from domain.media.fonts import builtin_chain, covers, needs_glyph, require_glyphs

CORPUS = {
    "latin": "Sale! «Quotes» “curly” ‘single’ \"double\" 'x' 100% off: a:b C:\\path [x] {y} (z) <w>",
    "accents": "Crème brûlée, Ärger, São Paulo, Łódź, İstanbul, ñandú",
    "greek": "Ελληνικά γράμματα",
    "cyrillic": "Русский текст, Українська",
    "arabic": "مرحبا بالعالم، خصم ٥٠٪",
    "hebrew": "שלום עולם",
    "devanagari": "नमस्ते दुनिया, आज ही खरीदें",
    "thai": "สวัสดีชาวโลก ซื้อเลย",
    "symbols": "✓ → € £ ¥ © ® ™ — … • ★",
    "emoji": "😀🎉👍🏽❤️👨‍👩‍👧🚀",
}
CJK = {"cjk": "你好世界 今日だけ こんにちは 안녕하세요"}
HAS_CJK = util.find_spec("manimgx_fonts_cjk") is not None


def _corpus() -> dict[str, str]:
    return {**CORPUS, **CJK} if HAS_CJK else CORPUS


@pytest.mark.parametrize("name", sorted(_corpus()))
def test_every_character_is_in_a_fonts_character_map(name: str) -> None:
    chain = builtin_chain()
    text = _corpus()[name]
    assert chain.missing(text) == []
    for char in text:
        if needs_glyph(char):
            face = chain.face_for(char)
            assert face is not None and covers(chain.faces[face], char)


@pytest.mark.parametrize("name", sorted(_corpus()))
def test_no_character_renders_as_the_missing_glyph_box(name: str) -> None:
    chain = builtin_chain()
    for char in _corpus()[name]:
        if not needs_glyph(char) or unicodedata.category(char).startswith("M"):
            continue
        index = chain.face_for(char)
        assert index is not None
        font = typeset.face_font(chain.faces[index], 48)
        notdef = font.getmask("\ue000")  # a private-use point: no font here has it
        drawn = font.getmask(char)
        assert drawn.getbbox() is not None, f"{char!r} draws nothing"
        assert (drawn.size, bytes(drawn)) != (notdef.size, bytes(notdef)), f"{char!r} is a box"


@pytest.mark.parametrize("name", sorted(_corpus()))
def test_each_line_draws_ink(name: str) -> None:
    text = _corpus()[name]
    width = round(typeset.measure(text, 32))
    image = Image.new("L", (width + 20, 80), 0)
    drawn = typeset.draw_line(ImageDraw.Draw(image), (10, 55), text, 32, (255,))
    assert drawn == pytest.approx(width, abs=1)
    assert image.getbbox() is not None


def _visual(text: str) -> list[tuple[str, bool]]:
    return [(run.text, run.rtl) for run in typeset.runs(text, builtin_chain())]


def test_right_to_left_order() -> None:
    # a Hebrew line: the first word on the right, the bracketed English and number read LTR
    assert _visual("שלום עולם (test) 2024!") == [
        ("!", True), ("2024", False), (") ", True), ("test", False), ("(", True),
        ("שלום עולם ", True),
    ]  # fmt: skip
    # Arabic words in an English line keep their place; the number stays left to right
    assert _visual("Buy مرحبا now") == [
        ("Buy ", False), ("مرحبا", True), (" ", False), ("now", False)
    ]  # fmt: skip
    runs = _visual("مرحبا بالعالم 123 أهلا")
    assert [text for text, _ in runs] == [" أهلا", "123", "مرحبا بالعالم "]
    assert [rtl for _, rtl in runs] == [True, False, True]


def _ink(text: str, height: int = 80) -> np.ndarray:
    width = round(typeset.measure(text, 40)) + 20
    image = Image.new("L", (width, height), 0)
    typeset.draw_line(ImageDraw.Draw(image), (10, 55), text, 40, (255,))
    box = image.getbbox()
    assert box is not None
    return np.asarray(image.crop((box[0], 0, box[2], height)), dtype=float)


def _difference(a: np.ndarray, b: np.ndarray) -> float:
    width = min(a.shape[1], b.shape[1])
    return float(np.abs(a[:, :width] - b[:, :width]).mean())


def test_rtl_words_are_drawn_right_to_left() -> None:
    """The first Arabic word (logical order) is the right end of the drawn line."""
    first, second = "مرحبا", "بالعالم"
    line, one, two = _ink(f"{first} {second}"), _ink(first), _ink(second)
    right_end = line[:, -one.shape[1] :]
    left_end = line[:, : two.shape[1]]
    assert _difference(right_end, one) < 0.5 * _difference(right_end, two)
    assert _difference(left_end, two) < 0.5 * _difference(left_end, one)


def test_a_character_no_font_has_is_refused_naming_the_field() -> None:
    errors = require_glyphs(
        [("Hieroglyph 𓀀 sale", ["brief", "product"]), ("fine", ["brief", "callToAction"])]
    )
    assert len(errors) == 1
    assert errors[0].field == ["brief", "product"]
    assert "U+13000" in errors[0].message


@pytest.mark.parametrize(
    "brand", [(255, 255, 255), (255, 221, 0), (0, 200, 255), (31, 42, 92), (230, 57, 70)]
)
def test_caption_box_keeps_contrast_on_any_frame(brand: tuple[int, int, int]) -> None:
    box = caption_box(brand)
    for behind in ((255, 255, 255), (0, 0, 0), (128, 128, 128), (255, 255, 0)):
        assert ratio(WHITE, over(box, BOX_OPACITY, behind)) >= MIN_CONTRAST
