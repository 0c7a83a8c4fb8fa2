"""Database engine and session factory for SQLite (embedded) and PostgreSQL (scale-out)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import Dialect, ExceptionContext
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from domain.errors import ServiceUnavailable

T = TypeVar("T")


class SerialSession(AsyncSession):
    """An ``AsyncSession`` that runs one database call at a time, each to its end.

    GraphQL resolves sibling fields concurrently (root fields of a query, DataLoader batches of
    different relations), and they share the operation's session; SQLAlchemy forbids concurrent
    use of one session, so every call that reaches the connection waits for the previous one.

    A call whose caller is cancelled (a client gone, a stopped runner) still runs to its end:
    the caller gets the cancellation at once, and its session's close (``async with`` waits for
    it) takes its turn after the statement and rolls back cleanly, so the cancelled task ends
    when its statement in flight has. Cut midway, an SQLite statement's cursor is left in a
    reference cycle with the coroutines that awaited it, and its connection keeps the write lock
    until the garbage collector happens to run: every other writer would wait out its busy
    timeout.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._serial = asyncio.Lock()

    async def _call(self, call: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        async def serial() -> T:
            async with self._serial:
                return await call(*args, **kwargs)

        running = asyncio.create_task(serial())
        try:
            return await asyncio.shield(running)
        except asyncio.CancelledError:
            running.add_done_callback(_retrieve)  # ends on its own; its error is not lost
            raise

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return await self._call(super().execute, *args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return await self._call(super().scalar, *args, **kwargs)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        return await self._call(super().get, *args, **kwargs)

    async def get_one(self, *args: Any, **kwargs: Any) -> Any:
        return await self._call(super().get_one, *args, **kwargs)

    async def stream(self, *args: Any, **kwargs: Any) -> Any:
        return await self._call(super().stream, *args, **kwargs)

    async def refresh(self, *args: Any, **kwargs: Any) -> None:
        await self._call(super().refresh, *args, **kwargs)

    async def merge(self, *args: Any, **kwargs: Any) -> Any:
        return await self._call(super().merge, *args, **kwargs)

    async def delete(self, instance: object) -> None:
        await self._call(super().delete, instance)

    async def flush(self, objects: Any = None) -> None:
        await self._call(super().flush, objects)

    async def commit(self) -> None:
        await self._call(super().commit)

    async def rollback(self) -> None:
        await self._call(super().rollback)

    async def close(self) -> None:
        await self._call(super().close)

    async def run_sync(self, *args: Any, **kwargs: Any) -> Any:
        return await self._call(super().run_sync, *args, **kwargs)


def _retrieve(done: asyncio.Future[Any]) -> None:
    """Mark a detached call's outcome as seen (its caller was cancelled and cannot)."""
    if not done.cancelled():
        done.exception()


SessionFactory = async_sessionmaker[AsyncSession]


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


#: SQLite errors that mean the file cannot be used right now (not a wrong statement).
_SQLITE_OUTAGES = ("unable to open database file", "disk i/o error", "database is locked")
#: PostgreSQL SQLSTATEs of a server that cannot serve: connection exceptions (class 08),
#: too many connections, shutting down or starting up (57P01..57P03).
_PG_OUTAGE_STATES = ("08", "53300", "57P01", "57P02", "57P03")
_PG_OUTAGE_NAMES = ("ConnectionDoesNotExistError", "InterfaceError", "CannotConnectNowError")


def is_outage(exc: BaseException) -> bool:
    """Whether a driver error means the database is unreachable rather than a bad statement."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError | TimeoutError | ConnectionError):
            return True
        state = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(state, str) and state.startswith(_PG_OUTAGE_STATES):
            return True
        if type(current).__name__ in _PG_OUTAGE_NAMES:
            return True
        if any(text in str(current).lower() for text in _SQLITE_OUTAGES):
            return True
        current = current.__cause__ or current.__context__
    return False


def _translate_connect(
    dialect: Dialect, _record: ConnectionPoolEntry, cargs: Any, cparams: Any
) -> Any:
    try:
        return dialect.loaded_dbapi.connect(*cargs, **cparams)
    except Exception as exc:
        if is_outage(exc):
            raise ServiceUnavailable("database", f"{type(exc).__name__}: {exc}") from exc
        raise


def _translate_error(context: ExceptionContext) -> BaseException | None:
    if isinstance(context.original_exception, asyncio.CancelledError):
        return None  # the caller went away (a closed socket): no outage, nothing to report
    if context.is_disconnect or is_outage(context.original_exception):
        exc = context.original_exception
        return ServiceUnavailable("database", f"{type(exc).__name__}: {exc}")
    return None


async def ping(engine: AsyncEngine, timeout_seconds: float = 5.0) -> None:
    """Run ``SELECT 1``; ``ServiceUnavailable`` when the database does not answer in time."""
    try:
        async with asyncio.timeout(timeout_seconds), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except TimeoutError as exc:
        raise ServiceUnavailable("database", f"no answer within {timeout_seconds:g}s") from exc


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine; SQLite gets foreign keys, WAL and a busy timeout on every connection.

    Connection failures (refused, reset, timed out, a server shutting down, an SQLite file that
    cannot be opened) leave the engine as ``domain.errors.ServiceUnavailable``.
    """
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine, "do_connect", _translate_connect)
    event.listen(engine.sync_engine, "handle_error", _translate_error)
    return engine


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    """Sessions that keep loaded attributes after commit (resolvers read them afterwards)."""
    return async_sessionmaker(engine, class_=SerialSession, expire_on_commit=False)
