"""GraphiQL in a real browser with no network: it renders from Adreel's own files, runs a query
with the key entered in the page, and streams a subscription over a WebSocket."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from domain.enums import JobEventType
from schema.ids import encode_id
from tests.conftest import require_tool
from tests.support.browser import browser_page, chromium
from tests.support.jobs import emit, seed_job


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    require_tool(chromium() is not None, "chromium", "apt-get install -y chromium; .ci/run does it")


EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
RESPONSE = "document.querySelector('.graphiql-response .CodeMirror')"


async def _run(page, query: str, expect: str) -> str:
    await page.eval(f"{EDITOR}.setValue({json.dumps(query)})")
    await asyncio.sleep(1.5)  # GraphiQL parses the edited document after a short debounce
    await page.eval("document.querySelector('.graphiql-execute-button').click()")
    try:
        found = await page.wait_for(
            f"(() => {{ const v = {RESPONSE}?.CodeMirror.getValue() || '';"
            f" return v.includes({json.dumps(expect)}) ? v : null; }})()",
            timeout=60,
        )
    except TimeoutError:
        shown = await page.eval(f"{RESPONSE}?.CodeMirror.getValue()")
        raise AssertionError(f"expected {expect!r} in GraphiQL's response, saw {shown!r}") from None
    return str(found)


async def test_graphiql_offline_query_and_subscription(live_api, tmp_path: Path) -> None:
    async with live_api() as live:
        c = live.container
        job = await seed_job(c.session_factory)
        await emit(c.session_factory, c.bus, job.job_id, JobEventType.JOB_CREATED)
        async with browser_page(tmp_path / "chrome") as page:
            await page.goto(f"{live.base_url}/graphql")
            await page.wait_for("document.querySelector('.graphiql-execute-button') !== null")
            scripts = await page.eval(
                "[...document.scripts, ...document.querySelectorAll('link[rel=stylesheet]')]"
                ".map(e => e.src || e.href)"
            )
            assert scripts and all(
                s.startswith(f"{live.base_url}/graphiql-static/") for s in scripts
            )
            labels = await page.eval(
                "[...document.querySelectorAll('.graphiql-sidebar button')]"
                ".map(b => b.getAttribute('aria-label'))"
            )
            assert "Show GraphiQL Explorer" in labels, labels  # the explorer plugin loaded

            # the key goes into the page's key bar, never into a URL
            await page.eval(
                f"document.getElementById('adreel-key-input').value = {json.dumps(job.key)};"
                "document.getElementById('adreel-key').requestSubmit()"
            )
            assert await page.eval("localStorage.getItem('adreel.graphiql.apiKey')") == job.key
            assert job.key not in await page.eval("location.href")

            result = await _run(page, "{ viewer { keyName } }", '"keyName"')
            assert '"default"' in result

            gid = encode_id("Job", job.job_id)
            subscription = f'subscription {{ jobEvents(jobId: "{gid}") {{ type }} }}'
            streamed = await _run(page, subscription, "JOB_CREATED")
            assert "errors" not in streamed
            await page.screenshot(tmp_path / "graphiql.png")
            target = os.environ.get("ADREEL_SCREENSHOT_DIR")
            if target:
                Path(target).mkdir(parents=True, exist_ok=True)
                (Path(target) / "graphiql-offline.png").write_bytes(
                    (tmp_path / "graphiql.png").read_bytes()
                )
