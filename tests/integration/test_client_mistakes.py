"""Client mistakes in arguments are answered as typed user errors, never as internal faults."""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from domain.errors import Invalid
from domain.services.event_history import decode_event_cursor, encode_event_cursor
from domain.services.pagination import decode_cursor
from tests.support.graph import create_client, error_codes

SEARCH = "query($s: String) { clients(first: 5, search: $s) { edges { node { name } } } }"


def _cursor(stamp: str) -> str:
    raw = json.dumps([stamp, str(uuid.uuid4())]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_search_is_literal_and_bounded(api) -> None:
    for name in ["Ace_100%", "Back\\slash", "Plain"]:
        await create_client(api, name)

    async def names(search: str) -> list[str]:
        r = await api(SEARCH, {"s": search})
        assert "errors" not in r, r
        return sorted(e["node"]["name"] for e in r["data"]["clients"]["edges"])

    assert await names("%_") == []
    assert await names("_100%") == ["Ace_100%"]
    assert await names("k\\s") == ["Back\\slash"]
    assert await names("\\") == ["Back\\slash"]
    assert await names("a") == ["Ace_100%", "Back\\slash", "Plain"]
    for search in ["x" * 50_000, "%_" * 20_000, "x" * 201]:
        r = await api(SEARCH, {"s": search})
        assert r["data"] is None and error_codes(r) == ["INVALID"], r
        assert r["errors"][0]["extensions"]["field"] == "search"
        assert r["errors"][0]["message"] == "search must be at most 200 characters"


@pytest.mark.parametrize(
    "stamp", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00", "not a time"]
)
async def test_a_cursor_out_of_range_is_invalid(api, stamp) -> None:
    await create_client(api, "Somebody")
    for args, field in [("first: 1, after: $c", "after"), ("last: 1, before: $c", "before")]:
        r = await api(
            f"query($c: String) {{ clients({args}) {{ totalCount }} }}", {"c": _cursor(stamp)}
        )
        assert r["data"] is None and error_codes(r) == ["INVALID"], r
        assert r["errors"][0]["extensions"]["field"] == field


def test_cursor_decoders_refuse_what_no_row_has() -> None:
    with pytest.raises(Invalid):
        decode_cursor(_cursor("0001-01-01T00:00:00+01:00"), "after")
    assert decode_cursor(_cursor("0001-01-01T00:00:00+00:00"), "after") is not None
    job = uuid.uuid4()
    assert decode_event_cursor(encode_event_cursor(job, 7), job) == 7
    for cursor in [encode_event_cursor(job, 2**64), "W" * 100_000]:
        with pytest.raises(Invalid):
            decode_event_cursor(cursor, job)
