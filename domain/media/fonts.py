"""The typefaces text is set in, and which of them draws each character (a fallback chain).

The chain starts with the bundled DejaVu Sans Bold (Latin, Greek, Cyrillic), then the Noto
families the ``manimgx-fonts`` wheel ships (one per script: Arabic, Hebrew, Devanagari, Thai and
more, symbols and emoji), then Noto Sans CJK when the optional ``cjk`` extra is installed. A
brand font, when given, goes first. Coverage is read from each font's character map
(fontTools), so a character no font has is known before anything is drawn.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import util
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont, TTLibError

from domain.errors import Invalid

BUNDLED = Path(__file__).resolve().parents[1] / "adapters" / "ffmpeg" / "fonts"
PRIMARY = BUNDLED / "DejaVuSans-Bold.ttf"

#: Ranges the primary (DejaVu) face leaves to the script's own Noto face: its Hebrew and Arabic
#: are partial next to Noto's, its few emoji would not match Noto Emoji's.
_SCRIPT_RANGES = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF), (0x1F000, 0x1FAFF))

#: The Noto faces of ``manimgx-fonts``, in fallback order (Noto Sans first: it fills what the
#: primary lacks in Latin; the script faces next; symbols and emoji last).
NOTO_FILES = (
    "NotoSans[wght].ttf",
    "NotoSansArabic[wght].ttf",
    "NotoSansHebrew[wght].ttf",
    "NotoSansDevanagari[wght].ttf",
    "NotoSansThai[wght].ttf",
    "NotoSansBengali[wght].ttf",
    "NotoSansTamil[wght].ttf",
    "NotoSansTelugu[wght].ttf",
    "NotoSansGujarati[wght].ttf",
    "NotoSansGurmukhi[wght].ttf",
    "NotoSansKannada[wght].ttf",
    "NotoSansMalayalam[wght].ttf",
    "NotoSansOriya[wght].ttf",
    "NotoSansSinhala[wght].ttf",
    "NotoSansKhmer[wght].ttf",
    "NotoSansLao[wght].ttf",
    "NotoSansMyanmar[wght].ttf",
    "NotoSansArmenian[wght].ttf",
    "NotoSansGeorgian[wght].ttf",
    "NotoSansEthiopic[wght].ttf",
    "NotoSansSymbols[wght].ttf",
    "NotoEmoji[wght].ttf",
)

BOLD = 700


@dataclass(frozen=True, slots=True)
class Face:
    """One font file (``index`` in a collection), set at ``weight`` when it is variable."""

    path: Path
    index: int = 0
    weight: int | None = None
    primary: bool = False  # the bundled DejaVu: leaves Hebrew and Arabic to their Noto faces


def _package_dir(name: str) -> Path | None:
    spec = util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def _cmap(path: Path, index: int) -> frozenset[int]:
    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            font = TTCollection(str(path), lazy=True).fonts[index]
        else:
            font = TTFont(str(path), lazy=True, fontNumber=index)
        best = font.getBestCmap() or {}
    except (OSError, TTLibError, IndexError, KeyError, AssertionError) as error:
        raise ValueError(f"not a usable font: {error}") from error
    return frozenset(best)


def covers(face: Face, char: str) -> bool:
    """Whether ``face`` has a glyph for ``char`` (the primary leaves RTL scripts to Noto)."""
    code = ord(char)
    if face.primary and any(low <= code <= high for low, high in _SCRIPT_RANGES):
        return False
    return code in _cmap(face.path, face.index)


def needs_glyph(char: str) -> bool:
    """Whether ``char`` is drawn (spaces, controls, joiners and selectors are not)."""
    if char.isspace() or _is_modifier(char):
        return False
    return unicodedata.category(char) not in ("Cc", "Cf", "Zs", "Zl", "Zp")


def _is_modifier(char: str) -> bool:
    code = ord(char)
    # variation selectors, emoji skin-tone modifiers and tag characters ride on their base
    return 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F


@dataclass(frozen=True, slots=True)
class FontChain:
    """Faces in fallback order: each character is drawn by the first face that has it."""

    faces: tuple[Face, ...]

    def face_for(self, char: str) -> int | None:
        """Index of the first face covering ``char`` (``None`` when none does)."""
        for index, face in enumerate(self.faces):
            if covers(face, char):
                return index
        return None

    def missing(self, text: str) -> list[str]:
        """Characters of ``text`` no face draws, each once, in order."""
        seen: dict[str, None] = {}
        for char in text:
            if char not in seen and needs_glyph(char) and self.face_for(char) is None:
                seen[char] = None
        return list(seen)

    def with_brand(self, brand: Face | None) -> FontChain:
        """This chain with a brand font in front (the built-in faces fill what it lacks)."""
        return self if brand is None else FontChain((brand, *self.faces))


@cache
def builtin_chain() -> FontChain:
    """DejaVu Sans Bold, then the Noto faces installed (``manimgx-fonts``, CJK if present)."""
    faces: list[Face] = [Face(PRIMARY, primary=True)]
    noto = _package_dir("manimgx_fonts")
    if noto is not None:
        faces += [Face(noto / name, weight=BOLD) for name in NOTO_FILES if (noto / name).exists()]
    cjk = _package_dir("manimgx_fonts_cjk")
    if cjk is not None and (cjk / "NotoSansCJK-VF.otf.ttc").exists():
        faces.append(Face(cjk / "NotoSansCJK-VF.otf.ttc", index=0, weight=BOLD))
    return FontChain(tuple(faces))


def _shown(chars: Sequence[str]) -> str:
    shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in chars[:5])
    return shown + (f" and {len(chars) - 5} more" if len(chars) > 5 else "")


def require_glyphs(
    texts: Iterable[tuple[str | None, list[str]]], chain: FontChain | None = None
) -> list[Invalid]:
    """One INVALID per text (given with its field path) that has a character no font draws."""
    fonts = chain or builtin_chain()
    errors: list[Invalid] = []
    for text, path in texts:
        missing = fonts.missing(text or "")
        if missing:
            errors.append(
                Invalid(
                    f"{path[-1]} has characters no available font can draw: {_shown(missing)}",
                    path,
                )
            )
    return errors


__all__ = [
    "BOLD",
    "BUNDLED",
    "NOTO_FILES",
    "PRIMARY",
    "Face",
    "FontChain",
    "builtin_chain",
    "covers",
    "needs_glyph",
    "require_glyphs",
]
