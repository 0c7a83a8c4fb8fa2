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

import asyncio
import contextlib
import hashlib
import json
import logging
import math
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from domain.adapters.fetch import UrlFetcher
from domain.adapters.providers import outputs
from domain.adapters.providers.errors import (
    PROVIDER_BAD_OUTPUT,
    PROVIDER_FAILED,
    PROVIDER_REJECTED,
    PROVIDER_UNAVAILABLE,
    TIMEOUT,
    ProviderError,
    classify_failure_text,
)
from domain.adapters.providers.http import api_client, json_of, send, send_json
from domain.adapters.providers.progress import report
from domain.adapters.providers.prompts import image_prompt, video_prompt
from domain.adapters.providers.replicate_schema import (
    InputSchema,
    MissingStartImage,
    ModelInput,
    image_input,
    pick_duration,
    video_input,
)
from domain.enums import AssetKind
from domain.media.types import ProgressCallback
from domain.ports.providers import GeneratedMedia, ImageRequest, VideoRequest
from domain.rules.pricing import Price

log = logging.getLogger(__name__)

PROVIDER = "replicate"
DEFAULT_BASE_URL = "https://api.replicate.com"
DEFAULT_DELIVERY_HOSTS = ("replicate.delivery", "*.replicate.delivery")
#: Replicate keeps outputs (and lets a prediction be fetched again) for an hour: resume within it.
RESUME_WINDOW_SECONDS = 50 * 60

TERMINAL = frozenset({"succeeded", "failed", "canceled", "aborted"})
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_VERSION = re.compile(r"^[A-Za-z0-9]{6,128}$")
_PREDICTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_PERCENT = re.compile(r"(\d{1,3})%\|")

T = TypeVar("T")


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


@dataclass(frozen=True, slots=True)
class Prediction:
    """The parts of a prediction Adreel reads."""

    id: str
    status: str
    output: Any = None
    error: str | None = None
    logs: str = ""

    @classmethod
    def of(cls, body: Mapping[str, Any]) -> Prediction:
        ident = body.get("id")
        if not isinstance(ident, str) or not _PREDICTION_ID.match(ident):
            raise ProviderError(
                PROVIDER_BAD_OUTPUT,
                "the prediction has no usable id",
                retryable=True,
                provider=PROVIDER,
            )
        error = body.get("error")
        logs = body.get("logs")
        return cls(
            id=ident,
            status=str(body.get("status") or "starting"),
            output=body.get("output"),
            error=str(error) if error else None,
            logs=logs[-4000:] if isinstance(logs, str) else "",
        )


def first_url(output: Any) -> str | None:
    """The first file URL in a prediction's output (a string, a list, or an object of them)."""
    if isinstance(output, str):
        return output if output.startswith(("https://", "http://", "data:")) else None
    if isinstance(output, list):
        for item in output:
            found = first_url(item)
            if found:
                return found
    if isinstance(output, Mapping):
        for item in output.values():
            found = first_url(item)
            if found:
                return found
    return None


def _progress(prediction: Prediction, elapsed: float) -> float:
    """A fraction for a running prediction: the model's own progress bar when its logs show
    one, else a curve of the time spent."""
    found = _PERCENT.findall(prediction.logs)
    if found:
        return 0.1 + 0.8 * min(100, int(found[-1])) / 100
    if prediction.status == "starting":
        return 0.05
    return 0.1 + 0.8 * (1 - math.exp(-elapsed / 90))


@dataclass
class _Resumable:
    prediction_id: str
    created: float


Sleep = Callable[[float], Awaitable[None]]


class ReplicateClient:
    """Predictions on Replicate (one instance per process, shared by its providers)."""

    def __init__(
        self, config: ReplicateConfig, fetcher: UrlFetcher, *, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.config = config
        self.fetcher = fetcher
        self._sleep = sleep
        self._schemas: dict[str, InputSchema] = {}
        self._resumable: OrderedDict[str, _Resumable] = OrderedDict()

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[httpx.AsyncClient]:
        """An API client for one generation (closed afterwards)."""
        client = api_client(
            self.config.base_url,
            {"Authorization": f"Bearer {self.config.api_token}"},
            timeout_seconds=max(30.0, self.config.wait_seconds + 30.0),
        )
        async with client:
            yield client

    # --- schema and inputs -------------------------------------------------------------------

    def cached_schema(self, model: ModelRef) -> InputSchema | None:
        return self._schemas.get(str(model))

    async def schema(self, api: httpx.AsyncClient, model: ModelRef) -> InputSchema:
        """The model's input schema (read once per process)."""
        cached = self._schemas.get(str(model))
        if cached is not None:
            return cached
        if model.version:
            path = f"/v1/models/{model.owner}/{model.name}/versions/{model.version}"
            body = await send_json(api, "GET", path, provider=PROVIDER)
            openapi = body.get("openapi_schema")
        else:
            body = await send_json(
                api, "GET", f"/v1/models/{model.owner}/{model.name}", provider=PROVIDER
            )
            latest = body.get("latest_version")
            openapi = latest.get("openapi_schema") if isinstance(latest, Mapping) else None
        schema = InputSchema.from_openapi(openapi if isinstance(openapi, Mapping) else None)
        if not schema.known:
            log.warning("Replicate model %s publishes no input schema; using common names", model)
        self._schemas[str(model)] = schema
        return schema

    async def file_value(self, api: httpx.AsyncClient, path: Path, uploaded: list[str]) -> str:
        """A local file as a model input: a data URI when small, else an uploaded file's URL
        (its id is added to ``uploaded`` so it can be deleted after the prediction)."""
        data = await asyncio.to_thread(path.read_bytes)
        if len(data) <= self.config.data_uri_max_bytes:
            return outputs.data_uri(path)
        content_type = outputs.content_type_of(path)
        body = await send_json(
            api,
            "POST",
            "/v1/files",
            provider=PROVIDER,
            files={"content": (path.name, data, content_type)},
        )
        urls = body.get("urls")
        url = urls.get("get") if isinstance(urls, Mapping) else None
        ident = body.get("id")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise ProviderError(
                PROVIDER_BAD_OUTPUT,
                "the file upload returned no URL",
                retryable=True,
                provider=PROVIDER,
            )
        if isinstance(ident, str) and _PREDICTION_ID.match(ident):
            uploaded.append(ident)
        return url

    async def _delete_uploads(self, api: httpx.AsyncClient, uploaded: list[str]) -> None:
        for ident in uploaded:
            with contextlib.suppress(ProviderError):
                await send(api, "DELETE", f"/v1/files/{ident}", provider=PROVIDER)

    # --- predictions --------------------------------------------------------------------------

    def _key(self, model: ModelRef, model_input: ModelInput) -> str:
        digest = hashlib.sha256()
        digest.update(str(model).encode())
        digest.update(json.dumps(model_input.values, sort_keys=True, default=str).encode())
        for name in sorted(model_input.files):
            digest.update(name.encode())
            digest.update(hashlib.sha256(model_input.files[name].read_bytes()).digest())
        return digest.hexdigest()

    def _remember(self, key: str, prediction_id: str) -> None:
        self._resumable[key] = _Resumable(prediction_id, time.monotonic())
        self._resumable.move_to_end(key)
        while len(self._resumable) > 256:
            self._resumable.popitem(last=False)

    async def _get(self, api: httpx.AsyncClient, prediction_id: str) -> Prediction:
        body = await send_json(api, "GET", f"/v1/predictions/{prediction_id}", provider=PROVIDER)
        return Prediction.of(body)

    async def _cancel(self, api: httpx.AsyncClient, prediction_id: str) -> None:
        with contextlib.suppress(ProviderError):
            await send(api, "POST", f"/v1/predictions/{prediction_id}/cancel", provider=PROVIDER)

    async def _create(
        self, api: httpx.AsyncClient, model: ModelRef, values: dict[str, Any]
    ) -> Prediction:
        headers = {"Prefer": f"wait={self.config.wait_seconds}"} if self.config.wait_seconds else {}
        if model.version:
            url, body = "/v1/predictions", {"version": model.version, "input": values}
        else:
            url, body = f"/v1/models/{model.owner}/{model.name}/predictions", {"input": values}
        response = await send(api, "POST", url, provider=PROVIDER, json_body=body, headers=headers)
        return Prediction.of(json_of(response, provider=PROVIDER))

    async def _resume(self, api: httpx.AsyncClient, key: str) -> Prediction | None:
        entry = self._resumable.get(key)
        if entry is None or time.monotonic() - entry.created > RESUME_WINDOW_SECONDS:
            self._resumable.pop(key, None)
            return None
        try:
            prediction = await self._get(api, entry.prediction_id)
        except ProviderError:
            self._resumable.pop(key, None)
            return None
        if prediction.status in ("failed", "canceled", "aborted"):
            self._resumable.pop(key, None)
            return None
        log.info("resuming Replicate prediction %s", prediction.id)
        return prediction

    async def _wait(
        self,
        api: httpx.AsyncClient,
        prediction: Prediction,
        on_progress: ProgressCallback | None,
    ) -> Prediction:
        started = time.monotonic()
        deadline = started + self.config.timeout_seconds
        troubles = 0
        while prediction.status not in TERMINAL:
            await report(on_progress, _progress(prediction, time.monotonic() - started))
            if time.monotonic() >= deadline:
                await self._cancel(api, prediction.id)
                raise ProviderError(
                    TIMEOUT,
                    f"prediction {prediction.id} was still {prediction.status} after "
                    f"{self.config.timeout_seconds:g}s and was cancelled",
                    retryable=True,
                    provider=PROVIDER,
                )
            wait = self.config.poll_seconds
            if troubles:
                wait = min(30.0, self.config.poll_seconds * 2**troubles)
            await self._sleep(wait)
            try:
                prediction = await self._get(api, prediction.id)
                troubles = 0
            except ProviderError as error:
                if not error.retryable or troubles >= 8:
                    raise
                troubles += 1
                if error.retry_after:
                    await self._sleep(min(error.retry_after, 60.0))
                log.info("polling prediction %s failed (%s); polling on", prediction.id, error.code)
        return prediction

    @staticmethod
    def _outcome(prediction: Prediction) -> None:
        """Raise the classified error of a prediction that did not succeed."""
        if prediction.status == "succeeded":
            return
        if prediction.status == "failed":
            raise classify_failure_text(
                f"prediction {prediction.id} failed: {prediction.error or 'no reason given'}",
                provider=PROVIDER,
            )
        if prediction.status == "aborted":
            raise ProviderError(
                PROVIDER_UNAVAILABLE,
                f"prediction {prediction.id} was aborted before it ran",
                retryable=True,
                provider=PROVIDER,
            )
        raise ProviderError(
            PROVIDER_FAILED,
            f"prediction {prediction.id} was canceled",
            retryable=False,
            provider=PROVIDER,
        )

    async def run(
        self,
        api: httpx.AsyncClient,
        model: ModelRef,
        model_input: ModelInput,
        consume: Callable[[Prediction], Awaitable[T]],
        *,
        on_progress: ProgressCallback | None = None,
    ) -> T:
        """Run one prediction to its end and ``consume`` its output (the download).

        A prediction made for the same model, inputs and files that has not failed is resumed
        rather than made again (so a retry after a lost download or poll costs nothing more).
        """
        key = self._key(model, model_input)
        prediction = await self._resume(api, key)
        uploaded: list[str] = []
        finished = False
        try:
            if prediction is None:
                values = dict(model_input.values)
                for name, path in model_input.files.items():
                    values[name] = await self.file_value(api, path, uploaded)
                prediction = await self._create(api, model, values)
                self._remember(key, prediction.id)
            await report(on_progress, 0.05)
            try:
                prediction = await self._wait(api, prediction, on_progress)
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await asyncio.shield(self._cancel(api, prediction.id))
                self._resumable.pop(key, None)
                raise
            finished = True
            self._outcome(prediction)
            result = await consume(prediction)
        except ProviderError as error:
            if not error.retryable or error.code == TIMEOUT:
                self._resumable.pop(key, None)
            raise
        finally:
            if uploaded and finished:  # a prediction still queued may yet read its inputs
                with contextlib.suppress(Exception):
                    await asyncio.shield(self._delete_uploads(api, uploaded))
        self._resumable.pop(key, None)
        await report(on_progress, 1.0)
        return result

    async def save(
        self, prediction: Prediction, output: Path, *, kind: AssetKind, max_bytes: int
    ) -> Path:
        """Download the prediction's output to ``output`` (checked to be a ``kind`` file)."""
        url = first_url(prediction.output)
        if url is None:
            raise ProviderError(
                PROVIDER_BAD_OUTPUT,
                f"prediction {prediction.id} succeeded without a file output",
                retryable=False,
                provider=PROVIDER,
            )
        await outputs.save_output(
            self.fetcher,
            url,
            output,
            kind=kind,
            max_bytes=max_bytes,
            allowed_hosts=self.config.delivery_hosts,
            provider=PROVIDER,
        )
        return output


class ReplicateImageProvider:
    """Key images from a Replicate text/image-to-image model (an ``ImageProvider``)."""

    name = PROVIDER

    def __init__(self, client: ReplicateClient, model: str, price: Price) -> None:
        self.client = client
        self.model_ref = ModelRef.parse(model)
        self.model = str(self.model_ref)
        self.ref = f"{PROVIDER}:{self.model}"
        self.price = price

    def estimate_usd(self, request: ImageRequest) -> float:
        return float(self.price.cost())

    async def generate_image(self, request: ImageRequest, output: Path) -> GeneratedMedia:
        raw = output.with_name(f".{output.stem}.replicate")
        try:
            async with self.client.session() as api:
                schema = await self.client.schema(api, self.model_ref)
                model_input = image_input(
                    schema,
                    prompt=image_prompt(request),
                    size=request.size,
                    seed=request.seed,
                    reference=request.source_image,
                    overrides=self.client.config.model_inputs.get(self.model_ref.slug),
                )

                async def download(prediction: Prediction) -> Path:
                    return await self.client.save(
                        prediction,
                        raw,
                        kind=AssetKind.IMAGE,
                        max_bytes=self.client.config.max_image_bytes,
                    )

                await self.client.run(api, self.model_ref, model_input, download)
            await asyncio.to_thread(
                outputs.fit_png,
                raw,
                output,
                request.size,
                max_pixels=self.client.config.max_pixels,
                provider=PROVIDER,
            )
        finally:
            raw.unlink(missing_ok=True)
        return GeneratedMedia(output, PROVIDER, self.model, float(self.price.cost()))


class ReplicateVideoProvider:
    """Scene clips from a Replicate image-to-video model (a ``VideoProvider``).

    The clip opens on the scene's key image; a CONTINUE scene opens on the previous clip's last
    frame instead and, when the model takes a last frame, moves towards the key image. The model
    is asked for the shortest length it offers that covers the scene (the pipeline trims it to
    the exact frames); the cost is the price per second of what was asked for.
    """

    name = PROVIDER

    def __init__(self, client: ReplicateClient, model: str, price: Price) -> None:
        self.client = client
        self.model_ref = ModelRef.parse(model)
        self.model = str(self.model_ref)
        self.ref = f"{PROVIDER}:{self.model}"
        self.price = price

    def billed_seconds(self, seconds: float) -> float:
        """The length the model will be asked for (once its schema is known)."""
        schema = self.client.cached_schema(self.model_ref)
        spec = schema.fields.get("duration") if schema is not None else None
        return pick_duration(spec, seconds)[1] if spec is not None else seconds

    def estimate_usd(self, request: VideoRequest) -> float:
        return float(self.price.cost(seconds=self.billed_seconds(request.duration_seconds)))

    async def generate_clip(
        self,
        request: VideoRequest,
        output: Path,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> GeneratedMedia:
        start = request.start_image or request.image
        end = request.image if request.start_image is not None else None
        if end is not None and end.resolve() == start.resolve():
            end = None
        async with self.client.session() as api:
            schema = await self.client.schema(api, self.model_ref)
            try:
                model_input = video_input(
                    schema,
                    prompt=video_prompt(request),
                    size=request.size,
                    seconds=request.duration_seconds,
                    seed=request.seed,
                    start=start,
                    end=end,
                    overrides=self.client.config.model_inputs.get(self.model_ref.slug),
                )
            except MissingStartImage as exc:
                raise ProviderError(
                    PROVIDER_REJECTED,
                    f"{self.model} takes no start image, so it cannot animate key images",
                    retryable=False,
                    provider=PROVIDER,
                ) from exc

            async def download(prediction: Prediction) -> Path:
                return await self.client.save(
                    prediction,
                    output,
                    kind=AssetKind.VIDEO,
                    max_bytes=self.client.config.max_video_bytes,
                )

            await self.client.run(
                api, self.model_ref, model_input, download, on_progress=on_progress
            )
        cost = self.price.cost(seconds=model_input.billed_seconds)
        return GeneratedMedia(output, PROVIDER, self.model, float(cost))


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
