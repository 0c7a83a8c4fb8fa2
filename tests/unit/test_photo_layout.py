"""Uploaded photos fill the frame around their focal point; only a far-off shape keeps a card."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from domain.adapters.ffmpeg.text import bundled_font
from domain.adapters.providers import photo_layout
from domain.adapters.providers.builtin_image import render_key_image
from domain.enums import AssetRole, ShotType
from domain.media.types import Size
from domain.ports.providers import ImageRequest

BEIGE, BLUE = (200, 190, 170), (30, 90, 160)


def _photo(path: Path, size: tuple[int, int], box: tuple[int, int, int, int]) -> Path:
    photo = Image.new("RGB", size, BEIGE)
    ImageDraw.Draw(photo).ellipse(box, fill=BLUE)
    photo.save(path)
    return path


def _render(path: Path, frame: Size, shot: ShotType = ShotType.PRODUCT) -> np.ndarray:
    request = ImageRequest(
        frame, "x", shot_type=shot, brand_colors=("#0F766E",), source_image=path,
        source_role=AssetRole.PRODUCT, seed=1,
    )  # fmt: skip
    return np.asarray(render_key_image(request, font=bundled_font())).astype(int)


def _blue(pixels: np.ndarray) -> np.ndarray:
    mask: np.ndarray = np.abs(pixels - BLUE).sum(axis=2) < 60
    return mask


@pytest.mark.parametrize("frame", [Size(270, 480), Size(480, 270), Size(300, 300)])
def test_a_photo_fills_the_frame_around_its_subject(tmp_path: Path, frame: Size) -> None:
    path = _photo(tmp_path / "p.jpg", (1200, 1200), (700, 300, 1000, 900))  # off-centre subject
    pixels = _render(path, frame)
    top = pixels[: frame.height // 3]
    beige = (np.abs(top - BEIGE).sum(axis=2) < 90).mean()
    assert beige > 0.4  # the photo itself reaches the frame's edges: no blurred copy, no card
    _, xs = np.nonzero(_blue(pixels))
    assert len(xs) and xs.min() > 0 and xs.max() < frame.width - 1  # subject whole, not cut
    assert _blue(pixels).mean() > 0.08  # and large


def test_a_panorama_in_a_tall_frame_keeps_the_card(tmp_path: Path) -> None:
    path = _photo(tmp_path / "wide.jpg", (2000, 400), (900, 50, 1100, 350))
    assert not photo_layout.fills_frame(Image.open(path), Size(270, 480))
    assert photo_layout.fills_frame(Image.open(path), Size(480, 270)) is False  # 5:1 vs 16:9


def test_focal_point_follows_the_detail(tmp_path: Path) -> None:
    path = _photo(tmp_path / "p.jpg", (1000, 600), (650, 150, 900, 450))
    fx, fy = photo_layout.focal_point(Image.open(path))
    assert 0.7 < fx <= 0.8 and 0.4 < fy < 0.6


def test_a_background_covers_the_frame_around_its_detail(tmp_path: Path) -> None:
    # a wide photo with its detail near the right edge: a centred cover to 9:16 would cut it
    path = _photo(tmp_path / "bg.jpg", (1600, 900), (1180, 350, 1380, 550))
    frame = Size(270, 480)
    request = ImageRequest(
        frame, "x", brand_colors=("#0F766E",), source_image=path,
        source_role=AssetRole.BACKGROUND, seed=1,
    )  # fmt: skip
    pixels = np.asarray(render_key_image(request, font=bundled_font())).astype(int)
    _, xs = np.nonzero(_blue(pixels))
    assert len(xs) and xs.min() > 0 and xs.max() < frame.width - 1  # the detail, whole
    centred = Image.open(path).crop((800 - 253, 0, 800 + 253, 900))  # the centred cover's box
    assert not _blue(np.asarray(centred).astype(int)).any()  # which would have lost it


def test_a_photo_asked_to_cover_covers_a_far_shape_around_its_detail(tmp_path: Path) -> None:
    path = _photo(tmp_path / "tall.jpg", (600, 1200), (100, 500, 300, 700))  # detail at left
    frame = Size(480, 240)  # a 1:1 split screen's picture side: a card unless asked to cover
    assert not photo_layout.fills_frame(Image.open(path), frame)
    request = ImageRequest(
        frame, "x", shot_type=ShotType.WIDE, brand_colors=("#0F766E",), source_image=path,
        source_role=AssetRole.PRODUCT, seed=1, cover=True,
    )  # fmt: skip
    pixels = np.asarray(render_key_image(request, font=bundled_font())).astype(int)
    beige = (np.abs(pixels[40:120, -80:-20] - BEIGE).sum(axis=2) < 90).mean()
    assert beige > 0.6  # the photo reaches the frame's side: no blurred copy around a card
    assert _blue(pixels).mean() > 0.1  # and the band kept is the one with the detail
