"""The MiniMax video provider: submit (or resume) a task, poll it, download its file."""

from __future__ import annotations

import asyncio
import base64
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from domain.adapters.fetch import UrlFetcher
from domain.adapters.providers import outputs
from domain.adapters.providers.errors import PROVIDER_BAD_OUTPUT, TIMEOUT, ProviderError
from domain.adapters.providers.http import api_client, send_json
from domain.adapters.providers.minimax.config import PROVIDER, MiniMaxConfig
from domain.adapters.providers.minimax.errors import base_error
from domain.adapters.providers.progress import report
from domain.adapters.providers.prompts import video_prompt
from domain.enums import AssetKind
from domain.media.types import ProgressCallback
from domain.ports.providers import GeneratedMedia, VideoRequest
from domain.ports.remote_calls import current_remote_call, forget_remote_call, report_accepted
from domain.rules.pricing import Price

_MODEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TASK = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_RUNNING = frozenset({"Queueing", "Preparing", "Processing"})


class TaskFailed(ProviderError):
    """The task ended ``Fail``: it is forgotten, so a retry submits a new one."""


def data_url(path: Path) -> str:
    """A local image as a ``data:`` URL (MiniMax takes a public URL or a data URL)."""
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:{outputs.content_type_of(path)};base64,{encoded}"


class MiniMaxVideoProvider:
    """Scene clips from MiniMax (a ``VideoProvider``); the character as its subject reference."""

    name = PROVIDER

    def __init__(
        self,
        config: MiniMaxConfig,
        model: str,
        price: Price,
        fetcher: UrlFetcher,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not _MODEL.match(model):
            raise ValueError(f"not a MiniMax model name: {model[:64]!r}")
        self.config = config
        self.model = model
        self.ref = f"{PROVIDER}:{model}"
        self.price = price
        self.fetcher = fetcher
        self._sleep = sleep

    def estimate_usd(self, request: VideoRequest) -> float:
        return float(self.price.cost(seconds=self.config.clip_seconds))

    def body(self, request: VideoRequest) -> dict[str, Any]:
        """The ``video_generation`` request: the character as ``subject_reference`` when the
        scene shows it, else the key image as the first frame."""
        body: dict[str, Any] = {
            "model": self.model,
            "prompt": video_prompt(request)[:2000],
            "prompt_optimizer": False,
        }
        if request.character_image is not None:
            body["subject_reference"] = [
                {"type": "character", "image": [data_url(request.character_image)]}
            ]
        else:
            body["first_frame_image"] = data_url(request.start_image or request.image)
        return body

    def _client(self) -> httpx.AsyncClient:
        return api_client(
            self.config.base_url,
            {"Authorization": f"Bearer {self.config.api_key}"},
            timeout_seconds=120.0,
        )

    async def _call(
        self, api: httpx.AsyncClient, method: str, url: str, **kw: Any
    ) -> dict[str, Any]:
        body = await send_json(api, method, url, provider=PROVIDER, **kw)
        error = base_error(body)
        if error is not None:
            raise error
        return body

    async def _submit(self, api: httpx.AsyncClient, request: VideoRequest) -> str:
        body = await self._call(api, "POST", "/v1/video_generation", json_body=self.body(request))
        task_id = body.get("task_id")
        if not isinstance(task_id, str) or not _TASK.match(task_id):
            raise ProviderError(
                PROVIDER_BAD_OUTPUT, "the task has no usable ID", retryable=True, provider=PROVIDER
            )
        return task_id

    async def _wait(
        self, api: httpx.AsyncClient, task_id: str, on_progress: ProgressCallback | None
    ) -> str:
        """Poll until the task ends; its ``file_id`` (a failed task is a classified error)."""
        started = time.monotonic()
        while True:
            query = urlencode({"task_id": task_id})
            task = await self._call(api, "GET", f"/v1/query/video_generation?{query}")
            status = task.get("status")
            if status == "Success":
                file_id = task.get("file_id")
                if not isinstance(file_id, str | int) or not _TASK.match(str(file_id)):
                    raise ProviderError(PROVIDER_BAD_OUTPUT, "the task has no file",
                                        retryable=False, provider=PROVIDER)  # fmt: skip
                return str(file_id)
            if status == "Fail":
                raise TaskFailed(
                    "PROVIDER_FAILED",
                    f"the video task failed: {task.get('error_message') or 'no reason given'}",
                    retryable=True,
                    provider=PROVIDER,
                )
            if status not in _RUNNING:
                raise ProviderError(PROVIDER_BAD_OUTPUT, f"unknown task status {status!r}",
                                    retryable=True, provider=PROVIDER)  # fmt: skip
            elapsed = time.monotonic() - started
            if elapsed >= self.config.timeout_seconds:
                raise ProviderError(
                    TIMEOUT,
                    f"the task was not done after {self.config.timeout_seconds:g}s",
                    retryable=True,
                    provider=PROVIDER,
                )
            await report(on_progress, 0.1 + 0.8 * min(1.0, elapsed / 180.0))
            await self._sleep(self.config.poll_seconds)

    async def _download(self, api: httpx.AsyncClient, file_id: str, output: Path) -> None:
        query = urlencode({"file_id": file_id})
        body = await self._call(api, "GET", f"/v1/files/retrieve?{query}")
        file = body.get("file")
        url = file.get("download_url") if isinstance(file, Mapping) else None
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise ProviderError(PROVIDER_BAD_OUTPUT, "the file has no download URL",
                                retryable=False, provider=PROVIDER)  # fmt: skip
        await outputs.save_output(
            self.fetcher,
            url,
            output,
            kind=AssetKind.VIDEO,
            max_bytes=self.config.max_video_bytes,
            allowed_hosts=None,
            provider=PROVIDER,
        )

    async def generate_clip(
        self,
        request: VideoRequest,
        output: Path,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> GeneratedMedia:
        remote = current_remote_call()  # the ledgered call: a task accepted before is resumed
        async with self._client() as api:
            task_id = remote.known_id if remote is not None else None
            if task_id is None:
                task_id = await self._submit(api, request)
                await report_accepted(task_id)  # kept before anything else can fail
            await report(on_progress, 0.05)
            try:
                file_id = await self._wait(api, task_id, on_progress)
            except TaskFailed:
                forget_remote_call()  # a failed task is not resumed
                raise
            await self._download(api, file_id, output)
        await report(on_progress, 1.0)
        cost = self.price.cost(seconds=self.config.clip_seconds)
        return GeneratedMedia(output, PROVIDER, self.model, float(cost))


__all__ = ["MiniMaxVideoProvider", "data_url"]
