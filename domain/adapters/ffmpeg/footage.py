"""Uploaded footage through FFmpeg: check it, find a steady in-point, cut a scene's clip and
its key image from it (argv from :mod:`domain.media.footage`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from domain.adapters.ffmpeg.files import QUICK_TIME_LIMIT, atomic_output, scratch_dir
from domain.adapters.ffmpeg.runner import FfmpegRunner
from domain.media.errors import MediaError
from domain.media.footage import (
    FootageCut,
    FootageSpec,
    footage_args,
    footage_still_args,
    is_hdr,
    parse_frame_stats,
    steady_args,
    tone_map_check_args,
)
from domain.media.types import MediaInfo, MediaInput, ProgressCallback, Size
from domain.rules.footage import (
    STEADY_SCAN_SECONDS,
    FrameStat,
    held_seconds,
    in_point,
    steady_start,
)


class FootageCutter:
    """The footage part of the media engine, sharing its runner and pixel limit."""

    def __init__(self, runner: FfmpegRunner, max_pixels: int) -> None:
        self.runner = runner
        self.max_pixels = max_pixels
        self._tone_map: bool | None = None

    async def can_tone_map(self) -> bool:
        """Whether this FFmpeg has ``zscale`` and ``tonemap`` (checked once)."""
        if self._tone_map is None:
            try:
                await self.runner.run(tone_map_check_args(), time_limit=QUICK_TIME_LIMIT)
                self._tone_map = True
            except MediaError:
                self._tone_map = False
        return self._tone_map

    async def needs_tone_map(self, info: MediaInfo) -> bool:
        """True for HDR footage; ``UNSUPPORTED_MEDIA`` when it is HDR and cannot be tone-mapped,
        or has no picture."""
        if not info.has_video or not info.width or not info.height:
            raise MediaError("footage needs a video stream", field=["assetId"])
        if not is_hdr(info.color_transfer):
            return False
        if not await self.can_tone_map():
            raise MediaError(
                f"HDR footage ({info.color_transfer}) cannot be converted to SDR: this FFmpeg "
                "has no zscale/tonemap filters; upload an SDR (BT.709) version",
                field=["assetId"],
            )
        return True

    async def steady_start(self, source: MediaInput, info: MediaInfo) -> float:
        """The first steady moment of the footage's first seconds (after a fade-in or flash)."""
        async with scratch_dir(source.path.parent) as work:
            stats = work / "stats.txt"
            await self.runner.run(
                steady_args(source, stats, seconds=STEADY_SCAN_SECONDS, max_pixels=self.max_pixels),
                time_limit=QUICK_TIME_LIMIT,
            )
            text = await asyncio.to_thread(stats.read_text, "utf-8", "replace")
        frames = [FrameStat(*row) for row in parse_frame_stats(text)]
        return steady_start(frames, fps=info.fps or 30.0)

    async def cut(
        self, source: MediaInput, info: MediaInfo, trim_start: float | None, scene_seconds: float
    ) -> FootageCut:
        """Where a scene's clip starts: ``trim_start``, or the steady start moved earlier when
        the footage would end before the scene (see :func:`domain.rules.footage.in_point`)."""
        await self.needs_tone_map(info)
        steady = 0.0 if trim_start is not None else await self.steady_start(source, info)
        start = in_point(trim_start, steady, info.duration, scene_seconds)
        return FootageCut(start, info.duration, held_seconds(start, info.duration, scene_seconds))

    async def clip(
        self,
        source: MediaInput,
        info: MediaInfo,
        output: Path,
        *,
        size: Size,
        frames: int,
        fps: int,
        start_seconds: float,
        on_progress: ProgressCallback | None = None,
    ) -> Path:
        """A scene's clip: ``frames`` frames at ``fps`` and ``size`` from ``start_seconds``."""
        tone_map = await self.needs_tone_map(info)
        async with atomic_output(output) as temporary:
            spec = FootageSpec(
                source, temporary, size, fps, frames, start_seconds, info.has_audio, tone_map
            )
            await self.runner.run(
                footage_args(spec, max_pixels=self.max_pixels),
                duration=frames / fps,
                on_progress=on_progress,
            )
        return output

    async def still(
        self, source: MediaInput, info: MediaInfo, output: Path, *, size: Size, start_seconds: float
    ) -> Path:
        """The frame at ``start_seconds`` fitted to ``size`` as an RGB PNG."""
        tone_map = await self.needs_tone_map(info)
        async with atomic_output(output) as temporary:
            await self.runner.run(
                footage_still_args(
                    source,
                    temporary,
                    size=size,
                    start_seconds=start_seconds,
                    tone_map=tone_map,
                    max_pixels=self.max_pixels,
                ),
                time_limit=QUICK_TIME_LIMIT,
            )
        return output


__all__ = ["FootageCutter"]
