"""Character pictures for tests: a magenta cut-out (transparent around it) and an opaque photo,
in colours no built-in backdrop uses, so their pixels can be counted in decoded frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

MAGENTA = (236, 0, 236)
CYAN = (0, 220, 236)


def cutout_png(path: Path, width: int = 300, height: int = 600) -> Path:
    """A standing figure (head and body) in magenta on a transparent canvas."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.3, 20, width * 0.7, 20 + width * 0.4), fill=(*MAGENTA, 255))
    draw.rounded_rectangle(
        (width * 0.15, width * 0.45, width * 0.85, height - 10), radius=40, fill=(*MAGENTA, 255)
    )
    image.save(path, format="PNG")
    return path


def photo_jpeg(path: Path, width: int = 480, height: int = 640) -> Path:
    """An opaque 'portrait' photo: a cyan field (no transparency)."""
    Image.new("RGB", (width, height), CYAN).save(path, format="JPEG", quality=95)
    return path


def share_of(frame: np.ndarray, color: tuple[int, int, int], tolerance: int = 40) -> float:
    """The share of a frame's (H, W, 3) pixels within ``tolerance`` of ``color``."""
    near = np.all(np.abs(frame.astype(np.int16) - np.array(color, np.int16)) <= tolerance, axis=-1)
    return float(near.mean())
