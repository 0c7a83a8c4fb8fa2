"""Plain value types the media builders and the engine exchange."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

#: Called with the completed fraction (0..1) of a media operation; may be a coroutine function.
ProgressCallback = Callable[[float], Awaitable[None] | None]


@dataclass(frozen=True, slots=True)
class Size:
    """A frame size in pixels."""

    width: int
    height: int

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"

    @property
    def pixels(self) -> int:
        return self.width * self.height


@dataclass(frozen=True, slots=True)
class MediaInput:
    """A file Adreel stored itself, with the demuxer FFmpeg is forced to open it with."""

    path: Path
    demuxer: str


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What a hardened probe found in a file."""

    container: str
    duration: float | None
    width: int | None = None
    height: int | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    fps: float | None = None
    pix_fmt: str | None = None
    sample_rate: int | None = None
    channels: int | None = None
    color_transfer: str | None = None

    @property
    def has_video(self) -> bool:
        return self.video_codec is not None

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None

    @property
    def has_alpha(self) -> bool:
        """Whether the picture carries transparency (RGBA PNG/WebP logos)."""
        fmt = self.pix_fmt or ""
        return fmt.startswith(("rgba", "bgra", "argb", "abgr", "ya", "yuva", "gbrap", "pal8"))


@dataclass(frozen=True, slots=True)
class Thumbnail:
    """A small poster image written by the engine."""

    path: Path
    content_type: str
    width: int
    height: int


__all__ = ["MediaInfo", "MediaInput", "ProgressCallback", "Size", "Thumbnail"]
