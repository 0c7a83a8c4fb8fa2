"""Pure rules of variants, template rows, merge fields and caption files."""

from __future__ import annotations

from decimal import Decimal

from domain.enums import SceneBeat, SceneContinuity, ShotType, Transition
from domain.media.subtitles import srt, webvtt
from domain.media.timing import plan_timeline
from domain.rules.invalidation import SceneInputs
from domain.rules.merge_fields import fields_in, fill, missing_fields
from domain.rules.pricing import DEFAULT_PRICES, PriceTable, ProviderChoice, SceneWork
from domain.rules.variants import changed_cost, reusable
from domain.services.batches.rows import check_row, rows_from_csv
from domain.services.batches.storyboard import SceneDraft


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


def test_csv_rows() -> None:
    assert rows_from_csv("\ufeffproduct, price\nKettle,$2\n", 10) == [
        {"product": "Kettle", "price": "$2"}
    ]


def test_caption_files_follow_the_burned_in_timing() -> None:
    timeline = plan_timeline([2.0, 3.0], [Transition.CUT, Transition.CUT], fps=30)
    text = srt(["First", ""], timeline)
    assert text == "1\n00:00:00,150 --> 00:00:01,850\nFirst\n"
    assert webvtt(["First", "Second"], timeline).startswith(
        "WEBVTT\n\n00:00:00.150 --> 00:00:01.850\nFirst\n"
    )
