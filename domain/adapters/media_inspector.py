"""The asset service's view of the FFmpeg engine: its hardened probe and its poster thumbnails.

The engine forces the demuxer the magic bytes chose (plus ``-format_whitelist``), allows only the
``file``/``pipe`` protocols, caps decoded pixels and really decodes the first frame or second, so a
file that only looks right is refused. FFmpeg only ever opens the local scratch file ingestion wrote.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
from domain.assets.sniff import Sniffed
from domain.enums import AssetKind
from domain.errors import DomainError, ErrorCode
from domain.media.errors import MediaError, MediaTooLarge
from domain.media.types import MediaInfo
from domain.settings import Settings


class FfmpegInspector:
    """Adapts :class:`FfmpegMediaEngine` to the ``MediaInspector`` port."""

    def __init__(self, settings: Settings, *, engine: FfmpegMediaEngine | None = None) -> None:
        self.max_pixels = settings.asset_max_pixels
        self.engine = engine or FfmpegMediaEngine(
            settings.ffmpeg, timeout=300.0, max_pixels=settings.asset_max_pixels
        )

    def _refused(self, error: MediaError) -> DomainError:
        if isinstance(error, MediaTooLarge):
            return DomainError(
                ErrorCode.LIMIT_EXCEEDED,
                f"the picture is larger than {self.max_pixels} pixels",
                ["file"],
            )
        return DomainError(ErrorCode.UNSUPPORTED_MEDIA, error.message, ["file"])

    async def probe(self, path: Path, sniffed: Sniffed) -> MediaInfo:
        """Width, height, duration and codecs; anything FFmpeg cannot really decode is refused."""
        try:
            info = await self.engine.probe(path)
        except MediaError as error:
            raise self._refused(error) from error
        if sniffed.kind is AssetKind.IMAGE:
            return replace(info, duration=None)
        return info

    async def thumbnail(self, source: Path, sniffed: Sniffed, target: Path) -> None:
        """A JPEG poster, at most 480 px a side (images: reduced copy; videos: a picked frame)."""
        try:
            await self.engine.thumbnail(source, target, max_side=480, image_format="jpeg")
        except MediaError as error:
            raise self._refused(error) from error


__all__ = ["FfmpegInspector"]
