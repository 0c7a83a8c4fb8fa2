"""Builders for uploaded footage: a scene's clip cut from it, its key image, and the measurement
that finds a steady in-point.

The clip is the composition's grid, like a provider clip (:mod:`domain.media.normalize`):
exactly ``frames`` frames at ``fps`` from the in-point (an input seek, so the first frame is the
source frame at the in-point), cover-fitted to ``size`` around a focus point (never stretched),
square pixels, 4:2:0 BT.709 SDR, with 48 kHz stereo sound (silent when the footage has none;
the composition decides whether it is heard). Rotation metadata is honoured by FFmpeg's
autorotation before any filter sees the picture; a variable frame rate becomes constant through
the ``fps`` filter; 10-bit pictures are converted to 8 bits; HDR (PQ or HLG) is tone-mapped to
BT.709 with ``zscale`` + ``tonemap``. Footage that ends before the scene holds its last frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domain.media.audio import SAMPLE_RATE
from domain.media.clip import TO_YUV420, scene_clip_h264_args
from domain.media.escape import filter_value, fmt
from domain.media.frames import TO_RGB
from domain.media.inputs import DEFAULT_MAX_PIXELS, file_url, input_args
from domain.media.types import MediaInput, Size

#: Transfer characteristics of HDR video (PQ and HLG) as FFmpeg names them.
HDR_TRANSFERS = frozenset({"smpte2084", "arib-std-b67"})

#: HDR to SDR BT.709: linear light, BT.709 primaries, Hable tone curve, back to BT.709 video.
TONE_MAP = (
    "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,"
    "tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv"
)

#: Size the steady-start measurement looks at (luma averages need no detail).
ANALYSIS_WIDTH = 160


@dataclass(frozen=True, slots=True)
class FootageCut:
    """Where a scene's clip starts in its footage, how long the footage is, and how long its
    last frame is held at the end of the scene (0 when the footage lasts)."""

    start_seconds: float
    footage_seconds: float | None
    held_seconds: float = 0.0


def is_hdr(transfer: str | None) -> bool:
    """Whether a stream with this transfer characteristic is HDR."""
    return (transfer or "") in HDR_TRANSFERS


@dataclass(frozen=True, slots=True)
class FootageSpec:
    """One scene's clip cut from footage.

    ``focus`` is the point (fractions of width and height) the cover crop keeps in view;
    ``tone_map`` converts HDR first.
    """

    source: MediaInput
    output: Path
    size: Size
    fps: int
    frames: int
    start_seconds: float = 0.0
    has_audio: bool = True
    tone_map: bool = False
    focus: tuple[float, float] = (0.5, 0.5)

    def __post_init__(self) -> None:
        if self.frames < 1:
            raise ValueError("a clip needs at least one frame")
        if self.start_seconds < 0:
            raise ValueError("the in-point cannot be negative")
        if not all(0.0 <= f <= 1.0 for f in self.focus):
            raise ValueError("the focus point is a fraction of the picture")


def cover(size: Size, focus: tuple[float, float] = (0.5, 0.5)) -> str:
    """Scale to cover ``size`` keeping the aspect, crop around ``focus``, square pixels."""
    w, h = size.width, size.height
    x = filter_value(f"(iw-ow)*{fmt(focus[0])}")
    y = filter_value(f"(ih-oh)*{fmt(focus[1])}")
    return (
        f"scale={w}:{h}:force_original_aspect_ratio=increase:flags=lanczos,"
        f"crop={w}:{h}:{x}:{y},setsar=1"
    )


def _seek(start_seconds: float) -> list[str]:
    return ["-ss", fmt(start_seconds)] if start_seconds > 0 else []


def footage_filtergraph(spec: FootageSpec) -> str:
    """The ``-filter_complex`` graph: the picture ``[v]`` and the sound ``[a]``."""
    n = spec.frames
    seconds = fmt(n / spec.fps)
    tone = f"{TONE_MAP}," if spec.tone_map else ""
    video = (
        f"[0:v]{tone}fps={spec.fps},{cover(spec.size, spec.focus)},"
        f"tpad=stop_mode=clone:stop={n},trim=end_frame={n},setpts=PTS-STARTPTS,{TO_YUV420}[v]"
    )
    stereo = f"aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"
    if spec.has_audio:
        audio = f"[0:a]{stereo},apad,atrim=duration={seconds},asetpts=PTS-STARTPTS[a]"
    else:
        audio = f"anullsrc=r={SAMPLE_RATE}:cl=stereo,atrim=duration={seconds}[a]"
    return f"{video};{audio}"


def footage_args(spec: FootageSpec, *, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> list[str]:
    """Full argv for one footage clip (H.264 near-lossless + AAC, like every scene clip)."""
    return [
        *input_args(spec.source, max_pixels=max_pixels, options=_seek(spec.start_seconds)),
        "-filter_complex", footage_filtergraph(spec), "-map", "[v]", "-map", "[a]",
        "-frames:v", str(spec.frames), "-r", str(spec.fps),
        *scene_clip_h264_args(spec.frames, spec.fps),
        "-c:a", "aac", "-b:a", "192k", "-ar", str(SAMPLE_RATE), "-ac", "2",
        "-movflags", "+faststart", "-f", "mp4", file_url(spec.output),
    ]  # fmt: skip


def footage_still_args(
    source: MediaInput,
    output: Path,
    *,
    size: Size,
    start_seconds: float = 0.0,
    tone_map: bool = False,
    focus: tuple[float, float] = (0.5, 0.5),
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> list[str]:
    """The footage's frame at the in-point, fitted like its clip, as an RGB PNG (the scene's
    key image)."""
    tone = f"{TONE_MAP}," if tone_map else ""
    return [
        *input_args(source, max_pixels=max_pixels, options=_seek(start_seconds)),
        "-map", "0:v:0", "-vf", f"{tone}{cover(size, focus)},{TO_RGB}", "-frames:v", "1",
        "-c:v", "png", "-pix_fmt", "rgb24", "-f", "image2", "-update", "1", file_url(output),
    ]  # fmt: skip


def steady_args(
    source: MediaInput,
    stats: Path,
    *,
    seconds: float,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> list[str]:
    """Measure the first ``seconds``: each frame's mean luma and change (``signalstats``),
    written to ``stats`` by ``metadata=print`` (read with :func:`parse_frame_stats`)."""
    graph = (
        f"[0:v]scale={ANALYSIS_WIDTH}:-2:flags=area,signalstats,"
        f"metadata=mode=print:file={filter_value(str(stats))}"
    )
    return [
        *input_args(source, max_pixels=max_pixels, options=["-t", fmt(seconds)]),
        "-filter_complex", graph, "-an", "-f", "null", "-",
    ]  # fmt: skip


def tone_map_check_args() -> list[str]:
    """Tone-map one generated HDR frame: succeeds only when FFmpeg has ``zscale`` and
    ``tonemap``."""
    source = (
        "color=c=gray:s=16x16:d=0.04,format=yuv420p10le,"
        "setparams=color_trc=smpte2084:color_primaries=bt2020:colorspace=bt2020nc"
    )
    return [
        "-f", "lavfi", "-i", source, "-vf", f"{TONE_MAP},format=yuv420p",
        "-frames:v", "1", "-f", "null", "-",
    ]  # fmt: skip


def parse_frame_stats(text: str) -> list[tuple[float, float, float]]:
    """``(seconds, YAVG, YDIF)`` per frame from ``metadata=print`` output."""
    rows: list[tuple[float, float, float]] = []
    seconds: float | None = None
    values: dict[str, float] = {}

    def flush() -> None:
        if seconds is not None and "YAVG" in values:
            rows.append((seconds, values["YAVG"], values.get("YDIF", 0.0)))

    for line in text.splitlines():
        if line.startswith("frame:"):
            flush()
            values = {}
            seconds = None
            for part in line.split():
                key, _, value = part.partition(":")
                if key == "pts_time":
                    try:
                        seconds = float(value)
                    except ValueError:
                        seconds = None
            continue
        key, sep, value = line.strip().partition("=")
        if sep and key.startswith("lavfi.signalstats."):
            try:
                values[key.rsplit(".", 1)[1]] = float(value)
            except ValueError:
                continue
    flush()
    return rows


__all__ = [
    "ANALYSIS_WIDTH",
    "HDR_TRANSFERS",
    "TONE_MAP",
    "FootageCut",
    "FootageSpec",
    "cover",
    "footage_args",
    "footage_filtergraph",
    "footage_still_args",
    "is_hdr",
    "parse_frame_stats",
    "steady_args",
    "tone_map_check_args",
]
