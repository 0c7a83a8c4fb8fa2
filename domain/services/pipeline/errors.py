"""``StageError``: the one failure type stages raise, classified once (retryable or not)."""

from __future__ import annotations

import asyncio

from domain.enums import JobStage
from domain.errors import DomainError, ErrorCode
from domain.ports.storage import ObjectNotFound, StorageUnavailable

#: Stage error codes beyond the user error codes (``ErrorCode``).
ASSET_MISSING = "ASSET_MISSING"
MEDIA_FAILED = "MEDIA_FAILED"
TIMEOUT = "TIMEOUT"
STORAGE_UNAVAILABLE = "STORAGE_UNAVAILABLE"
INTERNAL = "INTERNAL"


class StageError(Exception):
    """A stage failure: ``code`` is machine-readable, ``retryable`` says whether trying again may help."""

    def __init__(
        self, code: str, message: str, *, stage: JobStage | None = None, retryable: bool = False
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.stage = stage
        self.retryable = retryable

    def at(self, stage: JobStage) -> StageError:
        """This error, attributed to ``stage`` when it has no stage yet."""
        if self.stage is None:
            self.stage = stage
        return self

    def __repr__(self) -> str:
        return (
            f"StageError(code={self.code!r}, stage={self.stage}, message={self.message!r}, "
            f"retryable={self.retryable})"
        )


def asset_missing(what: str, *, stage: JobStage | None = None) -> StageError:
    """A stored file the stage needs is gone (deleted from storage mid-job)."""
    return StageError(
        ASSET_MISSING,
        f"{what} is missing from storage; upload it again or regenerate the scene, then retry",
        stage=stage,
    )


def classify(exc: BaseException, stage: JobStage | None = None) -> StageError:
    """Turn any exception a stage let through into a ``StageError``.

    Adapters already raise errors carrying ``code`` and ``retryable`` (provider errors, media
    errors); anything unknown is an internal, non-retryable failure.
    """
    if isinstance(exc, StageError):
        return exc.at(stage) if stage is not None else exc
    if isinstance(exc, ObjectNotFound):
        return asset_missing("a file", stage=stage)
    if isinstance(exc, StorageUnavailable):
        return StageError(
            STORAGE_UNAVAILABLE, str(exc) or "storage is unavailable", stage=stage, retryable=True
        )
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return StageError(TIMEOUT, "the operation timed out", stage=stage, retryable=True)
    if isinstance(exc, DomainError):
        code = exc.code.value if isinstance(exc.code, ErrorCode) else str(exc.code)
        retryable = bool(getattr(exc, "retryable", False))
        return StageError(code, exc.message, stage=stage, retryable=retryable)
    other_code = getattr(exc, "code", None)
    other_retryable = getattr(exc, "retryable", None)
    if isinstance(other_code, str) and isinstance(other_retryable, bool):
        return StageError(other_code, str(exc), stage=stage, retryable=other_retryable)
    return StageError(INTERNAL, f"internal error: {type(exc).__name__}", stage=stage)


__all__ = [
    "ASSET_MISSING",
    "INTERNAL",
    "MEDIA_FAILED",
    "STORAGE_UNAVAILABLE",
    "TIMEOUT",
    "StageError",
    "asset_missing",
    "classify",
]
