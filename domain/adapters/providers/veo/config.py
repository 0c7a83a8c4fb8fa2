"""Veo: where the Gemini API is, what to ask for, and which clip length covers a scene."""

from __future__ import annotations

from dataclasses import dataclass

PROVIDER = "veo"
DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
#: Generated videos stay downloadable for two days; resume an operation within an hour.
RESUME_WINDOW_SECONDS = 60 * 60


@dataclass(frozen=True)
class VeoConfig:
    """How to reach the Gemini API and what to ask Veo for."""

    api_key: str
    base_url: str = DEFAULT_BASE_URL
    api_version: str = "v1beta"
    poll_seconds: float = 10.0
    timeout_seconds: float = 900.0
    #: Clip lengths the model offers (the shortest covering the scene is asked for).
    durations: tuple[int, ...] = (4, 6, 8)
    resolution: str | None = "720p"
    person_generation: str | None = "allow_adult"
    #: Send the key image as ``lastFrame`` of CONTINUE scenes (``None``: Veo 3.1 models only).
    last_frame: bool | None = None
    #: Send the job's character as ``referenceImages`` (``None``: Veo 3.1 models only).
    reference_images: bool | None = None
    max_video_bytes: int = 1024 * 1024 * 1024


def pick_seconds(durations: tuple[int, ...], seconds: float) -> int:
    """The shortest offered length covering ``seconds`` (the longest when none does)."""
    options = sorted(durations) or [8]
    return next((d for d in options if d + 1e-9 >= seconds), options[-1])


__all__ = ["DEFAULT_BASE_URL", "PROVIDER", "RESUME_WINDOW_SECONDS", "VeoConfig", "pick_seconds"]
