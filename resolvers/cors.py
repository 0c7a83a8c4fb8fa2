"""Cross-origin access for browser apps: which origins may call the API, with which headers."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from domain.settings import Settings
from resolvers.files import PREFLIGHT_HEADERS

#: Any port of the loopback names: the origins of a front-end dev server (development only).
DEVELOPMENT_ORIGINS = r"^http://(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$"

ALLOWED_METHODS = ("GET", "HEAD", "POST", "PUT")

#: Request headers a cross-origin page may send: auth, JSON bodies, the multipart CSRF header
#: (``X-Adreel-Upload`` / ``apollo-require-preflight``), Apollo Client's identification headers,
#: and conditional/range requests for ``/files``.
ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    *(name.decode() for name in PREFLIGHT_HEADERS),
    "apollographql-client-name",
    "apollographql-client-version",
    "Range",
    "If-None-Match",
    "If-Range",
)

#: Response headers a cross-origin page may read.
EXPOSED_HEADERS = ("X-Request-Id", "Retry-After", "Content-Range", "Accept-Ranges", "ETag")

PREFLIGHT_MAX_AGE = 600


class GraphQLCORSMiddleware(CORSMiddleware):
    """Starlette's CORS middleware, refusing a preflight with a GraphQL error document (400,
    ``extensions.code`` ``CORS_REFUSED``) instead of plain text."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        message = bytes(response.body).decode() + " (see ADREEL_CORS_ORIGINS)"
        body = {"errors": [{"message": message, "extensions": {"code": "CORS_REFUSED"}}]}
        headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in {"content-type", "content-length"}
        }
        return Response(
            json.dumps(body),
            status_code=response.status_code,
            headers=headers,
            media_type="application/json",
        )


def add_cors(app: Starlette, settings: Settings) -> None:
    """Wrap ``app`` (outermost, so every answer carries the headers) in Starlette's CORS
    middleware: the listed origins, plus loopback origins outside production. No credentials
    mode: the API authenticates with a header, never a cookie.
    """
    app.add_middleware(
        GraphQLCORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_origin_regex=None if settings.is_production else DEVELOPMENT_ORIGINS,
        allow_methods=list(ALLOWED_METHODS),
        allow_headers=list(ALLOWED_HEADERS),
        expose_headers=list(EXPOSED_HEADERS),
        allow_credentials=False,
        max_age=PREFLIGHT_MAX_AGE,
    )


__all__ = ["ALLOWED_HEADERS", "DEVELOPMENT_ORIGINS", "EXPOSED_HEADERS", "add_cors"]
