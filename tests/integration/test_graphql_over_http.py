"""GraphQL over HTTP as specified: media types, request errors with codes, never plain text."""

from __future__ import annotations

from typing import Any

import pytest

from resolvers.http_errors import response_media_type

GQL = "application/graphql-response+json"
BOTH = f"{GQL}, application/json;q=0.9"


def _codes(response) -> list[str]:
    assert response.headers["content-type"].split(";")[0] in {GQL, "application/json"}
    return [e["extensions"]["code"] for e in response.json()["errors"]]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        (GQL, GQL),
        (BOTH, GQL),
        ("application/json, application/graphql-response+json;q=0.5", "application/json"),
        (f"{GQL};q=0, application/json", "application/json"),
        ("text/html", "application/json"),
    ],
)
def test_response_media_type(accept, expected) -> None:
    assert response_media_type(accept) == expected


async def test_media_type_follows_accept(http) -> None:
    query = {"query": "{ __typename }"}
    response = await http.post("/graphql", json=query, headers={"Accept": BOTH})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{GQL}; charset=utf-8"
    assert response.json() == {"data": {"__typename": "Query"}}
    for accept in ("application/json", "*/*"):
        response = await http.post("/graphql", json=query, headers={"Accept": accept})
        assert response.headers["content-type"] == "application/json; charset=utf-8"


async def test_request_errors_are_4xx_without_data_for_graphql_response_json(http) -> None:
    cases = {
        "{": "GRAPHQL_PARSE_FAILED",
        "{ nope }": "GRAPHQL_VALIDATION_FAILED",
    }
    for query, code in cases.items():
        response = await http.post("/graphql", json={"query": query}, headers={"Accept": GQL})
        assert response.status_code == 400
        assert "data" not in response.json()
        assert _codes(response) == [code]
        legacy = await http.post("/graphql", json={"query": query})
        assert legacy.status_code == 200
        assert legacy.json()["data"] is None and _codes(legacy) == [code]
    coercion = {
        "query": "query($n: String!) { __type(name: $n) { name } }",
        "variables": {"n": None},
    }
    response = await http.post("/graphql", json=coercion, headers={"Accept": GQL})
    assert response.status_code == 400 and _codes(response) == ["BAD_USER_INPUT"]
    response = await http.post("/graphql", json=coercion)
    assert response.status_code == 200 and _codes(response) == ["BAD_USER_INPUT"]


async def test_unauthenticated_keeps_401_in_both_media_types(http) -> None:
    for accept in (GQL, "application/json"):
        response = await http.post(
            "/graphql", json={"query": "{ viewer { keyName } }"}, headers={"Accept": accept}
        )
        assert response.status_code == 401 and _codes(response) == ["UNAUTHENTICATED"]


async def test_malformed_requests_answer_graphql_json(http) -> None:
    json_type = {"Content-Type": "application/json"}
    cases: list[tuple[str, dict[str, Any], int]] = [
        ("POST", {"content": b'{"query": ', "headers": json_type}, 400),
        ("POST", {"content": b'"a string"', "headers": json_type}, 400),
        ("POST", {"json": [{"query": "{ __typename }"}]}, 400),
        ("POST", {"json": {"variables": {}}}, 400),
        ("POST", {"json": {"query": 1}}, 400),
        ("POST", {"json": {"query": "{ __typename }", "operationName": 1}}, 400),
        ("POST", {"json": {"query": "query A { __typename }", "operationName": "B"}}, 400),
        ("POST", {"json": {"query": "{ __typename }", "variables": "x"}}, 400),
        ("POST", {"content": b"{ __typename }", "headers": {"Content-Type": "text/plain"}}, 415),
        (
            "POST",
            {
                "content": b'{"query": "{ __typename }"}',
                "headers": {"Content-Type": "application/json; charset=latin-1"},
            },
            415,
        ),
        ("GET", {}, 400),
        ("GET", {"params": {"query": "{ __typename }", "variables": "{"}}, 400),
        ("PUT", {"json": {"query": "{ __typename }"}}, 405),
        ("DELETE", {}, 405),
    ]
    for method, kwargs, status in cases:
        for accept in (GQL, "application/json"):
            headers = {"Accept": accept, **kwargs.get("headers", {})}
            response = await http.request(method, "/graphql", **{**kwargs, "headers": headers})
            assert response.status_code == status, (method, kwargs, response.text)
            assert "data" not in response.json()
            assert _codes(response) == ["BAD_REQUEST"], (method, kwargs)
            assert response.headers["content-type"].startswith(accept), (method, kwargs)
    response = await http.post("/graphql", json=[{"query": "{ __typename }"}])
    assert "batch" in response.json()["errors"][0]["message"]


async def test_mutation_over_get_is_405_with_allow(api) -> None:
    response = await api.http.get(
        "/graphql",
        params={"query": 'mutation { createClient(input: {name: "x"}) { client { id } } }'},
        headers={"Authorization": f"Bearer {api.key}", "Accept": GQL},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert _codes(response) == ["BAD_REQUEST"]
    assert len(response.headers["x-request-id"]) == 16


async def test_subscription_over_http_points_to_websockets(api) -> None:
    query = "subscription { __typename }"
    for method in ("POST", "GET"):
        kwargs = {"json": {"query": query}} if method == "POST" else {"params": {"query": query}}
        response = await api.http.request(
            method, "/graphql", headers={"Authorization": f"Bearer {api.key}"}, **kwargs
        )
        assert response.status_code == 400
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_REQUEST"
        assert "WebSocket" in error["message"]
