"""Clients and campaigns end to end through GraphQL, on SQLite and PostgreSQL."""

from __future__ import annotations

CREATE_CLIENT = """
mutation($input: CreateClientInput!) {
  createClient(input: $input) { client { id name brandColors } userErrors { field message code } }
}"""

CREATE_CAMPAIGN = """
mutation($input: CreateCampaignInput!) {
  createCampaign(input: $input) { campaign { id name status client { id } } userErrors { field code } }
}"""


async def test_create_and_page_clients(api) -> None:
    ids = []
    for i in range(5):
        r = await api(CREATE_CLIENT, {"input": {"name": f"Brand {i}", "brandColors": ["#abc"]}})
        payload = r["data"]["createClient"]
        assert payload["userErrors"] == []
        assert payload["client"]["brandColors"] == ["#AABBCC"]
        ids.append(payload["client"]["id"])
    q = "query($after: String) { clients(first: 2, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }"
    seen, after = [], None
    while True:
        r = await api(q, {"after": after})
        conn = r["data"]["clients"]
        assert conn["totalCount"] == 5
        seen += [e["node"]["id"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == ids


async def test_campaign_under_client_and_auth(api, other_api) -> None:
    r = await api(CREATE_CLIENT, {"input": {"name": "Acme"}})
    client_id = r["data"]["createClient"]["client"]["id"]
    r = await api(CREATE_CAMPAIGN, {"input": {"clientId": client_id, "name": "Launch"}})
    assert r["data"]["createCampaign"]["campaign"]["client"]["id"] == client_id
    r = await other_api(CREATE_CAMPAIGN, {"input": {"clientId": client_id, "name": "Steal"}})
    assert r["data"]["createCampaign"]["userErrors"][0]["code"] == "NOT_FOUND"
    r = await api("{ clients(first: 5) { totalCount } }", key=None)
    assert r["data"] is None and r["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert r["_status"] == 401
