"""The asset service's view of the FFmpeg engine: a hardened probe and poster thumbnails.

The argv comes from the media builders (``domain.media.probe`` / ``domain.media.frames``): forced
demuxer chosen from the sniffed container, ``-protocol_whitelist file,pipe``, a format whitelist,
``-max_pixels``. FFmpeg only ever opens the local scratch file ingestion wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from pathlib import Path

import anyio

from domain.assets.sniff import Sniffed
from domain.enums import AssetKind
from domain.errors import DomainError, ErrorCode
from domain.media.frames import thumbnail_args
from domain.media.inputs import demuxer_for
from domain.media.probe import duration_args, parse_probe, probe_args
from domain.media.types import MediaInput
from domain.services.assets import MediaInfo
from domain.settings import Settings

_OUT_TIME = re.compile(r"time=(\d+):(\d+):(\d+(?:\.\d+)?)")
_PIXELS = "exceeds specified max pixel count"


def ffmpeg_binary(settings: Settings) -> str:
    """The configured FFmpeg, else the one shipped with the Python install."""
    if settings.ffmpeg:
        return settings.ffmpeg
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


class FfmpegInspector:
    """Probes and thumbnails local files with FFmpeg (never a shell, always a time limit)."""

    def __init__(self, settings: Settings, *, timeout_seconds: float = 60.0) -> None:
        self._binary = ffmpeg_binary(settings)
        self._max_pixels = settings.asset_max_pixels
        self._timeout = timeout_seconds

    async def _run(self, argv: list[str]) -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            self._binary,
            "-hide_banner",
            "-nostdin",
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, err = await asyncio.wait_for(process.communicate(), self._timeout)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise
        return process.returncode or 0, err.decode("utf-8", "replace")

    def _refuse(self, stderr: str, what: str) -> DomainError:
        if _PIXELS in stderr:
            return DomainError(
                ErrorCode.LIMIT_EXCEEDED,
                f"the picture is larger than {self._max_pixels} pixels",
                ["file"],
            )
        return DomainError(ErrorCode.UNSUPPORTED_MEDIA, f"the file is not a valid {what}", ["file"])

    async def probe(self, path: Path, sniffed: Sniffed) -> MediaInfo:
        """Decode a little of the file with a forced demuxer; refuse anything FFmpeg rejects."""
        source = MediaInput(path, demuxer_for(sniffed.container))
        try:
            code, stderr = await self._run(probe_args(source, max_pixels=self._max_pixels))
        except TimeoutError as exc:
            raise DomainError(
                ErrorCode.UNSUPPORTED_MEDIA, "probing the file took too long", ["file"]
            ) from exc
        if code != 0:
            raise self._refuse(stderr, sniffed.container.upper())
        info, needs_duration = parse_probe(stderr, source.demuxer)
        duration = info.duration
        if needs_duration and sniffed.kind is not AssetKind.IMAGE:
            code, stderr = await self._run(duration_args(source))
            times = _OUT_TIME.findall(stderr)
            if code != 0 or not times:
                raise self._refuse(stderr, sniffed.container.upper())
            hours, minutes, seconds = times[-1]
            duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
        return MediaInfo(
            width=info.width,
            height=info.height,
            duration_seconds=None if sniffed.kind is AssetKind.IMAGE else duration,
            video_codec=info.video_codec,
            audio_codec=info.audio_codec,
        )

    async def thumbnail(self, source: Path, sniffed: Sniffed, target: Path) -> None:
        """A JPEG poster (at most 480 px a side) of an image or a video's representative frame."""
        media = MediaInput(source, demuxer_for(sniffed.container))
        argv = thumbnail_args(
            media,
            target,
            video=sniffed.kind is AssetKind.VIDEO,
            max_pixels=self._max_pixels,
        )
        code, stderr = await self._run(["-y", *argv])
        if code != 0 or not await anyio.Path(target).exists():
            await anyio.Path(target).unlink(missing_ok=True)
            raise self._refuse(stderr, sniffed.container.upper())


__all__ = ["FfmpegInspector", "ffmpeg_binary"]
