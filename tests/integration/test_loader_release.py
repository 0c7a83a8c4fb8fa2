"""An operation's loaders and the rows they loaded go with the operation, not with a collection."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from strawberry.dataloader import DataLoader

from domain.models import Campaign, Client
from tests.support.graph import create_campaign, create_client

NESTED = """
{ clients(first: 10) { edges { node {
    campaigns(first: 10) { edges { node { id name } } }
    stats { jobCount }
} } } }"""


@contextmanager
def unreachable_objects() -> Iterator[list[object]]:
    """The objects that only the cycle collector could free, among those made inside."""
    found: list[object] = []
    gc.collect()
    gc.disable()
    try:
        yield found
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        found.extend(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


async def test_a_nested_query_leaves_no_cycle_holding_its_loaders_or_rows(api) -> None:
    for name in ("Acme", "Globex"):
        client_id = await create_client(api, name)
        for campaign in ("Launch", "Summer"):
            await create_campaign(api, client_id, campaign)

    with unreachable_objects() as garbage:
        r = await api(NESTED)
        assert "errors" not in r, r
        edges = r["data"]["clients"]["edges"]
        assert [len(e["node"]["campaigns"]["edges"]) for e in edges] == [2, 2]

    # before: every loader's batch function referred back to the operation's loader set, so
    # the set, its cached pages and every row in them were garbage only a collection could free
    left = [o for o in garbage if isinstance(o, Campaign | Client | DataLoader)]
    assert left == []
