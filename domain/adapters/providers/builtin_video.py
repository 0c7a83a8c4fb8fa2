"""The built-in offline video provider: slow, smooth Ken Burns motion over key images (FFmpeg).

A CUT scene moves over its key image; the job's character, when the scene shows it, is
composited over the motion, standing still (``domain.adapters.ffmpeg.character``). A CONTINUE scene opens exactly on the previous clip's last
frame (identity transform, so the first frame equals it), keeps drifting, then dissolves into
its own key image.
"""

from __future__ import annotations

from pathlib import Path

from domain.adapters.ffmpeg.character import render_character_clip
from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
from domain.media.clip import ClipSpec
from domain.media.motion import ken_burns_for
from domain.media.types import MediaInput, ProgressCallback
from domain.ports.providers import GeneratedMedia, VideoRequest

PROVIDER = "builtin"
MODEL = "ken-burns-1"


def crossfade_window(frames: int, fps: int) -> tuple[int, int]:
    """(start, length) in frames of the dissolve into the key image in a CONTINUE clip."""
    if frames < 8:
        return 0, 0
    start = max(1, round(frames * 0.3))
    length = min(round(fps * 0.8), frames - start - 1)
    return (start, length) if length > 1 else (0, 0)


class BuiltinVideoProvider:
    """Offline, free clips (implements :class:`domain.ports.providers.VideoProvider`)."""

    name = PROVIDER

    def __init__(self, engine: FfmpegMediaEngine) -> None:
        self.engine = engine

    def estimate_usd(self, request: VideoRequest) -> float:
        return 0.0

    def spec(
        self, request: VideoRequest, output: Path, image_demuxer: str, start_demuxer: str | None
    ) -> ClipSpec:
        """The clip spec for ``request`` (pure; demuxers come from the files' magic bytes)."""
        frames = max(1, round(request.duration_seconds * request.fps))
        image = MediaInput(request.image, image_demuxer)
        motion = ken_burns_for(request.shot_type, request.seed)
        if request.start_image is None or start_demuxer is None:
            return ClipSpec(image, output, request.size, frames, motion, request.fps)
        start = MediaInput(request.start_image, start_demuxer)
        same = request.start_image.resolve() == request.image.resolve()
        fade_start, fade_frames = (0, 0) if same else crossfade_window(frames, request.fps)
        return ClipSpec(
            image,
            output,
            request.size,
            frames,
            ken_burns_for(request.shot_type, request.seed + 1),
            request.fps,
            start_image=start,
            start_motion=ken_burns_for(request.shot_type, request.seed, continues=True),
            crossfade_start=fade_start,
            crossfade_frames=fade_frames,
        )

    async def generate_clip(
        self,
        request: VideoRequest,
        output: Path,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> GeneratedMedia:
        image = await self.engine.media_input(request.image)
        start = await self.engine.media_input(request.start_image) if request.start_image else None
        spec = self.spec(request, output, image.demuxer, start.demuxer if start else None)
        if request.character_image is not None:  # the character stands still over the motion
            await render_character_clip(
                self.engine.runner, spec, request.character_image,
                max_pixels=self.engine.max_pixels, on_progress=on_progress,
            )  # fmt: skip
        else:
            await self.engine.render_clip(spec, on_progress=on_progress)
        return GeneratedMedia(output, PROVIDER, MODEL, 0.0)


__all__ = ["MODEL", "PROVIDER", "BuiltinVideoProvider", "crossfade_window"]
