"""Background imports and their retries: the queue keys of the import task, the back-off policy."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.errors import DomainError
from domain.services.pipeline.backoff import backoff_delay


@dataclass(frozen=True)
class RetryPolicy:
    """How a background ingestion (URL import) retries a retryable failure.

    ``attempt`` is the current attempt (1-based). Before the last attempt a retryable error keeps
    the asset PENDING and schedules the next attempt after a jittered exponential back-off; on the
    last one the asset turns FAILED with ``retryable`` false.
    """

    attempt: int
    max_attempts: int
    base_seconds: float = 2.0
    cap_seconds: float = 60.0

    def delay(self) -> float:
        """Seconds to wait before the next attempt."""
        return backoff_delay(self.attempt, base=self.base_seconds, cap=self.cap_seconds)

    @property
    def last(self) -> bool:
        """Whether no attempt follows this one."""
        return self.attempt >= self.max_attempts


class RetryScheduled(Exception):
    """A retryable failure left the asset PENDING: the caller runs attempt ``next_attempt`` after
    ``delay_seconds`` (``error`` is what went wrong this time)."""

    def __init__(self, error: DomainError, delay_seconds: float, next_attempt: int) -> None:
        super().__init__(error.message)
        self.error = error
        self.delay_seconds = delay_seconds
        self.next_attempt = next_attempt


def is_retryable(error: DomainError) -> bool:
    """Whether trying the same thing later may succeed (timeouts, 5xx, connection resets)."""
    return bool(getattr(error, "retryable", False))


def import_task_key(asset_id: uuid.UUID | str, attempt: int = 1) -> str:
    """The queue key of an import attempt (one per attempt: a queue may refuse a reused key)."""
    return f"import:{asset_id}" if attempt <= 1 else f"import:{asset_id}:{attempt}"


__all__ = ["RetryPolicy", "RetryScheduled", "import_task_key", "is_retryable"]
