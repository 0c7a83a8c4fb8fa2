"""The pictures of designed layouts, drawn by Pillow at the frame's size: a split screen's brand
panel with the scene's words as a headline, and a quote card over the dimmed scene.

White words on grounds shaded until they keep 4.5:1 (the quote card's ground is translucent:
its worst case over a white frame counts).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from domain.adapters.ffmpeg import typeset
from domain.media import colors
from domain.media.contrast import box_for
from domain.media.fonts import FontChain
from domain.media.geometry import Box, safe_area
from domain.media.text import fit_text
from domain.media.types import Size

WHITE: colors.RGB = (255, 255, 255)
#: Opacity of the quote card's ground over the scene.
QUOTE_OPACITY = 0.82


def _words(
    draw: ImageDraw.ImageDraw,
    text: str,
    area: Box,
    size: int,
    chain: FontChain,
    max_lines: int,
) -> int:
    """``text`` centred in ``area`` (balanced lines, shrunk until they fit its width and its
    height); returns the bottom."""
    while True:
        lines, font = fit_text(
            text, size=size, width=area.width, max_lines=max_lines,
            measure=lambda t, s: typeset.measure(t, s, chain),
        )  # fmt: skip
        step = round(font * 1.2)
        if step * len(lines) <= area.height or size <= 10:
            break
        size = max(10, round(size * 0.9))
    ascent, _ = typeset.metrics(text, font, chain)
    top = area.y + (area.height - step * len(lines)) // 2
    for index, line in enumerate(lines):
        width = typeset.measure(line, font, chain)
        typeset.draw_line(
            draw, (area.x + (area.width - width) / 2, top + ascent + step * index), line, font,
            (*WHITE, 255), chain,
        )  # fmt: skip
    return top + step * len(lines)


def split_panel(
    size: Size,
    panel: Box,
    palette: tuple[colors.RGB, colors.RGB],
    text: str,
    chain: FontChain,
    output: Path,
) -> Path:
    """A full-frame picture: transparent where the scene's picture shows, the brand panel with
    an accent rule and ``text`` as a headline elsewhere (clear of the caption area)."""
    brand, accent = palette
    deep = box_for(WHITE, brand, 1.0)
    art = Image.new("RGBA", (size.width, size.height), (0, 0, 0, 0))
    ground = Image.new("RGBA", (panel.width, panel.height))
    ground_draw = ImageDraw.Draw(ground)
    low = colors.shade(deep, 0.25)
    for y in range(panel.height):
        ground_draw.line(
            [(0, y), (panel.width, y)], fill=(*colors.mix(deep, low, y / max(1, panel.height)), 255)
        )
    art.paste(ground, (panel.x, panel.y))
    draw = ImageDraw.Draw(art)
    safe = safe_area(size)
    unit = min(size.width, size.height)
    margin = round(unit * 0.07)
    top = max(panel.y, safe.y) + margin // 2
    bottom = min(panel.bottom, safe.bottom - round(unit * 0.24))  # room for two caption lines
    area = Box(
        max(panel.x, safe.x) + margin // 2, top,
        min(panel.right, safe.right) - max(panel.x, safe.x) - margin, max(unit // 8, bottom - top),
    )  # fmt: skip
    rule_w, rule_h = round(unit * 0.12), max(3, round(unit * 0.008))
    rule_y = area.y
    draw.rectangle(
        (area.x + (area.width - rule_w) // 2, rule_y, area.x + (area.width + rule_w) // 2,
         rule_y + rule_h), fill=(*accent, 255),
    )  # fmt: skip
    text_area = Box(area.x, area.y + rule_h * 3, area.width, area.height - rule_h * 3)
    _words(draw, text, text_area, round(unit * 0.085), chain, 4)
    art.save(output, "PNG")
    return output


def quote_card(
    size: Size, palette: tuple[colors.RGB, colors.RGB], text: str, chain: FontChain, output: Path
) -> Path:
    """A full-frame picture: the deep brand colour over the scene, a large opening quote mark
    in the accent colour, ``text`` set large in the middle and an accent rule under it."""
    brand, accent = palette
    deep = box_for(WHITE, brand, QUOTE_OPACITY)
    art = Image.new("RGBA", (size.width, size.height), (*deep, round(255 * QUOTE_OPACITY)))
    draw = ImageDraw.Draw(art)
    safe = safe_area(size)
    unit = min(size.width, size.height)
    mark = round(unit * 0.3)
    area = Box(safe.x + unit // 20, safe.y + mark // 2, safe.width - unit // 10,
               safe.height - mark // 2 - round(unit * 0.12))  # fmt: skip
    bottom = _words(draw, f"\u201c{text}\u201d", area, round(unit * 0.08), chain, 5)
    typeset.draw_line(
        draw, (safe.x + unit // 20, safe.y + mark * 0.75), "\u201c", mark, (*accent, 230), chain
    )
    rule_w, rule_h = round(unit * 0.1), max(3, round(unit * 0.008))
    draw.rectangle(
        ((size.width - rule_w) // 2, bottom + rule_h * 3, (size.width + rule_w) // 2,
         bottom + rule_h * 4), fill=(*accent, 255),
    )  # fmt: skip
    art.save(output, "PNG")
    return output


__all__ = ["QUOTE_OPACITY", "quote_card", "split_panel"]
