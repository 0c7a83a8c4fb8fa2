"""Editing what a voiced ad says: ``updateScene(narration)`` and ``regenerateScene(feedback)``
re-synthesise only the scene they change (the ledger proves it), and the captions follow the
new words (built-in planner and voice, embedded runner, real FFmpeg output)."""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from domain.bootstrap import Container
from domain.models import Scene
from domain.models.pipeline import ProviderCall, ProviderCallStatus
from domain.services.pipeline.narration import words_from_json
from domain.settings import Settings
from schema.ids import decode_id
from tests.support.pipeline import (
    APPROVE,
    create_job,
    download,
    make_brand,
    rendering_settings,
    wait_for_job,
)
from tests.support.speech import words

pytestmark = pytest.mark.slow

SCENE = "id position script caption narration durationSeconds narrationAudio { id }"
UPDATE = f"""mutation($input: UpdateSceneInput!) {{ updateScene(input: $input) {{
  scene {{ {SCENE} }} job {{ status }} userErrors {{ code message field }} }} }}"""
REGENERATE = f"""mutation($input: RegenerateSceneInput!) {{ regenerateScene(input: $input) {{
  scene {{ {SCENE} }} userErrors {{ code message field }} }} }}"""
SCENES = f"""query($id: ID!) {{ node(id: $id) {{ ... on Job {{ status
  scenes {{ {SCENE} }} captionFiles {{ filename url }} }} }} }}"""

NEW_LINE = "Light on your feet, all day long."
SAID = "Hello trail runners"


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return rendering_settings(data_dir, scene_concurrency=2)


async def _voice_calls(container: Container, job_id: uuid.UUID) -> Counter[int]:
    """Succeeded voice calls per scene position."""
    async with container.session_factory() as session:
        positions = {
            s.id: s.position
            for s in await session.scalars(select(Scene).where(Scene.job_id == job_id))
        }
        calls = await session.scalars(
            select(ProviderCall).where(
                ProviderCall.job_id == job_id,
                ProviderCall.operation == "voice",
                ProviderCall.status == ProviderCallStatus.SUCCEEDED,
            )
        )
        return Counter(positions[c.scene_id] for c in calls if c.scene_id is not None)


async def _scenes(container: Container, job_id: uuid.UUID) -> list[Scene]:
    async with container.session_factory() as session:
        return list(
            await session.scalars(
                select(Scene).where(Scene.job_id == job_id).order_by(Scene.position)
            )
        )


async def _approve_and_finish(api: Any, job_id: str) -> dict[str, Any]:
    await wait_for_job(api, job_id, {"STORYBOARD_READY"}, timeout=600)
    body = await api(APPROVE, {"input": {"jobId": job_id}})
    assert body["data"]["approveStoryboard"]["userErrors"] == [], body
    return await wait_for_job(api, job_id, {"COMPLETED"}, timeout=900)


async def test_edits_re_synthesise_only_the_scene_they_change(
    api: Any, http: httpx.AsyncClient, container: Container, tmp_path: Path
) -> None:
    brand = await make_brand(api, tmp_path / "kit", music_seconds=14)
    job_id = await create_job(
        api, brand, durationSeconds=10.0, sceneCount=3, voiceover=True, captions=True
    )
    await wait_for_job(api, job_id, {"COMPLETED"}, timeout=900)
    job_uuid = decode_id(job_id, "Job")
    assert await _voice_calls(container, job_uuid) == Counter({0: 1, 1: 1, 2: 1})
    scenes = (await api(SCENES, {"id": job_id}))["data"]["node"]["scenes"]
    first, second, _ = scenes
    assert second["narration"] == second["script"]  # no narration of its own: the script
    assert scenes[2]["narration"] == "Shop now"  # the end card says the call to action

    # too many words for the ad: refused before anything is done, nothing changed
    wordy = " ".join(["Run further and faster than ever before on every trail"] * 4)
    body = await api(UPDATE, {"input": {"sceneId": second["id"], "narration": wordy}})
    (error,) = body["data"]["updateScene"]["userErrors"]
    assert error["code"] == "LIMIT_EXCEEDED" and error["field"] == ["narration"], error
    assert "scene 2 says 40 words" in error["message"]
    again = (await api(SCENES, {"id": job_id}))["data"]["node"]
    assert again["status"] == "COMPLETED" and again["scenes"][1] == second

    # new words for scene 2: only scene 2 is spoken again, and its captions say them
    body = await api(UPDATE, {"input": {"sceneId": second["id"], "narration": NEW_LINE}})
    payload = body["data"]["updateScene"]
    assert payload["userErrors"] == [], payload
    assert payload["scene"]["narration"] == NEW_LINE
    assert payload["scene"]["script"] == second["script"]  # the script is kept
    assert payload["scene"]["narrationAudio"] is None  # stale until spoken again
    await _approve_and_finish(api, job_id)
    assert await _voice_calls(container, job_uuid) == Counter({0: 1, 1: 2, 2: 1})
    stored = await _scenes(container, job_uuid)
    assert [w.text for w in words_from_json(stored[1].narration_words)] == NEW_LINE.split()
    assert round(sum(s.duration_seconds for s in stored), 3) == 10.0
    node = (await api(SCENES, {"id": job_id}))["data"]["node"]
    srt = next(f for f in node["captionFiles"] if f["filename"] == "captions.srt")
    text = (await download(http, srt["url"], tmp_path / "captions.srt")).read_text()
    assert set(words(NEW_LINE)) <= set(words(text))

    # regenerate scene 1 with feedback: the built-in planner rewrites its words, only scene 1
    # is spoken again, and the rewrite is one ledgered call
    body = await api(REGENERATE, {"input": {"sceneId": first["id"], "feedback": f'say "{SAID}"'}})
    assert body["data"]["regenerateScene"]["userErrors"] == [], body
    await wait_for_job(api, job_id, {"COMPLETED", "STORYBOARD_READY"}, timeout=900)
    node = (await api(SCENES, {"id": job_id}))["data"]["node"]
    if node["status"] == "STORYBOARD_READY":
        await _approve_and_finish(api, job_id)
        node = (await api(SCENES, {"id": job_id}))["data"]["node"]
    rewritten = node["scenes"][0]
    assert rewritten["script"] == f"{SAID}." and rewritten["narration"] == f"{SAID}."
    assert rewritten["caption"] == SAID
    assert node["scenes"][1]["narration"] == NEW_LINE  # untouched
    assert await _voice_calls(container, job_uuid) == Counter({0: 2, 1: 2, 2: 1})
    stored = await _scenes(container, job_uuid)
    assert [w.text for w in words_from_json(stored[0].narration_words)] == f"{SAID}.".split()
    async with container.session_factory() as session:
        rewrites = list(
            await session.scalars(
                select(ProviderCall).where(
                    ProviderCall.job_id == job_uuid, ProviderCall.operation == "rewrite"
                )
            )
        )
    assert [(c.scene_id, c.attempts, c.result["script"]) for c in rewrites] == [
        (stored[0].id, 1, f"{SAID}.")
    ]
