"""Hardened probing with FFmpeg alone (no ffprobe): the argv, and a parser for what FFmpeg prints.

The probe forces the demuxer chosen from the file's magic bytes, whitelists only that format and
the ``file``/``pipe`` protocols, caps decoded pixels, and decodes the first video frame (or the
first second of audio) with ``-xerror``, so a file that merely *looks* right is refused too. An
HLS playlist renamed ``.mp4`` is never followed: its bytes pick no demuxer, and the forced one
cannot read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.media.inputs import DEFAULT_MAX_PIXELS, input_args
from domain.media.types import MediaInfo, MediaInput

_DURATION = re.compile(r"^\s*Duration: (?:(\d+):(\d+):(\d+(?:\.\d+)?)|N/A)")
_STREAM = re.compile(r"^\s*Stream #0:\d+\S*: (Video|Audio): (.*)$")
_SIZE = re.compile(r"^(\d+)x(\d+)")
_FPS = re.compile(r"^(\d+(?:\.\d+)?)(k?) (fps|tbr)$")
_RATE = re.compile(r"^(\d+) Hz$")
_CHANNELS = re.compile(r"^(\d+) channels")
_LAYOUT_CHANNELS = {
    "mono": 1, "stereo": 2, "2.1": 3, "3.0": 3, "quad": 4, "4.0": 4,
    "4.1": 5, "5.0": 5, "5.1": 6, "6.1": 7, "7.1": 8,
}  # fmt: skip


def probe_args(source: MediaInput, *, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> list[str]:
    """Open with a forced, whitelisted demuxer and decode a little to prove the file is real."""
    return [
        *input_args(source, max_pixels=max_pixels, options=["-format_whitelist", source.demuxer]),
        "-map", "0:v:0?", "-map", "0:a:0?", "-frames:v", "1", "-t", "1",
        "-xerror", "-f", "null", "-",
    ]  # fmt: skip


def duration_args(source: MediaInput) -> list[str]:
    """Stream-copy every packet to nowhere: the runner's final ``out_time`` is the true duration.

    Used when the header has no duration or only an estimate (raw AAC/MP3 streams).
    """
    return [
        *input_args(source, max_pixels=None, options=["-format_whitelist", source.demuxer]),
        "-map", "0:v?", "-map", "0:a?", "-c", "copy", "-f", "null", "-",
    ]  # fmt: skip


def split_fields(text: str) -> list[str]:
    """Split a stream description on top-level ``", "`` (commas inside ``()`` or ``[]`` stay)."""
    fields: list[str] = []
    depth = 0
    current: list[str] = []
    for index, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        if char == "," and depth == 0 and text[index + 1 : index + 2] == " ":
            fields.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    if current:
        fields.append("".join(current).strip())
    return fields


@dataclass(slots=True)
class _Found:
    duration: float | None = None
    estimated: bool = False
    width: int | None = None
    height: int | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    fps: float | None = None
    pix_fmt: str | None = None
    sample_rate: int | None = None
    channels: int | None = None
    color_transfer: str | None = None


def _transfer(pix_fmt_field: str) -> str | None:
    """The transfer characteristic in ``yuv420p10le(tv, bt2020nc/bt2020/smpte2084, ...)``
    (one name stands for all three of matrix, primaries and transfer)."""
    _, paren, rest = pix_fmt_field.partition("(")
    if not paren:
        return None
    for part in split_fields(rest.rstrip(")")):
        names = part.split("/")
        if len(names) == 3:
            return names[2] if names[2] != "unknown" else None
        if part not in ("tv", "pc", "progressive", "unknown") and part.isidentifier():
            return part
    return None


def _video(found: _Found, fields: list[str]) -> None:
    found.video_codec = fields[0].split(" ", 1)[0]
    if len(fields) > 1 and not _SIZE.match(fields[1]):
        found.pix_fmt = fields[1].split("(", 1)[0]
        found.color_transfer = _transfer(fields[1])
    tbr: float | None = None
    for field in fields[1:]:
        size = _SIZE.match(field)
        if size and found.width is None:
            found.width, found.height = int(size.group(1)), int(size.group(2))
        rate = _FPS.match(field)
        if rate:
            value = float(rate.group(1)) * (1000 if rate.group(2) else 1)
            if rate.group(3) == "fps":
                found.fps = value
            else:
                tbr = value
    if found.fps is None:
        found.fps = tbr


def _audio(found: _Found, fields: list[str]) -> None:
    found.audio_codec = fields[0].split(" ", 1)[0]
    for field in fields[1:]:
        rate = _RATE.match(field)
        if rate:
            found.sample_rate = int(rate.group(1))
            continue
        channels = _CHANNELS.match(field)
        if channels:
            found.channels = int(channels.group(1))
            continue
        layout = field.split("(", 1)[0]
        if found.channels is None and layout in _LAYOUT_CHANNELS:
            found.channels = _LAYOUT_CHANNELS[layout]


def parse_probe(stderr: str, container: str) -> tuple[MediaInfo, bool]:
    """Read FFmpeg's input report; returns the info and whether the duration needs measuring.

    Only the first video stream (cover art excluded) and the first audio stream count.
    """
    found = _Found()
    seen_input = False
    for line in stderr.splitlines():
        if line.startswith("Input #0"):
            seen_input = True
            continue
        if not seen_input:
            continue
        if line.startswith(("Output #", "Stream mapping:")):
            break
        if "Estimating duration from bitrate" in line:
            found.estimated = True
        duration = _DURATION.match(line)
        if duration:
            if duration.group(1) is not None:
                hours, minutes, seconds = duration.groups()
                found.duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
            continue
        stream = _STREAM.match(line)
        if not stream:
            continue
        kind, description = stream.groups()
        fields = split_fields(description)
        if kind == "Video" and found.video_codec is None and "(attached pic)" not in line:
            _video(found, fields)
        elif kind == "Audio" and found.audio_codec is None:
            _audio(found, fields)
    if "estimating duration from bitrate" in stderr.lower():
        found.estimated = True
    info = MediaInfo(
        container=container,
        duration=found.duration,
        width=found.width,
        height=found.height,
        video_codec=found.video_codec,
        audio_codec=found.audio_codec,
        fps=found.fps,
        pix_fmt=found.pix_fmt,
        sample_rate=found.sample_rate,
        channels=found.channels,
        color_transfer=found.color_transfer,
    )
    is_still = container in ("png_pipe", "jpeg_pipe", "webp_pipe")
    needs_duration = not is_still and (found.duration is None or found.estimated)
    return info, needs_duration


__all__ = ["duration_args", "parse_probe", "probe_args", "split_fields"]
