"""Asset limits (bytes per kind, pixels, duration) and the checks that apply them."""

from __future__ import annotations

from dataclasses import dataclass

from domain.enums import AssetKind
from domain.errors import DomainError, ErrorCode

MiB = 1024 * 1024


@dataclass(frozen=True)
class AssetLimits:
    """What an asset may be; defaults suit brand material, generated media and CSV data."""

    max_image_bytes: int = 50 * MiB
    max_video_bytes: int = 2048 * MiB
    max_audio_bytes: int = 200 * MiB
    max_font_bytes: int = 30 * MiB
    max_pixels: int = 16_777_216  # 16.7 megapixels (4096 x 4096)
    max_duration_seconds: float = 600.0
    max_data_bytes: int = 5 * MiB
    max_data_rows: int = 10_000

    def max_bytes(self, kind: AssetKind | None = None) -> int:
        """The byte cap for ``kind`` (the largest media cap when the kind is not known yet: a
        DATA file is known to be one from its role)."""
        if kind is AssetKind.DATA:
            return self.max_data_bytes
        caps = {
            AssetKind.IMAGE: self.max_image_bytes,
            AssetKind.VIDEO: self.max_video_bytes,
            AssetKind.AUDIO: self.max_audio_bytes,
            AssetKind.FONT: self.max_font_bytes,
        }
        return max(caps.values()) if kind is None else caps[kind]


def too_large(limit: int, what: str = "file") -> DomainError:
    """The ``TOO_LARGE`` error for a byte cap."""
    return DomainError(ErrorCode.TOO_LARGE, f"the {what} is larger than {limit} bytes", ["file"])


def check_size(limits: AssetLimits, kind: AssetKind, byte_size: int) -> None:
    """Refuse a file over its kind's byte cap, or an empty one."""
    if byte_size == 0:
        raise DomainError(ErrorCode.UNSUPPORTED_MEDIA, "the file is empty", ["file"])
    if byte_size > limits.max_bytes(kind):
        raise too_large(limits.max_bytes(kind), f"{kind.value.lower()} file")


def check_media(
    limits: AssetLimits,
    kind: AssetKind,
    *,
    width: int | None,
    height: int | None,
    duration_seconds: float | None,
) -> None:
    """Refuse media over the pixel or duration limits, or missing what its kind must have."""
    if kind in (AssetKind.IMAGE, AssetKind.VIDEO):
        if not width or not height:
            raise DomainError(ErrorCode.UNSUPPORTED_MEDIA, "no picture found in the file", ["file"])
        if width * height > limits.max_pixels:
            raise DomainError(
                ErrorCode.LIMIT_EXCEEDED,
                f"{width}x{height} is more than {limits.max_pixels} pixels",
                ["file"],
            )
    if kind in (AssetKind.VIDEO, AssetKind.AUDIO):
        if duration_seconds is None or duration_seconds <= 0:
            raise DomainError(ErrorCode.UNSUPPORTED_MEDIA, "the media has no duration", ["file"])
        if duration_seconds > limits.max_duration_seconds:
            raise DomainError(
                ErrorCode.LIMIT_EXCEEDED,
                f"{duration_seconds:.1f} s is longer than {limits.max_duration_seconds:.0f} s",
                ["file"],
            )


__all__ = ["AssetLimits", "check_media", "check_size", "too_large"]
