"""Ken Burns frames drawn in-process: a 4:2:0 still moved by sub-pixel windows with OpenCV.

Each plane is resampled bilinearly (OpenCV's SIMD ``warpAffine``, 1/32-pixel positions) into one
reused frame buffer, the chroma planes at the same scale with half the offset, as FFmpeg's
``perspective`` filter does on 4:2:0 (an eighth of its CPU). OpenCV (about 25 MiB resident) is
loaded by the first clip drawn, not by every process that imports the engine. An identity
window copies the still, so the first frame of a CONTINUE clip is exactly its start image.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from domain.adapters.ffmpeg.files import QUICK_TIME_LIMIT, atomic_output, scratch_dir
from domain.adapters.ffmpeg.runner import FfmpegRunner
from domain.media.clip import ClipSpec, FeedFrame, Still, clip_feed, still_args
from domain.media.errors import MediaError
from domain.media.inputs import DEFAULT_MAX_PIXELS
from domain.media.motion import Window, window
from domain.media.types import MediaInput, ProgressCallback, Size

Plane = npt.NDArray[np.uint8]


def plane_sizes(size: Size) -> tuple[Size, Size, Size]:
    """Luma and the two chroma planes of a ``yuv420p`` frame of ``size``."""
    chroma = Size((size.width + 1) // 2, (size.height + 1) // 2)
    return size, chroma, chroma


def frame_bytes(size: Size) -> int:
    """Bytes of one raw ``yuv420p`` frame of ``size``."""
    return sum(plane.pixels for plane in plane_sizes(size))


def _planes(buffer: npt.NDArray[np.uint8], size: Size) -> tuple[Plane, Plane, Plane]:
    """Views of ``buffer`` as the three planes (no copy)."""
    views: list[Plane] = []
    offset = 0
    for plane in plane_sizes(size):
        views.append(buffer[offset : offset + plane.pixels].reshape(plane.height, plane.width))
        offset += plane.pixels
    return views[0], views[1], views[2]


@dataclass(frozen=True, slots=True)
class RawStill:
    """A still as FFmpeg wrote it: the three planes of one raw ``yuv420p`` frame."""

    planes: tuple[Plane, Plane, Plane]

    @classmethod
    def from_bytes(cls, data: bytes, size: Size) -> RawStill:
        """Wrap FFmpeg's raw frame; a short or long frame is a :class:`MediaError`."""
        if len(data) != frame_bytes(size):
            raise MediaError(f"a raw {size} frame has {frame_bytes(size)} bytes, not {len(data)}")
        return cls(_planes(np.frombuffer(data, np.uint8), size))


def draw(still: RawStill, view: Window, out: tuple[Plane, Plane, Plane]) -> None:
    """Write ``still`` as seen through ``view`` into the planes ``out``."""
    # imported by the first clip: processes that only probe media (the API) never load OpenCV
    import cv2

    for index, (source, target) in enumerate(zip(still.planes, out, strict=True)):
        if view.identity:
            np.copyto(target, source)
            continue
        shift = 1 if index == 0 else 2
        matrix = np.array(
            [[view.scale, 0.0, view.left / shift], [0.0, view.scale, view.top / shift]]
        )
        cv2.warpAffine(
            source, matrix, (target.shape[1], target.shape[0]), dst=target,
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE,
        )  # fmt: skip


def frames(
    stills: Mapping[Still, RawStill], feed: Sequence[FeedFrame], size: Size
) -> Iterator[memoryview]:
    """Each frame of ``feed`` as raw ``yuv420p`` bytes.

    The same buffer is reused: a frame's bytes are valid until the next one is asked for.
    """
    buffer = np.empty(frame_bytes(size), np.uint8)
    out = _planes(buffer, size)
    for frame in feed:
        draw(stills[frame.still], window(frame.motion, frame.frames, frame.n, size), out)
        yield buffer.data


async def render_clip(
    runner: FfmpegRunner,
    spec: ClipSpec,
    args: Callable[[ClipSpec], list[str]],
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    on_progress: ProgressCallback | None = None,
) -> None:
    """Run ``args`` (the argv of ``spec`` written to a temporary name) reading the clip's
    frames on standard input; ``spec.output`` appears only if the run succeeds."""
    async with scratch_dir(spec.output.parent) as scratch, atomic_output(spec.output) as out:
        stdin = await _clip_frames(runner, spec, scratch, max_pixels)
        await runner.run(
            args(dataclasses.replace(spec, output=out)),
            duration=spec.frames / spec.fps,
            on_progress=on_progress,
            stdin=stdin,
        )


async def _clip_frames(
    runner: FfmpegRunner, spec: ClipSpec, scratch: Path, max_pixels: int
) -> Iterator[memoryview]:
    """The frames a clip's run reads (:func:`domain.media.clip.clip_feed`): each still it shows
    is fitted by FFmpeg once (a raw frame in ``scratch``), then moved here frame by frame."""
    feed = clip_feed(spec)
    images: dict[Still, MediaInput | None] = {"key": spec.image, "start": spec.start_image}
    stills: dict[Still, RawStill] = {}
    for name, image in images.items():
        if image is None or all(frame.still != name for frame in feed):
            continue
        raw = scratch / f"{name}.yuv"
        await runner.run(
            still_args(image, spec.size, raw, max_pixels=max_pixels), time_limit=QUICK_TIME_LIMIT
        )
        stills[name] = RawStill.from_bytes(await asyncio.to_thread(raw.read_bytes), spec.size)
    return frames(stills, feed, spec.size)


__all__ = ["RawStill", "draw", "frame_bytes", "frames", "plane_sizes", "render_clip"]
