"""The FFmpeg media engine: thin functions that build argv with :mod:`domain.media` and run it.

Every output is written atomically (``files.atomic_output``); captions, the logo bug and the end
card are placed by ``layout``.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from domain.adapters.ffmpeg import ken_burns
from domain.adapters.ffmpeg.binary import find_ffmpeg
from domain.adapters.ffmpeg.files import (
    QUICK_TIME_LIMIT,
    atomic_output,
    read_head,
    scaled_progress,
    scratch_dir,
)
from domain.adapters.ffmpeg.footage import FootageCutter
from domain.adapters.ffmpeg.layout import COMPOSE_QUALITY, CompositionLayout
from domain.adapters.ffmpeg.runner import FfmpegRunner
from domain.adapters.ffmpeg.text import bundled_font
from domain.assets.sniff import sniff
from domain.enums import AssetKind
from domain.media import audio
from domain.media.clip import ClipSpec, clip_args
from domain.media.compose import ComposeSpec, compose_args
from domain.media.composition import Composition, RenderOptions
from domain.media.errors import MediaError, MediaTooLarge
from domain.media.footage import FootageCut
from domain.media.frames import (
    THUMBNAIL_CONTENT_TYPES,
    ThumbnailFormat,
    count_frames_args,
    frame_png_args,
    last_frame_args,
    thumbnail_args,
)
from domain.media.geometry import frame_size
from domain.media.inputs import DEFAULT_MAX_PIXELS, demuxer_for, wav
from domain.media.normalize import NormalizeSpec, normalize_args
from domain.media.probe import duration_args, parse_probe, probe_args
from domain.media.render import RenderSpec, render_args
from domain.media.timing import Timeline, plan_timeline
from domain.media.types import MediaInfo, MediaInput, ProgressCallback, Size, Thumbnail


def _fit_inside(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


class FfmpegMediaEngine:
    """Implements :class:`domain.ports.media.MediaEngine` with one FFmpeg binary."""

    def __init__(
        self,
        binary: str | None = None,
        *,
        timeout: float = 3600.0,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        font: Path | None = None,
    ) -> None:
        self.runner = FfmpegRunner(binary or find_ffmpeg(), timeout=timeout)
        self.max_pixels = max_pixels
        self.font = font or bundled_font()
        self.footage = FootageCutter(self.runner, max_pixels)

    # ---------------------------------------------------------------- inputs and probing

    async def media_input(self, path: Path) -> MediaInput:
        """``path`` with the demuxer its magic bytes call for (refuses anything not allowed)."""
        head = await asyncio.to_thread(read_head, path)
        return MediaInput(path, demuxer_for(sniff(head).container))

    async def probe(self, path: Path) -> MediaInfo:
        """Width, height, duration, codecs, fps and audio presence, via a hardened FFmpeg run.

        Raises ``UNSUPPORTED_MEDIA`` for anything FFmpeg cannot really decode with the demuxer
        the magic bytes chose, ``TOO_LARGE`` past the pixel limit.
        """
        source = await self.media_input(path)
        try:
            result = await self.runner.run(
                probe_args(source, max_pixels=self.max_pixels), time_limit=QUICK_TIME_LIMIT
            )
        except MediaTooLarge:
            raise
        except MediaError as error:
            raise MediaError(
                f"the file is not a readable {source.demuxer} file",
                stderr_tail=error.stderr_tail,
                returncode=error.returncode,
                field=["file"],
            ) from error
        info, needs_duration = parse_probe(result.stderr, source.demuxer)
        if info.width and info.height and info.width * info.height > self.max_pixels:
            raise MediaTooLarge(
                f"{info.width}x{info.height} is larger than the limit of {self.max_pixels} pixels"
            )
        if not info.has_video and not info.has_audio:
            raise MediaError("the file has no picture and no sound", field=["file"])
        if needs_duration:
            measured = await self.runner.run(duration_args(source), time_limit=QUICK_TIME_LIMIT)
            seconds = measured.out_seconds
            info = dataclasses.replace(
                info, duration=seconds if seconds and seconds > 0 else info.duration
            )
        return info

    # ---------------------------------------------------------------- stills

    async def thumbnail(
        self,
        source: Path,
        output: Path,
        *,
        max_side: int = 480,
        image_format: ThumbnailFormat | None = None,
        info: MediaInfo | None = None,
    ) -> Thumbnail:
        """A poster (video) or a reduced copy (image), never enlarged.

        Without ``image_format``: WebP for pictures with transparency, JPEG otherwise. ``info``
        is the source's probe when the caller has it (no second FFmpeg run).
        """
        if info is None:
            info = await self.probe(source)
        if not info.has_video or not info.width or not info.height:
            raise MediaError("only images and videos have thumbnails", field=["file"])
        fmt: ThumbnailFormat = image_format or ("webp" if info.has_alpha else "jpeg")
        head = await asyncio.to_thread(read_head, source)
        is_video = sniff(head).kind is AssetKind.VIDEO
        seek = min(3.0, (info.duration or 0.0) * 0.1) if is_video else 0.0
        media = MediaInput(source, demuxer_for(sniff(head).container))
        async with atomic_output(output) as temporary:
            await self.runner.run(
                thumbnail_args(
                    media,
                    temporary,
                    max_side=max_side,
                    image_format=fmt,
                    video=is_video,
                    seek_seconds=seek,
                    max_pixels=self.max_pixels,
                ),
                time_limit=QUICK_TIME_LIMIT,
            )
        width, height = _fit_inside(info.width, info.height, max_side)
        return Thumbnail(output, THUMBNAIL_CONTENT_TYPES[fmt], width, height)

    async def count_frames(self, clip: Path) -> int:
        """Decoded frames in the first video stream."""
        result = await self.runner.run(
            count_frames_args(await self.media_input(clip), max_pixels=self.max_pixels),
            time_limit=QUICK_TIME_LIMIT,
        )
        if not result.frames:
            raise MediaError(f"{clip.name!r} has no video frames")
        return result.frames

    async def last_frame(self, clip: Path, output: Path) -> Path:
        """The exact last frame of ``clip`` as an RGB PNG.

        One decode of the clip's end; if that finds no frame (a container whose duration
        overstates its video), the frames are counted and the last one picked.
        """
        source = await self.media_input(clip)
        try:
            async with atomic_output(output) as temporary:
                result = await self.runner.run(
                    last_frame_args(source, temporary, max_pixels=self.max_pixels),
                    time_limit=QUICK_TIME_LIMIT,
                )
                if not result.frames:
                    temporary.unlink(missing_ok=True)
            return output
        except MediaTooLarge:
            raise
        except MediaError:
            pass
        frames = await self.count_frames(clip)
        async with atomic_output(output) as temporary:
            await self.runner.run(
                frame_png_args(source, temporary, frames - 1, max_pixels=self.max_pixels),
                time_limit=QUICK_TIME_LIMIT,
            )
        return output

    # ---------------------------------------------------------------- clips

    async def render_clip(
        self, spec: ClipSpec, *, on_progress: ProgressCallback | None = None
    ) -> Path:
        """Run a Ken Burns clip spec (the built-in video provider's renderer)."""
        await ken_burns.render_clip(
            self.runner, spec, clip_args, max_pixels=self.max_pixels, on_progress=on_progress
        )
        return spec.output

    async def normalize_clip(
        self,
        source: Path,
        output: Path,
        *,
        size: Size,
        frames: int,
        fps: int = 30,
        on_progress: ProgressCallback | None = None,
    ) -> Path:
        """Re-grid a provider's clip: exactly ``frames`` frames at ``fps`` and ``size``,
        yuv420p BT.709, SAR 1, 48 kHz stereo audio (silent if it had none)."""
        info = await self.probe(source)
        if not info.has_video:
            raise MediaError("a clip needs a video stream", field=["file"])
        media = await self.media_input(source)
        async with atomic_output(output) as temporary:
            spec = NormalizeSpec(media, temporary, size, fps, frames, info.has_audio)
            await self.runner.run(
                normalize_args(spec, max_pixels=self.max_pixels),
                duration=frames / fps,
                on_progress=on_progress,
            )
        return output

    async def footage_cut(
        self, source: Path, *, trim_start: float | None, scene_seconds: float
    ) -> FootageCut:
        """Where a scene's clip starts in ``source`` (its ``trim_start``, or a steady moment)."""
        info = await self.probe(source)
        return await self.footage.cut(
            await self.media_input(source), info, trim_start, scene_seconds
        )

    async def footage_clip(
        self,
        source: Path,
        output: Path,
        *,
        size: Size,
        frames: int,
        fps: int,
        start_seconds: float,
        on_progress: ProgressCallback | None = None,
    ) -> Path:
        """A scene's clip cut from footage (see :mod:`domain.media.footage`)."""
        info = await self.probe(source)
        media = await self.media_input(source)
        return await self.footage.clip(
            media, info, output, size=size, frames=frames, fps=fps,
            start_seconds=start_seconds, on_progress=on_progress,
        )  # fmt: skip

    async def footage_still(
        self, source: Path, output: Path, *, size: Size, start_seconds: float
    ) -> Path:
        """The footage's frame at ``start_seconds`` fitted to ``size``, as a PNG."""
        info = await self.probe(source)
        media = await self.media_input(source)
        return await self.footage.still(media, info, output, size=size, start_seconds=start_seconds)

    # ---------------------------------------------------------------- composition

    async def compose(
        self,
        composition: Composition,
        output: Path,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> MediaInfo:
        """The finished ad as MP4 (H.264/AAC, ``+faststart``) at ``composition.size``."""
        scenes = composition.scenes
        timeline = plan_timeline(
            [s.duration_seconds for s in scenes],
            [s.transition for s in scenes],
            fps=composition.fps,
        )
        clips = tuple([await self.media_input(s.clip) for s in scenes])
        async with scratch_dir(output.parent) as work:
            layout = CompositionLayout(composition, timeline, work, self.font)
            (
                soundtrack,
                (logo, end_card),
                captions,
                panels,
                headlines,
                callouts,
            ) = await asyncio.gather(
                self._soundtrack(
                    composition, timeline, work, scaled_progress(on_progress, 0.0, 0.05)
                ),
                asyncio.to_thread(layout.stills, self.max_pixels),
                asyncio.to_thread(layout.captions),
                asyncio.to_thread(layout.panels),
                asyncio.to_thread(layout.headlines),
                asyncio.to_thread(layout.callouts),
            )
            pictures = headlines + callouts + captions
            async with atomic_output(output) as temporary:
                preset, crf = COMPOSE_QUALITY[composition.quality]
                spec = ComposeSpec(
                    clips=clips,
                    timeline=timeline,
                    size=composition.size,
                    font=self.font,
                    output=temporary,
                    audio=soundtrack[0] if soundtrack else None,
                    audio_filter=soundtrack[1] if soundtrack else "",
                    pictures=pictures,
                    panels=panels,
                    logo=logo,
                    end_card=end_card,
                    preset=preset,
                    crf=crf,
                )
                await self.runner.run(
                    compose_args(spec, max_pixels=self.max_pixels),
                    duration=timeline.total_seconds,
                    on_progress=scaled_progress(on_progress, 0.05, 0.95),
                )
        return await self.probe(output)

    async def _soundtrack(
        self,
        composition: Composition,
        timeline: Timeline,
        work: Path,
        on_progress: ProgressCallback | None,
    ) -> tuple[MediaInput, str] | None:
        """Mix music and voice and measure their loudness in one run; the mix and the filters
        that normalise it (pass two, run by the composition itself), ``None`` when silent."""
        heard = [i for i, scene in enumerate(composition.scenes) if scene.sound]
        if composition.music is None and not composition.voice and not heard:
            return None
        music = await self.media_input(composition.music) if composition.music else None
        footage = tuple(
            [
                audio.FootageSound(
                    await self.media_input(composition.scenes[i].clip),
                    timeline.start_seconds(i),
                    timeline.scene_frames(i) / timeline.fps,
                )
                for i in heard
            ]
        )
        cues = tuple(
            [
                audio.VoiceCue(await self.media_input(v.path), v.start_seconds)
                for v in composition.voice
            ]
        )
        mix = work / "mix.wav"
        mixed = await self.runner.run(
            audio.audio_mix_args(
                audio.AudioMixSpec(timeline.total_seconds, mix, music, cues, footage),
                measure=composition.loudness,
            ),
            duration=timeline.total_seconds,
            on_progress=on_progress,
        )
        measure = audio.parse_loudnorm(mixed.stderr)
        if measure.is_silent:
            return wav(mix), ""
        return wav(mix), audio.loudness_apply_filter(measure, composition.loudness)

    # ---------------------------------------------------------------- exports

    async def render(
        self,
        source: Path,
        output: Path,
        options: RenderOptions,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> MediaInfo:
        """Export a composition to ``options`` (format, resolution, aspect ratio, quality)."""
        info = await self.probe(source)
        if not info.width or not info.height:
            raise MediaError("the composition has no picture")
        size = frame_size(options.resolution, options.aspect_ratio)
        media = await self.media_input(source)
        async with atomic_output(output) as temporary:
            spec = RenderSpec(
                source=media,
                source_size=Size(info.width, info.height),
                output=temporary,
                format=options.format,
                size=size,
                quality=options.quality,
                fit=options.fit,
                has_audio=info.has_audio,
            )
            await self.runner.run(
                render_args(spec, max_pixels=self.max_pixels),
                duration=info.duration,
                on_progress=on_progress,
            )
        return await self.probe(output)


__all__ = ["FfmpegMediaEngine"]
