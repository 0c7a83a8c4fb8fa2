"""HTTP endpoints beside GraphQL: signed downloads (``/files/...``), signed single-use uploads
(``PUT /uploads/<id>``), and the guard that makes multipart GraphQL requests CSRF-safe."""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.assets.limits import AssetLimits
from domain.assets.sniff import AAC, JPEG, M4A, MOV, MP3, MP4, OGG, PNG, WAV, WEBM, WEBP
from domain.bootstrap import Container
from domain.errors import AuthenticationError, DomainError, ErrorCode
from domain.observability.metrics import record_upload
from domain.ports.storage import ObjectNotFound, check_key
from domain.security.signing import InvalidSignature, UrlSigner
from domain.services import assets as service
from domain.services.tenancy import authenticate
from domain.services.unit_of_work import UnitOfWork
from resolvers.multipart_cap import BodyOverflow, MultipartCap, boundary_of
from schema.ids import encode_id

#: Headers that mark a multipart GraphQL request as deliberate (browsers cannot add them
#: cross-site without a CORS preflight). Documented in the README.
PREFLIGHT_HEADERS = (b"x-adreel-upload", b"apollo-require-preflight")

CONTENT_TYPES = {
    s.extension: s.content_type for s in (PNG, JPEG, WEBP, MP4, MOV, WEBM, MP3, WAV, M4A, AAC, OGG)
}

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")

_STATUS = {
    ErrorCode.TOO_LARGE: 413,
    ErrorCode.UNSUPPORTED_MEDIA: 415,
    ErrorCode.INVALID_STATE: 409,
    ErrorCode.NOT_FOUND: 404,
}


def _container(request: Request) -> Container:
    container = request.app.state.container
    assert isinstance(container, Container)
    return container


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


# --- downloads -----------------------------------------------------------------------------


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive byte range of a single-range ``Range`` header.

    ``None``: serve the whole file (absent, multi-range or unparsable). ``ValueError``: the range
    cannot be satisfied (416).
    """
    match = _RANGE.match(header.strip().replace(" ", ""))
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        length = int(last)
        if length == 0:
            raise ValueError("empty suffix range")
        return max(0, size - length), size - 1
    start = int(first)
    end = size - 1 if not last else min(int(last), size - 1)
    if start >= size or (last and int(last) < start):
        raise ValueError("range not satisfiable")
    return start, end


async def files_endpoint(request: Request) -> Response:
    """Serve a stored object to whoever holds a valid signed URL (GET and HEAD)."""
    key = request.path_params["key"]
    container = _container(request)
    try:
        UrlSigner(container.settings.secret_key).verify_file(
            key,
            request.query_params.get("exp", ""),
            request.query_params.get("sig", ""),
            max_lifetime=container.settings.file_url_ttl_seconds,
        )
        check_key(key)
    except InvalidSignature as exc:
        return _error(403, "FORBIDDEN", "expired link" if exc.expired else "invalid signature")
    except ValueError:
        return _error(404, "NOT_FOUND", "not found")
    storage = container.storage
    try:
        size = await storage.size(key)
    except ObjectNotFound:
        return _error(404, "NOT_FOUND", "not found")

    # Objects never change under a key (keys embed the asset ID), so key + size is a strong tag.
    etag = '"' + hashlib.sha256(f"{key}:{size}".encode()).hexdigest()[:32] + '"'
    expires_in = max(0, int(request.query_params["exp"]) - int(time.time()))
    extension = key.rsplit(".", 1)[-1]
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Cache-Control": f"private, max-age={expires_in}, immutable",
        "Content-Type": CONTENT_TYPES.get(extension, "application/octet-stream"),
        "Content-Disposition": "inline",
        "X-Content-Type-Options": "nosniff",
    }
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)

    span: tuple[int, int] | None = None
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if range_header and (if_range is None or if_range.strip() == etag):
        try:
            span = parse_range(range_header, size)
        except ValueError:
            return Response(
                status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"}
            )
    start, end = span if span is not None else (0, size - 1)
    status = 206 if span is not None else 200
    if span is not None:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(max(0, end - start + 1))
    if request.method == "HEAD" or size == 0:
        return Response(status_code=status, headers=headers)
    body: AsyncIterator[bytes] = storage.read(key, start=start, end=end)
    return StreamingResponse(body, status_code=status, headers=headers)


# --- signed uploads ------------------------------------------------------------------------


async def upload_endpoint(request: Request) -> Response:
    """``PUT /uploads/<asset id>?exp&nonce&sig``: the raw bytes of a PENDING asset, once."""
    container = _container(request)
    raw_id = request.path_params["asset_id"]
    query = request.query_params
    try:
        UrlSigner(container.settings.secret_key).verify_upload(
            raw_id,
            query.get("nonce", ""),
            query.get("exp", ""),
            query.get("sig", ""),
            max_lifetime=container.settings.upload_url_ttl_seconds,
        )
        asset_id = uuid.UUID(raw_id)
    except InvalidSignature as exc:
        return _error(403, "FORBIDDEN", "expired link" if exc.expired else "invalid signature")
    except ValueError:
        return _error(404, "NOT_FOUND", "not found")
    deps = container.assets
    async with container.session_factory() as session:
        UnitOfWork(session, bus=container.bus, queue=container.queue)  # commits run its hooks
        try:
            asset = await service.claim_upload(session, asset_id, query.get("nonce", ""))
        except service.UnknownNonce as exc:
            return _error(403, "FORBIDDEN", str(exc))
        except DomainError as exc:
            return _error(_STATUS.get(exc.code, 400), str(exc.code), exc.message)
        declared = request.headers.get("content-length")
        if (
            declared is not None
            and asset.byte_size is not None
            and declared != str(asset.byte_size)
        ):
            problem = DomainError(
                ErrorCode.INVALID,
                f"Content-Length {declared} differs from the announced {asset.byte_size} bytes",
                ["byteSize"],
            )
            await service.fail_asset(session, asset, problem, "UPLOAD")
            return _error(400, "INVALID", problem.message)
        try:
            result = await service.complete_pending(
                session, deps, asset, request.stream(), stage_name="UPLOAD", exact_size=True
            )
        except DomainError as exc:
            return _error(_STATUS.get(exc.code, 422), str(exc.code), exc.message)
        record_upload("signed_put", result.asset.byte_size or 0)
        answer: dict[str, Any] = {
            "id": encode_id("Asset", result.asset.id),
            "status": str(result.asset.status),
            "duplicate": result.duplicate,
        }
        if result.duplicate_of is not None:
            # The bytes were received; this asset is FAILED as a DUPLICATE of a READY one.
            existing = encode_id("Asset", result.duplicate_of.id)
            answer["duplicateOf"] = existing
            answer["error"] = {
                "code": str(ErrorCode.DUPLICATE),
                "message": service.duplicate_message(existing, None),
            }
        body = {"asset": answer}
    return JSONResponse(body, status_code=200)


# --- multipart guard -----------------------------------------------------------------------


class MultipartGuard:
    """In front of ``/graphql``: a multipart request is refused before its body is read unless
    it carries a preflight header (CSRF) and a valid API key; its body is then capped while
    streaming (see ``resolvers.multipart_cap``: the fields, then the file's own kind's limit)."""

    def __init__(self, app: ASGIApp, limits: AssetLimits, max_fields_bytes: int) -> None:
        self.app = app
        self.limits = limits
        self.max_fields_bytes = max_fields_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_multipart(scope):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if not any(headers.get(name, b"").strip() for name in PREFLIGHT_HEADERS):
            await _reply(send, 400, "PREFLIGHT_REQUIRED", _PREFLIGHT_MESSAGE)
            return
        refused = await _authentication_problem(scope, headers.get(b"authorization"))
        if refused is not None:
            await _reply(send, 401, "UNAUTHENTICATED", refused)
            return
        cap = MultipartCap(
            boundary_of(headers.get(b"content-type", b"")) or b"",
            self.limits,
            self.max_fields_bytes,
        )
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > cap.max_total:
            await _reply(send, 413, "TOO_LARGE", f"upload over {cap.max_total} bytes")
            return
        started = False
        overflow: BodyOverflow | None = None

        async def counted() -> Message:
            nonlocal overflow
            message = await receive()
            if message["type"] == "http.request":
                try:
                    cap.feed(message.get("body", b""))
                except BodyOverflow as exc:
                    overflow = exc
                    raise
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except Exception:
            if overflow is None:
                raise
        if overflow is not None and not started:
            await _reply(send, 413, "TOO_LARGE", overflow.message)


async def _authentication_problem(scope: Scope, authorization: bytes | None) -> str | None:
    """Why the request's key is not accepted, or ``None`` (checked before the body is read)."""
    if not authorization:
        return "authentication required: send Authorization: Bearer <api key>"
    container = scope["app"].state.container
    assert isinstance(container, Container)
    try:
        async with container.session_factory() as session:
            await authenticate(session, authorization.decode("latin-1"))
    except AuthenticationError as exc:
        return str(exc)
    return None


_PREFLIGHT_MESSAGE = (
    "multipart requests must carry the header 'X-Adreel-Upload: 1' "
    "(or 'apollo-require-preflight: true')"
)


def is_multipart(scope: Scope) -> bool:
    """Whether an HTTP request's body is ``multipart/form-data``."""
    for name, value in scope.get("headers") or []:
        if name == b"content-type":
            return bool(value.lower().startswith(b"multipart/form-data"))
    return False


async def _reply(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    start: dict[str, Any] = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body})


__all__ = [
    "PREFLIGHT_HEADERS",
    "MultipartGuard",
    "files_endpoint",
    "is_multipart",
    "parse_range",
    "upload_endpoint",
]
