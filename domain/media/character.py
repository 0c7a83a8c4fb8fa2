"""Where the job's character stands in a frame, and the clip argv that composites it.

Pure. A cut-out (a PNG with transparency) stands on the bottom edge at the right, tall, its
head clear of the logo bug; an opaque photo is shown whole in a bordered 4:5 frame at the right
of the safe area, under the logo bug's room (the bug is drawn later, on top). The box
depends only on the frame's size and the picture's proportions, so the character is in the same
place, at the same scale, in every scene of an aspect. The layer (the picture at the box's size,
with alpha) is drawn by the adapter; FFmpeg lays it over the moving Ken Burns clip, so the
background moves under a character that stays still.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.media.clip import ClipSpec, clip_filtergraph, clip_output_args, piped_frames_input
from domain.media.geometry import Box, even, safe_area
from domain.media.inputs import DEFAULT_MAX_PIXELS, input_args
from domain.media.logo_size import BUG_HEIGHT
from domain.media.types import MediaInput, Size

#: A cut-out's height as a share of the frame's: portrait, then landscape and square.
CUTOUT_HEIGHT = (0.58, 0.72)
#: The most of the frame's width a cut-out may take.
CUTOUT_MAX_WIDTH = 0.5
#: A framed photo's width as a share of the frame's: portrait, then landscape and square.
PHOTO_WIDTH = (0.46, 0.28)
#: The framed photo's proportions (width / height).
PHOTO_RATIO = 4 / 5
#: The frame's border as a share of the frame's short side.
PHOTO_BORDER = 0.012
#: The gap between the logo bug's room and the framed photo, as a share of the short side.
PHOTO_GAP = 0.03


@dataclass(frozen=True, slots=True)
class CharacterPlacement:
    """The layer's box in the frame and whether it is a cut-out (else a framed photo)."""

    box: Box
    cutout: bool


def character_box(frame: Size, picture: Size, *, cutout: bool) -> Box:
    """The character's box in ``frame`` for a picture of ``picture`` (its visible part)."""
    portrait = frame.height > frame.width
    if cutout:
        height = frame.height * CUTOUT_HEIGHT[0 if portrait else 1]
        width = height * picture.width / max(1, picture.height)
        if width > frame.width * CUTOUT_MAX_WIDTH:
            width = frame.width * CUTOUT_MAX_WIDTH
            height = width * picture.height / max(1, picture.width)
        w, h = even(width), even(height)
        margin = round(frame.width * 0.04)
        return Box(frame.width - w - margin, frame.height - h, w, h)
    w = even(frame.width * PHOTO_WIDTH[0 if portrait else 1])
    h = even(w / PHOTO_RATIO)
    safe = safe_area(frame)
    below_logo = round(min(frame.width, frame.height) * (BUG_HEIGHT + PHOTO_GAP))
    return Box(safe.right - w, safe.y + below_logo, w, h)


def composite_filtergraph(spec: ClipSpec, placement: CharacterPlacement) -> str:
    """``clip_filtergraph`` with the character layer (input 1) laid over it."""
    base = clip_filtergraph(spec)
    assert base.endswith("[v]")
    box = placement.box
    return (
        f"{base[: -len('[v]')]}[base];"
        "[1:v]scale=out_color_matrix=bt709:out_range=tv,format=yuva420p[who];"
        f"[base][who]overlay=x={box.x}:y={box.y}:format=yuv420:eof_action=repeat,"
        f"format=yuv420p[v]"
    )


def character_clip_args(
    spec: ClipSpec,
    layer: MediaInput,
    placement: CharacterPlacement,
    *,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> list[str]:
    """Full argv of a Ken Burns clip (its frames piped, :mod:`domain.media.clip`) with the
    character composited over every frame."""
    return [
        *piped_frames_input(spec),
        *input_args(layer, max_pixels=max_pixels),
        "-filter_complex", composite_filtergraph(spec, placement),
        *clip_output_args(spec),
    ]  # fmt: skip


__all__ = [
    "PHOTO_BORDER",
    "CharacterPlacement",
    "character_box",
    "character_clip_args",
    "composite_filtergraph",
]
