"""GraphQL documents and small factories shared by the API tests."""

from __future__ import annotations

from typing import Any

CREATE_CLIENT = """
mutation($input: CreateClientInput!) {
  createClient(input: $input) {
    client { id name website industry brandColors }
    userErrors { field message code }
  }
}"""

UPDATE_CLIENT = """
mutation($input: UpdateClientInput!) {
  updateClient(input: $input) { client { id name brandColors } userErrors { field message code } }
}"""

DELETE_CLIENT = """
mutation($input: DeleteClientInput!) {
  deleteClient(input: $input) { deletedClientId userErrors { field message code } }
}"""

CREATE_CAMPAIGN = """
mutation($input: CreateCampaignInput!) {
  createCampaign(input: $input) {
    campaign { id name status budgetUsd client { id } }
    userErrors { field message code }
  }
}"""

UPDATE_CAMPAIGN = """
mutation($input: UpdateCampaignInput!) {
  updateCampaign(input: $input) {
    campaign { id name status budgetUsd }
    userErrors { field message code }
  }
}"""

DELETE_CAMPAIGN = """
mutation($input: DeleteCampaignInput!) {
  deleteCampaign(input: $input) { deletedCampaignId userErrors { field message code } }
}"""


def payload(response: dict[str, Any], field: str) -> dict[str, Any]:
    """The payload of mutation ``field``, failing with the whole response when it is missing."""
    data = response.get("data")
    assert data is not None and data.get(field) is not None, response
    result: dict[str, Any] = data[field]
    return result


def codes(response: dict[str, Any], field: str) -> list[str]:
    """The user error codes of mutation ``field``."""
    return [e["code"] for e in payload(response, field)["userErrors"]]


def error_codes(response: dict[str, Any]) -> list[str | None]:
    """The ``extensions.code`` of each GraphQL error."""
    return [(e.get("extensions") or {}).get("code") for e in response.get("errors") or []]


async def create_client(api: Any, name: str = "Acme", **fields: Any) -> str:
    """Create a client and return its global ID."""
    r = await api(CREATE_CLIENT, {"input": {"name": name, **fields}})
    body = payload(r, "createClient")
    assert body["userErrors"] == [], body
    client_id: str = body["client"]["id"]
    return client_id


async def create_campaign(api: Any, client_id: str, name: str = "Launch", **fields: Any) -> str:
    """Create a campaign under ``client_id`` and return its global ID."""
    r = await api(CREATE_CAMPAIGN, {"input": {"clientId": client_id, "name": name, **fields}})
    body = payload(r, "createCampaign")
    assert body["userErrors"] == [], body
    campaign_id: str = body["campaign"]["id"]
    return campaign_id


def root_operations(schema: Any) -> list[tuple[str, str]]:
    """One document per root query and mutation field of ``schema`` (a Strawberry schema).

    Every argument becomes a variable of its exact type (left unset: access control runs before
    variables are coerced); object results select ``__typename``. New fields are covered the
    moment they are added to the schema.
    """
    from graphql import get_named_type, is_composite_type

    gql = schema._schema
    documents: list[tuple[str, str]] = []
    for keyword, root in (("query", gql.query_type), ("mutation", gql.mutation_type)):
        if root is None:
            continue
        for name, field in root.fields.items():
            variables = ", ".join(f"${arg}: {spec.type}" for arg, spec in field.args.items())
            arguments = ", ".join(f"{arg}: ${arg}" for arg in field.args)
            head = f"{keyword} Op({variables})" if variables else f"{keyword} Op"
            call = f"{name}({arguments})" if arguments else name
            selection = " { __typename }" if is_composite_type(get_named_type(field.type)) else ""
            documents.append((f"{keyword}.{name}", f"{head} {{ {call}{selection} }}"))
    return documents
