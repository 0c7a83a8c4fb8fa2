"""A database call cut by a cancellation still ends cleanly: no lock is left for the collector.

SQLite keeps a write transaction's lock until the statement that took it is finalized; a
statement abandoned midway by a cancelled task sits in a reference cycle (the driver's cursor and
the coroutines awaiting it), so without care the lock would outlive the task until the garbage
collector happened to run, and every other writer would wait out its busy timeout.
"""

from __future__ import annotations

import asyncio
import gc
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text

from domain.adapters.db import SessionFactory, create_engine, create_session_factory

#: A read that takes a while on SQLite (a recursive count), to be cancelled in flight.
SLOW_READ = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
    "SELECT count(*) FROM n"
)


@pytest.fixture
def no_collector() -> Iterator[None]:
    """Nothing is freed by the cycle collector while the test runs."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def cancel_midway(factory: SessionFactory, table: str, slow: str) -> None:
    """Create ``table``, then cancel a task whose transaction inserted 'held' into it while its
    ``slow`` statement runs; returns once the cancelled task has ended."""
    async with factory() as session:
        await session.execute(text(f"CREATE TABLE {table} (v VARCHAR(10))"))
        await session.commit()
    started = asyncio.Event()

    async def writer() -> None:
        async with factory() as session:
            await session.execute(text(f"INSERT INTO {table} (v) VALUES ('held')"))
            started.set()
            await session.execute(text(slow))  # cancelled while this runs
            await session.commit()

    task = asyncio.create_task(writer())
    await started.wait()
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_write_transaction_cancelled_midway_releases_its_lock(
    tmp_path: Path, no_collector: None
) -> None:
    path = tmp_path / "cancel.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    factory = create_session_factory(engine)
    try:
        await cancel_midway(factory, "t", SLOW_READ)
        other = sqlite3.connect(path, timeout=10.0)
        try:
            # waits while the cut read finishes and the session rolls back; locked for good
            # (until a collection) if the read were abandoned midway
            other.execute("INSERT INTO t (v) VALUES ('next')")
            other.commit()
            rows = [v for (v,) in other.execute("SELECT v FROM t")]
        finally:
            other.close()
        assert rows == ["next"]  # the cancelled transaction was rolled back, not committed
    finally:
        await engine.dispose()


async def test_a_cancelled_task_ends_with_its_statement_and_leaves_the_pool_whole(
    database_url: str,
) -> None:
    """On either database: the statement in flight finishes (its connection is not thrown away
    as a cut one is), the transaction rolls back, and the next session writes at once."""
    postgres = database_url.startswith("postgresql")
    engine = create_engine(database_url)
    factory = create_session_factory(engine)
    invalidated: list[object] = []
    event.listen(engine.sync_engine, "invalidate", lambda *args: invalidated.append(args))
    try:
        await cancel_midway(
            factory, "cancel_probe", "SELECT pg_sleep(0.5)" if postgres else SLOW_READ
        )
        assert invalidated == []  # a statement cut midway gets its connection invalidated
        async with factory() as session:
            await session.execute(text("INSERT INTO cancel_probe (v) VALUES ('next')"))
            await session.commit()
            rows = (await session.execute(text("SELECT v FROM cancel_probe"))).scalars().all()
        assert rows == ["next"]
    finally:
        await engine.dispose()
