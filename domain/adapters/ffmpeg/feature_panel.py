"""The FEATURES layout's pictures, drawn by Pillow: the brand panel beside the scene's picture
with the scene's words as a heading, and one picture per feature callout (a numbered marker in
the accent colour and the feature's words), overlaid one after another.

White words on a ground shaded until they keep 4.5:1; the marker's number keeps it on the
marker. Every row is set at one type size, the largest at which all of them fit their box.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from domain.adapters.ffmpeg import typeset
from domain.media import colors
from domain.media.callouts import marker_colors
from domain.media.contrast import box_for
from domain.media.fonts import FontChain
from domain.media.geometry import Box
from domain.media.layout_geometry import FeatureBoxes
from domain.media.text import balance
from domain.media.types import Size

WHITE: colors.RGB = (255, 255, 255)
#: The lines a callout may wrap to.
CALLOUT_LINES = 2


@dataclass(frozen=True, slots=True)
class CalloutArt:
    """One callout's picture at ``path``, ``width`` x ``height`` pixels."""

    path: Path
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class CalloutType:
    """The callouts' shared type size, each one's lines, and the row measures."""

    size: int
    lines: tuple[tuple[str, ...], ...]
    marker: int
    gap: int

    @property
    def step(self) -> int:
        return round(self.size * 1.22)

    def height(self, index: int) -> int:
        return max(self.marker, self.step * len(self.lines[index]))

    @property
    def row_gap(self) -> int:
        return round(self.size * 0.7)

    @property
    def block(self) -> int:
        """The height of every row, gaps included."""
        rows = sum(self.height(i) for i in range(len(self.lines)))
        return rows + self.row_gap * max(0, len(self.lines) - 1)


def _ground(panel: Box, brand: colors.RGB) -> Image.Image:
    deep = box_for(WHITE, brand, 1.0)
    low = colors.shade(deep, 0.25)
    ground = Image.new("RGBA", (panel.width, panel.height))
    draw = ImageDraw.Draw(ground)
    for y in range(panel.height):
        fill = (*colors.mix(deep, low, y / max(1, panel.height)), 255)
        draw.line([(0, y), (panel.width, y)], fill=fill)
    return ground


def features_panel(
    size: Size,
    boxes: FeatureBoxes,
    palette: tuple[colors.RGB, colors.RGB],
    heading: str,
    chain: FontChain,
    output: Path,
) -> Path:
    """A full-frame picture: transparent over the scene's picture, the brand panel elsewhere
    with an accent rule and ``heading`` (when given) at the top of its box, left-aligned."""
    brand, accent = palette
    art = Image.new("RGBA", (size.width, size.height), (0, 0, 0, 0))
    art.paste(_ground(boxes.panel, brand), (boxes.panel.x, boxes.panel.y))
    draw = ImageDraw.Draw(art)
    unit = min(size.width, size.height)
    box = boxes.heading
    rule_w, rule_h = round(unit * 0.1), max(3, round(unit * 0.008))
    draw.rectangle((box.x, box.y, box.x + rule_w, box.y + rule_h), fill=(*accent, 255))
    if heading:
        font = round(unit * 0.068)
        room = box.height - rule_h * 3 - round(unit * 0.035)  # a gap above the callouts
        while font > 12:
            lines = balance(heading, font, box.width, lambda t, s: typeset.measure(t, s, chain))
            if len(lines) <= 2 and round(font * 1.15) * len(lines) <= room:
                break
            font = round(font * 0.9)
        ascent, _ = typeset.metrics(heading, font, chain)
        top = box.y + rule_h * 3
        for index, line in enumerate(lines):
            y = top + ascent + round(font * 1.15) * index
            typeset.draw_line(draw, (box.x, y), line, font, (*WHITE, 255), chain)
    art.save(output, "PNG")
    return output


def callout_type(features: list[str], box: Box, unit: int, chain: FontChain) -> CalloutType:
    """The largest type (from 5.2% of the short side down) at which every feature wraps to
    :data:`CALLOUT_LINES` beside its marker and all the rows fit ``box``."""
    font = round(unit * 0.052)
    while True:
        marker = round(font * 1.55)
        gap = round(font * 0.55)
        width = box.width - marker - gap

        def measure(text: str, size: int) -> float:
            return typeset.measure(text, size, chain)

        lines = tuple(tuple(balance(f, font, width, measure)) for f in features)
        kind = CalloutType(font, lines, marker, gap)
        fits = all(len(ls) <= CALLOUT_LINES for ls in lines) and kind.block <= box.height
        if fits or font <= max(10, round(unit * 0.026)):
            return kind
        font = max(10, round(font * 0.92))


def callout_art(
    kind: CalloutType,
    index: int,
    width: int,
    accent: colors.RGB,
    chain: FontChain,
    output: Path,
) -> CalloutArt:
    """Callout ``index`` (0-based; its marker shows ``index + 1``): a round marker in the
    accent colour with its number, the feature's lines beside it in white (transparent PNG)."""
    lines = kind.lines[index]
    height = kind.height(index)
    art = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(art)
    fill, ink = marker_colors(accent)
    top = (height - kind.marker) // 2 if len(lines) == 1 else 0
    draw.ellipse((0, top, kind.marker - 1, top + kind.marker - 1), fill=(*fill, 255))
    number = str(index + 1)
    digits = round(kind.marker * 0.55)
    ascent, descent = typeset.metrics(number, digits, chain)
    x = (kind.marker - typeset.measure(number, digits, chain)) / 2
    baseline = top + (kind.marker + ascent - descent) / 2
    typeset.draw_line(draw, (x, baseline), number, digits, (*ink, 255), chain)
    ascent, descent = typeset.metrics(" ".join(lines), kind.size, chain)
    block = kind.step * len(lines)
    first = (height - block) // 2 + (kind.step + ascent - descent) // 2
    for number_, line in enumerate(lines):
        y = first + kind.step * number_
        typeset.draw_line(draw, (kind.marker + kind.gap, y), line, kind.size, (*WHITE, 255), chain)
    art.save(output, "PNG")
    return CalloutArt(output, width, height)


__all__ = ["CalloutArt", "CalloutType", "callout_art", "callout_type", "features_panel"]
