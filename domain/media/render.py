"""Builder for exports: the composition re-fitted to a format, resolution and aspect ratio.

A different aspect ratio is never stretched: the picture is fitted inside the frame and the rest
is filled with a blurred, darkened copy of itself (``blur``) or a flat colour (``pad``). Scaling
uses Lanczos, so P2160 is a clean upscale of a 1080p composition.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from domain.enums import RenderQuality, VideoFormat
from domain.media.encoding import audio_codec_args, container_args, video_codec_args
from domain.media.escape import filter_value
from domain.media.geometry import even
from domain.media.inputs import DEFAULT_MAX_PIXELS, file_url, input_args
from domain.media.types import MediaInput, Size

Fit = Literal["blur", "pad"]


@dataclass(frozen=True, slots=True)
class RenderSpec:
    """One export of a composition."""

    source: MediaInput
    source_size: Size
    output: Path
    format: VideoFormat
    size: Size
    quality: RenderQuality = RenderQuality.BALANCED
    fit: Fit = "blur"
    pad_color: str = "black"
    has_audio: bool = True


def same_aspect(a: Size, b: Size) -> bool:
    """Whether two frames have the same shape (within rounding to even pixels)."""
    return abs(a.width * b.height - b.width * a.height) <= max(a.width, b.width) * 2


def fit_filtergraph(spec: RenderSpec) -> str:
    """``[0:v]`` -> ``[v]`` at ``spec.size`` without distortion."""
    w, h = spec.size.width, spec.size.height
    pix_fmt = "yuv422p10le" if spec.format is VideoFormat.MOV else "yuv420p"
    finish = f"setsar=1,format={pix_fmt}[v]"
    if same_aspect(spec.source_size, spec.size):
        return f"[0:v]scale={w}:{h}:flags=lanczos,{finish}"
    inner = f"scale={w}:{h}:force_original_aspect_ratio=decrease:force_divisible_by=2:flags=lanczos"
    if spec.fit == "pad":
        return (
            f"[0:v]{inner},pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color={filter_value(spec.pad_color)},"
            f"{finish}"
        )
    bw, bh = even(w / 8), even(h / 8)
    return (
        f"[0:v]split=2[bg0][fg0];"
        f"[bg0]scale={bw}:{bh}:force_original_aspect_ratio=increase,crop={bw}:{bh},"
        f"gblur=sigma=6,eq=brightness=-0.08:saturation=1.1,scale={w}:{h}:flags=bicubic[bg];"
        f"[fg0]{inner}[fg];[bg][fg]overlay=x=(W-w)/2:y=(H-h)/2,{finish}"
    )


def render_args(spec: RenderSpec, *, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> list[str]:
    """Full argv for one export."""
    audio = ["-map", "0:a:0", *audio_codec_args(spec.format)] if spec.has_audio else ["-an"]
    return [
        *input_args(spec.source, max_pixels=max_pixels),
        "-filter_complex", fit_filtergraph(spec), "-map", "[v]",
        *video_codec_args(spec.format, spec.quality), *audio,
        *container_args(spec.format), file_url(spec.output),
    ]  # fmt: skip


__all__ = ["Fit", "RenderSpec", "fit_filtergraph", "render_args", "same_aspect"]
