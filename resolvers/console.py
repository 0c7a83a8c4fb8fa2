"""The built console (a single-page app) served at ``/``.

The files come from ``resolvers/console_dist``, the committed output of ``console/`` (see
docs/console.md). Hashed files under ``/assets/`` are cached for a year; any other GET that is
not a file and not an API path answers ``index.html`` so client routes survive a reload.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

DIST = Path(__file__).with_name("console_dist")
_IMMUTABLE = "public, max-age=31536000, immutable"
_API_PREFIXES = ("/graphql", "/files/", "/uploads/", "/healthz", "/readyz", "/graphiql-static/")


class ConsoleApp:
    """An ASGI app for the console's files with a fallback to ``index.html``."""

    def __init__(self, root: Path = DIST) -> None:
        self.root = root.resolve()

    def _file(self, path: str) -> Path | None:
        candidate = (self.root / path.lstrip("/")).resolve()
        if candidate.is_relative_to(self.root) and candidate.is_file():
            return candidate
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # a WebSocket to an unknown path
            await send({"type": "websocket.close", "code": 1000})
            return
        path: str = scope.get("path", "/")
        response: Response
        if scope["method"] not in ("GET", "HEAD"):
            response = PlainTextResponse(
                "Method Not Allowed", status_code=405, headers={"Allow": "GET, HEAD"}
            )
        elif (found := self._file(path)) is not None and path != "/index.html":
            cache = _IMMUTABLE if path.startswith("/assets/") else "no-cache"
            response = FileResponse(found, headers={"Cache-Control": cache})
        elif (
            path.startswith(("/assets/", *_API_PREFIXES))
            or not (self.root / "index.html").is_file()
        ):
            response = PlainTextResponse("Not Found", status_code=404)
        else:
            response = FileResponse(self.root / "index.html", headers={"Cache-Control": "no-cache"})
        await response(scope, receive, send)
