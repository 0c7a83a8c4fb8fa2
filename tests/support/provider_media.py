"""Real media for provider fakes: key images (PNG) and a model's clip (MP4 made by FFmpeg)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from PIL import Image

from tests.support.media import ffmpeg_exe


def key_image(path: Path, width: int, height: int, *, noisy: bool = False) -> Path:
    """A key image PNG; ``noisy`` ones do not compress (large enough to be uploaded)."""
    if noisy:
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        image = Image.new("RGB", (width, height), (15, 118, 110))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "PNG")
    return path


def model_clip(path: Path, *, seconds: float = 5.0, size: str = "360x640", fps: int = 24) -> bytes:
    """An MP4 like an image-to-video model returns (H.264, no audio); returns its bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-f", "lavfi",
         "-i", f"testsrc2=size={size}:rate={fps}:duration={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-movflags", "+faststart", str(path)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return path.read_bytes()
