"""Hardened FFmpeg inputs: only local files, an explicit demuxer, a pixel limit."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from domain.media.errors import MediaError
from domain.media.types import MediaInput

#: Largest picture a decoder may allocate (16.7 megapixels, e.g. 4096x4096).
DEFAULT_MAX_PIXELS = 16_777_216

#: Protocols FFmpeg may use: local files we stored, and pipes we opened.
PROTOCOL_WHITELIST = "file,pipe"

#: FFmpeg demuxer for each container name that :mod:`domain.assets.sniff` reports.
DEMUXERS: dict[str, str] = {
    "png": "png_pipe",
    "jpeg": "jpeg_pipe",
    "webp": "webp_pipe",
    "mp4": "mov",
    "mov": "mov",
    "m4a": "mov",
    "webm": "matroska",
    "mp3": "mp3",
    "wav": "wav",
    "aac": "aac",
    "ogg": "ogg",
}


def demuxer_for(container: str) -> str:
    """The forced demuxer for a sniffed container name."""
    try:
        return DEMUXERS[container]
    except KeyError:
        raise MediaError(f"no demuxer is allowed for {container!r} files") from None


def file_url(path: Path) -> str:
    """``file:`` plus the absolute path: FFmpeg never reads a name as a protocol or an option."""
    return f"file:{path.absolute()}"


def input_args(
    source: MediaInput,
    *,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    options: Sequence[str] = (),
) -> list[str]:
    """``-protocol_whitelist file,pipe -f DEMUXER [-max_pixels N] [options] -i file:PATH``."""
    args = ["-protocol_whitelist", PROTOCOL_WHITELIST, "-f", source.demuxer]
    if max_pixels is not None:
        args += ["-max_pixels", str(max_pixels)]
    return [*args, *options, "-i", file_url(source.path)]


def png(path: Path) -> MediaInput:
    """A PNG Adreel wrote itself (key images, last frames)."""
    return MediaInput(path, "png_pipe")


def mp4(path: Path) -> MediaInput:
    """An MP4/MOV Adreel wrote itself (clips, compositions)."""
    return MediaInput(path, "mov")


def wav(path: Path) -> MediaInput:
    """A WAV Adreel wrote itself (audio mixes)."""
    return MediaInput(path, "wav")


__all__ = [
    "DEFAULT_MAX_PIXELS",
    "DEMUXERS",
    "PROTOCOL_WHITELIST",
    "demuxer_for",
    "file_url",
    "input_args",
    "mp4",
    "png",
    "wav",
]
