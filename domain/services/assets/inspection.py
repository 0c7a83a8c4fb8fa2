"""What ingestion needs from the media engine: a hardened probe and poster thumbnails."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from domain.assets.sniff import Sniffed


@dataclass(frozen=True)
class MediaInfo:
    """What the hardened probe learned."""

    width: int | None
    height: int | None
    duration_seconds: float | None
    video_codec: str | None
    audio_codec: str | None


class MediaInspector(Protocol):
    """The media engine as ingestion sees it (hardened probe + poster thumbnails)."""

    async def probe(self, path: Path, sniffed: Sniffed) -> MediaInfo:
        """Probe a local file whose container the sniffer decided (no network, forced demuxer)."""
        ...

    async def thumbnail(self, source: Path, sniffed: Sniffed, target: Path) -> None:
        """Write a JPEG poster of an image or video to ``target``."""
        ...


__all__ = ["MediaInfo", "MediaInspector"]
