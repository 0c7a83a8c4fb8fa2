"""Keyset connections: edges of the page arguments, cursors, ordering and filters."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime

import pytest

from domain.models import Client
from tests.support.graph import create_campaign, create_client, error_codes

PAGE = """
query($first: Int, $after: String, $last: Int, $before: String, $search: String) {
  clients(first: $first, after: $after, last: $last, before: $before, search: $search) {
    totalCount
    edges { cursor node { name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


async def _page(api, **args):
    r = await api(PAGE, args)
    assert "errors" not in r, r
    return r["data"]["clients"]


def _names(conn) -> list[str]:
    return [e["node"]["name"] for e in conn["edges"]]


async def _make(api, n: int) -> list[str]:
    names = [f"Brand {i:02d}" for i in range(n)]
    for name in names:
        await create_client(api, name)
    return names


async def test_empty_connection(api) -> None:
    for args in ({}, {"first": 10}, {"last": 10}):
        conn = await _page(api, **args)
        assert conn == {
            "totalCount": 0,
            "edges": [],
            "pageInfo": {
                "hasNextPage": False,
                "hasPreviousPage": False,
                "startCursor": None,
                "endCursor": None,
            },
        }


async def test_exactly_one_page(api) -> None:
    names = await _make(api, 3)
    conn = await _page(api, first=3)
    assert _names(conn) == names and conn["totalCount"] == 3
    assert conn["pageInfo"]["hasNextPage"] is False
    assert conn["pageInfo"]["hasPreviousPage"] is False
    assert conn["pageInfo"]["startCursor"] == conn["edges"][0]["cursor"]
    assert conn["pageInfo"]["endCursor"] == conn["edges"][-1]["cursor"]
    conn = await _page(api, last=3)
    assert _names(conn) == names and conn["pageInfo"]["hasPreviousPage"] is False
    # the default page size covers it too
    assert _names(await _page(api)) == names


async def test_forward_and_backward_walks(api) -> None:
    names = await _make(api, 7)
    seen, after = [], None
    while True:
        conn = await _page(api, first=3, after=after)
        seen += _names(conn)
        assert conn["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == names

    seen, before = [], None
    while True:
        conn = await _page(api, last=3, before=before)
        seen = _names(conn) + seen
        assert conn["pageInfo"]["hasNextPage"] is (before is not None)
        if not conn["pageInfo"]["hasPreviousPage"]:
            break
        before = conn["pageInfo"]["startCursor"]
    assert seen == names

    # before alone pages backward from that position
    middle = (await _page(api, first=4))["edges"][3]["cursor"]
    assert _names(await _page(api, before=middle)) == names[:3]
    assert _names(await _page(api, after=middle)) == names[4:]


async def test_cursors_are_keyset_positions(api) -> None:
    names = await _make(api, 4)
    first = await _page(api, first=2)
    # rows inserted meanwhile appear at the end, never shift the next page
    await create_client(api, "Late arrival")
    nxt = await _page(api, first=2, after=first["pageInfo"]["endCursor"])
    assert _names(nxt) == names[2:4] and nxt["pageInfo"]["hasNextPage"] is True
    assert nxt["totalCount"] == 5


async def test_ties_on_creation_time_are_broken_by_id(api, container) -> None:
    r = await api("{ viewer { organization { id } } }")
    org_id = uuid.UUID(
        base64.urlsafe_b64decode(r["data"]["viewer"]["organization"]["id"] + "==")
        .decode()
        .split(":")[1]
    )
    stamp = datetime(2030, 1, 1, tzinfo=UTC)
    async with container.session_factory() as session:
        for i in range(5):
            name = f"Same time {i}"
            session.add(
                Client(
                    organization_id=org_id,
                    name=name,
                    name_key=name.casefold(),
                    brand_colors=[],
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
        await session.commit()
    all_names = _names(await _page(api, first=5))
    seen, after = [], None
    for _ in range(5):
        conn = await _page(api, first=1, after=after)
        seen += _names(conn)
        after = conn["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(all_names) and len(set(seen)) == 5
    assert seen == all_names


def _cursor(raw: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "args, field",
    [
        ({"first": 0}, "first"),
        ({"first": 101}, "first"),
        ({"first": -1}, "first"),
        ({"last": 0}, "last"),
        ({"last": 101}, "last"),
        ({"first": 2, "last": 2}, "first"),
        ({"after": "x", "before": "y"}, "after"),
        ({"first": 2, "before": "whatever"}, "before"),
        ({"last": 2, "after": "whatever"}, "after"),
        ({"after": "not a cursor"}, "after"),
        ({"after": "!!!"}, "after"),
        ({"before": _cursor(["2030-01-01T00:00:00+00:00", "not-a-uuid"])}, "before"),
        ({"after": _cursor(["2030-01-01T00:00:00", str(uuid.uuid4())])}, "after"),
        ({"after": _cursor([1, 2])}, "after"),
        ({"after": _cursor({"a": 1, "b": 2})}, "after"),
        ({"after": _cursor("just a string")}, "after"),
        ({"after": "A" * 5000}, "after"),
    ],
)
async def test_bad_page_arguments_are_clear_errors(api, args, field) -> None:
    await _make(api, 2)
    r = await api(PAGE, args)
    assert r["data"] is None, r
    assert error_codes(r) == ["INVALID"], r
    assert r["errors"][0]["extensions"]["field"] == field
    assert r["errors"][0]["path"] == ["clients"]


async def test_nested_connections_validate_too(api) -> None:
    client = await create_client(api)
    await create_campaign(api, client)
    r = await api(
        "{ clients(first: 1) { edges { node { campaigns(first: 101) { totalCount } } } } }"
    )
    assert error_codes(r) == ["INVALID"]
    r = await api(
        '{ clients(first: 1) { edges { node { campaigns(after: "junk") { totalCount } } } } }'
    )
    assert error_codes(r) == ["INVALID"]


async def test_nested_pages_per_parent(api) -> None:
    a = await create_client(api, "A")
    b = await create_client(api, "B")
    await create_client(api, "C (no campaigns)")
    for i in range(5):
        await create_campaign(api, a, f"A{i}")
    for i in range(2):
        await create_campaign(api, b, f"B{i}")
    q = """query($after: String) { clients(first: 10) { edges { node { name
      campaigns(first: 2, after: $after) { totalCount edges { node { name } } pageInfo { hasNextPage endCursor } }
    } } } }"""
    r = await api(q)
    got = {
        e["node"]["name"]: (
            e["node"]["campaigns"]["totalCount"],
            [c["node"]["name"] for c in e["node"]["campaigns"]["edges"]],
            e["node"]["campaigns"]["pageInfo"]["hasNextPage"],
        )
        for e in r["data"]["clients"]["edges"]
    }
    assert got == {
        "A": (5, ["A0", "A1"], True),
        "B": (2, ["B0", "B1"], False),
        "C (no campaigns)": (0, [], False),
    }
    q2 = """query($c: ID!, $after: String) { node(id: $c) { ... on Client {
      campaigns(first: 2, after: $after) { edges { node { name } } pageInfo { hasNextPage endCursor } } } } }"""
    seen, after = [], None
    while True:
        conn = (await api(q2, {"c": a, "after": after}))["data"]["node"]["campaigns"]
        seen += [e["node"]["name"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == [f"A{i}" for i in range(5)]


async def test_search_and_filters(api) -> None:
    for name in ("Acme Coffee", "ACME Tea", "Globex", "100% Juice", "Under_score"):
        await create_client(api, name)
    assert _names(await _page(api, search="acme")) == ["Acme Coffee", "ACME Tea"]
    assert _names(await _page(api, search="%")) == ["100% Juice"]
    assert _names(await _page(api, search="_")) == ["Under_score"]
    assert (await _page(api, search="  "))["totalCount"] == 5
    assert (await _page(api, search="nothing"))["totalCount"] == 0

    a = await create_client(api, "With campaigns")
    b = await create_client(api, "Other")
    await create_campaign(api, a, "Draft one")
    await create_campaign(api, a, "Live one", status="ACTIVE")
    await create_campaign(api, b, "Live two", status="ACTIVE")
    q = """query($c: ID, $s: CampaignStatus) { campaigns(first: 10, clientId: $c, status: $s) {
      totalCount edges { node { name } } } }"""

    async def names(**v) -> list[str]:
        return [e["node"]["name"] for e in (await api(q, v))["data"]["campaigns"]["edges"]]

    assert await names() == ["Draft one", "Live one", "Live two"]
    assert await names(c=a) == ["Draft one", "Live one"]
    assert await names(s="ACTIVE") == ["Live one", "Live two"]
    assert await names(c=a, s="ACTIVE") == ["Live one"]
    r = await api(q, {"c": "garbage"})
    assert error_codes(r) == ["INVALID"]
