"""Write ready-made WebSocket frames straight to a connection's socket.

A subscription event sent through the ASGI stack passes a dozen awaits per socket (Strawberry's
handler, Starlette, the middlewares, uvicorn's ``send``, websockets' framing). For a live event
that a thousand sockets receive, ``DirectSocket.write`` puts the frame's bytes on the socket's
transport in one call instead. Server frames are not masked, so one text makes the same bytes for
every socket: ``text_frame`` builds them once.

Only uvicorn's ``websockets-sansio`` implementation is written to this way (its protocol object
is the ASGI ``send`` the server hands in; ``DirectSocketCapture`` keeps it in the scope), and only
without a negotiated extension (permessage-deflate would need each socket's own compressor).
Everywhere else ``direct_socket`` answers ``None`` and messages take the ASGI path.

Backpressure: a write happens only while the transport accepts data without buffering past
its high-water mark (uvicorn's ``writable``). Past it, ``write`` declines and the message goes
the ordinary way, where the subscriber's bounded bus queue applies (a subscriber that falls that
far behind is closed with 1013): a slow socket never holds up the others, and what it can
buffer stays bounded (the transport's high-water mark plus its bus queue).
"""

from __future__ import annotations

import struct
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from resolvers.websockets import GuardedConnection, connection_of

_SCOPE_KEY = "adreel.ws_protocol"


def text_frame(text: str) -> bytes:
    """One unfragmented, unmasked WebSocket text frame (RFC 6455 5.2) carrying ``text``."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x81, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + payload


class DirectSocketCapture:
    """Outermost ASGI middleware: keeps a WebSocket's uvicorn protocol in its scope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            owner = getattr(send, "__self__", None)
            if isinstance(owner, WebSocketsSansIOProtocol):
                scope[_SCOPE_KEY] = owner
        await self.app(scope, receive, send)


class DirectSocket:
    """A WebSocket connection's transport, for frames that skip the ASGI stack."""

    __slots__ = ("_connection", "_protocol", "_transport")

    def __init__(self, protocol: WebSocketsSansIOProtocol, connection: GuardedConnection) -> None:
        self._protocol = protocol
        self._connection = connection
        self._transport = protocol.transport  # set when the connection was made, never again

    def write(self, frame: bytes) -> bool:
        """Write ``frame`` now; False (nothing written) when the socket is closing, closed or
        backed up, so the caller sends it the ordinary way.

        The connection's WebSocket state needs no check of its own: it leaves OPEN only when
        uvicorn sends a close (``close_sent``) or answers the client's and closes the transport
        in the same call, and a lost connection's transport is closing too."""
        protocol = self._protocol
        transport = self._transport
        if (
            not self._connection.open
            or protocol.close_sent
            or not protocol.writable.is_set()
            or transport.is_closing()
        ):
            return False
        transport.write(frame)
        return True


def direct_socket(request: Any) -> DirectSocket | None:
    """The direct writer of a WebSocket request, or ``None`` (messages take the ASGI path)."""
    connection = connection_of(request)
    if connection is None:
        return None
    protocol = request.scope.get(_SCOPE_KEY)
    if not isinstance(protocol, WebSocketsSansIOProtocol) or protocol.conn.extensions:
        return None
    return DirectSocket(protocol, connection)


__all__ = ["DirectSocket", "DirectSocketCapture", "direct_socket", "text_frame"]
