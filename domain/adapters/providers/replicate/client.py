"""The Replicate client: input schemas, file uploads and the life of a prediction.

A prediction is created with ``Prefer: wait``, polled until it ends, cancelled past its deadline
(or when the caller is cancelled), resumed on a retry of the same request within Replicate's
one-hour window, and its output downloaded through the SSRF-safe fetcher.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from domain.adapters.fetch import UrlFetcher
from domain.adapters.providers import outputs
from domain.adapters.providers.errors import (
    PROVIDER_BAD_OUTPUT,
    PROVIDER_FAILED,
    PROVIDER_UNAVAILABLE,
    TIMEOUT,
    ProviderError,
    classify_failure_text,
)
from domain.adapters.providers.http import api_client, json_of, send, send_json
from domain.adapters.providers.progress import report
from domain.adapters.providers.replicate.config import PROVIDER, ModelRef, ReplicateConfig
from domain.adapters.providers.replicate.predictions import (
    PREDICTION_ID,
    RESUME_WINDOW_SECONDS,
    TERMINAL,
    Prediction,
    first_url,
    progress_of,
)
from domain.adapters.providers.replicate_schema import (
    InputSchema,
    ModelInput,
)
from domain.enums import AssetKind
from domain.media.types import ProgressCallback
from domain.ports.remote_calls import current_remote_call, forget_remote_call, report_accepted

log = logging.getLogger(__name__)

T = TypeVar("T")


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
        if isinstance(ident, str) and PREDICTION_ID.match(ident):
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

    async def _resume_recorded(self, api: httpx.AsyncClient) -> Prediction | None:
        """The prediction the ledger recorded for this call before a crash, unless it failed."""
        remote = current_remote_call()
        if remote is None or not remote.known_id or not PREDICTION_ID.match(remote.known_id):
            return None
        try:
            prediction = await self._get(api, remote.known_id)
        except ProviderError:
            remote.forget()
            return None
        if prediction.status in ("failed", "canceled", "aborted"):
            remote.forget()
            return None
        log.info("resuming Replicate prediction %s recorded in the ledger", prediction.id)
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
            await report(on_progress, progress_of(prediction, time.monotonic() - started))
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
        prediction = await self._resume(api, key) or await self._resume_recorded(api)
        if prediction is not None:
            await report_accepted(prediction.id)
        uploaded: list[str] = []
        finished = False
        try:
            if prediction is None:
                values = dict(model_input.values)
                for name, path in model_input.files.items():
                    value = await self.file_value(api, path, uploaded)
                    values[name] = [value] if name in model_input.list_files else value
                prediction = await self._create(api, model, values)
                self._remember(key, prediction.id)
                await report_accepted(prediction.id)  # in the ledger before any polling
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
                forget_remote_call()
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


__all__ = ["ReplicateClient", "Sleep"]
