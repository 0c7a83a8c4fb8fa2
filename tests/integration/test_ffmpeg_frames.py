"""Thumbnails and exact last frames, checked by decoding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
from domain.adapters.providers.builtin_image import BuiltinImageProvider
from domain.adapters.providers.builtin_video import BuiltinVideoProvider
from domain.enums import ShotType
from domain.media.clip import TO_YUV420
from domain.media.types import Size
from domain.ports.providers import ImageRequest, VideoRequest
from tests.support.ffmpeg_checks import frame_count, frames, image, make, psnr


@pytest.fixture(scope="module")
def engine() -> FfmpegMediaEngine:
    return FfmpegMediaEngine()


async def test_video_thumbnail_is_a_small_jpeg(engine: FfmpegMediaEngine, tmp_path: Path) -> None:
    video = tmp_path / "v.mp4"
    make(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=1280x720:rate=25:duration=3",
        "-c:v",
        "libx264",
        str(video),
    )
    thumb = await engine.thumbnail(video, tmp_path / "thumb.jpg", max_side=320)
    assert thumb.content_type == "image/jpeg"
    assert (thumb.width, thumb.height) == (320, 180)
    assert thumb.path.read_bytes()[:3] == b"\xff\xd8\xff"
    with Image.open(thumb.path) as img:
        assert img.size == (320, 180)


async def test_small_image_is_never_enlarged_and_alpha_gives_webp(
    engine: FfmpegMediaEngine, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (100, 60), (255, 0, 0, 0)).save(logo)
    thumb = await engine.thumbnail(logo, tmp_path / "thumb.webp", max_side=480)
    assert thumb.content_type == "image/webp"
    with Image.open(thumb.path) as img:
        assert img.format == "WEBP"
        assert img.size == (100, 60)
        assert img.mode == "RGBA"


async def test_jpeg_thumbnail_flattens_transparency_on_white(
    engine: FfmpegMediaEngine, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)).save(logo)
    thumb = await engine.thumbnail(logo, tmp_path / "thumb.jpg", image_format="jpeg")
    assert image(thumb.path).mean() > 245  # white, not the black hidden under the alpha


async def test_last_frame_is_exact(engine: FfmpegMediaEngine, tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    # moving content with B-frames: the last frame differs from its neighbours
    make("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=2.3", "-c:v", "libx264",
         "-bf", "3", "-pix_fmt", "yuv420p", str(clip))  # fmt: skip
    out = await engine.last_frame(clip, tmp_path / "last.png")
    decoded = frames(clip, width=320, height=180, precise=True)
    assert len(decoded) == frame_count(clip) == 69
    last = image(out)
    assert np.array_equal(last, decoded[-1])
    assert not np.array_equal(last, decoded[-2])


async def test_last_frame_is_exact_when_the_sound_outlasts_the_picture(
    engine: FfmpegMediaEngine, tmp_path: Path
) -> None:
    clip = tmp_path / "clip.mp4"
    # 1.5 s of picture, 4 s of sound: seeking from the end of the file finds no picture at all
    make("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=1.5", "-f", "lavfi", "-i",
         "sine=duration=4", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", str(clip))  # fmt: skip
    out = await engine.last_frame(clip, tmp_path / "last.png")
    decoded = frames(clip, width=320, height=180, precise=True)
    assert len(decoded) == 45
    assert np.array_equal(image(out), decoded[-1])


async def test_last_frame_comes_back_intact_as_the_next_clip_start(
    engine: FfmpegMediaEngine, tmp_path: Path
) -> None:
    """The PNG is the inverse of how a CONTINUE clip reads its start image back to 4:2:0: the
    frame returns nearly bit for bit (FFmpeg's default RGB conversion rounds luma coarsely and
    would give about 48 dB on this brand frame)."""
    size = Size(320, 576)
    key = tmp_path / "key.png"
    request = ImageRequest(size, shot_type=ShotType.MEDIUM, brand_colors=("#0F766E", "#F59E0B"))
    await BuiltinImageProvider().generate_image(request, key)
    clip = tmp_path / "clip.mp4"
    await BuiltinVideoProvider(engine).generate_clip(VideoRequest(key, size, 1.0), clip)
    out = await engine.last_frame(clip, tmp_path / "last.png")
    back = tmp_path / "back.yuv"
    make("-i", str(out), "-vf", TO_YUV420, "-f", "rawvideo", str(back))
    decoded = tmp_path / "decoded.yuv"
    make("-i", str(clip), "-vf", "select=eq(n\\,29)", "-f", "rawvideo", "-pix_fmt", "yuv420p",
         str(decoded))  # fmt: skip
    a = np.frombuffer(back.read_bytes(), np.uint8)
    b = np.frombuffer(decoded.read_bytes(), np.uint8)
    assert a.shape == b.shape == (320 * 576 * 3 // 2,)
    assert psnr(a, b) > 60


async def test_failed_extraction_leaves_no_file(engine: FfmpegMediaEngine, tmp_path: Path) -> None:
    audio = tmp_path / "a.wav"
    make("-f", "lavfi", "-i", "sine=duration=1", str(audio))
    target = tmp_path / "last.png"
    with pytest.raises(Exception):
        await engine.last_frame(audio, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.wav"]


async def test_a_known_probe_is_not_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = FfmpegMediaEngine()
    logo = tmp_path / "logo.png"
    Image.new("RGB", (100, 60), (0, 0, 255)).save(logo)
    info = await engine.probe(logo)
    runs: list[list[str]] = []
    run = engine.runner.run

    async def counted(args: list[str], **kwargs: Any) -> Any:
        runs.append(args)
        return await run(args, **kwargs)

    monkeypatch.setattr(engine.runner, "run", counted)
    thumb = await engine.thumbnail(logo, tmp_path / "thumb.jpg", image_format="jpeg", info=info)
    assert len(runs) == 1  # the thumbnail only
    assert (thumb.width, thumb.height) == (100, 60)
    await engine.thumbnail(logo, tmp_path / "again.jpg", image_format="jpeg")
    assert len(runs) == 3  # probe, then thumbnail
