"""No key, no data: every query and mutation of the schema refuses unauthenticated callers."""

from __future__ import annotations

import pytest

from domain.services.tenancy import revoke_api_key
from schema.app import build_schema
from tests.conftest import new_key
from tests.support.db import snapshot
from tests.support.graph import CREATE_CLIENT, create_client, error_codes, root_operations

OPERATIONS = root_operations(build_schema())


async def _revoked_key(container) -> str:
    key = await new_key(container, "revoked-org")
    async with container.session_factory() as session:
        await revoke_api_key(session, key)
        await session.commit()
    return key


@pytest.mark.parametrize("credential", ["none", "unknown", "malformed", "revoked"])
async def test_every_operation_fails_without_a_valid_key(api, container, credential) -> None:
    await create_client(api, "Existing")
    headers: dict[str, str] = {}
    if credential == "unknown":
        headers["Authorization"] = "Bearer adr_00000000_" + "x" * 43
    elif credential == "malformed":
        headers["Authorization"] = f"Basic {api.key}"
    elif credential == "revoked":
        headers["Authorization"] = f"Bearer {await _revoked_key(container)}"
    before = await snapshot(container.engine)
    assert OPERATIONS, "the schema has root fields"
    for name, document in OPERATIONS:
        response = await api.http.post("/graphql", json={"query": document}, headers=headers)
        body = response.json()
        assert response.status_code == 401, (name, body)
        assert body["data"] is None, (name, body)
        assert error_codes(body) == ["UNAUTHENTICATED"], (name, body)
    # a complete, valid mutation is refused as well, and nothing is written
    r = await api(CREATE_CLIENT, {"input": {"name": "Sneaky"}}, key=None)
    assert r["data"] is None and r["_status"] == 401
    assert await snapshot(container.engine) == before


async def test_error_messages_say_why(api, container) -> None:
    r = await api("{ viewer { keyName } }", key=None)
    assert "Authorization: Bearer" in r["errors"][0]["message"]
    r = await api("{ viewer { keyName } }", key="adr_nope_nope")
    assert r["errors"][0]["message"] == "invalid API key"
    r = await api("{ viewer { keyName } }", key=await _revoked_key(container))
    assert r["errors"][0]["message"] == "API key revoked"


async def test_valid_key_sees_its_organization(api, container) -> None:
    key = await new_key(container, "Initech")
    r = await api(
        "{ viewer { organization { id name } keyName quota { rateLimitPerMinute } } }", key=key
    )
    assert r["_status"] == 200
    viewer = r["data"]["viewer"]
    assert viewer["organization"]["name"] == "Initech"
    assert viewer["keyName"] == "default"
    assert viewer["quota"]["rateLimitPerMinute"] == container.settings.rate_limit_per_minute
    # the organization is a Node like any other, visible to its own members only
    org_id = viewer["organization"]["id"]
    r = await api(
        "query($id: ID!) { node(id: $id) { id ... on Organization { name } } }",
        {"id": org_id},
        key=key,
    )
    assert r["data"]["node"] == {"id": org_id, "name": "Initech"}
    r = await api("query($id: ID!) { node(id: $id) { id } }", {"id": org_id})
    assert r["data"]["node"] is None


async def test_introspection_needs_no_key_but_data_does(api) -> None:
    r = await api("{ __schema { queryType { name } } }", key=None)
    assert r["_status"] == 200 and r["data"]["__schema"]["queryType"]["name"] == "Query"
    r = await api("{ __typename clients(first: 1) { totalCount } }", key=None)
    assert r["_status"] == 401 and r["data"] is None


async def test_get_queries_need_the_key_too(api) -> None:
    query = {"query": "{ clients(first: 1) { totalCount } }"}
    response = await api.http.get("/graphql", params=query)
    assert response.status_code == 401 and response.json()["data"] is None
    response = await api.http.get(
        "/graphql", params=query, headers={"Authorization": f"Bearer {api.key}"}
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"clients": {"totalCount": 0}}
