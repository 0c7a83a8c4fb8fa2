"""The whole app (its own container, its lifespan) behind an in-process HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from domain.bootstrap import build_container
from domain.settings import Settings


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """An app (own container) for ``settings``, and an HTTP client for it."""
    from server import create_app

    container = await build_container(settings, migrate=True)
    app = create_app(settings, container)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://adreel.test"
            ) as http:
                yield http, container
    finally:
        await container.close()


def with_settings(settings: Settings, **changes: Any) -> Settings:
    """``settings`` with ``changes`` applied."""
    return Settings(**{**settings.model_dump(), **changes})
