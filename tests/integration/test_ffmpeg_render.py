"""Exports: formats, resolutions and aspect ratios, never stretched, checked by decoding."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
from domain.enums import AspectRatio, RenderQuality, Resolution, VideoFormat
from domain.media.composition import RenderOptions
from domain.media.types import MediaInfo
from tests.support.ffmpeg_checks import frame_count, frames, make, psnr

FAST = RenderQuality.FAST


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 16:9 'composition': a bright circle on grey (shape shows any stretching), with sound."""
    path = tmp_path_factory.mktemp("render") / "master.mp4"
    make("-f", "lavfi", "-i", "color=c=gray:size=320x180:rate=30:duration=2", "-f", "lavfi", "-i",
         "sine=duration=2:sample_rate=48000", "-vf",
         "geq=lum='if(lt(hypot(X-160,Y-90),60),235,lum(X,Y))':cb=128:cr=128",
         "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p", "-c:a", "aac", "-ac", "2",
         "-shortest", str(path))  # fmt: skip
    return path


@pytest.fixture(scope="module")
def engine() -> FfmpegMediaEngine:
    return FfmpegMediaEngine()


def _render(
    engine: FfmpegMediaEngine, master: Path, out: Path, options: RenderOptions
) -> MediaInfo:
    return asyncio.run(engine.render(master, out, options))


def _circle_aspect(frame: np.ndarray) -> float:
    bright = frame.mean(axis=2) > 200
    ys, xs = np.nonzero(bright)
    return float((xs.max() - xs.min() + 1) / (ys.max() - ys.min() + 1))


@pytest.mark.parametrize(
    ("fmt", "aspect", "fit", "size", "codecs"),
    [
        (
            VideoFormat.MP4,
            AspectRatio.LANDSCAPE_16_9,
            "blur",
            (854, 480),
            ("h264", "aac", "yuv420p"),
        ),
        (
            VideoFormat.WEBM,
            AspectRatio.PORTRAIT_9_16,
            "blur",
            (480, 854),
            ("vp9", "opus", "yuv420p"),
        ),
        (
            VideoFormat.MOV,
            AspectRatio.SQUARE_1_1,
            "pad",
            (480, 480),
            ("prores", "pcm_s16le", "yuv422p10le"),
        ),
        (VideoFormat.MP4, AspectRatio.VERTICAL_4_5, "pad", (480, 600), ("h264", "aac", "yuv420p")),
    ],
)
def test_exports(
    engine: FfmpegMediaEngine,
    master: Path,
    tmp_path: Path,
    fmt: VideoFormat,
    aspect: AspectRatio,
    fit: str,
    size: tuple[int, int],
    codecs: tuple[str, str, str],
) -> None:
    out = tmp_path / f"out.{fmt.lower()}"
    info = _render(engine, master, out, RenderOptions(fmt, Resolution.P480, aspect, FAST, fit))  # type: ignore[arg-type]
    assert (info.width, info.height) == size
    assert (info.video_codec, info.audio_codec, info.pix_fmt) == codecs
    assert (info.sample_rate, info.channels) == (48000, 2)
    assert frame_count(out) == 60
    assert info.duration is not None and abs(info.duration - 2.0) < 0.03
    picture = frames(out, width=size[0], height=size[1])[30]
    assert abs(_circle_aspect(picture) - 1.0) < 0.06  # never stretched
    if aspect is not AspectRatio.LANDSCAPE_16_9:
        bar = picture[:8] if size[1] > size[0] * 9 / 16 + 8 else picture[:, :8]
        if fit == "pad":
            assert bar.max() < 20  # flat black padding
        else:
            assert bar.mean() > 40  # blurred picture, not black bars
    if fmt is not VideoFormat.WEBM:
        head = out.read_bytes()
        assert 0 < head.find(b"moov") < head.find(b"mdat")  # +faststart


def test_p2160_upscale(engine: FfmpegMediaEngine, tmp_path: Path) -> None:
    short = tmp_path / "short.mp4"
    make("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=0.2", "-f", "lavfi", "-i",
         "anullsrc=r=48000:cl=stereo", "-shortest", "-c:v", "libx264", "-c:a", "aac", str(short))  # fmt: skip
    out = tmp_path / "uhd.mp4"
    info = _render(
        engine,
        short,
        out,
        RenderOptions(VideoFormat.MP4, Resolution.P2160, AspectRatio.LANDSCAPE_16_9, FAST),
    )
    assert (info.width, info.height) == (3840, 2160)
    big = frames(out, width=3840, height=2160)[0]
    small = frames(short, width=640, height=360)[0]
    assert psnr(big[::6, ::6], small) > 20  # the same picture, six times larger


def test_failed_export_leaves_nothing(engine: FfmpegMediaEngine, tmp_path: Path) -> None:
    audio_only = tmp_path / "a.wav"
    make("-f", "lavfi", "-i", "sine=duration=1", str(audio_only))
    with pytest.raises(Exception):
        _render(engine, audio_only, tmp_path / "x.mp4", RenderOptions())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.wav"]
