"""The colours of a caption style, from the brand palette, each pair kept at 4.5:1 or more.

White words always; what is behind them depends on the style: the brand box (BOX, HIGHLIGHT),
a deep outline (OUTLINE) or a soft deep shadow (SHADOW), each shaded until white keeps the
contrast whatever frame shows through. The highlighted word sits on a pill of the second brand
colour, with near-black or white words, shaded or tinted until the pair keeps it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.enums import CaptionStyle
from domain.media.colors import RGB, shade, text_color_on, tint
from domain.media.contrast import MIN_CONTRAST, box_for, ratio

WHITE: RGB = (255, 255, 255)
#: Opacity of the box (BOX, HIGHLIGHT) and of the shadow's core (SHADOW).
BOX_OPACITY = 0.9
SHADOW_OPACITY = 0.88
#: Margin over 4.5:1 kept by every pair (rounding in the encode eats a little).
MARGIN = 0.3


@dataclass(frozen=True, slots=True)
class CaptionInk:
    """Words, what is behind them (at ``ground_opacity``), the highlight pill and its words."""

    text: RGB
    ground: RGB
    ground_opacity: float
    accent: RGB
    accent_text: RGB


def _deep(color: RGB, against: RGB) -> RGB:
    for _ in range(40):
        if ratio(against, color) >= MIN_CONTRAST + MARGIN:
            break
        color = shade(color, 0.15)
    return color


def _pill(accent: RGB) -> tuple[RGB, RGB]:
    words = text_color_on(accent)
    for _ in range(40):
        if ratio(words, accent) >= MIN_CONTRAST + MARGIN:
            break
        accent = tint(accent, 0.15) if words != WHITE else shade(accent, 0.15)
    return accent, words


def caption_ink(style: CaptionStyle, palette: tuple[RGB, RGB]) -> CaptionInk:
    """The colours captions of ``style`` are drawn in, for a brand ``palette``."""
    brand, second = palette
    accent, accent_text = _pill(second)
    if style is CaptionStyle.OUTLINE:
        return CaptionInk(WHITE, _deep(shade(brand, 0.3), WHITE), 1.0, accent, accent_text)
    if style is CaptionStyle.SHADOW:
        ground = box_for(WHITE, shade(brand, 0.5), SHADOW_OPACITY)
        return CaptionInk(WHITE, ground, SHADOW_OPACITY, accent, accent_text)
    return CaptionInk(WHITE, box_for(WHITE, brand, BOX_OPACITY), BOX_OPACITY, accent, accent_text)


__all__ = ["BOX_OPACITY", "SHADOW_OPACITY", "WHITE", "CaptionInk", "caption_ink"]
