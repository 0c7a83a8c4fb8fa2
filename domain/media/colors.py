"""Brand colours: parsing ``#RRGGBB`` strings and deriving a usable palette from them."""

from __future__ import annotations

import re

from domain.errors import Invalid

RGB = tuple[int, int, int]

_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")

#: Used when a client has no brand colours: deep indigo and a warm coral.
DEFAULT_PALETTE: tuple[RGB, RGB] = ((0x1F, 0x2A, 0x5C), (0xF2, 0x6B, 0x5B))


def parse_hex(value: str) -> RGB:
    """``#RRGGBB``, ``RRGGBB`` or ``#RGB`` to an RGB triple; anything else is invalid."""
    found = _HEX.match(value.strip())
    if not found:
        raise Invalid(f"{value!r} is not a #RRGGBB colour", ["brandColors"])
    digits = found.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def to_ffmpeg(rgb: RGB) -> str:
    """``0xRRGGBB`` as FFmpeg colour options expect."""
    return "0x{:02X}{:02X}{:02X}".format(*rgb)


def luminance(rgb: RGB) -> float:
    """Relative luminance (WCAG), 0 black .. 1 white."""

    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else float(((v + 0.055) / 1.055) ** 2.4)

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def mix(a: RGB, b: RGB, amount: float) -> RGB:
    """``a`` moved ``amount`` (0..1) of the way to ``b``."""
    r, g, bl = (round(x + (y - x) * amount) for x, y in zip(a, b, strict=True))
    return (r, g, bl)


def shade(rgb: RGB, amount: float) -> RGB:
    """Darker (amount > 0) towards black."""
    return mix(rgb, (0, 0, 0), amount)


def tint(rgb: RGB, amount: float) -> RGB:
    """Lighter towards white."""
    return mix(rgb, (255, 255, 255), amount)


def text_color_on(background: RGB) -> RGB:
    """White or near-black, whichever reads better on ``background``."""
    return (20, 20, 24) if luminance(background) > 0.45 else (255, 255, 255)


def palette(brand_colors: tuple[str, ...] | list[str]) -> tuple[RGB, RGB]:
    """Two colours to build backgrounds from: the first two brand colours, or derived ones."""
    parsed = [parse_hex(c) for c in brand_colors]
    if not parsed:
        return DEFAULT_PALETTE
    if len(parsed) == 1:
        base = parsed[0]
        other = shade(base, 0.55) if luminance(base) > 0.2 else tint(base, 0.35)
        return (base, other)
    return (parsed[0], parsed[1])


__all__ = [
    "DEFAULT_PALETTE",
    "RGB",
    "luminance",
    "mix",
    "palette",
    "parse_hex",
    "shade",
    "text_color_on",
    "tint",
    "to_ffmpeg",
]
