"""Pure rules of variants, template rows, merge fields and caption files."""

from __future__ import annotations

from decimal import Decimal

from domain.enums import SceneBeat, SceneContinuity, ShotType, Transition
from domain.errors import Invalid
from domain.media.subtitles import srt, webvtt
from domain.media.timing import plan_timeline
from domain.rules.brief import FEATURE_LIMIT, MAX_FEATURES, given_features
from domain.rules.invalidation import SceneInputs
from domain.rules.merge_fields import fields_in, fill, missing_fields
from domain.rules.pricing import DEFAULT_PRICES, PriceTable, ProviderChoice, SceneWork
from domain.rules.variants import changed_cost, reusable
from domain.services.batches.rows import check_row, rows_from_csv
from domain.services.batches.storyboard import SceneDraft
from domain.services.batches.templates import template_texts


def scene(position: int, *, duration_ms: int = 2000, caption: str = "", prompt: str = "p",
          continuity: SceneContinuity = SceneContinuity.CUT) -> SceneInputs:  # fmt: skip
    return SceneInputs(
        id=str(position), prompt=prompt, shot_type=ShotType.WIDE, asset_ids=(),
        duration_ms=duration_ms, continuity=continuity, transition=Transition.CUT,
        caption=caption,
    )  # fmt: skip


def test_merge_fields_found_filled_and_missing() -> None:
    texts = ["{{product}} for {{ price }}", "in {{city}}, {{product}}", "{{not a field}}"]
    assert fields_in(texts) == ["product", "price", "city"]
    assert missing_fields(texts[0], {"product": "Kettle", "price": " "}) == ["price"]
    assert fill(texts[0], {"product": "Kettle", "price": "$20"}) == "Kettle for $20"


def test_text_changes_reuse_everything_duration_keeps_images_shape_nothing() -> None:
    before = [scene(0), scene(1, continuity=SceneContinuity.CONTINUE), scene(2)]
    texts = [scene(0, caption="new"), before[1], before[2]]
    assert reusable(before, texts, same_size=True).clips == (True, True, True)
    longer = [scene(0, duration_ms=3000), before[1], before[2]]
    reuse = reusable(before, longer, same_size=True)
    assert reuse.images == (True, True, True)
    # scene 1 continues scene 0: its clip starts on a new last frame, so it is made again too
    assert reuse.clips == (False, False, True)
    assert reusable(before, before, same_size=False).images == (False, False, False)


def test_changed_cost_prices_only_what_is_made_again() -> None:
    table = DEFAULT_PRICES.merged({"image": {"builtin": {"per_call": 0.05}},
                                   "video": {"builtin": {"per_second": 0.1}}})  # fmt: skip
    assert isinstance(table, PriceTable)
    work = SceneWork(2.0, 10)
    choice = ProviderChoice()
    assert changed_cost(table, choice, work, image=False, clip=False, voice=False) == 0
    assert changed_cost(table, choice, work, image=False, clip=True, voice=False) == Decimal("0.2")
    assert changed_cost(table, choice, work, image=True, clip=True, voice=False) == Decimal("0.25")


def _storyboard() -> dict[str, object]:
    draft = SceneDraft(
        beat=SceneBeat.HOOK, title="{{product}}", description="", script="Buy {{product}}",
        caption="{{product}} in {{city}}", prompt="a {{product}}", shot_type=ShotType.WIDE,
        transition=Transition.CUT, duration_seconds=2.5, continuity=SceneContinuity.CUT,
    )  # fmt: skip
    return {"brief": {"product": "{{product}}", "call_to_action": "Only {{price}}"},
            "scenes": [draft.to_dict(), draft.to_dict()]}  # fmt: skip


def test_a_row_reports_each_missing_field_once_and_long_or_bad_values() -> None:
    _, _, errors = check_row(_storyboard(), {"product": "Kettle"}, 3)
    assert [(e.row, e.field) for e in errors] == [(3, "price"), (3, "city")]
    _, _, errors = check_row(_storyboard(), {"product": "K", "price": "1", "city": "x" * 250}, 4)
    assert {e.field for e in errors} == {"scenes.0.caption", "scenes.1.caption"}
    row = {"product": "K", "price": "1", "city": "c", "durationSeconds": "soon"}
    _, _, errors = check_row(_storyboard(), row, 5)
    assert [(e.field, e.code) for e in errors] == [("durationSeconds", "INVALID")]
    brief, scenes, errors = check_row(
        _storyboard(), {"product": "K", "price": "$1", "city": "c", "durationSeconds": 10}, 6
    )
    assert errors == [] and brief["call_to_action"] == "Only $1"
    assert [s.duration_seconds for s in scenes] == [5.0, 5.0]
    assert scenes[0].caption == "K in c"


def _given(value: object) -> tuple[tuple[str, ...] | None, list[tuple[list[str] | None, str]]]:
    errors: list[Invalid] = []
    features = given_features(value, errors)
    return features, [(e.field, e.message) for e in errors]


def test_a_row_gives_features_as_text_separated_by_bars_or_as_a_list() -> None:
    assert _given(None) == (None, []) and _given(" ") == (None, [])  # the template's are kept
    assert _given(" Light |  Quiet   motor|Dishwasher safe ") == (
        ("Light", "Quiet motor", "Dishwasher safe"),
        [],
    )
    assert _given(["Light", " Quiet "]) == (("Light", "Quiet"), [])
    assert _given([]) == ((), [])  # a JSON row may clear them
    assert _given("Light") == (("Light",), [])


def test_bad_row_features_name_the_column_and_the_feature() -> None:
    _, errors = _given("|".join("abcdef"[: MAX_FEATURES + 1]))
    assert errors == [(["features"], f"features must list at most {MAX_FEATURES}")]
    _, errors = _given("Light|" + "x" * (FEATURE_LIMIT + 1) + "|Quiet")
    assert errors == [(["features", "1"], f"a feature must be at most {FEATURE_LIMIT} characters")]
    _, errors = _given("Light||Quiet")
    assert errors == [(["features", "1"], "a feature must not be empty")]
    _, errors = _given("Light\nQuiet")  # one separator only: a line break is refused
    assert errors == [(["features"], "features are separated by |, not by line breaks")]
    assert _given(3)[1][0][0] == ["features"] and _given([1, 2])[1][0][0] == ["features"]


def _featured() -> dict[str, object]:
    board = _storyboard()
    brief = dict(board["brief"])  # type: ignore[call-overload]
    brief.update(features=["{{weight}} light", "Made in {{city}}"], voice="alloy",
                 caption_style="HIGHLIGHT")  # fmt: skip
    return {**board, "brief": brief}


def test_template_features_are_merged_like_the_other_texts() -> None:
    assert template_texts(_featured())[5:7] == ["{{weight}} light", "Made in {{city}}"]
    row = {"product": "Kettle", "price": "$2", "city": "Porto", "weight": "900 g"}
    brief, _, errors = check_row(_featured(), row, 0)
    assert errors == [] and brief["features"] == ["900 g light", "Made in Porto"]
    assert (brief["voice"], brief["caption_style"]) == ("alloy", "HIGHLIGHT")  # kept as well
    _, _, errors = check_row(_featured(), {**row, "weight": ""}, 1)
    assert [(e.field, e.message) for e in errors] == [
        ("weight", "row 1: merge field {{weight}} is missing (first used in brief.features.0)")
    ]
    _, _, errors = check_row(_featured(), {**row, "weight": "w" * FEATURE_LIMIT}, 2)
    assert [(e.row, e.field, e.code) for e in errors] == [(2, "brief.features.0", "INVALID")]


def test_a_row_features_column_replaces_the_template_features() -> None:
    row = {"product": "Kettle", "price": "$2", "city": "Porto", "features": "Fast | Quiet"}
    brief, _, errors = check_row(_featured(), row, 0)  # {{weight}} is not needed then
    assert errors == [] and brief["features"] == ["Fast", "Quiet"]
    brief, _, errors = check_row(_featured(), {**row, "features": "", "weight": "1 kg"}, 1)
    assert errors == [] and brief["features"] == ["1 kg light", "Made in Porto"]
    too_many = {**row, "features": "a|b|c|d|e|f"}
    _, _, errors = check_row(_featured(), too_many, 2)
    assert [(e.field, e.message) for e in errors] == [
        ("features", f"row 2: features must list at most {MAX_FEATURES}")
    ]
    assert errors[0].as_error().field == ["rows", "2", "features"]
    too_long = {**row, "features": "Fast|" + "x" * (FEATURE_LIMIT + 1)}
    _, _, errors = check_row(_featured(), too_long, 3)
    assert [(e.field, e.code) for e in errors] == [("features.1", "INVALID")]
    assert errors[0].as_error().field == ["rows", "3", "features", "1"]
    undrawable = {**row, "features": "Fast|Quiet \U00013000"}  # no font draws hieroglyphs
    _, _, errors = check_row(_featured(), undrawable, 4)
    assert [e.field for e in errors] == ["features.1"] and "no available font" in errors[0].message


def test_csv_rows() -> None:
    assert rows_from_csv("\ufeffproduct, price\nKettle,$2\n", 10) == [
        {"product": "Kettle", "price": "$2"}
    ]
    assert rows_from_csv('product,features\nKettle,"Fast, quiet|1 l"\n', 10) == [
        {"product": "Kettle", "features": "Fast, quiet|1 l"}
    ]


def test_caption_files_follow_the_burned_in_timing() -> None:
    timeline = plan_timeline([2.0, 3.0], [Transition.CUT, Transition.CUT], fps=30)
    text = srt(["First", ""], timeline)
    assert text == "1\n00:00:00,150 --> 00:00:01,850\nFirst\n"
    assert webvtt(["First", "Second"], timeline).startswith(
        "WEBVTT\n\n00:00:00.150 --> 00:00:01.850\nFirst\n"
    )
