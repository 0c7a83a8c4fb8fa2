"""Replicate: where the API is, which model a reference names, and what a call may accept back."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PROVIDER = "replicate"
DEFAULT_BASE_URL = "https://api.replicate.com"
DEFAULT_DELIVERY_HOSTS = ("replicate.delivery", "*.replicate.delivery")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_VERSION = re.compile(r"^[A-Za-z0-9]{6,128}$")


@dataclass(frozen=True, slots=True)
class ModelRef:
    """``owner/name`` with an optional pinned ``version``."""

    owner: str
    name: str
    version: str | None = None

    @classmethod
    def parse(cls, text: str) -> ModelRef:
        """``"owner/name"`` or ``"owner/name:version"``; ``ValueError`` for anything else."""
        slug, _, version = text.strip().partition(":")
        owner, _, name = slug.partition("/")
        if not _NAME.match(owner) or not _NAME.match(name):
            raise ValueError(f"not a Replicate model name: {text[:100]!r}")
        if version and not _VERSION.match(version):
            raise ValueError(f"not a Replicate version id: {version[:100]!r}")
        return cls(owner, name, version or None)

    @property
    def slug(self) -> str:
        return f"{self.owner}/{self.name}"

    def __str__(self) -> str:
        return f"{self.slug}:{self.version}" if self.version else self.slug


@dataclass(frozen=True)
class ReplicateConfig:
    """How to reach Replicate and what to accept back."""

    api_token: str
    base_url: str = DEFAULT_BASE_URL
    delivery_hosts: tuple[str, ...] = DEFAULT_DELIVERY_HOSTS
    #: ``Prefer: wait=N`` on creation (1..60 seconds; 0 sends no header and always polls).
    wait_seconds: int = 60
    poll_seconds: float = 2.0
    #: The longest a prediction may run before it is cancelled (a retryable ``TIMEOUT``).
    timeout_seconds: float = 900.0
    #: Local inputs up to this size go inline as data URIs; larger ones are uploaded.
    data_uri_max_bytes: int = 256 * 1024
    #: Fixed inputs per model (``{"owner/name": {"mode": "standard"}}``), applied last.
    model_inputs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    max_image_bytes: int = 50 * 1024 * 1024
    max_video_bytes: int = 1024 * 1024 * 1024
    max_pixels: int = 16_777_216


__all__ = ["DEFAULT_BASE_URL", "DEFAULT_DELIVERY_HOSTS", "PROVIDER", "ModelRef", "ReplicateConfig"]
