"""The planners' word budget: every script can be said in its scene's time at a natural pace."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.adapters.providers.openai_planner import instructions, speaking_rule
from domain.enums import AspectRatio, SceneBeat, SceneContinuity, ShotType, Transition
from domain.rules.durations import to_ms
from domain.rules.narration import fit_scenes, script_budget, speech_seconds, spoken_units
from domain.rules.planner import Brief, Plan, PlanRequest, ScenePlan, normalize_plan, plan_offline
from domain.rules.planner_copy import short_name
from domain.rules.script_fit import fit_script, longest_fitting, needed_seconds, room_for_line

DEMO = Brief(
    product="TrailRunner 2 shoes and the Summit bottle",
    audience="weekend hikers and trail runners",
    tone="energetic, outdoorsy",
    call_to_action="Shop the spring collection",
    prompt="sunrise on a mountain trail, fresh and light",
)


def test_the_budget_is_the_scene_less_its_pauses_at_the_natural_rate() -> None:
    assert script_budget(4.0) == 8  # (4 - 0.25 - 0.35) * 2.5 = 8.5
    assert script_budget(4.0, "de") == 7  # 3.4 * 2.2 = 7.48
    assert script_budget(4.0, "ja-JP") == 23  # characters: 3.4 * 7
    assert script_budget(0.5) == 0


def test_a_long_script_is_cut_at_a_sentence_then_a_clause_then_a_word() -> None:
    text = "Fresh bread every morning. Baked by hand, with love. Order today."
    assert fit_script(text, 10.0) == text
    assert fit_script(text, 3.0) == "Fresh bread every morning."  # budget 6
    assert fit_script("Baked by hand, with love and care, at dawn.", 2.0) == "Baked by hand."
    assert fit_script("Seven words that run on and on.", 1.5) == "Seven words."  # budget 2
    assert fit_script("Anything at all.", 0.5) == ""
    cut = fit_script("毎朝焼きたてのパンをお届けします。", 1.5, "ja")
    assert cut and spoken_units(cut, "ja") <= script_budget(1.5, "ja")


def test_the_longest_line_that_fits_is_kept() -> None:
    lines = ["One two three four five six.", "One two three.", "One."]
    assert longest_fitting(lines, 10.0) == lines[0]
    assert longest_fitting(lines, 2.0) == "One two three."  # budget 3
    assert longest_fitting(lines, 1.0) == "One."  # budget 1
    assert longest_fitting(["Far too many words here."], 1.4) == "Far too."  # budget 2


def test_the_end_card_gets_the_time_to_say_the_call_to_action() -> None:
    line = "Shop the whole spring collection online today"  # 7 words: 2.8 s + 0.6 s
    durations = room_for_line([2.0, 2.0, 2.0], 2, line)
    assert to_ms(durations[2]) >= to_ms(needed_seconds(line))
    assert sum(to_ms(d) for d in durations) == 6000
    assert durations[0] == durations[1]  # taken in proportion to the room
    assert room_for_line([2.0, 2.0, 4.0], 2, line) == [2.0, 2.0, 4.0]  # long enough already
    assert room_for_line([1.0, 1.0, 1.0], 2, line * 3) == [1.0, 1.0, 1.0]  # cannot fit: unchanged


def test_a_product_is_named_short_when_time_is_short() -> None:
    assert short_name("TrailRunner 2 shoes and the Summit bottle") == "TrailRunner 2 shoes"
    assert short_name("Aurora running shoes") == "Aurora running shoes"
    assert short_name("Acme: the coffee, roasted for you") == "Acme"


@pytest.mark.parametrize("seconds", [5.0, 6.0, 10.0, 15.0, 30.0, 60.0, 120.0])
@pytest.mark.parametrize("language", ["en", "de"])
def test_every_built_in_script_fits_its_scene(seconds: float, language: str) -> None:
    brief = replace(DEMO, language=language)
    request = PlanRequest(brief, seconds, AspectRatio.PORTRAIT_9_16, voiceover=True)
    plan = normalize_plan(request, plan_offline(request))
    scenes = plan.scenes
    assert sum(to_ms(s.duration_seconds) for s in scenes) == to_ms(seconds)
    for scene in scenes:
        assert spoken_units(scene.script, language) <= script_budget(
            scene.duration_seconds, language
        ), (seconds, scene.beat, scene.script)
        assert scene.script, (seconds, scene.beat)  # every scene says something
    assert scenes[-1].beat is SceneBeat.END_CARD
    assert scenes[-1].script == "Shop the spring collection."  # the call to action, whole
    # the narration fits at a natural pace: no speed-up, no LIMIT_EXCEEDED
    speech = [speech_seconds(s.script, language) for s in scenes]
    assert fit_scenes(plan.durations, speech, total=seconds).speed == 1.0
    if seconds >= 60:  # long scenes get fuller lines, not the shortest ones
        words = sum(spoken_units(s.script, language) for s in scenes)
        assert words >= 0.25 * seconds, words


def test_a_hosted_plans_long_scripts_are_cut_to_the_budget() -> None:
    request = PlanRequest(DEMO, 10.0, AspectRatio.LANDSCAPE_16_9, voiceover=True)
    wordy = ("This sentence is short. " + "And then it goes on and on and on " * 4).strip()
    scenes = tuple(
        ScenePlan(
            beat,
            "T",
            "",
            wordy,
            "c",
            "p",
            ShotType.WIDE,
            Transition.CUT,
            10 / 3,
            SceneContinuity.CUT,
        )
        for beat in (SceneBeat.HOOK, SceneBeat.PRODUCT, SceneBeat.END_CARD)
    )
    plan = normalize_plan(request, Plan(scenes))
    assert [s.script for s in plan.scenes[:2]] == ["This sentence is short."] * 2
    assert plan.scenes[2].script == wordy  # the end card says the call to action


def test_the_hosted_planner_is_told_the_budget() -> None:
    assert "at most (duration_seconds - 0.6) x 2.5 words" in speaking_rule("en")
    assert "a 4-second scene: at most 8 words" in speaking_rule("en-GB")
    assert "7 characters a second" in speaking_rule("ja")
    request = PlanRequest(DEMO, 10.0, AspectRatio.PORTRAIT_9_16)
    assert speaking_rule("en") in instructions(request)
