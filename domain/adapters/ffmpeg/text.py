"""Text measuring with the font chain captions and cards are drawn in (any script)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from domain.adapters.ffmpeg import typeset
from domain.media.fonts import BUNDLED, PRIMARY, Face, FontChain, builtin_chain

FONTS_DIR = BUNDLED
FONT_FILE = PRIMARY


def bundled_font() -> Path:
    """DejaVu Sans Bold, shipped with Adreel (no system fonts needed): the chain's first face."""
    return FONT_FILE


@cache
def chain_for(font: Path = FONT_FILE) -> FontChain:
    """The built-in chain, with ``font`` in front when it is not the bundled one (a brand font)."""
    chain = builtin_chain()
    return chain if font == FONT_FILE else chain.with_brand(Face(font))


def measure(text: str, size: int, font: Path = FONT_FILE) -> float:
    """Advance width in pixels of one line of ``text`` at ``size`` (shaped, any script)."""
    return typeset.measure(text, size, chain_for(font))


def line_height(size: int, font: Path = FONT_FILE) -> int:
    """Ascent + descent of the primary face at ``size``."""
    ascent, descent = typeset.face_font(chain_for(font).faces[0], size).getmetrics()
    return int(ascent + descent)


__all__ = ["FONTS_DIR", "FONT_FILE", "bundled_font", "chain_for", "line_height", "measure"]
