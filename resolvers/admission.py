"""Who may have a document parsed and validated: callers without a key get no work done.

A request without a valid key is refused before its document is parsed, unless introspection is
allowed (outside production): then the document is parsed (a cost bounded by the token limit)
to see whether it asks for introspection alone, and anything else is refused before validation.
Callers without a key are rate limited per client address, on their own (smaller) budget; callers
with a key on the key's budget, one hit per HTTP request and per WebSocket operation (both
protocols), so a socket is no way around the limit. Over the budget, nothing is parsed.
"""

from __future__ import annotations

import math

from graphql import DocumentNode, FieldNode, GraphQLError, OperationDefinitionNode
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import ExecutionResult

from domain.errors import ErrorCode
from domain.ports.ratelimit import RateLimiter
from domain.services.tenancy import Principal
from domain.settings import Settings
from resolvers.context import Context

INTROSPECTION_FIELDS = frozenset({"__schema", "__type", "__typename"})


def client_address(request: Request) -> str:
    """The address the request came from (the peer of the connection)."""
    return request.client.host if request.client else "unknown"


async def limit_anonymous(
    rate_limiter: RateLimiter, settings: Settings, request: Request
) -> float | None:
    """Count a request without a valid key against its address's budget; seconds to wait."""
    return await rate_limiter.hit(
        f"anonymous:{client_address(request)}",
        settings.anonymous_rate_limit_per_minute,
        settings.anonymous_rate_limit_burst,
    )


async def limit_key(
    rate_limiter: RateLimiter, settings: Settings, principal: Principal
) -> float | None:
    """Count one operation against the key's budget (every transport); seconds to wait."""
    return await rate_limiter.hit(
        str(principal.api_key_id),
        principal.rate_limit_per_minute or settings.rate_limit_per_minute,
        settings.rate_limit_burst,
    )


def rate_limited(retry_after: float) -> GraphQLError:
    """The error of an operation refused for being over the rate limit."""
    return GraphQLError(
        f"rate limit exceeded: retry in {math.ceil(retry_after)} s",
        extensions={"code": ErrorCode.RATE_LIMITED.value, "retryAfter": retry_after},
    )


def root_fields(document: DocumentNode, operation_name: str | None) -> set[str]:
    """The root fields the operation selects (``?`` for a fragment at the root)."""
    fields: set[str] = set()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            operation_name is None or (definition.name and definition.name.value == operation_name)
        ):
            for selection in definition.selection_set.selections:
                fields.add(selection.name.value if isinstance(selection, FieldNode) else "?")
    return fields


def _set_status(ctx: Context, status: int, retry_after: float | None = None) -> None:
    if isinstance(ctx.response, Response):
        ctx.response.status_code = status
        if retry_after is not None:
            ctx.response.headers["Retry-After"] = str(max(1, math.ceil(retry_after)))


def refusal(ctx: Context, fields: set[str] | None) -> GraphQLError | None:
    """Why the operation is refused (and the response status set), or ``None``.

    ``fields`` are the operation's root fields, or ``None`` before the document is parsed: then
    a caller without a key is refused only if it could not be asking for introspection.
    """
    introspection = not ctx.container.settings.is_production
    if ctx.retry_after is not None:
        _set_status(ctx, 429, ctx.retry_after)
        return rate_limited(ctx.retry_after)
    if ctx.principal is not None:
        return None
    if introspection and (fields is None or fields <= INTROSPECTION_FIELDS):
        return None
    _set_status(ctx, 401)
    return GraphQLError(
        ctx.auth_error or "authentication required: send Authorization: Bearer <api key>",
        extensions={"code": "UNAUTHENTICATED"},
    )


def refused_unparsed(ctx: Context) -> ExecutionResult | None:
    """The answer to a request refused before its document is parsed, or ``None``."""
    error = refusal(ctx, None)
    return None if error is None else ExecutionResult(data=None, errors=[error])
