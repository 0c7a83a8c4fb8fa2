"""Builder for the composition: clips joined with transitions, captions, logo, end card, audio.

User text never enters the filtergraph: every caption is a ``textfile=`` with ``expansion=none``
(the text is drawn byte for byte; ``%``, ``:``, ``\\``, quotes and brackets mean nothing); the
logo and the end card arrive as pictures the engine drew at their final size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from domain.enums import Transition
from domain.media.audio import SAMPLE_RATE
from domain.media.blend import Direction, blend, cut, join, soft_wipe
from domain.media.encoding import h264_args
from domain.media.escape import filter_value, fmt
from domain.media.geometry import Box
from domain.media.inputs import DEFAULT_MAX_PIXELS, file_url, input_args
from domain.media.kinetic import Motion, overlay_y, picture_chain
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

#: Wipes and slides run behind a feathered edge (:func:`domain.media.blend.soft_wipe`).
SOFT_EDGES: dict[Transition, Direction] = {
    Transition.WIPE_LEFT: "left",
    Transition.WIPE_RIGHT: "right",
    Transition.SLIDE_UP: "up",
}

TEXT_FADE_SECONDS = 0.25


@dataclass(frozen=True, slots=True)
class TextLayer:
    """Text drawn from a file, centred horizontally, shown from ``start`` to ``end`` seconds.

    ``y`` is the top of the block (``anchor="top"``) or its bottom (``anchor="bottom"``).
    ``fade`` is how long it fades in and out (0: on and off on the frame, as captions timed to
    speech are).
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
    fade: float = TEXT_FADE_SECONDS
    line_spacing: int = 0


@dataclass(frozen=True, slots=True)
class TextPicture:
    """Words already drawn as a picture (an RGBA PNG: a caption in its box), placed with its
    top-left at ``x, y`` on frames ``[start, end)`` (seconds, rounded to the frame), moving as
    ``motion`` says (:mod:`domain.media.kinetic`: rising and fading in, fading out; still and
    on exactly its frames by default)."""

    source: MediaInput
    x: int
    y: int
    start: float
    end: float
    motion: Motion = field(default_factory=Motion)


@dataclass(frozen=True, slots=True)
class Still:
    """A picture already drawn at its final size (an RGBA PNG), placed with its top-left at
    ``x, y``; as the logo, it fades out over ``fade_out`` seconds as the end card arrives."""

    source: MediaInput
    x: int = 0
    y: int = 0
    fade_out: float = 0.4


@dataclass(frozen=True, slots=True)
class EndCard:
    """The closing card, from ``start`` to the end of the ad.

    ``backdrop`` (an opaque full-frame still: brand colours and the logo) fades in over the last
    scene, or up from black (``from_black``: it comes in at the dark middle of a dip to black);
    ``words`` (a transparent full-frame still: headline and call to action) fade in on top of it
    ``words_delay`` seconds later.
    """

    start: float
    backdrop: MediaInput
    words: MediaInput | None = None
    fade: float = 0.4
    words_delay: float = 0.3
    from_black: bool = False


@dataclass(frozen=True, slots=True)
class ScenePanel:
    """A designed layout on one scene: ``source`` (a full-frame RGBA picture: a brand panel, a
    quote card) over the scene's clip, which is cover-fitted into ``media`` when given (a split
    screen) instead of the whole frame. It is part of the scene, so it moves with its
    transitions."""

    source: MediaInput
    media: Box | None = None


@dataclass(frozen=True, slots=True)
class ComposeSpec:
    """Everything the composition needs, as files Adreel stored and plain numbers.

    ``logo`` is the small logo shown over the scenes until the end card, drawn at its size.
    """

    clips: tuple[MediaInput, ...]
    timeline: Timeline
    size: Size
    font: Path
    output: Path
    audio: MediaInput | None = None
    audio_filter: str = ""  # applied to ``audio`` first (the soundtrack's loudness pass two)
    captions: tuple[TextLayer, ...] = ()
    pictures: tuple[TextPicture, ...] = ()
    panels: tuple[ScenePanel | None, ...] = ()  # per scene (empty: none)
    logo: Still | None = None
    end_card: EndCard | None = None
    preset: str = "medium"
    crf: int = 20


def drawtext(layer: TextLayer, font: Path) -> str:
    """``drawtext`` reading ``layer.text_file`` verbatim, fading in and out."""
    start, end = layer.start, layer.end
    fade = min(layer.fade, (end - start) / 3)
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


#: An RGBA still to 4:2:0 with alpha, BT.709 (converted once, before it is repeated).
RGBA_TO_YUVA420 = "scale=out_color_matrix=bt709:out_range=tv,format=yuva420p"


def _clip_chain(
    index: int, frames: int, size: Size, fps: int, panel: tuple[int, ScenePanel] | None = None
) -> str:
    w, h = size.width, size.height
    media = panel[1].media if panel else None
    fit_w, fit_h = (media.width, media.height) if media else (w, h)
    place = f",pad={w}:{h}:{media.x}:{media.y}" if media else ""
    label = f"c{index}" if panel is None else f"c{index}m"
    chain = (
        f"[{index}:v]fps={fps},scale={fit_w}:{fit_h}:force_original_aspect_ratio=increase:"
        f"flags=lanczos,crop={fit_w}:{fit_h},setsar=1{place},format=yuv420p,"
        f"tpad=stop_mode=clone:stop={frames},"
        f"trim=end_frame={frames},setpts=PTS-STARTPTS,settb=1/{fps}[{label}]"
    )
    if panel is None:
        return chain
    source = panel[0]
    return (
        f"{chain};[{source}:v]{RGBA_TO_YUVA420},loop=loop=-1:size=1:start=0,"
        f"trim=end_frame={frames},settb=1/{fps}[o{index}];"
        f"[{label}][o{index}]overlay=0:0:eof_action=pass,format=yuv420p[c{index}]"
    )


def _panel_inputs(spec: ComposeSpec) -> dict[int, tuple[int, ScenePanel]]:
    """Scene index -> (input index, panel): panels are the inputs right after the clips."""
    found: dict[int, tuple[int, ScenePanel]] = {}
    for scene, panel in enumerate(spec.panels):
        if panel is not None:
            found[scene] = (len(spec.clips) + len(found), panel)
    return found


def _scenes(
    tl: Timeline, size: Size, panels: dict[int, tuple[int, ScenePanel]] | None = None
) -> tuple[list[str], str]:
    """Clips cut into their own frames and the frames they share with a neighbour, the shared
    frames blended (:mod:`domain.media.blend`), everything joined in order as ``[joined]``."""
    fps, n = tl.fps, tl.scene_count
    chains: list[str] = []
    order: list[str] = []
    for i in range(n):
        chains.append(_clip_chain(i, tl.clip_frames(i), size, fps, (panels or {}).get(i)))
        incoming = tl.overlaps[i] if i > 0 else 0
        outgoing = tl.overlaps[i + 1] if i + 1 < n else 0
        own = tl.scene_frames(i)
        parts = [(f"h{i}", 0, incoming)] if incoming else []
        parts.append((f"b{i}", incoming, own))
        if outgoing:
            parts.append((f"t{i}", own, own + outgoing))
        if len(parts) > 1:
            chains.append(cut(f"c{i}", parts))
        if incoming:
            transition = tl.transitions[i]
            if transition in SOFT_EDGES:
                chains.append(
                    soft_wipe(
                        f"t{i - 1}", f"h{i}", f"x{i}", direction=SOFT_EDGES[transition],
                        frames=incoming, fps=fps, size=size,
                    )
                )  # fmt: skip
            else:
                kind = XFADE.get(transition, "fade")
                chains.append(
                    blend(f"t{i - 1}", f"h{i}", f"x{i}", transition=kind, frames=incoming, fps=fps)
                )
            order.append(f"x{i}")
        order.append(f"b{i}" if len(parts) > 1 else f"c{i}")
    chains.append(join(order, "joined", fps))
    return chains, "joined"


def _still(
    index: int, start: int, end: int, fps: int, fade: float, label: str, *, from_black: bool = False
) -> str:
    """Input ``index`` (one picture) shown from frame ``start`` to ``end``, fading in (its
    transparency, or its picture up from black).

    Its timestamps are whole frames: a start in seconds would be truncated to the frame before.
    """
    fade_in = f"fade=t=in:st=0:d={fmt(fade)}" + ("" if from_black else ":alpha=1")
    return (
        f"[{index}:v]{RGBA_TO_YUVA420},loop=loop=-1:size=1:start=0,trim=end_frame={end - start},"
        f"settb=1/{fps},{fade_in},setpts=PTS+{start}[{label}]"
    )


def _picture(index: int, picture: TextPicture, fps: int, total: int, label: str) -> str:
    """Input ``index`` (one picture) over frames ``[start, end)``, moving as its motion says."""
    first = min(round(picture.start * fps), total - 1)
    last = max(first + 1, min(round(picture.end * fps), total))
    chain = picture_chain(index, first, last, fps, picture.motion, label)
    return chain.replace(f"[{index}:v]", f"[{index}:v]{RGBA_TO_YUVA420},", 1)


def compose_filtergraph(spec: ComposeSpec) -> str:
    """The ``-filter_complex`` graph. Inputs: clips, the caption pictures, the logo, the end
    card's backdrop and words, then the audio. Every frame stays 4:2:0 except the few that blend
    in a transition."""
    tl = spec.timeline
    if len(spec.clips) != tl.scene_count:
        raise ValueError("one clip per scene is needed")
    fps = tl.fps
    panels = _panel_inputs(spec)
    chains, current = _scenes(tl, spec.size, panels)
    steps = [drawtext(layer, spec.font) for layer in spec.captions]
    if steps:
        chains.append(f"[{current}]{','.join(steps)}[cap]")
        current = "cap"
    index = len(spec.clips) + len(panels)
    for number, picture in enumerate(spec.pictures):
        chains.append(_picture(index, picture, fps, tl.total_frames, f"p{number}"))
        first = min(round(picture.start * fps), tl.total_frames - 1)
        y = overlay_y(picture.y, first, fps, picture.motion)
        chains.append(
            f"[{current}][p{number}]overlay=x={picture.x}:y={y}:eof_action=pass[pc{number}]"
        )
        current = f"pc{number}"
        index += 1
    card = spec.end_card
    card_start = card.start if card else tl.total_seconds
    if spec.logo is not None:
        logo = spec.logo
        if card is None:  # one picture, shown to the end
            chains.append(f"[{index}:v]{RGBA_TO_YUVA420}[logo]")
        else:  # repeated until the card, fading out as it arrives
            end = max(1, round(card_start * fps))
            fade = min(logo.fade_out, end / fps)
            chains.append(
                f"[{index}:v]{RGBA_TO_YUVA420},loop=loop=-1:size=1:start=0,trim=end_frame={end},"
                f"settb=1/{fps},fade=t=out:st={fmt(end / fps - fade)}:d={fmt(fade)}:alpha=1[logo]"
            )
        chains.append(
            f"[{current}][logo]overlay=x={logo.x}:y={logo.y}:eof_action=pass[lg]"
            if card is not None
            else f"[{current}][logo]overlay=x={logo.x}:y={logo.y}[lg]"
        )
        current = "lg"
        index += 1
    if card is not None:
        first = min(round(card.start * fps), tl.total_frames - 1)
        chains.append(
            _still(
                index, first, tl.total_frames, fps, card.fade, "card", from_black=card.from_black
            )
        )
        chains.append(f"[{current}][card]overlay=eof_action=pass[ec]")
        current = "ec"
        index += 1
        if card.words is not None:
            later = min(first + round(card.words_delay * fps), tl.total_frames - 1)
            chains.append(_still(index, later, tl.total_frames, fps, card.fade, "words"))
            chains.append(f"[{current}][words]overlay=eof_action=pass[ecw]")
            current = "ecw"
            index += 1
    chains.append(f"[{current}]trim=end_frame={tl.total_frames},format=yuv420p[vout]")
    if spec.audio is None:
        chains.append(
            f"anullsrc=r={SAMPLE_RATE}:cl=stereo,atrim=duration={fmt(tl.total_seconds)}[aout]"
        )
    else:
        level = f"{spec.audio_filter}," if spec.audio_filter else ""
        chains.append(
            f"[{index}:a]{level}aresample={SAMPLE_RATE},apad,"
            f"atrim=duration={fmt(tl.total_seconds)}[aout]"
        )
    return ";".join(chains)


def compose_args(spec: ComposeSpec, *, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> list[str]:
    """Full argv for the composition: an MP4 (H.264/AAC, 48 kHz stereo) with ``+faststart``."""
    args: list[str] = []
    for clip in spec.clips:
        args += input_args(clip, max_pixels=max_pixels)
    framerate = ["-framerate", str(spec.timeline.fps)]
    stills = [panel.source for panel in spec.panels if panel is not None]
    stills += [picture.source for picture in spec.pictures]
    if spec.logo is not None:
        stills.append(spec.logo.source)
    if spec.end_card is not None:
        stills.append(spec.end_card.backdrop)
        if spec.end_card.words is not None:
            stills.append(spec.end_card.words)
    for still in stills:
        args += input_args(still, max_pixels=max_pixels, options=framerate)
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
    "RGBA_TO_YUVA420",
    "SOFT_EDGES",
    "TEXT_FADE_SECONDS",
    "XFADE",
    "ComposeSpec",
    "EndCard",
    "ScenePanel",
    "Still",
    "TextLayer",
    "TextPicture",
    "compose_args",
    "compose_filtergraph",
    "drawtext",
]
