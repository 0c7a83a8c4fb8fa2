"""The logo bug and the end card, drawn with Pillow at their final size for the composition.

Drawn once as stills, they cost FFmpeg one picture to convert instead of a scale and a text
render per frame, and they get what drawtext cannot do: rounded buttons, a plate behind a logo.

Both follow the logo: a dark logo (dark ink on transparency, the usual case) sits on a light
card and on a light plate over the scenes; a light logo sits on a deep brand card, no plate.
Words are drawn by Pillow from the text itself (never through an FFmpeg filter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageOps, UnidentifiedImageError

from domain.adapters.ffmpeg import typeset
from domain.adapters.ffmpeg.text import chain_for
from domain.errors import ErrorCode
from domain.media import colors, logo_size
from domain.media.contrast import ratio
from domain.media.errors import MediaError, MediaTooLarge
from domain.media.geometry import safe_area
from domain.media.logo_size import MAX_UPSCALE
from domain.media.text import fit_text
from domain.media.types import Size

RGB = colors.RGB


@dataclass(frozen=True, slots=True)
class CardText:
    """What the end card says (either may be missing)."""

    headline: str | None = None
    call_to_action: str | None = None


@dataclass(frozen=True, slots=True)
class Placed:
    """A still written to ``path`` to be shown with its top-left corner at ``x, y``."""

    path: Path
    x: int
    y: int


def open_logo(path: Path, max_pixels: int) -> Image.Image:
    """A PNG/JPEG/WebP logo (no other format), upright, RGBA."""
    try:
        with Image.open(path, formats=["PNG", "JPEG", "WEBP"]) as opened:
            if opened.width * opened.height > max_pixels:
                raise MediaTooLarge(
                    f"{opened.width}x{opened.height} is larger than the pixel limit"
                )
            upright = ImageOps.exif_transpose(opened)
            upright.load()
            return upright.convert("RGBA")
    except FileNotFoundError:
        raise MediaError("the logo is missing", code=ErrorCode.NOT_FOUND) from None
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise MediaError(f"the logo could not be read: {error}") from error


def is_dark(logo: Image.Image) -> bool:
    """Whether the logo's visible pixels are mostly dark (it needs a light ground to read)."""
    low = logo.getchannel("A").getextrema()[0]
    if isinstance(low, int | float) and low >= 250:  # an opaque logo brings its own ground
        return False
    small = logo.copy()
    small.thumbnail((128, 128))
    rgba = small.tobytes()
    pixels = [tuple(rgba[i : i + 3]) for i in range(0, len(rgba), 4) if rgba[i + 3] > 128]
    if not pixels:
        return False
    lum = sum(colors.luminance((p[0], p[1], p[2])) for p in pixels) / len(pixels)
    return lum < 0.4


def _fit(image: Image.Image, width: int, height: int) -> Image.Image:
    ratio = min(width / image.width, height / image.height, MAX_UPSCALE)
    return image.resize(
        (max(1, round(image.width * ratio)), max(1, round(image.height * ratio))),
        Image.Resampling.LANCZOS,
    )


def upscale_needed(logo: Image.Image, frame: Size) -> float:
    """How much the end card would enlarge ``logo`` to its readable size (1.0: not at all)."""
    return logo_size.upscale(logo.width, logo.height, frame)


def _halo(
    fitted: Image.Image, blur: int, color: tuple[int, int, int], strength: int
) -> Image.Image:
    """``fitted`` over a soft glow of its own shape: legible on any scene without a plate."""
    # transparent pixels carry the glow's colour too, so blurring never greys its edge
    bug = Image.new("RGBA", (fitted.width + 4 * blur, fitted.height + 4 * blur), (*color, 0))
    glow = Image.new("RGBA", fitted.size, (*color, 0))
    glow.putalpha(fitted.getchannel("A").point(lambda v: min(255, v * strength // 255)))
    for dx, dy in ((0, 0), (blur // 2, 0), (-blur // 2, 0), (0, blur // 2), (0, -blur // 2)):
        bug.alpha_composite(glow, (2 * blur + dx, 2 * blur + dy))
    bug = bug.filter(ImageFilter.GaussianBlur(blur))
    bug.alpha_composite(fitted, (2 * blur, 2 * blur))
    return bug


def ink(logo: Image.Image) -> RGB:
    """The mean colour of the logo's visible pixels."""
    small = logo.copy()
    small.thumbnail((64, 64))
    rgba = small.tobytes()
    seen = [rgba[i : i + 3] for i in range(0, len(rgba), 4) if rgba[i + 3] > 128]
    if not seen:
        return (128, 128, 128)
    r, g, b = (round(sum(p[c] for p in seen) / len(seen)) for c in range(3))
    return (r, g, b)


#: Below this contrast between the logo's ink and the scenes' ground, the logo gets a plate.
PLATE_BELOW = 3.0


def logo_bug(logo: Image.Image, frame: Size, output: Path, ground: RGB | None = None) -> Placed:
    """The small logo for the top-right corner of the safe area, sized to read in every aspect.

    No plate when its ink stands out from ``ground`` (the scenes' usual colour): a soft glow of
    its own shape behind dark ink, a soft shadow under light ink. A light rounded plate when the
    ink would sink into the ground (contrast under :data:`PLATE_BELOW`).
    """
    safe = safe_area(frame)
    unit = min(frame.width, frame.height)
    box_w, box_h = round(unit * logo_size.BUG_WIDTH), round(unit * logo_size.BUG_HEIGHT)
    dark = is_dark(logo)
    if dark and ground is not None and ratio(ink(logo), ground) < PLATE_BELOW:
        pad = round(box_h * 0.18)
        fitted = _fit(logo, box_w - 2 * pad, box_h - 2 * pad)
        w, h = fitted.width + 2 * pad, fitted.height + 2 * pad
        plate = Image.new("RGBA", (w, h), (255, 255, 255, 0))
        ImageDraw.Draw(plate).rounded_rectangle(
            (0, 0, w - 1, h - 1), round(h * 0.28), fill=(255, 255, 255, 230)
        )
        plate.alpha_composite(fitted, (pad, pad))
        plate.save(output, "PNG")
        return Placed(output, safe.right - w, safe.y)
    fitted = _fit(logo, box_w, box_h)
    blur = max(1, round(box_h * 0.07))
    if dark:
        bug = _halo(fitted, blur, (255, 255, 255), 230)
    else:
        bug = _halo(fitted, blur, (0, 0, 0), 120)
    bug.save(output, "PNG")
    return Placed(output, safe.right - bug.width + 2 * blur, safe.y - 2 * blur)


def _gradient(size: Size, top: RGB, bottom: RGB) -> Image.Image:
    mask = Image.linear_gradient("L").resize((size.width, size.height), Image.Resampling.BICUBIC)
    return Image.composite(
        Image.new("RGB", (size.width, size.height), bottom),
        Image.new("RGB", (size.width, size.height), top),
        mask,
    )


@dataclass(frozen=True, slots=True)
class _Look:
    top: RGB
    bottom: RGB
    ink: RGB
    button: RGB
    label: RGB
    accent: RGB


def _look(palette: tuple[RGB, RGB], light: bool) -> _Look:
    first, second = palette
    if light:  # a clean, lightly brand-tinted card: dark logos and dark words read on it
        button = first if colors.luminance(first) < 0.5 else colors.shade(first, 0.45)
        return _Look(
            top=colors.tint(first, 0.95),
            bottom=colors.tint(first, 0.8),
            ink=colors.shade(first, 0.7) if colors.luminance(first) > 0.02 else (24, 24, 28),
            button=button,
            label=colors.text_color_on(button),
            accent=second,
        )
    button = (
        second
        if abs(colors.luminance(second) - colors.luminance(first)) > 0.1
        else colors.tint(first, 0.85)
    )
    return _Look(
        top=colors.shade(first, 0.2),
        bottom=colors.shade(first, 0.6),
        ink=(255, 255, 255),
        button=button,
        label=colors.text_color_on(button),
        accent=second,
    )


class _Writer:
    """Sets words in the font chain (a brand font first, the built-in faces for the rest)."""

    def __init__(self, font: Path) -> None:
        self.chain = chain_for(font)

    def measure(self) -> Callable[[str, int], float]:
        chain = self.chain
        return lambda text, size: typeset.measure(text, size, chain)

    def width(self, text: str, size: int) -> float:
        return typeset.measure(text, size, self.chain)

    def ascent(self, size: int) -> int:
        return typeset.face_font(self.chain.faces[0], size).getmetrics()[0]

    def line_step(self, size: int) -> int:
        ascent, descent = typeset.face_font(self.chain.faces[0], size).getmetrics()
        return int(ascent + descent + round(size * 0.12))

    def draw(
        self, draw: ImageDraw.ImageDraw, x: float, top: float, text: str, size: int, fill: RGB
    ) -> None:
        typeset.draw_line(draw, (x, top + self.ascent(size)), text, size, (*fill, 255), self.chain)


def _decorate(backdrop: Image.Image, frame: Size, look: _Look) -> None:
    """Two soft brand-accent arcs in opposite corners: the whole frame is designed, on every
    aspect (no empty band under the words on 9:16)."""
    layer = Image.new("RGBA", backdrop.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    long_side = max(frame.width, frame.height)
    r = round(long_side * 0.42)
    draw.ellipse((frame.width - r, frame.height - r, frame.width + r, frame.height + r),
                 fill=(*look.accent, 70))  # fmt: skip
    r2 = round(long_side * 0.28)
    draw.ellipse((-r2, -r2, r2, r2), fill=(*look.accent, 40))
    blur = max(2, round(min(frame.width, frame.height) * 0.02))
    backdrop.alpha_composite(layer.filter(ImageFilter.GaussianBlur(blur)))


def end_card(
    frame: Size,
    palette: tuple[RGB, RGB],
    text: CardText,
    logo: Image.Image | None,
    font: Path,
    backdrop_path: Path,
    words_path: Path,
) -> tuple[Path, Path | None]:
    """Write the card's backdrop (opaque: colours and logo) and words (transparent: headline and
    call-to-action button); returns their paths (no words file when there are no words)."""
    light = logo is None or is_dark(logo)
    look = _look(palette, light)
    safe = safe_area(frame)
    unit = min(frame.width, frame.height)
    writer = _Writer(font)
    backdrop = _gradient(frame, look.top, look.bottom).convert("RGBA")
    headline = (text.headline or "").strip()
    cta = (text.call_to_action or "").strip()
    width = int(safe.width * 0.9)
    tall = frame.height / frame.width  # 9:16 is 1.78: words and logo grow to use the height
    grow = 1.0 + 0.45 * max(0.0, min(1.0, (tall - 1.0) / 0.78))
    head_lines: list[str] = []
    head_size = round(unit * 0.075 * grow)
    if headline:
        head_lines, head_size = fit_text(
            headline, size=head_size, width=width, max_lines=3, measure=writer.measure()
        )
    cta_lines: list[str] = []
    cta_size = round(unit * 0.055 * grow)
    pad_x, pad_y = round(cta_size * 0.9), round(cta_size * 0.55)
    if cta:
        cta_lines, cta_size = fit_text(
            cta, size=cta_size, width=width - 2 * pad_x, max_lines=2, measure=writer.measure()
        )
        pad_x, pad_y = round(cta_size * 0.9), round(cta_size * 0.55)
    # vertical layout: logo, gap, headline, gap, button; centred in the safe area as one block
    logo_img = _fit(logo, *logo_size.card_logo_box(frame)) if logo else None
    gap = round(unit * 0.07 * grow)
    head_h = writer.line_step(head_size) * len(head_lines)
    button_h = writer.line_step(cta_size) * len(cta_lines) + 2 * pad_y if cta_lines else 0
    blocks = [h for h in (logo_img.height if logo_img else 0, head_h, button_h) if h]
    total = sum(blocks) + gap * max(0, len(blocks) - 1)
    y = max(safe.y, safe.y + (safe.height - total) // 2)
    _decorate(backdrop, frame, look)
    if logo_img is not None:
        backdrop.alpha_composite(logo_img, ((frame.width - logo_img.width) // 2, y))
        y += logo_img.height + gap
        if head_lines or cta_lines:  # a short accent rule between the logo and the words
            bar_w, bar_h = round(unit * 0.12), max(2, round(unit * 0.01))
            top = y - gap // 2 - bar_h // 2
            ImageDraw.Draw(backdrop).rounded_rectangle(
                ((frame.width - bar_w) // 2, top, (frame.width + bar_w) // 2, top + bar_h),
                bar_h // 2, fill=(*look.accent, 255),
            )  # fmt: skip
    backdrop.convert("RGB").save(backdrop_path, "PNG")
    if not head_lines and not cta_lines:
        return backdrop_path, None
    words = Image.new("RGBA", (frame.width, frame.height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(words)
    if head_lines:
        for line in head_lines:
            x = (frame.width - writer.width(line, head_size)) / 2
            writer.draw(draw, x, y, line, head_size, look.ink)
            y += writer.line_step(head_size)
        y += gap
    if cta_lines:
        text_w = max(writer.width(line, cta_size) for line in cta_lines)
        box_w = round(text_w + 2 * pad_x)
        x0 = (frame.width - box_w) // 2
        draw.rounded_rectangle(
            (x0, y, x0 + box_w, y + button_h), round(min(button_h / 2, unit * 0.06)),
            fill=(*look.button, 255),
        )  # fmt: skip
        ty = y + pad_y
        for line in cta_lines:
            x = (frame.width - writer.width(line, cta_size)) / 2
            writer.draw(draw, x, ty, line, cta_size, look.label)
            ty += writer.line_step(cta_size)
    words.save(words_path, "PNG")
    return backdrop_path, words_path


__all__ = [
    "MAX_UPSCALE",
    "PLATE_BELOW",
    "CardText",
    "Placed",
    "end_card",
    "ink",
    "is_dark",
    "logo_bug",
    "open_logo",
    "upscale_needed",
]
