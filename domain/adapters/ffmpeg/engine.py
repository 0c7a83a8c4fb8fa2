"""The FFmpeg media engine: thin functions that build argv with :mod:`domain.media` and run it.

Every output is written to a temporary name beside its destination and renamed into place only
when FFmpeg succeeded: a failed or cancelled call leaves no half-written file behind.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from domain.adapters.ffmpeg import cards
from domain.adapters.ffmpeg.binary import find_ffmpeg
from domain.adapters.ffmpeg.runner import FfmpegRunner
from domain.adapters.ffmpeg.text import bundled_font, measure
from domain.assets.sniff import SNIFF_BYTES, sniff
from domain.enums import AssetKind, RenderQuality, Transition
from domain.errors import ErrorCode
from domain.media import audio, colors
from domain.media.clip import ClipSpec, clip_args
from domain.media.compose import ComposeSpec, EndCard, Still, TextLayer, compose_args
from domain.media.composition import Composition, RenderOptions
from domain.media.errors import MediaError, MediaTooLarge
from domain.media.frames import (
    THUMBNAIL_CONTENT_TYPES,
    ThumbnailFormat,
    count_frames_args,
    frame_png_args,
    last_frame_args,
    thumbnail_args,
)
from domain.media.geometry import frame_size, safe_area
from domain.media.inputs import DEFAULT_MAX_PIXELS, demuxer_for, png, wav
from domain.media.normalize import NormalizeSpec, normalize_args
from domain.media.probe import duration_args, parse_probe, probe_args
from domain.media.render import RenderSpec, render_args
from domain.media.text import fit_text
from domain.media.timing import Timeline, plan_timeline
from domain.media.types import MediaInfo, MediaInput, ProgressCallback, Size, Thumbnail

#: Seconds a probe, thumbnail or frame extraction may take.
QUICK_TIME_LIMIT = 120.0


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise MediaError(f"media file {path.name!r} is missing", code=ErrorCode.NOT_FOUND) from None


def _scaled(
    progress: ProgressCallback | None, start: float, span: float
) -> ProgressCallback | None:
    if progress is None:
        return None

    def report(fraction: float) -> object:
        return progress(start + span * fraction)

    return report  # type: ignore[return-value]


@asynccontextmanager
async def _atomic(output: Path) -> AsyncIterator[Path]:
    """A temporary path beside ``output``, renamed onto it only if the block succeeds."""
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(f".{output.stem}.partial{output.suffix}")
    try:
        yield temporary
        if not temporary.exists() or temporary.stat().st_size == 0:
            raise MediaError(f"ffmpeg wrote nothing to {output.name!r}")
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)


@asynccontextmanager
async def _workdir(near: Path) -> AsyncIterator[Path]:
    def make() -> Path:
        near.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".adreel-media-", dir=near))

    path = await asyncio.to_thread(make)
    try:
        yield path
    finally:
        await asyncio.to_thread(shutil.rmtree, path, True)


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

    # ---------------------------------------------------------------- inputs and probing

    async def media_input(self, path: Path) -> MediaInput:
        """``path`` with the demuxer its magic bytes call for (refuses anything not allowed)."""
        head = await asyncio.to_thread(_read_head, path)
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
            info = MediaInfo(
                container=info.container,
                duration=seconds if seconds and seconds > 0 else info.duration,
                width=info.width,
                height=info.height,
                video_codec=info.video_codec,
                audio_codec=info.audio_codec,
                fps=info.fps,
                pix_fmt=info.pix_fmt,
                sample_rate=info.sample_rate,
                channels=info.channels,
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
    ) -> Thumbnail:
        """A poster (video) or a reduced copy (image), never enlarged.

        Without ``image_format``: WebP for pictures with transparency, JPEG otherwise.
        """
        info = await self.probe(source)
        if not info.has_video or not info.width or not info.height:
            raise MediaError("only images and videos have thumbnails", field=["file"])
        fmt: ThumbnailFormat = image_format or ("webp" if info.has_alpha else "jpeg")
        head = await asyncio.to_thread(_read_head, source)
        is_video = sniff(head).kind is AssetKind.VIDEO
        seek = min(3.0, (info.duration or 0.0) * 0.1) if is_video else 0.0
        media = MediaInput(source, demuxer_for(sniff(head).container))
        async with _atomic(output) as temporary:
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
            async with _atomic(output) as temporary:
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
        async with _atomic(output) as temporary:
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
        output = spec.output
        async with _atomic(output) as temporary:
            spec_tmp = dataclasses.replace(spec, output=temporary)
            await self.runner.run(
                clip_args(spec_tmp, max_pixels=self.max_pixels),
                duration=spec.frames / spec.fps,
                on_progress=on_progress,
            )
        return output

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
        async with _atomic(output) as temporary:
            spec = NormalizeSpec(media, temporary, size, fps, frames, info.has_audio)
            await self.runner.run(
                normalize_args(spec, max_pixels=self.max_pixels),
                duration=frames / fps,
                on_progress=on_progress,
            )
        return output

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
        async with _workdir(output.parent) as work:
            layout = _Layout(composition, timeline, work, self.font)
            soundtrack, (logo, end_card) = await asyncio.gather(
                self._soundtrack(composition, timeline, work, _scaled(on_progress, 0.0, 0.05)),
                asyncio.to_thread(layout.stills, self.max_pixels),
            )
            async with _atomic(output) as temporary:
                preset, crf = _COMPOSE_QUALITY[composition.quality]
                spec = ComposeSpec(
                    clips=clips,
                    timeline=timeline,
                    size=composition.size,
                    font=self.font,
                    output=temporary,
                    audio=soundtrack,
                    captions=layout.captions(),
                    logo=logo,
                    end_card=end_card,
                    preset=preset,
                    crf=crf,
                )
                await self.runner.run(
                    compose_args(spec, max_pixels=self.max_pixels),
                    duration=timeline.total_seconds,
                    on_progress=_scaled(on_progress, 0.05, 0.95),
                )
        return await self.probe(output)

    async def _soundtrack(
        self,
        composition: Composition,
        timeline: Timeline,
        work: Path,
        on_progress: ProgressCallback | None,
    ) -> MediaInput | None:
        """Mix music and voice, then normalise loudness in two passes; ``None`` when silent."""
        if composition.music is None and not composition.voice:
            return None
        music = await self.media_input(composition.music) if composition.music else None
        cues = tuple(
            [
                audio.VoiceCue(await self.media_input(v.path), v.start_seconds)
                for v in composition.voice
            ]
        )
        mix = work / "mix.wav"
        await self.runner.run(
            audio.audio_mix_args(audio.AudioMixSpec(timeline.total_seconds, mix, music, cues)),
            duration=timeline.total_seconds,
            on_progress=_scaled(on_progress, 0.0, 0.4),
        )
        measured = await self.runner.run(
            audio.loudness_measure_args(wav(mix), composition.loudness)
        )
        measure = audio.parse_loudnorm(measured.stderr)
        if measure.is_silent:
            return wav(mix)
        normalized = work / "soundtrack.wav"
        await self.runner.run(
            audio.loudness_apply_args(wav(mix), normalized, measure, composition.loudness),
            duration=timeline.total_seconds,
            on_progress=_scaled(on_progress, 0.5, 0.5),
        )
        return wav(normalized)

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
        async with _atomic(output) as temporary:
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


#: x264 (preset, crf) of the composition; exports re-encode from it, so it stays near-transparent.
_COMPOSE_QUALITY: dict[RenderQuality, tuple[str, int]] = {
    RenderQuality.FAST: ("superfast", 20),
    RenderQuality.BALANCED: ("veryfast", 18),
    RenderQuality.HIGH: ("medium", 17),
}


class _Layout:
    """Places captions, the small logo and the end card inside the safe area."""

    def __init__(
        self, composition: Composition, timeline: Timeline, work: Path, font: Path
    ) -> None:
        self.c = composition
        self.timeline = timeline
        self.work = work
        self.font = font
        self.size = composition.size
        self.safe = safe_area(composition.size)
        self.unit = min(self.size.width, self.size.height)
        self.palette = colors.palette(composition.brand_colors)

    def _measure(self) -> Callable[[str, int], float]:
        font = self.font
        return lambda text, size: measure(text, size, font)

    def _write(self, name: str, lines: list[str]) -> Path:
        path = self.work / name
        path.write_text("\n".join(lines), encoding="utf-8")
        return path

    def card_start(self) -> float | None:
        if not self.c.has_end_card:
            return None
        tl = self.timeline
        last = tl.scene_count - 1
        if self.c.end_card_scene and last > 0:  # from the middle of the transition into it
            return (tl.boundaries[last] + tl.overlaps[last] // 2) / tl.fps
        length = min(self.c.end_card_seconds, 0.5 * tl.scene_frames(last) / tl.fps)
        return round((tl.total_seconds - length) * tl.fps) / tl.fps

    def captions(self) -> tuple[TextLayer, ...]:
        layers: list[TextLayer] = []
        size = round(self.unit * 0.058)
        first = self.palette[0]  # a brand-coloured box, dark enough for white words
        box_rgb = first if colors.luminance(first) < 0.18 else colors.shade(first, 0.55)
        box = f"{colors.to_ffmpeg(box_rgb)}@0.88"
        pad = max(4, round(size * 0.35))
        width = int((self.safe.width - 2 * pad) * 0.97)
        card = self.card_start()
        for index, scene in enumerate(self.c.scenes):
            if not scene.caption or not scene.caption.strip():
                continue
            start, end = self.timeline.caption_window(index)
            if card is not None:
                end = min(end, card)
            if end - start < 0.3:
                continue
            lines, font_size = fit_text(
                scene.caption, size=size, width=width, max_lines=3, measure=self._measure()
            )
            layers.append(
                TextLayer(
                    text_file=self._write(f"caption-{index}.txt", lines),
                    font_size=font_size,
                    start=start,
                    end=end,
                    y=self.safe.bottom - pad,
                    anchor="bottom",
                    box_color=box,
                    line_spacing=round(font_size * 0.2),
                )
            )
        return tuple(layers)

    def stills(self, max_pixels: int) -> tuple[Still | None, EndCard | None]:
        """Draw the logo bug and the end card (Pillow, blocking: run it in a thread)."""
        logo = cards.open_logo(self.c.logo, max_pixels) if self.c.logo else None
        bug = None
        if logo is not None:
            placed = cards.logo_bug(logo, self.size, self.work / "logo-bug.png")
            bug = Still(png(placed.path), placed.x, placed.y)
        start = self.card_start()
        if start is None:
            return bug, None
        text = cards.CardText(self.c.end_card_headline, self.c.call_to_action)
        backdrop, words = cards.end_card(
            self.size, self.palette, text, logo, self.font,
            self.work / "card.png", self.work / "card-words.png",
        )  # fmt: skip
        tl = self.timeline
        last = tl.scene_count - 1
        if self.c.end_card_scene and tl.transitions[last] is Transition.FADE:
            # the logo goes down with the dip, the card comes up from its black middle
            half = tl.overlaps[last] // 2 / tl.fps
            rest = tl.overlaps[last] / tl.fps - half
            if bug is not None:
                bug = dataclasses.replace(bug, fade_out=half)
            return bug, EndCard(
                start, png(backdrop), png(words) if words else None, fade=rest, from_black=True
            )
        return bug, EndCard(start, png(backdrop), png(words) if words else None)


__all__ = ["FfmpegMediaEngine"]
