"""Builder for the composition: clips joined with transitions, captions, logo, end card, audio.

User text never enters the filtergraph: every caption is a ``textfile=`` with ``expansion=none``
(the text is drawn byte for byte; ``%``, ``:``, ``\\``, quotes and brackets mean nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from domain.enums import Transition
from domain.media.audio import SAMPLE_RATE
from domain.media.clip import TO_YUV420
from domain.media.encoding import h264_args
from domain.media.escape import filter_value, fmt
from domain.media.geometry import Box
from domain.media.inputs import DEFAULT_MAX_PIXELS, file_url, input_args
from domain.media.timing import Timeline
from domain.media.types import MediaInput, Size

#: xfade transition name per scene transition (FADE dips through black; DISSOLVE cross-fades).
XFADE: dict[Transition, str] = {
    Transition.FADE: "fadeblack",
    Transition.DISSOLVE: "fade",
    Transition.WIPE_LEFT: "wipeleft",
    Transition.WIPE_RIGHT: "wiperight",
    Transition.SLIDE_UP: "slideup",
    Transition.ZOOM: "zoomin",
}

TEXT_FADE_SECONDS = 0.25


@dataclass(frozen=True, slots=True)
class TextLayer:
    """Text drawn from a file, centred horizontally, shown from ``start`` to ``end`` seconds.

    ``y`` is the top of the block (``anchor="top"``) or its bottom (``anchor="bottom"``).
    """

    text_file: Path
    font_size: int
    start: float
    end: float
    y: int
    anchor: Literal["top", "bottom"] = "bottom"
    box: bool = True
    color: str = "white"
    box_color: str = "black@0.5"
    line_spacing: int = 0


@dataclass(frozen=True, slots=True)
class EndCard:
    """The closing card: a brand gradient over the last scene, the logo, the call to action."""

    start: float
    colors: tuple[str, str]
    texts: tuple[TextLayer, ...] = ()
    logo_box: Box | None = None
    opacity: float = 1.0


@dataclass(frozen=True, slots=True)
class ComposeSpec:
    """Everything the composition needs, as files Adreel stored and plain numbers."""

    clips: tuple[MediaInput, ...]
    timeline: Timeline
    size: Size
    font: Path
    output: Path
    audio: MediaInput | None = None
    captions: tuple[TextLayer, ...] = ()
    logo: MediaInput | None = None
    logo_box: Box | None = None
    end_card: EndCard | None = None
    preset: str = "medium"
    crf: int = 20


def drawtext(layer: TextLayer, font: Path) -> str:
    """``drawtext`` reading ``layer.text_file`` verbatim, fading in and out."""
    start, end = layer.start, layer.end
    fade = min(TEXT_FADE_SECONDS, (end - start) / 3)
    alpha = (
        f"clip(min((t-{fmt(start)})/{fmt(fade)},({fmt(end)}-t)/{fmt(fade)}),0,1)"
        if fade > 0
        else "1"
    )
    y = f"{layer.y}-text_h" if layer.anchor == "bottom" else str(layer.y)
    options = [
        f"fontfile={filter_value(str(font))}",
        f"textfile={filter_value(str(layer.text_file))}",
        "expansion=none",
        f"fontsize={layer.font_size}",
        f"fontcolor={filter_value(layer.color)}",
        f"line_spacing={layer.line_spacing}",
        "text_align=C",
        "x=(w-text_w)/2",
        f"y={filter_value(y)}",
        f"alpha={filter_value(alpha)}",
        f"enable={filter_value(f'between(t,{fmt(start)},{fmt(end)})')}",
    ]
    if layer.box:
        pad = max(4, round(layer.font_size * 0.35))
        options += ["box=1", f"boxcolor={filter_value(layer.box_color)}", f"boxborderw={pad}"]
    return "drawtext=" + ":".join(options)


def _clip_chain(index: int, frames: int, size: Size, fps: int) -> str:
    w, h = size.width, size.height
    return (
        f"[{index}:v]fps={fps},scale={w}:{h}:force_original_aspect_ratio=increase:flags=lanczos,"
        f"crop={w}:{h},setsar=1,format=yuv420p,tpad=stop_mode=clone:stop={frames},"
        f"trim=end_frame={frames},setpts=PTS-STARTPTS,settb=1/{fps}[c{index}]"
    )


def compose_filtergraph(spec: ComposeSpec) -> str:
    """The ``-filter_complex`` graph. Inputs: clips, then the logo, then the audio."""
    tl = spec.timeline
    if len(spec.clips) != tl.scene_count:
        raise ValueError("one clip per scene is needed")
    fps = tl.fps
    w, h = spec.size.width, spec.size.height
    chains = [_clip_chain(i, tl.clip_frames(i), spec.size, fps) for i in range(tl.scene_count)]
    current = "c0"
    for i in range(1, tl.scene_count):
        out = f"j{i}"
        if tl.transitions[i] is Transition.CUT:
            chains.append(f"[{current}][c{i}]concat=n=2:v=1:a=0,settb=1/{fps}[{out}]")
        else:
            duration = fmt(tl.overlaps[i] / fps)
            offset = fmt(tl.boundaries[i] / fps)
            chains.append(
                f"[{current}][c{i}]xfade=transition={XFADE[tl.transitions[i]]}"
                f":duration={duration}:offset={offset}[{out}]"
            )
        current = out
    steps = [drawtext(layer, spec.font) for layer in spec.captions]
    if steps:
        chains.append(f"[{current}]{','.join(steps)}[cap]")
        current = "cap"
    logo_index = len(spec.clips)
    card_start = spec.end_card.start if spec.end_card else tl.total_seconds
    small_box = spec.logo_box if spec.logo is not None else None
    big_box = spec.end_card.logo_box if spec.logo is not None and spec.end_card else None
    wanted = [name for name, box in (("ls", small_box), ("lb", big_box)) if box is not None]
    if wanted:
        labels = "".join(f"[{name}]" for name in wanted)
        chains.append(f"[{logo_index}:v]format=rgba,split={len(wanted)}{labels}")
    if small_box is not None:
        enable = filter_value(f"lt(t,{fmt(card_start)})")
        chains.append(
            f"[ls]scale=w={small_box.width}:h={small_box.height}:force_original_aspect_ratio=decrease,"
            f"colorchannelmixer=aa=0.9[logo_small]"
        )
        chains.append(
            f"[{current}][logo_small]overlay=x={small_box.right}-w:y={small_box.y}:enable={enable}[lg]"
        )
        current = "lg"
    if spec.end_card is not None:
        card = spec.end_card
        length = fmt(tl.total_seconds - card.start)
        card_frames = max(1, round((tl.total_seconds - card.start) * fps))
        c0, c1 = (filter_value(c) for c in card.colors)
        see_through = f"colorchannelmixer=aa={fmt(card.opacity)}," if card.opacity < 1 else ""
        chains.append(
            f"gradients=s={w}x{h}:r={fps}:c0={c0}:c1={c1}:n=2:x0=0:y0=0:x1={w}:y1={h}"
            f":speed=0.005:d={length},format=rgba,{see_through}"
            f"fade=t=in:st=0:d=0.4:alpha=1,setpts=PTS+{fmt(card.start)}/TB[card]"
        )
        chains.append(f"[{current}][card]overlay=eof_action=pass[ec]")
        current = "ec"
        if big_box is not None:
            box = big_box
            chains.append(
                f"[lb]scale=w={box.width}:h={box.height}:force_original_aspect_ratio=decrease,"
                f"loop=loop=-1:size=1:start=0,trim=end_frame={card_frames},"
                f"fade=t=in:st=0:d=0.4:alpha=1,setpts=PTS+{fmt(card.start + 0.2)}/TB[logo_big]"
            )
            chains.append(
                f"[{current}][logo_big]overlay=x={box.x}+({box.width}-w)/2"
                f":y={box.y}+({box.height}-h)/2:eof_action=repeat[ecl]"
            )
            current = "ecl"
        if card.texts:
            chains.append(f"[{current}]{','.join(drawtext(t, spec.font) for t in card.texts)}[ect]")
            current = "ect"
    chains.append(f"[{current}]trim=end_frame={tl.total_frames},{TO_YUV420}[vout]")
    if spec.audio is None:
        chains.append(
            f"anullsrc=r={SAMPLE_RATE}:cl=stereo,atrim=duration={fmt(tl.total_seconds)}[aout]"
        )
    else:
        audio_index = logo_index + (1 if spec.logo is not None else 0)
        chains.append(
            f"[{audio_index}:a]aresample={SAMPLE_RATE},apad,"
            f"atrim=duration={fmt(tl.total_seconds)}[aout]"
        )
    return ";".join(chains)


def compose_args(spec: ComposeSpec, *, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> list[str]:
    """Full argv for the composition: an MP4 (H.264/AAC, 48 kHz stereo) with ``+faststart``."""
    args: list[str] = []
    for clip in spec.clips:
        args += input_args(clip, max_pixels=max_pixels)
    if spec.logo is not None:
        framerate = ["-framerate", str(spec.timeline.fps)]
        args += input_args(spec.logo, max_pixels=max_pixels, options=framerate)
    if spec.audio is not None:
        args += input_args(spec.audio, max_pixels=None)
    return [
        *args,
        "-filter_complex", compose_filtergraph(spec),
        "-map", "[vout]", "-map", "[aout]",
        "-frames:v", str(spec.timeline.total_frames), "-r", str(spec.timeline.fps),
        *h264_args(spec.preset, spec.crf),
        "-c:a", "aac", "-b:a", "192k", "-ar", str(SAMPLE_RATE), "-ac", "2",
        "-movflags", "+faststart", "-f", "mp4", file_url(spec.output),
    ]  # fmt: skip


__all__ = [
    "TEXT_FADE_SECONDS",
    "XFADE",
    "ComposeSpec",
    "EndCard",
    "TextLayer",
    "compose_args",
    "compose_filtergraph",
    "drawtext",
]
