"""``StageError``: why an asset, job, scene or render failed, in machine-readable form."""

from __future__ import annotations

import strawberry


@strawberry.type(
    description="A failure with a stable code, the stage it happened in, and retryability."
)
class StageError:
    code: str
    stage: str | None
    message: str
    retryable: bool

    @classmethod
    def of(
        cls, code: str | None, stage: str | None, message: str | None, retryable: bool
    ) -> StageError | None:
        """The error of a row's error columns, or ``None`` when it has none."""
        if not code:
            return None
        return cls(code=code, stage=stage, message=message or code, retryable=retryable)
