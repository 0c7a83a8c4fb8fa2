"""Builder that normalises any provider clip to the composition's grid.

Exact frame count at the job's fps and size, square pixels, 4:2:0 BT.709, and a 48 kHz stereo
audio track (silent when the clip has none), so composition and last-frame extraction see the
same frames a CONTINUE scene starts from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domain.media.audio import SAMPLE_RATE
from domain.media.clip import TO_YUV420, scene_clip_h264_args
from domain.media.escape import fmt
from domain.media.inputs import DEFAULT_MAX_PIXELS, file_url, input_args
from domain.media.types import MediaInput, Size


@dataclass(frozen=True, slots=True)
class NormalizeSpec:
    """Target grid for one clip."""

    source: MediaInput
    output: Path
    size: Size
    fps: int
    frames: int
    has_audio: bool


def normalize_filtergraph(spec: NormalizeSpec) -> str:
    w, h, n = spec.size.width, spec.size.height, spec.frames
    seconds = fmt(n / spec.fps)
    video = (
        f"[0:v]fps={spec.fps},scale={w}:{h}:force_original_aspect_ratio=increase:flags=lanczos,"
        f"crop={w}:{h},setsar=1,tpad=stop_mode=clone:stop={n},trim=end_frame={n},"
        f"setpts=PTS-STARTPTS,{TO_YUV420}[v]"
    )
    stereo = f"aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"
    if spec.has_audio:
        audio = f"[0:a]{stereo},apad,atrim=duration={seconds},asetpts=PTS-STARTPTS[a]"
    else:
        audio = f"anullsrc=r={SAMPLE_RATE}:cl=stereo,atrim=duration={seconds}[a]"
    return f"{video};{audio}"


def normalize_args(
    spec: NormalizeSpec, *, max_pixels: int | None = DEFAULT_MAX_PIXELS
) -> list[str]:
    """Full argv for one normalised clip (H.264 near-lossless + AAC)."""
    return [
        *input_args(spec.source, max_pixels=max_pixels),
        "-filter_complex", normalize_filtergraph(spec), "-map", "[v]", "-map", "[a]",
        "-frames:v", str(spec.frames), "-r", str(spec.fps),
        *scene_clip_h264_args(spec.frames, spec.fps),
        "-c:a", "aac", "-b:a", "192k", "-ar", str(SAMPLE_RATE), "-ac", "2",
        "-movflags", "+faststart", "-f", "mp4", file_url(spec.output),
    ]  # fmt: skip


__all__ = ["NormalizeSpec", "normalize_args", "normalize_filtergraph"]
