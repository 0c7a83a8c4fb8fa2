"""GraphQL-over-HTTP answers: media-type negotiation, and every error as a GraphQL JSON document
with ``extensions.code``.

Two response media types are served: ``application/graphql-response+json`` when the client
accepts it (request errors, those that stop an operation before it runs, then answer 4xx with
no ``data``), and ``application/json`` otherwise (the legacy form: request errors answer 200).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from cross_web import HTTPException
from graphql import GraphQLError, GraphQLSyntaxError
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
BAD_REQUEST = "BAD_REQUEST"
NOT_FOUND = "NOT_FOUND"
INTERNAL = "INTERNAL"

#: Codes of errors that stop a request before execution, by the status they answer with when
#: the client accepts ``application/graphql-response+json``.
REQUEST_ERROR_STATUS = {
    PARSE_FAILED: 400,
    VALIDATION_FAILED: 400,
    BAD_USER_INPUT: 400,
    BAD_REQUEST: 400,
    INTERNAL: 500,
    "SERVICE_UNAVAILABLE": 503,
}


class RequestError(HTTPException):
    """An HTTP request GraphQL cannot run, answered as a GraphQL error document."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status_code, message)
        self.code = code
        self.headers = dict(headers or {})


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    return ranges


def response_media_type(accept: str | None) -> str:
    """The media type to answer with for an ``Accept`` header (``application/json`` when
    absent, for ``*/*``, or when ``application/graphql-response+json`` is not preferred)."""
    best, best_quality = APPLICATION_JSON, 0.0
    for media, quality in _media_ranges(accept or ""):
        if quality <= 0:
            continue
        if media == GRAPHQL_RESPONSE_JSON and quality >= best_quality:
            best, best_quality = GRAPHQL_RESPONSE_JSON, quality
        elif media in {APPLICATION_JSON, "application/*", "*/*"} and quality > best_quality:
            best, best_quality = APPLICATION_JSON, quality
    return best


def error_document(message: str, code: str, **extensions: object) -> dict[str, object]:
    """A GraphQL response holding one error (no ``data``: the request did not execute)."""
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
    **extensions: object,
) -> Response:
    """An error document in the media type the client accepts."""
    media = response_media_type(request.headers.get("accept"))
    return Response(
        json.dumps(error_document(message, code, **extensions), separators=(",", ":")),
        status_code=status,
        media_type=f"{media}; charset=utf-8",
        headers=dict(headers or {}),
    )


def code_of(error: GraphQLError) -> str | None:
    """The ``extensions.code`` of an error, if it has one."""
    code = (error.extensions or {}).get("code")
    return code if isinstance(code, str) else None


def label_request_errors(result: ExecutionResult) -> str | None:
    """Give errors that stopped the request before execution their code, and return that code
    (``None`` when the operation executed, even if fields failed)."""
    errors = result.errors or []
    if result.data is not None or not errors or any(e.path for e in errors):
        return None
    pre_execution = isinstance(result, PreExecutionError)
    first: str | None = None
    for error in errors:
        code = code_of(error)
        if code is None:
            if isinstance(error, GraphQLSyntaxError):
                code = PARSE_FAILED
            elif error.original_error is not None and not isinstance(
                error.original_error, GraphQLError
            ):
                code = INTERNAL
            elif pre_execution:
                code = VALIDATION_FAILED
            else:  # variables the operation could not coerce
                code = BAD_USER_INPUT
            error.extensions = {**(error.extensions or {}), "code": code}
        first = first or code
    return first


__all__ = [
    "APPLICATION_JSON",
    "BAD_REQUEST",
    "BAD_USER_INPUT",
    "GRAPHQL_RESPONSE_JSON",
    "INTERNAL",
    "NOT_FOUND",
    "PARSE_FAILED",
    "REQUEST_ERROR_STATUS",
    "VALIDATION_FAILED",
    "RequestError",
    "error_document",
    "error_response",
    "label_request_errors",
    "response_media_type",
]
