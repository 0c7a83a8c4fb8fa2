"""GraphiQL served by Adreel itself: the page, and its scripts and styles from package data
(no CDN, so it works without internet). Outside production only."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from domain.settings import Settings

STATIC_DIR = Path(__file__).parent / "static" / "graphiql"
STATIC_PREFIX = "/graphiql-static"

#: Scripts run only from this origin; the fetcher talks to this origin over HTTP and WebSockets.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self' ws: wss:",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

_PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Adreel GraphiQL</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="{static}/graphiql.min.css" />
    <link rel="stylesheet" href="{static}/plugin-explorer.css" />
    <link rel="stylesheet" href="{static}/adreel-graphiql.css" />
  </head>
  <body>
    <form id="adreel-key" autocomplete="off">
      <label for="adreel-key-input">API key</label>
      <input id="adreel-key-input" type="password" placeholder="adr_..." spellcheck="false" />
      <button type="submit">Save</button>
      <button type="button" id="adreel-key-forget">Forget</button>
      <span id="adreel-key-status"></span>
    </form>
    <div id="graphiql">Loading...</div>
    <script src="{static}/react.production.min.js"></script>
    <script src="{static}/react-dom.production.min.js"></script>
    <script src="{static}/graphiql.min.js"></script>
    <script src="{static}/plugin-explorer.umd.js"></script>
    <script src="{static}/graphql-ws.min.js"></script>
    <script src="{static}/adreel-graphiql.js"></script>
  </body>
</html>
"""


def graphiql_page(request: Request) -> HTMLResponse:
    """The GraphiQL page for a browser's ``GET /graphql``."""
    static = request.scope.get("root_path", "").rstrip("/") + STATIC_PREFIX
    return HTMLResponse(
        _PAGE.format(static=static),
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        },
    )


def graphiql_routes(settings: Settings) -> list[BaseRoute]:
    """The static files GraphiQL loads (none in production, where GraphiQL is off)."""
    if settings.is_production:
        return []
    return [Mount(STATIC_PREFIX, app=StaticFiles(directory=STATIC_DIR), name="graphiql-static")]


__all__ = ["STATIC_DIR", "STATIC_PREFIX", "graphiql_page", "graphiql_routes"]
