"""Pure rules of the hosted provider adapters: error classification, Retry-After, model input
schemas and value pickers, output URLs and hosts, lenient storyboard parsing, registration."""

from __future__ import annotations

import base64
import email.utils
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from domain.adapters.fetch import FetchTooLarge, UrlFetcher
from domain.adapters.providers.errors import (
    classify_failure_text,
    classify_status,
    parse_retry_after,
)
from domain.adapters.providers.hosted import hosted_providers
from domain.adapters.providers.openai_planner import parse_plan, storyboard_schema
from domain.adapters.providers.outputs import decode_data_uri, host_allowed
from domain.adapters.providers.replicate import ModelRef, first_url
from domain.adapters.providers.replicate_schema import (
    InputField,
    InputSchema,
    MissingStartImage,
    closest_aspect,
    image_input,
    pick_duration,
    pick_resolution,
    pick_seed,
    video_input,
)
from domain.adapters.providers.veo import operation_error, pick_seconds
from domain.enums import AspectRatio, SceneBeat, SceneContinuity, ShotType, Transition
from domain.media.types import Size
from domain.rules.planner import Brief, PlanRequest
from domain.rules.pricing import ProviderKind
from domain.services.jobs import price_table
from domain.settings import Settings

# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message", "code", "expected", "retryable"),
    [
        (429, "Request was throttled", "", "RATE_LIMITED", True),
        (429, "You exceeded your current quota", "insufficient_quota insufficient_quota",
         "PROVIDER_BILLING", False),
        (402, "Insufficient credit", "", "PROVIDER_BILLING", False),
        (500, "oops", "", "PROVIDER_UNAVAILABLE", True),
        (503, "Service Unavailable", "", "PROVIDER_UNAVAILABLE", True),
        (504, "Gateway Timeout", "", "TIMEOUT", True),
        (408, "Request Timeout", "", "TIMEOUT", True),
        (401, "Invalid token", "", "PROVIDER_AUTH", False),
        (403, "Forbidden", "PERMISSION_DENIED", "PROVIDER_AUTH", False),
        (400, "Your request was rejected by the safety system", "content_policy_violation",
         "CONTENT_POLICY", False),
        (422, "The input was flagged as sensitive (E005)", "", "CONTENT_POLICY", False),
        (422, "Input validation failed: duration must be one of [5, 10]", "",
         "PROVIDER_REJECTED", False),
        (404, "Not found.", "", "PROVIDER_REJECTED", False),
        (400, "The model is overloaded, try again later", "", "PROVIDER_UNAVAILABLE", True),
    ],
)  # fmt: skip
def test_http_errors_are_classified(
    status: int, message: str, code: str, expected: str, retryable: bool
) -> None:
    error = classify_status(status, message, provider="x", error_code=code)
    assert (error.code, error.retryable, error.status) == (expected, retryable, status)


def test_retry_after_seconds_and_dates() -> None:
    assert parse_retry_after({"retry-after": "7"}) == 7.0
    assert parse_retry_after({"Retry-After": "2.5"}) == 2.5
    now = 1_800_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after({"retry-after": email.utils.formatdate(now - 30)}, now=now) == 0.0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None
    assert parse_retry_after({"retry-after": "99999999"}) == 3600.0
    error = classify_status(429, "slow down", provider="x", headers={"retry-after": "12"})
    assert error.retry_after == 12.0


@pytest.mark.parametrize(
    ("text", "code", "retryable"),
    [
        ("Service is currently unavailable due to high demand. (E003)", "PROVIDER_UNAVAILABLE",
         True),
        ("Prediction interrupted; please retry (code: PA)", "PROVIDER_UNAVAILABLE", True),
        ("E6716 Director: unexpected error handling prediction", "PROVIDER_UNAVAILABLE", True),
        ("NSFW content detected", "CONTENT_POLICY", False),
        ("The input or output was flagged as sensitive (E005)", "CONTENT_POLICY", False),
        ("ValueError: height must be a multiple of 8", "PROVIDER_FAILED", False),
    ],
)  # fmt: skip
def test_failed_generations_are_classified_by_their_text(
    text: str, code: str, retryable: bool
) -> None:
    error = classify_failure_text(text, provider="replicate")
    assert (error.code, error.retryable) == (code, retryable)
    assert error.message.startswith("replicate: ")


# --- Replicate model schemas --------------------------------------------------------------------


OPENAPI: dict[str, Any] = {
    "components": {
        "schemas": {
            "Input": {
                "type": "object",
                "required": ["prompt", "first_frame_image"],
                "properties": {
                    "prompt": {"type": "string"},
                    "first_frame_image": {"type": "string", "format": "uri"},
                    "last_frame_image": {"type": "string", "format": "uri"},
                    "duration": {"allOf": [{"$ref": "#/components/schemas/duration"}]},
                    "resolution": {"allOf": [{"$ref": "#/components/schemas/resolution"}]},
                    "seed": {"type": "integer", "minimum": 0, "maximum": 1000},
                    "negative_prompt": {"type": "string"},
                },
            },
            "duration": {"enum": ["6", "10"], "type": "string"},
            "resolution": {"enum": ["512p", "768p", "1080p"], "type": "string"},
        }
    }
}


def test_schema_is_read_with_enumerations_resolved() -> None:
    schema = InputSchema.from_openapi(OPENAPI)
    assert schema.known and schema.required == frozenset({"prompt", "first_frame_image"})
    assert schema.fields["duration"].enum == ("6", "10")
    assert schema.fields["first_frame_image"].is_file
    assert schema.fields["seed"].maximum == 1000
    assert not InputSchema.from_openapi(None).known
    assert not InputSchema.from_openapi({"components": {"schemas": {}}}).known


def test_video_input_follows_the_model_names(tmp_path: Path) -> None:
    start, end = tmp_path / "start.png", tmp_path / "end.png"
    made = video_input(
        InputSchema.from_openapi(OPENAPI), prompt="go", size=Size(480, 854), seconds=7.2,
        seed=123_456, start=start, end=end,
    )  # fmt: skip
    assert made.files == {"first_frame_image": start, "last_frame_image": end}
    assert made.values["duration"] == "10" and made.billed_seconds == 10.0
    assert made.values["resolution"] == "512p"  # the smallest at least 480 lines
    assert made.values["seed"] == 123_456 % 1001
    assert "negative_prompt" in made.values and "aspect_ratio" not in made.values


def test_video_input_needs_a_start_image_and_guesses_without_a_schema(tmp_path: Path) -> None:
    text_only = InputSchema({"prompt": InputField("prompt", "string")})
    with pytest.raises(MissingStartImage):
        video_input(text_only, prompt="go", size=Size(480, 854), seconds=3, seed=1,
                    start=tmp_path / "a.png")  # fmt: skip
    guessed = video_input(InputSchema(), prompt="go", size=Size(480, 854), seconds=3.2, seed=1,
                          start=tmp_path / "a.png")  # fmt: skip
    assert guessed.files == {"image": tmp_path / "a.png"}
    assert guessed.values == {"prompt": "go", "duration": 4}


def test_image_input_sizes_by_width_and_height_when_there_is_no_aspect_ratio() -> None:
    schema = InputSchema(
        {
            "prompt": InputField("prompt", "string"),
            "width": InputField("width", "integer", minimum=256, maximum=1440),
            "height": InputField("height", "integer", minimum=256, maximum=1440),
        }
    )
    made = image_input(schema, prompt="p", size=Size(1080, 1920), seed=1)
    assert (made.values["width"], made.values["height"]) == (816, 1440)
    assert made.files == {}


def test_value_pickers() -> None:
    integer = InputField("duration", "integer", enum=(5, 10))
    assert pick_duration(integer, 0.8) == (5, 5.0)
    assert pick_duration(integer, 5.0) == (5, 5.0)
    assert pick_duration(integer, 5.01) == (10, 10.0)
    assert pick_duration(integer, 14) == (10, 10.0)
    ranged = InputField("duration", "integer", minimum=2, maximum=8)
    assert pick_duration(ranged, 1.2) == (2, 2.0)
    assert pick_duration(ranged, 3.1) == (4, 4.0)
    assert pick_duration(InputField("duration", "number"), 3.1234) == (3.123, 3.123)
    assert closest_aspect(["1:1", "16:9", "9:16", "4:5", "custom"], Size(480, 854)) == "9:16"
    assert closest_aspect(["1:1", "16:9", "9:16", "4:5"], Size(864, 1080)) == "4:5"
    assert closest_aspect(["custom"], Size(1, 1)) is None
    assert pick_resolution(["720p", "480p", "1080p"], Size(854, 480)) == "480p"
    assert pick_resolution(["480p", "720p"], Size(2160, 3840)) == "720p"
    assert pick_resolution(["hd"], Size(1, 1)) is None
    assert pick_seed(InputField("seed", "integer", minimum=10, maximum=19), 25) == 15


# --- outputs and references -------------------------------------------------------------------


def test_first_url_and_model_references() -> None:
    assert (
        first_url("https://replicate.delivery/a/out.mp4") == "https://replicate.delivery/a/out.mp4"
    )
    assert first_url(["https://x/1.png", "https://x/2.png"]) == "https://x/1.png"
    assert first_url({"video": "https://x/v.mp4", "meta": 1}) == "https://x/v.mp4"
    assert first_url("just text") is None and first_url(None) is None
    assert str(ModelRef.parse("acme/model-1.5")) == "acme/model-1.5"
    pinned = ModelRef.parse("acme/model:" + "a" * 64)
    assert pinned.version == "a" * 64 and pinned.slug == "acme/model"
    for bad in ("acme", "acme/", "../x/y", "acme/m/extra", "acme/m:not-hex!", "a/b c"):
        with pytest.raises(ValueError):
            ModelRef.parse(bad)


def test_delivery_hosts_and_data_uris() -> None:
    hosts = ["replicate.delivery", "*.replicate.delivery"]
    assert host_allowed("https://replicate.delivery/x/out.png", hosts)
    assert host_allowed("https://pbxt.replicate.delivery/x/out.png", hosts)
    assert not host_allowed("https://replicate.delivery.evil.com/x", hosts)
    assert not host_allowed("https://evilreplicate.delivery/x", hosts)
    assert not host_allowed("http://169.254.169.254/latest", hosts)
    data = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    uri = "data:image/png;base64," + base64.b64encode(data).decode()
    assert decode_data_uri(uri, max_bytes=1000) == data
    with pytest.raises(FetchTooLarge):
        decode_data_uri(uri, max_bytes=50)


# --- storyboard parsing -------------------------------------------------------------------------

REQUEST = PlanRequest(
    brief=Brief(product="Lamp"), duration_seconds=9.0, aspect_ratio=AspectRatio.SQUARE_1_1,
    scene_count=3,
)  # fmt: skip


def test_storyboards_are_read_leniently() -> None:
    content = json.dumps(
        {
            "scenes": [
                {"beat": "hook", "title": "", "shot_type": "close up", "transition": "spin",
                 "continuity": "CONTINUE", "duration_seconds": "3s", "prompt": "A lamp"},
                {"beat": "Product", "shot_type": "PRODUCT", "transition": "wipe-left",
                 "continuity": "continue", "duration_seconds": 3.5, "caption": 42},
                {"beat": "nonsense", "duration_seconds": -1, "continuity": "CONTINUE"},
            ]
        }
    )  # fmt: skip
    plan = parse_plan(content, REQUEST, ref="openai:m")
    first, second, third = plan.scenes
    assert first.beat is SceneBeat.HOOK and first.shot_type is ShotType.CLOSE_UP
    assert first.transition is Transition.CUT and first.continuity is SceneContinuity.CUT
    assert first.duration_seconds == 3.0 and first.title == "Hook"
    assert second.transition is Transition.WIPE_LEFT
    assert second.continuity is SceneContinuity.CONTINUE and second.caption == ""
    assert third.beat is SceneBeat.END_CARD and third.continuity is SceneContinuity.CUT
    assert third.duration_seconds == 0.0 and third.shot_type is ShotType.MEDIUM
    assert third.prompt == "End Card"


@pytest.mark.parametrize(
    "content",
    ["not json", '{"scenes": "many"}', '{"scenes": [{}, {}]}', json.dumps({"scenes": [{}] * 4})],
)
def test_unusable_storyboards_are_retryable_bad_output(content: str) -> None:
    from domain.adapters.providers.errors import ProviderError

    with pytest.raises(ProviderError) as caught:
        parse_plan(content, REQUEST, ref="openai:m")
    assert (caught.value.code, caught.value.retryable) == ("PROVIDER_BAD_OUTPUT", True)


def test_the_storyboard_schema_is_strict() -> None:
    schema = storyboard_schema()
    scene = schema["properties"]["scenes"]["items"]
    assert schema["additionalProperties"] is False and scene["additionalProperties"] is False
    assert sorted(scene["required"]) == sorted(scene["properties"])


# --- Veo ---------------------------------------------------------------------------------------


def test_veo_lengths_and_operation_errors() -> None:
    assert pick_seconds((4, 6, 8), 3.2) == 4
    assert pick_seconds((4, 6, 8), 6.0) == 6
    assert pick_seconds((4, 6, 8), 12) == 8
    quota = operation_error(
        {"code": 8, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}
    )
    assert (quota.code, quota.retryable) == ("RATE_LIMITED", True)
    bad = operation_error({"code": 3, "message": "bad aspect ratio", "status": "INVALID_ARGUMENT"})
    assert (bad.code, bad.retryable) == ("PROVIDER_REJECTED", False)


# --- registration ------------------------------------------------------------------------------


def test_hosted_providers_are_registered_from_settings_and_prices(tmp_path: Path) -> None:
    fetcher = UrlFetcher()
    bare = Settings(data_dir=tmp_path)
    assert hosted_providers(bare, price_table(None), fetcher).video == {}
    settings = Settings(
        data_dir=tmp_path,
        openai_api_key=SecretStr("sk-x"),
        replicate_api_token=SecretStr("r8_x"),
        gemini_api_key=SecretStr("g-x"),
        replicate_video_model="acme/i2v:" + "b" * 64,
        provider_prices={"image": {"replicate:acme/sdxl": {"per_call": 0.01}}},
    )
    assert "r8_x" not in repr(settings)  # secrets stay out of logs
    prices = price_table(settings.provider_prices)
    hosted = hosted_providers(settings, prices, fetcher)
    assert sorted(hosted.planner) == ["openai:gpt-4o", "openai:gpt-4o-mini"]
    assert sorted(hosted.image) == [
        "replicate:acme/sdxl", "replicate:black-forest-labs/flux-1.1-pro",
        "replicate:black-forest-labs/flux-schnell",
    ]  # fmt: skip
    assert sorted(hosted.video) == [
        "replicate:acme/i2v:" + "b" * 64, "replicate:kwaivgi/kling-v2.1",
        "veo:veo-3.0-fast-generate-001", "veo:veo-3.0-generate-001",
    ]  # fmt: skip
    sdxl = hosted.image["replicate:acme/sdxl"]
    assert getattr(sdxl, "price").per_call == Decimal("0.01")
    kling = hosted.video["replicate:kwaivgi/kling-v2.1"]
    assert getattr(kling, "price") == prices.price(
        ProviderKind.VIDEO, "replicate:kwaivgi/kling-v2.1"
    )
    # a local OpenAI-compatible server needs no key
    local = Settings(data_dir=tmp_path, openai_base_url="http://127.0.0.1:11434/v1",
                     openai_model="llama3.1")  # fmt: skip
    assert "openai:llama3.1" in hosted_providers(local, price_table(None), fetcher).planner
