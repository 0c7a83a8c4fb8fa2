"""Captions drawn by Pillow as pictures: any script (the font chain), shaped, right to left where
the words are, in one of the caption styles (a brand box, an outline, a soft shadow, or the box
with the spoken word on a pill of the second brand colour), each keeping 4.5:1 contrast.

User text never reaches FFmpeg: the picture is overlaid like the logo.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from domain.adapters.ffmpeg import typeset
from domain.enums import CaptionStyle
from domain.media import colors
from domain.media.caption_ink import BOX_OPACITY, WHITE, CaptionInk, caption_ink
from domain.media.contrast import box_for
from domain.media.fonts import FontChain


@dataclass(frozen=True, slots=True)
class CaptionArt:
    """A caption picture at ``path``, ``width`` x ``height`` pixels; ``words`` holds each
    word's box (left, top, right, bottom) in the picture, in reading order."""

    path: Path
    width: int
    height: int
    words: tuple[tuple[int, int, int, int], ...] = ()


def caption_box(brand: colors.RGB) -> colors.RGB:
    """The box colour for white words: the brand's first colour, shaded as contrast needs."""
    return box_for(WHITE, brand, BOX_OPACITY)


def _rtl(line: str) -> bool:
    for char in line:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _word_spans(line: str, left: float, size: int, chain: FontChain) -> list[tuple[float, float]]:
    """Each space-separated word's (left, right) on a line drawn from ``left``."""
    words = line.split(" ")
    width = typeset.measure(line, size, chain)
    spans: list[tuple[float, float]] = []
    at = 0.0
    for word in words:
        length = typeset.measure(word, size, chain)
        start, end = at, at + length
        if _rtl(line):
            start, end = width - end, width - start
        spans.append((left + start, left + end))
        at += length + typeset.measure(" ", size, chain)
    return spans


def draw_caption(
    lines: list[str],
    size: int,
    palette: tuple[colors.RGB, colors.RGB],
    chain: FontChain,
    output: Path,
    *,
    style: CaptionStyle = CaptionStyle.BOX,
    highlight: int | None = None,
) -> CaptionArt:
    """The lines, centred, drawn in ``style``; with ``highlight`` that word (counted over all
    lines) sits on the accent pill. Written as an RGBA PNG."""
    ink = caption_ink(style, palette)
    pad_x, pad_y = max(4, round(size * 0.55)), max(4, round(size * 0.35))
    widths = [typeset.measure(line, size, chain) for line in lines]
    ascents, descents = zip(*(typeset.metrics(line, size, chain) for line in lines), strict=True)
    step = round(size * 1.25)
    ascent, descent = max(ascents), max(descents)
    width = round(max(widths)) + 2 * pad_x
    height = ascent + descent + step * (len(lines) - 1) + 2 * pad_y
    art = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(art)
    boxed = style in (CaptionStyle.BOX, CaptionStyle.HIGHLIGHT)
    if boxed:
        draw.rounded_rectangle(
            (0, 0, width - 1, height - 1), round(min(pad_y * 1.4, height / 2)),
            fill=(*ink.ground, round(255 * ink.ground_opacity)),
        )  # fmt: skip
    words: list[tuple[int, int, int, int]] = []
    for index, (line, line_width) in enumerate(zip(lines, widths, strict=True)):
        left = (width - line_width) / 2
        baseline = pad_y + ascent + step * index
        for start, end in _word_spans(line, left, size, chain):
            words.append(
                (round(start), round(baseline - ascent), round(end), round(baseline + descent))
            )
    if highlight is not None and 0 <= highlight < len(words):
        left, top, right, bottom = words[highlight]
        grow = max(2, round(size * 0.14))
        draw.rounded_rectangle(
            (left - grow, top + grow // 2, right + grow, bottom - grow // 2),
            round(size * 0.25), fill=(*ink.accent, 255),
        )  # fmt: skip
    text_layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    _draw_words(text_layer, lines, widths, size, chain, (pad_y, ascent, step), ink, style)
    if highlight is not None and 0 <= highlight < len(words):
        _recolor(text_layer, words[highlight], ink.accent_text)
    art.alpha_composite(text_layer)
    art.save(output, "PNG")
    return CaptionArt(output, width, height, tuple(words))


def _draw_words(
    layer: Image.Image,
    lines: list[str],
    widths: list[float],
    size: int,
    chain: FontChain,
    place: tuple[int, int, int],
    ink: CaptionInk,
    style: CaptionStyle,
) -> None:
    pad_y, ascent, step = place
    draw = ImageDraw.Draw(layer)
    stroke = max(2, round(size * 0.12)) if style is CaptionStyle.OUTLINE else 0
    if style is CaptionStyle.SHADOW:
        mask = Image.new("L", layer.size, 0)
        mask_draw = ImageDraw.Draw(mask)
        for index, (line, line_width) in enumerate(zip(lines, widths, strict=True)):
            xy = ((layer.width - line_width) / 2, pad_y + ascent + step * index)
            typeset.draw_line(mask_draw, xy, line, size, (255,), chain)
        spread = max(3, round(size * 0.22)) | 1
        core = mask.filter(ImageFilter.MaxFilter(spread))
        soft = core.filter(ImageFilter.GaussianBlur(size * 0.18))
        alpha = ImageChops.lighter(core, soft).point(lambda v: round(v * ink.ground_opacity))
        shadow = Image.new("RGBA", layer.size, (*ink.ground, 0))
        shadow.putalpha(alpha)
        layer.alpha_composite(shadow)
    for index, (line, line_width) in enumerate(zip(lines, widths, strict=True)):
        xy = ((layer.width - line_width) / 2, pad_y + ascent + step * index)
        typeset.draw_line(
            draw, xy, line, size, (*ink.text, 255), chain,
            stroke_width=stroke, stroke_fill=(*ink.ground, 255) if stroke else None,
        )  # fmt: skip


def _recolor(layer: Image.Image, box: tuple[int, int, int, int], color: colors.RGB) -> None:
    """Words inside ``box`` in ``color`` (the highlighted word on its pill)."""
    left, top, right, bottom = box
    region = layer.crop((left, top, right, bottom))
    solid = Image.new("RGBA", region.size, (*color, 255))
    solid.putalpha(region.getchannel("A"))
    layer.paste(solid, (left, top))


__all__ = ["BOX_OPACITY", "CaptionArt", "caption_box", "draw_caption"]
