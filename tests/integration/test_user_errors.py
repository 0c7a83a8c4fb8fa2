"""Expected failures: each is a typed user error with a stable code and leaves the database unchanged."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest

from domain.enums import JobStatus
from tests.support.db import insert_jobs, snapshot
from tests.support.graph import (
    CREATE_CAMPAIGN,
    CREATE_CLIENT,
    DELETE_CAMPAIGN,
    DELETE_CLIENT,
    UPDATE_CAMPAIGN,
    UPDATE_CLIENT,
    create_campaign,
    create_client,
    error_codes,
    payload,
)


def _gid(type_name: str, key: uuid.UUID | None = None) -> str:
    raw = f"{type_name}:{key or uuid.uuid4()}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def _unchanged(api, container, document, variables, field, code, path=None):
    """Run a mutation that must fail with ``code`` (on ``path``) and write nothing."""
    before = await snapshot(container.engine)
    r = await api(document, variables)
    body = payload(r, field)
    errors = body["userErrors"]
    assert [e["code"] for e in errors] == [code], errors
    if path is not None:
        assert errors[0]["field"] == path, errors
    assert errors[0]["message"]
    result_fields = [k for k in body if k != "userErrors"]
    assert all(body[k] is None for k in result_fields), body
    assert await snapshot(container.engine) == before
    return errors[0]


BAD_CLIENT_INPUTS = [
    ({"name": ""}, ["name"]),
    ({"name": "   "}, ["name"]),
    ({"name": "x" * 10_000}, ["name"]),
    ({"name": "x" * 201}, ["name"]),
    ({"name": "tab\tin name"}, ["name"]),
    ({"name": "Ok", "brandColors": ["red"]}, ["brandColors", "0"]),
    ({"name": "Ok", "brandColors": ["#12345"]}, ["brandColors", "0"]),
    ({"name": "Ok", "brandColors": ["#fff", "#GGGGGG"]}, ["brandColors", "1"]),
    ({"name": "Ok", "brandColors": ["#" + "a" * 10_000]}, ["brandColors", "0"]),
    ({"name": "Ok", "brandColors": ["#ffffff"] * 13}, ["brandColors"]),
    ({"name": "Ok", "website": "javascript:alert(1)"}, ["website"]),
    ({"name": "Ok", "website": "not a url"}, ["website"]),
    ({"name": "Ok", "website": "https://" + "a" * 10_000 + ".com"}, ["website"]),
    ({"name": "Ok", "industry": "i" * 10_000}, ["industry"]),
]


@pytest.mark.parametrize("fields, path", BAD_CLIENT_INPUTS)
async def test_create_client_invalid(api, container, fields, path) -> None:
    await _unchanged(
        api, container, CREATE_CLIENT, {"input": fields}, "createClient", "INVALID", path
    )


async def test_update_client_invalid_keeps_row(api, container) -> None:
    client = await create_client(api, "Original", brandColors=["#000000"])
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"name": ""}, ["name"]),
        ({"name": None}, ["name"]),
        ({"name": "y" * 10_000}, ["name"]),
        ({"brandColors": ["blue"]}, ["brandColors", "0"]),
        ({"website": "ftp://example.com"}, ["website"]),
    ]
    for fields, path in cases:
        await _unchanged(
            api,
            container,
            UPDATE_CLIENT,
            {"input": {"clientId": client, **fields}},
            "updateClient",
            "INVALID",
            path,
        )
    # a valid partial update changes only what was sent
    r = await api(UPDATE_CLIENT, {"input": {"clientId": client, "brandColors": ["#abc"]}})
    assert payload(r, "updateClient")["client"] == {
        "id": client,
        "name": "Original",
        "brandColors": ["#AABBCC"],
    }


BAD_CAMPAIGN_INPUTS = [
    ({"name": ""}, ["name"]),
    ({"name": "z" * 10_000}, ["name"]),
    ({"name": "Ok", "budgetUsd": -1}, ["budgetUsd"]),
    ({"name": "Ok", "budgetUsd": 1e12}, ["budgetUsd"]),
    ({"name": "Ok", "objective": "o" * 10_000}, ["objective"]),
]


@pytest.mark.parametrize("fields, path", BAD_CAMPAIGN_INPUTS)
async def test_create_campaign_invalid(api, container, fields, path) -> None:
    client = await create_client(api)
    variables = {"input": {"clientId": client, **fields}}
    await _unchanged(api, container, CREATE_CAMPAIGN, variables, "createCampaign", "INVALID", path)


async def test_update_campaign_invalid_keeps_row(api, container) -> None:
    client = await create_client(api)
    campaign = await create_campaign(api, client, "Spring", budgetUsd=100.555)
    bad: list[tuple[dict[str, Any], list[str]]] = [
        ({"name": " "}, ["name"]),
        ({"budgetUsd": -0.01}, ["budgetUsd"]),
    ]
    for fields, path in bad:
        variables = {"input": {"campaignId": campaign, **fields}}
        await _unchanged(
            api, container, UPDATE_CAMPAIGN, variables, "updateCampaign", "INVALID", path
        )
    r = await api(UPDATE_CAMPAIGN, {"input": {"campaignId": campaign, "status": "ACTIVE"}})
    assert payload(r, "updateCampaign")["campaign"] == {
        "id": campaign,
        "name": "Spring",
        "status": "ACTIVE",
        "budgetUsd": 100.56,
    }


MALFORMED_IDS = ["", "garbage", "!!!!", "Q2xpZW50OmJhZA", "x" * 10_000, _gid("Client").lower()]


@pytest.mark.parametrize(
    "bad_id", MALFORMED_IDS, ids=["empty", "garbage", "bangs", "no-uuid", "long", "lowercased"]
)
async def test_malformed_ids(api, container, bad_id) -> None:
    client = await create_client(api)
    campaign = await create_campaign(api, client)
    cases = [
        (UPDATE_CLIENT, {"clientId": bad_id, "name": "N"}, "updateClient", ["clientId"]),
        (DELETE_CLIENT, {"clientId": bad_id}, "deleteClient", ["clientId"]),
        (CREATE_CAMPAIGN, {"clientId": bad_id, "name": "N"}, "createCampaign", ["clientId"]),
        (UPDATE_CAMPAIGN, {"campaignId": bad_id, "name": "N"}, "updateCampaign", ["campaignId"]),
        (DELETE_CAMPAIGN, {"campaignId": bad_id}, "deleteCampaign", ["campaignId"]),
    ]
    for document, fields, field, path in cases:
        # an ID that decodes to a well-formed but unknown key is NOT_FOUND, anything else INVALID
        error = await _unchanged_any(api, container, document, {"input": fields}, field)
        assert error["code"] in {"INVALID", "NOT_FOUND"}, error
        assert error["field"] == path
    r = await api("query($id: ID!) { node(id: $id) { id } }", {"id": bad_id})
    assert r["data"] == {"node": None}
    assert campaign


async def _unchanged_any(api, container, document, variables, field):
    before = await snapshot(container.engine)
    r = await api(document, variables)
    errors = payload(r, field)["userErrors"]
    assert len(errors) == 1, errors
    assert await snapshot(container.engine) == before
    return errors[0]


async def test_malformed_ids_are_invalid(api, container) -> None:
    for bad in ("garbage", "!!!!", "x" * 10_000):
        error = await _unchanged(
            api,
            container,
            DELETE_CLIENT,
            {"input": {"clientId": bad}},
            "deleteClient",
            "INVALID",
            ["clientId"],
        )
        assert error["message"] == "malformed ID"


async def test_ids_of_the_wrong_type(api, container) -> None:
    client = await create_client(api)
    campaign = await create_campaign(api, client)
    cases = [
        (UPDATE_CLIENT, {"clientId": campaign, "name": "N"}, "updateClient"),
        (DELETE_CLIENT, {"clientId": campaign}, "deleteClient"),
        (CREATE_CAMPAIGN, {"clientId": campaign, "name": "N"}, "createCampaign"),
        (UPDATE_CAMPAIGN, {"campaignId": client, "name": "N"}, "updateCampaign"),
        (DELETE_CAMPAIGN, {"campaignId": client}, "deleteCampaign"),
        (DELETE_CAMPAIGN, {"campaignId": _gid("Organization")}, "deleteCampaign"),
    ]
    for document, fields, field in cases:
        error = await _unchanged(api, container, document, {"input": fields}, field, "INVALID")
        assert "expected the ID of a" in error["message"]
    r = await api(
        "query($c: ID) { campaigns(first: 5, clientId: $c) { totalCount } }", {"c": campaign}
    )
    assert error_codes(r) == ["INVALID"]


async def test_not_found(api, container) -> None:
    await _unchanged(
        api,
        container,
        UPDATE_CLIENT,
        {"input": {"clientId": _gid("Client"), "name": "N"}},
        "updateClient",
        "NOT_FOUND",
        ["clientId"],
    )
    await _unchanged(
        api,
        container,
        DELETE_CAMPAIGN,
        {"input": {"campaignId": _gid("Campaign")}},
        "deleteCampaign",
        "NOT_FOUND",
        ["campaignId"],
    )
    await _unchanged(
        api,
        container,
        CREATE_CAMPAIGN,
        {"input": {"clientId": _gid("Client"), "name": "N"}},
        "createCampaign",
        "NOT_FOUND",
        ["clientId"],
    )


async def test_deleting_a_client_with_campaigns_is_refused(api, container) -> None:
    client = await create_client(api)
    campaign = await create_campaign(api, client)
    error = await _unchanged(
        api,
        container,
        DELETE_CLIENT,
        {"input": {"clientId": client}},
        "deleteClient",
        "INVALID_STATE",
        ["clientId"],
    )
    assert "campaigns" in error["message"]
    # once its campaigns are gone, the client can go
    r = await api(DELETE_CAMPAIGN, {"input": {"campaignId": campaign}})
    assert payload(r, "deleteCampaign") == {"deletedCampaignId": campaign, "userErrors": []}
    r = await api(DELETE_CLIENT, {"input": {"clientId": client}})
    assert payload(r, "deleteClient") == {"deletedClientId": client, "userErrors": []}
    r = await api("query($id: ID!) { node(id: $id) { id } }", {"id": client})
    assert r["data"]["node"] is None
    # deleting again: it is gone
    await _unchanged(
        api, container, DELETE_CLIENT, {"input": {"clientId": client}}, "deleteClient", "NOT_FOUND"
    )


async def test_deleting_a_campaign_with_jobs_is_refused(api, container) -> None:
    client = await create_client(api)
    campaign = await create_campaign(api, client)
    await insert_jobs(container.session_factory, campaign, [JobStatus.COMPLETED])
    await _unchanged(
        api,
        container,
        DELETE_CAMPAIGN,
        {"input": {"campaignId": campaign}},
        "deleteCampaign",
        "INVALID_STATE",
        ["campaignId"],
    )


async def test_duplicate_names(api, other_api, container) -> None:
    client = await create_client(api, "Acme Coffee")
    for name in ("Acme Coffee", "acme coffee", "  ACME   Coffee "):
        await _unchanged(
            api,
            container,
            CREATE_CLIENT,
            {"input": {"name": name}},
            "createClient",
            "DUPLICATE",
            ["name"],
        )
    other = await create_client(api, "Globex")
    await _unchanged(
        api,
        container,
        UPDATE_CLIENT,
        {"input": {"clientId": other, "name": "ACME COFFEE"}},
        "updateClient",
        "DUPLICATE",
        ["name"],
    )
    # renaming to itself in another case is fine; another organization may use the name
    r = await api(UPDATE_CLIENT, {"input": {"clientId": client, "name": "ACME Coffee"}})
    assert payload(r, "updateClient")["userErrors"] == []
    await create_client(other_api, "Acme Coffee")

    await create_campaign(api, client, "Spring")
    await _unchanged(
        api,
        container,
        CREATE_CAMPAIGN,
        {"input": {"clientId": client, "name": "spring"}},
        "createCampaign",
        "DUPLICATE",
        ["name"],
    )
    second = await create_campaign(api, client, "Summer")
    await _unchanged(
        api,
        container,
        UPDATE_CAMPAIGN,
        {"input": {"campaignId": second, "name": "SPRING"}},
        "updateCampaign",
        "DUPLICATE",
        ["name"],
    )
    # campaign names are unique per client only
    await create_campaign(api, other, "Spring")


@pytest.mark.parametrize(
    "document, variables",
    [
        (CREATE_CAMPAIGN, {"input": {"clientId": "{client}", "name": "N", "status": "LAUNCHED"}}),
        (UPDATE_CAMPAIGN, {"input": {"campaignId": "{campaign}", "status": "draft"}}),
        ("query { campaigns(first: 1, status: SHIPPED) { totalCount } }", {}),
        (CREATE_CLIENT, {"input": {"name": 42}}),
        (CREATE_CLIENT, {"input": {"name": "N", "unknownField": 1}}),
        (CREATE_CLIENT, {"input": {}}),
        (CREATE_CAMPAIGN, {"input": {"clientId": "{client}", "name": "N", "budgetUsd": "lots"}}),
    ],
)
async def test_malformed_requests_are_graphql_errors(api, container, document, variables) -> None:
    client = await create_client(api)
    campaign = await create_campaign(api, client)

    def fill(value):
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return (
            {"{client}": client, "{campaign}": campaign}.get(value, value)
            if isinstance(value, str)
            else value
        )

    before = await snapshot(container.engine)
    r = await api(document, fill(variables))
    assert r.get("data") is None, r
    assert r["errors"] and r["errors"][0]["message"]
    assert await snapshot(container.engine) == before


async def test_concurrent_duplicates_leave_exactly_one(api) -> None:
    """Racing creations of one name: one wins, the others get DUPLICATE (never a fault)."""
    import asyncio

    responses = await asyncio.gather(
        *(api(CREATE_CLIENT, {"input": {"name": "Same name"}}) for _ in range(6))
    )
    outcomes = sorted(
        tuple(e["code"] for e in payload(r, "createClient")["userErrors"]) for r in responses
    )
    assert outcomes == [()] + [("DUPLICATE",)] * 5
    r = await api('{ clients(first: 10, search: "same name") { totalCount } }')
    assert r["data"]["clients"]["totalCount"] == 1


async def test_nodes_keeps_order_and_is_bounded(api) -> None:
    client = await create_client(api)
    campaign = await create_campaign(api, client)
    ids = [campaign, _gid("Client"), "garbage", client]
    r = await api("query($ids: [ID!]!) { nodes(ids: $ids) { id __typename } }", {"ids": ids})
    assert r["data"]["nodes"] == [
        {"id": campaign, "__typename": "Campaign"},
        None,
        None,
        {"id": client, "__typename": "Client"},
    ]
    r = await api("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [client] * 101})
    assert error_codes(r) == ["INVALID"]
