"""Generate small real media files with ffmpeg for tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg

# name -> (filename, ffmpeg arguments producing it)
_RECIPES: dict[str, tuple[str, list[str]]] = {
    "png": ("image.png", ["-f", "lavfi", "-i", "testsrc=size=64x48", "-frames:v", "1"]),
    "jpeg": ("image.jpg", ["-f", "lavfi", "-i", "testsrc=size=64x48", "-frames:v", "1"]),
    "webp": (
        "image.webp",
        ["-f", "lavfi", "-i", "testsrc=size=64x48", "-frames:v", "1", "-c:v", "libwebp"],
    ),
    "mp4": (
        "video.mp4",
        [
            "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=1",
            "-f", "lavfi", "-i", "sine=duration=1",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
        ],
    ),
    "mov": (
        "video.mov",
        ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=1", "-c:v", "libx264",
         "-pix_fmt", "yuv420p"],
    ),
    "webm": (
        "video.webm",
        ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=1", "-c:v", "libvpx-vp9"],
    ),
    "mp3": ("audio.mp3", ["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "libmp3lame"]),
    "mp3-raw": (
        "raw.mp3",
        ["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "libmp3lame", "-id3v2_version", "0",
         "-write_xing", "0"],
    ),
    "wav": ("audio.wav", ["-f", "lavfi", "-i", "sine=duration=1"]),
    "m4a": ("audio.m4a", ["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac"]),
    "aac": ("audio.aac", ["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac"]),
    "ogg": ("audio.ogg", ["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "libvorbis"]),
    "mkv": (
        "video.mkv",
        ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=1", "-c:v", "libx264"],
    ),
}  # fmt: skip

NAMES = sorted(_RECIPES)


def ffmpeg_exe() -> str:
    """The ffmpeg binary shipped with the Python install."""
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def make_media(name: str, directory: Path) -> Path:
    """Create the sample ``name`` (see ``NAMES``) in ``directory`` and return its path."""
    filename, args = _RECIPES[name]
    out = directory / filename
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args, str(out)],
        check=True,
        timeout=60,
    )
    return out


def make_png(directory: Path, width: int, height: int, name: str = "big.png") -> Path:
    """A real PNG of the given size (solid colour, so it stays small on disk)."""
    out = directory / name
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         f"color=c=red:size={width}x{height}", "-frames:v", "1", str(out)],
        check=True,
        timeout=120,
    )  # fmt: skip
    return out
