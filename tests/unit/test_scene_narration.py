"""What a scene says, and the check a voiced job's edit of it goes through."""

from __future__ import annotations

import uuid

import pytest

from domain.enums import SceneBeat, SceneContinuity, ShotType, Transition
from domain.errors import DomainError, ErrorCode
from domain.models import Job, Scene
from domain.services.jobs.scene_narration import job_line, require_narration_fits, spoken_line


def scene(beat: SceneBeat, script: str, seconds: float, position: int,
          narration: str | None = None) -> Scene:  # fmt: skip
    return Scene(
        id=uuid.uuid4(), beat=beat, script=script, narration=narration, position=position,
        shot_type=ShotType.WIDE, transition=Transition.CUT, duration_seconds=seconds,
        continuity=SceneContinuity.CUT,
    )  # fmt: skip


def job(voiceover: bool = True) -> Job:
    return Job(voiceover=voiceover, brief={"product": "Mugs", "call_to_action": "Shop now"})


def test_a_scene_says_its_narration_else_its_script_and_the_end_card_the_call_to_action() -> None:
    assert spoken_line(scene(SceneBeat.HOOK, " Run free. ", 3, 0), "Shop") == "Run free."
    assert spoken_line(scene(SceneBeat.HOOK, "Run free.", 3, 0, "Fly."), "Shop") == "Fly."
    assert spoken_line(scene(SceneBeat.HOOK, "Run free.", 3, 0, ""), "Shop") == ""  # silent
    end = scene(SceneBeat.END_CARD, "Buy.", 3, 2)
    assert job_line(job(), end) == "Shop now"
    assert spoken_line(end, None) == "Buy."
    end.narration = "Visit us today."
    assert job_line(job(), end) == "Visit us today."


def test_words_that_cannot_fit_the_ad_are_refused_before_any_work() -> None:
    scenes = [
        scene(SceneBeat.HOOK, "Fresh mugs.", 3.0, 0),
        scene(SceneBeat.PRODUCT, "Made by hand.", 4.0, 1),
        scene(SceneBeat.END_CARD, "", 3.0, 2),
    ]
    # 14 words in a 4 s scene: the others spare the time (at most 1.2x faster): accepted
    scenes[
        1
    ].narration = "Made by hand in our small studio, fired twice, and glazed in four colours."
    require_narration_fits(job(), scenes, scenes[1])
    scenes[1].narration = " ".join(["Made by hand in our small studio"] * 4)  # 28 words in 10 s
    with pytest.raises(DomainError) as caught:
        require_narration_fits(job(), scenes, scenes[1])
    assert caught.value.code is ErrorCode.LIMIT_EXCEEDED
    assert caught.value.field == ["narration"]
    assert caught.value.message.startswith("scene 2 says 28 words; its 4 s hold about 8 at")
    assert "shorten the scripts by about" in caught.value.message
    require_narration_fits(job(voiceover=False), scenes, scenes[1])  # not spoken: no limit
