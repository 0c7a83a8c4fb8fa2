"""The asset service's view of the FFmpeg engine: its hardened probe and its poster thumbnails.

The engine forces the demuxer the magic bytes chose (plus ``-format_whitelist``), allows only the
``file``/``pipe`` protocols, caps decoded pixels and really decodes the first frame or second, so a
file that only looks right is refused; video and audio are then read to the end, so a file cut
short is refused too. FFmpeg only ever opens the local scratch file ingestion wrote.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
from domain.assets.sniff import Sniffed
from domain.enums import AssetKind
from domain.errors import DomainError, ErrorCode
from domain.media.errors import FfmpegUnavailable, MediaError, MediaTimeout, MediaTooLarge
from domain.media.integrity import OGG_MAX_PAGE, ogg_ends_whole, read_to_end_args, shortfall
from domain.media.types import MediaInfo
from domain.settings import Settings


def _tail(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - size))
        return handle.read()


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
            if sniffed.kind is not AssetKind.IMAGE:
                await self._read_to_end(path, info.duration)
        except MediaError as error:
            raise self._refused(error) from error
        if sniffed.kind is AssetKind.IMAGE:
            return replace(info, duration=None)
        return info

    async def _read_to_end(self, path: Path, declared: float | None) -> None:
        """Every packet is there: the index points at none past the end, the time is all there."""
        source = await self.engine.media_input(path)
        try:
            result = await self.engine.runner.run(read_to_end_args(source))
        except (MediaTimeout, FfmpegUnavailable):
            raise
        except MediaError as error:
            raise MediaError(
                f"the file is truncated or damaged: not a complete {source.demuxer} file",
                stderr_tail=error.stderr_tail,
                returncode=error.returncode,
                field=["file"],
            ) from error
        reason = shortfall(declared, result.out_seconds)
        if reason is None and source.demuxer == "ogg":
            tail = await asyncio.to_thread(_tail, path, OGG_MAX_PAGE)
            if not ogg_ends_whole(tail):
                reason = (
                    "the file is truncated: its last Ogg page is cut short or never ends the stream"
                )
        if reason is not None:
            raise MediaError(reason, field=["file"])

    async def thumbnail(
        self, source: Path, sniffed: Sniffed, target: Path, info: MediaInfo | None = None
    ) -> None:
        """A JPEG poster, at most 480 px a side (images: reduced copy; videos: a picked frame);
        ``info`` is the file's probe when known (FFmpeg runs once less)."""
        try:
            await self.engine.thumbnail(
                source, target, max_side=480, image_format="jpeg", info=info
            )
        except MediaError as error:
            raise self._refused(error) from error


__all__ = ["FfmpegInspector"]
