"""A job with a character whose clips come from MiniMax (faked on loopback): the scenes with
the character send it as the subject reference, every call is ledgered with its task ID at the
price table's price, and the ad is whole."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from domain.adapters.fetch import UrlFetcher, loopback_exception
from domain.bootstrap import Container, build_container
from domain.models.pipeline import ProviderCall, ProviderCallStatus
from domain.settings import Settings
from tests.conftest import Api
from tests.support.characters import cutout_png
from tests.support.fake_minimax import FakeMiniMax
from tests.support.pipeline import (
    create_job,
    decode,
    download,
    make_brand,
    rendering_settings,
    upload,
    wait_for_job,
)
from tests.support.provider_media import model_clip

pytestmark = pytest.mark.slow

VIDEOS = "minimax:S2V-01"


@pytest.fixture
def minimax(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeMiniMax]:
    clip = model_clip(tmp_path_factory.mktemp("clip") / "mm.mp4", seconds=6.0, size="288x512")
    service = FakeMiniMax(video=clip, polls=1)
    with service.running():
        yield service


@pytest.fixture
def settings(data_dir: Path, minimax: FakeMiniMax) -> Settings:
    return rendering_settings(
        data_dir,
        scene_concurrency=2,
        retry_base_seconds=0.2,
        retry_max_seconds=1.0,
        provider_prices={"video": {VIDEOS: {"per_call": 0.65}}},
        minimax_api_key=SecretStr(minimax.api_key),
        minimax_base_url=minimax.base,
        minimax_poll_seconds=0.05,
    )


@pytest.fixture
async def container(settings: Settings, minimax: FakeMiniMax) -> AsyncIterator[Container]:
    fetcher = UrlFetcher(loopback_exception(minimax.port))
    built = await build_container(settings, migrate=True, fetcher=fetcher)
    try:
        yield built
    finally:
        await built.close()


async def test_minimax_clips_carry_the_character(
    api: Api, http: httpx.AsyncClient, container: Container, minimax: FakeMiniMax,
    tmp_path: Path,
) -> None:  # fmt: skip
    brand = await make_brand(api, tmp_path / "kit", music_seconds=6)
    figure = cutout_png(tmp_path / "who.png")
    who = await upload(api, figure, "CHARACTER", brand.campaign_id)
    job_id = await create_job(
        api, brand, durationSeconds=6.0, sceneCount=3, assetIds=[brand.logo, who],
        providers={"video": VIDEOS},
    )  # fmt: skip
    job = await wait_for_job(api, job_id, {"COMPLETED"}, timeout=420)
    ad = decode(await download(http, job["output"]["asset"]["url"], tmp_path / "ad.mp4"))
    assert (ad.width, ad.height) == (480, 854) and ad.frames == 180

    # three tasks: the hook (with the character as its subject), the product and the end card
    bodies = minimax.bodies
    assert len(bodies) == 3 and all(b["model"] == "S2V-01" for b in bodies)
    with_subject = [b for b in bodies if "subject_reference" in b]
    assert len(with_subject) == 1 and minimax.subjects == [figure.read_bytes()]
    assert all("first_frame_image" in b for b in bodies if b not in with_subject)

    async with container.session_factory() as session:
        calls = list(
            await session.scalars(select(ProviderCall).where(ProviderCall.operation == "video"))
        )
    assert len(calls) == 3
    assert {c.external_id for c in calls} == set(minimax.tasks)  # ledgered with its task
    assert all(c.status is ProviderCallStatus.SUCCEEDED for c in calls)
    assert all(c.provider == VIDEOS and c.cost_usd == Decimal("0.65") for c in calls)
    assert all(c.attempts == 1 for c in calls)
