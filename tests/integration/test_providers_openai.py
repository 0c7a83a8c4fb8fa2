"""The OpenAI-compatible planner against a fake chat-completions API on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest

from domain.adapters.providers.errors import ProviderError
from domain.adapters.providers.openai_planner import OpenAIConfig, OpenAIPlanner
from domain.enums import AspectRatio, AssetKind, AssetRole, SceneBeat, SceneContinuity, Transition
from domain.rules.asset_roles import PlanAsset
from domain.rules.durations import to_ms
from domain.rules.planner import Brief, PlanRequest, normalize_plan
from domain.rules.scene_rewrite import SceneRewrite
from tests.support.fake_http import json_answer
from tests.support.fake_openai import FakeOpenAI, completion, error

REQUEST = PlanRequest(
    brief=Brief(product="TrailRunner shoes", audience="trail runners", tone="energetic",
                call_to_action="Shop now", language="en"),
    duration_seconds=7.3,
    aspect_ratio=AspectRatio.PORTRAIT_9_16,
    scene_count=4,
    continuity=True,
    brand_name="Northwind",
    brand_colors=("#0F766E", "#F59E0B"),
    assets=(
        PlanAsset("logo-1", AssetRole.LOGO, AssetKind.IMAGE),
        PlanAsset("product-1", AssetRole.PRODUCT, AssetKind.IMAGE),
    ),
)  # fmt: skip


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    service = FakeOpenAI()
    with service.running():
        yield service


def planner(fake: FakeOpenAI, **kw: object) -> OpenAIPlanner:
    config = OpenAIConfig(base_url=f"{fake.base}/v1", api_key=fake.api_key, **kw)  # type: ignore[arg-type]
    return OpenAIPlanner(config, "gpt-4o-mini")


async def test_plans_with_a_strict_schema_and_keeps_the_rules(fake: FakeOpenAI) -> None:
    plan = await planner(fake).plan(REQUEST)

    (call,) = fake.seen("POST")
    assert call.path == "/v1/chat/completions"
    assert call.headers["authorization"] == f"Bearer {fake.api_key}"
    body = call.json()
    assert body["model"] == "gpt-4o-mini"
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert (
        fmt["json_schema"]["schema"]["properties"]["scenes"]["items"]["additionalProperties"]
        is False
    )
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "TrailRunner shoes" in body["messages"][1]["content"]

    beats = [s.beat for s in plan.scenes]
    assert beats == [SceneBeat.HOOK, SceneBeat.PRODUCT, SceneBeat.BENEFIT, SceneBeat.END_CARD]
    assert plan.notes == ("planned by openai:gpt-4o-mini",)
    # assets are placed by role: the product shot on the product scene, the logo on the end card
    assert plan.scenes[1].asset_ids == ("product-1",)
    assert "logo-1" in plan.scenes[3].asset_ids
    # the model asked for CONTINUE on scene 2, which shows an uploaded picture: kept as a CUT
    assert plan.scenes[1].continuity is SceneContinuity.CUT
    assert plan.scenes[2].transition is Transition.DISSOLVE  # "dissolve" read leniently

    normalized = normalize_plan(REQUEST, plan)
    assert sum(to_ms(s.duration_seconds) for s in normalized.scenes) == 7300  # exact
    assert [s.beat for s in normalized.scenes] == beats  # the model's plan, not the fallback
    assert normalized.scenes[0].caption == "TrailRunner shoes: part 1"


async def test_continuity_the_model_asks_for_is_kept_where_it_can_hold(fake: FakeOpenAI) -> None:
    plain = PlanRequest(brief=REQUEST.brief, duration_seconds=6.0,
                        aspect_ratio=AspectRatio.SQUARE_1_1, scene_count=3)  # fmt: skip
    plan = normalize_plan(plain, await planner(fake).plan(plain))
    assert [s.continuity for s in plan.scenes] == [
        SceneContinuity.CUT, SceneContinuity.CONTINUE, SceneContinuity.CUT,
    ]  # fmt: skip
    assert plan.scenes[1].transition is Transition.CUT  # a CONTINUE scene is entered by a cut


async def test_servers_without_schemas_get_json_object(fake: FakeOpenAI) -> None:
    fake.accepts_schema = False
    fake.fenced = True  # and answer in a fenced block, as some do
    provider = planner(fake)
    plan = await provider.plan(REQUEST)
    assert len(plan.scenes) == 4
    formats = [r.json()["response_format"]["type"] for r in fake.seen("POST")]
    assert formats == ["json_schema", "json_object"]
    await provider.plan(REQUEST)  # remembered: no second refusal
    assert [r.json()["response_format"]["type"] for r in fake.seen("POST")][2:] == ["json_object"]


async def test_rate_limit_is_retryable_with_its_retry_after(fake: FakeOpenAI) -> None:
    fake.faults.append(
        error(429, "Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, "
              "Used 3, Requested 1. Please try again in 20s.", kind="requests",
              code="rate_limit_exceeded", **{"Retry-After": "20"})
    )  # fmt: skip
    with pytest.raises(ProviderError) as caught:
        await planner(fake).plan(REQUEST)
    assert (caught.value.code, caught.value.retryable, caught.value.retry_after) == (
        "RATE_LIMITED", True, 20.0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("answer", "code", "retryable"),
    [
        (error(429, "You exceeded your current quota, please check your plan and billing "
               "details.", kind="insufficient_quota", code="insufficient_quota"),
         "PROVIDER_BILLING", False),
        (error(500, "The server had an error while processing your request.",
               kind="server_error"), "PROVIDER_UNAVAILABLE", True),
        (error(503, "The engine is currently overloaded, please try again later",
               kind="server_error"), "PROVIDER_UNAVAILABLE", True),
        (error(400, "Your request was rejected as a result of our safety system.",
               kind="invalid_request_error", code="content_policy_violation"),
         "CONTENT_POLICY", False),
        (error(400, "Invalid value for 'model'", kind="invalid_request_error",
               code="model_not_found"), "PROVIDER_REJECTED", False),
        (error(401, "Incorrect API key provided", kind="invalid_request_error",
               code="invalid_api_key"), "PROVIDER_AUTH", False),
        (json_answer(200, completion(None, model="gpt-4o-mini",
                                     refusal="I can't help with that request.")),
         "CONTENT_POLICY", False),
        (json_answer(200, completion("", model="gpt-4o-mini", finish="content_filter")),
         "CONTENT_POLICY", False),
        (json_answer(200, completion('{"scenes": [{"beat": "HOOK"}]}', model="gpt-4o-mini")),
         "PROVIDER_BAD_OUTPUT", True),
        (json_answer(200, completion('{"scenes": [', model="gpt-4o-mini", finish="length")),
         "PROVIDER_BAD_OUTPUT", True),
        (json_answer(200, completion("Sure! Here is your storyboard.", model="gpt-4o-mini")),
         "PROVIDER_BAD_OUTPUT", True),
    ],
)  # fmt: skip
async def test_failures_are_classified(
    fake: FakeOpenAI, answer: tuple[int, dict[str, str], bytes], code: str, retryable: bool
) -> None:
    fake.faults.append(answer)
    with pytest.raises(ProviderError) as caught:
        await planner(fake).plan(REQUEST)
    assert (caught.value.code, caught.value.retryable) == (code, retryable)
    assert caught.value.message.startswith("openai: ")


async def test_no_key_sends_no_authorization(fake: FakeOpenAI) -> None:
    provider = OpenAIPlanner(OpenAIConfig(base_url=f"{fake.base}/v1"), "local-model")
    with pytest.raises(ProviderError) as caught:
        await provider.plan(REQUEST)
    assert caught.value.code == "PROVIDER_AUTH"
    assert "authorization" not in fake.seen("POST")[0].headers


REWRITE = SceneRewrite(
    brief=REQUEST.brief,
    beat=SceneBeat.HOOK,
    title="Hook",
    description="Open on a runner at dawn.",
    script="Ready for something new?",
    caption="Aurora",
    duration_seconds=3.0,
    feedback="mention the free returns",
)


async def test_regenerate_rewrites_the_scene_through_the_model(fake: FakeOpenAI) -> None:
    copy = await planner(fake).rewrite_scene(REWRITE)
    (call,) = fake.seen("POST")
    body = call.json()
    fmt = body["response_format"]
    assert fmt["json_schema"]["name"] == "scene_copy" and fmt["json_schema"]["strict"] is True
    system, user = body["messages"]
    assert "at most 6 words" in system["content"]  # (3.0 - 0.6) s at 2.5 words a second
    sent = json.loads(user["content"])
    assert sent["feedback"] == "mention the free returns"
    assert sent["scene"]["script"] == "Ready for something new?"
    assert sent["scene"]["max_script_words"] == 6
    # the model overran the budget: its script is cut to what 3 s can say, at a clause
    assert copy.script == "Mention the free returns."
    assert copy.caption.endswith("mention the free returns")


async def test_a_rewrite_on_a_server_without_schemas_asks_for_json(fake: FakeOpenAI) -> None:
    fake.accepts_schema = False
    copy = await planner(fake).rewrite_scene(replace(REWRITE, duration_seconds=20.0))
    _, second = fake.seen("POST")
    assert second.json()["response_format"] == {"type": "json_object"}
    assert copy.script.startswith("Mention the free returns, with")
    assert copy.script.endswith("Ready for something new?")


async def test_a_rewrite_that_is_not_copy_is_bad_output(fake: FakeOpenAI) -> None:
    fake.faults.append(json_answer(200, completion('{"scenes": []}', model="gpt-4o-mini")))
    with pytest.raises(ProviderError) as caught:
        await planner(fake).rewrite_scene(REWRITE)
    assert caught.value.code == "PROVIDER_BAD_OUTPUT" and caught.value.retryable
