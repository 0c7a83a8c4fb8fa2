"""The Veo video provider against a fake of the Gemini API's long-running video operations."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain.adapters.fetch import UrlFetcher, loopback_exception
from domain.adapters.providers.errors import ProviderError
from domain.adapters.providers.veo import VeoConfig, VeoVideoProvider
from domain.assets.sniff import sniff
from domain.media.types import Size
from domain.ports.providers import VideoRequest
from domain.rules.pricing import Price
from tests.support.fake_veo import FakeVeo, google_error
from tests.support.provider_media import key_image, model_clip

PRICE = Price(per_second=Decimal("0.15"))
SIZE = Size(480, 854)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return model_clip(tmp_path_factory.mktemp("clip") / "veo.mp4", seconds=4.0, size="720x1280")


@pytest.fixture
def fake(clip: bytes) -> Iterator[FakeVeo]:
    service = FakeVeo(video=clip)
    with service.running():
        yield service


def veo(fake: FakeVeo, model: str = "veo-3.0-fast-generate-001", **kw: Any) -> VeoVideoProvider:
    config = VeoConfig(api_key=fake.api_key, base_url=fake.base, poll_seconds=0.02, **kw)
    return VeoVideoProvider(config, model, PRICE, UrlFetcher(loopback_exception(fake.port)))


async def test_clip_is_generated_polled_and_downloaded(fake: FakeVeo, tmp_path: Path) -> None:
    key = key_image(tmp_path / "key.png", 90, 160)
    progress: list[float] = []
    made = await veo(fake).generate_clip(
        VideoRequest(image=key, size=SIZE, duration_seconds=3.2, prompt="Shoe on a rock"),
        tmp_path / "raw.mp4",
        on_progress=progress.append,
    )
    (start,) = fake.seen("POST")
    assert start.path == "/v1beta/models/veo-3.0-fast-generate-001:predictLongRunning"
    assert start.headers["x-goog-api-key"] == fake.api_key
    body = start.json()
    instance = body["instances"][0]
    assert base64.b64decode(instance["image"]["bytesBase64Encoded"]) == key.read_bytes()
    assert instance["image"]["mimeType"] == "image/png" and "lastFrame" not in instance
    assert "Shoe on a rock" in instance["prompt"]
    assert body["parameters"]["aspectRatio"] == "9:16"
    assert body["parameters"]["durationSeconds"] == 4  # the shortest that covers 3.2 s
    polls = [r for r in fake.seen("GET") if "/operations/" in r.path]
    assert len(polls) == 3 and all(r.headers["x-goog-api-key"] == fake.api_key for r in polls)
    # the download: the key goes to the API only, the storage hop gets none
    (download,) = [r for r in fake.seen("GET") if r.path.endswith(":download")]
    assert download.headers["x-goog-api-key"] == fake.api_key
    (stored,) = fake.seen("GET", "/storage/")
    assert "x-goog-api-key" not in stored.headers
    assert sniff(made.path.read_bytes()[:4096]).container == "mp4"
    assert made.cost_usd == pytest.approx(4 * 0.15)
    assert progress[-1] == 1.0 and progress == sorted(progress)


async def test_continue_scene_sends_the_key_image_as_last_frame_to_models_that_take_it(
    fake: FakeVeo, tmp_path: Path
) -> None:
    last = key_image(tmp_path / "last.png", 90, 160)
    key = key_image(tmp_path / "key.png", 60, 100)
    request = VideoRequest(image=key, start_image=last, size=Size(854, 480), duration_seconds=5)
    await veo(fake, "veo-3.1-generate-preview").generate_clip(request, tmp_path / "a.mp4")
    await veo(fake, "veo-3.0-generate-001").generate_clip(request, tmp_path / "b.mp4")
    with_last, without = fake.bodies
    assert base64.b64decode(with_last["instances"][0]["image"]["bytesBase64Encoded"]) == (
        last.read_bytes()
    )
    assert base64.b64decode(with_last["instances"][0]["lastFrame"]["bytesBase64Encoded"]) == (
        key.read_bytes()
    )
    assert "lastFrame" not in without["instances"][0]
    assert with_last["parameters"]["aspectRatio"] == "16:9"
    assert with_last["parameters"]["durationSeconds"] == 6


async def test_safety_filtered_video_is_a_content_policy_refusal(
    fake: FakeVeo, tmp_path: Path
) -> None:
    fake.filtered = True
    key = key_image(tmp_path / "key.png", 90, 160)
    with pytest.raises(ProviderError) as caught:
        await veo(fake).generate_clip(
            VideoRequest(image=key, size=SIZE, duration_seconds=4), tmp_path / "raw.mp4"
        )
    assert (caught.value.code, caught.value.retryable) == ("CONTENT_POLICY", False)
    assert "usage guidelines" in caught.value.message
    assert not (tmp_path / "raw.mp4").exists()


@pytest.mark.parametrize(
    ("answer", "code", "retryable", "retry_after"),
    [
        (google_error(429, "Resource has been exhausted (e.g. check quota).",
                      "RESOURCE_EXHAUSTED", **{"Retry-After": "30"}), "RATE_LIMITED", True, 30.0),
        (google_error(503, "The model is overloaded. Please try again later.", "UNAVAILABLE"),
         "PROVIDER_UNAVAILABLE", True, None),
        (google_error(400, "durationSeconds is out of range", "INVALID_ARGUMENT"),
         "PROVIDER_REJECTED", False, None),
    ],
)  # fmt: skip
async def test_http_failures_are_classified(
    fake: FakeVeo,
    tmp_path: Path,
    answer: tuple[int, dict[str, str], bytes],
    code: str,
    retryable: bool,
    retry_after: float | None,
) -> None:
    fake.faults.append(answer)
    key = key_image(tmp_path / "key.png", 90, 160)
    with pytest.raises(ProviderError) as caught:
        await veo(fake).generate_clip(
            VideoRequest(image=key, size=SIZE, duration_seconds=4), tmp_path / "raw.mp4"
        )
    assert (caught.value.code, caught.value.retryable, caught.value.retry_after) == (
        code, retryable, retry_after,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("error", "code", "retryable"),
    [
        ({"code": 3, "message": "The prompt could not be submitted: it violates the usage "
          "guidelines (safety).", "status": "INVALID_ARGUMENT"}, "CONTENT_POLICY", False),
        ({"code": 13, "message": "Internal error encountered.", "status": "INTERNAL"},
         "PROVIDER_UNAVAILABLE", True),
        ({"code": 4, "message": "Deadline exceeded.", "status": "DEADLINE_EXCEEDED"},
         "TIMEOUT", True),
    ],
)  # fmt: skip
async def test_failed_operations_are_classified(
    fake: FakeVeo, tmp_path: Path, error: dict[str, Any], code: str, retryable: bool
) -> None:
    fake.operation_error = error
    key = key_image(tmp_path / "key.png", 90, 160)
    with pytest.raises(ProviderError) as caught:
        await veo(fake).generate_clip(
            VideoRequest(image=key, size=SIZE, duration_seconds=4), tmp_path / "raw.mp4"
        )
    assert (caught.value.code, caught.value.retryable) == (code, retryable)


async def test_wrong_key_is_refused_for_good(fake: FakeVeo, tmp_path: Path) -> None:
    key = key_image(tmp_path / "key.png", 90, 160)
    provider = VeoVideoProvider(
        VeoConfig(api_key="wrong", base_url=fake.base, poll_seconds=0.02),
        "veo-3.0-fast-generate-001", PRICE, UrlFetcher(loopback_exception(fake.port)),
    )  # fmt: skip
    with pytest.raises(ProviderError) as caught:
        await provider.generate_clip(
            VideoRequest(image=key, size=SIZE, duration_seconds=4), tmp_path / "raw.mp4"
        )
    assert (caught.value.code, caught.value.retryable, caught.value.status) == (
        "PROVIDER_AUTH", False, 403,
    )  # fmt: skip


async def test_a_retry_after_a_lost_download_resumes_the_operation(
    fake: FakeVeo, tmp_path: Path
) -> None:
    fake.storage_faults.append((503, {"Content-Type": "text/plain"}, b"backend error"))
    provider = veo(fake)
    key = key_image(tmp_path / "key.png", 90, 160)
    request = VideoRequest(image=key, size=SIZE, duration_seconds=4)
    with pytest.raises(ProviderError) as caught:
        await provider.generate_clip(request, tmp_path / "raw.mp4")
    assert (caught.value.code, caught.value.retryable) == ("PROVIDER_UNAVAILABLE", True)
    assert not (tmp_path / "raw.mp4").exists()
    made = await provider.generate_clip(request, tmp_path / "raw.mp4")  # the pipeline retries
    assert sniff(made.path.read_bytes()[:4096]).container == "mp4"
    assert len(fake.seen("POST")) == 1  # one generation, paid once


async def test_a_scene_with_the_character_sends_it_as_a_reference_image_to_veo_3_1(
    fake: FakeVeo, tmp_path: Path
) -> None:
    key = key_image(tmp_path / "key.png", 90, 160)
    who = key_image(tmp_path / "who.png", 40, 80)
    request = VideoRequest(image=key, size=SIZE, duration_seconds=4, character_image=who)
    await veo(fake, "veo-3.1-generate-preview").generate_clip(request, tmp_path / "a.mp4")
    (start,) = fake.seen("POST")
    instance = start.json()["instances"][0]
    references = instance["referenceImages"]
    assert [r["referenceType"] for r in references] == ["asset", "asset"]
    sent = [base64.b64decode(r["image"]["bytesBase64Encoded"]) for r in references]
    assert sent == [who.read_bytes(), key.read_bytes()]
    assert "image" not in instance and "lastFrame" not in instance  # Veo takes one or the other
    # a model without reference images animates the key image as before
    await veo(fake).generate_clip(request, tmp_path / "b.mp4")
    older = fake.seen("POST")[-1].json()["instances"][0]
    assert "referenceImages" not in older and "image" in older
