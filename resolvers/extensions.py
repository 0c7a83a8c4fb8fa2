"""Schema extensions: operation scope, access control, and the error policy."""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import FieldNode, GraphQLError, OperationDefinitionNode
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

from domain.errors import AuthenticationError, DomainError, ErrorCode
from resolvers.context import Context

log = logging.getLogger("adreel.graphql")

INTROSPECTION_FIELDS = frozenset({"__schema", "__type", "__typename"})


def _context(extension: SchemaExtension) -> Context | None:
    ctx = extension.execution_context.context
    return ctx if isinstance(ctx, Context) else None


def _root_fields(extension: SchemaExtension) -> set[str]:
    document = extension.execution_context.graphql_document
    if document is None:
        return set()
    name = extension.execution_context.operation_name
    fields: set[str] = set()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name and definition.name.value == name)
        ):
            for selection in definition.selection_set.selections:
                fields.add(selection.name.value if isinstance(selection, FieldNode) else "?")
    return fields


def _set_status(ctx: Context, status: int, retry_after: float | None = None) -> None:
    if isinstance(ctx.response, Response):
        ctx.response.status_code = status
        if retry_after is not None:
            ctx.response.headers["Retry-After"] = str(max(1, math.ceil(retry_after)))


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
    """No key, no data; over the rate limit, no execution. Introspection alone needs no key."""

    def on_execute(self) -> Iterator[None]:
        ctx = _context(self)
        if ctx is not None:
            error: GraphQLError | None = None
            fields = _root_fields(self)
            if ctx.principal is None and not fields <= INTROSPECTION_FIELDS:
                error = GraphQLError(
                    ctx.auth_error
                    or "authentication required: send Authorization: Bearer <api key>",
                    extensions={"code": "UNAUTHENTICATED"},
                )
                _set_status(ctx, 401)
            elif ctx.retry_after is not None:
                error = GraphQLError(
                    f"rate limit exceeded: retry in {math.ceil(ctx.retry_after)} s",
                    extensions={
                        "code": ErrorCode.RATE_LIMITED.value,
                        "retryAfter": ctx.retry_after,
                    },
                )
                _set_status(ctx, 429, ctx.retry_after)
            if error is not None:
                from graphql import ExecutionResult

                self.execution_context.result = ExecutionResult(data=None, errors=[error])
        yield


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

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """The same policy for every result a subscription streams over a WebSocket."""
        errors = getattr(result, "errors", None)
        if errors:
            ctx = _context(self)
            request_id = ctx.request_id if ctx else "-"
            result.errors = [_translate(e, request_id) for e in errors]
        yield
