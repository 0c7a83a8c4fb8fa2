"""Kinetic captions: each phrase comes in (rising and fading) and goes out, and with word
timings the spoken word is highlighted in turn.

Pure rules and filtergraph pieces. A caption reaches FFmpeg as pictures (one per highlight
state); here they get their frames, their fades and the overlay that slides them up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.media.escape import filter_value, fmt

#: How long a phrase takes to come in (rise and fade) and to go out (fade).
IN_SECONDS = 0.2
OUT_SECONDS = 0.15
#: How far a phrase rises as it comes in, as a share of its picture's height.
RISE = 0.35
#: Frames of the fade-in skipped: the first frame shown is already partly visible, so a phrase
#: timed to speech visibly starts on its own first frame.
LEAD_FRAMES = 2


@dataclass(frozen=True, slots=True)
class Motion:
    """How one picture of a caption moves: ``fade_in`` seconds (rising ``rise`` pixels) from its
    first frame, ``fade_out`` seconds before its last; ``lead`` fade-in frames are skipped."""

    fade_in: float = 0.0
    fade_out: float = 0.0
    rise: int = 0
    lead: int = 0


@dataclass(frozen=True, slots=True)
class Segment:
    """Frames ``[start, end)`` of a caption showing word ``word`` highlighted (``None``: none)."""

    word: int | None
    start: int
    end: int


def segments(
    start: int, end: int, words: Sequence[tuple[int, int]], *, highlight: bool
) -> tuple[Segment, ...]:
    """The pictures a caption on frames ``[start, end)`` needs: one when nothing is highlighted,
    else one per word from its first frame until the next word's (words given as frame spans;
    words of no frames are skipped, the first segment starts with the caption)."""
    if not highlight or not words:
        return (Segment(None, start, end),)
    firsts = [max(start, min(first, end - 1)) for first, _ in words]
    firsts[0] = start
    out: list[Segment] = []
    for index, first in enumerate(firsts):
        last = firsts[index + 1] if index + 1 < len(firsts) else end
        last = max(first, min(last, end))
        if last > first:
            out.append(Segment(index, first, last))
    return tuple(out) or (Segment(None, start, end),)


def motions(
    parts: Sequence[Segment], fps: int, height: int, *, follows: bool, followed: bool
) -> tuple[Motion, ...]:
    """The motion of each segment of one caption: the first rises and fades in (unless the
    caption ``follows`` another without a gap: then it replaces it in place, on its first frame),
    the last fades out (not when the caption is ``followed`` at once by the next), the ones
    between hold still (only the highlighted word moves on)."""
    out: list[Motion] = []
    for index, part in enumerate(parts):
        seconds = (part.end - part.start) / fps
        fade_in = fade_out = 0.0
        rise = lead = 0
        if index == 0 and not follows:
            fade_in = min(IN_SECONDS, seconds / 2 if len(parts) == 1 else seconds)
            lead = min(LEAD_FRAMES, max(0, round(fade_in * fps) - 1))
            rise = round(height * RISE)
        if index == len(parts) - 1 and not followed:
            fade_out = min(OUT_SECONDS, seconds / 3)
        out.append(Motion(fade_in, fade_out, rise, lead))
    return tuple(out)


def picture_chain(index: int, first: int, last: int, fps: int, motion: Motion, label: str) -> str:
    """Input ``index`` (one RGBA picture, already 4:2:0 with alpha after ``convert``) shown on
    frames ``[first, last)`` as ``[label]``, fading in (its first ``lead`` fade frames dropped)
    and out."""
    frames = last - first
    lead = motion.lead
    steps = [f"loop=loop=-1:size=1:start=0,trim=end_frame={frames + lead}", f"settb=1/{fps}"]
    if motion.fade_in > 0:
        steps.append(f"fade=t=in:st=0:d={fmt(motion.fade_in)}:alpha=1")
    if motion.fade_out > 0:
        out_at = (frames + lead) / fps - motion.fade_out
        steps.append(f"fade=t=out:st={fmt(out_at)}:d={fmt(motion.fade_out)}:alpha=1")
    if lead:
        steps.append(f"trim=start_frame={lead}")
    steps.append(f"setpts=PTS-STARTPTS+{first}")
    return f"[{index}:v]" + ",".join(steps) + f"[{label}]"


def overlay_y(y: int, first: int, fps: int, motion: Motion) -> str:
    """The overlay's ``y``: ``y`` once in, lower by up to ``rise`` pixels while coming in (eased
    out: fast, then settling), evaluated per frame."""
    if motion.rise <= 0 or motion.fade_in <= 0:
        return str(y)
    shown = f"(t-{fmt(first / fps)}+{fmt(motion.lead / fps)})/{fmt(motion.fade_in)}"
    return filter_value(f"{y}+{motion.rise}*pow(1-clip({shown},0,1),2)")


__all__ = [
    "IN_SECONDS",
    "LEAD_FRAMES",
    "OUT_SECONDS",
    "RISE",
    "Motion",
    "Segment",
    "motions",
    "overlay_y",
    "picture_chain",
    "segments",
]
