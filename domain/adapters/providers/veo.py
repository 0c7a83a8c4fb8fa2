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

import asyncio
import base64
import binascii
import contextlib
import hashlib
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from domain.adapters.fetch import FetchTooLarge, UrlFetcher
from domain.adapters.providers import outputs
from domain.adapters.providers.errors import (
    CONTENT_POLICY,
    PROVIDER_BAD_OUTPUT,
    PROVIDER_FAILED,
    PROVIDER_UNAVAILABLE,
    TIMEOUT,
    ProviderError,
    classify_status,
)
from domain.adapters.providers.http import api_client, error_details, send_json
from domain.adapters.providers.progress import report
from domain.adapters.providers.prompts import video_prompt
from domain.adapters.providers.replicate_schema import NEGATIVE_PROMPT, closest_aspect
from domain.enums import AssetKind
from domain.media.types import ProgressCallback
from domain.ports.providers import GeneratedMedia, VideoRequest
from domain.rules.pricing import Price

log = logging.getLogger(__name__)

PROVIDER = "veo"
DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
_MODEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
#: Generated videos stay downloadable for two days; resume an operation within an hour.
RESUME_WINDOW_SECONDS = 60 * 60
_OPERATION = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9._-]+)+$")

#: ``google.rpc.Code`` of an operation error, as the HTTP status it stands for.
_RPC_STATUS = {
    1: 499,
    2: 500,
    3: 400,
    4: 504,
    5: 404,
    6: 409,
    7: 403,
    8: 429,
    9: 400,
    10: 409,
    11: 400,
    12: 501,
    13: 500,
    14: 503,
    15: 500,
    16: 401,
}


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
    max_video_bytes: int = 1024 * 1024 * 1024


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _image(path: Path) -> dict[str, str]:
    return {
        "bytesBase64Encoded": base64.b64encode(path.read_bytes()).decode("ascii"),
        "mimeType": outputs.content_type_of(path),
    }


def pick_seconds(durations: tuple[int, ...], seconds: float) -> int:
    """The shortest offered length covering ``seconds`` (the longest when none does)."""
    options = sorted(durations) or [8]
    return next((d for d in options if d + 1e-9 >= seconds), options[-1])


def operation_error(error: Mapping[str, Any]) -> ProviderError:
    """The classified error of a finished operation's ``error`` (a ``google.rpc.Status``)."""
    code = error.get("code")
    status = _RPC_STATUS.get(code, 500) if isinstance(code, int) else 500
    message = str(error.get("message") or "the video generation failed")
    return classify_status(
        status, message, provider=PROVIDER, error_code=str(error.get("status") or "")
    )


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

    def body(self, request: VideoRequest) -> dict[str, Any]:
        """The ``predictLongRunning`` request for ``request``."""
        start = request.start_image or request.image
        instance: dict[str, Any] = {"prompt": video_prompt(request), "image": _image(start)}
        if (
            request.start_image is not None
            and self.takes_last_frame
            and request.image.resolve() != request.start_image.resolve()
        ):
            instance["lastFrame"] = _image(request.image)
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
        return {"instances": [instance], "parameters": parameters}

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
        if not isinstance(name, str) or not _OPERATION.match(name) or ".." in name:
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

    @staticmethod
    def _video(operation: Mapping[str, Any]) -> Mapping[str, Any]:
        error = operation.get("error")
        if isinstance(error, Mapping):
            raise operation_error(error)
        response = operation.get("response")
        generated = response.get("generateVideoResponse") if isinstance(response, Mapping) else None
        if not isinstance(generated, Mapping):
            raise ProviderError(
                PROVIDER_BAD_OUTPUT,
                "the finished operation has no video response",
                retryable=True,
                provider=PROVIDER,
            )
        samples = generated.get("generatedSamples")
        if not isinstance(samples, list) or not samples:
            filtered = generated.get("raiMediaFilteredCount")
            reasons = generated.get("raiMediaFilteredReasons")
            if (isinstance(filtered, int) and filtered > 0) or reasons:
                why = " ".join(str(r) for r in reasons) if isinstance(reasons, list) else ""
                raise ProviderError(
                    CONTENT_POLICY,
                    "the video was withheld by the safety filters" + (f": {why}" if why else ""),
                    retryable=False,
                    provider=PROVIDER,
                )
            raise ProviderError(
                PROVIDER_FAILED,
                "the operation finished without a video",
                retryable=False,
                provider=PROVIDER,
            )
        video = samples[0].get("video") if isinstance(samples[0], Mapping) else None
        if not isinstance(video, Mapping):
            raise ProviderError(
                PROVIDER_BAD_OUTPUT,
                "the generated sample has no video",
                retryable=False,
                provider=PROVIDER,
            )
        return video

    async def _download(
        self, api: httpx.AsyncClient, video: Mapping[str, Any], output: Path
    ) -> None:
        cap = self.config.max_video_bytes
        inline = video.get("bytesBase64Encoded") or video.get("encodedVideo")
        if isinstance(inline, str):
            if len(inline) > cap * 4 // 3 + 16:
                raise ProviderError(
                    PROVIDER_BAD_OUTPUT,
                    f"the video is larger than {cap} bytes",
                    retryable=False,
                    provider=PROVIDER,
                )
            try:
                data = base64.b64decode(inline)
            except (binascii.Error, ValueError) as exc:
                raise ProviderError(
                    PROVIDER_BAD_OUTPUT,
                    "the inline video is not base64",
                    retryable=False,
                    provider=PROVIDER,
                ) from exc

            async def one() -> AsyncIterator[bytes]:
                yield data

            await outputs.write_chunks(one(), output, max_bytes=cap)
            outputs.check_kind(output, AssetKind.VIDEO, provider=PROVIDER)
            return
        uri = video.get("uri")
        if not isinstance(uri, str) or not uri.startswith(("https://", "http://")):
            raise ProviderError(
                PROVIDER_BAD_OUTPUT,
                "the video has no download URI",
                retryable=False,
                provider=PROVIDER,
            )
        if _origin(uri) != _origin(self.config.base_url):
            await outputs.save_output(
                self.fetcher,
                uri,
                output,
                kind=AssetKind.VIDEO,
                max_bytes=cap,
                allowed_hosts=None,
                provider=PROVIDER,
            )
            return
        try:
            async with api.stream("GET", uri) as response:
                if response.status_code in (301, 302, 303, 307, 308):
                    location = response.headers.get("location")
                    if not location:
                        raise ProviderError(
                            PROVIDER_BAD_OUTPUT,
                            "a redirect without a location",
                            retryable=True,
                            provider=PROVIDER,
                        )
                    target = urljoin(uri, location)
                else:
                    target = None
                    if response.status_code >= 400:
                        await response.aread()
                        message, code = error_details(response)
                        if response.status_code in (404, 410):
                            raise ProviderError(
                                PROVIDER_FAILED,
                                f"the video is gone: {message}",
                                retryable=False,
                                provider=PROVIDER,
                                status=response.status_code,
                            )
                        raise classify_status(
                            response.status_code,
                            message,
                            provider=PROVIDER,
                            headers=response.headers,
                            error_code=code,
                        )
                    try:
                        await outputs.write_chunks(response.aiter_raw(), output, max_bytes=cap)
                    except FetchTooLarge as exc:
                        raise ProviderError(
                            PROVIDER_BAD_OUTPUT,
                            f"the video is larger than {cap} bytes",
                            retryable=False,
                            provider=PROVIDER,
                        ) from exc
        except httpx.TimeoutException as exc:
            raise ProviderError(
                TIMEOUT, "the video download timed out", retryable=True, provider=PROVIDER
            ) from exc
        except httpx.TransportError as exc:
            raise ProviderError(
                PROVIDER_UNAVAILABLE, "the video download failed", retryable=True, provider=PROVIDER
            ) from exc
        if target is not None:  # stored elsewhere: fetched without the key, SSRF-safe
            await outputs.save_output(
                self.fetcher,
                target,
                output,
                kind=AssetKind.VIDEO,
                max_bytes=cap,
                allowed_hosts=None,
                provider=PROVIDER,
            )
            return
        outputs.check_kind(output, AssetKind.VIDEO, provider=PROVIDER)

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
            operation = await self._resume(api, key)
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
            await report(on_progress, 0.05)
            try:
                operation = await self._poll(api, operation, on_progress)
                video = self._video(operation)
                await self._download(api, video, output)
            except ProviderError as error:
                if not error.retryable or error.code == TIMEOUT:
                    self._resumable.pop(key, None)
                raise
            except asyncio.CancelledError:
                self._resumable.pop(key, None)
                raise
        self._resumable.pop(key, None)
        await report(on_progress, 1.0)
        return GeneratedMedia(output, PROVIDER, self.model, float(self.price.cost(seconds=seconds)))


__all__ = [
    "DEFAULT_BASE_URL",
    "PROVIDER",
    "VeoConfig",
    "VeoVideoProvider",
    "operation_error",
    "pick_seconds",
]
