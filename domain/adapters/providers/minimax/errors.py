"""MiniMax's ``base_resp`` status codes as classified provider errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.adapters.providers.errors import (
    CONTENT_POLICY,
    PROVIDER_AUTH,
    PROVIDER_BILLING,
    PROVIDER_FAILED,
    PROVIDER_REJECTED,
    PROVIDER_UNAVAILABLE,
    RATE_LIMITED,
    ProviderError,
)
from domain.adapters.providers.minimax.config import PROVIDER

#: status_code -> (error code, retryable)
_CODES: dict[int, tuple[str, bool]] = {
    1000: (PROVIDER_UNAVAILABLE, True),  # unknown error
    1001: (PROVIDER_UNAVAILABLE, True),  # timeout
    1002: (RATE_LIMITED, True),  # rate limit
    1004: (PROVIDER_AUTH, False),  # authentication failed
    1008: (PROVIDER_BILLING, False),  # insufficient balance
    1013: (PROVIDER_UNAVAILABLE, True),  # internal service error
    1026: (CONTENT_POLICY, False),  # sensitive content in the input
    1027: (CONTENT_POLICY, False),  # sensitive content in the output
    1039: (RATE_LIMITED, True),  # token limit
    2013: (PROVIDER_REJECTED, False),  # invalid parameters
    2049: (PROVIDER_AUTH, False),  # invalid API key
}


def base_error(body: Mapping[str, Any]) -> ProviderError | None:
    """The classified error in ``body["base_resp"]`` (``None`` when its status code is 0)."""
    base = body.get("base_resp")
    if not isinstance(base, Mapping):
        return None
    code = base.get("status_code")
    if code in (0, None):
        return None
    message = str(base.get("status_msg") or "the request failed")
    kind, retryable = (
        _CODES.get(code, (PROVIDER_FAILED, False))
        if isinstance(code, int)
        else (
            PROVIDER_FAILED,
            False,
        )
    )
    return ProviderError(kind, f"{message} ({code})", retryable=retryable, provider=PROVIDER)


__all__ = ["base_error"]
