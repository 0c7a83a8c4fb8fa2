"""Checking an uploaded brand font: the file is parsed whole (fontTools) before it is stored.

The magic bytes said TrueType or OpenType; here every table is decompiled, the outlines must be
the kind the magic announced (``glyf`` for TrueType, ``CFF``/``CFF2`` for ``OTTO``), and the
character map must draw letters. A truncated, corrupt or lying file is refused with
``UNSUPPORTED_MEDIA`` and nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError

from domain.errors import DomainError, ErrorCode

#: Tables every usable font has (a character map, metrics, names, outlines come next).
_REQUIRED = ("cmap", "head", "hhea", "hmtx", "maxp", "name")
#: The fewest characters a brand font must draw to be worth putting first in the chain.
MIN_CHARACTERS = 10


class FontRefused(DomainError):
    """The file is not a font Adreel can set text in."""

    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.UNSUPPORTED_MEDIA, message, ["file"])


@dataclass(frozen=True, slots=True)
class FontFacts:
    """What parsing a font found: its family and style names, how many characters it draws."""

    family: str
    style: str
    characters: int
    outlines: str  # "truetype" or "cff"


def read_font(path: Path, container: str) -> FontFacts:
    """Parse the whole font at ``path`` (``container`` is what its magic said: ttf or otf)."""
    try:
        with TTFont(str(path), lazy=False, recalcBBoxes=False) as font:
            missing = [tag for tag in _REQUIRED if tag not in font]
            if missing:
                raise FontRefused(f"not a usable font: no {', '.join(missing)} table")
            for tag in font.keys():
                if tag != "GlyphOrder":
                    font[tag]  # decompiles the table: a corrupt one raises here
            outlines = "cff" if ("CFF " in font or "CFF2" in font) else "truetype"
            if outlines == "truetype" and "glyf" not in font:
                raise FontRefused("not a usable font: no outlines (glyf or CFF table)")
            if (container == "otf") != (outlines == "cff"):
                raise FontRefused(
                    "the file's header does not match its outlines "
                    f"({container.upper()} header, {outlines} outlines)"
                )
            cmap = font.getBestCmap() or {}
            drawable = sum(1 for code in cmap if chr(code).isalnum())
            if drawable < MIN_CHARACTERS:
                raise FontRefused(
                    f"the font draws {drawable} letters or digits (at least {MIN_CHARACTERS})"
                )
            names = font["name"]
            family = str(names.getBestFamilyName() or "").strip() or "Brand font"
            style = str(names.getBestSubFamilyName() or "").strip() or "Regular"
    except FontRefused:
        raise
    except (TTLibError, OSError, ValueError, KeyError, IndexError, AssertionError) as error:
        raise FontRefused(f"not a usable font: {error or type(error).__name__}") from error
    except Exception as error:  # fontTools raises bare struct/TypeErrors on garbage tables
        raise FontRefused(f"not a usable font: {type(error).__name__}") from error
    return FontFacts(family, style, len(cmap), outlines)


__all__ = ["MIN_CHARACTERS", "FontFacts", "FontRefused", "read_font"]
