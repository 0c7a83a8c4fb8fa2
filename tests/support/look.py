"""Helpers for the look tests: product photos with a marker colour, finding them and the
captions on decoded frames, and frame strips saved for the docs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

#: The product's colour in the test photos: found on frames, in nothing else Adreel draws.
MARKER = np.array([230, 20, 200])
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def product_photo(path: Path, variant: int, size: tuple[int, int] = (900, 1200)) -> Path:
    """An opaque product photo: a magenta product (a bottle or a box) on a soft studio ground."""
    w, h = size
    ground = Image.new("RGB", size, (222, 214, 200))
    draw = ImageDraw.Draw(ground)
    for y in range(h):
        shade = round(30 * y / h)
        draw.line([(0, y), (w, y)], fill=(222 - shade, 214 - shade, 200 - shade))
    draw.ellipse((w * 0.2, h * 0.8, w * 0.8, h * 0.9), fill=(150, 140, 130))
    ground = ground.filter(ImageFilter.GaussianBlur(6))
    draw = ImageDraw.Draw(ground)
    colour = tuple(int(c) for c in MARKER)
    if variant % 2 == 0:
        draw.rounded_rectangle(
            (w * 0.32, h * 0.22, w * 0.68, h * 0.84), round(w * 0.08), fill=colour
        )
        draw.rectangle((w * 0.44, h * 0.12, w * 0.56, h * 0.23), fill=(60, 50, 70))
    else:
        draw.rounded_rectangle(
            (w * 0.22, h * 0.35, w * 0.78, h * 0.84), round(w * 0.04), fill=colour
        )
    draw.rectangle((w * 0.3, h * 0.55, w * 0.7, h * 0.6), fill=(250, 250, 250))
    ground.save(path, "PNG")
    return path


def shows_product(frame: np.ndarray, least: float = 0.01) -> bool:
    """Whether at least ``least`` of the frame is the product's marker colour."""
    near = np.abs(frame.astype(int) - MARKER).max(axis=2) < 45
    return bool(near.mean() >= least)


def text_line_height(frame: np.ndarray, top_share: float = 0.55) -> int:
    """Height in pixels of the first line of white words below ``top_share`` of the frame."""
    h = frame.shape[0]
    lower = frame[round(h * top_share) :]
    white = (lower.min(axis=2) > 235).sum(axis=1) > 2
    rows = np.nonzero(white)[0]
    if not len(rows):
        return 0
    start = end = rows[0]
    for row in rows[1:]:
        if row - end > 2:
            break
        end = row
    return int(end - start + 1)


def save_strip(frames: list[np.ndarray], name: str, height: int = 320) -> Path:
    """Frames side by side at ``height`` pixels, 4 px apart, saved as ``docs/img/<name>``."""
    scaled = [
        np.asarray(Image.fromarray(f).resize((round(f.shape[1] * height / f.shape[0]), height)))
        for f in frames
    ]
    gap = np.full((height, 4, 3), 255, np.uint8)
    row = np.concatenate([part for f in scaled for part in (f, gap)][:-1], axis=1)
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    path = DOCS_IMG / name
    Image.fromarray(row).save(path, optimize=True)
    return path


__all__ = ["DOCS_IMG", "MARKER", "product_photo", "save_strip", "shows_product", "text_line_height"]
