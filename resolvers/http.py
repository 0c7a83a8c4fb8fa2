"""The GraphQL endpoint: authentication, rate limiting and the WebSocket handshake."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from cross_web import AsyncHTTPRequestAdapter
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult, SubscriptionExecutionResult
from strawberry.types.unset import UnsetType

from domain.bootstrap import Container
from domain.errors import AuthenticationError
from domain.observability import log_context
from domain.ports.ratelimit import RateLimiter
from domain.services.tenancy import Principal, active_keys, authenticate
from resolvers.admission import limit_anonymous, limit_key, rate_limited, refused_unparsed
from resolvers.context import Context
from resolvers.graphql_http import GraphQLOverHTTP
from resolvers.legacy_ws import LegacyGraphQLWSHandler
from resolvers.persisted_queries import query_store
from resolvers.websockets import (
    CLOSE_FORBIDDEN,
    CLOSE_TOO_MANY_CONNECTIONS,
    CLOSE_UNAUTHORIZED,
    ConnectionLimiter,
    KeyWatch,
    connection_of,
    serve_guarded,
)
from resolvers.ws_admission import GraphQLTransportWSHandler


class GraphQLEndpoint(GraphQLOverHTTP):
    """Strawberry's ASGI app with Adreel's context, auth and rate limits."""

    graphql_ws_handler_class = LegacyGraphQLWSHandler
    graphql_transport_ws_handler_class = GraphQLTransportWSHandler

    def __init__(
        self, schema: Any, container: Container, rate_limiter: RateLimiter, **kwargs: Any
    ) -> None:
        settings = container.settings
        kwargs.setdefault(
            "max_subscriptions_per_connection", settings.ws_max_subscriptions_per_connection
        )
        kwargs.setdefault(
            "connection_init_wait_timeout", timedelta(seconds=settings.ws_init_timeout_seconds)
        )
        kwargs.setdefault(
            "persisted_queries",
            query_store(
                settings.redis_url,
                settings.persisted_query_cache_size,
                settings.persisted_query_ttl_seconds,
            ),
        )
        super().__init__(schema, **kwargs)
        self.retry_after_seconds = settings.outage_retry_after_seconds
        self.container = container
        self.rate_limiter = rate_limiter
        self.connections = ConnectionLimiter(settings.ws_max_connections_per_key)
        self.key_watch = KeyWatch(self._active_keys, settings.ws_key_recheck_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await serve_guarded(
                super().__call__,
                scope,
                receive,
                send,
                close_timeout=self.container.settings.ws_close_timeout_seconds,
            )
        else:
            await super().__call__(scope, receive, send)

    async def start(self) -> None:
        """Follow key revocations announced on the bus (to close those keys' sockets)."""
        await self.key_watch.listen(self.container.bus)

    async def aclose(self) -> None:
        """Stop following revocations; release the persisted-query store."""
        await self.key_watch.stop()
        await super().aclose()

    async def admit_operation(self, context: Context) -> GraphQLError | None:
        """Count a WebSocket operation against its key's rate limit, like an HTTP request;
        the error to answer it with when over the limit."""
        if context.principal is None:
            return None  # not acknowledged: the protocol handler refuses it
        wait = await limit_key(self.rate_limiter, self.container.settings, context.principal)
        return None if wait is None else rate_limited(wait)

    async def _active_keys(self, key_ids: set[uuid.UUID]) -> set[uuid.UUID]:
        async with self.container.session_factory() as session:
            return await active_keys(session, key_ids)

    async def _authenticate(self, authorization: str | None) -> Principal:
        async with self.container.session_factory() as session:
            return await authenticate(session, authorization)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        ctx = Context(request=request, response=response, container=self.container)
        if isinstance(response, Response):
            response.headers["X-Request-Id"] = ctx.request_id
        if isinstance(request, Request):
            authorization = request.headers.get("authorization")
            if authorization:
                try:
                    ctx.principal = await self._authenticate(authorization)
                    log_context.bind(organization_id=ctx.principal.organization_id)
                except AuthenticationError as exc:
                    ctx.auth_error = str(exc)
            settings = self.container.settings
            if ctx.principal is not None:
                ctx.retry_after = await limit_key(self.rate_limiter, settings, ctx.principal)
            else:
                ctx.retry_after = await limit_anonymous(self.rate_limiter, settings, request)
        return ctx

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        """Refuse callers without a key or over their rate limit before parsing anything."""
        refused = refused_unparsed(context)
        if refused is not None:
            return refused
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        authorization = params.get("authorization") or params.get("Authorization")
        connection = connection_of(context.request)
        try:
            principal = await self._authenticate(
                authorization if isinstance(authorization, str) else None
            )
        except AuthenticationError as exc:
            if connection is not None:
                code = CLOSE_UNAUTHORIZED if not authorization else CLOSE_FORBIDDEN
                connection.close_with(code, str(exc))
            raise ConnectionRejectionError({"reason": str(exc)}) from exc
        if connection is not None:
            key_id = principal.api_key_id
            if not self.connections.acquire(key_id):
                reason = "too many open connections for this API key"
                connection.close_with(CLOSE_TOO_MANY_CONNECTIONS, reason)
                raise ConnectionRejectionError({"reason": reason})
            connection.on_finish(lambda: self.connections.release(key_id))
            self.key_watch.watch(key_id, connection)
        context.principal = principal
        log_context.bind(organization_id=principal.organization_id)
        return await super().on_ws_connect(context)
