"""The built-in clip with the job's character composited over it, checked by decoding frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
from domain.adapters.providers.builtin_video import BuiltinVideoProvider
from domain.media.character import character_box
from domain.media.types import Size
from domain.ports.providers import VideoRequest
from tests.support.characters import CYAN, MAGENTA, cutout_png, photo_jpeg, share_of
from tests.support.media import make_png
from tests.support.pipeline import frames_rgb

SIZES = {"9:16": Size(270, 480), "16:9": Size(480, 270), "1:1": Size(360, 360)}


@pytest.mark.parametrize("aspect", list(SIZES))
async def test_a_cutout_stands_still_over_the_moving_clip(tmp_path: Path, aspect: str) -> None:
    size = SIZES[aspect]
    key = make_png(tmp_path, 640, 640, "key.png")
    who = cutout_png(tmp_path / "who.png")
    provider = BuiltinVideoProvider(FfmpegMediaEngine())
    request = VideoRequest(image=key, size=size, duration_seconds=1.0, character_image=who)
    made = await provider.generate_clip(request, tmp_path / "clip.mp4")
    frames = frames_rgb(made.path)
    assert len(frames) == 30
    with Image.open(who) as figure:  # the box fits the figure's visible part
        left, top, right, bottom = figure.getchannel("A").getbbox() or (0, 0, 1, 1)
    box = character_box(size, Size(right - left, bottom - top), cutout=True)
    assert box.bottom == size.height and box.right < size.width
    for frame in frames[::7]:  # the same pixels in every frame: it does not move with the shot
        inside = frame[box.y : box.bottom, box.x : box.right]
        assert share_of(inside, MAGENTA) > 0.45
        outside = frame.copy()  # nothing of it elsewhere (4 px of chroma bleed at its edge)
        outside[max(0, box.y - 4) :, max(0, box.x - 4) : box.right + 4] = 0
        assert share_of(outside, MAGENTA) < 0.0005
    first, last = frames[0].astype(np.int16), frames[-1].astype(np.int16)
    region = (slice(box.y, box.bottom), slice(box.x, box.right))
    assert np.abs(first[region] - last[region]).mean() < 6  # the character holds still


async def test_an_opaque_photo_is_framed_at_the_top_right(tmp_path: Path) -> None:
    size = SIZES["16:9"]
    key = make_png(tmp_path, 640, 640, "key.png")
    who = photo_jpeg(tmp_path / "who.jpg")
    provider = BuiltinVideoProvider(FfmpegMediaEngine())
    request = VideoRequest(image=key, size=size, duration_seconds=0.5, character_image=who)
    frames = frames_rgb((await provider.generate_clip(request, tmp_path / "c.mp4")).path)
    box = character_box(size, Size(480, 640), cutout=False)
    assert box.x > size.width / 2 and box.y < size.height / 4
    assert box.width / box.height == pytest.approx(4 / 5, abs=0.03)
    for frame in (frames[0], frames[-1]):
        inner = frame[box.y + 8 : box.bottom - 8, box.x + 8 : box.right - 8]
        assert share_of(inner, CYAN) > 0.9
        assert share_of(frame, CYAN) < (box.width * box.height) / size.pixels + 0.01
