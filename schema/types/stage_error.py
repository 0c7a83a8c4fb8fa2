"""``StageError``: why an asset, job, scene or render failed, in machine-readable form."""

from __future__ import annotations

import strawberry

from domain import models


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

    @classmethod
    def of_row(cls, row: models.Job | models.Scene | models.Render) -> StageError | None:
        """The error recorded on a job, scene or render, or ``None``."""
        return cls.of(
            row.error_code,
            row.error_stage.value if row.error_stage else None,
            row.error_message,
            row.error_retryable,
        )
