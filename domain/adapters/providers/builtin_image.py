"""The built-in offline image provider: brand-coloured key frames drawn with Pillow.

With a product (or character) shot, the picture is fitted whole over a blurred, brand-tinted fill
of itself, with a soft shadow and, for PRODUCT shots, a spotlight. A background asset fills the
frame. Without any asset, the frame is a brand gradient with soft shapes chosen by the shot type
and the scene title set in the bundled font. Deterministic for a given request and seed.
"""

from __future__ import annotations

import asyncio
import os
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps, UnidentifiedImageError

from domain.adapters.ffmpeg.text import bundled_font, measure
from domain.enums import AssetRole, ShotType
from domain.errors import ErrorCode
from domain.media import colors
from domain.media.errors import MediaError, MediaTooLarge
from domain.media.geometry import safe_area
from domain.media.inputs import DEFAULT_MAX_PIXELS
from domain.media.text import fit_text
from domain.media.types import Size
from domain.ports.providers import GeneratedMedia, ImageRequest

PROVIDER = "builtin"
MODEL = "brand-frame-1"

RGB = colors.RGB

#: How much of the frame a fitted subject may fill, per shot type.
_SUBJECT_SCALE: dict[ShotType, float] = {
    ShotType.WIDE: 0.56,
    ShotType.MEDIUM: 0.72,
    ShotType.CLOSE_UP: 0.86,
    ShotType.EXTREME_CLOSE_UP: 0.95,
    ShotType.OVERHEAD: 0.64,
    ShotType.PRODUCT: 0.66,
}


def _open_source(path: Path, max_pixels: int) -> Image.Image:
    """Open a PNG/JPEG/WebP asset (never any other format), upright, as RGBA."""
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
        raise MediaError(f"image {path.name!r} is missing", code=ErrorCode.NOT_FOUND) from None
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise MediaError(f"image {path.name!r} could not be read: {error}") from error


def _gradient(size: Size, first: RGB, second: RGB, angle: float) -> Image.Image:
    """A smooth linear gradient from ``first`` (top-left) to ``second``; ``angle`` 0 is
    left-to-right, 90 top-to-bottom."""
    w, h = size.width, size.height
    across = Image.linear_gradient("L").rotate(90).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    across = across.resize((w, h), Image.Resampling.BICUBIC)
    down = Image.linear_gradient("L").resize((w, h), Image.Resampling.BICUBIC)
    weight = max(0.0, min(1.0, angle / 90))
    mask = Image.blend(across, down, weight)
    return Image.composite(Image.new("RGB", (w, h), second), Image.new("RGB", (w, h), first), mask)


def _vignette(image: Image.Image, strength: float) -> Image.Image:
    """Darken the edges: keeps the eye in the middle and text readable."""
    mask = Image.radial_gradient("L").resize(image.size, Image.Resampling.BICUBIC)
    mask = mask.point(lambda v: int(min(255, max(0, (v - 90) * 1.6)) * strength))
    black = Image.new("RGB", image.size, (0, 0, 0))
    return Image.composite(black, image.convert("RGB"), mask)


def _grain(image: Image.Image, rng: random.Random, amount: float = 0.03) -> Image.Image:
    """A whisper of (seeded) noise so gradients do not band once encoded to 8-bit H.264."""
    w, h = image.size
    small = (max(1, w // 2), max(1, h // 2))
    noise = Image.frombytes("L", small, rng.randbytes(small[0] * small[1]))
    noise = noise.filter(ImageFilter.GaussianBlur(0.6)).point(lambda v: 128 + (v - 128) * 3)
    noise = noise.resize((w, h), Image.Resampling.BILINEAR).convert("RGB")
    return Image.blend(image.convert("RGB"), noise, amount)


def _soft_shapes(
    size: Size, shot: ShotType, first: RGB, second: RGB, rng: random.Random
) -> Image.Image:
    """Blurred translucent circles (and dots for overhead shots), drawn small and scaled up."""
    scale = 4
    w, h = max(1, size.width // scale), max(1, size.height // scale)
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    unit = min(w, h)
    light, deep = colors.tint(first, 0.4), colors.tint(second, 0.25)
    plans: dict[ShotType, tuple[int, float, float]] = {  # (count, min radius, max radius) x unit
        ShotType.WIDE: (8, 0.08, 0.22),
        ShotType.MEDIUM: (4, 0.2, 0.42),
        ShotType.CLOSE_UP: (2, 0.45, 0.7),
        ShotType.EXTREME_CLOSE_UP: (2, 0.6, 0.9),
        ShotType.OVERHEAD: (5, 0.1, 0.25),
        ShotType.PRODUCT: (3, 0.15, 0.3),
    }
    count, low, high = plans[shot]
    for index in range(count):
        radius = unit * (low + (high - low) * rng.random())
        cx, cy = rng.uniform(-0.1, 1.1) * w, rng.uniform(-0.1, 1.1) * h
        fill = light if index % 2 == 0 else deep
        alpha = rng.randint(70, 140)
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(*fill, alpha))
    if shot is ShotType.PRODUCT:  # a spotlight behind where a product would stand
        r = unit * 0.42
        draw.ellipse(
            (w / 2 - r, h * 0.44 - r, w / 2 + r, h * 0.44 + r), fill=(*colors.tint(first, 0.6), 120)
        )
    layer = layer.filter(ImageFilter.GaussianBlur(unit * 0.06))
    if shot is ShotType.OVERHEAD:  # a crisp dot grid, like a table seen from above
        dots = ImageDraw.Draw(layer)
        step = max(6, unit // 9)
        for y in range(step // 2, h, step):
            for x in range(step // 2, w, step):
                dots.ellipse(
                    (x - 1.5, y - 1.5, x + 1.5, y + 1.5), fill=(*colors.tint(first, 0.7), 70)
                )
    return layer.resize((size.width, size.height), Image.Resampling.BICUBIC)


def _brand_background(
    size: Size, shot: ShotType, first: RGB, second: RGB, rng: random.Random
) -> Image.Image:
    angle = {ShotType.OVERHEAD: 90.0, ShotType.WIDE: 20.0}.get(shot, rng.uniform(25, 75))
    base = _gradient(size, colors.shade(first, 0.05), colors.shade(second, 0.2), angle).convert(
        "RGBA"
    )
    base.alpha_composite(_soft_shapes(size, shot, first, second, rng))
    return _vignette(base, 0.55)


def _blur_fill(source: Image.Image, size: Size, tint_with: RGB) -> Image.Image:
    """The source covering the frame, heavily blurred, darkened and tinted with the brand."""
    small = ImageOps.fit(source.convert("RGB"), (max(1, size.width // 8), max(1, size.height // 8)))
    small = small.filter(ImageFilter.GaussianBlur(max(2.0, min(small.size) / 14)))
    fill = small.resize((size.width, size.height), Image.Resampling.BICUBIC)
    fill = Image.blend(fill, Image.new("RGB", fill.size, colors.shade(tint_with, 0.2)), 0.35)
    return _vignette(fill, 0.6)


def _rounded(image: Image.Image, radius: int) -> Image.Image:
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (0, 0, image.width - 1, image.height - 1), radius, fill=255
    )
    alpha = image.getchannel("A")
    out = image.copy()
    out.putalpha(Image.composite(alpha, mask, mask))
    return out


def _has_transparency(image: Image.Image) -> bool:
    extrema = image.getchannel("A").getextrema()
    low = extrema[0]
    return isinstance(low, int | float) and low < 250


def _place_subject(
    canvas: Image.Image, source: Image.Image, size: Size, shot: ShotType
) -> Image.Image:
    """Fit the whole subject in the frame's upper middle with a soft shadow."""
    scale = _SUBJECT_SCALE[shot]
    box_w, box_h = size.width * scale, size.height * scale * 0.78
    ratio = min(box_w / source.width, box_h / source.height)
    subject = source.resize(
        (max(1, round(source.width * ratio)), max(1, round(source.height * ratio))),
        Image.Resampling.LANCZOS,
    )
    if not _has_transparency(subject):
        subject = _rounded(subject, round(min(size.width, size.height) * 0.025))
    x = (size.width - subject.width) // 2
    y = round(size.height * 0.44 - subject.height / 2)
    unit = min(size.width, size.height)
    shadow = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    silhouette = Image.new("RGBA", subject.size, (0, 0, 0, 150))
    silhouette.putalpha(subject.getchannel("A").point(lambda v: v * 150 // 255))
    shadow.paste(silhouette, (x, y + round(unit * 0.02)), silhouette)
    shadow = shadow.filter(ImageFilter.GaussianBlur(unit * 0.025))
    layered = canvas.convert("RGBA")
    layered.alpha_composite(shadow)
    layered.alpha_composite(subject, (x, y))
    return layered.convert("RGB")


def _title(
    canvas: Image.Image, text: str, size: Size, font: Path, ink: RGB, accent: RGB
) -> Image.Image:
    """The scene title, large and centred in the upper middle, with a soft shadow and an accent bar."""
    safe = safe_area(size)
    unit = min(size.width, size.height)
    width = int(safe.width * 0.9)

    def measure_line(line: str, font_size: int) -> float:
        return measure(line, font_size, font)

    lines, font_size = fit_text(
        text, size=round(unit * 0.1), width=width, max_lines=3, measure=measure_line
    )
    face = ImageFont.truetype(str(font), font_size)
    ascent, descent = face.getmetrics()
    step = ascent + descent + round(font_size * 0.15)
    block = step * len(lines)
    top = round(size.height * 0.40 - block / 2)
    layer = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    shadow = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw, shade = ImageDraw.Draw(layer), ImageDraw.Draw(shadow)
    for index, line in enumerate(lines):
        x = (size.width - face.getlength(line)) / 2
        y = top + index * step
        offset = max(1, round(font_size * 0.05))
        shade.text((x + offset, y + offset), line, font=face, fill=(0, 0, 0, 140))
        draw.text((x, y), line, font=face, fill=(*ink, 255))
    bar_w, bar_h = round(unit * 0.14), max(3, round(unit * 0.012))
    bar_y = top + block + round(font_size * 0.3)
    draw.rounded_rectangle(
        ((size.width - bar_w) / 2, bar_y, (size.width + bar_w) / 2, bar_y + bar_h),
        bar_h // 2,
        fill=(*accent, 255),
    )
    shadow = shadow.filter(ImageFilter.GaussianBlur(max(1, font_size * 0.08)))
    out = canvas.convert("RGBA")
    out.alpha_composite(shadow)
    out.alpha_composite(layer)
    return out.convert("RGB")


def render_key_image(
    request: ImageRequest, *, font: Path, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Image.Image:
    """Draw the key image for ``request`` (RGB, exactly ``request.size``)."""
    size = request.size
    rng = random.Random(f"{request.seed}:{request.title}:{request.shot_type}")
    first, second = colors.palette(request.brand_colors)
    source = _open_source(request.source_image, max_pixels) if request.source_image else None
    if source is not None and request.source_role is AssetRole.BACKGROUND:
        image = ImageOps.fit(
            source.convert("RGB"), (size.width, size.height), Image.Resampling.LANCZOS
        )
        image = _vignette(image, 0.45)
    elif source is not None and request.shot_type is ShotType.EXTREME_CLOSE_UP:
        image = ImageOps.fit(
            source.convert("RGB"),
            (size.width, size.height),
            Image.Resampling.LANCZOS,
            centering=(0.5, 0.45),
        )
        image = _vignette(image, 0.4)
    elif source is not None:
        if _has_transparency(source):  # a cut-out: stand it on the brand background
            image = _brand_background(size, ShotType.PRODUCT, first, second, rng)
        else:
            image = _blur_fill(source, size, first)
        if request.shot_type is ShotType.PRODUCT:
            glow = _soft_shapes(size, ShotType.PRODUCT, first, second, rng)
            image = image.convert("RGBA")
            image.alpha_composite(glow)
        image = _place_subject(image, source, size, request.shot_type)
    else:
        image = _brand_background(size, request.shot_type, first, second, rng)
        if request.show_title and request.title.strip():
            middle = colors.mix(first, second, 0.5)
            ink = colors.text_color_on(colors.shade(middle, 0.2))
            accent = colors.tint(first, 0.25)
            image = _title(image, request.title.strip(), size, font, ink, accent)
    return _grain(image, rng)


def _save_png(image: Image.Image, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(f".{output.stem}.partial.png")
    try:
        image.save(temporary, "PNG", compress_level=3)
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)


class BuiltinImageProvider:
    """Offline, free key images (implements :class:`domain.ports.providers.ImageProvider`)."""

    name = PROVIDER

    def __init__(self, *, font: Path | None = None, max_pixels: int = DEFAULT_MAX_PIXELS) -> None:
        self.font = font or bundled_font()
        self.max_pixels = max_pixels

    def estimate_usd(self, request: ImageRequest) -> float:
        return 0.0

    async def generate_image(self, request: ImageRequest, output: Path) -> GeneratedMedia:
        def work() -> None:
            image = render_key_image(request, font=self.font, max_pixels=self.max_pixels)
            _save_png(image, output)

        await asyncio.to_thread(work)
        return GeneratedMedia(output, PROVIDER, MODEL, 0.0)


__all__ = ["MODEL", "PROVIDER", "BuiltinImageProvider", "render_key_image"]
