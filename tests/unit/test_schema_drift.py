"""The committed SDL (schema.graphql) is exactly what the code exports."""

from __future__ import annotations

import difflib
from pathlib import Path

from cli.export_schema import export_schema_sdl

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"
REGENERATE = "adreel export-schema -o schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    exported = export_schema_sdl()
    committed = SDL.read_text(encoding="utf-8") if SDL.exists() else ""
    if committed != exported:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                exported.splitlines(keepends=True),
                "schema.graphql (committed)",
                "schema (code)",
            )
        )
        raise AssertionError(
            f"schema.graphql drifted from the code. Regenerate it with:\n\n    {REGENERATE}\n\n"
            f"then review and commit it. Diff:\n{diff}"
        )


def test_api_contract_names_are_present() -> None:
    """Names other clients depend on (API.md) are never renamed or dropped silently."""
    sdl = export_schema_sdl()
    for name in (
        "interface Node",
        "node(id: ID!): Node",
        "nodes(ids: [ID!]!): [Node]!",
        "viewer: Viewer!",
        "type PageInfo",
        "hasNextPage: Boolean!",
        "totalCount: Int!",
        "type UserError",
        "enum UserErrorCode",
        "createClient(input: CreateClientInput!): ClientPayload!",
        "updateClient(input: UpdateClientInput!): ClientPayload!",
        "deleteClient(input: DeleteClientInput!): DeleteClientPayload!",
        "createCampaign(input: CreateCampaignInput!): CampaignPayload!",
        "updateCampaign(input: UpdateCampaignInput!): CampaignPayload!",
        "deleteCampaign(input: DeleteCampaignInput!): DeleteCampaignPayload!",
        "type ClientStats",
        "type CampaignStats",
    ):
        assert name in sdl, name
    for code in (
        "INVALID",
        "NOT_FOUND",
        "INVALID_STATE",
        "LIMIT_EXCEEDED",
        "BUDGET_EXCEEDED",
        "UNSUPPORTED_MEDIA",
        "TOO_LARGE",
        "URL_NOT_ALLOWED",
        "FETCH_FAILED",
        "RATE_LIMITED",
        "PROVIDER_UNAVAILABLE",
    ):
        assert f"  {code}\n" in sdl, code
