"""A job's character through the API: a job naming no assets gets the brand kit's character
(and its newest music);
a CONTINUE into or out of a scene that shows the character is refused (``INVALID`` naming the
scene) by updateScene, addScene and reorderScenes, and nothing changes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from domain.bootstrap import Container, build_container
from domain.enums import AssetKind, AssetRole, AssetStatus
from domain.models import Asset
from domain.ports.queue import RUN_STAGE
from domain.settings import Settings
from tests.conftest import Api
from tests.support.job_flow import Flow, add_asset, key_of

ERRORS = "userErrors { field message code }"
SCENES = "scenes { id position beat continuity transition character { id } }"
CREATE = f"""mutation($input: CreateJobInput!) {{ createJob(input: $input) {{
  job {{ id assets {{ id }} music {{ id }} {SCENES} }} {ERRORS} }} }}"""

JOB = f"query($id: ID!) {{ node(id: $id) {{ ... on Job {{ status durationSeconds {SCENES} }} }} }}"
UPDATE = f"""mutation($input: UpdateSceneInput!) {{ updateScene(input: $input) {{
  scene {{ id }} {ERRORS} }} }}"""
ADD = f"""mutation($input: AddSceneInput!) {{ addScene(input: $input) {{ scene {{ id }} {ERRORS} }} }}"""
REORDER = f"""mutation($input: ReorderScenesInput!) {{ reorderScenes(input: $input) {{
  job {{ id }} {ERRORS} }} }}"""


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    """The migrated container; stage runs are driven by the test (``Flow``), not the queue."""

    async def run_stage(ctx: dict[str, Any], *, job_id: str, stage: str) -> None:
        return None

    c = await build_container(settings, migrate=True, tasks={RUN_STAGE: run_stage})
    try:
        yield c
    finally:
        await c.close()


async def _client(api: Api) -> tuple[str, str]:
    r = await api(
        "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } } }",
        {"i": {"name": f"Acme {uuid.uuid4().hex[:6]}"}},
    )
    client_id = r["data"]["createClient"]["client"]["id"]
    r = await api(
        "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }",
        {"i": {"clientId": client_id, "name": "Launch"}},
    )
    return client_id, r["data"]["createCampaign"]["campaign"]["id"]


def _refusal(body: dict[str, Any], name: str) -> tuple[str, list[str], str]:
    assert "errors" not in body, body
    (error,) = body["data"][name]["userErrors"]
    return error["code"], error["field"], error["message"]


async def test_no_continue_into_or_out_of_a_character_scene(api: Api, container: Container) -> None:
    client_id, campaign_id = await _client(api)
    face = await add_asset(container.session_factory, client_id, AssetRole.CHARACTER)
    r = await api(CREATE, {"input": {
        "campaignId": campaign_id, "brief": {"product": "Aurora shoes"}, "durationSeconds": 18.0,
        "aspectRatio": "PORTRAIT_9_16", "sceneCount": 6, "continuity": True, "assetIds": [face],
    }})  # fmt: skip
    assert r["data"]["createJob"]["userErrors"] == [], r
    job_id = r["data"]["createJob"]["job"]["id"]
    flow = Flow(container.session_factory, job_id)
    await flow.to_storyboard_ready()
    job = (await api(JOB, {"id": job_id}))["data"]["node"]
    scenes = job["scenes"]
    marks = [bool(s["character"]) for s in scenes]
    # hook, problem, product, detail, benefit, end card: the story beats show the face; only the
    # detail (after the product, no character either side) continues a shot
    assert marks == [True, True, False, False, True, False]
    assert [s["continuity"] for s in scenes] == ["CUT", "CUT", "CUT", "CONTINUE", "CUT", "CUT"]
    ids = [s["id"] for s in scenes]

    # out of a character scene: the product (after the problem), the end card (after the benefit)
    for index in (2, 5):
        body = await api(UPDATE, {"input": {"sceneId": ids[index], "continuity": "CONTINUE"}})
        code, field, message = _refusal(body, "updateScene")
        assert (code, field) == ("INVALID", ["continuity"])
        assert f"scene {index + 1} cannot CONTINUE the shot of scene {index}" in message
        assert "character" in message
    # into a character scene
    body = await api(UPDATE, {"input": {"sceneId": ids[4], "continuity": "CONTINUE"}})
    code, field, message = _refusal(body, "updateScene")
    assert (code, field) == ("INVALID", ["continuity"]) and message.startswith("scene 5 shows")
    # the character onto the product shot, which the (CONTINUE) detail follows
    body = await api(UPDATE, {"input": {"sceneId": ids[2], "characterAssetId": face}})
    code, field, message = _refusal(body, "updateScene")
    assert code == "INVALID" and "scene 4 cannot CONTINUE the shot of scene 3" in message
    # a new CONTINUE scene right after the hook
    body = await api(ADD, {"input": {"jobId": job_id, "position": 1, "continuity": "CONTINUE"}})
    code, field, message = _refusal(body, "addScene")
    assert code == "INVALID" and "scene 2 cannot CONTINUE the shot of scene 1" in message
    # the detail (CONTINUE) moved right after the hook
    order = [ids[0], ids[3], ids[1], ids[2], ids[4], ids[5]]
    body = await api(REORDER, {"input": {"jobId": job_id, "sceneIds": order}})
    code, field, message = _refusal(body, "reorderScenes")
    assert code == "INVALID" and "scene 2 cannot CONTINUE the shot of scene 1" in message

    after = (await api(JOB, {"id": job_id}))["data"]["node"]
    assert after == job  # nothing was written

    # allowed: the detail keeps continuing the product; with the face off the problem scene,
    # the product shot may continue it
    body = await api(UPDATE, {"input": {"sceneId": ids[1], "characterAssetId": None}})
    assert body["data"]["updateScene"]["userErrors"] == []
    body = await api(UPDATE, {"input": {"sceneId": ids[2], "continuity": "CONTINUE"}})
    assert body["data"]["updateScene"]["userErrors"] == []
    now = (await api(JOB, {"id": job_id}))["data"]["node"]["scenes"]
    assert [s["continuity"] for s in now][:4] == ["CUT", "CUT", "CONTINUE", "CONTINUE"]


async def _age(container: Container, asset_gid: str, days: int) -> None:
    """Make an asset ``days`` older (its place in the brand kit's order)."""
    async with container.session_factory() as session:
        asset = await session.get(Asset, key_of(asset_gid))
        assert asset is not None
        asset.created_at = asset.created_at - timedelta(days=days)
        await session.commit()


async def test_a_job_naming_no_assets_gets_the_brand_kit(
    api: Api, other_api: Api, container: Container
) -> None:
    client_id, campaign_id = await _client(api)
    add = container.session_factory
    first = await add_asset(add, client_id, AssetRole.CHARACTER)
    second = await add_asset(add, client_id, AssetRole.CHARACTER)
    pending = await add_asset(add, client_id, AssetRole.CHARACTER, status=AssetStatus.PENDING)
    video = await add_asset(add, client_id, AssetRole.CHARACTER, kind=AssetKind.VIDEO)
    product = await add_asset(add, client_id, AssetRole.PRODUCT)
    old_logo = await add_asset(add, client_id, AssetRole.LOGO)
    logo = await add_asset(add, client_id, AssetRole.LOGO)
    for gid, days in ((pending, 9), (video, 8), (first, 2), (second, 1), (old_logo, 3)):
        await _age(container, gid, days)
    other_client, _ = await _client(other_api)  # another organization's older character
    await _age(container, await add_asset(add, other_client, AssetRole.CHARACTER), 30)
    audio = AssetKind.AUDIO
    old_music = await add_asset(add, client_id, AssetRole.MUSIC, kind=audio)
    music = await add_asset(add, client_id, AssetRole.MUSIC, kind=audio)
    await add_asset(add, client_id, AssetRole.MUSIC, kind=audio, status=AssetStatus.PENDING)
    await add_asset(add, client_id, AssetRole.VOICEOVER, kind=audio)  # not music
    await add_asset(add, other_client, AssetRole.MUSIC, kind=audio)  # another organization's
    await _age(container, old_music, 1)

    base = {"campaignId": campaign_id, "brief": {"product": "Aurora shoes"},
            "durationSeconds": 12.0, "aspectRatio": "LANDSCAPE_16_9", "sceneCount": 4}  # fmt: skip
    r = await api(CREATE, {"input": base})
    job = r["data"]["createJob"]["job"]
    # the newest logo, the product shots and the oldest READY CHARACTER image, not the others
    assert job["assets"] == [{"id": logo}, {"id": product}, {"id": first}]
    assert job["music"] == {"id": music}  # the newest READY track of the client
    flow = Flow(container.session_factory, job["id"])
    await flow.to_storyboard_ready()
    scenes = (await api(JOB, {"id": job["id"]}))["data"]["node"]["scenes"]
    marks = [s["character"]["id"] if s["character"] else None for s in scenes]
    assert set(marks) == {first, None} and marks[0] == first

    # naming assets is explicit: no character unless one is named
    r = await api(CREATE, {"input": {**base, "assetIds": [product]}})
    job = r["data"]["createJob"]["job"]
    assert job["assets"] == [{"id": product}] and job["music"] is None
    assert all(s["character"] is None for s in job["scenes"])
    r = await api(CREATE, {"input": {**base, "assetIds": [product, second]}})
    assert r["data"]["createJob"]["job"]["assets"] == [{"id": product}, {"id": second}]
    # naming the music takes that track, the brand kit still gives the rest
    r = await api(CREATE, {"input": {**base, "music": old_music}})
    job = r["data"]["createJob"]["job"]
    assert job["music"] == {"id": old_music} and job["assets"][0] == {"id": logo}
