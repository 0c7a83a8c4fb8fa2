"""Shared fixtures: settings per test, SQLite and PostgreSQL databases, the app and a GraphQL client."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from domain.bootstrap import Container, build_container
from domain.settings import Settings

PG_ADMIN_URL = os.environ.get(
    "ADREEL_TEST_PG_ADMIN_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("ADREEL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def create_pg_database() -> str:
    """A fresh, uniquely named PostgreSQL database; returns its URL."""
    name = f"adreel_t_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def drop_pg_database(url: str) -> None:
    """Drop a database made by ``create_pg_database``."""
    name = url.rsplit("/", 1)[1]
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, data_dir: Path) -> AsyncIterator[str]:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        data_dir.mkdir(parents=True, exist_ok=True)
        yield f"sqlite+aiosqlite:///{data_dir / 'test.sqlite3'}"
        return
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.fixture
def settings(data_dir: Path, database_url: str) -> Settings:
    return Settings(env="test", data_dir=data_dir, database_url=database_url, redis_url=None)


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    c = await build_container(settings, migrate=True)
    try:
        yield c
    finally:
        await c.close()


@dataclass
class Api:
    """A GraphQL client bound to one API key."""

    http: httpx.AsyncClient
    key: str | None

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        key: str | None = ...,
        **kw: Any,
    ) -> dict[str, Any]:
        use_key = self.key if key is ... else key
        headers = {"Authorization": f"Bearer {use_key}"} if use_key else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers, **kw
        )
        body: dict[str, Any] = response.json()
        body["_status"] = response.status_code
        return body

    def as_key(self, key: str | None) -> Api:
        return Api(self.http, key)


async def new_key(container: Container, org: str) -> str:
    from domain.services.tenancy import create_api_key

    async with container.session_factory() as session:
        issued = await create_api_key(session, org)
        await session.commit()
        return issued.key


@pytest.fixture
async def app(container: Container, settings: Settings) -> AsyncIterator[Any]:
    from server import create_app

    application = create_app(settings, container)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def http(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://adreel.test") as client:
        yield client


@pytest.fixture
async def api(http: httpx.AsyncClient, container: Container) -> Api:
    """A client authenticated as a fresh organization ``acme``."""
    return Api(http, await new_key(container, f"acme-{uuid.uuid4().hex[:6]}"))


@pytest.fixture
async def other_api(http: httpx.AsyncClient, container: Container) -> Api:
    """A client of a second, unrelated organization."""
    return Api(http, await new_key(container, f"globex-{uuid.uuid4().hex[:6]}"))


@pytest.fixture
def redis_url() -> Iterator[str]:
    yield REDIS_URL
