"""Transitions on just the frames that blend: everything else stays in 4:2:0.

``xfade`` only works on unsubsampled planes, so a graph that runs a whole stream through it
converts every later frame to 4:4:4 and back. Here the two streams are cut where the transition
starts and ends; only the ``frames`` overlapping frames take the 4:4:4 detour, and the pieces are
joined again with ``concat`` (which needs no conversion).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from domain.media.escape import fmt
from domain.media.types import Size

Direction = Literal["left", "right", "up"]

#: Width of a soft wipe's edge, as a share of the side it travels along.
FEATHER = 0.3


def blend(first: str, second: str, out: str, *, transition: str, frames: int, fps: int) -> str:
    """``[first]`` and ``[second]`` (``frames`` frames each) -> ``[out]``: ``frames`` frames of
    ``xfade`` from the first to the second, back in 4:2:0."""
    return (
        f"[{first}]settb=1/{fps},format=yuv444p[{out}a];"
        f"[{second}]settb=1/{fps},format=yuv444p[{out}b];"
        f"[{out}a][{out}b]xfade=transition={transition}:duration={fmt(frames / fps)}:offset=0,"
        f"scale=flags=area,format=yuv420p[{out}]"
    )


def soft_wipe(
    first: str, second: str, out: str, *, direction: Direction, frames: int, fps: int, size: Size
) -> str:
    """``[first]`` -> ``[second]`` over ``frames`` frames, the second revealed behind a feathered
    edge travelling ``direction`` (no hard line); back in 4:2:0.

    The mask is one strip (black, a ramp, white) drawn once and slid under a crop, so per frame
    it costs a crop and an overlay, never a per-pixel expression.
    """
    along, across = (size.height, size.width) if direction == "up" else (size.width, size.height)
    feather = max(2, round(along * FEATHER))
    steps = max(1, frames - 1)
    turn = {"left": "", "right": "hflip,", "up": "transpose=clock,"}[direction]
    m = f"{out}m"
    return ";".join(
        [
            f"color=c=black:s={along}x{across}:r={fps}:d=1,format=gray[{m}0]",
            f"color=c=black:s={feather}x{across}:r={fps}:d=1,format=gray,"
            f"geq=lum='255*X/{feather - 1}'[{m}1]",
            f"color=c=white:s={along}x{across}:r={fps}:d=1,format=gray[{m}2]",
            f"[{m}0][{m}1][{m}2]hstack=3,trim=end_frame=1,loop=loop={frames - 1}:size=1:start=0,"
            f"setpts=N/{fps}/TB,crop=w={along}:h={across}:x='{along + feather}*n/{steps}':y=0,"
            f"{turn}settb=1/{fps}[{m}]",
            f"[{second}]settb=1/{fps},format=yuva444p[{out}b]",
            f"[{out}b][{m}]alphamerge[{out}k]",
            f"[{first}]settb=1/{fps},format=yuv444p[{out}a]",
            f"[{out}a][{out}k]overlay=format=yuv444:eof_action=pass,"
            f"scale=flags=area,format=yuv420p[{out}]",
        ]
    )


def cut(source: str, parts: Sequence[tuple[str, int, int]]) -> str:
    """Split ``[source]`` into frame ranges ``(label, start, end)`` (end exclusive), each
    starting at time 0."""
    if len(parts) == 1:
        label, start, end = parts[0]
        return f"[{source}]{_trim(start, end)}[{label}]"
    labels = "".join(f"[{label}_]" for label, _, _ in parts)
    pieces = [f"[{source}]split={len(parts)}{labels}"]
    pieces += [f"[{label}_]{_trim(start, end)}[{label}]" for label, start, end in parts]
    return ";".join(pieces)


def _trim(start: int, end: int) -> str:
    if start == 0:
        return f"trim=end_frame={end}"
    return f"trim=start_frame={start}:end_frame={end},setpts=PTS-STARTPTS"


def join(labels: Sequence[str], out: str, fps: int) -> str:
    """Play ``labels`` one after another as ``[out]``."""
    inputs = "".join(f"[{label}]" for label in labels)
    if len(labels) == 1:
        return f"{inputs}settb=1/{fps}[{out}]"
    return f"{inputs}concat=n={len(labels)}:v=1:a=0,settb=1/{fps}[{out}]"


__all__ = ["FEATHER", "Direction", "blend", "cut", "join", "soft_wipe"]
