"""Builder for the built-in video provider: a still (or two) to a clip with Ken Burns motion.

A clip is two FFmpeg runs around an in-process step: each still is cover-fitted and converted to
4:2:0 once (:func:`still_args`, a raw frame); the engine moves it frame by frame
(:func:`clip_feed` says which still, with which move, at which frame) and pipes the frames to
:func:`clip_args`, which blends and encodes them. Moving 4:2:0 planes in-process costs an eighth
of FFmpeg's ``perspective`` filter, the only FFmpeg filter that moves a picture by fractions of a
pixel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from domain.media.blend import cut, join, soft_wipe
from domain.media.encoding import h264_args
from domain.media.inputs import DEFAULT_MAX_PIXELS, file_url, input_args
from domain.media.motion import CONTINUE_MOTION, KenBurns
from domain.media.timing import DEFAULT_FPS
from domain.media.types import MediaInput, Size

#: RGB -> 4:2:0 BT.709 with area-averaged chroma: the inverse of FFmpeg's own decode to RGB,
#: so a last frame saved as PNG and encoded again comes back within ~49 dB.
TO_YUV420 = "scale=out_color_matrix=bt709:out_range=tv:flags=area,format=yuv420p"

#: Re-states the colour tags (filters such as xfade drop them, and FFmpeg would then convert).
BT709_PARAMS = "setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709"

#: The first frame of a CONTINUE clip is coded near-losslessly (x264 zone at QP 4).
FIRST_FRAME_ZONE = ["-x264-params", "zones=0,0,q=4"]

#: A plain slow push-in.
DEFAULT_MOTION = KenBurns(1.0, 1.1)

#: Intermediate clips are encoded nearly transparently (about 50 dB PSNR) and fast: they are
#: decoded once, at composition, so bitrate matters less than CPU. ``ultrafast`` takes a third
#: of ``veryfast``'s time at the same quality, for files about five times larger. CRF 18 rather
#: than 16: 53.7 dB instead of 54.3 against lossless encodes of the same frames (the finished ad
#: is as close to one composed from lossless clips: 52.24 dB instead of 52.22), files 30%
#: smaller, about 5% less CPU to encode and 15% less to decode.
CLIP_CRF = 18
CLIP_PRESET = "ultrafast"

#: A clip also starts a GOP this long before its end, so its last frame (``last_frame_args`` reads
#: the final 0.2 s) decodes from there instead of from the clip's first frame.
END_KEYFRAME_SECONDS = 0.3


@dataclass(frozen=True, slots=True)
class ClipSpec:
    """One clip: ``frames`` frames of ``image`` moving with ``motion``.

    With ``start_image`` (a CONTINUE scene) the clip opens exactly on that picture, moving with
    ``start_motion``, and moves on to ``image`` over ``crossfade_frames`` from ``crossfade_start``
    behind a soft travelling edge (the two pictures never show through each other).
    """

    image: MediaInput
    output: Path
    size: Size
    frames: int
    motion: KenBurns = DEFAULT_MOTION
    fps: int = DEFAULT_FPS
    start_image: MediaInput | None = None
    start_motion: KenBurns = CONTINUE_MOTION
    crossfade_start: int = 0
    crossfade_frames: int = 0

    def __post_init__(self) -> None:
        if self.frames < 1:
            raise ValueError("a clip needs at least one frame")
        if self.start_image is not None and self.crossfade_frames > 0:
            if (
                self.crossfade_start < 1
                or self.crossfade_start + self.crossfade_frames > self.frames
            ):
                raise ValueError(
                    "the crossfade must start after the first frame and end in the clip"
                )


Still = Literal["key", "start"]


@dataclass(frozen=True, slots=True)
class FeedFrame:
    """One frame of the stream a clip's FFmpeg reads: ``still`` moved as at frame ``n`` of a
    ``frames``-frame ``motion``."""

    still: Still
    motion: KenBurns
    frames: int
    n: int


def clip_feed(spec: ClipSpec) -> list[FeedFrame]:
    """The frames to pipe, in order.

    A CONTINUE clip that moves on plays the start image until the wipe, then alternates start
    and key frames through the wipe (the blend takes one of each), then plays the key image; the
    start image is only drawn until the wipe ends, the key image only from where it starts.
    """
    if spec.start_image is None:
        return [FeedFrame("key", spec.motion, spec.frames, n) for n in range(spec.frames)]
    start_move = [FeedFrame("start", spec.start_motion, spec.frames, n) for n in range(spec.frames)]
    if spec.crossfade_frames == 0:
        return start_move
    start, length = spec.crossfade_start, spec.crossfade_frames
    tail = spec.frames - start
    key_move = [FeedFrame("key", spec.motion, tail, n) for n in range(tail)]
    pairs = zip(start_move[start : start + length], key_move[:length], strict=True)
    wipe = [frame for pair in pairs for frame in pair]
    return [*start_move[:start], *wipe, *key_move[length:]]


def still_args(
    image: MediaInput, size: Size, output: Path, *, max_pixels: int | None = DEFAULT_MAX_PIXELS
) -> list[str]:
    """Argv for one still: cover-fitted to ``size``, converted to 4:2:0 BT.709 once, written as
    one raw ``yuv420p`` frame (what the engine moves)."""
    w, h = size.width, size.height
    return [
        *input_args(image, max_pixels=max_pixels),
        "-vf", f"scale={w}:{h}:force_original_aspect_ratio=increase:flags=lanczos,"
        f"crop={w}:{h},setsar=1,{TO_YUV420}",
        "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "yuv420p", file_url(output),
    ]  # fmt: skip


def clip_filtergraph(spec: ClipSpec) -> str:
    """The ``-filter_complex`` graph over the piped frames (:func:`clip_feed`).

    A CONTINUE clip that moves on is three pieces: the start image moving (exact first frame),
    the soft wipe (only these frames go through 4:4:4), then the key image moving. The stream is
    split by frame number; the start side also takes the first frame after the wipe, so its last
    piece ends there rather than at the end of the stream (the key frames never queue up).
    """
    finish = f"{BT709_PARAMS},setpts=PTS-STARTPTS[v]"
    if spec.start_image is None or spec.crossfade_frames == 0:
        return f"[0:v]{finish}"
    start, length, fps = spec.crossfade_start, spec.crossfade_frames, spec.fps
    tail = spec.frames - start
    wipe_end = start + 2 * length
    on_start = f"lt(n\\,{start})+gte(n\\,{start})*lte(n\\,{wipe_end})*not(mod(n-{start}\\,2))"
    on_key = f"gte(n\\,{start})*lt(n\\,{wipe_end})*mod(n-{start}\\,2)+gte(n\\,{wipe_end})"
    key_parts = [("kx", 0, length)] + ([("kb", length, tail)] if tail > length else [])
    return ";".join(
        [
            "[0:v]split=2[s_][k_]",
            f"[s_]select={on_start},setpts=N/{fps}/TB[s]",
            f"[k_]select={on_key},setpts=N/{fps}/TB[k]",
            cut("s", [("sa", 0, start), ("sx", start, start + length)]),
            cut("k", key_parts),
            soft_wipe("sx", "kx", "x", direction="left", frames=length, fps=fps, size=spec.size),
            join(["sa", "x", *(["kb"] if tail > length else [])], "j", fps),
            f"[j]{finish}",
        ]
    )


def scene_clip_h264_args(frames: int, fps: int) -> list[str]:
    """x264 flags of every scene clip (``frames`` at ``fps``): fast, nearly transparent, with a
    keyframe ``END_KEYFRAME_SECONDS`` before the end (none in a clip too short to need it)."""
    back = math.ceil(END_KEYFRAME_SECONDS * fps)
    end_keyframe = (
        ["-force_key_frames", f"expr:eq(n,{frames - back})", "-forced-idr", "1"]
        if frames > back + 1
        else []
    )
    return [*h264_args(CLIP_PRESET, CLIP_CRF), *end_keyframe]


def clip_encoder_args(spec: ClipSpec) -> list[str]:
    """x264 flags of a Ken Burns clip; a CONTINUE clip's first frame is coded near-losslessly."""
    return [
        *scene_clip_h264_args(spec.frames, spec.fps),
        *(FIRST_FRAME_ZONE if spec.start_image is not None else []),
    ]


def piped_frames_input(spec: ClipSpec) -> list[str]:
    """Input 0 of a clip's run: the :func:`clip_feed` frames, raw ``yuv420p`` on standard
    input."""
    return [
        "-protocol_whitelist", "pipe", "-f", "rawvideo", "-pix_fmt", "yuv420p",
        "-video_size", str(spec.size), "-framerate", str(spec.fps), "-i", "pipe:0",
    ]  # fmt: skip


def clip_output_args(spec: ClipSpec) -> list[str]:
    """Everything after the filtergraph: ``[v]``, ``frames`` of it, encoded to ``output``."""
    return [
        "-map", "[v]", "-frames:v", str(spec.frames), "-r", str(spec.fps),
        *clip_encoder_args(spec), "-an",
        "-movflags", "+faststart", "-f", "mp4", file_url(spec.output),
    ]  # fmt: skip


def clip_args(spec: ClipSpec) -> list[str]:
    """Full argv (after the binary and the runner's global flags) for one clip."""
    return [
        *piped_frames_input(spec),
        "-filter_complex", clip_filtergraph(spec),
        *clip_output_args(spec),
    ]  # fmt: skip


__all__ = [
    "BT709_PARAMS",
    "CLIP_CRF",
    "CLIP_PRESET",
    "DEFAULT_MOTION",
    "END_KEYFRAME_SECONDS",
    "FIRST_FRAME_ZONE",
    "TO_YUV420",
    "ClipSpec",
    "FeedFrame",
    "Still",
    "clip_args",
    "clip_encoder_args",
    "clip_feed",
    "clip_filtergraph",
    "clip_output_args",
    "piped_frames_input",
    "scene_clip_h264_args",
    "still_args",
]
