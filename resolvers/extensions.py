"""Schema extensions: operation scope, access control, and the error policy."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from domain.errors import AuthenticationError, DomainError, ServiceUnavailable
from resolvers.admission import refusal, root_fields
from resolvers.context import Context

log = logging.getLogger("adreel.graphql")


def _context(extension: SchemaExtension) -> Context | None:
    ctx = extension.execution_context.context
    return ctx if isinstance(ctx, Context) else None


class OperationScope(SchemaExtension):
    """Closes the operation's session and drops its loaders when the operation ends."""

    async def on_operation(self) -> AsyncIterator[None]:
        ctx = _context(self)
        if ctx is not None:
            await ctx.begin_operation()
        try:
            yield
        finally:
            ctx = _context(self)
            if ctx is not None:
                await ctx.end_operation()


class AccessControl(SchemaExtension):
    """No key, no data; over the rate limit, no work. Introspection alone needs no key.

    Requests refused without parsing are answered by the endpoint (see ``resolvers.admission``);
    here the parsed document is refused before it is validated.
    """

    def on_validate(self) -> Iterator[None]:
        ctx = _context(self)
        document = self.execution_context.graphql_document
        if ctx is not None and document is not None:
            fields = root_fields(document, self.execution_context.operation_name)
            error = refusal(ctx, fields)
            if error is not None:
                self.execution_context.pre_execution_errors = [error]
        yield


SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


def unavailable_message(error: ServiceUnavailable, request_id: str) -> str:
    """What a client is told during an outage (the service, never the driver's words)."""
    return (
        f"The service is temporarily unavailable ({error.service}); retry shortly. "
        f"Request id {request_id}."
    )


def _translate(error: GraphQLError, request_id: str) -> GraphQLError:
    original = error.original_error
    if original is None:
        return error  # parse and validation errors speak about the request itself
    if isinstance(original, DomainError):
        extensions = {"code": original.code.value}
        if original.field:
            extensions["field"] = ".".join(original.field)
        return GraphQLError(
            original.message,
            error.nodes,
            error.source,
            error.positions,
            error.path,
            extensions=extensions,
        )
    if isinstance(original, AuthenticationError):
        return GraphQLError(
            str(original),
            error.nodes,
            error.source,
            error.positions,
            error.path,
            extensions={"code": "UNAUTHENTICATED"},
        )
    if isinstance(original, GraphQLError):
        return original
    if isinstance(original, ServiceUnavailable):
        log.warning("%s (request %s)", original, request_id)
        return GraphQLError(
            unavailable_message(original, request_id),
            error.nodes,
            error.source,
            error.positions,
            error.path,
            extensions={"code": SERVICE_UNAVAILABLE, "requestId": request_id},
        )
    log.error("internal error (request %s)", request_id, exc_info=original)
    return GraphQLError(
        f"Internal error. Quote request id {request_id} when reporting it.",
        error.nodes,
        error.source,
        error.positions,
        error.path,
        extensions={"code": "INTERNAL", "requestId": request_id},
    )


class ErrorPolicy(SchemaExtension):
    """Domain errors keep their code; anything unexpected is logged and masked."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        ctx = _context(self)
        request_id = ctx.request_id if ctx else "-"
        if result is not None and result.errors:
            result.errors = [_translate(e, request_id) for e in result.errors]
            if ctx is not None and any(
                (e.extensions or {}).get("code") == SERVICE_UNAVAILABLE for e in result.errors
            ):
                ctx.answer_unavailable()

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """The same policy for every result a subscription streams over a WebSocket."""
        errors = getattr(result, "errors", None)
        if errors:
            ctx = _context(self)
            request_id = ctx.request_id if ctx else "-"
            result.errors = [_translate(e, request_id) for e in errors]
        yield
