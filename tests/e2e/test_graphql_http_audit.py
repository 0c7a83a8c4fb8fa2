"""The GraphQL-over-HTTP audits of the npm package ``graphql-http`` against a live server: every
MUST and SHOULD audit passes (``clients/audit.mjs``; ``npm ci`` in ``clients/`` first)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from tests.conftest import require_tool
from tests.support.jobs import seed_job

CLIENTS = Path(__file__).resolve().parents[2] / "clients"


@pytest.fixture(autouse=True)
def _needs_node_clients() -> None:
    require_tool(
        shutil.which("node") is not None and (CLIENTS / "node_modules" / "graphql-http").is_dir(),
        "node with clients/node_modules",
        "`npm ci` in clients/; .ci/run does it",
    )


async def test_graphql_over_http_audits_pass(live_api) -> None:
    async with live_api() as live:
        key = (await seed_job(live.container.session_factory)).key
        process = await asyncio.create_subprocess_exec(
            "node",
            str(CLIENTS / "audit.mjs"),
            f"{live.base_url}/graphql",
            key,
            cwd=CLIENTS,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), 300)
    report = output.decode()
    assert process.returncode == 0, report
    assert "0 required audits failed" in report
