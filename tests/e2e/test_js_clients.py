"""Real JavaScript clients against a live server (``clients/clients.mjs``; ``npm ci`` in
``clients/`` first): the ``graphql-ws`` client subscribes until a job completes, is refused a bad
key and closed without ``connection_init``; Apollo Client 4 runs a query hash-first (automatic
persisted queries), mutations, a subscription over its graphql-ws link, from a normalized cache."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from tests.conftest import require_tool
from tests.support.jobs import emit, seed_job
from tests.support.subscriptions import drive, job_gid

CLIENTS = Path(__file__).resolve().parents[2] / "clients"


@pytest.fixture(autouse=True)
def _needs_node_clients() -> None:
    require_tool(
        shutil.which("node") is not None and (CLIENTS / "node_modules" / "@apollo").is_dir(),
        "node with clients/node_modules",
        "`npm ci` in clients/; .ci/run does it",
    )


async def test_graphql_ws_and_apollo_client(live_api) -> None:
    async with live_api() as live:
        c = live.container
        first = await seed_job(c.session_factory)
        second = await seed_job(c.session_factory)
        for job in (first, second):  # a first event to replay: the client's sign it subscribed
            await emit(c.session_factory, c.bus, job.job_id)
        jobs = {"1": first, "2": second}
        process = await asyncio.create_subprocess_exec(
            "node",
            str(CLIENTS / "clients.mjs"),
            f"{live.base_url}/graphql",
            first.key,
            job_gid(first),
            second.key,
            job_gid(second),
            cwd=CLIENTS,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        assert process.stdout is not None
        lines: list[str] = []
        drivers: list[asyncio.Task[None]] = []
        async with asyncio.timeout(240):
            async for raw in process.stdout:
                line = raw.decode().rstrip()
                lines.append(line)
                if line.startswith("READY "):
                    drivers.append(asyncio.create_task(drive(live, jobs[line.split()[1]], 2)))
            await process.wait()
            for driver in drivers:
                await driver
    report = "\n".join(lines)
    assert process.returncode == 0, report
    assert "ALL OK" in report, report
