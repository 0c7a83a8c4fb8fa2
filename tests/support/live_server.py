"""Serve an ASGI app with uvicorn on a free loopback port inside the test's event loop."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from domain.bootstrap import Container

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"


@asynccontextmanager
async def serve(
    app: Any, *, send_buffer: int | None = None, ws_per_message_deflate: bool = False
) -> AsyncIterator[str]:
    """Run ``app`` (its lifespan included) on 127.0.0.1; yield the base ``http://`` URL.

    WebSockets as ``adreel serve`` runs them: ``websockets-sansio``, permessage-deflate only
    when asked for (``ADREEL_WS_PER_MESSAGE_DEFLATE``).

    ``send_buffer`` fixes the kernel send buffer of accepted connections (no autotuning up to
    megabytes), so a client that stops reading backs the server up after a few messages.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if send_buffer is not None:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="on",
        log_level="warning",
        ws="websockets-sansio",
        ws_ping_interval=None,
        ws_per_message_deflate=ws_per_message_deflate,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        async with asyncio.timeout(20):
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("uvicorn stopped during start-up")
                await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(task, 20)
        except TimeoutError:
            server.force_exit = True
            await task
        listener.close()


@dataclass
class Live:
    """A running API: its base URL and the container behind it."""

    base_url: str
    container: Container


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://") + "/graphql"


@asynccontextmanager
async def raw_connection(
    base_url: str, protocol: str, **connect_args: Any
) -> AsyncIterator[ClientConnection]:
    """A bare WebSocket speaking ``protocol`` (no connection_init sent yet)."""
    async with connect(ws_url(base_url), subprotocols=[protocol], **connect_args) as ws:  # type: ignore[list-item]
        yield ws


async def send_json(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


async def recv_json(ws: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        data: dict[str, Any] = json.loads(await ws.recv())
        return data
