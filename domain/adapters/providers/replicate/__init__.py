"""Image and video providers over Replicate's HTTP API.

A call reads the model's input schema once (``GET /v1/models/{owner}/{name}``, or the pinned
version), maps the request onto it (``replicate_schema``), attaches local images as data URIs
(small ones) or uploaded file URLs (``POST /v1/files``), and creates a prediction
(``POST /v1/models/{owner}/{name}/predictions``, or ``POST /v1/predictions`` with a pinned
``version``) with ``Prefer: wait``. A prediction still running when that answer comes back is
polled (``GET /v1/predictions/{id}``) until it is ``succeeded``, ``failed`` or ``canceled``; past
the deadline it is cancelled (``POST /v1/predictions/{id}/cancel``) so it stops costing money.

The output is downloaded at once (Replicate deletes outputs after an hour) through the SSRF-safe
fetcher, only from the configured delivery hosts, under a byte cap, and handed back as a local
file. Polling survives passing errors in place; a retry of the same request by the pipeline
(same model, inputs and files) resumes the prediction already made instead of paying for a new
one. Errors are classified here (``errors``): 429 / 5xx / "high demand" / transient failed
predictions are retryable; invalid input, refused credentials and safety refusals are not.
"""

from __future__ import annotations

from domain.adapters.providers.replicate.client import ReplicateClient
from domain.adapters.providers.replicate.config import (
    DEFAULT_BASE_URL,
    DEFAULT_DELIVERY_HOSTS,
    PROVIDER,
    ModelRef,
    ReplicateConfig,
)
from domain.adapters.providers.replicate.image import ReplicateImageProvider
from domain.adapters.providers.replicate.predictions import Prediction, first_url
from domain.adapters.providers.replicate.video import ReplicateVideoProvider

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_DELIVERY_HOSTS",
    "PROVIDER",
    "ModelRef",
    "Prediction",
    "ReplicateClient",
    "ReplicateConfig",
    "ReplicateImageProvider",
    "ReplicateVideoProvider",
    "first_url",
]
