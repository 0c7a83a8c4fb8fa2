"""The GraphQL endpoint: authentication, rate limiting and the WebSocket handshake."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UnsetType

from domain.bootstrap import Container
from domain.errors import AuthenticationError
from domain.ports.ratelimit import RateLimiter
from domain.services.tenancy import Principal, authenticate
from resolvers.context import Context


class GraphQLEndpoint(GraphQL[Context, None]):
    """Strawberry's ASGI app with Adreel's context, auth and rate limits."""

    def __init__(
        self, schema: Any, container: Container, rate_limiter: RateLimiter, **kwargs: Any
    ) -> None:
        super().__init__(schema, **kwargs)
        self.container = container
        self.rate_limiter = rate_limiter

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
                except AuthenticationError as exc:
                    ctx.auth_error = str(exc)
            if ctx.principal is not None:
                settings = self.container.settings
                ctx.retry_after = await self.rate_limiter.hit(
                    str(ctx.principal.api_key_id),
                    ctx.principal.rate_limit_per_minute or settings.rate_limit_per_minute,
                    settings.rate_limit_burst,
                )
        return ctx

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        authorization = params.get("authorization") or params.get("Authorization")
        try:
            context.principal = await self._authenticate(
                authorization if isinstance(authorization, str) else None
            )
        except AuthenticationError as exc:
            raise ConnectionRejectionError({"reason": str(exc)}) from exc
        return await super().on_ws_connect(context)
