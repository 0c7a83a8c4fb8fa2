"""The Python ``gql`` client against a live server: queries, mutations and subscriptions over both
WebSocket protocols (legacy ``graphql-ws``, gql's default, and ``graphql-transport-ws``), and
a multipart upload over HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gql import Client, FileVar, GraphQLRequest
from gql.transport.httpx import HTTPXAsyncTransport

from tests.support.graph import CREATE_CLIENT
from tests.support.jobs import emit, seed_job
from tests.support.live_server import LEGACY_WS, raw_connection, recv_json, send_json
from tests.support.media import make_png
from tests.support.subscriptions import JOB_EVENTS, PROTOCOLS, drive, gql_client, job_gid

UPLOAD = """mutation($input: UploadAssetInput!) {
  uploadAsset(input: $input) { asset { id kind status filename } userErrors { code message } }
}"""


def _assert_quiet(caplog: pytest.LogCaptureFixture) -> None:
    noisy = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert noisy == [], [r.getMessage() for r in noisy]


@pytest.fixture
def server_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Warnings and errors of the app and of uvicorn (whose loggers do not reach the root)."""
    caplog.set_level(logging.WARNING)
    logging.getLogger("uvicorn").addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        logging.getLogger("uvicorn").removeHandler(caplog.handler)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_query_mutation_and_subscription_over_websockets(
    live_api, protocol: str, server_log: pytest.LogCaptureFixture
) -> None:
    await _round_trip(live_api, protocol)
    _assert_quiet(server_log)


@pytest.mark.parametrize("how", ["close", "connection_terminate", "stop"])
async def test_legacy_disconnects_are_quiet(
    live_api, how: str, server_log: pytest.LogCaptureFixture
) -> None:
    async with live_api() as live:
        job = await seed_job(live.container.session_factory)
        await emit(live.container.session_factory, live.container.bus, job.job_id)
        async with raw_connection(live.base_url, LEGACY_WS) as ws:
            init = {"authorization": f"Bearer {job.key}"}
            await send_json(ws, {"type": "connection_init", "payload": init})
            assert (await recv_json(ws))["type"] == "connection_ack"
            variables = {"jobId": job_gid(job)}
            start = {"query": JOB_EVENTS, "variables": variables}
            await send_json(ws, {"type": "start", "id": "1", "payload": start})
            while (await recv_json(ws))["type"] != "data":
                pass
            if how != "close":
                await send_json(ws, {"type": how, "id": "1"})
            await asyncio.sleep(0.2)
        await asyncio.sleep(0.3)
    _assert_quiet(server_log)


async def _round_trip(live_api: Any, protocol: str) -> None:
    async with live_api() as live:
        job = await seed_job(live.container.session_factory)
        await emit(live.container.session_factory, live.container.bus, job.job_id)
        async with gql_client(live, job.key, protocol) as session:
            viewer = await session.execute(GraphQLRequest("{ viewer { organization { name } } }"))
            assert viewer["viewer"]["organization"]["name"].startswith("org-")

            created = await session.execute(
                GraphQLRequest(CREATE_CLIENT, variable_values={"input": {"name": "Acme WS"}})
            )
            payload = created["createClient"]
            assert payload["userErrors"] == [] and payload["client"]["name"] == "Acme WS"

            listed = await session.execute(
                GraphQLRequest("{ clients { edges { node { name } } } }")
            )
            assert "Acme WS" in [e["node"]["name"] for e in listed["clients"]["edges"]]

            received: list[dict[str, Any]] = []
            driver: asyncio.Task[None] | None = None
            request = GraphQLRequest(JOB_EVENTS, variable_values={"jobId": job_gid(job)})
            async with asyncio.timeout(30):
                async for result in session.subscribe(request):
                    received.append(result["jobEvents"])
                    if driver is None:  # subscribed (first event replayed): the job runs
                        driver = asyncio.create_task(drive(live, job, 3))
            assert driver is not None
            await driver
        assert received[-1]["type"] == "JOB_COMPLETED"
        assert received[-1]["status"] == "COMPLETED"


async def test_multipart_upload_over_http(live_api, tmp_path: Path) -> None:
    async with live_api() as live:
        job = await seed_job(live.container.session_factory)
        transport = HTTPXAsyncTransport(
            url=f"{live.base_url}/graphql",
            headers={"Authorization": f"Bearer {job.key}", "X-Adreel-Upload": "1"},
        )
        async with Client(transport=transport) as session:
            created = await session.execute(
                GraphQLRequest(CREATE_CLIENT, variable_values={"input": {"name": "Uploads"}})
            )
            client_id = created["createClient"]["client"]["id"]
            request = GraphQLRequest(
                UPLOAD,
                variable_values={
                    "input": {
                        "clientId": client_id,
                        "file": FileVar(str(make_png(tmp_path, 32, 24, "logo.png"))),
                    },
                },
            )
            result = await session.execute(request, upload_files=True)
        payload = result["uploadAsset"]
        assert payload["userErrors"] == []
        assert payload["asset"]["kind"] == "IMAGE" and payload["asset"]["filename"] == "logo.png"
