"""WebSocket frames built once for many sockets are the frames websockets itself would send,
written only while uvicorn's own protocol may still send them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState
from websockets.frames import Close, Frame, Opcode
from websockets.protocol import State

from resolvers.direct_socket import DirectSocket, text_frame
from resolvers.websockets import GuardedConnection


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 200_000])
def test_text_frames_match_the_websockets_serialisation(size: int) -> None:
    text = ("é" * size)[:size] if size % 2 else "x" * size
    expected = Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])
    assert text_frame(text) == expected


class _Transport(asyncio.Transport):
    """Records what the protocol writes; closing as asyncio's transports close."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


HANDSHAKE = (
    b"GET /graphql HTTP/1.1\r\nHost: example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


async def _accepted() -> tuple[WebSocketsSansIOProtocol, _Transport, DirectSocket]:
    """uvicorn's own WebSocket protocol, through its handshake, accepted by an ASGI app."""
    sockets: list[DirectSocket] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        sockets.append(DirectSocket(send.__self__, GuardedConnection(receive, send, 1.0)))
        await asyncio.Event().wait()  # the connection stays up

    config = Config(app=app, ws="websockets-sansio", ws_per_message_deflate=False, lifespan="off")
    config.load()
    protocol = WebSocketsSansIOProtocol(config, ServerState(), {})
    transport = _Transport()
    protocol.connection_made(transport)
    protocol.data_received(HANDSHAKE)
    while not sockets:
        await asyncio.sleep(0)
    return protocol, transport, sockets[0]


async def test_a_direct_write_stops_when_the_client_closes() -> None:
    protocol, transport, socket = await _accepted()
    frame = text_frame("live")
    assert socket.write(frame) and transport.written[-1] == frame
    close = Frame(Opcode.CLOSE, Close(1000, "bye").serialize())
    protocol.data_received(close.serialize(mask=True, extensions=[]))
    # the WebSocket left OPEN without uvicorn's close_sent: its transport is what says so
    assert protocol.conn.state is not State.OPEN and not protocol.close_sent
    written = len(transport.written)
    assert not socket.write(frame) and len(transport.written) == written


async def test_a_direct_write_waits_for_a_backed_up_socket_and_stops_when_it_is_lost() -> None:
    protocol, transport, socket = await _accepted()
    frame = text_frame("live")
    protocol.pause_writing()
    assert not socket.write(frame)
    protocol.resume_writing()
    assert socket.write(frame)
    protocol.connection_lost(None)
    assert not socket.write(frame) and transport.written[-1] == frame
