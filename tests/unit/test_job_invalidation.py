"""Which outputs an edit makes stale: only the affected key images, clips and the composition."""

from __future__ import annotations

from dataclasses import replace

from domain.enums import SceneContinuity, ShotType, Transition
from domain.rules.invalidation import SceneInputs, Stale, stale_after

CUT, CONTINUE = SceneContinuity.CUT, SceneContinuity.CONTINUE


def scenes(
    *continuity: SceneContinuity, transitions: list[Transition] | None = None
) -> list[SceneInputs]:
    transitions = transitions or [Transition.CUT] + [Transition.DISSOLVE] * (len(continuity) - 1)
    return [
        SceneInputs(
            id=f"s{i}",
            prompt=f"prompt {i}",
            shot_type=ShotType.MEDIUM,
            asset_ids=(),
            duration_ms=3000,
            continuity=c,
            transition=Transition.CUT if c is CONTINUE else transitions[i],
            script=f"line {i}",
            caption=f"caption {i}",
        )
        for i, c in enumerate(continuity)
    ]


def edit(items: list[SceneInputs], index: int, **changes: object) -> list[SceneInputs]:
    out = list(items)
    out[index] = replace(out[index], **changes)  # type: ignore[arg-type]
    return out


def test_no_change_nothing_stale() -> None:
    before = scenes(CUT, CONTINUE, CUT)
    assert stale_after(before, list(before)) == Stale()
    assert not Stale().anything


def test_caption_script_only_recompose() -> None:
    before = scenes(CUT, CONTINUE, CUT, CUT)
    for change in ({"caption": "new"}, {"script": "new"}):
        stale = stale_after(before, edit(before, 2, **change))
        assert stale == Stale(frozenset(), frozenset(), True)


def test_prompt_remakes_the_image_and_every_clip_continuing_from_it() -> None:
    before = scenes(CUT, CUT, CONTINUE, CONTINUE, CUT)
    stale = stale_after(before, edit(before, 1, prompt="other"))
    assert stale.images == {"s1"}
    assert stale.clips == {"s1", "s2", "s3"}  # s4 cuts: its first frame is its own
    assert stale.composition
    stale = stale_after(before, edit(before, 4, shot_type=ShotType.WIDE))
    assert stale.images == {"s4"} and stale.clips == {"s4"}
    stale = stale_after(before, edit(before, 0, refinements=1))
    assert stale.images == {"s0"} and stale.clips == {"s0"}


def test_duration_remakes_the_clip_and_the_outgoing_clip_of_a_transition() -> None:
    before = scenes(CUT, CUT, CUT, CUT)
    stale = stale_after(before, edit(before, 2, duration_ms=4500))
    assert stale.images == set()
    assert stale.clips == {"s1", "s2"}  # s1 carries the dissolve's frames into s2


def test_transition_change_remakes_the_outgoing_clip_only() -> None:
    before = scenes(CUT, CUT, CUT)
    stale = stale_after(before, edit(before, 2, transition=Transition.WIPE_LEFT))
    assert stale.images == set() and stale.clips == {"s1"} and stale.composition
    plain = scenes(CUT, CUT, CUT, transitions=[Transition.CUT] * 3)
    stale = stale_after(plain, edit(plain, 1, transition=Transition.CUT))
    assert stale == Stale()


def test_continuity_change_and_reorder() -> None:
    before = scenes(CUT, CUT, CUT)
    stale = stale_after(before, edit(before, 2, continuity=CONTINUE, transition=Transition.CUT))
    assert stale.clips == {"s1", "s2"} and stale.images == set()
    chain = scenes(CUT, CONTINUE, CUT, CUT)
    moved = [chain[0], chain[2], chain[1], chain[3]]
    stale = stale_after(chain, moved)
    # s1 continues from a different clip now; s0/s2 carry new transition tails
    assert "s1" in stale.clips and stale.images == set() and stale.composition
    assert "s3" not in stale.clips


def test_added_and_deleted_scenes() -> None:
    before = scenes(CUT, CONTINUE, CUT)
    new = replace(before[2], id="new")
    stale = stale_after(before, [before[0], new, before[1], before[2]])
    assert "new" in stale.images and "new" in stale.clips
    assert "s1" in stale.clips  # continues from the new scene now
    stale = stale_after(before, [before[0], before[2]])
    assert stale.images == set() and stale.composition


def test_a_character_remakes_the_key_image_only_where_it_is_drawn_into_it() -> None:
    composited = scenes(CUT, CUT)
    stale = stale_after(composited, edit(composited, 0, character="face"))
    assert stale.images == frozenset() and stale.clips == {"s0"}  # composited over the clip
    drawn = [replace(s, character_in_image=True) for s in composited]
    stale = stale_after(drawn, edit(drawn, 0, character="face"))
    assert stale.images == {"s0"} and stale.clips == {"s0"}  # a hosted model draws it
