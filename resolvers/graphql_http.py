"""Strawberry's ASGI view speaking GraphQL over HTTP as specified: negotiated response media
type, request errors as GraphQL documents with codes, 405 for mutations over GET, subscriptions
pointed to WebSockets, batches refused, and automatic persisted queries resolved."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from domain.errors import ServiceUnavailable
from resolvers.context import Context
from resolvers.extensions import SERVICE_UNAVAILABLE, unavailable_message
from resolvers.graphiql import graphiql_page
from resolvers.http_errors import (
    APPLICATION_JSON,
    BAD_REQUEST,
    GRAPHQL_RESPONSE_JSON,
    INTERNAL,
    NOT_FOUND,
    REQUEST_ERROR_STATUS,
    RequestError,
    error_response,
    label_request_errors,
    response_media_type,
)
from resolvers.json_body import encode_body
from resolvers.json_depth import MAX_JSON_DEPTH, TOO_DEEP, TooDeep, nesting_depth
from resolvers.persisted_queries import MemoryQueryStore, QueryStore, resolve_persisted_query
from resolvers.shared_frames import SharedFrames

log = logging.getLogger("adreel.graphql")

SUBSCRIPTION_OVER_HTTP = (
    "subscriptions are served over WebSockets: open a WebSocket to this URL with the "
    "graphql-transport-ws subprotocol (graphql-ws clients) or the legacy graphql-ws one"
)
BATCH_REFUSED = "batched requests (a JSON array of operations) are not supported: send one each"
MUTATION_OVER_GET = "mutations are only accepted over POST"
NOT_UTF8 = "the request body is not valid UTF-8"

_CODE_BY_STATUS = {404: NOT_FOUND, 413: "TOO_LARGE"}


class _SubResponse(Response):
    """The response an operation writes its status and headers to, with the negotiated type."""

    graphql_media_type: str = APPLICATION_JSON


class GraphQLOverHTTP(GraphQL[Context, None]):
    """Adreel's GraphQL-over-HTTP behaviour on top of Strawberry's ASGI view."""

    def __init__(
        self, schema: Any, *, persisted_queries: QueryStore | None = None, **kwargs: Any
    ) -> None:
        super().__init__(schema, **kwargs)
        self.persisted_queries: QueryStore = persisted_queries or MemoryQueryStore(1000)
        #: What ``Retry-After`` says when an outage stops a request.
        self.retry_after_seconds = 5
        self.frames = SharedFrames()

    def encode_json(self, data: object) -> str | bytes:
        # a subscription result shared by many sockets is serialised once for all of them
        if isinstance(data, dict):
            return self.frames.encode(data)
        return super().encode_json(data)

    async def aclose(self) -> None:
        """Release the persisted-query store (its Redis connections)."""
        await self.persisted_queries.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        receive_failed = False

        async def tracked() -> Message:
            nonlocal receive_failed
            try:
                return await receive()
            except BaseException:
                receive_failed = True  # the body limit's signal: for the middleware to answer
                raise

        request = Request(scope, tracked)
        try:
            response = await self.run(request)
        except RequestError as exc:
            response = self._client_error(
                request, exc.status_code, exc.code, exc.reason, exc.headers
            )
        except HTTPException as exc:
            headers = {"Allow": "GET, POST"} if exc.status_code == 405 else {}
            code = _CODE_BY_STATUS.get(exc.status_code, BAD_REQUEST)
            response = self._client_error(request, exc.status_code, code, exc.reason, headers)
        except Exception as exc:
            if receive_failed:
                raise
            request_id = _request_id(request)
            outage = _outage_in(exc)
            if outage is not None:
                response = self._unavailable(request, outage, request_id)
                await response(scope, receive, send)
                return
            log.exception("internal error (request %s)", request_id)
            message = f"Internal error. Quote request id {request_id} when reporting it."
            response = self._error(request, 500, INTERNAL, message)
        await response(scope, receive, send)

    def _client_error(
        self,
        request: Request,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """A request refused for the client's own mistake: logged as such, never as a fault."""
        response = self._error(request, status, code, message, headers)
        log.info(
            "client error (request %s): %s %s %s",
            response.headers.get("x-request-id", "-"),
            status,
            code,
            message,
        )
        return response

    def _unavailable(
        self, request: Request, outage: ServiceUnavailable, request_id: str
    ) -> Response:
        log.warning("%s (request %s)", outage, request_id)
        retry_after = self.retry_after_seconds
        return error_response(
            request,
            503,
            SERVICE_UNAVAILABLE,
            unavailable_message(outage, request_id),
            {"Retry-After": str(retry_after), "X-Request-Id": request_id},
            requestId=request_id,
        )

    def _error(
        self,
        request: Request,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> Response:
        return error_response(
            request,
            status,
            code,
            message,
            {**(headers or {}), "X-Request-Id": _request_id(request)},
        )

    async def get_sub_response(self, request: Request | object) -> Response:
        sub = _SubResponse()
        sub.status_code = None  # type: ignore[assignment]
        del sub.headers["content-length"]
        if isinstance(request, Request):
            sub.graphql_media_type = response_media_type(request.headers.get("accept"))
            request.state.graphql_sub_response = sub
        return sub

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """Strawberry's response (status, headers and background task from the operation's
        sub-response), its body written by orjson, with the negotiated media type."""
        response = Response(encode_body(response_data), status_code=200)
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        media = getattr(sub_response, "graphql_media_type", APPLICATION_JSON)
        response.headers["content-type"] = f"{media}; charset=utf-8"
        return response

    def decode_json(self, data: str | bytes) -> object:
        """JSON from a request body or a WebSocket message; UTF-8 only, nesting bounded.

        Over HTTP a body that is not UTF-8 or nests too deeply is a ``BAD_REQUEST``; over a
        WebSocket a message nesting too deeply counts as a message that is not JSON.
        """
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RequestError(400, BAD_REQUEST, NOT_UTF8) from exc
        try:
            value = json.loads(data)
        except RecursionError as exc:
            raise TooDeep(TOO_DEEP, data, 0) from exc
        if nesting_depth(value) > MAX_JSON_DEPTH:
            raise TooDeep(TOO_DEEP, data, 0)
        return value

    def parse_json(self, data: str | bytes) -> Any:
        try:
            return self.decode_json(data)
        except TooDeep as exc:
            raise RequestError(400, BAD_REQUEST, TOO_DEEP) from exc
        except json.JSONDecodeError as exc:
            raise RequestError(400, BAD_REQUEST, "the request body is not valid JSON") from exc

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_page(request)

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # a hash-only persisted query over GET has no query either: it is not a page load
        return super().should_render_graphql_ide(request) and (
            request.query_params.get("extensions") is None
        )

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        if request.method == "POST":
            content_type, params = parse_content_type(request.content_type or "")
            if content_type not in {"application/json", "multipart/form-data"}:
                raise RequestError(
                    415, BAD_REQUEST, "send the operation as JSON (Content-Type: application/json)"
                )
            if params.get("charset", "utf-8").lower() not in {"utf-8", "utf8"}:
                raise RequestError(415, BAD_REQUEST, "request bodies must be encoded as UTF-8")
            if content_type == "application/json":
                body = self.parse_json(await request.get_body())
                if isinstance(body, list):
                    raise RequestError(400, BAD_REQUEST, BATCH_REFUSED)
                if not isinstance(body, dict):
                    raise RequestError(400, BAD_REQUEST, "the request body must be a JSON object")
                name = body.get("operationName")
                if name is not None and not isinstance(name, str):
                    raise RequestError(400, BAD_REQUEST, "operationName must be a string or null")
        data = await super().parse_http_body(request)
        if isinstance(data, list):
            raise RequestError(400, BAD_REQUEST, BATCH_REFUSED)
        await resolve_persisted_query(self.persisted_queries, data)
        return data

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        allowed = {OperationType.QUERY}
        if request_adapter.method == "POST":
            allowed.add(OperationType.MUTATION)
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as exc:
            if exc.operation_type is OperationType.SUBSCRIPTION:
                raise RequestError(400, BAD_REQUEST, SUBSCRIPTION_OVER_HTTP) from exc
            raise RequestError(405, BAD_REQUEST, MUTATION_OVER_GET, {"Allow": "POST"}) from exc
        except CannotGetOperationTypeError as exc:
            raise RequestError(400, BAD_REQUEST, exc.as_http_error_reason()) from exc
        except MissingQueryError as exc:
            raise RequestError(
                400,
                BAD_REQUEST,
                "no GraphQL query in the request: send 'query' "
                "(or a persisted query's hash in extensions.persistedQuery)",
            ) from exc

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        code = label_request_errors(result)
        body = await super().process_result(request, result)
        sub = getattr(request.state, "graphql_sub_response", None)
        if (
            code is not None
            and isinstance(sub, _SubResponse)
            and sub.graphql_media_type == GRAPHQL_RESPONSE_JSON
        ):
            body.pop("data", None)  # the request did not execute: no data entry, a 4xx/5xx
            if not sub.status_code:
                sub.status_code = REQUEST_ERROR_STATUS.get(code, 400)
        return body


def _outage_in(exc: BaseException) -> ServiceUnavailable | None:
    """The outage behind an exception (it may arrive wrapped, e.g. in an exception group)."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ServiceUnavailable):
            return current
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return None


def _request_id(request: Request) -> str:
    sub = getattr(request.state, "graphql_sub_response", None)
    if isinstance(sub, Response) and "x-request-id" in sub.headers:
        return sub.headers["x-request-id"]
    return uuid.uuid4().hex[:16]


__all__ = ["BATCH_REFUSED", "SUBSCRIPTION_OVER_HTTP", "GraphQLOverHTTP"]
