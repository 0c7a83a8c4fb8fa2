"""Provider failures, classified once at the adapter boundary.

Every hosted provider adapter turns what went wrong (an HTTP status, a failed prediction, a
refusal, a timeout) into one :class:`ProviderError` with a stable ``code`` and a ``retryable``
flag. The pipeline reads those two attributes (``services.pipeline.errors.classify``): retryable
errors back off with jitter and try again, the others fail the scene with the code.

Codes:

- ``RATE_LIMITED``          429 / quota per minute (retryable; ``retry_after`` when the provider said)
- ``PROVIDER_UNAVAILABLE``  5xx, "high demand", overloaded, connection failures (retryable)
- ``TIMEOUT``               the request or the generation took too long (retryable)
- ``PROVIDER_REJECTED``     the request was invalid for the model (400/404/422)
- ``PROVIDER_AUTH``         the configured credentials were refused (401/403)
- ``PROVIDER_BILLING``      the account has no credit or quota left (402, ``insufficient_quota``,
                            ElevenLabs' ``quota_exceeded``)
- ``CONTENT_POLICY``        a safety system refused the prompt, an input or the output
- ``PROVIDER_FAILED``       the generation failed for a reason that retrying will not fix
- ``PROVIDER_BAD_OUTPUT``   the provider answered with something unusable
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Mapping

RATE_LIMITED = "RATE_LIMITED"
PROVIDER_UNAVAILABLE = "PROVIDER_UNAVAILABLE"
TIMEOUT = "TIMEOUT"
PROVIDER_REJECTED = "PROVIDER_REJECTED"
PROVIDER_AUTH = "PROVIDER_AUTH"
PROVIDER_BILLING = "PROVIDER_BILLING"
CONTENT_POLICY = "CONTENT_POLICY"
PROVIDER_FAILED = "PROVIDER_FAILED"
PROVIDER_BAD_OUTPUT = "PROVIDER_BAD_OUTPUT"

#: Longest ``Retry-After`` honoured (a provider asking for more gets the pipeline's own cap).
MAX_RETRY_AFTER_SECONDS = 3600.0


class ProviderError(Exception):
    """A classified provider failure: ``code``, ``retryable`` and, when known, how long to wait."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        retryable: bool,
        provider: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        text = f"{provider}: {message}" if provider else message
        super().__init__(text)
        self.code = code
        self.message = text
        self.retryable = retryable
        self.provider = provider
        self.status = status
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return (
            f"ProviderError(code={self.code!r}, retryable={self.retryable}, "
            f"status={self.status}, message={self.message!r})"
        )


# Words providers use for refusals by a safety system (prompt, input image or output).
_SAFETY = re.compile(
    r"\b(nsfw|unsafe|safety|content[ _-]?polic(y|ies)|content[ _-]?filter|moderation|"
    r"flagged|sensitive|responsible ai|rai[ _-]|blocked|prohibited|inappropriate|"
    r"policy[ _-]violation)",
    re.IGNORECASE,
)
# Replicate's E005 is "flagged as sensitive".
_SAFETY_CODES = re.compile(r"\bE005\b")
# Words of transient trouble: try again later and it may work.
_TRANSIENT = re.compile(
    r"(high demand|overloaded|over capacity|temporarily unavailable|service unavailable|"
    r"try again|timed? ?out|timeout|rate limit|too many requests|resource[ _]exhausted|"
    r"capacity|unavailable|connection (reset|refused|error)|internal server error|"
    r"bad gateway|gateway timeout|interrupted|preempted)",
    re.IGNORECASE,
)
# Replicate's transient codes: E003 high demand, E004 temporarily unavailable, E6716 director.
_TRANSIENT_CODES = re.compile(r"\b(E003|E004|E6716|E8765)\b")


def looks_like_safety(text: str) -> bool:
    """Whether a provider's error text reads as a safety refusal."""
    return bool(_SAFETY.search(text) or _SAFETY_CODES.search(text))


def looks_transient(text: str) -> bool:
    """Whether a provider's error text reads as a passing condition (high demand, timeouts...)."""
    return bool(_TRANSIENT.search(text) or _TRANSIENT_CODES.search(text))


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date), if any."""
    raw = (headers.get("retry-after") or headers.get("Retry-After") or "").strip()
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        if parsed is None:
            return None
        seconds = parsed.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, min(seconds, MAX_RETRY_AFTER_SECONDS))


def classify_failure_text(
    text: str, *, provider: str, default_retryable: bool = False
) -> ProviderError:
    """The error for a generation that failed with ``text`` (no HTTP status to go by)."""
    message = " ".join(text.split())[:1000] or "the generation failed"
    if looks_like_safety(message):
        return ProviderError(CONTENT_POLICY, message, retryable=False, provider=provider)
    if looks_transient(message):
        return ProviderError(PROVIDER_UNAVAILABLE, message, retryable=True, provider=provider)
    return ProviderError(PROVIDER_FAILED, message, retryable=default_retryable, provider=provider)


def classify_status(
    status: int,
    message: str,
    *,
    provider: str,
    headers: Mapping[str, str] | None = None,
    error_code: str = "",
) -> ProviderError:
    """The error for an HTTP error answer (``status`` >= 400) with the provider's message.

    ``error_code`` is the provider's own machine code when its body has one
    (``insufficient_quota``, ``content_policy_violation``, ``RESOURCE_EXHAUSTED``...).
    """
    text = " ".join(f"{message} {error_code}".split())[:1000] or f"HTTP {status}"
    message = " ".join(message.split())[:1000] or f"HTTP {status}"
    codes = set(error_code.lower().split())
    retry_after = parse_retry_after(headers or {})
    if (
        codes & {"insufficient_quota", "billing_hard_limit_reached", "quota_exceeded"}
        or status == 402
    ):
        return ProviderError(
            PROVIDER_BILLING, message, retryable=False, provider=provider, status=status
        )
    if status == 429:
        return ProviderError(
            RATE_LIMITED,
            message,
            retryable=True,
            provider=provider,
            status=status,
            retry_after=retry_after,
        )
    if status in (408, 504):
        return ProviderError(
            TIMEOUT,
            message,
            retryable=True,
            provider=provider,
            status=status,
            retry_after=retry_after,
        )
    if status >= 500:
        return ProviderError(
            PROVIDER_UNAVAILABLE,
            message,
            retryable=True,
            provider=provider,
            status=status,
            retry_after=retry_after,
        )
    if status in (401, 403) and not looks_like_safety(text):
        return ProviderError(
            PROVIDER_AUTH,
            f"the provider refused the credentials ({message})",
            retryable=False,
            provider=provider,
            status=status,
        )
    if looks_like_safety(text):
        return ProviderError(
            CONTENT_POLICY, message, retryable=False, provider=provider, status=status
        )
    if status == 400 and looks_transient(text) and "invalid" not in text.lower():
        return ProviderError(
            PROVIDER_UNAVAILABLE, message, retryable=True, provider=provider, status=status
        )
    return ProviderError(
        PROVIDER_REJECTED, message, retryable=False, provider=provider, status=status
    )


__all__ = [
    "CONTENT_POLICY",
    "MAX_RETRY_AFTER_SECONDS",
    "PROVIDER_AUTH",
    "PROVIDER_BAD_OUTPUT",
    "PROVIDER_BILLING",
    "PROVIDER_FAILED",
    "PROVIDER_REJECTED",
    "PROVIDER_UNAVAILABLE",
    "RATE_LIMITED",
    "TIMEOUT",
    "ProviderError",
    "classify_failure_text",
    "classify_status",
    "looks_like_safety",
    "looks_transient",
    "parse_retry_after",
]
