"""The Veo video provider: the request, polling the operation, resuming it on a retry."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from domain.adapters.fetch import UrlFetcher
from domain.adapters.providers import outputs
from domain.adapters.providers.errors import (
    PROVIDER_BAD_OUTPUT,
    TIMEOUT,
    ProviderError,
)
from domain.adapters.providers.http import api_client, send_json
from domain.adapters.providers.progress import report
from domain.adapters.providers.prompts import video_prompt
from domain.adapters.providers.replicate_schema import NEGATIVE_PROMPT, closest_aspect
from domain.adapters.providers.veo.config import (
    PROVIDER,
    RESUME_WINDOW_SECONDS,
    VeoConfig,
    pick_seconds,
)
from domain.adapters.providers.veo.download import download_video
from domain.adapters.providers.veo.operations import OPERATION_NAME, video_of
from domain.media.types import ProgressCallback
from domain.ports.providers import GeneratedMedia, VideoRequest
from domain.ports.remote_calls import current_remote_call, forget_remote_call, report_accepted
from domain.rules.pricing import Price

log = logging.getLogger(__name__)

_MODEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def _image(path: Path) -> dict[str, str]:
    return {
        "bytesBase64Encoded": base64.b64encode(path.read_bytes()).decode("ascii"),
        "mimeType": outputs.content_type_of(path),
    }


class VeoVideoProvider:
    """Scene clips from Veo (a ``VideoProvider``)."""

    name = PROVIDER

    def __init__(
        self,
        config: VeoConfig,
        model: str,
        price: Price,
        fetcher: UrlFetcher,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not _MODEL.match(model):
            raise ValueError(f"not a Veo model name: {model[:100]!r}")
        self.config = config
        self.model = model
        self.ref = f"{PROVIDER}:{model}"
        self.price = price
        self.fetcher = fetcher
        self._sleep = sleep
        self._resumable: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def billed_seconds(self, seconds: float) -> float:
        """The length Veo will be asked for (and bill) for a scene of ``seconds``."""
        return float(pick_seconds(self.config.durations, seconds))

    def estimate_usd(self, request: VideoRequest) -> float:
        return float(self.price.cost(seconds=self.billed_seconds(request.duration_seconds)))

    @property
    def takes_last_frame(self) -> bool:
        if self.config.last_frame is not None:
            return self.config.last_frame
        return self.model.startswith("veo-3.1")

    @property
    def takes_references(self) -> bool:
        if self.config.reference_images is not None:
            return self.config.reference_images
        return self.model.startswith("veo-3.1")

    def body(self, request: VideoRequest) -> dict[str, Any]:
        """The ``predictLongRunning`` request for ``request``.

        A scene with the job's character, on a model that takes reference images, sends the
        character and the key image as ``referenceImages`` (``referenceType: asset``) instead
        of a start frame: Veo takes either, not both."""
        start = request.start_image or request.image
        if request.character_image is not None and self.takes_references:
            instance: dict[str, Any] = {
                "prompt": video_prompt(request),
                "referenceImages": [
                    {"image": _image(request.character_image), "referenceType": "asset"},
                    {"image": _image(request.image), "referenceType": "asset"},
                ],
            }
            return {"instances": [instance], "parameters": self._parameters(request)}
        instance = {"prompt": video_prompt(request), "image": _image(start)}
        if (
            request.start_image is not None
            and self.takes_last_frame
            and request.image.resolve() != request.start_image.resolve()
        ):
            instance["lastFrame"] = _image(request.image)
        return {"instances": [instance], "parameters": self._parameters(request)}

    def _parameters(self, request: VideoRequest) -> dict[str, Any]:
        parameters: dict[str, Any] = {
            "aspectRatio": closest_aspect(("9:16", "16:9"), request.size),
            "durationSeconds": pick_seconds(self.config.durations, request.duration_seconds),
            "negativePrompt": NEGATIVE_PROMPT,
            "sampleCount": 1,
        }
        if self.config.resolution:
            parameters["resolution"] = self.config.resolution
        if self.config.person_generation:
            parameters["personGeneration"] = self.config.person_generation
        return parameters

    def _client(self) -> httpx.AsyncClient:
        return api_client(
            self.config.base_url, {"x-goog-api-key": self.config.api_key}, timeout_seconds=120.0
        )

    async def _poll(
        self,
        api: httpx.AsyncClient,
        operation: dict[str, Any],
        on_progress: ProgressCallback | None,
    ) -> dict[str, Any]:
        name = operation.get("name")
        if not isinstance(name, str) or not OPERATION_NAME.match(name) or ".." in name:
            raise ProviderError(
                PROVIDER_BAD_OUTPUT,
                "the operation has no usable name",
                retryable=True,
                provider=PROVIDER,
            )
        started = time.monotonic()
        troubles = 0
        while not operation.get("done"):
            elapsed = time.monotonic() - started
            await report(on_progress, 0.1 + 0.8 * min(1.0, elapsed / 120.0))
            if elapsed >= self.config.timeout_seconds:
                with contextlib.suppress(ProviderError):
                    await send_json(
                        api,
                        "POST",
                        f"/{self.config.api_version}/{name}:cancel",
                        provider=PROVIDER,
                        json_body={},
                    )
                raise ProviderError(
                    TIMEOUT,
                    f"the operation was not done after {self.config.timeout_seconds:g}s",
                    retryable=True,
                    provider=PROVIDER,
                )
            wait = self.config.poll_seconds * (2**troubles if troubles else 1)
            await self._sleep(min(wait, 60.0))
            try:
                operation = await send_json(
                    api, "GET", f"/{self.config.api_version}/{name}", provider=PROVIDER
                )
                troubles = 0
            except ProviderError as error:
                if not error.retryable or troubles >= 8:
                    raise
                troubles += 1
                if error.retry_after:
                    await self._sleep(min(error.retry_after, 60.0))
        return operation

    def _remember(self, key: str, name: str) -> None:
        self._resumable[key] = (name, time.monotonic())
        while len(self._resumable) > 256:
            self._resumable.popitem(last=False)

    async def _resume(self, api: httpx.AsyncClient, key: str) -> dict[str, Any] | None:
        """The operation already started for the same request (a retry after a lost poll or
        download), unless it failed or is too old to fetch again."""
        entry = self._resumable.get(key)
        if entry is None or time.monotonic() - entry[1] > RESUME_WINDOW_SECONDS:
            self._resumable.pop(key, None)
            return None
        try:
            operation = await send_json(
                api, "GET", f"/{self.config.api_version}/{entry[0]}", provider=PROVIDER
            )
        except ProviderError:
            self._resumable.pop(key, None)
            return None
        if operation.get("error") or operation.get("name") != entry[0]:
            self._resumable.pop(key, None)
            return None
        log.info("resuming Veo operation %s", entry[0])
        return operation

    async def _resume_recorded(self, api: httpx.AsyncClient) -> dict[str, Any] | None:
        """The operation the ledger recorded for this call before a crash, unless it failed."""
        remote = current_remote_call()
        name = remote.known_id if remote is not None else None
        if remote is None or not name or not OPERATION_NAME.match(name) or ".." in name:
            return None
        try:
            operation = await send_json(
                api, "GET", f"/{self.config.api_version}/{name}", provider=PROVIDER
            )
        except ProviderError:
            remote.forget()
            return None
        if operation.get("error") or operation.get("name") != name:
            remote.forget()
            return None
        log.info("resuming Veo operation %s recorded in the ledger", name)
        return operation

    async def generate_clip(
        self,
        request: VideoRequest,
        output: Path,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> GeneratedMedia:
        body = self.body(request)
        seconds = float(body["parameters"]["durationSeconds"])
        key = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        async with self._client() as api:
            operation = await self._resume(api, key) or await self._resume_recorded(api)
            resumed = operation.get("name") if operation is not None else None
            if isinstance(resumed, str):
                await report_accepted(resumed)
            if operation is None:
                operation = await send_json(
                    api,
                    "POST",
                    f"/{self.config.api_version}/models/{self.model}:predictLongRunning",
                    provider=PROVIDER,
                    json_body=body,
                )
                name = operation.get("name")
                if isinstance(name, str):
                    self._remember(key, name)
                    await report_accepted(name)  # in the ledger before any polling
            await report(on_progress, 0.05)
            try:
                operation = await self._poll(api, operation, on_progress)
                video = video_of(operation)
                await download_video(api, video, output, config=self.config, fetcher=self.fetcher)
            except ProviderError as error:
                if not error.retryable or error.code == TIMEOUT:
                    self._resumable.pop(key, None)
                    forget_remote_call()
                raise
            except asyncio.CancelledError:
                self._resumable.pop(key, None)
                raise
        self._resumable.pop(key, None)
        await report(on_progress, 1.0)
        return GeneratedMedia(output, PROVIDER, self.model, float(self.price.cost(seconds=seconds)))


__all__ = ["VeoVideoProvider"]
