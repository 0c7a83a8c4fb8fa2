"""DataLoaders keep the nested query at a constant number of SQL statements, whatever the row counts."""

from __future__ import annotations

from typing import Any

from domain.enums import JobStatus
from tests.support.db import StatementCounter, insert_jobs
from tests.support.graph import create_campaign, create_client

NESTED = """
{ clients(first: 50) { edges { node {
    campaigns(first: 20) { edges { node { id } } }
    stats { jobCount }
} } } }"""


async def _grow(api, container, clients: int, campaigns: int, jobs: int, start: int) -> None:
    for c in range(start, start + clients):
        client = await create_client(api, f"Client {c}")
        for k in range(campaigns):
            campaign = await create_campaign(api, client, f"Campaign {k}")
            if jobs:
                await insert_jobs(container.session_factory, campaign, [JobStatus.COMPLETED] * jobs)


async def _count(api, container) -> tuple[int, dict[str, Any]]:
    counter = StatementCounter(container.engine)
    with counter.counting() as statements:
        r = await api(NESTED)
    assert "errors" not in r, r
    return len(statements), r["data"]


async def test_nested_query_statement_count_is_constant(api, container) -> None:
    empty, data = await _count(api, container)
    assert data == {"clients": {"edges": []}}

    await _grow(api, container, clients=1, campaigns=1, jobs=0, start=0)
    one, _ = await _count(api, container)

    await _grow(api, container, clients=11, campaigns=3, jobs=2, start=1)
    many, data = await _count(api, container)
    edges = data["clients"]["edges"]
    assert len(edges) == 12
    assert [len(e["node"]["campaigns"]["edges"]) for e in edges] == [1] + [3] * 11
    assert [e["node"]["stats"]["jobCount"] for e in edges] == [0] + [6] * 11

    assert one == many, (one, many)
    # authentication (1), clients page + total (2), campaign pages + totals (2), stats (2)
    assert many <= 7, many
    assert empty <= many


async def test_sibling_root_fields_share_the_operation_safely(api, container) -> None:
    """Root fields run concurrently on one session: the session serializes them."""
    client = await create_client(api)
    await create_campaign(api, client)
    fields = " ".join(
        f"c{i}: clients(first: 5) {{ totalCount }} k{i}: campaigns(first: 5) {{ totalCount }}"
        for i in range(10)
    )
    r = await api("{ " + fields + " }")
    assert "errors" not in r, r
    assert all(v == {"totalCount": 1} for v in r["data"].values())


async def test_loads_started_by_the_page_run_what_the_nodes_would(api, container) -> None:
    """Fields selected plainly on the clients' nodes are loaded by the page before the nodes
    resolve; behind a fragment they load through each node's own loader. Both send the same
    statements and answer the same data; a field left out by a directive loads nothing."""
    await _grow(api, container, clients=3, campaigns=3, jobs=1, start=0)
    fields = """
        a: campaigns(first: 2) { totalCount edges { node { name } } }
        b: campaigns(first: $n, after: null) { edges { cursor } }
        stats { jobCount }"""
    primed = "query($n: Int) { clients(first: 5) { edges { node {" + fields + "} } } }"
    unprimed = (
        "query($n: Int) { clients(first: 5) { edges { node { ...F } } } }"
        " fragment F on Client {" + fields + "}"
    )
    counter = StatementCounter(container.engine)
    answers = []
    for query in (primed, unprimed):
        with counter.counting() as statements:
            r = await api(query, {"n": 1})
        assert "errors" not in r, r
        answers.append((sorted(statements), r["data"]))
    assert answers[0] == answers[1]
    assert [len(e["node"]["a"]["edges"]) for e in answers[0][1]["clients"]["edges"]] == [2] * 3

    skipped = "{ clients(first: 5) { edges { node { stats @include(if: false) { jobCount } } } } }"
    with counter.counting() as statements:
        r = await api(skipped)
    assert r["data"]["clients"]["edges"] == [{"node": {}}] * 3
    assert len(statements) == 3, statements  # key, clients page and total: no stats


async def test_a_bad_page_on_a_primed_field_is_that_field_s_error(api, container) -> None:
    await _grow(api, container, clients=1, campaigns=1, jobs=0, start=0)
    r = await api("{ clients(first: 5) { edges { node { campaigns(first: 0) { totalCount } } } } }")
    assert r["data"] is None
    assert r["errors"][0]["path"] == ["clients", "edges", 0, "node", "campaigns"]
    assert r["errors"][0]["extensions"]["code"] == "INVALID"
