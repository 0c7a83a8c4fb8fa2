"""The hardening issue's attack corpus over HTTP: every probe is answered with a typed error
(never INTERNAL or a plain 500), logged as a client error rather than a fault, and a normal
query is still answered afterwards. (The WebSocket probes are in tests/e2e/test_ws_guard.py,
the large bodies in test_upload_admission.py.)"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import Api
from tests.unit.test_document_limits import doubling

NORMAL = "{ viewer { keyName } }"


def _nested_fragments(levels: int) -> str:
    """Each fragment spreads the next twice: exponential if walked once per use."""
    parts = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    parts.append(f"fragment F{levels} on Query {{ __typename }}")
    return "{ ...F0 } " + " ".join(parts)


def _cursor(stamp: str) -> str:
    raw = json.dumps([stamp, str(uuid.uuid4())]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _deep_variables(depth: int) -> bytes:
    value = '{"a":' * depth + "1" + "}" * depth
    query = json.dumps("query($v: String) { viewer { keyName } }")
    return f'{{"query": {query}, "variables": {{"v": {value}}}}}'.encode()


SEARCH = "query($s: String) { clients(first: 5, search: $s) { totalCount } }"

#: name -> (how to send it, the codes it may be answered with, whether it needs the key)
Probe = Callable[[httpx.AsyncClient, dict[str, str]], Any]

PROBES: dict[str, tuple[Probe, set[str]]] = {
    "anonymous nested fragment spreads": (
        lambda http, _h: http.post("/graphql", json={"query": _nested_fragments(40)}),
        {"UNAUTHENTICATED"},
    ),
    "nested fragment spreads with a key": (
        lambda http, h: http.post("/graphql", json={"query": _nested_fragments(40)}, headers=h),
        {"GRAPHQL_VALIDATION_FAILED"},
    ),
    "doubling document": (
        lambda http, h: http.post("/graphql", json={"query": doubling(30)}, headers=h),
        {"GRAPHQL_VALIDATION_FAILED"},
    ),
    "50 KB search": (
        lambda http, h: http.post(
            "/graphql", json={"query": SEARCH, "variables": {"s": "x" * 50_000}}, headers=h
        ),
        {"INVALID"},
    ),
    "search pattern of %_": (
        lambda http, h: http.post(
            "/graphql", json={"query": SEARCH, "variables": {"s": "%_" * 20_000}}, headers=h
        ),
        {"INVALID"},
    ),
    "variables nested 100,000 deep": (
        lambda http, h: http.post(
            "/graphql",
            content=_deep_variables(100_000),
            headers={**h, "Content-Type": "application/json"},
        ),
        {"BAD_REQUEST"},
    ),
    "variables nested 100 deep": (
        lambda http, h: http.post(
            "/graphql",
            content=_deep_variables(100),
            headers={**h, "Content-Type": "application/json"},
        ),
        {"BAD_REQUEST"},
    ),
    "non-UTF-8 body": (
        lambda http, h: http.post(
            "/graphql",
            content=b'{"query": "{ viewer { keyName } }", "x": "\xff\xfe\xfa"}',
            headers={**h, "Content-Type": "application/json"},
        ),
        {"BAD_REQUEST"},
    ),
    "Latin-1 declared charset": (
        lambda http, h: http.post(
            "/graphql",
            content=b'{"query": "{ viewer { keyName } }"}',
            headers={**h, "Content-Type": "application/json; charset=latin-1"},
        ),
        {"BAD_REQUEST"},
    ),
    "spread of an unknown fragment": (
        lambda http, h: http.post("/graphql", json={"query": "{ ...Nowhere }"}, headers=h),
        {"GRAPHQL_VALIDATION_FAILED"},
    ),
    "unknown fragment inside a fragment": (
        lambda http, h: http.post(
            "/graphql",
            json={"query": "{ ...A } fragment A on Query { viewer { ...Missing } }"},
            headers=h,
        ),
        {"GRAPHQL_VALIDATION_FAILED"},
    ),
    "cursor with an out-of-range date": (
        lambda http, h: http.post(
            "/graphql",
            json={
                "query": "query($c: String) { clients(first: 1, after: $c) { totalCount } }",
                "variables": {"c": _cursor("0001-01-01T00:00:00+01:00")},
            },
            headers=h,
        ),
        {"INVALID"},
    ),
    "subscription over HTTP streaming (multipart/mixed)": (
        lambda http, h: http.post(
            "/graphql",
            json={"query": 'subscription { jobEvents(jobId: "x") { sequence } }'},
            headers={**h, "Accept": 'multipart/mixed;subscriptionSpec="1.0", application/json'},
        ),
        {"BAD_REQUEST"},
    ),
    "batched operations": (
        lambda http, h: http.post("/graphql", json=[{"query": NORMAL}] * 3, headers=h),
        {"BAD_REQUEST"},
    ),
    "not JSON": (
        lambda http, h: http.post(
            "/graphql", content=b"{not json", headers={**h, "Content-Type": "application/json"}
        ),
        {"BAD_REQUEST"},
    ),
}


def _codes(response: httpx.Response) -> set[str]:
    body = response.json()
    return {str((e.get("extensions") or {}).get("code")) for e in body.get("errors") or []}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", list(PROBES))
async def test_each_probe_is_answered_typed_and_the_server_still_answers(
    api: Api, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    probe, expected = PROBES[name]
    headers = {"Authorization": f"Bearer {api.key}"}
    with caplog.at_level(logging.INFO):
        response = await probe(http, headers)
    assert response.status_code < 500, response.text
    codes = _codes(response)
    assert codes and codes <= expected, (name, response.status_code, response.text[:300])
    text = response.text
    assert "KeyError" not in text and "RecursionError" not in text and "Traceback" not in text
    faults = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert faults == [], [r.getMessage() for r in faults]
    # the server keeps serving normal queries
    after = await api(NORMAL)
    assert after["data"] == {"viewer": {"keyName": "default"}}, after


async def test_client_errors_are_logged_as_client_errors(
    api: Api, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="adreel.graphql"):
        await http.post(
            "/graphql",
            content=b"\xff\xfe",
            headers={"Authorization": f"Bearer {api.key}", "Content-Type": "application/json"},
        )
    messages = [r.getMessage() for r in caplog.records if r.name == "adreel.graphql"]
    assert any(m.startswith("client error") and "BAD_REQUEST" in m for m in messages), messages
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)
