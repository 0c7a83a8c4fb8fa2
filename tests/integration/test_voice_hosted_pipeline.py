"""A voiced job with a hosted voice (ElevenLabs, against a fake on loopback): priced, ledgered,
retried in place on a retryable error, never paid twice; a rejected voice fails the job."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from domain.bootstrap import Container
from domain.models import Job, Scene
from domain.models.pipeline import ProviderCall, ProviderCallStatus
from domain.settings import Settings
from schema.ids import decode_id
from tests.conftest import Api
from tests.support.fake_speech import FakeElevenLabs, elevenlabs_error
from tests.support.pipeline import create_job, make_brand, wait_for_job

pytestmark = pytest.mark.slow

REF = "elevenlabs:eleven_multilingual_v2"


@pytest.fixture
def eleven() -> Iterator[FakeElevenLabs]:
    service = FakeElevenLabs()
    with service.running():
        yield service


@pytest.fixture
def settings(data_dir: Path, eleven: FakeElevenLabs) -> Settings:
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=f"sqlite+aiosqlite:///{data_dir / 'test.sqlite3'}",
        redis_url=None,
        public_url="http://adreel.test",
        secret_key="test-secret-" + uuid.uuid4().hex,
        render_resolution="P480",
        elevenlabs_api_key=SecretStr(eleven.api_key),
        elevenlabs_base_url=eleven.base,
        retry_base_seconds=0.05,
        retry_max_seconds=0.2,
    )


async def test_hosted_voice_is_priced_ledgered_and_retried_in_place(
    api: Api, container: Container, eleven: FakeElevenLabs, tmp_path: Path
) -> None:
    eleven.faults.append(elevenlabs_error(503, "service_unavailable", "try again"))
    brand = await make_brand(api, tmp_path / "kit", music_seconds=8)
    job_id = await create_job(
        api, brand, durationSeconds=8.0, voiceover=True, providers={"voice": REF}
    )
    await wait_for_job(api, job_id, {"COMPLETED"}, timeout=600)
    job_uuid = decode_id(job_id, "Job")
    async with container.session_factory() as session:
        scenes = list(await session.scalars(select(Scene).where(Scene.job_id == job_uuid)))
        calls = list(
            await session.scalars(
                select(ProviderCall).where(
                    ProviderCall.job_id == job_uuid, ProviderCall.operation == "voice"
                )
            )
        )
        job = await session.get(Job, job_uuid)
    assert job is not None
    assert len(calls) == len(scenes) == 3
    assert all(c.status is ProviderCallStatus.SUCCEEDED and c.provider == REF for c in calls)
    assert sorted(c.attempts for c in calls) == [1, 1, 2]  # the 503 retried in place, once
    assert all(c.cost_usd > Decimal(0) for c in calls)
    assert all(s.narration_words for s in scenes)  # ElevenLabs' own character timings
    requests = eleven.seen("POST")
    assert len(requests) == 4


async def test_a_rejected_voice_fails_the_job(api: Api, tmp_path: Path) -> None:
    brand = await make_brand(api, tmp_path / "kit", music_seconds=8)
    job_id = await create_job(
        api,
        brand,
        durationSeconds=8.0,
        voiceover=True,
        providers={"voice": REF},
        brief={"product": "TrailRunner shoes", "callToAction": "Shop now", "voice": "nobody"},
    )
    job = await wait_for_job(api, job_id, {"FAILED"}, timeout=600)
    assert job["error"]["code"] == "PROVIDER_REJECTED", job["error"]
    assert job["error"]["retryable"] is False
