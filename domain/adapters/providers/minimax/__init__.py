"""MiniMax (Hailuo) video generation, with subject reference: the job's character in the clip.

``POST /v1/video_generation`` submits a task (``model``, ``prompt``, ``subject_reference:
[{type: "character", image: [data URL]}]`` for a scene with the character, else the key image
as ``first_frame_image``) and answers ``task_id``; ``GET /v1/query/video_generation?task_id=``
is polled (``Queueing``/``Preparing``/``Processing`` -> ``Success`` with ``file_id``, or
``Fail``); ``GET /v1/files/retrieve?file_id=`` gives ``file.download_url``, fetched through the
SSRF-safe fetcher without the key. Errors come in ``base_resp.status_code``/``status_msg`` and
are classified here. The task ID is kept in the cost ledger as soon as it is accepted, so a run
after a crash polls the same task instead of paying for a second one.
"""

from __future__ import annotations

from domain.adapters.providers.minimax.config import DEFAULT_BASE_URL, PROVIDER, MiniMaxConfig
from domain.adapters.providers.minimax.errors import base_error
from domain.adapters.providers.minimax.provider import MiniMaxVideoProvider

__all__ = ["DEFAULT_BASE_URL", "PROVIDER", "MiniMaxConfig", "MiniMaxVideoProvider", "base_error"]
