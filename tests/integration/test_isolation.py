"""Cross-organization isolation: another organization's ID behaves exactly like one that does not exist.

Table-driven. Adding a node type is one line in ``NODE_TYPES`` (a factory that creates one object
as the owning organization and returns its global ID); adding a mutation is one line in
``MUTATIONS`` (an input template whose ``{Type}`` placeholders are filled with the owner's IDs).
``test_every_mutation_has_an_isolation_case`` and ``test_every_node_type_has_a_factory`` fail
when the schema grows a mutation or node type without a row here.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain import enums, models
from schema.app import build_schema
from schema.ids import decode_id, encode_id
from tests.support.db import snapshot
from tests.support.graph import create_campaign, create_client, payload


@dataclass
class Owner:
    """The organization that owns the objects: its API client and the container."""

    api: Any
    container: Any


Factory = Callable[[Owner, dict[str, str]], Awaitable[str]]


async def _client(owner: Owner, made: dict[str, str]) -> str:
    return await create_client(owner.api, f"Client {uuid.uuid4().hex[:6]}")


async def _campaign(owner: Owner, made: dict[str, str]) -> str:
    return await create_campaign(owner.api, made["Client"], f"Campaign {uuid.uuid4().hex[:6]}")


async def _job(owner: Owner, made: dict[str, str]) -> str:
    """A job waiting at its storyboard (written directly: no pipeline run is needed)."""
    async with owner.container.session_factory() as session:
        campaign = await session.get(models.Campaign, decode_id(made["Campaign"], "Campaign"))
        job = models.Job(
            organization_id=campaign.organization_id,
            campaign_id=campaign.id,
            status=enums.JobStatus.STORYBOARD_READY,
            brief={"product": "Shoes"},
            duration_seconds=15.0,
            aspect_ratio=enums.AspectRatio.LANDSCAPE_16_9,
        )
        session.add(job)
        await session.commit()
        return encode_id("Job", job.id)


async def _scene(owner: Owner, made: dict[str, str]) -> str:
    async with owner.container.session_factory() as session:
        job = await session.get(models.Job, decode_id(made["Job"], "Job"))
        scene = models.Scene(
            organization_id=job.organization_id,
            job_id=job.id,
            position=0,
            title="Opening",
            shot_type=enums.ShotType.WIDE,
            transition=enums.Transition.CUT,
            duration_seconds=15.0,
            continuity=enums.SceneContinuity.CUT,
        )
        session.add(scene)
        await session.commit()
        return encode_id("Scene", scene.id)


async def _render(owner: Owner, made: dict[str, str]) -> str:
    async with owner.container.session_factory() as session:
        job = await session.get(models.Job, decode_id(made["Job"], "Job"))
        render = models.Render(
            organization_id=job.organization_id,
            job_id=job.id,
            format=enums.VideoFormat.MP4,
            resolution=enums.Resolution.P720,
            aspect_ratio=enums.AspectRatio.LANDSCAPE_16_9,
        )
        session.add(render)
        await session.commit()
        return encode_id("Render", render.id)


async def _asset(owner: Owner, made: dict[str, str]) -> str:
    r = await owner.api(
        "mutation($input: CreateAssetUploadInput!) { createAssetUpload(input: $input)"
        " { asset { id } userErrors { code } } }",
        {"input": {"campaignId": made["Campaign"], "filename": "logo.png", "byteSize": 68}},
    )
    body = payload(r, "createAssetUpload")
    assert body["userErrors"] == [], body
    asset_id: str = body["asset"]["id"]
    return asset_id


async def _row(owner: Owner, made: dict[str, str], type_name: str, **fields: Any) -> str:
    """A row of the owner's organization written directly (fields may name ``{Type}`` IDs)."""
    async with owner.container.session_factory() as session:
        job = await session.get(models.Job, decode_id(made["Job"], "Job"))
        values = {
            k: decode_id(made[v[1:-1]], v[1:-1]) if isinstance(v, str) and v.startswith("{") else v
            for k, v in fields.items()
        }
        row = getattr(models, type_name)(organization_id=job.organization_id, **values)
        session.add(row)
        await session.commit()
        return encode_id(type_name, row.id)


async def _variant_group(owner: Owner, made: dict[str, str]) -> str:
    return await _row(owner, made, "VariantGroup", source_job_id="{Job}")


async def _template(owner: Owner, made: dict[str, str]) -> str:
    storyboard = {"brief": {"product": "{{product}}"}, "aspect_ratio": "SQUARE_1_1", "scenes": []}
    return await _row(
        owner, made, "JobTemplate", name="T", fields=["product"], storyboard=storyboard
    )


async def _batch(owner: Owner, made: dict[str, str]) -> str:
    return await _row(
        owner, made, "JobBatch", template_id="{JobTemplate}", campaign_id="{Campaign}"
    )


async def _bundle(owner: Owner, made: dict[str, str]) -> str:
    return await _row(owner, made, "Bundle", items=[])


async def _webhook_endpoint(owner: Owner, made: dict[str, str]) -> str:
    return await _row(
        owner,
        made,
        "WebhookEndpoint",
        url="https://hooks.example.com/adreel",
        event_types=[enums.WebhookEventType.JOB_STATUS_CHANGED.value],
        secret="whsec_" + base64.b64encode(uuid.uuid4().bytes).decode(),
    )


async def _webhook_delivery(owner: Owner, made: dict[str, str]) -> str:
    """A delivery of a ping to the owner's endpoint (its message written first)."""
    endpoint_id = decode_id(made["WebhookEndpoint"], "WebhookEndpoint")
    async with owner.container.session_factory() as session:
        endpoint = await session.get(models.WebhookEndpoint, endpoint_id)
        message = models.WebhookMessage(
            organization_id=endpoint.organization_id,
            type=enums.WebhookEventType.PING,
            body="{}",
        )
        session.add(message)
        await session.flush()
        delivery = models.WebhookDelivery(
            organization_id=endpoint.organization_id,
            endpoint_id=endpoint.id,
            message_id=message.id,
            event_type=enums.WebhookEventType.PING,
            # due in a day: the runner's sweep must not attempt it while a test compares snapshots
            next_attempt_at=datetime.now(UTC) + timedelta(days=1),
        )
        session.add(delivery)
        await session.commit()
        return encode_id("WebhookDelivery", delivery.id)


#: node type -> factory creating one object of the owner; later rows may use earlier ones' IDs.
NODE_TYPES: dict[str, Factory] = {
    "Client": _client,
    "Campaign": _campaign,
    "Asset": _asset,
    "Job": _job,
    "Scene": _scene,
    "Render": _render,
    "VariantGroup": _variant_group,
    "JobTemplate": _template,
    "JobBatch": _batch,
    "Bundle": _bundle,
}

#: objects that are not nodes but that mutations name by ID (made after the node types).
OTHER_OBJECTS: dict[str, Factory] = {
    "WebhookEndpoint": _webhook_endpoint,
    "WebhookDelivery": _webhook_delivery,
}

#: mutation -> input template; "{Type}" is replaced by the owner's object of that type.
MUTATIONS: dict[str, dict[str, Any]] = {
    "updateClient": {"clientId": "{Client}", "name": "Taken over"},
    "deleteClient": {"clientId": "{Client}"},
    "createCampaign": {"clientId": "{Client}", "name": "Planted"},
    "updateCampaign": {"campaignId": "{Campaign}", "name": "Taken over", "status": "ARCHIVED"},
    "deleteCampaign": {"campaignId": "{Campaign}"},
    "createAssetUpload": {"clientId": "{Client}", "filename": "x.png", "byteSize": 68},
    "importAssetFromUrl": {"url": "https://assets.invalid/x.png", "campaignId": "{Campaign}"},
    "deleteAsset": {"assetId": "{Asset}"},
    "createJob": {
        "campaignId": "{Campaign}",
        "brief": {"product": "Shoes"},
        "durationSeconds": 15,
        "aspectRatio": "LANDSCAPE_16_9",
    },
    "approveStoryboard": {"jobId": "{Job}"},
    "updateScene": {"sceneId": "{Scene}", "title": "Taken over"},
    "addScene": {"jobId": "{Job}", "title": "Planted"},
    "deleteScene": {"sceneId": "{Scene}"},
    "reorderScenes": {"jobId": "{Job}", "sceneIds": ["{Scene}"]},
    "regenerateScene": {"sceneId": "{Scene}", "feedback": "more red"},
    "cancelJob": {"jobId": "{Job}"},
    "retryJob": {"jobId": "{Job}"},
    "exportJob": {"jobId": "{Job}"},
    "createVariants": {"jobId": "{Job}", "variants": [{"hookLine": "Taken over"}]},
    "saveJobTemplate": {"jobId": "{Job}", "name": "Taken over"},
    "createJobsFromTemplate": {
        "templateId": "{JobTemplate}",
        "campaignId": "{Campaign}",
        "rows": [{"product": "Planted"}],
    },
    "createJobsFromTemplateCsv": {
        "templateId": "{JobTemplate}",
        "campaignId": "{Campaign}",
        "csv": "product\nPlanted\n",
    },
    "exportBundle": {"jobIds": ["{Job}"], "renders": [{"format": "MP4"}]},
    "replaceSceneClip": {"sceneId": "{Scene}", "assetId": "{Asset}"},
    "updateWebhookEndpoint": {"endpointId": "{WebhookEndpoint}", "description": "Taken over"},
    "deleteWebhookEndpoint": {"endpointId": "{WebhookEndpoint}"},
    "rotateWebhookSecret": {"endpointId": "{WebhookEndpoint}"},
    "pingWebhookEndpoint": {"endpointId": "{WebhookEndpoint}"},
    "redeliverWebhook": {"deliveryId": "{WebhookDelivery}"},
}

#: mutations whose isolation another module tests (multipart bodies), with where.
COVERED_ELSEWHERE = {
    "uploadAsset": "test_assets_api.py::test_upload_to_another_organizations_client",
}

#: mutations whose input names no existing object (nothing of another organization to reach).
NO_FOREIGN_IDS = {"createClient", "createWebhookEndpoint"}


def _missing_id(global_id: str) -> str:
    """An ID of the same type whose key exists nowhere."""
    raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    type_name = raw.split(":", 1)[0]
    return base64.urlsafe_b64encode(f"{type_name}:{uuid.uuid4()}".encode()).decode().rstrip("=")


def _fill(template: Any, ids: dict[str, str]) -> Any:
    if isinstance(template, dict):
        return {k: _fill(v, ids) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, ids) for v in template]
    if isinstance(template, str) and template.startswith("{") and template.endswith("}"):
        return ids[template[1:-1]]
    return template


def _root_fields(kind: str) -> dict[str, Any]:
    gql = build_schema()._schema
    root = gql.query_type if kind == "query" else gql.mutation_type
    assert root is not None
    return dict(root.fields)


def _input_type(mutation: str) -> str:
    field = _root_fields("mutation")[mutation]
    return str(field.args["input"].type)


async def _make_all(api: Any, container: Any) -> dict[str, str]:
    made: dict[str, str] = {}
    for type_name, factory in {**NODE_TYPES, **OTHER_OBJECTS}.items():
        made[type_name] = await factory(Owner(api, container), made)
    return made


def _scrub(value: Any, ids: set[str]) -> Any:
    """The response with every ID replaced (so a foreign and a missing ID can be compared)."""
    text = json.dumps(value, sort_keys=True)
    for i in ids:
        text = text.replace(i, "<id>")
    return json.loads(text)


def test_every_mutation_has_an_isolation_case() -> None:
    mutations = set(_root_fields("mutation"))
    missing = mutations - set(MUTATIONS) - NO_FOREIGN_IDS - set(COVERED_ELSEWHERE)
    assert not missing, f"add a row to MUTATIONS in {__file__} for: {sorted(missing)}"


def test_every_node_type_has_a_factory() -> None:
    from resolvers.node import NODE_TYPES as REGISTERED

    missing = set(REGISTERED) - set(NODE_TYPES)
    assert not missing, f"add a factory to NODE_TYPES in {__file__} for: {sorted(missing)}"


@pytest.mark.parametrize("type_name", list(NODE_TYPES))
async def test_foreign_node_is_invisible(api, other_api, container, type_name) -> None:
    made = await _make_all(api, container)
    foreign = made[type_name]
    query = "query($id: ID!) { node(id: $id) { id } }"
    assert (await api(query, {"id": foreign}))["data"]["node"] == {"id": foreign}
    seen = await other_api(query, {"id": foreign})
    missing = await other_api(query, {"id": _missing_id(foreign)})
    assert seen == missing == {"data": {"node": None}, "_status": 200}
    r = await other_api("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [foreign]})
    assert r["data"]["nodes"] == [None]


async def test_lists_show_only_own_rows(api, other_api, container) -> None:
    made = await _make_all(api, container)
    root = _root_fields("query")
    lists = [name for name, f in root.items() if str(f.type).endswith("Connection!")]
    assert {"clients", "campaigns"} <= set(lists)
    document = "{ " + " ".join(f"{n}(first: 100) {{ totalCount }}" for n in lists) + " }"
    mine = (await api(document))["data"]
    assert all(mine[n]["totalCount"] >= 1 for n in lists), mine
    theirs = (await other_api(document))["data"]
    assert theirs == {n: {"totalCount": 0} for n in lists}
    # filtering by another organization's parent finds nothing either
    r = await other_api(
        "query($c: ID) { campaigns(first: 100, clientId: $c) { totalCount edges { node { id } } } }",
        {"c": made["Client"]},
    )
    assert r["data"]["campaigns"] == {"totalCount": 0, "edges": []}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
async def test_foreign_ids_in_mutations_are_not_found(api, other_api, container, mutation) -> None:
    made = await _make_all(api, container)
    document = (
        f"mutation($input: {_input_type(mutation)}) {{ {mutation}(input: $input) "
        "{ userErrors { field message code } } }"
    )
    before = await snapshot(container.engine)
    foreign = await other_api(document, {"input": _fill(MUTATIONS[mutation], made)})
    assert await snapshot(container.engine) == before, "another organization changed the data"
    errors = payload(foreign, mutation)["userErrors"]
    assert [e["code"] for e in errors] == ["NOT_FOUND"], errors
    # exactly what an ID that exists nowhere gets
    missing_ids = {k: _missing_id(v) for k, v in made.items()}
    missing = await other_api(document, {"input": _fill(MUTATIONS[mutation], missing_ids)})
    all_ids = set(made.values()) | set(missing_ids.values())
    assert _scrub(foreign, all_ids) == _scrub(missing, all_ids)
