"""Replicate predictions as Adreel reads them: their id, status, output URL and progress."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.adapters.providers.errors import (
    PROVIDER_BAD_OUTPUT,
    ProviderError,
)
from domain.adapters.providers.replicate.config import PROVIDER

#: Replicate keeps outputs (and lets a prediction be fetched again) for an hour: resume within it.
RESUME_WINDOW_SECONDS = 50 * 60

TERMINAL = frozenset({"succeeded", "failed", "canceled", "aborted"})
#: What a usable prediction id looks like.
PREDICTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_PERCENT = re.compile(r"(\d{1,3})%\|")


@dataclass(frozen=True, slots=True)
class Prediction:
    """The parts of a prediction Adreel reads."""

    id: str
    status: str
    output: Any = None
    error: str | None = None
    logs: str = ""

    @classmethod
    def of(cls, body: Mapping[str, Any]) -> Prediction:
        ident = body.get("id")
        if not isinstance(ident, str) or not PREDICTION_ID.match(ident):
            raise ProviderError(
                PROVIDER_BAD_OUTPUT,
                "the prediction has no usable id",
                retryable=True,
                provider=PROVIDER,
            )
        error = body.get("error")
        logs = body.get("logs")
        return cls(
            id=ident,
            status=str(body.get("status") or "starting"),
            output=body.get("output"),
            error=str(error) if error else None,
            logs=logs[-4000:] if isinstance(logs, str) else "",
        )


def first_url(output: Any) -> str | None:
    """The first file URL in a prediction's output (a string, a list, or an object of them)."""
    if isinstance(output, str):
        return output if output.startswith(("https://", "http://", "data:")) else None
    if isinstance(output, list):
        for item in output:
            found = first_url(item)
            if found:
                return found
    if isinstance(output, Mapping):
        for item in output.values():
            found = first_url(item)
            if found:
                return found
    return None


def progress_of(prediction: Prediction, elapsed: float) -> float:
    """A fraction for a running prediction: the model's own progress bar when its logs show
    one, else a curve of the time spent."""
    found = _PERCENT.findall(prediction.logs)
    if found:
        return 0.1 + 0.8 * min(100, int(found[-1])) / 100
    if prediction.status == "starting":
        return 0.05
    return 0.1 + 0.8 * (1 - math.exp(-elapsed / 90))


__all__ = [
    "PREDICTION_ID",
    "RESUME_WINDOW_SECONDS",
    "TERMINAL",
    "Prediction",
    "first_url",
    "progress_of",
]
