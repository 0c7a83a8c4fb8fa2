"""Real clients over real sockets: ``adreel serve --seed`` as a person runs it, and WebSocket auth."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from tests.support.graph import create_campaign, create_client
from tests.support.live_server import LEGACY_WS, TRANSPORT_WS, raw_connection, recv_json, send_json
from tests.support.redis_server import free_port

ADREEL = Path(sys.executable).parent / "adreel"
KEY = re.compile(r"^adr_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$")


class Served:
    def __init__(self, process: subprocess.Popen[str], lines: list[str], port: int) -> None:
        self.process = process
        self.lines = lines
        self.base_url = f"http://127.0.0.1:{port}"


@pytest.fixture
def served(tmp_path) -> Iterator[Served]:
    """``adreel serve --seed`` on a free port with a fresh data directory (the README's path)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADREEL_")}
    env.update(ADREEL_DATA_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [str(ADREEL), "serve", "--seed", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                raise AssertionError("adreel serve exited:\n" + "".join(lines))
            lines.append(line.rstrip("\n"))
            if "Application startup complete" in line:
                break
        else:
            raise AssertionError("adreel serve did not start:\n" + "\n".join(lines))
        yield Served(process, lines, port)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


async def test_serve_seed_prints_key_and_graphiql_then_serves(served: Served) -> None:
    lines = served.lines
    assert f"GraphiQL: {served.base_url}/graphql" in lines
    keys = [line for line in lines if KEY.match(line)]
    assert len(keys) == 1, lines
    key = keys[0]
    assert any("API key" in line and "GraphiQL" in line for line in lines)
    assert not any("?headers=" in line for line in lines)  # the key never goes into a URL
    assert [line for line in lines if key in line and "://" in line] == [
        line for line in lines if line.startswith("From a shell: curl")
    ]

    async with httpx.AsyncClient(base_url=served.base_url, timeout=30) as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        assert (await http.get("/readyz")).status_code == 200
        page = await http.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()

        headers = {"Authorization": f"Bearer {key}"}

        async def api(query: str, variables: dict[str, Any] | None = None, **_: Any) -> Any:
            response = await http.post(
                "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
            )
            return response.json()

        r = await api("{ viewer { organization { name } } }")
        assert r == {"data": {"viewer": {"organization": {"name": "Demo"}}}}
        # what the README asks a person to do: a client, a campaign, and paging through them
        client = await create_client(api, "Acme Coffee", brandColors=["#6f4e37"])
        for name in ("Spring launch", "Summer promo", "Autumn teaser"):
            await create_campaign(api, client, name)
        seen: list[str] = []
        after = None
        while True:
            r = await api(
                "query($after: String) { campaigns(first: 2, after: $after) { totalCount"
                " edges { node { name client { name } } } pageInfo { hasNextPage endCursor } } }",
                {"after": after},
            )
            conn = r["data"]["campaigns"]
            assert conn["totalCount"] == 3
            seen += [e["node"]["name"] for e in conn["edges"]]
            if not conn["pageInfo"]["hasNextPage"]:
                break
            after = conn["pageInfo"]["endCursor"]
        assert seen == ["Spring launch", "Summer promo", "Autumn teaser"]
        r = await api("{ clients(first: 5) { edges { node { name stats { campaignCount } } } } }")
        assert r["data"]["clients"]["edges"] == [
            {"node": {"name": "Acme Coffee", "stats": {"campaignCount": 3}}}
        ]


# ---------------------------------------------------------------- WebSocket connection_init auth


async def _key(live) -> str:
    from tests.conftest import new_key

    return await new_key(live.container, "ws-org")


VIEWER = "{ viewer { organization { name } } }"


async def test_graphql_transport_ws_authenticates_connection_init(live_api) -> None:
    async with live_api() as live:
        key = await _key(live)
        async with raw_connection(live.base_url, TRANSPORT_WS) as ws:
            await send_json(
                ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {key}"}}
            )
            assert (await recv_json(ws))["type"] == "connection_ack"
            await send_json(ws, {"id": "1", "type": "subscribe", "payload": {"query": VIEWER}})
            message = await recv_json(ws)
            assert message == {
                "id": "1",
                "type": "next",
                "payload": {"data": {"viewer": {"organization": {"name": "ws-org"}}}},
            }
            assert (await recv_json(ws))["type"] == "complete"

        for payload in ({}, {"authorization": "Bearer adr_00000000_nope"}, {"authorization": key}):
            async with raw_connection(live.base_url, TRANSPORT_WS) as ws:
                await send_json(ws, {"type": "connection_init", "payload": payload})
                with pytest.raises(ConnectionClosed) as closed:
                    await recv_json(ws)
                assert closed.value.rcvd is not None and 4400 <= closed.value.rcvd.code < 4500


async def test_graphql_ws_authenticates_connection_init(live_api) -> None:
    async with live_api() as live:
        key = await _key(live)
        async with raw_connection(live.base_url, LEGACY_WS) as ws:
            await send_json(
                ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {key}"}}
            )
            assert (await recv_json(ws))["type"] == "connection_ack"
            # (this legacy protocol carries subscriptions only; their tests live with them)

        async with raw_connection(live.base_url, LEGACY_WS) as ws:
            await send_json(ws, {"type": "connection_init", "payload": {}})
            received: list[dict[str, Any]] = []
            with pytest.raises(ConnectionClosed):
                while True:
                    received.append(await recv_json(ws))
            assert [m["type"] for m in received] == ["connection_error"]
