"""Structured logs: every line a JSON object carrying the request id, organization, job and
stage where known (production), readable lines otherwise."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import httpx
import pytest

from domain.observability import logs
from domain.settings import Settings
from tests.conftest import Api
from tests.support.pipeline import create_job, make_brand, rendering_settings, wait_for_job


def captured(log_format: Literal["auto", "json", "text"]) -> tuple[io.StringIO, logging.Handler]:
    stream = io.StringIO()
    handler = logs.handler(Settings(env="test", log_format=log_format), stream)
    return stream, handler


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Everything logged at INFO (adreel.http at DEBUG) during the test, as JSON lines."""
    stream, handler = captured("json")
    root = logging.getLogger()
    http_log = logging.getLogger("adreel.http")
    levels = root.level, http_log.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    http_log.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        http_log.setLevel(levels[1])


def records(stream: io.StringIO) -> list[dict[str, object]]:
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    assert lines, "nothing was logged"
    return [json.loads(line) for line in lines]  # every line parses as JSON


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_request_logs_json_with_its_request_id_and_organization(
    api: Api, http: httpx.AsyncClient, json_lines: io.StringIO
) -> None:
    response = await http.post(
        "/graphql",
        json={"query": "{ viewer { organization { id name } } }"},
        headers={"Authorization": f"Bearer {api.key}", "X-Request-Id": "req-under-test-1"},
    )
    assert response.status_code == 200
    lines = records(json_lines)
    done = [r for r in lines if r.get("request_id") == "req-under-test-1"]
    assert done, lines
    line = done[-1]
    assert line["logger"] == "adreel.http" and line["level"] == "DEBUG"
    assert line["route"] == "/graphql" and line["status"] == 200 and line["method"] == "POST"
    assert "time" in line and "message" in line
    # the organization the key belongs to (its UUID; the API shows it as a global ID)
    assert isinstance(line["organization_id"], str) and len(line["organization_id"]) == 36
    assert "job_id" not in line and "stage" not in line  # unknown here: left out


async def test_text_format_in_development_names_the_context() -> None:
    stream, handler = captured("auto")  # env=test: readable
    logger = logging.getLogger("adreel.test.text")
    logger.addHandler(handler)
    logger.propagate = False
    from domain.observability import log_context

    with log_context.bound(job_id="j1", stage="PLAN"):
        logger.warning("hello")
    logger.removeHandler(handler)
    line = stream.getvalue().strip()
    assert line.endswith("adreel.test.text: hello [job_id=j1 stage=PLAN]"), line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_production_means_json() -> None:
    production = Settings(env="production", secret_key="x" * 32)
    assert logs.json_wanted(production)
    assert not logs.json_wanted(Settings(env="development"))
    assert logs.json_wanted(Settings(env="development", log_format="json"))


@pytest.mark.slow
class TestStageLogs:
    @pytest.fixture
    def settings(self, data_dir: Path) -> Settings:
        return rendering_settings(data_dir)

    async def test_stage_lines_carry_job_stage_and_organization(
        self, api: Api, tmp_path: Path, json_lines: io.StringIO
    ) -> None:
        brand = await make_brand(api, tmp_path / "kit", music_seconds=4.0)
        job_id = await create_job(api, brand, durationSeconds=5.0, sceneCount=3, autoApprove=False)
        await wait_for_job(api, job_id, {"STORYBOARD_READY"}, timeout=300)
        lines = records(json_lines)
        stages = [r for r in lines if r["logger"] == "tasks.pipeline"]
        assert {r["stage"] for r in stages} >= {"PLAN", "STORYBOARD"}, lines
        for line in stages:
            assert line["outcome"] == "COMPLETED"
            assert len(str(line["job_id"])) == 36 and len(str(line["organization_id"])) == 36
            assert "request_id" not in line  # a stage is not the request that queued it
