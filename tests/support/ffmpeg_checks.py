"""Decode real media in tests: frames as arrays, PSNR, loudness, stream facts (no ffprobe)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from domain.media.frames import TO_RGB


def ffmpeg() -> str:
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ffmpeg(), "-hide_banner", "-nostdin", "-y", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def make(*args: str) -> None:
    """Run ffmpeg and fail loudly."""
    done = run("-loglevel", "error", *args)
    assert done.returncode == 0, done.stderr


def frames(
    path: Path, *, width: int, height: int, pix_fmt: str = "rgb24", precise: bool = False
) -> np.ndarray:
    """Every decoded frame as an array (n, h, w, 3); ``precise`` converts to RGB the way the
    engine saves last frames (exact rounding, interpolated chroma)."""
    convert = ["-vf", TO_RGB] if precise else []
    done = subprocess.run(
        [ffmpeg(), "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:v:0", *convert,
         "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", pix_fmt, "-"],
        capture_output=True, timeout=300, check=True,
    )  # fmt: skip
    data = np.frombuffer(done.stdout, dtype=np.uint8)
    return data.reshape(-1, height, width, 3)


def image(path: Path) -> np.ndarray:
    """A still decoded to RGB."""
    from PIL import Image

    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def frame_count(path: Path) -> int:
    done = run("-i", str(path), "-map", "0:v:0", "-fps_mode", "passthrough", "-f", "null", "-")
    found = re.findall(r"frame=\s*(\d+)", done.stderr)
    assert found, done.stderr
    return int(found[-1])


def streams(path: Path) -> str:
    """FFmpeg's description of the file's input streams."""
    done = run("-i", str(path))
    return done.stderr


def duration(path: Path) -> float:
    """Decoded duration of the longest stream (last timestamp reached)."""
    done = run("-i", str(path), "-f", "null", "-")
    times = re.findall(r"time=(\d+):(\d+):(\d+\.\d+)", done.stderr)
    assert times, done.stderr
    h, m, s = times[-1]
    return int(h) * 3600 + int(m) * 60 + float(s)


def loudness(path: Path) -> dict[str, float]:
    """Integrated loudness and true peak measured by loudnorm (JSON)."""
    done = run(
        "-i", str(path), "-map", "0:a:0", "-af", "loudnorm=print_format=json", "-f", "null", "-"
    )
    block = re.findall(r"\{[^{}]*\"input_i\"[^{}]*\}", done.stderr)
    assert block, done.stderr
    data = json.loads(block[-1])
    return {"i": float(data["input_i"]), "tp": float(data["input_tp"])}


def mean_volume(path: Path, *, start: float = 0.0, length: float | None = None) -> float:
    """``volumedetect`` mean volume (dB) of a stretch of the audio."""
    window = ["-ss", str(start)] + (["-t", str(length)] if length else [])
    done = run(*window, "-i", str(path), "-map", "0:a:0", "-af", "volumedetect", "-f", "null", "-")
    found = re.search(r"mean_volume: (-?[\d.]+|-inf) dB", done.stderr)
    assert found, done.stderr
    return float(found.group(1))


#: Sample rate the audio helpers decode at.
AUDIO_RATE = 48_000


def mono(path: Path, rate: int = AUDIO_RATE) -> np.ndarray:
    """The first audio stream of ``path`` decoded to mono float64 samples at ``rate``."""
    raw = subprocess.run(
        [ffmpeg(), "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:a:0", "-f", "f32le",
         "-ac", "1", "-ar", str(rate), "-"], capture_output=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.float32).astype(np.float64)


def levels(samples: np.ndarray, window: float = 0.01, rate: int = AUDIO_RATE) -> np.ndarray:
    """RMS level per ``window`` seconds, in dBFS."""
    size = round(rate * window)
    count = len(samples) // size
    rms = np.sqrt((samples[: count * size].reshape(count, size).astype(np.float64) ** 2).mean(1))
    return np.asarray(20 * np.log10(np.maximum(rms, 1e-9)))
