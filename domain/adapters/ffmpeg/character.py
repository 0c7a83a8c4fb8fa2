"""Compositing the job's character over a built-in clip: the layer (Pillow) and the run.

The character's picture is opened like any brand image (PNG, JPEG or WebP, upright, within the
pixel limit). A cut-out is cropped to its visible part and scaled into its box; an opaque photo
is cover-fitted into a 4:5 frame with a light border and rounded corners. The layer is a PNG with
alpha at the box's size; ``domain.media.character`` builds the argv that lays it over the clip.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

from domain.adapters.ffmpeg.ken_burns import render_clip
from domain.adapters.ffmpeg.runner import FfmpegRunner
from domain.media.character import (
    PHOTO_BORDER,
    CharacterPlacement,
    character_box,
    character_clip_args,
)
from domain.media.clip import ClipSpec
from domain.media.errors import MediaError, MediaTooLarge
from domain.media.inputs import DEFAULT_MAX_PIXELS, png
from domain.media.types import ProgressCallback, Size

#: Alpha below which a pixel counts as transparent (a cut-out has some).
_CUTOUT_ALPHA = 250


def _open(path: Path, max_pixels: int) -> Image.Image:
    try:
        with Image.open(path, formats=["PNG", "JPEG", "WEBP"]) as opened:
            if opened.width * opened.height > max_pixels:
                raise MediaTooLarge(f"{opened.width}x{opened.height} is over the pixel limit")
            upright = ImageOps.exif_transpose(opened)
            upright.load()
            return upright.convert("RGBA")
    except FileNotFoundError:
        raise MediaError(f"the character {path.name!r} is missing") from None
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise MediaError(f"the character {path.name!r} could not be read: {error}") from error


def is_cutout(image: Image.Image) -> bool:
    """Whether ``image`` (RGBA) has transparent pixels."""
    low = image.getchannel("A").getextrema()[0]
    return isinstance(low, int | float) and low < _CUTOUT_ALPHA


def _visible(source: Path, max_pixels: int) -> tuple[Image.Image, bool]:
    """The character's picture (a cut-out cropped to its visible part) and whether it is one."""
    image = _open(source, max_pixels)
    cutout = is_cutout(image)
    if cutout:
        visible = image.getchannel("A").point(lambda v: 255 if v > 8 else 0).getbbox()
        image = image.crop(visible) if visible is not None else image
    return image, cutout


def character_placement(
    source: Path, frame: Size, *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> CharacterPlacement:
    """Where the character at ``source`` goes in ``frame`` (nothing drawn)."""
    image, cutout = _visible(source, max_pixels)
    return CharacterPlacement(
        character_box(frame, Size(image.width, image.height), cutout=cutout), cutout
    )


def character_layer(
    source: Path, frame: Size, output: Path, *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> CharacterPlacement:
    """Draw the character's layer for ``frame`` to ``output`` (PNG, RGBA); where it goes."""
    image, cutout = _visible(source, max_pixels)
    box = character_box(frame, Size(image.width, image.height), cutout=cutout)
    if cutout:
        layer = image.resize((box.width, box.height), Image.Resampling.LANCZOS)
    else:
        border = max(2, round(min(frame.width, frame.height) * PHOTO_BORDER))
        inner = (box.width - 2 * border, box.height - 2 * border)
        photo = ImageOps.fit(image, inner, Image.Resampling.LANCZOS, centering=(0.5, 0.35))
        layer = Image.new("RGBA", (box.width, box.height), (255, 255, 255, 255))
        layer.paste(photo, (border, border))
        mask = Image.new("L", layer.size, 0)
        radius = max(4, box.width // 18)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, *layer.size), radius=radius, fill=255)
        layer.putalpha(mask)
    layer.save(output, format="PNG")
    return CharacterPlacement(box, cutout)


async def render_character_clip(
    runner: FfmpegRunner,
    spec: ClipSpec,
    character: Path,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    on_progress: ProgressCallback | None = None,
) -> CharacterPlacement:
    """Render ``spec`` with ``character`` composited over every frame (written atomically)."""
    layer_path = spec.output.with_name(f"{spec.output.stem}-character.png")
    placement = await asyncio.to_thread(
        character_layer, character, spec.size, layer_path, max_pixels=max_pixels
    )
    try:
        await render_clip(
            runner,
            spec,
            lambda out: character_clip_args(out, png(layer_path), placement, max_pixels=max_pixels),
            max_pixels=max_pixels,
            on_progress=on_progress,
        )
    finally:
        layer_path.unlink(missing_ok=True)
    return placement


__all__ = ["character_layer", "character_placement", "is_cutout", "render_character_clip"]
