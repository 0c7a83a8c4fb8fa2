"""Veo long-running operations: their names, their errors and the video they end with."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from domain.adapters.providers.errors import (
    CONTENT_POLICY,
    PROVIDER_BAD_OUTPUT,
    PROVIDER_FAILED,
    ProviderError,
    classify_status,
)
from domain.adapters.providers.veo.config import PROVIDER

#: What an operation name looks like (``models/{model}/operations/{id}``).
OPERATION_NAME = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9._-]+)+$")

#: ``google.rpc.Code`` of an operation error, as the HTTP status it stands for.
_RPC_STATUS = {
    1: 499,
    2: 500,
    3: 400,
    4: 504,
    5: 404,
    6: 409,
    7: 403,
    8: 429,
    9: 400,
    10: 409,
    11: 400,
    12: 501,
    13: 500,
    14: 503,
    15: 500,
    16: 401,
}


def operation_error(error: Mapping[str, Any]) -> ProviderError:
    """The classified error of a finished operation's ``error`` (a ``google.rpc.Status``)."""
    code = error.get("code")
    status = _RPC_STATUS.get(code, 500) if isinstance(code, int) else 500
    message = str(error.get("message") or "the video generation failed")
    return classify_status(
        status, message, provider=PROVIDER, error_code=str(error.get("status") or "")
    )


def video_of(operation: Mapping[str, Any]) -> Mapping[str, Any]:
    """The first generated sample's video of a finished operation; its error, a safety
    refusal or a missing video is a classified ``ProviderError``."""
    error = operation.get("error")
    if isinstance(error, Mapping):
        raise operation_error(error)
    response = operation.get("response")
    generated = response.get("generateVideoResponse") if isinstance(response, Mapping) else None
    if not isinstance(generated, Mapping):
        raise ProviderError(
            PROVIDER_BAD_OUTPUT,
            "the finished operation has no video response",
            retryable=True,
            provider=PROVIDER,
        )
    samples = generated.get("generatedSamples")
    if not isinstance(samples, list) or not samples:
        filtered = generated.get("raiMediaFilteredCount")
        reasons = generated.get("raiMediaFilteredReasons")
        if (isinstance(filtered, int) and filtered > 0) or reasons:
            why = " ".join(str(r) for r in reasons) if isinstance(reasons, list) else ""
            raise ProviderError(
                CONTENT_POLICY,
                "the video was withheld by the safety filters" + (f": {why}" if why else ""),
                retryable=False,
                provider=PROVIDER,
            )
        raise ProviderError(
            PROVIDER_FAILED,
            "the operation finished without a video",
            retryable=False,
            provider=PROVIDER,
        )
    video = samples[0].get("video") if isinstance(samples[0], Mapping) else None
    if not isinstance(video, Mapping):
        raise ProviderError(
            PROVIDER_BAD_OUTPUT,
            "the generated sample has no video",
            retryable=False,
            provider=PROVIDER,
        )
    return video


__all__ = ["OPERATION_NAME", "operation_error", "video_of"]
