"""Google Veo through the Gemini API, as a video provider.

``POST {base}/v1beta/models/{model}:predictLongRunning`` starts an operation with the scene's
start image inline (``instances[0].image``; a CONTINUE scene also sends the key image as
``lastFrame`` to models that take one); ``GET {base}/v1beta/{operation}`` is polled until
``done``; the first generated sample's video is downloaded at once. The API key goes only to the
configured API origin (the ``x-goog-api-key`` header): a download that redirects elsewhere is
followed through the SSRF-safe fetcher without it.

Errors are classified here: HTTP 429 / ``RESOURCE_EXHAUSTED`` and 5xx / ``UNAVAILABLE`` are
retryable, invalid arguments are not, and a video withheld by the Responsible AI filters
(``raiMediaFilteredCount``) is a ``CONTENT_POLICY`` refusal.
"""

from __future__ import annotations

from domain.adapters.providers.veo.config import DEFAULT_BASE_URL, PROVIDER, VeoConfig, pick_seconds
from domain.adapters.providers.veo.operations import operation_error
from domain.adapters.providers.veo.provider import VeoVideoProvider

__all__ = [
    "DEFAULT_BASE_URL",
    "PROVIDER",
    "VeoConfig",
    "VeoVideoProvider",
    "operation_error",
    "pick_seconds",
]
