"""The media engine ports: probing, stills, clip normalisation, composition and exports, and the
narrower view asset ingestion has of them.

Everything goes in and out as local paths and plain dataclasses from :mod:`domain.media`; the
caller moves files to and from storage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from domain.assets.sniff import Sniffed
from domain.media.composition import Composition, RenderOptions
from domain.media.footage import FootageCut
from domain.media.frames import ThumbnailFormat
from domain.media.types import MediaInfo, ProgressCallback, Size, Thumbnail


class MediaEngine(Protocol):
    """Implemented by :class:`domain.adapters.ffmpeg.engine.FfmpegMediaEngine`."""

    async def probe(self, path: Path) -> MediaInfo:
        """Hardened probe; ``UNSUPPORTED_MEDIA`` / ``TOO_LARGE`` domain errors on bad files."""
        ...

    async def thumbnail(
        self,
        source: Path,
        output: Path,
        *,
        max_side: int = 480,
        image_format: ThumbnailFormat | None = None,
        info: MediaInfo | None = None,
    ) -> Thumbnail:
        """A small JPEG/WebP poster of an image or video (``info``: its probe, when known)."""
        ...

    async def last_frame(self, clip: Path, output: Path) -> Path:
        """The clip's exact last frame as a PNG."""
        ...

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
        """A provider clip re-gridded to exactly ``frames`` frames at ``fps`` and ``size``."""
        ...

    async def footage_cut(
        self, source: Path, *, trim_start: float | None, scene_seconds: float
    ) -> FootageCut:
        """Where a scene's clip starts in uploaded footage: ``trim_start``, or (``None``) a
        steady moment after any fade-in; ``UNSUPPORTED_MEDIA`` for footage it cannot use."""
        ...

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
        """A scene's clip cut from footage: exactly ``frames`` frames at ``fps`` and ``size``
        from ``start_seconds``, cover-fitted, SDR 4:2:0 BT.709, its sound kept."""
        ...

    async def footage_still(
        self, source: Path, output: Path, *, size: Size, start_seconds: float
    ) -> Path:
        """The footage's frame at ``start_seconds``, fitted like its clip, as a PNG."""
        ...

    async def compose(
        self,
        composition: Composition,
        output: Path,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> MediaInfo:
        """The finished ad (MP4 H.264/AAC, loudness-normalised, ``+faststart``)."""
        ...

    async def render(
        self,
        source: Path,
        output: Path,
        options: RenderOptions,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> MediaInfo:
        """An export of a composition in another format, resolution or aspect ratio."""
        ...


class MediaInspector(Protocol):
    """The media engine as ingestion sees it (hardened probe + poster thumbnails).

    Implemented by :class:`domain.adapters.media_inspector.FfmpegInspector`.
    """

    async def probe(self, path: Path, sniffed: Sniffed) -> MediaInfo:
        """Probe a local file whose container the sniffer decided (no network, forced demuxer)."""
        ...

    async def thumbnail(
        self, source: Path, sniffed: Sniffed, target: Path, info: MediaInfo | None = None
    ) -> None:
        """Write a JPEG poster of an image or video to ``target`` (``info``: its probe)."""
        ...


__all__ = ["MediaEngine", "MediaInspector"]
