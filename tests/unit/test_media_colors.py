"""Brand colour rules and encoder settings."""

from __future__ import annotations

import pytest

from domain.enums import RenderQuality, VideoFormat
from domain.errors import DomainError
from domain.media.colors import DEFAULT_PALETTE, palette, parse_hex, text_color_on, to_ffmpeg
from domain.media.encoding import audio_codec_args, container_args, video_codec_args


def test_parse_and_write_colours() -> None:
    assert parse_hex("#FF6600") == (255, 102, 0)
    assert parse_hex("0af") == (0, 170, 255)
    assert to_ffmpeg((255, 102, 0)) == "0xFF6600"
    with pytest.raises(DomainError):
        parse_hex("orange; drop table")


def test_palette_from_zero_one_or_many_colours() -> None:
    assert palette(()) == DEFAULT_PALETTE
    first, second = palette(("#FFCC00",))
    assert first == (255, 204, 0) and second != first
    assert palette(["#000000", "#FFFFFF", "#FF0000"]) == ((0, 0, 0), (255, 255, 255))


def test_text_colour_contrasts() -> None:
    assert text_color_on((250, 250, 240)) == (20, 20, 24)
    assert text_color_on((20, 30, 90)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("quality", "preset", "crf"),
    [
        (RenderQuality.FAST, "veryfast", "23"),
        (RenderQuality.BALANCED, "medium", "20"),
        (RenderQuality.HIGH, "slow", "18"),
    ],
)
def test_h264_quality_presets(quality: RenderQuality, preset: str, crf: str) -> None:
    assert video_codec_args(VideoFormat.MP4, quality) == [
        "-c:v", "libx264", "-preset", preset, "-crf", crf, "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
    ]  # fmt: skip


def test_vp9_and_prores_presets() -> None:
    assert video_codec_args(VideoFormat.WEBM, RenderQuality.HIGH)[:10] == [
        "-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "28", "-deadline", "good", "-cpu-used", "2",
    ]  # fmt: skip
    assert video_codec_args(VideoFormat.MOV, RenderQuality.BALANCED)[:6] == [
        "-c:v", "prores_ks", "-profile:v", "2", "-vendor", "apl0",
    ]  # fmt: skip


def test_audio_and_container_per_format() -> None:
    assert audio_codec_args(VideoFormat.MP4) == [
        "-c:a",
        "aac",
        "-b:a",
        "192k",
        "-ar",
        "48000",
        "-ac",
        "2",
    ]
    assert audio_codec_args(VideoFormat.WEBM)[:2] == ["-c:a", "libopus"]
    assert audio_codec_args(VideoFormat.MOV)[:2] == ["-c:a", "pcm_s16le"]
    assert container_args(VideoFormat.MP4) == ["-movflags", "+faststart", "-f", "mp4"]
    assert container_args(VideoFormat.WEBM) == ["-f", "webm"]
