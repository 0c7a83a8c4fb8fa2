"""The probe parser on FFmpeg's real input reports (no ffprobe anywhere)."""

from __future__ import annotations

from pathlib import Path

from domain.media.inputs import DEMUXERS, demuxer_for, input_args
from domain.media.probe import parse_probe, split_fields
from domain.media.types import MediaInput

MP4 = """\
Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/w/a.mp4':
  Metadata:
    major_brand     : isom
    encoder         : Lavf63.1.102
  Duration: 00:01:02.50, start: 0.000000, bitrate: 352 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709, progressive), 1920x1080 [SAR 1:1 DAR 16:9], 269 kb/s, 29.97 fps, 29.97 tbr, 30k tbn (default)
    Metadata:
      handler_name    : VideoHandler
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, 5.1(side), fltp, 69 kb/s (default)
Stream mapping:
  Stream #0:0 -> #0:0 (h264 (native) -> wrapped_avframe (native))
Output #0, null, to 'pipe:':
  Stream #0:0(und): Video: wrapped_avframe, yuv420p(progressive), 640x360, q=2-31, 200 kb/s, 25 fps, 25 tbn
"""

MP3_WITH_COVER = """\
[mp3 @ 0x1] Skipping 0 bytes of junk at 1234.
Input #0, mp3, from 'file:/w/song.mp3':
  Metadata:
    title           : Song, with a comma
  Duration: 00:03:05.04, start: 0.025057, bitrate: 128 kb/s
  Stream #0:0: Audio: mp3 (mp3float), 44100 Hz, stereo, fltp, 128 kb/s
  Stream #0:1: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 500x500 [SAR 1:1 DAR 1:1], 90k tbr, 90k tbn (attached pic)
"""

AAC_ESTIMATED = """\
[in#0/aac @ 0x5560bfc4f380] Estimating duration from bitrate, this may be inaccurate
Input #0, aac, from 'file:/w/a.aac':
  Duration: 00:00:03.01, bitrate: 72 kb/s
  Stream #0:0: Audio: aac (LC), 44100 Hz, mono, fltp, 72 kb/s
"""

PNG = """\
Input #0, png_pipe, from 'file:/w/a.png':
  Duration: N/A, bitrate: N/A
  Stream #0:0: Video: png, rgba(pc, gbr/unknown/unknown), 320x240 [SAR 1:1 DAR 4:3], 25 fps, 25 tbr, 25 tbn
"""

WEBM_NO_DURATION = """\
Input #0, matroska,webm, from 'file:/w/live.webm':
  Duration: N/A, start: 0.000000, bitrate: N/A
  Stream #0:0: Video: vp9 (Profile 0), yuv420p(tv, progressive), 640x360, SAR 1:1 DAR 16:9, 30 fps, 30 tbr, 1k tbn
      DURATION        : 00:00:02.000000000
  Stream #0:1: Audio: opus, 48000 Hz, 2 channels, fltp
"""


def test_mp4_video_and_audio() -> None:
    info, needs_duration = parse_probe(MP4, "mov")
    assert (info.container, info.duration) == ("mov", 62.5)
    assert (info.width, info.height, info.fps) == (1920, 1080, 29.97)
    assert (info.video_codec, info.pix_fmt) == ("h264", "yuv420p")
    assert (info.audio_codec, info.sample_rate, info.channels) == ("aac", 48000, 6)
    assert info.has_video and info.has_audio and not info.has_alpha
    assert not needs_duration


def test_cover_art_is_not_video() -> None:
    info, needs_duration = parse_probe(MP3_WITH_COVER, "mp3")
    assert info.video_codec is None and info.width is None
    assert (info.audio_codec, info.channels) == ("mp3", 2)
    assert abs((info.duration or 0) - 185.04) < 1e-9
    assert not needs_duration


def test_estimated_or_missing_durations_ask_for_a_measurement() -> None:
    info, needs_duration = parse_probe(AAC_ESTIMATED, "aac")
    assert info.duration == 3.01 and needs_duration
    info, needs_duration = parse_probe(WEBM_NO_DURATION, "matroska")
    assert info.duration is None and needs_duration
    assert (info.video_codec, info.fps, info.audio_codec, info.channels) == ("vp9", 30.0, "opus", 2)


def test_still_images_have_no_duration_and_may_have_alpha() -> None:
    info, needs_duration = parse_probe(PNG, "png_pipe")
    assert info.duration is None and not needs_duration
    assert (info.width, info.height, info.pix_fmt) == (320, 240, "rgba")
    assert info.has_alpha


def test_nothing_found_in_garbage() -> None:
    info, _ = parse_probe("Error opening input file x.mp4.\nInvalid data found", "mov")
    assert not info.has_video and not info.has_audio


def test_split_fields_keeps_nested_commas() -> None:
    assert split_fields(
        "h264 (High), yuv420p(tv, bt709, progressive), 1920x1080 [SAR 1:1, DAR 16:9], 25 fps"
    ) == [
        "h264 (High)",
        "yuv420p(tv, bt709, progressive)",
        "1920x1080 [SAR 1:1, DAR 16:9]",
        "25 fps",
    ]


def test_every_sniffed_container_has_a_forced_demuxer() -> None:
    assert set(DEMUXERS) == {
        "png",
        "jpeg",
        "webp",
        "mp4",
        "mov",
        "m4a",
        "webm",
        "mp3",
        "wav",
        "aac",
        "ogg",
    }
    assert demuxer_for("webm") == "matroska"
    assert "hls" not in DEMUXERS.values() and "concat" not in DEMUXERS.values()


def test_inputs_are_file_urls_with_whitelists() -> None:
    args = input_args(MediaInput(Path("/data/-rf http:x.mp4"), "mov"), options=["-ss", "1"])
    assert args == [
        "-protocol_whitelist", "file,pipe", "-f", "mov", "-max_pixels", "16777216",
        "-ss", "1", "-i", "file:/data/-rf http:x.mp4",
    ]  # fmt: skip
