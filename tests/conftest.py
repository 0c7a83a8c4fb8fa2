"""Shared fixtures: settings per test, SQLite and PostgreSQL databases, the app and a GraphQL client."""

from __future__ import annotations

import asyncio
import os
import shutil
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


def require_tool(available: bool, what: str, how: str) -> None:
    """Fail (in CI) or skip (elsewhere) when a program a suite drives is missing."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is missing; CI requires it ({how})", pytrace=False)
    pytest.skip(f"{what} is missing: {how} - with CI=true this is a failure")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``postgres`` / ``redis`` need that service: never silently skipped in CI."""
    if item.get_closest_marker("postgres") is not None:
        require_service("PostgreSQL", PG_ADMIN_URL)
    if item.get_closest_marker("redis") is not None:
        require_service("Redis", REDIS_URL)


async def create_pg_database(template: str | None = None) -> str:
    """A fresh, uniquely named PostgreSQL database (a copy of ``template`` when given)."""
    name = f"adreel_t_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    await admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def drop_pg_database(url: str) -> None:
    """Drop a database made by ``create_pg_database``."""
    name = url.rsplit("/", 1)[1]
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


class MigratedTemplates:
    """Databases migrated once per test session and copied for each test (fast, and each test
    still gets its own database): a SQLite file, and a PostgreSQL template database."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._sqlite: Path | None = None
        self._pg: str | None = None

    async def _migrate(self, url: str) -> None:
        from domain.adapters.db import create_engine
        from domain.adapters.migrate import upgrade

        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    async def sqlite_copy(self, target: Path) -> str:
        if self._sqlite is None:
            path = self.directory / "template.sqlite3"
            await self._migrate(f"sqlite+aiosqlite:///{path}")
            self._sqlite = path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self._sqlite, target)
        return f"sqlite+aiosqlite:///{target}"

    async def pg_copy(self) -> str:
        if self._pg is None:
            url = await create_pg_database()
            await self._migrate(url)
            self._pg = url.rsplit("/", 1)[1]
        return await create_pg_database(template=self._pg)

    def drop(self) -> None:
        if self._pg is not None:
            asyncio.run(drop_pg_database(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{self._pg}"))


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedTemplates]:
    templates = MigratedTemplates(tmp_path_factory.mktemp("templates"))
    try:
        yield templates
    finally:
        templates.drop()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(
    request: pytest.FixtureRequest, data_dir: Path, migrated_templates: MigratedTemplates
) -> AsyncIterator[str]:
    """Each test using this runs once on SQLite and once on PostgreSQL, on its own database
    (already migrated to the newest revision)."""
    if request.param == "sqlite":
        yield await migrated_templates.sqlite_copy(data_dir / "test.sqlite3")
        return
    require_service("PostgreSQL", PG_ADMIN_URL)
    url = await migrated_templates.pg_copy()
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
