"""``Job.events(first, after)`` over HTTP: the stored history as a keyset connection."""

from __future__ import annotations

from typing import Any

import httpx

from domain.bootstrap import Container
from domain.services.event_history import encode_event_cursor
from schema.ids import encode_id
from tests.support.jobs import emit, seed_job

EVENTS = """query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Job {
  events(first: $first, after: $after) {
    totalCount edges { cursor node { sequence type status jobId } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } } }"""


async def query(http: httpx.AsyncClient, key: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await http.post(
        "/graphql",
        json={"query": EVENTS, "variables": variables},
        headers={"Authorization": f"Bearer {key}"},
    )
    body: dict[str, Any] = response.json()
    return body


async def test_pages_through_a_jobs_events(http: httpx.AsyncClient, container: Container) -> None:
    job = await seed_job(container.session_factory)
    stranger = await seed_job(container.session_factory)
    for _ in range(5):
        await emit(container.session_factory, container.bus, job.job_id)
    gid = encode_id("Job", job.job_id)
    seen: list[int] = []
    after = None
    while True:
        body = await query(http, job.key, {"id": gid, "first": 2, "after": after})
        events = body["data"]["node"]["events"]
        assert events["totalCount"] == 5
        assert events["pageInfo"]["hasPreviousPage"] == (after is not None)
        seen += [e["node"]["sequence"] for e in events["edges"]]
        assert all(e["node"]["jobId"] == gid for e in events["edges"])
        if not events["pageInfo"]["hasNextPage"]:
            break
        after = events["pageInfo"]["endCursor"]
    assert seen == [1, 2, 3, 4, 5]

    # Another organization cannot see the job at all.
    body = await query(http, stranger.key, {"id": gid})
    assert body["data"]["node"] is None
    # Page size and cursor are checked.
    body = await query(http, job.key, {"id": gid, "first": 101})
    assert body["errors"][0]["extensions"]["code"] == "INVALID"
    foreign_cursor = encode_event_cursor(stranger.job_id, 1)
    body = await query(http, job.key, {"id": gid, "after": foreign_cursor})
    assert body["errors"][0]["extensions"]["code"] == "INVALID"
