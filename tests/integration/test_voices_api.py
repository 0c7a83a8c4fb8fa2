"""The ``voices`` query and the brief's ``voice``: what a job can be narrated in."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Api
from tests.support.pipeline import create_job, job_state, make_brand

VOICES = "query ($language: String) { voices(language: $language) { provider id language name } }"
BRIEF = "query ($id: ID!) { node(id: $id) { ... on Job { brief { voice language } } } }"


async def test_voices_lists_the_builtin_voice(api: Api) -> None:
    response = await api(VOICES, {})
    voices = response["data"]["voices"]
    assert {"provider": "builtin", "id": "heart", "language": "en-US", "name": "Heart"} in voices
    french = await api(VOICES, {"language": "fr"})
    assert french["data"]["voices"] == []


async def test_the_brief_keeps_its_voice(api: Api, tmp_path: Path) -> None:
    brand = await make_brand(api, tmp_path / "kit", music_seconds=2)
    job_id = await create_job(
        api,
        brand,
        autoApprove=False,
        brief={"product": "TrailRunner shoes", "voice": "heart", "language": "en"},
    )
    response = await api(BRIEF, {"id": job_id})
    assert response["data"]["node"]["brief"] == {"voice": "heart", "language": "en"}
    assert (await job_state(api, job_id))["status"] in {"QUEUED", "PLANNING", "STORYBOARD_READY"}
