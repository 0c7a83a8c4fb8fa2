"""Database engine and session factory for SQLite (embedded) and PostgreSQL (scale-out)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry


class SerialSession(AsyncSession):
    """An ``AsyncSession`` that runs one database call at a time.

    GraphQL resolves sibling fields concurrently (root fields of a query, DataLoader batches of
    different relations), and they share the operation's session; SQLAlchemy forbids concurrent
    use of one session, so every call that reaches the connection waits for the previous one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._serial = asyncio.Lock()

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        async with self._serial:
            return await super().execute(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        async with self._serial:
            return await super().scalar(*args, **kwargs)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        async with self._serial:
            return await super().get(*args, **kwargs)

    async def get_one(self, *args: Any, **kwargs: Any) -> Any:
        async with self._serial:
            return await super().get_one(*args, **kwargs)

    async def stream(self, *args: Any, **kwargs: Any) -> Any:
        async with self._serial:
            return await super().stream(*args, **kwargs)

    async def refresh(self, *args: Any, **kwargs: Any) -> None:
        async with self._serial:
            await super().refresh(*args, **kwargs)

    async def merge(self, *args: Any, **kwargs: Any) -> Any:
        async with self._serial:
            return await super().merge(*args, **kwargs)

    async def delete(self, instance: object) -> None:
        async with self._serial:
            await super().delete(instance)

    async def flush(self, objects: Any = None) -> None:
        async with self._serial:
            await super().flush(objects)

    async def commit(self) -> None:
        async with self._serial:
            await super().commit()

    async def rollback(self) -> None:
        async with self._serial:
            await super().rollback()

    async def close(self) -> None:
        async with self._serial:
            await super().close()

    async def run_sync(self, *args: Any, **kwargs: Any) -> Any:
        async with self._serial:
            return await super().run_sync(*args, **kwargs)


SessionFactory = async_sessionmaker[AsyncSession]


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine; SQLite gets foreign keys, WAL and a busy timeout on every connection."""
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    """Sessions that keep loaded attributes after commit (resolvers read them afterwards)."""
    return async_sessionmaker(engine, class_=SerialSession, expire_on_commit=False)
