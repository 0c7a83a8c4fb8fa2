"""Test footage made with FFmpeg: corner markers, a centre square, sine sound; phone rotation,
a variable frame rate, HDR; and checks of where the markers ended up."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.support.ffmpeg_checks import make

#: Marker colours (RGB) at the top-left, top-right, bottom-left and bottom-right corners.
CORNERS = {
    "tl": (255, 0, 0),
    "tr": (0, 255, 0),
    "bl": (0, 0, 255),
    "br": (255, 255, 0),
}


def markers(width: int, height: int) -> str:
    """Filters drawing a coloured square in each corner and a white square in the centre."""
    m = max(8, min(width, height) // 8)
    c = max(8, min(width, height) // 4)
    boxes = [
        f"drawbox=x=0:y=0:w={m}:h={m}:c=red:t=fill",
        f"drawbox=x={width - m}:y=0:w={m}:h={m}:c=lime:t=fill",
        f"drawbox=x=0:y={height - m}:w={m}:h={m}:c=blue:t=fill",
        f"drawbox=x={width - m}:y={height - m}:w={m}:h={m}:c=yellow:t=fill",
        f"drawbox=x={(width - c) // 2}:y={(height - c) // 2}:w={c}:h={c}:c=white:t=fill",
    ]
    return ",".join(boxes)


def marked_clip(
    path: Path,
    *,
    width: int,
    height: int,
    seconds: float,
    fps: int = 25,
    fade_in: float = 0.0,
    audio: bool = True,
    tone: int = 440,
) -> Path:
    """A test pattern with markers (fading in from black over ``fade_in`` seconds) and a sine."""
    fade = f",fade=t=in:st=0:d={fade_in}" if fade_in > 0 else ""
    video = f"testsrc2=s={width}x{height}:r={fps}:d={seconds},{markers(width, height)}{fade}"
    sound = ["-f", "lavfi", "-i", f"sine=f={tone}:d={seconds}:sample_rate=48000"] if audio else []
    make(
        "-f", "lavfi", "-i", video, *sound,
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p",
        *(["-c:a", "aac", "-shortest"] if audio else []), str(path),
    )  # fmt: skip
    return path


def phone_clip(path: Path, *, width: int, height: int, seconds: float) -> Path:
    """A portrait ``width``x``height`` picture stored the way phones do: coded landscape (turned
    90 degrees clockwise) with display-rotation metadata turning it back upright."""
    coded = path.with_name(path.stem + "-coded.mp4")
    make(
        "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r=30:d={seconds},{markers(width, height)},transpose=clock",
        "-f", "lavfi", "-i", f"sine=f=660:d={seconds}:sample_rate=48000",
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-shortest", str(coded),
    )  # fmt: skip
    make("-display_rotation", "90", "-i", str(coded), "-c", "copy", str(path))
    coded.unlink()
    return path


def vfr_clip(path: Path, *, width: int, height: int, seconds: float) -> Path:
    """A variable-frame-rate clip: 30 fps for its first second, then every third frame."""
    make(
        "-f", "lavfi", "-i",
        f"testsrc2=s={width}x{height}:r=30:d={seconds},{markers(width, height)},"
        "select='lt(n\\,30)+not(mod(n\\,3))'",
        "-fps_mode", "vfr", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12",
        "-pix_fmt", "yuv420p", str(path),
    )  # fmt: skip
    return path


def hdr_clip(path: Path, *, width: int, height: int, seconds: float) -> Path:
    """A 10-bit BT.2020 PQ (HDR10-tagged) clip without sound."""
    make(
        "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r=25:d={seconds},{markers(width, height)}",
        "-vf", "setparams=color_trc=smpte2084:color_primaries=bt2020:colorspace=bt2020nc,"
        "format=yuv420p10le",
        "-c:v", "libx264", "-preset", "ultrafast", str(path),
    )  # fmt: skip
    return path


def corner_colors(frame: np.ndarray) -> dict[str, str]:
    """Which marker colour is in each corner of an RGB frame (``"?"`` for none)."""
    h, w = frame.shape[:2]
    s = max(2, min(h, w) // 40)
    patches = {
        "tl": frame[:s, :s],
        "tr": frame[:s, w - s :],
        "bl": frame[h - s :, :s],
        "br": frame[h - s :, w - s :],
    }
    found = {}
    for corner, patch in patches.items():
        mean = patch.reshape(-1, 3).mean(axis=0)
        best = min(CORNERS, key=lambda k: float(np.abs(mean - np.array(CORNERS[k])).sum()))
        close = float(np.abs(mean - np.array(CORNERS[best])).sum()) < 120
        found[corner] = best if close else "?"
    return found


def centre_square_aspect(frame: np.ndarray) -> float:
    """Width over height of the white centre square (1.0 when nothing is stretched)."""
    h, w = frame.shape[:2]
    white = frame.astype(np.int32).min(axis=2) > 225
    rows = np.flatnonzero(white[:, w // 2])
    cols = np.flatnonzero(white[h // 2, :])
    assert rows.size and cols.size, "no centre square"
    return float(cols.size) / float(rows.size)
