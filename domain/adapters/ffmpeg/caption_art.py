"""Captions drawn by Pillow as boxed pictures: any script (the font chain), shaped, right to
left where the words are, in a brand-coloured box that keeps 4.5:1 contrast on any frame.

User text never reaches FFmpeg: the picture is overlaid like the logo.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from domain.adapters.ffmpeg import typeset
from domain.media import colors
from domain.media.contrast import box_for
from domain.media.fonts import FontChain

#: Opacity of the caption box (the scene shows faintly through it).
BOX_OPACITY = 0.9
WHITE: colors.RGB = (255, 255, 255)


@dataclass(frozen=True, slots=True)
class CaptionArt:
    """A caption picture at ``path``, ``width`` x ``height`` pixels."""

    path: Path
    width: int
    height: int


def caption_box(brand: colors.RGB) -> colors.RGB:
    """The box colour for white words: the brand's first colour, shaded as contrast needs."""
    return box_for(WHITE, brand, BOX_OPACITY)


def draw_caption(
    lines: list[str], size: int, brand: colors.RGB, chain: FontChain, output: Path
) -> CaptionArt:
    """White lines, centred, in a rounded brand box with padding; written as an RGBA PNG."""
    pad_x, pad_y = max(4, round(size * 0.55)), max(4, round(size * 0.35))
    widths = [typeset.measure(line, size, chain) for line in lines]
    ascents, descents = zip(*(typeset.metrics(line, size, chain) for line in lines), strict=True)
    step = round(size * 1.25)
    ascent, descent = max(ascents), max(descents)
    width = round(max(widths)) + 2 * pad_x
    height = ascent + descent + step * (len(lines) - 1) + 2 * pad_y
    box = caption_box(brand)
    art = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(art)
    draw.rounded_rectangle(
        (0, 0, width - 1, height - 1), round(min(pad_y * 1.4, height / 2)),
        fill=(*box, round(255 * BOX_OPACITY)),
    )  # fmt: skip
    for index, (line, line_width) in enumerate(zip(lines, widths, strict=True)):
        x = (width - line_width) / 2
        typeset.draw_line(
            draw, (x, pad_y + ascent + step * index), line, size, (*WHITE, 255), chain
        )
    art.save(output, "PNG")
    return CaptionArt(output, width, height)


__all__ = ["BOX_OPACITY", "CaptionArt", "caption_box", "draw_caption"]
