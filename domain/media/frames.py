"""Builders for still frames taken from media: thumbnails, frame counts and exact last frames."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from domain.media.escape import filter_value, fmt
from domain.media.inputs import DEFAULT_MAX_PIXELS, file_url, input_args
from domain.media.types import MediaInput

ThumbnailFormat = Literal["jpeg", "webp"]

#: A decoded 4:2:0 frame to RGB with exact rounding, each chroma sample spread over its 2x2
#: pixels: the inverse of :data:`domain.media.clip.TO_YUV420` (which averages them back) to
#: 60..90 dB, where FFmpeg's fast default conversion rounds luma coarsely (about 46 dB). A last
#: frame saved as PNG and encoded again as the next clip's first frame comes back intact.
TO_RGB = "scale=flags=neighbor+accurate_rnd+full_chroma_int,format=rgb24"

THUMBNAIL_CONTENT_TYPES: dict[ThumbnailFormat, str] = {"jpeg": "image/jpeg", "webp": "image/webp"}


def thumbnail_args(
    source: MediaInput,
    output: Path,
    *,
    max_side: int = 480,
    image_format: ThumbnailFormat = "jpeg",
    video: bool = False,
    seek_seconds: float = 0.0,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> list[str]:
    """A small poster: shrink (never enlarge) to fit ``max_side``; JPEG is flattened on white.

    For a ``video``, ``seek_seconds`` picks the moment and the ``thumbnail`` filter picks the most
    representative of the next 24 frames.
    """
    seek = ["-ss", fmt(seek_seconds)] if video and seek_seconds > 0 else []
    scale = (
        f"scale=w={filter_value(f'min({max_side},iw)')}:h={filter_value(f'min({max_side},ih)')}"
        ":force_original_aspect_ratio=decrease:flags=bicubic"
    )
    pick = "thumbnail=n=24," if video else ""
    if image_format == "jpeg":
        graph = (
            f"[0:v]{pick}{scale},format=rgba,split[a][b];[a]drawbox=c=white:t=fill[bg];"
            "[bg][b]overlay=format=auto,format=yuvj420p[v]"
        )
        codec = ["-c:v", "mjpeg", "-q:v", "4", "-f", "image2", "-update", "1"]
    else:
        graph = f"[0:v]{pick}{scale}[v]"
        codec = ["-c:v", "libwebp", "-quality", "80", "-f", "webp"]
    return [
        *input_args(source, options=seek, max_pixels=max_pixels),
        "-filter_complex", graph, "-map", "[v]", "-frames:v", "1", *codec, file_url(output),
    ]  # fmt: skip


def count_frames_args(
    source: MediaInput, *, max_pixels: int | None = DEFAULT_MAX_PIXELS
) -> list[str]:
    """Decode the first video stream to nowhere; the runner's final ``frame=`` is the frame count."""
    return [
        *input_args(source, max_pixels=max_pixels),
        "-map", "0:v:0", "-fps_mode", "passthrough", "-f", "null", "-",
    ]  # fmt: skip


def frame_png_args(
    source: MediaInput,
    output: Path,
    index: int,
    *,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> list[str]:
    """Frame number ``index`` (0-based, in decode order) as an RGB PNG.

    Used with ``index = frame count - 1`` for a clip's exact last frame: ``-sseof`` lands near
    the end but not on a frame boundary, while counting then trimming is exact.
    """
    return [
        *input_args(source, max_pixels=max_pixels),
        "-map", "0:v:0", "-vf", f"trim=start_frame={index},setpts=PTS-STARTPTS,{TO_RGB}",
        "-fps_mode", "passthrough", "-frames:v", "1",
        "-c:v", "png", "-pix_fmt", "rgb24", "-f", "image2", "-update", "1", file_url(output),
    ]  # fmt: skip


def last_frame_args(
    source: MediaInput,
    output: Path,
    *,
    tail_seconds: float = 0.2,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> list[str]:
    """The last frame as an RGB PNG in one decode: start ``tail_seconds`` before the end
    (decoding from the keyframe before, dropping earlier frames), hold those few frames and
    play them backwards, so the very last one comes out first and is the only one converted
    and written.

    The picture uses zlib level 1: a grainy 1080p frame takes ~0.5 s at the default level,
    ~0.08 s at level 1, for a file a fifth larger.
    """
    return [
        *input_args(source, options=["-sseof", fmt(-tail_seconds)], max_pixels=max_pixels),
        "-map", "0:v:0", "-vf", f"reverse,{TO_RGB}", "-fps_mode", "passthrough",
        "-frames:v", "1", "-c:v", "png", "-compression_level", "1",
        "-pix_fmt", "rgb24", "-f", "image2", "-update", "1", file_url(output),
    ]  # fmt: skip


__all__ = [
    "THUMBNAIL_CONTENT_TYPES",
    "TO_RGB",
    "ThumbnailFormat",
    "count_frames_args",
    "frame_png_args",
    "last_frame_args",
    "thumbnail_args",
]
