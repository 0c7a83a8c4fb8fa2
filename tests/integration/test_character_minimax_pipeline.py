"""A job with a character whose key images come from a Replicate subject-reference image model
and whose clips come from MiniMax (both faked on loopback): the scenes with the character send
it as the subject reference of both calls, every call is ledgered at the price table's price
(the video call with its task ID), and the ad is whole."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from domain.adapters.fetch import FetchConfig, UrlFetcher
from domain.bootstrap import Container, build_container
from domain.models.pipeline import ProviderCall, ProviderCallStatus
from domain.settings import Settings
from tests.conftest import Api
from tests.support.characters import cutout_png
from tests.support.fake_minimax import FakeMiniMax
from tests.support.fake_replicate import FakeReplicate, subject_image_model
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
IMAGES = "replicate:acme/gen4-test"


@pytest.fixture
def minimax(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeMiniMax]:
    clip = model_clip(tmp_path_factory.mktemp("clip") / "mm.mp4", seconds=6.0, size="288x512")
    service = FakeMiniMax(video=clip, polls=1)
    with service.running():
        yield service


@pytest.fixture
def replicate() -> Iterator[FakeReplicate]:
    service = FakeReplicate().add(subject_image_model())
    with service.running():
        yield service


@pytest.fixture
def settings(data_dir: Path, minimax: FakeMiniMax, replicate: FakeReplicate) -> Settings:
    return rendering_settings(
        data_dir,
        scene_concurrency=2,
        retry_base_seconds=0.2,
        retry_max_seconds=1.0,
        provider_prices={
            "image": {IMAGES: {"per_call": 0.003}},
            "video": {VIDEOS: {"per_call": 0.65}},
        },
        minimax_api_key=SecretStr(minimax.api_key),
        minimax_base_url=minimax.base,
        minimax_poll_seconds=0.05,
        replicate_api_token=SecretStr(replicate.token),
        replicate_base_url=replicate.base,
        replicate_delivery_hosts=["127.0.0.1"],
        replicate_wait_seconds=1,
        replicate_poll_seconds=0.05,
    )


@pytest.fixture
async def container(
    settings: Settings, minimax: FakeMiniMax, replicate: FakeReplicate
) -> AsyncIterator[Container]:
    # the two fakes' loopback ports are the only exceptions to the SSRF-safe fetches
    loopback = FetchConfig(
        allowed_ports=frozenset({minimax.port, replicate.port}),
        allowed_networks=("127.0.0.1/32",),
    )
    fetcher = UrlFetcher(loopback)
    built = await build_container(settings, migrate=True, fetcher=fetcher)
    try:
        yield built
    finally:
        await built.close()


async def test_hosted_key_images_and_clips_carry_the_character(
    api: Api, http: httpx.AsyncClient, container: Container, minimax: FakeMiniMax,
    replicate: FakeReplicate, tmp_path: Path,
) -> None:  # fmt: skip
    brand = await make_brand(api, tmp_path / "kit", music_seconds=6)
    figure = cutout_png(tmp_path / "who.png")
    who = await upload(api, figure, "CHARACTER", brand.campaign_id)
    job_id = await create_job(
        api, brand, durationSeconds=6.0, sceneCount=3, assetIds=[brand.logo, who],
        providers={"image": IMAGES, "video": VIDEOS},
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

    # the key images: the character's scene sends it as the model's reference image
    images = list(replicate.received.values())
    assert len(images) == 3
    assert [i["reference_images"] for i in images if "reference_images" in i] == [
        [figure.read_bytes()]
    ]

    async with container.session_factory() as session:
        drawn = list(
            await session.scalars(select(ProviderCall).where(ProviderCall.operation == "image"))
        )
        calls = list(
            await session.scalars(select(ProviderCall).where(ProviderCall.operation == "video"))
        )
    assert len(drawn) == 3 and all(c.cost_usd == Decimal("0.003") for c in drawn)
    assert len(calls) == 3
    assert {c.external_id for c in calls} == set(minimax.tasks)  # ledgered with its task
    assert all(c.status is ProviderCallStatus.SUCCEEDED for c in calls)
    assert all(c.provider == VIDEOS and c.cost_usd == Decimal("0.65") for c in calls)
    assert all(c.attempts == 1 for c in calls)
