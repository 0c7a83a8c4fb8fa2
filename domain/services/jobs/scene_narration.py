"""What a scene says, and the checks an edit of it goes through.

A scene says its ``narration`` when one was set with ``updateScene`` (``""``: nothing), else its
script; the end card says the brief's call to action. Changing what a scene says makes its
stored narration stale (only that scene is synthesised again), and in a voiced job the new
words must fit the ad before anything is done: at a natural pace, with scenes lengthened by
the time others can spare and every line at most ``MAX_SPEED`` faster, as the narration step
will fit them (``LIMIT_EXCEEDED`` otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.enums import SceneBeat
from domain.errors import DomainError, ErrorCode
from domain.models import Job, Scene
from domain.rules.narration import (
    MAX_SPEED,
    NarrationTooLong,
    fit_scenes,
    script_budget,
    speech_seconds,
    spoken_units,
)


def spoken_line(scene: Scene, call_to_action: str | None) -> str:
    """What a scene says: its narration when set, else its script; the end card says the call
    to action."""
    if scene.narration is not None:
        return scene.narration.strip()
    if scene.beat is SceneBeat.END_CARD and call_to_action:
        return call_to_action
    return scene.script.strip()


def _brief(job: Job, name: str) -> str:
    value = (job.brief or {}).get(name)
    return str(value).strip() if value else ""


def job_line(job: Job, scene: Scene) -> str:
    """What ``scene`` of ``job`` says."""
    return spoken_line(scene, _brief(job, "call_to_action") or None)


def forget_narration(scene: Scene) -> None:
    """The scene's words changed: its stored narration is stale."""
    scene.narration_asset_id = None
    scene.narration_words = None


def require_narration_fits(
    job: Job, scenes: Sequence[Scene], scene: Scene, field: str = "narration"
) -> None:
    """``LIMIT_EXCEEDED`` on ``field`` when the ad cannot say ``scene``'s words in time."""
    if not job.voiceover:
        return
    language = _brief(job, "language") or "en"
    lines = [job_line(job, s) for s in scenes]
    try:
        fit_scenes(
            [s.duration_seconds for s in scenes],
            [speech_seconds(line, language) for line in lines],
            max_speed=MAX_SPEED,
        )
    except NarrationTooLong as exc:
        text = job_line(job, scene)
        words = spoken_units(text, language)
        budget = script_budget(scene.duration_seconds, language)
        raise DomainError(
            ErrorCode.LIMIT_EXCEEDED,
            f"scene {scene.position + 1} says {words} words; its {scene.duration_seconds:g} s "
            f"hold about {budget} at a natural pace, and {exc.message}",
            [field],
        ) from exc


__all__ = ["forget_narration", "job_line", "require_narration_fits", "spoken_line"]
