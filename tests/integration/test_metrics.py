"""``/metrics``: scraped after real requests and a real pipeline run, parsed with
prometheus_client's text parser; who may scrape; several processes added up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.settings import Settings
from tests.conftest import Api
from tests.support.metrics import parse, scrape, value
from tests.support.pipeline import create_job, make_brand, rendering_settings, wait_for_job

VIEWER = "query Viewer { viewer { organization { name } } }"
BAD = 'mutation BadClient { createClient(input: {name: ""}) { client { id } userErrors { code } } }'


async def test_requests_and_operations_move_the_counters(api: Api, http: httpx.AsyncClient) -> None:
    before = await scrape(http)
    assert (await api(VIEWER))["data"]["viewer"]["organization"]["name"]
    await api(VIEWER)
    unauthenticated = await api(VIEWER, key=None)
    assert unauthenticated["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await api("query Broken { viewer { nope } }")
    after = await scrape(http)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    ok = {"operation": "Viewer", "type": "query", "outcome": "ok"}
    assert moved("adreel_graphql_operations_total", **ok) == 2
    assert moved("adreel_graphql_operation_duration_seconds_count", operation="Viewer") >= 2
    assert moved("adreel_graphql_operations_total", operation="Broken", outcome="BAD_REQUEST") == 1
    # POST /graphql answered 200 four times or more (the refusal answers 401)
    assert moved("adreel_http_requests_total", method="POST", route="/graphql", status="200") >= 3
    assert moved("adreel_http_requests_total", method="POST", route="/graphql", status="401") == 1
    assert moved("adreel_http_request_duration_seconds_count", route="/graphql") == 4
    # the first scrape itself was counted by the time of the second
    assert moved("adreel_http_requests_total", route="/metrics", status="200") == 1
    # jobs by status are read from the database at each scrape, every status listed
    statuses = {labels["status"] for name, labels, _ in parse(after) if name == "adreel_jobs"}
    assert {"QUEUED", "COMPLETED", "FAILED", "CANCELED"} <= statuses
    assert value(after, "adreel_database_up") == 1
    assert value(after, "adreel_queue_depth") >= 0


async def test_every_response_carries_a_request_id(http: httpx.AsyncClient) -> None:
    answer = await http.get("/healthz")
    assert len(answer.headers["x-request-id"]) == 16
    echoed = await http.get("/healthz", headers={"X-Request-Id": "trace-abc-12345"})
    assert echoed.headers["x-request-id"] == "trace-abc-12345"
    junk = await http.get("/healthz", headers={"X-Request-Id": "bad id\twith spaces"})
    assert junk.headers["x-request-id"] != "bad id\twith spaces"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_who_may_scrape(app: Any, container: Any, settings: Settings) -> None:
    def client(host: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(host, 4321))
        return httpx.AsyncClient(transport=transport, base_url="http://adreel.test")

    async with client("127.0.0.1") as local, client("203.0.113.9") as remote:
        assert (await local.get("/metrics")).status_code == 200
        assert (await remote.get("/metrics")).status_code == 404  # development: loopback only
        settings.metrics_token = __import__("pydantic").SecretStr("s3cret-token")
        try:
            assert (await remote.get("/metrics")).status_code == 401
            assert (await local.get("/metrics")).status_code == 401
            wrong = await remote.get("/metrics", headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
            right = await remote.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
            assert right.status_code == 200 and "adreel_jobs" in right.text
            settings.metrics_token = None
            settings.env = "production"
            assert (await local.get("/metrics")).status_code == 404  # production: token or port
        finally:
            settings.metrics_token = None
            settings.env = "test"


@pytest.mark.slow
class TestPipelineRun:
    @pytest.fixture
    def settings(self, data_dir: Path) -> Settings:
        return rendering_settings(data_dir)

    async def test_a_pipeline_run_moves_stage_ffmpeg_provider_and_upload_metrics(
        self, api: Api, http: httpx.AsyncClient, tmp_path: Path
    ) -> None:
        before = await scrape(http)
        brand = await make_brand(api, tmp_path / "kit", music_seconds=6.0)
        job_id = await create_job(api, brand, durationSeconds=5.0, sceneCount=3)
        await wait_for_job(api, job_id, {"COMPLETED"}, timeout=420)
        after = await scrape(http)

        def moved(name: str, **labels: str) -> float:
            return value(after, name, **labels) - value(before, name, **labels)

        for stage in ("PLAN", "STORYBOARD", "CLIPS", "COMPOSE", "RENDER"):
            assert moved("adreel_stage_runs_total", stage=stage, outcome="COMPLETED") >= 1, stage
            assert moved("adreel_stage_duration_seconds_count", stage=stage) >= 1, stage
            assert moved("adreel_stage_duration_seconds_sum", stage=stage) > 0, stage
        assert moved("adreel_ffmpeg_runs_total", outcome="ok") >= 5
        assert moved("adreel_ffmpeg_run_seconds_sum") > 0
        assert moved("adreel_provider_calls_total", outcome="succeeded") >= 3
        assert moved("adreel_provider_requests_total") >= 3
        assert moved("adreel_tasks_enqueued_total", task="run_stage") >= 5
        # the brand kit came in through uploadAsset: logo, two product shots, music
        assert moved("adreel_uploads_total", route="graphql") == 4
        assert moved("adreel_upload_bytes_total", route="graphql") > 10_000
        assert value(after, "adreel_jobs", status="COMPLETED") == 1
        assert value(before, "adreel_jobs", status="COMPLETED") == 0


RECORD = """
from decimal import Decimal
from domain.observability import metrics
metrics.record_ffmpeg("ok", 2.5)
metrics.record_provider_call("replicate", "flux", "succeeded", Decimal("0.25"))
metrics.metrics().websockets_open.inc()
import os, sys
if sys.argv[1:] == ["exit"]:  # what a worker's shutdown does
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(os.getpid())
"""

SCRAPE = """
from domain.observability.exposition import process_registry, render
print(render([process_registry()]).decode())
"""


def test_several_processes_add_up_in_multiprocess_mode(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    root = Path(__file__).resolve().parents[2]
    # two worker processes record; the second then shuts down as a worker does
    for args in ([], ["exit"]):
        subprocess.run([sys.executable, "-c", RECORD, *args], env=env, cwd=root, check=True)
    text = subprocess.run(
        [sys.executable, "-c", SCRAPE],
        env=env,
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert value(text, "adreel_ffmpeg_runs_total", outcome="ok") == 2
    assert value(text, "adreel_ffmpeg_run_seconds_sum") == 5.0
    assert value(text, "adreel_provider_cost_usd_total", provider="replicate", model="flux") == 0.5
    # a live gauge leaves out a process that shut down (its files are marked dead)
    assert value(text, "adreel_websockets_open") == 1
