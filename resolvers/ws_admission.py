"""Every WebSocket operation passes the same gate as an HTTP request (both protocols).

A GraphQL WebSocket carries many operations over one authenticated connection. Each ``subscribe``
(``graphql-transport-ws``) or ``start`` (legacy ``graphql-ws``) is counted against the key's rate
limit before it is parsed; over the limit, that operation alone is answered with an ``error``
message carrying ``extensions.code = RATE_LIMITED`` and ``retryAfter``, and the socket stays
usable. This module holds the ``graphql-transport-ws`` handler and the gate both handlers use.

Each ``graphql-transport-ws`` operation is also offered a direct way to its socket for its live
events (``resolvers.live_frames``), when the server allows writing to it directly.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from graphql import GraphQLError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from resolvers.context import Context
from resolvers.direct_socket import direct_socket
from resolvers.live_frames import Outlet, open_outlet


@runtime_checkable
class OperationGate(Protocol):
    """The view's check of one WebSocket operation (``GraphQLEndpoint.admit_operation``)."""

    async def admit_operation(self, context: Context) -> GraphQLError | None:
        """``None`` to run the operation, else the error that answers it."""
        ...


async def refused(view: object, context: Context) -> GraphQLError | None:
    """Why ``view`` refuses the next operation on the connection, or ``None``."""
    if isinstance(view, OperationGate):
        return await view.admit_operation(context)
    return None


class GraphQLTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """``graphql-transport-ws`` with each operation counted against the key's rate limit."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and message["id"] not in self.operations:
            error = await refused(self.view, self.context)
            if error is not None:
                await self.send_message(
                    {"id": message["id"], "type": "error", "payload": [error.formatted]}
                )
                return
        await super().handle_subscribe(message)

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """Run the operation (in its own task), with a direct way to its socket if there is one."""
        socket = direct_socket(self.context.request)
        if socket is not None:
            operations = self.operations

            def running() -> bool:
                return operations.get(operation.id) is operation and not operation.completed

            open_outlet(Outlet(socket, operation.id, running))
        await super().run_operation(operation)


__all__ = ["GraphQLTransportWSHandler", "OperationGate", "refused"]
