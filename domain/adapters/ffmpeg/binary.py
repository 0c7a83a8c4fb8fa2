"""Which FFmpeg binary to run.

Order: the configured path (``ADREEL_FFMPEG``), then ``ffmpeg`` on ``PATH`` when it is recent
enough for the filters Adreel uses, then the binary shipped in the ``imageio-ffmpeg`` wheel.
No ``ffprobe`` is ever needed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from domain.media.errors import FfmpegUnavailable

#: Oldest FFmpeg (major, minor) with everything used here (drawtext ``text_align``, xfade, ...).
MIN_VERSION = (6, 1)
ENV_VAR = "ADREEL_FFMPEG"

_VERSION = re.compile(r"ffmpeg version (?:n)?(\d+)\.(\d+)")


def ffmpeg_version(binary: str) -> tuple[int, int] | None:
    """``(major, minor)`` from ``ffmpeg -version``; ``None`` when unknown (git builds) or broken."""
    try:
        done = subprocess.run(
            [binary, "-hide_banner", "-version"],
            capture_output=True,
            timeout=20,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    found = _VERSION.search(done.stdout.decode("utf-8", "replace"))
    return (int(found.group(1)), int(found.group(2))) if found else None


def _executable(candidate: str) -> str | None:
    if os.sep in candidate or (os.altsep and os.altsep in candidate):
        path = Path(candidate).expanduser()
        return str(path.resolve()) if path.is_file() and os.access(path, os.X_OK) else None
    return shutil.which(candidate)


def _bundled() -> str | None:
    try:
        import imageio_ffmpeg  # optional at import time, needed only as the last resort

        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError, OSError):
        return None
    return str(exe) if exe else None


def find_ffmpeg(configured: str | None = None, *, environ: Mapping[str, str] | None = None) -> str:
    """Resolve the FFmpeg binary; raises :class:`FfmpegUnavailable` with what was tried."""
    env = os.environ if environ is None else environ
    explicit = configured or env.get(ENV_VAR)
    if explicit:
        resolved = _executable(explicit)
        if resolved is None:
            raise FfmpegUnavailable(f"the configured FFmpeg binary {explicit!r} is not executable")
        return resolved
    system = shutil.which("ffmpeg")
    if system is not None:
        version = ffmpeg_version(system)
        if version is None or version >= MIN_VERSION:
            return system
    bundled = _bundled()
    if bundled is not None:
        return bundled
    if system is not None:
        return system
    raise FfmpegUnavailable(
        f"no FFmpeg found: set {ENV_VAR}, install ffmpeg, or install the imageio-ffmpeg package"
    )


__all__ = ["ENV_VAR", "MIN_VERSION", "ffmpeg_version", "find_ffmpeg"]
