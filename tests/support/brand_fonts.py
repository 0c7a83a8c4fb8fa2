"""Real font files for brand-font tests (from the Noto wheel the project depends on), and
broken ones made from them."""

from __future__ import annotations

from importlib import util
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.t2CharStringPen import T2CharStringPen


def noto_italic() -> Path:
    """Noto Sans Italic: a real TrueType font that looks nothing like the bundled DejaVu Bold."""
    spec = util.find_spec("manimgx_fonts")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "NotoSans-Italic[wght].ttf"


def make_otf(path: Path) -> Path:
    """A small real OpenType (CFF) font drawing A-Z and 0-9 as boxes, built with fontTools."""
    chars = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + [str(d) for d in range(10)]
    names = [".notdef", *(f"g{ord(c)}" for c in chars)]
    fb = FontBuilder(1000, isTTF=False)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({ord(c): f"g{ord(c)}" for c in chars})
    strings = {}
    for name in names:
        pen = T2CharStringPen(600, None)
        pen.moveTo((50, 0))
        pen.lineTo((550, 0))
        pen.lineTo((550, 700))
        pen.lineTo((50, 700))
        pen.closePath()
        strings[name] = pen.getCharString()
    fb.setupCFF("BoxBrand-Regular", {"FullName": "Box Brand"}, strings, {})
    fb.setupHorizontalMetrics({n: (600, 50) for n in names})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "Box Brand", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    fb.setupPost()
    fb.save(str(path))
    return path


def truncated(data: bytes) -> bytes:
    """The first third of a font: the header is right, the tables are cut."""
    return data[: len(data) // 3]


def lying_header(data: bytes) -> bytes:
    """TrueType outlines under an ``OTTO`` (CFF) header."""
    return b"OTTO" + data[4:]


def garbage_with_magic() -> bytes:
    """TrueType's magic followed by noise."""
    return b"\x00\x01\x00\x00" + bytes(range(256)) * 40
