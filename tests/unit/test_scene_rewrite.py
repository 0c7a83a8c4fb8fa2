"""The built-in planner's rewrite of a scene's words from ``regenerateScene`` feedback."""

from __future__ import annotations

import pytest

from domain.enums import SceneBeat
from domain.rules.brief import Brief
from domain.rules.narration import script_budget, spoken_units
from domain.rules.scene_rewrite import SceneCopy, SceneRewrite, finish, price_in, rewrite_offline

BRIEF = Brief(product="TrailRunner 2 shoes", call_to_action="Now $89 at trail.shop")
LINE = "Ready for something new? Meet TrailRunner 2 shoes."


def rewrite(feedback: str, seconds: float = 6.0, brief: Brief = BRIEF) -> SceneCopy:
    scene = SceneRewrite(brief, SceneBeat.HOOK, "Hook", "", LINE, "TrailRunner 2 shoes", seconds,
                         feedback)  # fmt: skip
    return rewrite_offline(scene)


@pytest.mark.parametrize(
    ("feedback", "script", "caption"),
    [
        ('say "Built for the mountains"', "Built for the mountains.", "Built for the mountains"),
        ("Say: every trail is yours", "Every trail is yours.", "every trail is yours"),
        ("shorter please", "Ready for something new?", "TrailRunner 2 shoes"),
        ("mention the price", f"Only $89. {LINE}", "$89: TrailRunner 2 shoes"),
        ("more urgent", f"Don't wait! {LINE}", "Now: TrailRunner 2 shoes"),
        ("warmer light, less clutter", "Ready for something new?", "TrailRunner 2 shoes"),
        ("a wider shot", LINE, "TrailRunner 2 shoes"),
    ],
)
def test_the_rules(feedback: str, script: str, caption: str) -> None:
    assert rewrite(feedback) == SceneCopy(script, caption)


def test_rules_combine_and_the_result_fits_the_scene() -> None:
    copy = rewrite("shorter, mention the price and make it urgent", seconds=3.0)
    assert copy.script == "Don't wait! Only $89."  # price and urgency first, cut to 6 words
    assert spoken_units(copy.script) <= script_budget(3.0)
    assert copy.caption == "Now: $89: TrailRunner 2 shoes"


def test_a_price_is_found_in_the_brief_or_value_is_said() -> None:
    assert price_in(Brief(product="Mugs", call_to_action="30% off this week")) == "30% off"
    assert price_in(Brief(product="Mugs for 12,50 €")) == "12,50 €"
    plain = Brief(product="Mugs")
    assert price_in(plain) is None
    assert rewrite("what about the price?", brief=plain).script == f"Great value. {LINE}"
    percent = Brief(product="Mugs", call_to_action="30% off this week")
    assert rewrite("mention the deal", brief=percent).script.startswith("30% off. ")


def test_a_said_line_too_long_for_the_scene_is_cut_and_a_silent_scene_stays_silent() -> None:
    copy = rewrite('say "One two three four five six seven eight nine ten"', seconds=2.0)
    assert copy.script == "One two three."  # (2 - 0.6) * 2.5 = 3.5: at most 3 words
    silent = SceneRewrite(BRIEF, SceneBeat.HOOK, "", "", "Anything.", "c", 2.0, "x", False)
    assert finish(silent, SceneCopy("One two three four five six.", "c")).script == (
        "One two three four five six."
    )  # not spoken: no budget
