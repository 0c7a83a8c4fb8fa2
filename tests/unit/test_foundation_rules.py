"""Pure rules of the foundation: page arguments and cursors, validation, global IDs, rate buckets."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from cli.serve import graphiql_address, serve_banner
from domain.adapters import ratelimit
from domain.errors import ErrorCode, Invalid
from domain.services.pagination import (
    DEFAULT_PAGE,
    MAX_PAGE,
    PageRequest,
    decode_cursor,
    encode_cursor,
)
from domain.services.validation import (
    clean_colors,
    clean_money,
    clean_name,
    clean_optional_text,
    clean_website,
    name_key,
)
from schema.ids import decode_any, decode_id, encode_id

# ---------------------------------------------------------------- page requests and cursors


def test_page_request_directions() -> None:
    stamp, key = datetime(2030, 5, 1, 12, 0, tzinfo=UTC), uuid.uuid4()
    cursor = encode_cursor(stamp, key)
    assert PageRequest.of() == PageRequest(DEFAULT_PAGE, True, None)
    assert PageRequest.of(first=5, after=cursor) == PageRequest(5, True, (stamp, key))
    assert PageRequest.of(last=5, before=cursor) == PageRequest(5, False, (stamp, key))
    assert PageRequest.of(last=7) == PageRequest(7, False, None)
    assert PageRequest.of(before=cursor) == PageRequest(DEFAULT_PAGE, False, (stamp, key))
    assert PageRequest.of(first=MAX_PAGE).limit == MAX_PAGE


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"first": 0}, "first"),
        ({"first": MAX_PAGE + 1}, "first"),
        ({"last": -3}, "last"),
        ({"first": 1, "last": 1}, "first"),
        ({"after": "a", "before": "b"}, "after"),
        ({"first": 1, "before": "b"}, "before"),
        ({"last": 1, "after": "a"}, "after"),
    ],
)
def test_page_request_refuses(kwargs, field) -> None:
    with pytest.raises(Invalid) as caught:
        PageRequest.of(**kwargs)
    assert caught.value.code is ErrorCode.INVALID and caught.value.field == [field]


@pytest.mark.parametrize(
    "stamp",
    [
        datetime(2031, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(2030, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=-7, minutes=-30))),
        datetime(2030, 5, 1, 12, 0, 0, 1),  # naive
    ],
)
def test_a_cursor_is_the_unpadded_urlsafe_base64_of_a_compact_json_pair(stamp: datetime) -> None:
    """Cursors clients already hold stay valid: the format is fixed."""
    for key in (uuid.UUID(int=0), uuid.UUID(int=2**128 - 1), uuid.uuid4()):
        reference = json.dumps([stamp.isoformat(), str(key)], separators=(",", ":"))
        expected = base64.urlsafe_b64encode(reference.encode()).decode().rstrip("=")
        assert encode_cursor(stamp, key) == expected


def test_cursor_round_trip_and_garbage() -> None:
    stamp, key = datetime(2031, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), uuid.uuid4()
    assert decode_cursor(encode_cursor(stamp, key), "after") == (stamp, key)
    assert decode_cursor(None, "after") is None
    for bad in ("", "%%%", "bm90IGpzb24", "W10", "WzEsMl0", "x" * 500):
        with pytest.raises(Invalid):
            decode_cursor(bad, "after")


# ---------------------------------------------------------------- validation


def test_names() -> None:
    assert clean_name("  Acme  ", "name") == "Acme"
    assert name_key("  ACME   Coffee ") == "acme coffee"
    for bad in ("", "   ", "x" * 201, "bell\x07", "x" * 10_000):
        with pytest.raises(Invalid):
            clean_name(bad, "name")
    assert clean_optional_text("   ", "industry", max_length=5) is None
    with pytest.raises(Invalid):
        clean_optional_text("toolong", "industry", max_length=5)


def test_colors() -> None:
    assert clean_colors(["#abc", " #A1b2C3 "]) == ["#AABBCC", "#A1B2C3"]
    assert clean_colors([]) == []
    for bad in (["red"], ["#abcd"], ["abc"], ["#ggg"], ["#fff"] * 13):
        with pytest.raises(Invalid):
            clean_colors(bad)


def test_website_and_money() -> None:
    assert clean_website(" https://acme.example/path ") == "https://acme.example/path"
    assert clean_website(None) is None and clean_website("") is None
    for bad in ("acme.example", "javascript:alert(1)", "ftp://acme.example", "https://"):
        with pytest.raises(Invalid):
            clean_website(bad)
    assert clean_money(10.005, "budgetUsd") == Decimal("10.01")
    assert clean_money(None, "budgetUsd") is None
    for amount in (-0.01, 1e8, float("inf"), float("nan")):
        with pytest.raises(Invalid):
            clean_money(amount, "budgetUsd")


# ---------------------------------------------------------------- global IDs


def test_global_ids() -> None:
    key = uuid.uuid4()
    gid = encode_id("Client", key)
    assert "=" not in gid and "Client" not in gid
    assert decode_any(gid) == ("Client", key)
    assert decode_id(gid, "Client", "clientId") == key
    with pytest.raises(Invalid, match="expected the ID of a Campaign"):
        decode_id(gid, "Campaign", "campaignId")
    for bad in ("", "garbage", "Q2xpZW50OmJhZA", encode_id("Client", key)[:-3]):
        with pytest.raises(Invalid) as caught:
            decode_any(bad, "clientId")
        assert caught.value.field == ["clientId"]


# ---------------------------------------------------------------- rate limiting (memory)


async def test_memory_token_bucket() -> None:
    now = [1000.0]
    limiter = ratelimit.MemoryRateLimiter(clock=lambda: now[0])
    assert [await limiter.hit("k", 60, 2) for _ in range(2)] == [None, None]
    wait = await limiter.hit("k", 60, 2)
    assert wait == pytest.approx(1.0)
    assert await limiter.hit("other", 60, 2) is None
    now[0] += 0.5
    assert await limiter.hit("k", 60, 2) == pytest.approx(0.5)
    now[0] += 0.5
    assert await limiter.hit("k", 60, 2) is None
    now[0] += 3600
    assert [await limiter.hit("k", 60, 2) for _ in range(3)][:2] == [None, None]


# ---------------------------------------------------------------- serve banner


def test_graphiql_address_and_banner() -> None:
    assert graphiql_address("127.0.0.1", 8000) == "http://127.0.0.1:8000/graphql"
    assert graphiql_address("0.0.0.0", 9000) == "http://127.0.0.1:9000/graphql"
    assert graphiql_address("::1", 8000) == "http://[::1]:8000/graphql"
    assert serve_banner("http://127.0.0.1:8000/graphql") == [
        "GraphiQL: http://127.0.0.1:8000/graphql"
    ]
    lines = serve_banner("http://127.0.0.1:8000/graphql", "Demo", "adr_k")
    assert "adr_k" in lines
    assert any("'API key' bar" in line for line in lines)
    assert not any("?headers=" in line or "graphql?" in line for line in lines)
