"""Full-bleed photo layout: an uploaded photo covers the frame around its focal point.

A photo (no transparency) is no longer a small card over a blurred copy of itself: it fills
the frame, cropped around where its detail is (the centroid of its edges), tighter for close
shots, with a soft brand-shaded scrim over the lower band where captions sit. Only a photo whose
shape is far from the frame's (a cover would keep less than half of it) keeps the card layout.
"""

from __future__ import annotations

from PIL import Image, ImageFilter

from domain.enums import ShotType
from domain.media import colors
from domain.media.types import Size

#: How much tighter than a plain cover each shot crops around the focal point.
_ZOOM: dict[ShotType, float] = {
    ShotType.WIDE: 1.0,
    ShotType.MEDIUM: 1.05,
    ShotType.CLOSE_UP: 1.25,
    ShotType.EXTREME_CLOSE_UP: 1.5,
    ShotType.OVERHEAD: 1.0,
    ShotType.PRODUCT: 1.0,
}

#: A cover must keep at least this share of the photo for the layout to be full-bleed.
MIN_KEPT = 0.5


def kept_share(source: Image.Image, size: Size) -> float:
    """The share of the photo a cover of ``size`` keeps (1.0: same shape)."""
    photo, frame = source.width / source.height, size.width / size.height
    return min(photo / frame, frame / photo)


def fills_frame(source: Image.Image, size: Size) -> bool:
    """Whether the photo is shown full-bleed in a frame of ``size``."""
    return kept_share(source, size) >= MIN_KEPT


def focal_point(source: Image.Image) -> tuple[float, float]:
    """Where the photo's detail is, as fractions of its width and height (kept off the edges)."""
    small = source.convert("L")
    small.thumbnail((96, 96))
    edges = small.filter(ImageFilter.FIND_EDGES)
    width = edges.width
    total = sx = sy = 0.0
    for index, value in enumerate(edges.tobytes()):
        x, y = index % width, index // width
        if value > 24 and 1 < x < width - 2 and 1 < y < edges.height - 2:  # the filter's border
            total += value  # is no detail
            sx += value * x
            sy += value * y
    if total == 0:
        return 0.5, 0.5
    fx, fy = sx / total / max(1, width - 1), sy / total / max(1, edges.height - 1)
    return min(0.8, max(0.2, fx)), min(0.8, max(0.2, fy))


def cover(source: Image.Image, size: Size, zoom: float = 1.0) -> Image.Image:
    """The photo covering ``size``: the largest box of the frame's shape, ``zoom`` times
    tighter, centred on its focal point (kept inside the photo) (RGB)."""
    photo = source.convert("RGB")
    fx, fy = focal_point(photo)
    frame = size.width / size.height
    w = min(photo.width, photo.height * frame) / zoom
    h = w / frame
    left = min(photo.width - w, max(0.0, fx * photo.width - w / 2))
    top = min(photo.height - h, max(0.0, fy * photo.height - h / 2))
    return photo.resize(
        (size.width, size.height), Image.Resampling.LANCZOS, box=(left, top, left + w, top + h)
    )


def full_bleed(source: Image.Image, size: Size, shot: ShotType, brand: colors.RGB) -> Image.Image:
    """The photo covering ``size`` around its focal point, tightened by the shot, with a calm
    lower band (RGB)."""
    covered = cover(source, size, _ZOOM[shot])
    scrim = Image.linear_gradient("L").resize((size.width, size.height), Image.Resampling.BICUBIC)
    scrim = scrim.point(lambda v: max(0, (v - 150) * 170 // 105))  # lower ~40%, up to 2/3 dark
    shade = Image.new("RGB", covered.size, colors.shade(brand, 0.6))
    return Image.composite(shade, covered, scrim)


__all__ = ["MIN_KEPT", "cover", "fills_frame", "focal_point", "full_bleed", "kept_share"]
