"""Shared fixtures: settings per test, SQLite and PostgreSQL databases, the app and a GraphQL client."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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

#: In CI (``CI`` set to anything but empty/0/false) a suite whose service is unreachable FAILS;
#: on a developer machine it is skipped with a message saying how to start the service.
IN_CI = os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}

_reachable: dict[str, bool] = {}


def _answers(url: str) -> bool:
    parts = urlsplit(url.replace("+asyncpg", ""))
    host, port = parts.hostname or "127.0.0.1", parts.port
    if port is None:
        port = 6379 if parts.scheme.startswith("redis") else 5432
    key = f"{host}:{port}"
    if key not in _reachable:
        try:
            with socket.create_connection((host, port), timeout=2):
                _reachable[key] = True
        except OSError:
            _reachable[key] = False
    return _reachable[key]


def require_service(name: str, url: str) -> None:
    """Fail (in CI) or skip (elsewhere) when the service at ``url`` does not answer."""
    if _answers(url):
        return
    message = f"{name} does not answer at {urlsplit(url).netloc}"
    if IN_CI:
        pytest.fail(f"{message}; CI requires it (.ci/run starts it)", pytrace=False)
    pytest.skip(f"{message}; start it (see .ci/run) - with CI=true this is a failure")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``postgres`` / ``redis`` need that service: never silently skipped in CI."""
    if item.get_closest_marker("postgres") is not None:
        require_service("PostgreSQL", PG_ADMIN_URL)
    if item.get_closest_marker("redis") is not None:
        require_service("Redis", REDIS_URL)


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
    require_service("PostgreSQL", PG_ADMIN_URL)
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


class _Default:
    """Marks "use the client's own key" (``None`` means: send no key)."""


DEFAULT = _Default()


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
        key: str | _Default | None = DEFAULT,
        **kw: Any,
    ) -> dict[str, Any]:
        use_key = self.key if isinstance(key, _Default) else key
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
    """The shared Redis (use unique key prefixes / channels); fails in CI when it is down."""
    require_service("Redis", REDIS_URL)
    yield REDIS_URL
