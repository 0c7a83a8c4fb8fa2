"""The legacy ``graphql-ws`` WebSocket protocol running queries and mutations too, quietly.

Strawberry's handler runs every ``start`` through ``schema.subscribe``, which accepts only
subscriptions: a query or a mutation (which legacy clients such as Python gql send over the
socket) came back as an ``INTERNAL`` error. This handler runs them through ``schema.stream``,
like the ``graphql-transport-ws`` handler does: one ``data`` message, then ``complete``.

When the client goes away, the handler cancels its operations, and each cancelled operation
tried to send ``complete`` on the closed socket: an ASGI exception per disconnect. Sends after
the connection ended are dropped here instead.

Like ``graphql-transport-ws``: a connection that sends no ``connection_init`` within
``ADREEL_WS_INIT_TIMEOUT_SECONDS`` is closed (4408), each ``start`` counts against the key's rate
limit (``resolvers.ws_admission``), and a ``start`` without a query string is answered with a
``BAD_REQUEST`` error message instead of breaking the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from graphql import GraphQLError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import (
    CompleteMessage,
    ConnectionInitMessage,
    ErrorMessage,
    OperationMessage,
    StartMessage,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError

from resolvers.context import Context
from resolvers.http_errors import BAD_REQUEST
from resolvers.websockets import CLOSE_INIT_TIMEOUT, connection_of
from resolvers.ws_admission import refused

INCREMENTAL_REFUSED = "@defer and @stream are not supported over WebSockets"
INIT_TIMEOUT_REASON = "Connection initialisation timeout"


class LegacyGraphQLWSHandler(BaseGraphQLWSHandler[Context, None]):
    """``graphql-ws`` (subscriptions-transport-ws) serving every operation type."""

    _closed = False
    _init_received = False
    _init_timer: asyncio.Task[None] | None = None

    async def handle(self) -> None:
        """Serve the connection, closing it if ``connection_init`` does not come in time."""
        self._init_timer = asyncio.create_task(self._init_timeout())
        try:
            await super().handle()
        finally:
            self._init_timer.cancel()

    async def _init_timeout(self) -> None:
        timeout = getattr(self.view, "connection_init_wait_timeout", None)
        if timeout is None:
            return
        await asyncio.sleep(timeout.total_seconds())
        if self._init_received:
            return
        connection = connection_of(self.context.request)
        if connection is not None:
            connection.abort(CLOSE_INIT_TIMEOUT, INIT_TIMEOUT_REASON)
        else:
            await self.websocket.close(code=CLOSE_INIT_TIMEOUT, reason=INIT_TIMEOUT_REASON)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        self._init_received = True
        await super().handle_connection_init(message)

    async def handle_start(self, message: StartMessage) -> None:
        """Check the message's shape and the rate limit, then start the operation."""
        if not self.connection_acknowledged:
            await super().handle_start(message)  # closes with 4401
            return
        operation_id = str(message.get("id"))
        payload = message.get("payload")
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            problem = GraphQLError(
                "a start message needs a payload with a query string",
                extensions={"code": BAD_REQUEST},
            )
            await self.send_message(
                ErrorMessage(type="error", id=operation_id, payload=problem.formatted)
            )
            return
        error = await refused(self.view, self.context)
        if error is not None:
            await self.send_message(
                ErrorMessage(type="error", id=operation_id, payload=error.formatted)
            )
            return
        await super().handle_start(message)

    async def cleanup(self) -> None:
        """The connection is over: cancel its operations without writing to it again."""
        self._closed = True
        await super().cleanup()

    async def handle_async_results(
        self,
        operation_id: str,
        query: str,
        operation_name: str | None,
        variables: dict[str, object] | None,
    ) -> None:
        try:
            result_source: Any = await self.schema.stream(
                query=query,
                variable_values=variables,
                operation_name=operation_name,
                context_value=self.context,
                root_value=self.root_value,
            )
            self.subscriptions[operation_id] = result_source
            first = True
            async for result in result_source:
                if first and isinstance(result, PreExecutionError):
                    assert result.errors
                    error = result.errors[0].formatted
                    await self.send_message(
                        ErrorMessage(type="error", id=operation_id, payload=error)
                    )
                    return
                if not isinstance(result, ExecutionResult):
                    refused = GraphQLError(INCREMENTAL_REFUSED, extensions={"code": BAD_REQUEST})
                    await self.send_message(
                        ErrorMessage(type="error", id=operation_id, payload=refused.formatted)
                    )
                    return
                await self.send_data_message(result, operation_id)
                first = False
            await self.send_message(CompleteMessage(type="complete", id=operation_id))
        except asyncio.CancelledError:
            await self.send_message(CompleteMessage(type="complete", id=operation_id))
        finally:
            self.subscriptions.pop(operation_id, None)
            self.tasks.pop(operation_id, None)

    async def send_message(self, message: OperationMessage) -> None:
        """Send, unless the connection is over (a cancelled operation's ``complete``)."""
        if self._closed:
            return
        with contextlib.suppress(WebSocketDisconnected):
            await super().send_message(message)
