"""The logo and the end card: readable on every aspect, no plate, never blown up past 2x, the
whole frame designed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from domain.adapters.ffmpeg import cards
from domain.adapters.ffmpeg.text import bundled_font
from domain.media.geometry import safe_area
from domain.media.types import Size

FRAMES = {
    "16:9": Size(640, 360),
    "9:16": Size(360, 640),
    "1:1": Size(360, 360),
    "4:5": Size(360, 450),
}
PALETTE = ((0x1F, 0x2A, 0x5C), (0xF2, 0x6B, 0x5B))


def _logo(width: int, height: int) -> Image.Image:
    logo = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(logo).rounded_rectangle((0, 0, width - 1, height - 1), 8, fill=(20, 30, 90, 255))
    return logo


@pytest.mark.parametrize("aspect", sorted(FRAMES))
def test_logo_bug_is_readable_and_has_no_plate(tmp_path: Path, aspect: str) -> None:
    frame = FRAMES[aspect]
    bug = cards.logo_bug(_logo(600, 200), frame, tmp_path / "bug.png")
    with Image.open(bug.path) as drawn:
        alpha = np.asarray(drawn.getchannel("A"))
    solid = np.nonzero(alpha.max(axis=0) == 255)[0]
    assert solid.max() - solid.min() + 1 >= 0.3 * min(frame.width, frame.height)  # readable
    assert alpha[0, 0] < 10 and alpha[-1, -1] < 10  # no plate: the corners show the scene
    safe = safe_area(frame)
    assert bug.x + alpha.shape[1] <= frame.width and bug.y >= 0
    assert bug.x + solid.max() <= safe.right  # the logo itself stays in the safe area


def test_a_small_logo_is_never_enlarged_past_2x(tmp_path: Path) -> None:
    frame = Size(1080, 1920)
    small = _logo(64, 64)
    assert cards.upscale_needed(small, frame) > cards.MAX_UPSCALE  # what a warning would say
    backdrop, _ = cards.end_card(
        frame, PALETTE, cards.CardText("Hello"), small, bundled_font(),
        tmp_path / "card.png", tmp_path / "words.png",
    )  # fmt: skip
    with Image.open(backdrop) as card:
        pixels = np.asarray(card.convert("RGB")).astype(int)
    logo_rows = np.nonzero((np.abs(pixels - [20, 30, 90]).sum(axis=2) < 30).any(axis=1))[0]
    assert 0 < len(logo_rows) <= 64 * cards.MAX_UPSCALE + 2
    assert cards.upscale_needed(_logo(800, 300), frame) == 1.0


@pytest.mark.parametrize("aspect", sorted(FRAMES))
def test_end_card_uses_the_whole_frame(tmp_path: Path, aspect: str) -> None:
    frame = FRAMES[aspect]
    backdrop, words = cards.end_card(
        frame, PALETTE, cards.CardText("TrailRunner 2 shoes", "Shop the spring collection"),
        _logo(300, 120), bundled_font(), tmp_path / "card.png", tmp_path / "words.png",
    )  # fmt: skip
    assert words is not None
    with Image.open(backdrop) as card, Image.open(words) as drawn:
        ground = np.asarray(card.convert("L")).astype(float)
        ink = np.asarray(drawn.getchannel("A")) > 128
    bottom = ground[int(frame.height * 0.6) :]
    assert bottom.std() > 8  # designed (a plain gradient there is ~4): not an empty band
    rows = np.nonzero(ink.any(axis=1))[0]
    safe = safe_area(frame)
    assert rows.min() >= safe.y and rows.max() <= safe.bottom
    # the block (logo to button) is centred in the safe area, not stuck to its top
    with Image.open(backdrop) as card:
        logo_rows = np.nonzero(
            (
                np.abs(np.asarray(card.convert("RGB")).astype(int) - [20, 30, 90]).sum(axis=2) < 30
            ).any(axis=1)
        )[0]
    middle = (logo_rows.min() + rows.max()) / 2
    assert abs(middle - (safe.y + safe.height / 2)) < 0.1 * safe.height


def test_a_plate_only_when_the_ink_would_sink_into_the_ground(tmp_path: Path) -> None:
    logo = _logo(600, 200)  # dark navy ink
    frame = FRAMES["9:16"]
    on_navy = cards.logo_bug(logo, frame, tmp_path / "a.png", ground=(15, 25, 70))
    on_orange = cards.logo_bug(logo, frame, tmp_path / "b.png", ground=(240, 140, 20))
    with Image.open(on_navy.path) as plated, Image.open(on_orange.path) as bare:
        assert np.asarray(plated.convert("RGBA"))[plated.height // 2, 3][3] > 200  # a plate
        assert np.asarray(bare.convert("RGBA"))[0, 0][3] < 10  # none


def test_a_logo_too_small_for_the_card_gives_a_job_warning() -> None:
    from domain.media.logo_size import logo_warning

    warning = logo_warning(64, 64, Size(1080, 1920))
    assert warning is not None and "64x64" in warning and "2x" in warning
    assert logo_warning(720, 300, Size(1920, 1080)) is None
    assert logo_warning(None, None, Size(1920, 1080)) is None
