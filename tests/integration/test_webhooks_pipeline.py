"""Webhooks from a real run: uploads are ``asset.ready`` messages, and a job made by the
embedded pipeline reports every status change and its render, each signed, once, in sequence."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from domain.adapters.fetch import UrlFetcher, loopback_exception
from domain.adapters.queue.embedded import EmbeddedQueue
from domain.bootstrap import Container
from domain.settings import Settings
from tests.conftest import Api
from tests.integration.test_webhooks import CREATE, ENDPOINTS
from tests.support.pipeline import create_job, make_brand, rendering_settings, wait_for_job
from tests.support.webhook_receiver import receiver, spec_verify

pytestmark = pytest.mark.slow


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return rendering_settings(
        data_dir, webhook_retry_base_seconds=0.1, webhook_retry_max_seconds=0.2
    )


async def test_a_pipeline_run_is_reported_in_sequence(
    http: httpx.AsyncClient, container: Container, api: Api, tmp_path: Path
) -> None:
    with receiver({}) as rec:
        container.fetcher = UrlFetcher(loopback_exception(rec.port))
        r = await api(
            CREATE,
            {
                "input": {
                    "url": rec.url("/hook"),
                    "eventTypes": [
                        "JOB_STATUS_CHANGED",
                        "RENDER_COMPLETED",
                        "ASSET_READY",
                        "JOB_STORYBOARD_READY",
                    ],
                }
            },
        )
        secret = r["data"]["createWebhookEndpoint"]["secret"]
        brand = await make_brand(api, tmp_path / "brand", music_seconds=8.0)
        job_id = await create_job(api, brand)
        await wait_for_job(api, job_id, {"COMPLETED"})
        queue = container.queue
        assert isinstance(queue, EmbeddedQueue)
        await queue.join()
        received = list(rec.received)
        assert rec.duplicates == 0

    bodies: list[dict[str, Any]] = []
    for got in received:
        body = Webhook(secret).verify(got.body, got.headers)
        spec_verify(secret, got.headers, got.body)
        bodies.append(body)
    uploads = [b["data"]["id"] for b in bodies if b["type"] == "asset.ready"]
    assert sorted(uploads) == sorted([brand.logo, *brand.products, brand.music])

    job = [b for b in bodies if b["type"].startswith("job.") and b["data"]["jobId"] == job_id]
    job.sort(key=lambda b: b["data"]["sequence"])
    statuses = [b["data"]["status"] for b in job if b["type"] == "job.status_changed"]
    assert statuses[0] == "QUEUED" and statuses[-1] == "COMPLETED"
    assert "PLANNING" in statuses and "RENDERING" in statuses
    assert all(a != b for a, b in itertools.pairwise(statuses)), statuses
    renders = [b for b in job if b["type"] == "job.render_completed"]
    assert len(renders) == 1 and renders[0]["data"]["payload"]["renderStatus"] == "COMPLETED"
    assert not [b for b in job if b["type"] == "job.storyboard_ready"]  # auto-approved

    r = await api(ENDPOINTS)
    [endpoint] = r["data"]["webhookEndpoints"]["edges"]
    deliveries = endpoint["node"]["deliveries"]["edges"]
    assert len(deliveries) == len(received)
    assert {d["node"]["status"] for d in deliveries} == {"DELIVERED"}
    print(json.dumps({"messages": len(received), "statuses": statuses}))
