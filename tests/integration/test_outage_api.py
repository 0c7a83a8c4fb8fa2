"""A database outage answers a typed GraphQL error: ``SERVICE_UNAVAILABLE``, HTTP 503,
``Retry-After`` and the request id, never a bare 500; the API recovers when the database does."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.adapters.db import create_engine, ping
from domain.bootstrap import Container, build_container
from domain.errors import ServiceUnavailable
from domain.settings import Settings
from tests.support.redis_server import free_port

QUERY = {"query": "{ viewer { organization { name } } }"}


def sqlite_path(settings: Settings) -> Path:
    assert settings.database_url is not None and settings.database_url.startswith("sqlite")
    return Path(settings.database_url.split("///", 1)[1])


async def take_sqlite_away(container: Container, path: Path) -> None:
    """The database file becomes a directory: no connection can open it."""
    await container.engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{path}{suffix}").exists():
            os.rename(f"{path}{suffix}", f"{path}{suffix}.away")
    path.mkdir()


async def bring_sqlite_back(container: Container, path: Path) -> None:
    await container.engine.dispose()
    shutil.rmtree(path)
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{path}{suffix}.away").exists():
            os.rename(f"{path}{suffix}.away", f"{path}{suffix}")


def assert_unavailable(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/")
    assert response.headers["retry-after"] == "5"
    request_id = response.headers["x-request-id"]
    body: dict[str, Any] = response.json()
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert error["extensions"]["requestId"] == request_id
    assert request_id in error["message"]
    assert "sqlite" not in error["message"].lower() and "Errno" not in error["message"]
    return body


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sqlite_outage_is_a_typed_503_and_passes(
    http: httpx.AsyncClient, api: Any, container: Container, settings: Settings
) -> None:
    headers = {"Authorization": f"Bearer {api.key}"}
    assert (await http.post("/graphql", json=QUERY, headers=headers)).status_code == 200
    path = sqlite_path(settings)
    await take_sqlite_away(container, path)
    try:
        # authentication is the first thing to need the database
        assert_unavailable(await http.post("/graphql", json=QUERY, headers=headers))
        # both response media types
        accept = {**headers, "Accept": "application/graphql-response+json"}
        assert_unavailable(await http.post("/graphql", json=QUERY, headers=accept))
        ready = await http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"].startswith("error")
        with pytest.raises(ServiceUnavailable):
            await ping(container.engine)
    finally:
        await bring_sqlite_back(container, path)
    response = await http.post("/graphql", json=QUERY, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["viewer"]["organization"]["name"].startswith("acme")
    assert (await http.get("/readyz")).status_code == 200


async def test_field_errors_during_an_outage_answer_503(
    tmp_path: Path, migrated_templates: Any
) -> None:
    """An outage after authentication (inside a resolver) answers the same way."""
    from server import create_app
    from tests.conftest import new_key

    url = await migrated_templates.sqlite_copy(tmp_path / "db.sqlite3")
    settings = Settings(env="test", data_dir=tmp_path / "var", database_url=url, redis_url=None)
    container = await build_container(settings)
    try:
        key = await new_key(container, "outage")
        app = create_app(settings, container)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                headers = {"Authorization": f"Bearer {key}"}
                # the key is authenticated on a working database, then the resolver's
                # queries go to an engine whose database is gone
                real = container.session_factory
                from domain.adapters.db import create_session_factory

                dead = create_engine(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db")
                calls = {"n": 0}

                def flaky() -> Any:
                    calls["n"] += 1
                    return real() if calls["n"] == 1 else create_session_factory(dead)()

                container.session_factory = flaky  # type: ignore[assignment]
                try:
                    body = assert_unavailable(
                        await http.post(
                            "/graphql",
                            json={"query": "{ clients(first: 5) { totalCount } }"},
                            headers=headers,
                        )
                    )
                    assert body["errors"][0]["path"] == ["clients"]
                finally:
                    container.session_factory = real  # type: ignore[method-assign]
                    await dead.dispose()
    finally:
        await container.close()


@pytest.mark.redis
async def test_postgresql_refusing_connections_is_a_typed_503(
    tmp_path: Path, redis_url: str
) -> None:
    """A PostgreSQL URL whose port nobody listens on (scale-out: the API only enqueues, so it
    starts without its database): the same typed answer."""
    import uuid

    from server import create_app

    settings = Settings(
        env="test",
        data_dir=tmp_path,
        database_url=f"postgresql+asyncpg://adreel@127.0.0.1:{free_port()}/adreel",
        redis_url=redis_url,
        queue_name=f"adreel:test:{uuid.uuid4().hex}",
        bus_channel_prefix=f"t{uuid.uuid4().hex[:8]}:",
    )
    container = await build_container(settings)
    try:
        app = create_app(settings, container)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                response = await http.post(
                    "/graphql", json=QUERY, headers={"Authorization": "Bearer adr_12345678_x"}
                )
                assert_unavailable(response)
                assert (await http.get("/readyz")).status_code == 503
    finally:
        await container.close()


@pytest.mark.redis
async def test_a_postgresql_restart_answers_503_then_recovers(
    tmp_path: Path, redis_url: str
) -> None:
    """A private cluster (the shared server is never stopped) stopped and started again."""
    import asyncio
    import uuid

    from server import create_app
    from tests.conftest import new_key
    from tests.support import pg_cluster

    reason = pg_cluster.available()
    if reason is not None:
        pytest.skip(f"no private PostgreSQL cluster here: {reason}")
    cluster = pg_cluster.PgCluster()
    await asyncio.to_thread(cluster.init)
    await asyncio.to_thread(cluster.start)
    settings = Settings(
        env="test",
        data_dir=tmp_path,
        database_url=cluster.url,
        redis_url=redis_url,
        queue_name=f"adreel:test:{uuid.uuid4().hex}",
        bus_channel_prefix=f"t{uuid.uuid4().hex[:8]}:",
    )
    container = await build_container(settings, migrate=True)
    try:
        key = await new_key(container, "restart")
        headers = {"Authorization": f"Bearer {key}"}
        app = create_app(settings, container)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                assert (await http.post("/graphql", json=QUERY, headers=headers)).status_code == 200
                await asyncio.to_thread(cluster.stop)
                assert_unavailable(await http.post("/graphql", json=QUERY, headers=headers))
                assert (await http.get("/readyz")).status_code == 503
                await asyncio.to_thread(cluster.start)
                response = await http.post("/graphql", json=QUERY, headers=headers)
                assert response.status_code == 200, response.text
                assert (await http.get("/readyz")).status_code == 200
    finally:
        await container.close()
        await asyncio.to_thread(cluster.cleanup)
