"""Prices, estimates, budgets and the variance rule, with a priced fake provider."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from domain.errors import DomainError, ErrorCode
from domain.rules.budget import (
    crosses_variance,
    may_spend,
    money,
    over_variance,
    remaining_budget,
    variance_ratio,
    within_budget,
)
from domain.rules.pricing import (
    BUILTIN,
    DEFAULT_PRICES,
    Price,
    ProviderChoice,
    ProviderKind,
    SceneWork,
    estimate_job,
    estimate_scene,
    split_ref,
)

D = Decimal

#: A fake provider priced like a hosted one: planner per call, images per call, video per second,
#: voice per thousand characters.
PRICED = DEFAULT_PRICES.merged(
    {
        "planner": {"fake:llm": {"per_call": "0.002"}},
        "image": {"fake:img": {"per_call": "0.04"}},
        "video": {"fake:vid": {"per_second": "0.05", "per_call": "0.01"}},
        "voice": {"fake:tts": {"per_1k_chars": "0.015"}},
    }
)
FAKE = ProviderChoice(planner="fake:llm", image="fake:img", video="fake:vid", voice="fake:tts")


def test_builtin_providers_are_free_and_known() -> None:
    choice = ProviderChoice()
    assert choice.to_dict() == {k.value: BUILTIN for k in ProviderKind}
    assert DEFAULT_PRICES.validate(choice) == choice
    estimate = estimate_job(DEFAULT_PRICES, choice, [SceneWork(10, 50)] * 5, voiceover=True)
    assert estimate.total_usd == 0 and estimate.scene_usd == (D(0),) * 5
    assert len(estimate.lines) == 1 + 5 * 3


def test_price_arithmetic() -> None:
    assert Price(D("0.04")).cost() == D("0.0400")
    assert Price(per_second=D("0.05")).cost(seconds=7.3) == D("0.3650")
    assert Price(per_1k_chars=D("0.015")).cost(chars=333) == D("0.0050")  # 0.004995 rounds up
    assert Price(D("0.01"), D("0.05")).cost(calls=2, seconds=1.5) == D("0.0950")
    assert split_ref("replicate:black-forest-labs/flux-schnell") == (
        "replicate",
        "black-forest-labs/flux-schnell",
    )
    assert split_ref("builtin") == ("builtin", "")


def test_estimates_per_scene_and_per_job_with_a_priced_fake_provider() -> None:
    scenes = [SceneWork(2.5, 40), SceneWork(3.25, 0), SceneWork(4.0, 120)]
    # image 0.04 + video 0.01 + 0.05/s; voice 0.015 per 1000 characters
    assert estimate_scene(PRICED, FAKE, scenes[0], voiceover=False) == D("0.1750")
    assert estimate_scene(PRICED, FAKE, scenes[0], voiceover=True) == D("0.1756")
    estimate = estimate_job(PRICED, FAKE, scenes, voiceover=True)
    assert estimate.job_usd == D("0.0020")
    assert estimate.scene_usd == (D("0.1756"), D("0.2125"), D("0.2518"))
    assert estimate.total_usd == D("0.6419")
    assert estimate.total_usd == estimate.job_usd + sum(estimate.scene_usd)
    assert sum(line.usd for line in estimate.lines) == estimate.total_usd
    voice_lines = [line for line in estimate.lines if line.kind is ProviderKind.VOICE]
    assert [(line.scene, line.chars) for line in voice_lines] == [(0, 40), (2, 120)]
    quiet = estimate_job(PRICED, FAKE, scenes, voiceover=False)
    assert quiet.total_usd == D("0.0020") + D("0.1750") + D("0.2125") + D("0.2500")


def test_unknown_providers_and_bad_prices_are_invalid() -> None:
    with pytest.raises(DomainError) as err:
        DEFAULT_PRICES.validate(ProviderChoice(video="nobody:nothing"))
    assert err.value.code is ErrorCode.INVALID and err.value.field == ["providers", "video"]
    with pytest.raises(DomainError):
        PRICED.price(ProviderKind.IMAGE, "fake:vid")  # a video model is not an image provider
    for bad in (
        {"sound": {"x": {"per_call": 1}}},
        {"image": {"x": {"per_frame": 1}}},
        {"image": {"x": {"per_call": -1}}},
        {"image": {"x": {"per_call": "lots"}}},
    ):
        with pytest.raises(DomainError):
            DEFAULT_PRICES.merged(bad)
    assert "fake:img" in PRICED.refs(ProviderKind.IMAGE)
    assert not DEFAULT_PRICES.knows(ProviderKind.IMAGE, "fake:img")  # merging copies


def test_budget_rules() -> None:
    assert within_budget(None, D("1e9"))
    assert within_budget(D("1.62"), D("1.62")) and not within_budget(D("1.62"), D("1.6201"))
    assert may_spend(D("1.00"), D("0.60"), D("0.40"))  # reaching the budget exactly is fine
    assert not may_spend(D("1.00"), D("0.60"), D("0.41"))
    assert may_spend(D("0"), D("0"), D("0"))  # free calls always pass
    assert may_spend(D("0.50"), D("0.90"), D("0"))
    assert remaining_budget(D("1.00"), D("0.25")) == D("0.7500")
    assert remaining_budget(D("1.00"), D("3")) == 0 and remaining_budget(None, D(1)) is None


def test_never_spend_past_the_budget() -> None:
    """Whatever the calls cost, gating each with ``may_spend`` never lets spending pass the budget,
    and stops only when the next call would really cross it."""
    rng = random.Random(4)
    for _ in range(500):
        budget = money(rng.uniform(0, 5))
        spent = D(0)
        for _ in range(40):
            cost = money(rng.choice([0, rng.uniform(0, 0.8)]))
            if may_spend(budget, spent, cost):
                spent += cost
            else:
                assert spent + cost > budget
            assert spent <= budget


def test_variance_ratio_and_event_rule() -> None:
    assert variance_ratio(D("1.62"), D("2.50")) == 0.5432
    assert variance_ratio(D("2"), D("1")) == -0.5
    assert variance_ratio(D("0"), D("0")) == 0.0
    assert variance_ratio(D("0"), D("0.01")) is None
    assert not over_variance(D("1.00"), D("1.20"))  # exactly +20% is not past it
    assert over_variance(D("1.00"), D("1.2001"))
    assert over_variance(D("0"), D("0.01"))
    assert crosses_variance(D("1.00"), D("1.10"), D("1.30"))
    assert not crosses_variance(D("1.00"), D("1.30"), D("1.50"))  # already past: emit once
    assert not crosses_variance(D("1.00"), D("0.50"), D("1.20"))


def test_whole_clip_billing_rounds_up_to_the_lengths_a_model_sells() -> None:
    from decimal import Decimal

    from domain.rules.pricing import DEFAULT_PRICES, Price, ProviderKind

    price = Price(per_second=Decimal("0.10"), min_seconds=Decimal(5), step_seconds=Decimal(5))
    assert price.billed_seconds(2.0) == 5
    assert price.billed_seconds(5.0) == 5
    assert price.billed_seconds(5.1) == 10
    assert price.cost(seconds=3.0) == Decimal("0.50")
    assert Price(per_second=Decimal("0.10")).cost(seconds=3.0) == Decimal("0.30")
    veo = DEFAULT_PRICES.price(ProviderKind.VIDEO, "veo:veo-3.0-fast-generate-001")
    assert veo.billed_seconds(3.0) == 4 and veo.billed_seconds(4.5) == 6


def test_billing_units_are_accepted_in_price_overrides() -> None:
    from decimal import Decimal

    from domain.rules.pricing import DEFAULT_PRICES, ProviderKind

    table = DEFAULT_PRICES.merged(
        {"video": {"replicate:acme/i2v": {"per_second": 0.08, "min_seconds": 5, "step_seconds": 5}}}
    )
    assert table.price(ProviderKind.VIDEO, "replicate:acme/i2v").cost(seconds=6) == Decimal("0.80")
