"""Errors raised by the media engine (FFmpeg runs, probes, renders)."""

from __future__ import annotations

from domain.errors import DomainError, ErrorCode


class MediaError(DomainError):
    """An FFmpeg run or a media rule failed; keeps the tail of FFmpeg's stderr for diagnosis."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode = ErrorCode.UNSUPPORTED_MEDIA,
        stderr_tail: str = "",
        returncode: int | None = None,
        field: list[str] | None = None,
    ) -> None:
        super().__init__(code, message, field)
        self.stderr_tail = stderr_tail
        self.returncode = returncode

    def __str__(self) -> str:
        if self.stderr_tail:
            return f"{self.message}\n{self.stderr_tail}"
        return self.message


class MediaTimeout(MediaError):
    """An FFmpeg run passed its time limit and was killed."""

    retryable = True

    def __init__(self, seconds: float, *, stderr_tail: str = "") -> None:
        super().__init__(
            f"ffmpeg did not finish within {seconds:g} seconds",
            code=ErrorCode.LIMIT_EXCEEDED,
            stderr_tail=stderr_tail,
        )
        self.seconds = seconds


class MediaTooLarge(MediaError):
    """The input's picture is larger than the configured pixel limit."""

    def __init__(self, message: str, *, stderr_tail: str = "") -> None:
        super().__init__(message, code=ErrorCode.TOO_LARGE, stderr_tail=stderr_tail)


class FfmpegUnavailable(MediaError):
    """No usable FFmpeg binary was found (configured path, PATH, or the bundled wheel)."""

    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(message, code=ErrorCode.PROVIDER_UNAVAILABLE)


__all__ = ["FfmpegUnavailable", "MediaError", "MediaTimeout", "MediaTooLarge"]
