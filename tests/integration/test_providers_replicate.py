"""Replicate image and video providers against a fake of Replicate's HTTP API on loopback."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from domain.adapters.fetch import UrlFetcher, loopback_exception
from domain.adapters.providers.errors import ProviderError
from domain.adapters.providers.replicate import (
    ReplicateClient,
    ReplicateConfig,
    ReplicateImageProvider,
    ReplicateVideoProvider,
)
from domain.assets.sniff import sniff
from domain.enums import ShotType
from domain.media.types import Size
from domain.ports.providers import ImageRequest, VideoRequest
from domain.rules.pricing import Price
from tests.support.fake_http import json_answer
from tests.support.fake_replicate import (
    FakeReplicate,
    image_model,
    reference_model,
    subject_image_model,
    video_model,
)
from tests.support.provider_media import key_image, model_clip

SIZE = Size(480, 854)
IMAGE_PRICE = Price(per_call=Decimal("0.003"))
VIDEO_PRICE = Price(per_second=Decimal("0.05"))


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return model_clip(tmp_path_factory.mktemp("clip") / "model.mp4")


@pytest.fixture
def fake(clip: bytes) -> Iterator[FakeReplicate]:
    service = FakeReplicate(video=clip).add(image_model(), video_model())
    with service.running():
        yield service


def client_for(fake: FakeReplicate, **overrides: Any) -> ReplicateClient:
    settings: dict[str, Any] = {
        "api_token": fake.token,
        "base_url": fake.base,
        "delivery_hosts": ("127.0.0.1",),
        "wait_seconds": 5,
        "poll_seconds": 0.02,
        "timeout_seconds": 30.0,
        **overrides,
    }
    return ReplicateClient(ReplicateConfig(**settings), UrlFetcher(loopback_exception(fake.port)))


def images(fake: FakeReplicate, **overrides: Any) -> ReplicateImageProvider:
    return ReplicateImageProvider(client_for(fake, **overrides), "acme/flux-test", IMAGE_PRICE)


def videos(fake: FakeReplicate, **overrides: Any) -> ReplicateVideoProvider:
    return ReplicateVideoProvider(client_for(fake, **overrides), "acme/i2v-test", VIDEO_PRICE)


def image_request(**kw: Any) -> ImageRequest:
    values: dict[str, Any] = {
        "size": SIZE,
        "title": "Hook",
        "prompt": "Trail runner at dawn on a ridge",
        "brand_colors": ("#0F766E", "#F59E0B"),
        "seed": 1234,
    }
    values.update(kw)
    return ImageRequest(**values)


def creates(fake: FakeReplicate) -> list[Any]:
    return [r for r in fake.seen("POST") if r.path.endswith("/predictions")]


async def test_image_is_generated_fitted_and_priced(fake: FakeReplicate, tmp_path: Path) -> None:
    provider = images(fake)
    made = await provider.generate_image(image_request(), tmp_path / "key.png")

    # the request: the model's own endpoint, the token, Prefer: wait, inputs from the schema
    (create,) = creates(fake)
    assert create.path == "/v1/models/acme/flux-test/predictions"
    assert create.headers["authorization"] == f"Bearer {fake.token}"
    assert create.headers["prefer"] == "wait=5"
    sent = create.json()["input"]
    assert sent["aspect_ratio"] == "9:16" and sent["output_format"] == "png"
    assert sent["num_outputs"] == 1 and sent["seed"] == 1234
    assert "Trail runner at dawn" in sent["prompt"] and "#0F766E" in sent["prompt"]
    assert "image_prompt" not in sent  # no product shot given
    # the schema was read once; the quick model answered within the wait: no polling
    assert len(fake.seen("GET", "/v1/models/acme/flux-test")) == 1
    assert fake.seen("GET", "/v1/predictions/") == []

    # the output: a PNG of exactly the requested size, priced per call
    with Image.open(made.path) as image:
        assert image.format == "PNG" and image.size == (480, 854)
    assert (made.provider, made.model, made.cost_usd) == ("replicate", "acme/flux-test", 0.003)

    # the schema is cached: a second image asks for it no more
    await provider.generate_image(image_request(seed=7), tmp_path / "key2.png")
    assert len(fake.seen("GET", "/v1/models/acme/flux-test")) == 1


async def test_product_shot_goes_inline_when_small_and_uploaded_when_large(
    fake: FakeReplicate, tmp_path: Path
) -> None:
    small = key_image(tmp_path / "small.png", 64, 64)
    await images(fake).generate_image(image_request(source_image=small), tmp_path / "a.png")
    first = creates(fake)[-1].json()["input"]["image_prompt"]
    assert first.startswith("data:image/png;base64,")
    assert base64.b64decode(first.split(",", 1)[1]) == small.read_bytes()
    assert fake.seen("POST", "/v1/files") == []

    large = key_image(tmp_path / "large.png", 400, 400, noisy=True)
    assert large.stat().st_size > 256 * 1024
    await images(fake).generate_image(image_request(source_image=large), tmp_path / "b.png")
    (upload,) = fake.seen("POST", "/v1/files")
    parts = upload.form_files()
    assert parts["content"][1] == "image/png" and parts["content"][2] == large.read_bytes()
    sent = creates(fake)[-1].json()["input"]["image_prompt"]
    file_id = sent.rsplit("/", 1)[1]
    assert sent == f"{fake.base}/v1/files/{file_id}"
    prediction = next(iter(reversed(fake.received.values())))
    assert prediction["image_prompt"] == large.read_bytes()
    assert fake.deleted_files == [file_id]  # cleaned up once the prediction ended


async def test_slow_clip_is_polled_to_the_end_and_billed_per_second(
    fake: FakeReplicate, tmp_path: Path
) -> None:
    fake.models["acme/i2v-test"].polls = 4
    key = key_image(tmp_path / "key.png", 90, 160)
    seen_progress: list[float] = []

    async def progress(fraction: float) -> None:
        seen_progress.append(fraction)

    provider = videos(fake)
    # before the schema is known, the estimate is the scene's own length
    assert provider.estimate_usd(
        VideoRequest(image=key, size=SIZE, duration_seconds=3.2)
    ) == pytest.approx(0.16)
    made = await provider.generate_clip(
        VideoRequest(image=key, size=SIZE, duration_seconds=3.2, shot_type=ShotType.PRODUCT,
                     prompt="The shoe on a rock"),
        tmp_path / "raw.mp4",
        on_progress=progress,
    )  # fmt: skip
    (create,) = creates(fake)
    sent = create.json()["input"]
    assert sent["duration"] == 5  # the shortest length the model offers that covers 3.2 s
    assert sent["aspect_ratio"] == "9:16"
    assert "end_image" not in sent  # a CUT scene: only the start image
    (prediction_id,) = fake.received
    assert fake.received[prediction_id]["start_image"] == key.read_bytes()
    assert "slow orbit" in sent["prompt"]
    assert len(fake.seen("GET", f"/v1/predictions/{prediction_id}")) == 5
    assert seen_progress == sorted(seen_progress) and seen_progress[-1] == 1.0
    assert len(set(seen_progress)) >= 4
    assert sniff(made.path.read_bytes()[:4096]).container == "mp4"
    assert made.cost_usd == pytest.approx(5 * 0.05)
    assert provider.estimate_usd(  # then it is what the model will be asked for
        VideoRequest(image=key, size=SIZE, duration_seconds=3.2)
    ) == pytest.approx(0.25)


async def test_continue_scene_starts_on_the_last_frame_and_ends_on_the_key_image(
    fake: FakeReplicate, tmp_path: Path
) -> None:
    last = key_image(tmp_path / "last.png", 90, 160)
    key = key_image(tmp_path / "key.png", 60, 100)
    await videos(fake).generate_clip(
        VideoRequest(image=key, start_image=last, size=SIZE, duration_seconds=6.5),
        tmp_path / "raw.mp4",
    )
    (prediction,) = fake.received.values()
    assert prediction["start_image"] == last.read_bytes()
    assert prediction["end_image"] == key.read_bytes()
    assert prediction["duration"] == 10


async def test_output_is_copied_before_it_expires(fake: FakeReplicate, tmp_path: Path) -> None:
    fake.output_ttl = 2.0
    made = await images(fake).generate_image(image_request(), tmp_path / "key.png")
    (prediction_id,) = fake.predictions
    url = fake.output_url(prediction_id)
    await asyncio.sleep(2.2)
    async with httpx.AsyncClient() as http:
        assert (await http.get(url)).status_code == 404  # the provider deleted it
    with Image.open(made.path) as image:  # our copy is whole
        image.load()
        assert image.size == (480, 854)
    # a download after expiry is a final failure (a new generation is a new paid call)
    client = client_for(fake)
    from domain.adapters.providers.replicate import Prediction
    from domain.enums import AssetKind

    with pytest.raises(ProviderError) as caught:
        await client.save(
            Prediction(prediction_id, "succeeded", output=[url]),
            tmp_path / "late.png", kind=AssetKind.IMAGE, max_bytes=10_000_000,
        )  # fmt: skip
    assert caught.value.code == "PROVIDER_FAILED" and not caught.value.retryable
    assert not (tmp_path / "late.png").exists()


async def test_rate_limit_with_retry_after_is_retryable_and_makes_nothing(
    fake: FakeReplicate, tmp_path: Path
) -> None:
    fake.faults["create"] = [
        json_answer(429, {"title": "Request was throttled", "detail": "Request was throttled. "
                          "Expected available in 7 seconds.", "status": 429}, **{"Retry-After": "7"})
    ]  # fmt: skip
    with pytest.raises(ProviderError) as caught:
        await images(fake).generate_image(image_request(), tmp_path / "key.png")
    error = caught.value
    assert (error.code, error.retryable, error.status, error.retry_after) == (
        "RATE_LIMITED", True, 429, 7.0,
    )  # fmt: skip
    assert fake.predictions == {}
    assert not (tmp_path / "key.png").exists()
    # the next try goes through
    await images(fake).generate_image(image_request(), tmp_path / "key.png")
    assert len(fake.predictions) == 1


async def test_unavailable_service_is_retryable(fake: FakeReplicate, tmp_path: Path) -> None:
    fake.faults["create"] = [json_answer(503, {"detail": "Service Unavailable", "status": 503})]
    with pytest.raises(ProviderError) as caught:
        await images(fake).generate_image(image_request(), tmp_path / "key.png")
    assert (caught.value.code, caught.value.retryable) == ("PROVIDER_UNAVAILABLE", True)


@pytest.mark.parametrize(
    ("failure", "code", "retryable"),
    [
        ("Service is currently unavailable due to high demand. Please try again later. (E003)",
         "PROVIDER_UNAVAILABLE", True),
        ("The input or output was flagged as sensitive. Please try again with different "
         "inputs. (E005)", "CONTENT_POLICY", False),
        ("NSFW content detected. Try running it again, or try a different prompt.",
         "CONTENT_POLICY", False),
        ("CUDA error: an illegal memory access was encountered", "PROVIDER_FAILED", False),
    ],
)  # fmt: skip
async def test_failed_predictions_are_classified(
    fake: FakeReplicate, tmp_path: Path, failure: str, code: str, retryable: bool
) -> None:
    fake.models["acme/i2v-test"].fail_with = failure
    fake.models["acme/i2v-test"].polls = 1
    key = key_image(tmp_path / "key.png", 90, 160)
    with pytest.raises(ProviderError) as caught:
        await videos(fake).generate_clip(
            VideoRequest(image=key, size=SIZE, duration_seconds=2.0), tmp_path / "raw.mp4"
        )
    assert (caught.value.code, caught.value.retryable) == (code, retryable)
    assert failure[:30] in caught.value.message
    assert not (tmp_path / "raw.mp4").exists()


async def test_invalid_input_is_rejected_for_good(fake: FakeReplicate, tmp_path: Path) -> None:
    strict = video_model(name="needs-preset")
    strict.properties["camera_preset"] = {"type": "string"}
    strict.required.append("camera_preset")
    fake.add(strict)
    provider = ReplicateVideoProvider(client_for(fake), "acme/needs-preset", VIDEO_PRICE)
    key = key_image(tmp_path / "key.png", 90, 160)
    with pytest.raises(ProviderError) as caught:
        await provider.generate_clip(
            VideoRequest(image=key, size=SIZE, duration_seconds=2.0), tmp_path / "raw.mp4"
        )
    error = caught.value
    assert (error.code, error.retryable, error.status) == ("PROVIDER_REJECTED", False, 422)
    assert "camera_preset" in error.message
    # an operator can supply the missing input per model
    fixed = ReplicateVideoProvider(
        client_for(fake, model_inputs={"acme/needs-preset": {"camera_preset": "dolly"}}),
        "acme/needs-preset",
        VIDEO_PRICE,
    )
    await fixed.generate_clip(
        VideoRequest(image=key, size=SIZE, duration_seconds=2.0), tmp_path / "raw.mp4"
    )
    assert creates(fake)[-1].json()["input"]["camera_preset"] == "dolly"


async def test_wrong_token_and_unknown_model(fake: FakeReplicate, tmp_path: Path) -> None:
    with pytest.raises(ProviderError) as caught:
        await images(fake, api_token="r8_wrong").generate_image(
            image_request(), tmp_path / "key.png"
        )
    assert (caught.value.code, caught.value.retryable) == ("PROVIDER_AUTH", False)
    missing = ReplicateImageProvider(client_for(fake), "acme/nope", IMAGE_PRICE)
    with pytest.raises(ProviderError) as caught:
        await missing.generate_image(image_request(), tmp_path / "key.png")
    assert (caught.value.code, caught.value.retryable, caught.value.status) == (
        "PROVIDER_REJECTED", False, 404,
    )  # fmt: skip


async def test_passing_poll_errors_do_not_make_a_second_prediction(
    fake: FakeReplicate, tmp_path: Path
) -> None:
    fake.models["acme/i2v-test"].polls = 2
    fake.faults["poll"] = [
        json_answer(502, {"detail": "Bad gateway"}),
        json_answer(429, {"detail": "Request was throttled."}, **{"Retry-After": "0"}),
    ]
    key = key_image(tmp_path / "key.png", 90, 160)
    made = await videos(fake).generate_clip(
        VideoRequest(image=key, size=SIZE, duration_seconds=2.0), tmp_path / "raw.mp4"
    )
    assert made.path.exists() and len(creates(fake)) == 1


async def test_a_retry_after_a_lost_download_resumes_the_same_prediction(
    fake: FakeReplicate, tmp_path: Path
) -> None:
    fake.faults["output"] = [(503, {"Content-Type": "text/plain"}, b"upstream error")]
    provider = videos(fake)
    key = key_image(tmp_path / "key.png", 90, 160)
    request = VideoRequest(image=key, size=SIZE, duration_seconds=2.0)
    with pytest.raises(ProviderError) as caught:
        await provider.generate_clip(request, tmp_path / "raw.mp4")
    assert (caught.value.code, caught.value.retryable) == ("PROVIDER_UNAVAILABLE", True)
    made = await provider.generate_clip(request, tmp_path / "raw.mp4")  # the pipeline retries
    assert made.path.exists()
    assert len(creates(fake)) == 1  # paid once


async def test_a_prediction_past_the_deadline_is_cancelled(
    fake: FakeReplicate, tmp_path: Path
) -> None:
    fake.models["acme/i2v-test"].polls = 10_000
    key = key_image(tmp_path / "key.png", 90, 160)
    with pytest.raises(ProviderError) as caught:
        await videos(fake, timeout_seconds=0.3, poll_seconds=0.05).generate_clip(
            VideoRequest(image=key, size=SIZE, duration_seconds=2.0), tmp_path / "raw.mp4"
        )
    assert (caught.value.code, caught.value.retryable) == ("TIMEOUT", True)
    (prediction_id,) = fake.predictions
    assert fake.seen("POST", f"/v1/predictions/{prediction_id}/cancel")
    assert fake.predictions[prediction_id]["status"] == "canceled"


async def test_outputs_only_from_the_delivery_hosts(fake: FakeReplicate, tmp_path: Path) -> None:
    provider = images(fake, delivery_hosts=("replicate.delivery", "*.replicate.delivery"))
    with pytest.raises(ProviderError) as caught:
        await provider.generate_image(image_request(), tmp_path / "key.png")
    assert (caught.value.code, caught.value.retryable) == ("PROVIDER_BAD_OUTPUT", False)
    assert "delivery host" in caught.value.message
    assert fake.seen("GET", "/delivery/") == []  # never fetched


async def test_a_pinned_version_runs_through_the_predictions_endpoint(
    fake: FakeReplicate, tmp_path: Path
) -> None:
    model = fake.models["acme/flux-test"]
    provider = ReplicateImageProvider(
        client_for(fake), f"acme/flux-test:{model.version}", IMAGE_PRICE
    )
    made = await provider.generate_image(image_request(), tmp_path / "key.png")
    (create,) = creates(fake)
    assert create.path == "/v1/predictions" and create.json()["version"] == model.version
    assert fake.seen("GET", f"/v1/models/acme/flux-test/versions/{model.version}")
    assert made.model == f"acme/flux-test:{model.version}"


async def test_cancelling_the_call_cancels_the_prediction(
    fake: FakeReplicate, tmp_path: Path
) -> None:
    fake.models["acme/i2v-test"].polls = 10_000
    key = key_image(tmp_path / "key.png", 90, 160)
    task = asyncio.create_task(
        videos(fake).generate_clip(
            VideoRequest(image=key, size=SIZE, duration_seconds=2.0), tmp_path / "raw.mp4"
        )
    )
    for _ in range(200):  # until the prediction is being polled
        if fake.seen("GET", "/v1/predictions/"):
            break
        await asyncio.sleep(0.02)
    task.cancel()  # what cancelling the job does to a running stage
    with pytest.raises(asyncio.CancelledError):
        await task
    (prediction_id,) = fake.predictions
    assert fake.predictions[prediction_id]["status"] == "canceled"
    assert not (tmp_path / "raw.mp4").exists()


async def test_the_character_goes_to_the_models_reference_field(tmp_path: Path) -> None:
    service = FakeReplicate(video=model_clip(tmp_path / "m.mp4")).add(
        video_model(), reference_model()
    )
    with service.running():
        key = key_image(tmp_path / "key.png", 60, 100)
        who = key_image(tmp_path / "who.png", 40, 80)
        request = VideoRequest(image=key, size=SIZE, duration_seconds=5, character_image=who)
        client = client_for(service)
        await ReplicateVideoProvider(client, "acme/s2v-test", VIDEO_PRICE).generate_clip(
            request, tmp_path / "a.mp4"
        )
        (received,) = service.received.values()
        assert received["reference_images"] == [who.read_bytes()]  # an array field: a list
        assert received["first_frame_image"] == key.read_bytes()
        # a model whose schema has no reference field gets the key image only
        await ReplicateVideoProvider(client, "acme/i2v-test", VIDEO_PRICE).generate_clip(
            request, tmp_path / "b.mp4"
        )
        plain = [v for v in service.received.values() if "start_image" in v]
        assert (
            len(plain) == 1 and set(plain[0]) & {"reference_images", "subject_reference"} == set()
        )


async def test_the_character_goes_to_an_image_models_reference_field(tmp_path: Path) -> None:
    service = FakeReplicate(video=model_clip(tmp_path / "m.mp4")).add(
        image_model(), subject_image_model()
    )
    with service.running():
        who = key_image(tmp_path / "who.png", 40, 80)
        product = key_image(tmp_path / "product.png", 64, 64)
        client = client_for(service)
        gen4 = ReplicateImageProvider(client, "acme/gen4-test", IMAGE_PRICE)
        made = await gen4.generate_image(image_request(character_image=who), tmp_path / "a.png")
        (received,) = service.received.values()
        assert received["reference_images"] == [who.read_bytes()]  # an array field: a list
        assert made.cost_usd == 0.003  # priced per call as without the character
        with Image.open(made.path) as image:
            assert image.size == (480, 854)
        # a model with an image prompt but no subject field: the product shot only
        flux = ReplicateImageProvider(client, "acme/flux-test", IMAGE_PRICE)
        request = image_request(source_image=product, character_image=who)
        await flux.generate_image(request, tmp_path / "b.png")
        sent = creates(service)[-1].json()["input"]
        assert "image_prompt" in sent and "reference_images" not in sent
        last = list(service.received.values())[-1]
        assert last["image_prompt"] == product.read_bytes()
