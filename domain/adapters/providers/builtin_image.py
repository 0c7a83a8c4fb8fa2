"""The built-in offline image provider: brand-coloured key frames drawn with Pillow.

With a product (or character) shot, the picture is fitted whole over a blurred, brand-tinted fill
of itself, with a soft shadow and, for PRODUCT shots, a spotlight. In a scene that shows the
job's character too, the product always stands whole beside the character's box (never full
bleed under it: ``domain.media.placement``). A background asset fills the
frame. Without any asset, the frame is a deep gradient of the main brand colour with soft light
shapes (accents in the second colour) chosen by the shot type.

No words are drawn: the scene title is a planning label, and on-screen copy (captions, the end
card) is drawn at composition. Only ``ImageRequest.text``, ad copy a caller asks for explicitly,
is set in the picture. Deterministic for a given seed and shot (the title does not change it).
"""

from __future__ import annotations

import asyncio
import math
import os
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageOps, UnidentifiedImageError

from domain.adapters.ffmpeg import typeset
from domain.adapters.ffmpeg.character import character_placement
from domain.adapters.ffmpeg.text import bundled_font, chain_for, measure
from domain.adapters.providers import photo_layout
from domain.enums import AssetRole, ShotType
from domain.errors import ErrorCode
from domain.media import colors
from domain.media.errors import MediaError, MediaTooLarge
from domain.media.geometry import Box, safe_area
from domain.media.inputs import DEFAULT_MAX_PIXELS
from domain.media.motion import shot_motion
from domain.media.placement import reach, subject_box
from domain.media.text import fit_text
from domain.media.types import Size
from domain.ports.providers import GeneratedMedia, ImageRequest

PROVIDER = "builtin"
MODEL = "brand-frame-1"

RGB = colors.RGB

#: How much of the frame a fitted subject may fill, per shot type.
#: Room is left for the Ken Burns zoom (up to 1.18) to never push a product out of the frame.
_SUBJECT_SCALE: dict[ShotType, float] = {
    ShotType.WIDE: 0.52,
    ShotType.MEDIUM: 0.66,
    ShotType.CLOSE_UP: 0.74,
    ShotType.EXTREME_CLOSE_UP: 0.8,
    ShotType.OVERHEAD: 0.6,
    ShotType.PRODUCT: 0.64,
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


def _grain(image: Image.Image, rng: random.Random, amount: float = 0.008) -> Image.Image:
    """A dither of (seeded) noise, under one level, so gradients do not band once encoded to
    8-bit H.264. Visible grain would cost dearly: it moves with the Ken Burns motion, so every
    frame of every encode has to code it anew (at 0.03 the final ad was twice the size)."""
    w, h = image.size
    small = (max(1, w // 2), max(1, h // 2))
    noise = Image.frombytes("L", small, rng.randbytes(small[0] * small[1]))
    noise = noise.filter(ImageFilter.GaussianBlur(0.6)).point(lambda v: 128 + (v - 128) * 3)
    noise = noise.resize((w, h), Image.Resampling.BILINEAR).convert("RGB")
    return Image.blend(image.convert("RGB"), noise, amount)


def _spotlight(size: Size, color: RGB, alpha: int) -> Image.Image:
    """A soft pool of light behind where the subject stands (drawn small, blurred, scaled up)."""
    w, h = max(1, size.width // 4), max(1, size.height // 4)
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    r = min(w, h) * 0.46
    ImageDraw.Draw(layer).ellipse(
        (w / 2 - r, h * 0.44 - r, w / 2 + r, h * 0.44 + r), fill=(*color, alpha)
    )
    layer = layer.filter(ImageFilter.GaussianBlur(min(w, h) * 0.09))
    return layer.resize((size.width, size.height), Image.Resampling.BICUBIC)


def _ground(size: Size, first: RGB, angle: float = 80.0) -> Image.Image:
    """The deep one-hue gradient every built-in frame stands on (two brand hues blended across
    a frame turn muddy)."""
    return _gradient(size, colors.shade(first, 0.15), colors.shade(first, 0.62), angle)


def _stage(size: Size, first: RGB) -> Image.Image:
    """A cut-out product's ground: the deep brand gradient under a spotlight."""
    image = _ground(size, first).convert("RGBA")
    image.alpha_composite(_spotlight(size, colors.tint(first, 0.55), 130))
    return _vignette(image, 0.45)


def _circle(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, **style: object) -> None:
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), **style)  # type: ignore[arg-type]


def _hills(draw: ImageDraw.ImageDraw, w: int, h: int, top: float, fill: RGB, phase: float) -> None:
    """A gentle rolling band from ``top`` (a fraction of the height) down to the bottom edge."""
    points = [(0.0, float(h))]
    for step in range(33):
        x = w * step / 32
        y = h * (top + 0.025 * math.sin(phase + step / 32 * math.pi * 2.2))
        points.append((x, y))
    points.append((float(w), float(h)))
    draw.polygon(points, fill=(*fill, 255))


def _graphic(
    size: Size, shot: ShotType, first: RGB, second: RGB, rng: random.Random
) -> Image.Image:
    """A designed brand backdrop for a scene with no picture: crisp shapes in the upper two thirds
    (a sun over hills, a disc and a ring, rings, a grid, a pedestal: by shot type) and a calm, deep
    lower third where the caption goes. Drawn at twice the size, then reduced: smooth edges."""
    w, h = size.width * 2, size.height * 2
    base = _ground(size, first)
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    side = min(w, h)
    jx, jy = rng.uniform(-0.06, 0.06) * w, rng.uniform(-0.03, 0.03) * h
    accent = (*second, 235)
    light = colors.tint(first, 0.3)
    if shot is ShotType.WIDE:
        _circle(draw, w * 0.5 + jx, h * 0.5 + jy, side * 0.3, fill=accent)
        phase = rng.uniform(0, math.tau)
        _hills(draw, w, h, 0.53, colors.shade(first, 0.3), phase)
        _hills(draw, w, h, 0.6, colors.shade(first, 0.5), phase + 2.0)
        _hills(draw, w, h, 0.68, colors.shade(first, 0.7), phase + 4.0)
    elif shot is ShotType.MEDIUM:
        _circle(draw, w * 0.5 + jx, h * 0.4 + jy, side * 0.34, fill=accent)
        _circle(
            draw, w * 0.58 + jx, h * 0.36 + jy, side * 0.44,
            outline=(*light, 200), width=max(2, round(side * 0.012)),
        )  # fmt: skip
        _circle(draw, w * 0.2 - jx, h * 0.2, side * 0.07, fill=(*light, 150))
    elif shot is ShotType.CLOSE_UP:
        _circle(draw, w * 0.85, h * 0.22 + jy, side * 0.78, fill=(*colors.tint(first, 0.12), 120))
        _circle(draw, w * 0.38 + jx, h * 0.44 + jy, side * 0.22, fill=accent)
    elif shot is ShotType.EXTREME_CLOSE_UP:  # ripples around a small disc
        cx, cy = w * 0.5 + jx, h * 0.42 + jy
        _circle(draw, cx, cy, side * 0.12, fill=accent)
        for ring in range(1, 5):
            alpha = 200 - ring * 40
            _circle(
                draw, cx, cy, side * (0.12 + ring * 0.1),
                outline=(*second, alpha), width=max(2, round(side * 0.014)),
            )  # fmt: skip
    elif shot is ShotType.OVERHEAD:
        pick = (rng.randrange(4), rng.randrange(5))
        for row in range(5):
            for col in range(4):
                cx, cy = w * (0.17 + col * 0.22), h * (0.12 + row * 0.115)
                fill = accent if (col, row) == pick else (*light, 110)
                _circle(draw, cx, cy, side * 0.075, fill=fill)
    else:  # PRODUCT with no product picture: an empty pedestal under a spotlight
        _circle(draw, w * 0.5, h * 0.42, side * 0.42, fill=(*colors.tint(first, 0.5), 70))
        draw.ellipse(
            (w * 0.18, h * 0.6, w * 0.82, h * 0.6 + side * 0.16),
            fill=(*colors.shade(first, 0.45), 255),
        )
        draw.rectangle(
            (w * 0.18, h * 0.6 + side * 0.08, w * 0.82, h), fill=(*colors.shade(first, 0.45), 255)
        )
        draw.ellipse((w * 0.18, h * 0.6, w * 0.82, h * 0.6 + side * 0.16), fill=accent)
    shapes = layer.resize((size.width, size.height), Image.Resampling.LANCZOS)
    image = base.convert("RGBA")
    image.alpha_composite(shapes)
    return _vignette(image, 0.45)


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


def _visible(source: Image.Image) -> Image.Image:
    """A cut-out cropped to what is visible of it (its transparent margins dropped)."""
    box = source.getchannel("A").point(lambda v: 255 if v > 8 else 0).getbbox()
    return source.crop(box) if box is not None else source


def _place_subject(
    canvas: Image.Image,
    source: Image.Image,
    size: Size,
    shot: ShotType,
    character: Box | None = None,
) -> Image.Image:
    """Fit the whole subject in the frame's upper middle with a soft shadow, clear of the
    caption band (a cut-out is measured by what is visible, not by its transparent margins),
    beside the ``character``'s box when the scene shows one."""
    if _has_transparency(source):
        source = _visible(source)
    scale = _SUBJECT_SCALE[shot]
    tall = size.height > size.width * 1.2
    most = (size.width * scale, size.height * scale * (0.6 if tall else 0.78))
    box = subject_box(size, Size(source.width, source.height), most, character)
    subject = source.resize((box.width, box.height), Image.Resampling.LANCZOS)
    if not _has_transparency(subject):
        subject = _rounded(subject, round(min(size.width, size.height) * 0.025))
    x, y = box.x, box.y
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


def _headline(
    canvas: Image.Image, text: str, size: Size, font: Path, ink: RGB, accent: RGB
) -> Image.Image:
    """Ad copy, large and centred in the upper middle, with a soft shadow and an accent bar."""
    safe = safe_area(size)
    unit = min(size.width, size.height)
    width = int(safe.width * 0.9)

    def measure_line(line: str, font_size: int) -> float:
        return measure(line, font_size, font)

    lines, font_size = fit_text(
        text, size=round(unit * 0.1), width=width, max_lines=3, measure=measure_line
    )
    chain = chain_for(font)
    ascent, descent = typeset.face_font(chain.faces[0], font_size).getmetrics()
    step = ascent + descent + round(font_size * 0.15)
    block = step * len(lines)
    top = round(size.height * 0.40 - block / 2)
    layer = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    shadow = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw, shade = ImageDraw.Draw(layer), ImageDraw.Draw(shadow)
    for index, line in enumerate(lines):
        x = (size.width - typeset.measure(line, font_size, chain)) / 2
        y = top + index * step + ascent
        offset = max(1, round(font_size * 0.05))
        typeset.draw_line(shade, (x + offset, y + offset), line, font_size, (0, 0, 0, 140), chain)
        typeset.draw_line(draw, (x, y), line, font_size, (*ink, 255), chain)
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
    rng = random.Random(f"{request.seed}:{request.shot_type}")
    first, second = colors.palette(request.brand_colors)
    source = _open_source(request.source_image, max_pixels) if request.source_image else None
    if source is not None and request.source_role is AssetRole.BACKGROUND:
        image = _vignette(photo_layout.cover(source, size), 0.45)  # around its focal point
    elif source is not None and request.character_image is not None:
        # the character is composited over the clip: the subject stands beside it, whole
        image = (
            _stage(size, first) if _has_transparency(source) else _blur_fill(source, size, first)
        )
        who = character_placement(request.character_image, size, max_pixels=max_pixels).box
        keep_clear = reach(who, size, shot_motion(request.shot_type))
        image = _place_subject(image, source, size, request.shot_type, keep_clear)
    elif source is not None and request.shot_type is ShotType.EXTREME_CLOSE_UP:
        # in on a detail: the picture (a cut-out: what is visible of it) covers the frame
        cut_out = _has_transparency(source)
        subject = _visible(source) if cut_out else source.convert("RGB")
        detail = ImageOps.fit(
            subject, (size.width, size.height), Image.Resampling.LANCZOS, centering=(0.5, 0.45)
        )
        if cut_out:  # what is transparent around the product shows the spotlit brand ground
            ground = _stage(size, first).convert("RGBA")
            ground.alpha_composite(detail)
            detail = ground
        image = _vignette(detail, 0.4)
    elif (
        source is not None
        and not _has_transparency(source)
        and (request.cover or photo_layout.fills_frame(source, size))
    ):  # a photo: full-bleed around its focal point
        image = _vignette(photo_layout.full_bleed(source, size, request.shot_type, first), 0.3)
    elif source is not None:
        if _has_transparency(source):  # a cut-out: stand it in a spotlight on the brand ground
            image = _stage(size, first)
        else:
            image = _blur_fill(source, size, first)
            if request.shot_type is ShotType.PRODUCT:
                image = image.convert("RGBA")
                image.alpha_composite(_spotlight(size, colors.tint(first, 0.6), 110))
        image = _place_subject(image, source, size, request.shot_type)
    else:
        image = _graphic(size, request.shot_type, first, second, rng)
    if request.text.strip():  # explicit ad copy only, never the scene title
        ink = colors.text_color_on(colors.shade(first, 0.35))
        image = _headline(image, request.text.strip(), size, font, ink, colors.tint(second, 0.1))
    return _grain(image, rng)


def _save_png(image: Image.Image, output: Path) -> None:
    """zlib level 1: a grainy 1080p key image takes ~0.1 s instead of ~0.18 s at level 3, for a
    file about 13% larger (it is decoded once per clip that shows it)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(f".{output.stem}.partial.png")
    try:
        image.save(temporary, "PNG", compress_level=1)
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
