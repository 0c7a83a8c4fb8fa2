"""Text measuring with the bundled font (the same file drawtext renders with)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageFont

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILE = FONTS_DIR / "DejaVuSans-Bold.ttf"


def bundled_font() -> Path:
    """DejaVu Sans Bold, shipped with Adreel (no system fonts needed)."""
    return FONT_FILE


@cache
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def measure(text: str, size: int, font: Path = FONT_FILE) -> float:
    """Advance width in pixels of one line of ``text`` at ``size``."""
    return float(_font(str(font), size).getlength(text))


def line_height(size: int, font: Path = FONT_FILE) -> int:
    """Ascent + descent of the font at ``size`` (drawtext's line height)."""
    ascent, descent = _font(str(font), size).getmetrics()
    return int(ascent + descent)


__all__ = ["FONTS_DIR", "FONT_FILE", "bundled_font", "line_height", "measure"]
