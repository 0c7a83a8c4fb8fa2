"""The MiniMax video provider against a fake of its video generation API on loopback."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from domain.adapters.fetch import UrlFetcher, loopback_exception
from domain.adapters.providers.errors import ProviderError
from domain.adapters.providers.minimax import MiniMaxConfig, MiniMaxVideoProvider
from domain.assets.sniff import sniff
from domain.media.types import Size
from domain.ports.providers import VideoRequest
from domain.ports.remote_calls import RemoteCall, making_remote_call
from domain.rules.pricing import Price
from tests.support.fake_minimax import FakeMiniMax, minimax_error
from tests.support.provider_media import key_image, model_clip

PRICE = Price(per_call=Decimal("0.65"))
SIZE = Size(480, 854)


class Ledger:
    """The ledger row's remote id as a ``RemoteCall`` sees it (with a list of what it stored)."""

    def __init__(self, task_id: str | None = None) -> None:
        self.told: list[str] = []
        self.call = RemoteCall(task_id, self.record)

    async def record(self, task_id: str) -> None:
        self.told.append(task_id)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return model_clip(tmp_path_factory.mktemp("clip") / "mm.mp4", seconds=6.0, size="720x1280")


@pytest.fixture
def fake(clip: bytes) -> Iterator[FakeMiniMax]:
    service = FakeMiniMax(video=clip)
    with service.running():
        yield service


def minimax(fake: FakeMiniMax, key: str | None = None) -> MiniMaxVideoProvider:
    config = MiniMaxConfig(api_key=key or fake.api_key, base_url=fake.base, poll_seconds=0.02)
    return MiniMaxVideoProvider(config, "S2V-01", PRICE, UrlFetcher(loopback_exception(fake.port)))


async def test_the_character_is_the_subject_reference(fake: FakeMiniMax, tmp_path: Path) -> None:
    key = key_image(tmp_path / "key.png", 90, 160)
    who = key_image(tmp_path / "who.png", 40, 80)
    memory = Ledger()
    request = VideoRequest(image=key, size=SIZE, duration_seconds=5, prompt="A runner",
                           character_image=who)  # fmt: skip
    with making_remote_call(memory.call):
        made = await minimax(fake).generate_clip(request, tmp_path / "a.mp4")
    (start,) = fake.seen("POST")
    assert start.headers["authorization"] == f"Bearer {fake.api_key}"
    body = start.json()
    assert body["model"] == "S2V-01" and "A runner" in body["prompt"]
    (subject,) = body["subject_reference"]
    assert subject["type"] == "character" and "first_frame_image" not in body
    assert base64.b64decode(subject["image"][0].split(",", 1)[1]) == who.read_bytes()
    assert memory.told == [next(iter(fake.tasks))]  # kept as soon as it was accepted
    (stored,) = fake.seen("GET", "/storage/")
    assert "authorization" not in stored.headers  # the file is fetched without the key
    assert sniff(made.path.read_bytes()[:4096]).container == "mp4"
    assert made.cost_usd == pytest.approx(0.65)
    # a scene without the character animates its key image
    await minimax(fake).generate_clip(
        VideoRequest(image=key, size=SIZE, duration_seconds=5), tmp_path / "b.mp4"
    )
    second = fake.seen("POST")[-1].json()
    assert "subject_reference" not in second
    assert base64.b64decode(second["first_frame_image"].split(",", 1)[1]) == key.read_bytes()


async def test_an_accepted_task_is_resumed_never_submitted_twice(
    fake: FakeMiniMax, tmp_path: Path
) -> None:
    key = key_image(tmp_path / "key.png", 90, 160)
    first = Ledger()
    request = VideoRequest(image=key, size=SIZE, duration_seconds=5)
    with making_remote_call(first.call):
        await minimax(fake).generate_clip(request, tmp_path / "a.mp4")
    # after a crash the ledger row still holds the task: the next run polls it
    again = Ledger(first.call.known_id)
    with making_remote_call(again.call):
        await minimax(fake).generate_clip(request, tmp_path / "b.mp4")
    assert len(fake.seen("POST")) == 1 and again.told == []


async def test_errors_are_classified(fake: FakeMiniMax, tmp_path: Path) -> None:
    key = key_image(tmp_path / "key.png", 90, 160)
    request = VideoRequest(image=key, size=SIZE, duration_seconds=5)
    cases = [
        (minimax_error(1002, "rate limit exceeded"), "RATE_LIMITED", True),
        (minimax_error(1008, "insufficient balance"), "PROVIDER_BILLING", False),
        (minimax_error(1026, "input new_sensitive"), "CONTENT_POLICY", False),
        (minimax_error(2013, "invalid params"), "PROVIDER_REJECTED", False),
        (minimax_error(1013, "internal service error"), "PROVIDER_UNAVAILABLE", True),
    ]
    for answer, code, retryable in cases:
        fake.faults.append(answer)
        with pytest.raises(ProviderError) as caught:
            await minimax(fake).generate_clip(request, tmp_path / "x.mp4")
        assert (caught.value.code, caught.value.retryable) == (code, retryable)
    with pytest.raises(ProviderError) as caught:
        await minimax(fake, key="wrong").generate_clip(request, tmp_path / "x.mp4")
    assert caught.value.code == "PROVIDER_AUTH" and not caught.value.retryable
    # a task that fails is forgotten, so the retry submits a new one
    fake.fail = True
    memory = Ledger()
    with pytest.raises(ProviderError) as caught, making_remote_call(memory.call):
        await minimax(fake).generate_clip(request, tmp_path / "x.mp4")
    assert caught.value.retryable and memory.call.known_id is None and len(memory.told) == 1
