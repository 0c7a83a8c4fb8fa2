"""MiniMax: where the API is and how long to wait for a task."""

from __future__ import annotations

from dataclasses import dataclass

PROVIDER = "minimax"
DEFAULT_BASE_URL = "https://api.minimax.io"


@dataclass(frozen=True)
class MiniMaxConfig:
    """How to reach the MiniMax API."""

    api_key: str
    base_url: str = DEFAULT_BASE_URL
    poll_seconds: float = 10.0
    timeout_seconds: float = 900.0
    #: the clip length every task makes (S2V-01 makes 6 s clips)
    clip_seconds: float = 6.0
    max_video_bytes: int = 1024 * 1024 * 1024


__all__ = ["DEFAULT_BASE_URL", "PROVIDER", "MiniMaxConfig"]
