"""In-process Ken Burns frames: exact identity, sub-pixel moves, 4:2:0 geometry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from domain.adapters.ffmpeg.ken_burns import RawStill, draw, frame_bytes, frames
from domain.media.clip import ClipSpec, clip_feed
from domain.media.errors import MediaError
from domain.media.inputs import png
from domain.media.motion import KenBurns, Window
from domain.media.types import Size


def _still(size: Size) -> RawStill:
    rng = np.random.default_rng(7)
    return RawStill.from_bytes(rng.integers(0, 256, frame_bytes(size), np.uint8).tobytes(), size)


def _like(still: RawStill) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y, u, v = still.planes
    return np.empty_like(y), np.empty_like(u), np.empty_like(v)


@pytest.mark.parametrize("size", [Size(64, 48), Size(63, 47)])
def test_a_raw_frame_has_a_full_plane_and_two_quarter_planes(size: Size) -> None:
    still = _still(size)
    chroma = ((size.height + 1) // 2, (size.width + 1) // 2)
    assert [plane.shape for plane in still.planes] == [(size.height, size.width), chroma, chroma]
    with pytest.raises(MediaError):
        RawStill.from_bytes(bytes(frame_bytes(size) - 1), size)


def test_the_identity_window_is_the_still_byte_for_byte() -> None:
    size = Size(64, 48)
    still = _still(size)
    out = _like(still)
    draw(still, Window(0.0, 0.0, 1.0), out)
    assert all(np.array_equal(a, b) for a, b in zip(out, still.planes, strict=True))


def test_a_half_pixel_move_samples_between_pixels_and_chroma_moves_half_as_far() -> None:
    ramp = np.tile(np.arange(0, 128, 2, dtype=np.uint8), (48, 1))  # luma: 2 per pixel
    chroma = np.tile(np.arange(0, 128, 4, dtype=np.uint8), (24, 1))  # chroma: 4 per pixel
    still = RawStill((ramp, chroma, chroma.copy()))
    out = _like(still)
    draw(still, Window(1.5, 0.0, 1.0), out)
    assert out[0][10, 10] == 23  # 2 * 11.5: a sub-pixel sample, not a rounded one
    assert out[1][5, 5] == 23  # the chroma window starts at 0.75 of its pixels: 4 * 5.75
    draw(still, Window(0.0, 0.0, 0.5), out)  # a 2x zoom from the corner
    assert out[0][0, 21] == 21  # pixel 21 samples 10.5


def test_frames_follow_the_feed_in_one_reused_buffer() -> None:
    size = Size(32, 16)
    key, start = _still(size), _still(size)
    spec = ClipSpec(
        png(Path("k.png")), Path("c.mp4"), size, 8, KenBurns(1.0, 1.2),
        start_image=png(Path("s.png")), crossfade_start=2, crossfade_frames=3,
    )  # fmt: skip
    stream = frames({"key": key, "start": start}, clip_feed(spec), size)
    first = bytes(next(stream))
    assert first == b"".join(plane.tobytes() for plane in start.planes)  # opens on the start image
    rest = [bytes(frame) for frame in stream]
    assert len(rest) == 8 + 3 - 1
    assert all(len(frame) == frame_bytes(size) for frame in rest)
    assert rest[2] == b"".join(plane.tobytes() for plane in key.planes)  # the key's frame 0


def test_processes_that_draw_no_clip_never_load_opencv() -> None:
    """OpenCV costs the API about 25 MiB resident: it is loaded by the first clip drawn."""
    import subprocess
    import sys

    code = "import sys, server, domain.adapters.ffmpeg.engine; print('cv2' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
